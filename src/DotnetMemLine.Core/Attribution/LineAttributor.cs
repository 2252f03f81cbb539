using System.Runtime.CompilerServices;
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

    /// <summary>Samples charged to more than one line: a lambda or a recursive call runs inside the line that called it.</summary>
    public long SamplesOnSeveralLines { get; set; }
}

/// <summary>
/// Replays a trace and charges each allocation to every line of each selected method that was
/// executing when it happened: a line's figure includes the callees it calls, a lambda's line and the
/// line that ran the lambda both count it, and each allocation is counted once per line and once in
/// the method's total however many frames of the method (recursion) are on the stack.
/// </summary>
internal sealed class LineAttributor : IAllocationVisitor
{
    private readonly AllocationEventKind _eventKind;

    // For each trace method id: which selected method its code belongs to (-1: none).
    private readonly int[] _selectedIndexByMethodId;

    // Maps (method id, IL offset) to a source line; 0 means "no line", and a negative line -N means
    // "line N, but only when no statement of the method is executing deeper in the stack" (the
    // declaration line for a state machine's kickoff: it starts the body, whose own lines say more).
    private readonly Func<StackFrame, int> _lineOf;
    private readonly Dictionary<StackFrame, int> _lineCache = [];
    private readonly HeapTracker _heap = new();

    // Per selected method, for the sample being charged: whether any of its frames is on the stack, and
    // the distinct lines those frames are executing.
    private readonly bool[] _onStack;
    private readonly List<int>[] _linesOnStack;

    public LineAttributor(AllocationEventKind eventKind, int[] selectedIndexByMethodId, int selectedCount, Func<StackFrame, int> lineOf)
    {
        _eventKind = eventKind;
        _selectedIndexByMethodId = selectedIndexByMethodId;
        _lineOf = lineOf;
        Tallies = new MethodLineTallies[selectedCount];
        _onStack = new bool[selectedCount];
        _linesOnStack = new List<int>[selectedCount];
        for (int i = 0; i < selectedCount; i++)
        {
            Tallies[i] = new MethodLineTallies();
            _linesOnStack[i] = [];
        }
    }

    public MethodLineTallies[] Tallies { get; }

    public void OnHeapSizeAfterGC(double timeMSec, long heapBytes) => _heap.OnGCEnd(heapBytes);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames)
    {
        _heap.OnAllocated(_eventKind == AllocationEventKind.AllocationTick
            ? allocation.TickAmount
            : _eventKind == AllocationEventKind.Exact ? allocation.ObjectSize : AllocationEstimator.SampleWeight(allocation.ObjectSize));
        long? heapNow = _heap.CurrentBytes;

        bool anySelected = false;
        foreach (StackFrame frame in frames)
        {
            if ((uint)frame.MethodId >= (uint)_selectedIndexByMethodId.Length)
            {
                continue;
            }

            int selected = _selectedIndexByMethodId[frame.MethodId];
            if (selected < 0)
            {
                continue;
            }

            anySelected = true;
            _onStack[selected] = true;
            int line = LineOf(frame);
            if (line < 0 && _linesOnStack[selected].Count == 0)
            {
                line = -line; // frames are innermost first: nothing deeper of this method has a line
            }

            if (line > 0 && !_linesOnStack[selected].Contains(line))
            {
                _linesOnStack[selected].Add(line);
            }
        }

        if (!anySelected)
        {
            return;
        }

        for (int selected = 0; selected < Tallies.Length; selected++)
        {
            if (_onStack[selected])
            {
                Charge(Tallies[selected], _linesOnStack[selected], allocation, heapNow);
                _onStack[selected] = false;
                _linesOnStack[selected].Clear();
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int LineOf(StackFrame frame)
    {
        if (frame.ILOffset < 0)
        {
            return 0;
        }

        if (!_lineCache.TryGetValue(frame, out int line))
        {
            line = _lineOf(frame);
            _lineCache[frame] = line;
        }

        return line;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Charge(MethodLineTallies tallies, List<int> lines, in AllocationRecord allocation, long? heapNow)
    {
        Add(tallies.Total, allocation);
        if (lines.Count == 0)
        {
            tallies.UnattributedSamples++;
            return;
        }

        if (lines.Count > 1)
        {
            tallies.SamplesOnSeveralLines++;
        }

        foreach (int line in lines)
        {
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
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
