using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// A background GC condemns generation 2 but collects only what was old (generation 2, or the large and pinned
/// object heaps) when it began: the ephemeral generations are collected by the blocking GCs it runs inside it, it
/// promotes nothing, and the objects allocated while it runs are alive to it whether its ranges list them or not.
/// It judges the objects that were old when it began only (not those a GC inside it promoted to generation 2: the
/// next GC says whether they are still there), and is not a full GC.
/// Each GC under way keeps its own ranges, so an ephemeral GC inside a background GC leaves the latter's alone.
/// The generation counted here (one more per GC survived) can be ahead of the runtime's, which does not always
/// promote: when the trace describes the generations at each GC's start (GCGenerationRange, same keyword), that
/// description sets it, and an object that survived a GC but lies in none of the used ranges died (its memory was swept);
/// and an object the GC moved other survivors onto died in that GC, whatever its generation.
/// </remarks>
internal sealed class ObjectLifetimes
{
    private readonly List<Tracked> _objects = [];
    private readonly SpanLog _spans = new();
    private readonly Stack<OpenGC> _openGCs = new();
    private readonly Stack<Range[]> _spareRanges = new();
    private int _startedGCs;

    // Locate's answers and work space, by tracked object: the range holding it, whether moved survivors now lie on it.
    private int[] _rangeOf = new int[256];
    private bool[] _onDestination = new bool[256];
    private int[] _byAddress = new int[256];
    private ulong[] _addresses = new ulong[256];

    // _addresses and _byAddress hold the tracked objects sorted by address until an object is added, removed or moved.
    private bool _sortedAddressesStale = true;

    // The generations as the GC under way began with them (Range.Delta holding the generation), while their description arrives.
    private Range[] _generationMap = new Range[256];
    private int _generationMapCount;
    private bool _generationMapOpen;
    private readonly HashSet<ulong> _generationMapStarts = [];

    /// <summary>GCs that reported their survivors, so far: the index of the last one (GCs are numbered from 1).</summary>
    public int ExaminedGCs { get; private set; }

    /// <summary>When the last full (blocking generation 2) GC that reported its survivors ended; null before the first.</summary>
    public double? LastFullGCMSec { get; private set; }

    /// <summary>Every object that was seen alive at one GC or more: from which examined GC to which.</summary>
    public SpanLog Spans => _spans;

    /// <summary>
    /// Follows a newly allocated object at <paramref name="address"/> (on <paramref name="heap"/>) on behalf of
    /// <paramref name="owner"/>, with what its estimator needs (<paramref name="objectSize"/>, <paramref name="sampledByteOffset"/>,
    /// <paramref name="objectCount"/>) and its type <paramref name="typeId"/> (<see cref="AllocationRecord.TypeId"/>).
    /// </summary>
    public void Track(ulong address, HeapKind heap, int owner, long objectSize, long sampledByteOffset, long objectCount, int typeId = -1)
    {
        ApplyGenerationMap();
        if (address != 0)
        {
            _sortedAddressesStale = true;
            _objects.Add(new Tracked(address, heap, owner, objectSize, sampledByteOffset, objectCount)
            {
                AllocatedAfter = ExaminedGCs,
                OldSince = heap == HeapKind.Small ? int.MaxValue : _startedGCs,
                TypeId = typeId,
            });
        }
    }

    /// <summary>GC number <paramref name="count"/> began; <paramref name="kind"/> says whether it is a background GC.</summary>
    public void OnGCStart(int count, int condemnedGeneration, GCType kind = GCType.Blocking)
    {
        ApplyGenerationMap();
        _startedGCs++;
        _generationMapOpen = true;
        _generationMapCount = 0;
        _generationMapStarts.Clear();
        Range[] ranges = _spareRanges.Count > 0 ? _spareRanges.Pop() : new Range[256];
        _openGCs.Push(new OpenGC(count, condemnedGeneration, kind == GCType.Background, _startedGCs, ranges));
    }

    /// <summary>
    /// One used range of a generation (0-2; 3 and 4 the large and pinned object heaps). The runtime describes every
    /// range of every generation right after each GCStart, and again after the GC's survivors: only that first
    /// description is kept, as where each object was when the GC began.
    /// </summary>
    public void OnGenerationRange(int generation, ulong start, ulong length)
    {
        if (!_generationMapOpen)
        {
            return;
        }

        if (!_generationMapStarts.Add(start))
        {
            ApplyGenerationMap(); // a range described again: a second description began, the first is complete
            return;
        }

        if (length > 0)
        {
            if (_generationMapCount == _generationMap.Length)
            {
                Array.Resize(ref _generationMap, _generationMap.Length * 2);
            }

            _generationMap[_generationMapCount++] = new Range(start, start + length, generation);
        }
    }

    public void OnSurvivingRange(ulong start, ulong length)
    {
        ApplyGenerationMap();
        AddRange(start, length, 0);
    }

    public void OnMovedRange(ulong oldStart, ulong newStart, ulong length)
    {
        ApplyGenerationMap();
        AddRange(oldStart, length, (long)(newStart - oldStart));
    }

    /// <summary>
    /// One event's ranges (<see cref="OnSurvivingRange"/>, <see cref="OnMovedRange"/>) in one loop, keeping only those that
    /// hold a tracked object or that moved survivors onto one: a GC lists thousands of ranges and the sampled objects alive
    /// are few, so nearly all ranges are passed over where they lie in the payload, never copied or looked at again.
    /// </summary>
    /// <remarks>
    /// The objects are those tracked now. One tracked later in the same GC is allocated while a background GC runs (a
    /// blocking GC stops every thread), and such a GC neither judges it nor moves anything: its ranges say nothing of it.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OnRanges(GCRanges ranges)
    {
        ApplyGenerationMap();
        if (_openGCs.Count == 0)
        {
            return;
        }

        OpenGC gc = _openGCs.Peek();
        gc.ReportedRanges |= ranges.Count > 0;
        ReadOnlySpan<ulong> addresses = SortedAddresses();
        if (addresses.Length == 0)
        {
            return;
        }

        // Read where they lie. Along a run of ranges in address order the first object at or after a range's start only
        // moves forward, so a range that holds none costs a comparison or two; a range that starts below the one before
        // begins a run and searches again.
        ReadOnlySpan<byte> bytes = ranges.Bytes;
        int stride = ranges.Stride, pointerSize = ranges.PointerSize;
        bool moved = ranges.Moved;
        var scan = new RangeScan(gc, addresses);
        if (pointerSize == 8 && BitConverter.IsLittleEndian)
        {
            // A 64-bit process, nearly always: each field read in place as a machine word, not through a slice per field
            // (the 4.2 GB benchmark trace has 175 million ranges: its analysis took 4% less time).
            ref byte origin = ref MemoryMarshal.GetReference(bytes);
            if (moved)
            {
                for (int at = 0; at + 24 <= bytes.Length; at += 24)
                {
                    ulong start = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref origin, at));
                    scan.Keep(start, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref origin, at + 8)), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref origin, at + 16)));
                }
            }
            else
            {
                for (int at = 0; at + 16 <= bytes.Length; at += 16)
                {
                    ulong start = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref origin, at));
                    scan.Keep(start, start, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref origin, at + 8)));
                }
            }

            return;
        }

        for (int at = 0; at + stride <= bytes.Length; at += stride)
        {
            ulong start = GCRanges.ReadPointer(bytes[at..], pointerSize);
            ulong newStart = moved ? GCRanges.ReadPointer(bytes[(at + pointerSize)..], pointerSize) : start;
            scan.Keep(start, newStart, BinaryPrimitives.ReadUInt64LittleEndian(bytes[(at + stride - 8)..]));
        }
    }

    /// <summary>
    /// <see cref="OnRanges"/>'s walk along one event's ranges: keeps those that hold a tracked object or moved survivors
    /// onto one, remembering where along the sorted addresses the last range's start and destination were.
    /// </summary>
    private ref struct RangeScan(OpenGC gc, ReadOnlySpan<ulong> addresses)
    {
        private readonly OpenGC _gc = gc;
        private readonly ReadOnlySpan<ulong> _addresses = addresses;
        private int _atStart;
        private int _atDestination;
        private ulong _lastStart;
        private ulong _lastDestination;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Keep(ulong start, ulong newStart, ulong length)
        {
            _atStart = FirstAtOrAfter(_addresses, start, start >= _lastStart ? _atStart : 0);
            _lastStart = start;
            bool keep = _atStart < _addresses.Length && _addresses[_atStart] - start < length;
            if (!keep && newStart != start)
            {
                _atDestination = FirstAtOrAfter(_addresses, newStart, newStart >= _lastDestination ? _atDestination : 0);
                _lastDestination = newStart;
                keep = _atDestination < _addresses.Length && _addresses[_atDestination] - newStart < length;
            }

            if (keep)
            {
                _gc.MakeRoom(1);
                _gc.RangeBuffer[_gc.Ranges++] = new Range(start, start + length, (long)(newStart - start));
            }
        }
    }

    public void OnGCEnd(double timeMSec, int count)
    {
        ApplyGenerationMap();
        while (_openGCs.Count > 0)
        {
            OpenGC gc = _openGCs.Pop();
            if (gc.Count == count || _openGCs.Count == 0)
            {
                if (gc.ReportedRanges)
                {
                    Apply(gc);
                    if (gc.CondemnedGeneration >= 2 && !gc.Background)
                    {
                        LastFullGCMSec = timeMSec;
                    }
                }

                _spareRanges.Push(gc.RangeBuffer);
                return;
            }

            _spareRanges.Push(gc.RangeBuffer);
        }
    }

    /// <summary>The objects still tracked at the end: alive at the last examined GC, or allocated after it.</summary>
    public IEnumerable<LiveSpan> Remaining() => RemainingObjects().Select(o => o.Span);

    /// <summary>As <see cref="Remaining"/>, with where each object is now (moves followed) and its type: for finding it in the live process.</summary>
    public IEnumerable<(LiveSpan Span, ulong Address, int TypeId)> RemainingObjects()
    {
        foreach (Tracked o in _objects)
        {
            yield return (o.Span(), o.Address, o.TypeId);
        }
    }

    private void AddRange(ulong start, ulong length, long delta)
    {
        if (_openGCs.Count == 0 || length == 0)
        {
            return;
        }

        OpenGC gc = _openGCs.Peek();
        gc.ReportedRanges = true;
        gc.MakeRoom(1);
        gc.RangeBuffer[gc.Ranges++] = new Range(start, start + length, delta);
    }

    /// <summary>Marks the collected generations' objects in a range as alive (following moves), the others dead.</summary>
    private void Apply(OpenGC gc)
    {
        ReadOnlySpan<Range> ranges = gc.RangeBuffer.AsSpan(0, gc.Ranges);
        Locate(ranges, withDestinations: true);
        int examined = ++ExaminedGCs;
        int kept = 0;
        for (int i = 0; i < _objects.Count; i++)
        {
            Tracked o = _objects[i];
            bool collected = gc.Background
                ? (o.Heap != HeapKind.Small || o.Generation == 2) && o.OldSince < gc.StartedAs
                : o.Heap == HeapKind.Small ? o.Generation <= gc.CondemnedGeneration : gc.CondemnedGeneration >= 2;
            int found = _rangeOf[i];
            if (found >= 0)
            {
                o.Address = (ulong)((long)o.Address + ranges[found].Delta);
                if (collected)
                {
                    o.LastSeenAlive = examined;
                    if (o.Generation < 2 && ++o.Generation == 2)
                    {
                        o.OldSince = _startedGCs;
                    }
                }
            }
            else if (collected || _onDestination[i])
            {
                // Not listed: dead if its generation was collected, or if survivors were moved onto it (its
                // generation was collected after all: one the GC did not promote as counted here).
                if (o.LastSeenAlive > 0)
                {
                    _spans.Add(o.Span());
                }

                continue; // died in this GC
            }

            _objects[kept++] = o;
        }

        _objects.RemoveRange(kept, _objects.Count - kept);
        _sortedAddressesStale = true; // moved, and some gone
        gc.Ranges = 0;
        gc.ReportedRanges = false;
    }

    /// <summary>
    /// Once the description of the generations the GC under way began with is complete: each small object heap object
    /// it places takes that generation (the runtime does not always promote as counted here); an object that survived a
    /// GC and lies in no used range died before (a sweep gave its memory back, e.g. a background GC whose marking found
    /// it already unreachable).
    /// </summary>
    private void ApplyGenerationMap()
    {
        if (!_generationMapOpen)
        {
            return;
        }

        _generationMapOpen = false;
        if (_generationMapCount == 0)
        {
            return;
        }

        ReadOnlySpan<Range> map = _generationMap.AsSpan(0, _generationMapCount);
        Locate(map, withDestinations: false);
        int kept = 0;
        for (int i = 0; i < _objects.Count; i++)
        {
            Tracked o = _objects[i];
            int found = _rangeOf[i];
            if (found < 0 && o.LastSeenAlive > 0)
            {
                // Objects allocated since the last GC may lie past their region's used part (in an allocation context): not these.
                _spans.Add(o.Span());
                continue;
            }

            if (found >= 0 && o.Heap == HeapKind.Small && map[found].Delta is >= 0 and <= 2 && map[found].Delta != o.Generation)
            {
                o.Generation = (byte)map[found].Delta;
                o.OldSince = o.Generation == 2 ? _startedGCs - 1 : int.MaxValue; // old before the GC under way began, or not old
            }

            _objects[kept++] = o;
        }

        if (kept < _objects.Count)
        {
            _objects.RemoveRange(kept, _objects.Count - kept);
            _sortedAddressesStale = true;
        }
    }

    /// <summary>
    /// For each tracked object (by its index), the range holding it (<see cref="_rangeOf"/>, -1 for none) and, with
    /// <paramref name="withDestinations"/>, whether a moved range now lies on it (<see cref="_onDestination"/>: memory
    /// that holds other survivors after the GC). The ranges come unsorted and are many (a GC lists thousands), the
    /// objects few (the sampled ones alive): the objects are sorted by address and each range looks up the ones inside
    /// it, with no copy or sort of the ranges. A GC's ranges do not overlap (distinct plugs, distinct regions).
    /// </summary>
    private void Locate(ReadOnlySpan<Range> ranges, bool withDestinations)
    {
        ReadOnlySpan<ulong> addresses = SortedAddresses();
        _rangeOf.AsSpan(0, addresses.Length).Fill(-1);
        _onDestination.AsSpan(0, addresses.Length).Clear();
        int inRange = 0, onDestination = 0;
        ulong lastStart = 0, lastDestination = 0;
        for (int r = 0; r < ranges.Length; r++)
        {
            Range range = ranges[r];
            // The ranges come as a few runs in address order: along a run the first object at or after the range's
            // start only moves forward (a step or none, mostly); a run's first range searches.
            inRange = FirstAtOrAfter(addresses, range.Start, range.Start >= lastStart ? inRange : 0);
            lastStart = range.Start;
            for (int at = inRange; at < addresses.Length && addresses[at] < range.End; at++)
            {
                _rangeOf[_byAddress[at]] = r;
            }

            if (withDestinations && range.Delta != 0)
            {
                ulong start = (ulong)((long)range.Start + range.Delta), end = (ulong)((long)range.End + range.Delta);
                onDestination = FirstAtOrAfter(addresses, start, start >= lastDestination ? onDestination : 0);
                lastDestination = start;
                for (int at = onDestination; at < addresses.Length && addresses[at] < end; at++)
                {
                    _onDestination[_byAddress[at]] = true;
                }
            }
        }
    }

    /// <summary>The tracked objects' addresses in ascending order (<see cref="_byAddress"/>: whose each is), sorted again only after a change.</summary>
    private ReadOnlySpan<ulong> SortedAddresses()
    {
        int count = _objects.Count;
        if (!_sortedAddressesStale)
        {
            return _addresses.AsSpan(0, count);
        }

        if (_rangeOf.Length < count)
        {
            int length = Math.Max(count, _rangeOf.Length * 2);
            _rangeOf = new int[length];
            _onDestination = new bool[length];
            _byAddress = new int[length];
            _addresses = new ulong[length];
        }

        for (int i = 0; i < count; i++)
        {
            _byAddress[i] = i;
            _addresses[i] = _objects[i].Address;
        }

        Array.Sort(_addresses, _byAddress, 0, count);
        _sortedAddressesStale = false;
        return _addresses.AsSpan(0, count);
    }

    /// <summary>The first position at or after <paramref name="from"/> of the sorted addresses whose address is not below <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FirstAtOrAfter(ReadOnlySpan<ulong> addresses, ulong address, int from)
    {
        if (from >= addresses.Length || addresses[from] >= address)
        {
            return from; // no object in between: the common case, one comparison
        }

        return from + 1 + LowerBound(addresses[(from + 1)..], address);
    }

    private static int LowerBound(ReadOnlySpan<ulong> addresses, ulong address)
    {
        int low = 0, high = addresses.Length;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (addresses[middle] < address)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private readonly record struct Range(ulong Start, ulong End, long Delta);

    /// <summary>A GC under way, with the ranges it reported so far.</summary>
    /// <param name="count">Its number.</param>
    /// <param name="condemnedGeneration">The oldest generation it collects.</param>
    /// <param name="background">Whether it is a background GC.</param>
    /// <param name="startedAs">How many GCs had begun when this one did, itself included.</param>
    /// <param name="rangeBuffer">Where its ranges go (grown as needed).</param>
    private sealed class OpenGC(int count, int condemnedGeneration, bool background, int startedAs, Range[] rangeBuffer)
    {
        public int Count { get; } = count;

        public int CondemnedGeneration { get; } = condemnedGeneration;

        public bool Background { get; } = background;

        public int StartedAs { get; } = startedAs;

        public Range[] RangeBuffer { get; private set; } = rangeBuffer;

        public int Ranges { get; set; }

        /// <summary>It reported ranges (kept or not): it examined its generations, and what is in none of them died.</summary>
        public bool ReportedRanges { get; set; }

        /// <summary>Grows the buffer, keeping the ranges so far, until <paramref name="more"/> ranges fit after them.</summary>
        public void MakeRoom(int more)
        {
            if (RangeBuffer.Length - Ranges < more)
            {
                Range[] larger = new Range[Math.Max(RangeBuffer.Length * 2, Ranges + more)];
                RangeBuffer.AsSpan(0, Ranges).CopyTo(larger);
                RangeBuffer = larger;
            }
        }
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

        // How many GCs had begun when it became old (generation 2, or at once on the large and pinned object heaps).
        public int OldSince;
        public int LastSeenAlive;
        public int TypeId;

        /// <summary>The GCs it was seen alive at, with what its estimator needs.</summary>
        public readonly LiveSpan Span() => new(Owner, AllocatedAfter + 1, LastSeenAlive, ObjectSize, SampledByteOffset, ObjectCount);
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

/// <summary>
/// The spans of the objects the GCs ended, in fixed chunks: a long trace ends one per sampled object that survived a
/// GC, and a list doubling its array would need twice their memory while it copies.
/// </summary>
internal sealed class SpanLog : IReadOnlyList<LiveSpan>
{
    private const int ChunkLength = 16_384; // 640 KB of spans: each chunk on the large object heap, never copied
    private readonly List<LiveSpan[]> _chunks = [];

    public int Count { get; private set; }

    public LiveSpan this[int index] => (uint)index < (uint)Count ? _chunks[index / ChunkLength][index % ChunkLength] : throw new ArgumentOutOfRangeException(nameof(index));

    public void Add(LiveSpan span)
    {
        if (Count % ChunkLength == 0)
        {
            _chunks.Add(new LiveSpan[ChunkLength]);
        }

        _chunks[^1][Count % ChunkLength] = span;
        Count++;
    }

    public IEnumerator<LiveSpan> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
