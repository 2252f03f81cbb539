using DotnetMemLine.Decoding;

namespace DotnetMemLine.Attribution;

/// <summary>
/// Follows sampled objects through the GCs of a trace recorded with the keyword GCHeapSurvivalAndMovement
/// (0x400000): at every GC the runtime lists the address ranges that survived where they are
/// (GCBulkSurvivingObjectRanges) and those a compacting GC moved (GCBulkMovedObjectRanges, old and new base).
/// An object of a generation the GC collected that lies in none of them died; one in a moved range follows it.
/// </summary>
/// <remarks>
/// Each object knows its generation (0 at allocation on the small object heap, promoted by each GC it survives;
/// the large and pinned object heaps are collected with generation 2), the GCs it was seen alive at, and the
/// owner the caller gave it (a distinct stack). Memory holds the tracked objects alive, plus one span per
/// object that survived a GC: not the trace. A GC that reported no range at all (a background GC may not) is
/// not taken as having killed anything: its objects are kept, unconfirmed.
/// </remarks>
internal sealed class ObjectLifetimes
{
    private readonly List<Tracked> _objects = [];
    private readonly List<LiveSpan> _spans = [];
    private readonly Stack<OpenGC> _openGCs = new();
    private Range[] _ranges = new Range[256];

    /// <summary>GCs that reported their survivors, so far: the index of the last one (GCs are numbered from 1).</summary>
    public int ExaminedGCs { get; private set; }

    /// <summary>When the last full (generation 2) GC that reported its survivors ended; null before the first.</summary>
    public double? LastFullGCMSec { get; private set; }

    /// <summary>Every object that was seen alive at one GC or more: from which examined GC to which.</summary>
    public IReadOnlyList<LiveSpan> Spans => _spans;

    /// <summary>
    /// Follows a newly allocated object at <paramref name="address"/> (on <paramref name="heap"/>) on behalf of
    /// <paramref name="owner"/>, with what its estimator needs (<paramref name="objectSize"/>, <paramref name="sampledByteOffset"/>,
    /// <paramref name="objectCount"/>) and its type <paramref name="typeId"/> (<see cref="AllocationRecord.TypeId"/>).
    /// </summary>
    public void Track(ulong address, HeapKind heap, int owner, long objectSize, long sampledByteOffset, long objectCount, int typeId = -1)
    {
        if (address != 0)
        {
            _objects.Add(new Tracked(address, heap, owner, objectSize, sampledByteOffset, objectCount) { AllocatedAfter = ExaminedGCs, TypeId = typeId });
        }
    }

    public void OnGCStart(int count, int condemnedGeneration) => _openGCs.Push(new OpenGC(count, condemnedGeneration));

    public void OnSurvivingRange(ulong start, ulong length) => AddRange(start, length, 0);

    public void OnMovedRange(ulong oldStart, ulong newStart, ulong length) => AddRange(oldStart, length, (long)(newStart - oldStart));

    public void OnGCEnd(double timeMSec, int count)
    {
        while (_openGCs.Count > 0)
        {
            OpenGC gc = _openGCs.Pop();
            if (gc.Count == count || _openGCs.Count == 0)
            {
                if (gc.Ranges > 0)
                {
                    Apply(gc);
                    if (gc.CondemnedGeneration >= 2)
                    {
                        LastFullGCMSec = timeMSec;
                    }
                }

                return;
            }
        }
    }

    /// <summary>The objects still tracked at the end: alive at the last examined GC, or allocated after it.</summary>
    public IEnumerable<LiveSpan> Remaining()
    {
        foreach (Tracked o in _objects)
        {
            yield return new LiveSpan(o.Owner, o.AllocatedAfter + 1, o.LastSeenAlive, o.ObjectSize, o.SampledByteOffset, o.ObjectCount);
        }
    }

    /// <summary>As <see cref="Remaining"/>, with where each object is now (moves followed) and its type: for finding it in the live process.</summary>
    public IEnumerable<(LiveSpan Span, ulong Address, int TypeId)> RemainingObjects()
    {
        foreach (Tracked o in _objects)
        {
            yield return (new LiveSpan(o.Owner, o.AllocatedAfter + 1, o.LastSeenAlive, o.ObjectSize, o.SampledByteOffset, o.ObjectCount), o.Address, o.TypeId);
        }
    }

    private void AddRange(ulong start, ulong length, long delta)
    {
        if (_openGCs.Count == 0 || length == 0)
        {
            return;
        }

        OpenGC gc = _openGCs.Peek();
        if (gc.Ranges == _ranges.Length)
        {
            Array.Resize(ref _ranges, _ranges.Length * 2);
        }

        _ranges[gc.Ranges++] = new Range(start, start + length, delta);
    }

    /// <summary>Marks the collected generations' objects in a range as alive (following moves), the others dead.</summary>
    private void Apply(OpenGC gc)
    {
        Span<Range> ranges = _ranges.AsSpan(0, gc.Ranges);
        ranges.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        int examined = ++ExaminedGCs;
        int kept = 0;
        for (int i = 0; i < _objects.Count; i++)
        {
            Tracked o = _objects[i];
            bool collected = o.Heap == HeapKind.Small ? o.Generation <= gc.CondemnedGeneration : gc.CondemnedGeneration >= 2;
            int found = Find(ranges, o.Address);
            if (found >= 0)
            {
                o.Address = (ulong)((long)o.Address + ranges[found].Delta);
                if (collected)
                {
                    o.LastSeenAlive = examined;
                    o.Generation = (byte)Math.Min(2, o.Generation + 1);
                }
            }
            else if (collected)
            {
                if (o.LastSeenAlive > 0)
                {
                    _spans.Add(new LiveSpan(o.Owner, o.AllocatedAfter + 1, o.LastSeenAlive, o.ObjectSize, o.SampledByteOffset, o.ObjectCount));
                }

                continue; // died in this GC
            }

            _objects[kept++] = o;
        }

        _objects.RemoveRange(kept, _objects.Count - kept);
        gc.Ranges = 0;
    }

    private static int Find(ReadOnlySpan<Range> ranges, ulong address)
    {
        int low = 0, high = ranges.Length - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            if (ranges[middle].Start <= address)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return high >= 0 && address < ranges[high].End ? high : -1;
    }

    private readonly record struct Range(ulong Start, ulong End, long Delta);

    private sealed class OpenGC(int count, int condemnedGeneration)
    {
        public int Count { get; } = count;

        public int CondemnedGeneration { get; } = condemnedGeneration;

        public int Ranges { get; set; }
    }

    private struct Tracked(ulong address, HeapKind heap, int owner, long objectSize, long sampledByteOffset, long objectCount)
    {
        public ulong Address = address;
        public readonly HeapKind Heap = heap;
        public readonly int Owner = owner;
        public readonly long ObjectSize = objectSize;
        public readonly long SampledByteOffset = sampledByteOffset;
        public readonly long ObjectCount = objectCount;
        public byte Generation;
        public int AllocatedAfter;
        public int LastSeenAlive;
        public int TypeId;
    }
}

/// <summary>
/// A sampled object seen alive at the examined GCs <paramref name="FromGC"/> to <paramref name="ToGC"/> (none when
/// <paramref name="ToGC"/> is smaller), with what its estimator needs.
/// </summary>
/// <param name="Owner">Whom it was tracked for (a distinct stack).</param>
/// <param name="FromGC">The first examined GC after its allocation.</param>
/// <param name="ToGC">The last examined GC it survived.</param>
/// <param name="ObjectSize">Its size.</param>
/// <param name="SampledByteOffset">AllocationSampled's offset of the byte whose trial succeeded.</param>
/// <param name="ObjectCount">Exact mode: the objects the event stood for.</param>
internal readonly record struct LiveSpan(int Owner, int FromGC, int ToGC, long ObjectSize, long SampledByteOffset, long ObjectCount);
