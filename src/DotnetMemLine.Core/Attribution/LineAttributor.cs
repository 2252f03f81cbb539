using DotnetMemLine.Decoding;
using DotnetMemLine.Estimation;

namespace DotnetMemLine.Attribution;

/// <summary>
/// The allocations of one selected method, bucketed by source line.
/// </summary>
internal sealed class MethodLineTallies
{
    public SampleTally Total { get; } = new();

    public Dictionary<int, SampleTally> ByLine { get; } = [];

    public Dictionary<int, long> PeakHeapByLine { get; } = [];

    public long UnattributedSamples { get; set; }
}

/// <summary>
/// Replays a trace and charges each allocation to the line of each selected method that was
/// executing: the innermost frame of that method on the stack, so a line's figure includes the
/// callees it calls and a recursive method counts each sample once.
/// </summary>
internal sealed class LineAttributor : IAllocationVisitor
{
    private readonly AllocationEventKind _eventKind;

    // For each trace method id: which selected methods it belongs to (-1: none).
    private readonly int[] _selectedIndexByMethodId;

    // Maps (method id, IL offset) to a source line; 0 means "no line".
    private readonly Func<int, int, int> _lineOf;
    private readonly Dictionary<(int MethodId, int ILOffset), int> _lineCache = [];
    private readonly HeapTracker _heap = new();
    private readonly bool[] _seenThisSample;

    public LineAttributor(AllocationEventKind eventKind, int[] selectedIndexByMethodId, int selectedCount, Func<int, int, int> lineOf)
    {
        _eventKind = eventKind;
        _selectedIndexByMethodId = selectedIndexByMethodId;
        _lineOf = lineOf;
        Tallies = new MethodLineTallies[selectedCount];
        for (int i = 0; i < selectedCount; i++)
        {
            Tallies[i] = new MethodLineTallies();
        }

        _seenThisSample = new bool[selectedCount];
    }

    public MethodLineTallies[] Tallies { get; }

    public void OnHeapSizeAfterGC(double timeMSec, long heapBytes) => _heap.OnGCEnd(heapBytes);

    public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames)
    {
        _heap.OnAllocated(_eventKind == AllocationEventKind.AllocationTick
            ? allocation.TickAmount
            : _eventKind == AllocationEventKind.Exact ? allocation.ObjectSize : AllocationEstimator.SampleWeight(allocation.ObjectSize));
        long? heapNow = _heap.CurrentBytes;

        Array.Clear(_seenThisSample);
        foreach (StackFrame frame in frames)
        {
            if ((uint)frame.MethodId >= (uint)_selectedIndexByMethodId.Length)
            {
                continue;
            }

            int selected = _selectedIndexByMethodId[frame.MethodId];
            if (selected < 0 || _seenThisSample[selected])
            {
                continue; // not a selected method, or an outer (recursive) frame of one already charged
            }

            _seenThisSample[selected] = true;
            Charge(Tallies[selected], LineOf(frame), allocation, heapNow);
        }
    }

    private int LineOf(StackFrame frame)
    {
        if (frame.ILOffset < 0)
        {
            return 0;
        }

        var key = (frame.MethodId, frame.ILOffset);
        if (!_lineCache.TryGetValue(key, out int line))
        {
            line = _lineOf(frame.MethodId, frame.ILOffset);
            _lineCache[key] = line;
        }

        return line;
    }

    private void Charge(MethodLineTallies tallies, int line, in AllocationRecord allocation, long? heapNow)
    {
        Add(tallies.Total, allocation);
        if (line <= 0)
        {
            tallies.UnattributedSamples++;
            return;
        }

        if (!tallies.ByLine.TryGetValue(line, out SampleTally? tally))
        {
            tally = new SampleTally();
            tallies.ByLine[line] = tally;
        }

        Add(tally, allocation);
        if (heapNow is long heap && heap > tallies.PeakHeapByLine.GetValueOrDefault(line))
        {
            tallies.PeakHeapByLine[line] = heap;
        }
    }

    private void Add(SampleTally tally, in AllocationRecord allocation)
    {
        switch (_eventKind)
        {
            case AllocationEventKind.AllocationTick:
                tally.AddTick(allocation.TickAmount);
                break;
            case AllocationEventKind.Exact:
                tally.AddExact(allocation.ObjectSize, allocation.ObjectCount);
                break;
            default:
                tally.AddSampled(allocation.ObjectSize, allocation.SampledByteOffset);
                break;
        }
    }
}
