using System.Runtime.CompilerServices;

namespace DotnetMemLine.Attribution;

/// <summary>
/// Interns sequences of ints: each distinct sequence gets a dense id, in order of first appearance.
/// Looking up a sequence seen before allocates nothing, so it can run once per event; the storage
/// grows with the number of distinct sequences only.
/// </summary>
internal sealed class SequenceTable
{
    private readonly Dictionary<Entry, int> _ids;
    private int[] _pool = new int[1024];
    private int _used;
    private readonly List<(int Start, int Length)> _entries = [];

    public SequenceTable() => _ids = new Dictionary<Entry, int>(new EntryComparer(this));

    public int Count => _entries.Count;

    /// <summary>The id of <paramref name="sequence"/>, adding it if it is new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Intern(ReadOnlySpan<int> sequence)
    {
        // The candidate is written after the stored sequences and kept there only if it is new.
        if (_used + sequence.Length > _pool.Length)
        {
            Array.Resize(ref _pool, Math.Max(_pool.Length * 2, _used + sequence.Length));
        }

        sequence.CopyTo(_pool.AsSpan(_used));
        var candidate = new Entry(_used, sequence.Length, Hash(sequence));
        if (_ids.TryGetValue(candidate, out int id))
        {
            return id;
        }

        id = _entries.Count;
        _ids[candidate] = id;
        _entries.Add((_used, sequence.Length));
        _used += sequence.Length;
        return id;
    }

    /// <summary>The sequence with id <paramref name="id"/>.</summary>
    public ReadOnlySpan<int> this[int id] => _pool.AsSpan(_entries[id].Start, _entries[id].Length);

    private static int Hash(ReadOnlySpan<int> sequence)
    {
        var hash = new HashCode();
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(sequence));
        return hash.ToHashCode();
    }

    private readonly record struct Entry(int Start, int Length, int Hash);

    private sealed class EntryComparer(SequenceTable table) : IEqualityComparer<Entry>
    {
        public bool Equals(Entry x, Entry y) =>
            x.Hash == y.Hash && x.Length == y.Length
            && table._pool.AsSpan(x.Start, x.Length).SequenceEqual(table._pool.AsSpan(y.Start, y.Length));

        public int GetHashCode(Entry entry) => entry.Hash;
    }
}
