using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DotnetMemLine.Decoding;
using DotnetMemLine.Estimation;

namespace DotnetMemLine.Attribution;

/// <summary>
/// One distinct frame of the selected code: which compiled body, where in it, and what it was calling
/// (the method of the frame inside it, or for the innermost frame the allocation of a type).
/// </summary>
/// <param name="CalleeMethodId">The method of the next managed frame inside this one; -1 for the innermost frame.</param>
/// <param name="TypeId">For the innermost frame, the allocated type (<see cref="AllocationRecord.TypeId"/>); -1 otherwise.</param>
/// <param name="CodeId">The compiled body the frame is in (an index into <see cref="IAllocationTrace.Code"/>).</param>
/// <param name="ReturnOffset">The frame's return address as an offset into that body.</param>
internal readonly record struct FrameKey(int CodeId, int ReturnOffset, int CalleeMethodId, int TypeId)
{
    /// <summary>
    /// A frame of another module's code (a LINQ or <c>Lazy</c> method) into which the JIT inlined a lambda of
    /// selected method <paramref name="selected"/>: a key of its own, resolved to the lambda's line.
    /// </summary>
    public static FrameKey Foreign(int codeId, int returnOffset, int typeId, int selected) => new(codeId, returnOffset, -2 - selected, typeId);

    /// <summary>The key of <paramref name="frame"/>: what it was calling, the frame <paramref name="inner"/> inside it, or for the innermost frame (null) the allocation of <paramref name="typeId"/>.</summary>
    public static FrameKey Of(StackFrame frame, StackFrame? inner, int typeId) => inner is { } callee
        ? new FrameKey(frame.CodeId, frame.ReturnOffset, callee.MethodId, -1)
        : new FrameKey(frame.CodeId, frame.ReturnOffset, -1, typeId);

    /// <summary>For a <see cref="Foreign"/> key, the selected method's index; -1 otherwise.</summary>
    public int ForeignSelected => CalleeMethodId <= -2 ? -2 - CalleeMethodId : -1;

    /// <summary>A <see cref="Foreign"/> key of a frame that was calling a method (not the allocator) keeps that method here.</summary>
    public static int CalleeAsTypeId(int calleeMethodId) => -2 - calleeMethodId;

    /// <summary>For a <see cref="Foreign"/> key made with <see cref="CalleeAsTypeId"/>, the method the frame was calling; -1 otherwise.</summary>
    public int ForeignCallee => TypeId <= -2 ? -2 - TypeId : -1;
}

/// <summary>The line a frame is charged to.</summary>
/// <param name="Line">
/// The source line; 0 for none; a negative line -N for "line N, but only when no statement of the method
/// is executing deeper in the stack" (compiler plumbing that borrows a line, and the declaration line for
/// a state machine's kickoff, which starts the body whose own lines say more).
/// </param>
/// <param name="SharedWith">Other lines the frame may belong to just as well (see <see cref="CallSiteResolution.Alternatives"/>).</param>
/// <param name="DefersToDeeper">
/// The frame is calling the method's own code (an iterator's finally block, compiled to a method of
/// the state machine): when a deeper frame of the method has a line, this frame's line is not charged.
/// </param>
/// <param name="InlinedLine">
/// The line inside code of the method the JIT inlined at the frame's call (a local function, a lambda),
/// which a frame of its own would have stood for; 0 for none.
/// </param>
/// <param name="InlinedElsewhere">
/// The line of another selected method whose code the JIT inlined at the frame's call (an iterator's <c>MoveNext</c>
/// inlined into the <c>foreach</c> that runs it), which a frame of its own would have stood for, deeper than this one;
/// (0, 0) for none.
/// </param>
internal readonly record struct FrameLine(int Line, ImmutableArray<int> SharedWith, bool DefersToDeeper = false, int InlinedLine = 0, (int Selected, int Line) InlinedElsewhere = default)
{
    public static FrameLine None { get; } = new(0, []);

    /// <summary>Other lines <see cref="InlinedLine"/> may be just as well (handlers of one event that each could have made the call).</summary>
    public ImmutableArray<int> InlinedSharedWith { get; init; } = [];

    /// <summary>Whether <see cref="InlinedElsewhere"/> names a method.</summary>
    public bool IsInlinedElsewhere => InlinedElsewhere.Line > 0;
}

/// <summary>
/// Charges each allocation to every line of each selected method that was executing when it happened:
/// a line's figure includes the callees it calls, a lambda's line and the line that ran it both count
/// it, and each allocation is counted once per line and once in the method's total however many frames
/// of the method (recursion) are on the stack.
/// </summary>
/// <remarks>
/// Which line a frame stands for is decided from the whole trace (a frame in optimized code is placed
/// by what it was calling and by the other frames seen in the same native range, see
/// <see cref="CallSiteResolver"/>), so the events are first gathered by their distinct selected frames,
/// streaming and with memory bounded by the number of distinct stacks, and charged to lines at the end.
/// </remarks>
internal sealed class LineAttributor : IAllocationVisitor
{
    private readonly AllocationEventKind _eventKind;

    // For each trace method id: which selected method its code belongs to (-1: none).
    private readonly int[] _selectedIndexByMethodId;

    // For each trace method id: whether it runs the continuations of a task that just completed.
    private readonly bool[] _runsContinuations;
    private readonly bool[] _boxesThroughHelper;
    private readonly int _selectedCount;

    // The GC heap at each GC that began while selected code ran, and the stacks it began under. The runtime gives GC
    // events no stack: an allocation triggers a GC on its own thread, whose last allocation is the nearest sign of what
    // it was running; any other GC (GC.Collect, a diagnostics session's as with --gc-every) began under what every
    // thread that allocated just before was running.
    private const double RecentAllocationMSec = 50;
    private readonly Dictionary<int, (int Stack, double TimeMSec)> _lastStackOnThread = [];
    private readonly Dictionary<int, (int[] Stacks, long Before, long After)> _gcsInSelected = [];

    // The distinct frames of selected code seen so far, by id, and for the innermost ones the sizes of
    // the single objects they allocated (a constant-length array always has the same size).
    private readonly Dictionary<FrameKey, int> _frameIds = [];
    private readonly List<FrameKey> _frames = [];
    private readonly List<(long Min, long Max)> _objectSizes = [];
    private readonly List<int[]?> _typesBeneath = []; // per frame: the first few types allocated under it (a caller frame)
    private readonly HashSet<int>[] _threadsOfSelected;
    private readonly (double First, double Last)[] _timesOfSelected;
    private readonly int[] _examinedGCsAtFirst;

    // Each object of the selected code followed through the GCs, by the distinct stack that allocated it.
    private readonly ObjectLifetimes? _lifetimes;

    // Allocations charged to no selected method, by thread and time bucket: what ran elsewhere while a method ran.
    private const double ElsewhereBucketMSec = 100;
    private readonly Dictionary<(int Thread, int Bucket), SampleTally> _elsewhere = [];
    private (int Thread, int Bucket) _lastElsewhereKey = (-1, -1);
    private SampleTally? _lastElsewhere;

    // Precedes, in a stack's pairs, the frames of code that handed the work to another thread; its second half is that thread.
    private const int HandOffMarker = -1;
    private readonly int[]?[]? _foreignCodeInlining; // by code id: an array lookup, as every frame of every event is looked up
    private readonly int[]?[]? _lambdaTailCallees; // by method id
    private readonly Func<int, bool>? _mayInvokeDelegates;
    private readonly bool[]? _libraryCode; // by method id: code of modules no selected method is in
    private readonly List<(int Selected, int FrameId, int Position)> _foreignPairs = [];

    // The distinct stacks: (selected index, frame id) pairs, innermost first, with what they allocated.
    private readonly SequenceTable _stacks = new();
    private readonly List<StackTally> _stackTallies = [];
    private int[] _scratch = new int[64];

    /// <param name="runsContinuations">
    /// Per trace method id, true for the runtime methods that run a completed task's continuations (see
    /// <see cref="ContinuationRunners"/>); null for none.
    /// </param>
    /// <param name="foreignCodeInlining">
    /// Per code id of another module's code, the selected methods whose lambdas the JIT inlined into it
    /// (per its inlining events): an object such code allocates itself may be the lambda's.
    /// </param>
    /// <param name="boxesThroughHelper">
    /// Per trace method id, true for the runtime's CastHelpers.Box (unoptimized code boxes a struct through it;
    /// in exact mode the runtime logs only some of its objects); null for none.
    /// </param>
    /// <param name="eventKind">What the trace's allocation events are (sampled, AllocationTick, exact).</param>
    /// <param name="selectedCount">How many methods were selected.</param>
    /// <param name="selectedIndexByMethodId">Per trace method id, the selected method its code belongs to, or -1.</param>
    /// <param name="followLifetimes">Follow each object of the selected code until it dies (<see cref="TraceSummary.FollowsLifetimes"/>).</param>
    /// <param name="lambdaTailCallees">
    /// Per trace method id of another module's method, the selected methods whose lambdas or local functions call it and
    /// whose own body does not: a frame of other code calling it may be running such a lambda, which jumped to it.
    /// </param>
    /// <param name="libraryCode">
    /// Per trace method id, whether it is code of a module no selected method is in: only such frames may be running a
    /// lambda that jumped to their callee (null: any frame may).
    /// </param>
    /// <param name="mayInvokeDelegates">
    /// Per trace method id of library code, whether its IL may invoke a delegate (asked when a frame of it calls a lambda's
    /// tail callee; the caller keeps the answers): one that cannot ran no lambda (null: any may).
    /// </param>
    public LineAttributor(AllocationEventKind eventKind, int[] selectedIndexByMethodId, int selectedCount, bool[]? runsContinuations = null,
        IReadOnlyDictionary<int, int[]>? foreignCodeInlining = null, bool[]? boxesThroughHelper = null, bool followLifetimes = false,
        IReadOnlyDictionary<int, int[]>? lambdaTailCallees = null, bool[]? libraryCode = null, Func<int, bool>? mayInvokeDelegates = null)
    {
        _libraryCode = libraryCode;
        _mayInvokeDelegates = mayInvokeDelegates;
        if (lambdaTailCallees is { Count: > 0 })
        {
            _lambdaTailCallees = new int[]?[lambdaTailCallees.Keys.Max() + 1];
            foreach ((int methodId, int[] selected) in lambdaTailCallees)
            {
                _lambdaTailCallees[methodId] = selected;
            }
        }

        _lifetimes = followLifetimes ? new ObjectLifetimes() : null;
        if (foreignCodeInlining is { Count: > 0 })
        {
            _foreignCodeInlining = new int[]?[foreignCodeInlining.Keys.Max() + 1];
            foreach ((int codeId, int[] inliningSelected) in foreignCodeInlining)
            {
                _foreignCodeInlining[codeId] = inliningSelected;
            }
        }
        _eventKind = eventKind;
        _selectedIndexByMethodId = selectedIndexByMethodId;
        _selectedCount = selectedCount;
        _runsContinuations = runsContinuations ?? new bool[selectedIndexByMethodId.Length];
        _boxesThroughHelper = boxesThroughHelper ?? new bool[selectedIndexByMethodId.Length];
        _threadsOfSelected = [.. Enumerable.Range(0, selectedCount).Select(_ => new HashSet<int>())];
        _timesOfSelected = [.. Enumerable.Range(0, selectedCount).Select(_ => (double.MaxValue, double.MinValue))];
        _examinedGCsAtFirst = new int[selectedCount];
    }

    /// <inheritdoc/>
    public bool FollowsObjects => _lifetimes is not null;

    /// <summary>Keep each object alive at the end with its address (<see cref="MethodLineTallies.LiveObjectsByLine"/>), for <c>--retention</c>.</summary>
    public bool KeepLiveObjects { get; init; }

    /// <summary>The distinct frames of the selected code, indexed by the ids <see cref="Charge(IReadOnlyList{FrameLine})"/> expects lines for.</summary>
    public IReadOnlyList<FrameKey> Frames => _frames;

    /// <summary>The id in <see cref="Frames"/> of a frame key the pass saw; false for one it did not.</summary>
    public bool TryGetFrameId(FrameKey key, out int id) => _frameIds.TryGetValue(key, out id);

    /// <summary>
    /// Per frame of <see cref="Frames"/>, the smallest and largest single object it allocated itself (as the
    /// innermost frame); (long.MaxValue, -1) when none.
    /// </summary>
    public IReadOnlyList<(long Min, long Max)> ObjectSizes => _objectSizes;

    /// <summary>
    /// Per frame of <see cref="Frames"/> that called a method, the types (ids) allocated beneath it, up to
    /// <see cref="TypesBeneathKept"/>; null for a frame only seen allocating itself.
    /// </summary>
    public IReadOnlyList<int[]?> TypesBeneath => _typesBeneath;

    /// <summary>How many distinct types allocated beneath a frame <see cref="TypesBeneath"/> keeps: a few tell a call's type arguments apart.</summary>
    public const int TypesBeneathKept = 16;

    /// <summary>Per selected method, the times of its first and last allocation (ms); First &gt; Last when it had none.</summary>
    public IReadOnlyList<(double First, double Last)> TimesOfSelected => _timesOfSelected;

    /// <summary>Every allocation of the trace, selected code or not.</summary>
    public SampleTally Everything { get; } = new();

    /// <summary>The allocations made while some selected code was on the stack.</summary>
    public SampleTally InSelectedCode { get; } = new();

    public void OnGCHeapSizes(double timeMSec, int count, long heapBytesBefore, long heapBytesAfter)
    {
        if (_gcsInSelected.TryGetValue(count, out var gc))
        {
            _gcsInSelected[count] = (gc.Stacks, heapBytesBefore, heapBytesAfter);
        }
    }

    public void OnGCStart(double timeMSec, int count, int condemnedGeneration, GCType kind, int threadId, bool byAllocation)
    {
        _lifetimes?.OnGCStart(count, condemnedGeneration, kind);
        // An allocation's GC: its thread's last allocation, if recent. Otherwise (an induced GC, or a server GC thread
        // that began it for the allocating thread): what every thread that allocated just before was running.
        int[] stacks = byAllocation && _lastStackOnThread.TryGetValue(threadId, out var own) && timeMSec - own.TimeMSec <= RecentAllocationMSec
            ? own.Stack >= 0 ? [own.Stack] : []
            : [.. _lastStackOnThread.Values.Where(l => l.Stack >= 0 && timeMSec - l.TimeMSec <= RecentAllocationMSec).Select(l => l.Stack).Distinct()];
        if (stacks.Length > 0)
        {
            _gcsInSelected[count] = (stacks, -1, -1);
        }
    }

    public void OnGenerationRange(int generation, ulong start, ulong length) => _lifetimes?.OnGenerationRange(generation, start, length);

    public void OnSurvivingRange(ulong start, ulong length) => _lifetimes?.OnSurvivingRange(start, length);

    public void OnMovedRange(ulong oldStart, ulong newStart, ulong length) => _lifetimes?.OnMovedRange(oldStart, newStart, length);

    public void OnRanges(GCRanges ranges) => _lifetimes?.OnRanges(ranges);

    public void OnGCEnd(double timeMSec, int count, int condemnedGeneration) => _lifetimes?.OnGCEnd(timeMSec, count);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames)
    {
        int used = SelectedFrames(allocation, frames);
        used = WithForeignFrames(used);
        Add(Everything, allocation);
        if (used > 0)
        {
            Add(InSelectedCode, allocation);
            CollectionsMarshal.GetValueRefOrAddDefault(_lastStackOnThread, allocation.ThreadId, out _) = (Tally(allocation, frames, used), allocation.TimeMSec);
        }
        else
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_lastStackOnThread, allocation.ThreadId, out _) = (-1, allocation.TimeMSec);
            TallyElsewhere(allocation);
        }
    }

    private void TallyElsewhere(in AllocationRecord allocation)
    {
        // Consecutive events mostly share a thread and bucket: one dictionary lookup per bucket, not per event.
        var key = (allocation.ThreadId, (int)(allocation.TimeMSec / ElsewhereBucketMSec));
        if (_lastElsewhere is null || key != _lastElsewhereKey)
        {
            _lastElsewhere = GetOrAdd(_elsewhere, key);
            _lastElsewhereKey = key;
        }

        Add(_lastElsewhere, allocation);
    }

    /// <summary>
    /// Puts (selected method, frame id) pairs in <see cref="_scratch"/> for the frames of selected code, innermost
    /// first, up to a frame that runs continuations; notes frames of other modules' code that inlined a lambda of a
    /// selected method in <see cref="_foreignPairs"/>. Returns the scratch length used.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int SelectedFrames(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames)
    {
        int used = 0;
        bool handOffMarked = false;
        for (int i = 0; i < frames.Length; i++)
        {
            StackFrame frame = frames[i];
            if (StandsFor(frame.CodeId, frame.MethodId, i > 0 ? frames[i - 1].MethodId : -1) is { } standsFor)
            {
                // Other modules' code that inlined a lambda of a selected method, or that a selected method's lambda
                // jumped to (a tail call) leaving no frame of its own: it stands for those methods too.
                int frameSelected = (uint)frame.MethodId < (uint)_selectedIndexByMethodId.Length ? _selectedIndexByMethodId[frame.MethodId] : -1;
                foreach (int selectedHere in standsFor)
                {
                    if (selectedHere != frameSelected)
                    {
                        var foreign = FrameKey.Foreign(frame.CodeId, frame.ReturnOffset, i == 0 ? allocation.TypeId : FrameKey.CalleeAsTypeId(frames[i - 1].MethodId), selectedHere);
                        _foreignPairs.Add((selectedHere, FrameIdOf(foreign, allocation, innermost: i == 0), used));
                    }
                }
            }

            if ((uint)frame.MethodId >= (uint)_selectedIndexByMethodId.Length)
            {
                continue;
            }

            if (_runsContinuations[frame.MethodId])
            {
                // Code that completes a task runs the continuations of whoever awaited it, synchronously, on its
                // stack: an async method's closing brace would otherwise carry the rest of its caller's work.
                // What runs inside a continuation is not the cost of the frames below it.
                break;
            }

            int selected = _selectedIndexByMethodId[frame.MethodId];
            if (selected < 0)
            {
                continue;
            }

            _threadsOfSelected[selected].Add(allocation.ThreadId);
            (double first, double last) = _timesOfSelected[selected];
            if (allocation.TimeMSec < first || allocation.TimeMSec > last)
            {
                if (first == double.MaxValue)
                {
                    _examinedGCsAtFirst[selected] = _lifetimes?.ExaminedGCs ?? 0;
                }

                _timesOfSelected[selected] = (Math.Min(first, allocation.TimeMSec), Math.Max(last, allocation.TimeMSec));
            }

            if (i >= allocation.HandedOffFrom && !handOffMarked)
            {
                used = AppendPair(used, HandOffMarker, allocation.ThreadId);
                handOffMarked = true;
            }

            var key = FrameKey.Of(frame, i == 0 ? null : frames[i - 1], allocation.TypeId);
            used = AppendPair(used, selected, FrameIdOf(key, allocation, innermost: i == 0));
        }

        return used;
    }

    /// <summary>Whether a frame of library code may have run a lambda: its IL may invoke a delegate (see the constructor).</summary>
    private bool MayInvokeDelegates(int methodId) => _mayInvokeDelegates?.Invoke(methodId) ?? true;

    private bool IsLibraryCode(int methodId) => _libraryCode is null || ((uint)methodId < (uint)_libraryCode.Length && _libraryCode[methodId]);

    /// <summary>
    /// The selected methods a frame of other modules' code (code <paramref name="codeId"/> of method
    /// <paramref name="methodId"/>, calling <paramref name="innerMethodId"/>, -1 at the innermost frame) stands for: those
    /// whose lambdas the JIT inlined into its code, and, when it is library code that may invoke a delegate, those whose
    /// lambdas tail-called the method it calls. Null when none. The attributor and the pprof stacks
    /// (<see cref="StackRecorder"/>) both take the frame's lines in those methods from here.
    /// </summary>
    internal int[]? StandsFor(int codeId, int methodId, int innerMethodId)
    {
        int[]? inlining = _foreignCodeInlining is not null && (uint)codeId < (uint)_foreignCodeInlining.Length ? _foreignCodeInlining[codeId] : null;
        int[]? tailCalling = _lambdaTailCallees is not null && (uint)innerMethodId < (uint)_lambdaTailCallees.Length
            && _lambdaTailCallees[innerMethodId] is { } callers && IsLibraryCode(methodId) && MayInvokeDelegates(methodId)
            ? callers : null;
        return inlining is null ? tailCalling : tailCalling is null ? inlining : [.. inlining.Union(tailCalling)];
    }

    /// <summary>
    /// A foreign frame counts only under a frame of the method itself: shared generic code (a LINQ method
    /// compiled once for reference types) may have inlined the lambda while running another caller's.
    /// It takes its place in the stack, innermost first: the lambda ran deeper than the frames that called it.
    /// </summary>
    private int WithForeignFrames(int used)
    {
        for (int f = _foreignPairs.Count - 1; f >= 0; f--)
        {
            (int inlining, int foreignId, int position) = _foreignPairs[f];
            bool methodOnStack = false;
            for (int p = 0; p < used; p += 2)
            {
                methodOnStack |= _scratch[p] == inlining && _frames[_scratch[p + 1]].ForeignSelected < 0;
            }

            if (methodOnStack)
            {
                // Later (outer) foreign frames are inserted first, so each position still holds.
                used = AppendPair(used, 0, 0);
                Array.Copy(_scratch, position, _scratch, position + 2, used - 2 - position);
                _scratch[position] = inlining;
                _scratch[position + 1] = foreignId;
            }
        }

        _foreignPairs.Clear();
        return used;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int AppendPair(int used, int selected, int frameId)
    {
        if (used + 2 > _scratch.Length)
        {
            Array.Resize(ref _scratch, _scratch.Length * 2);
        }

        _scratch[used] = selected;
        _scratch[used + 1] = frameId;
        return used + 2;
    }

    /// <summary>Adds the event to the tally of its stack of selected frames (the first <paramref name="used"/> scratch entries); returns the stack.</summary>
    private int Tally(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames, int used)
    {
        int stack = _stacks.Intern(_scratch.AsSpan(0, used));
        if (stack == _stackTallies.Count)
        {
            _stackTallies.Add(new StackTally());
        }

        StackTally tally = _stackTallies[stack];
        Add(tally.Samples, allocation);
        Add(tally.OfType(allocation.TypeId), allocation);
        _lifetimes?.Track(allocation.Address, allocation.Heap, stack, allocation.ObjectSize, allocation.SampledByteOffset, allocation.ObjectCount, allocation.TypeId);
        if (_eventKind == AllocationEventKind.Exact && (uint)frames[0].MethodId < (uint)_boxesThroughHelper.Length && _boxesThroughHelper[frames[0].MethodId])
        {
            tally.BoxedThroughHelper = true;
        }

        return stack;
    }

    /// <summary>The id of a distinct frame, new or seen; for the innermost frame, the object sizes it allocated are kept.</summary>
    private int FrameIdOf(FrameKey key, in AllocationRecord allocation, bool innermost)
    {
        if (!_frameIds.TryGetValue(key, out int id))
        {
            id = _frames.Count;
            _frames.Add(key);
            _objectSizes.Add((long.MaxValue, -1));
            _typesBeneath.Add(null);
            _frameIds[key] = id;
        }

        if (!innermost && allocation.TypeId >= 0)
        {
            NoteTypeBeneath(id, allocation.TypeId);
        }

        if (innermost && allocation.ObjectCount == 1 && allocation.ObjectSize > 0)
        {
            (long min, long max) = _objectSizes[id];
            if (allocation.ObjectSize < min || allocation.ObjectSize > max)
            {
                _objectSizes[id] = (Math.Min(min, allocation.ObjectSize), Math.Max(max, allocation.ObjectSize));
            }
        }

        return id;
    }

    private void NoteTypeBeneath(int frameId, int typeId)
    {
        int[]? types = _typesBeneath[frameId];
        if (types is null)
        {
            _typesBeneath[frameId] = [typeId];
            return;
        }

        if (types.Length < TypesBeneathKept && Array.IndexOf(types, typeId) < 0)
        {
            _typesBeneath[frameId] = [.. types, typeId];
        }
    }

    /// <summary>
    /// Charges every stack seen to the lines its selected frames stand for, <paramref name="lineOfFrame"/>
    /// giving the line of each of <see cref="Frames"/>; returns one tally per selected method.
    /// </summary>
    public MethodLineTallies[] Charge(IReadOnlyList<FrameLine> lineOfFrame)
    {
        var tallies = new MethodLineTallies[_selectedCount];
        for (int i = 0; i < tallies.Length; i++)
        {
            tallies[i] = new MethodLineTallies { ThreadCount = _threadsOfSelected[i].Count };
            ChargeElsewhere(tallies[i], i);
        }

        var gcsByStack = _gcsInSelected
            .Where(gc => gc.Value.Before >= 0 || gc.Value.After >= 0)
            .SelectMany(gc => gc.Value.Stacks.Select(stack => (Stack: stack, GC: (Count: gc.Key, gc.Value.Before, gc.Value.After))))
            .ToLookup(gc => gc.Stack, gc => gc.GC);
        var lines = new List<int>();
        var shared = new List<(int Line, ImmutableArray<int> With)>();
        var selectedOnStack = new List<int>();
        // Per selected method, the lines of each stack it is on (for the lifetimes), made when first needed: the
        // whole-program view selects every method of the user's code.
        var linesOfStack = new int[]?[]?[_selectedCount];
        List<FrameLine> frameLines = [.. lineOfFrame];
        var inlinedFrameIds = new Dictionary<(int Selected, int Line), int>();
        for (int stack = 0; stack < _stackTallies.Count; stack++)
        {
            ReadOnlySpan<int> pairs = WithInlinedMethods(_stacks[stack], frameLines, inlinedFrameIds);
            StackTally tally = _stackTallies[stack];
            selectedOnStack.Clear();
            int innermost = -1;
            for (int p = 0; p < pairs.Length; p += 2)
            {
                if (pairs[p] != HandOffMarker && !selectedOnStack.Contains(pairs[p]))
                {
                    innermost = innermost < 0 ? pairs[p] : innermost;
                    selectedOnStack.Add(pairs[p]);
                }
            }

            foreach (int selected in selectedOnStack)
            {
                bool onStack = false;
                int handOffThread = -1;
                bool handedOff = false;
                lines.Clear();
                shared.Clear();
                for (int p = 0; p < pairs.Length; p += 2)
                {
                    if (pairs[p] == HandOffMarker)
                    {
                        handOffThread = pairs[p + 1];
                        continue;
                    }

                    if (pairs[p] != selected)
                    {
                        continue;
                    }

                    onStack = true;
                    handedOff |= handOffThread >= 0; // a frame of the method queued the work this thread runs: all of it was handed off
                    FrameLine frameLine = frameLines[pairs[p + 1]];
                    if (frameLine.InlinedLine > 0 && !lines.Contains(frameLine.InlinedLine))
                    {
                        lines.Add(frameLine.InlinedLine);
                        if (!frameLine.InlinedSharedWith.IsDefaultOrEmpty)
                        {
                            shared.Add((frameLine.InlinedLine, frameLine.InlinedSharedWith));
                        }
                    }

                    if (frameLine.DefersToDeeper && lines.Count > 0)
                    {
                        continue;
                    }

                    int line = frameLine.Line;
                    if (line < 0 && lines.Count == 0)
                    {
                        line = -line; // frames are innermost first: nothing deeper of this method has a line
                    }

                    if (line > 0 && !lines.Contains(line))
                    {
                        lines.Add(line);

                        if (!frameLine.SharedWith.IsDefaultOrEmpty)
                        {
                            shared.Add((line, frameLine.SharedWith));
                        }
                    }
                }

                if (onStack)
                {
                    Charge(tallies[selected], lines, shared, tally);
                    if (selected == innermost)
                    {
                        ChargeSelf(tallies[selected], lines, tally);
                    }

                    ChargeGCs(tallies[selected], lines, gcsByStack[stack]);
                    if (_lifetimes is not null)
                    {
                        (linesOfStack[selected] ??= new int[]?[_stackTallies.Count])[stack] = [.. lines];
                    }

                    if (handedOff)
                    {
                        ChargeHandedOff(tallies[selected], lines, handOffThread, tally);
                    }
                }
            }
        }

        if (_lifetimes is not null)
        {
            for (int selected = 0; selected < _selectedCount; selected++)
            {
                ChargeLifetimes(tallies[selected], linesOfStack[selected], selected);
            }
        }

        return tallies;
    }

    /// <summary>
    /// The stack's (selected method, frame id) pairs with, before each frame whose call ran code of another selected
    /// method the JIT inlined (<see cref="FrameLine.InlinedElsewhere"/>), a frame of that method on that line: the frame
    /// the inlining took away. Its id indexes <paramref name="frameLines"/>, which grows with one line per such frame.
    /// </summary>
    private static ReadOnlySpan<int> WithInlinedMethods(ReadOnlySpan<int> pairs, List<FrameLine> frameLines, Dictionary<(int Selected, int Line), int> inlinedFrameIds)
    {
        int inlined = 0;
        for (int p = 0; p < pairs.Length; p += 2)
        {
            inlined += pairs[p] != HandOffMarker && frameLines[pairs[p + 1]].IsInlinedElsewhere ? 1 : 0;
        }

        if (inlined == 0)
        {
            return pairs;
        }

        var expanded = new int[pairs.Length + 2 * inlined];
        int used = 0;
        for (int p = 0; p < pairs.Length; p += 2)
        {
            if (pairs[p] != HandOffMarker && frameLines[pairs[p + 1]].InlinedElsewhere is { Line: > 0 } elsewhere)
            {
                if (!inlinedFrameIds.TryGetValue(elsewhere, out int id))
                {
                    id = frameLines.Count;
                    frameLines.Add(new FrameLine(elsewhere.Line, []));
                    inlinedFrameIds[elsewhere] = id;
                }

                expanded[used++] = elsewhere.Selected;
                expanded[used++] = id;
            }

            expanded[used++] = pairs[p];
            expanded[used++] = pairs[p + 1];
        }

        return expanded;
    }

    /// <summary>The GCs that began while the stack's code ran: the method and its lines then running saw the heap at that size.</summary>
    private static void ChargeGCs(MethodLineTallies tallies, List<int> lines, IEnumerable<(int Count, long Before, long After)> gcs)
    {
        foreach ((int count, long before, long after) in gcs)
        {
            tallies.HeapAtGCs.Add(count, before, after);
            long peak = before >= 0 ? before : after;
            foreach (int line in lines)
            {
                if (peak > tallies.PeakHeapByLine.GetValueOrDefault(line, -1))
                {
                    tallies.PeakHeapByLine[line] = peak;
                }
            }
        }
    }

    /// <summary>
    /// Live at end: the objects still followed that survived the GCs that collected them. Peak live, per line and for
    /// the method: the GC at which most of its objects were seen alive, and those objects.
    /// </summary>
    /// <param name="tallies">The method's tallies, to complete.</param>
    /// <param name="linesOfStack">Per stack, the method's lines on it; null when the method is on none.</param>
    /// <param name="selected">The method's index.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once, over a span per sampled object that survived a GC
    private void ChargeLifetimes(MethodLineTallies tallies, int[]?[]? linesOfStack, int selected)
    {
        tallies.FollowsLifetimes = true;
        tallies.NoGCAfterFirstAllocation = _lifetimes!.ExaminedGCs == _examinedGCsAtFirst[selected] && _timesOfSelected[selected].First <= _timesOfSelected[selected].Last;
        tallies.FullGCAfterLastAllocation = _lifetimes!.LastFullGCMSec is double fullGC && fullGC >= _timesOfSelected[selected].Last;
        if (linesOfStack is null)
        {
            return;
        }

        // The spans of the method's objects: those the GCs ended, by index into the lifetimes' list (no copy: a long
        // trace has a span per sampled object), then those alive at the end that survived a GC.
        SpanLog ended = _lifetimes.Spans;
        var survivors = new List<LiveSpan>();
        foreach ((LiveSpan remaining, ulong address, int typeId) in _lifetimes.RemainingObjects())
        {
            if (linesOfStack[remaining.Owner] is not { } lines)
            {
                continue;
            }

            // Allocated after the last GC: no GC has seen it, so it is not in Live at end; a heap walk may still find it.
            bool survivedAGC = remaining.ToGC >= remaining.FromGC;
            if (survivedAGC)
            {
                survivors.Add(remaining);
                Add(tallies.LiveAtEnd, remaining);
            }

            foreach (int line in lines)
            {
                if (survivedAGC)
                {
                    Add(GetOrAdd(tallies.LiveAtEndByLine, line), remaining);
                }

                if (KeepLiveObjects)
                {
                    if (!tallies.LiveObjectsByLine.TryGetValue(line, out var objects))
                    {
                        objects = [];
                        tallies.LiveObjectsByLine[line] = objects;
                    }

                    objects.Add((address, typeId, remaining));
                }
            }
        }

        ChargePeaks(tallies, linesOfStack, ended, survivors);
    }

    /// <summary>
    /// Peak live, for the method and per line: the GC at which the weight of the spans alive (a span is alive at the GCs
    /// from its FromGC to its ToGC) was largest, the earliest of equals, and the tally of those spans. One sweep over the
    /// GCs where spans begin, in order, with the spans alive in a heap by the GC after their last and a running sum per
    /// line, then one pass to tally the spans alive at each peak: memory in the lines, eight bytes per span and the spans
    /// alive at once, not in the GCs times the lines.
    /// </summary>
    /// <param name="tallies">The method's tallies, to complete.</param>
    /// <param name="linesOfStack">Per stack, the method's lines on it; the spans of stacks without are not the method's.</param>
    /// <param name="ended">The spans the GCs ended, of every method.</param>
    /// <param name="survivors">The method's spans of objects alive at the end that survived a GC.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once, over a span per sampled object that survived a GC
    private void ChargePeaks(MethodLineTallies tallies, int[]?[] linesOfStack, SpanLog ended, List<LiveSpan> survivors)
    {
        // The method's spans by where they begin: the GC in the high half, the span's index in the low half (ended's,
        // then the survivors' after them), so one sort of plain longs orders the sweep, equal GCs in the same order every run.
        int endedCount = ended.Count;
        LiveSpan SpanAt(int index) => index < endedCount ? ended[index] : survivors[index - endedCount];
        int count = survivors.Count;
        for (int i = 0; i < endedCount; i++)
        {
            count += linesOfStack[ended[i].Owner] is null ? 0 : 1;
        }

        // Slot 0 is the method as a whole; then one per line with spans, numbered as the spans come.
        var slotOfLine = new Dictionary<int, int>();
        int[][] slotsOfOwner = new int[linesOfStack.Length][];
        long[] byStart = new long[count];
        int filled = 0;
        for (int index = 0; index < endedCount + survivors.Count; index++)
        {
            LiveSpan span = SpanAt(index);
            if (linesOfStack[span.Owner] is not { } lines)
            {
                continue;
            }

            byStart[filled++] = ((long)span.FromGC << 32) | (uint)index;
            if (slotsOfOwner[span.Owner] is null)
            {
                foreach (int line in lines)
                {
                    slotOfLine.TryAdd(line, slotOfLine.Count + 1);
                }

                slotsOfOwner[span.Owner] = [0, .. lines.Select(line => slotOfLine[line])];
            }
        }

        Array.Sort(byStart);

        // Sums in fixed point (1/1024 byte): exact whatever the order the spans come in, so two decoders that list the
        // same spans in another order find the same peak among near-equal GCs.
        int slots = slotOfLine.Count + 1;
        long[] running = new long[slots];
        long[] best = new long[slots];
        int[] peakGC = new int[slots];
        Array.Fill(peakGC, -1);
        var alive = new PriorityQueue<(int Owner, long Weight), int>(); // by the GC after the span's last
        var rising = new List<int>();
        int next = 0;
        while (next < count)
        {
            // The next GC where the sums change: spans beginning there count, spans that ended just before it no longer do.
            int gc = (int)(byStart[next] >> 32);
            while (alive.TryPeek(out _, out int after) && after <= gc)
            {
                (int owner, long weight) = alive.Dequeue();
                foreach (int slot in slotsOfOwner[owner])
                {
                    running[slot] -= weight;
                }
            }

            rising.Clear();
            for (; next < count && (int)(byStart[next] >> 32) == gc; next++)
            {
                LiveSpan span = SpanAt((int)(uint)byStart[next]);
                long weight = FixedPointWeight(span);
                alive.Enqueue((span.Owner, weight), span.ToGC + 1);
                foreach (int slot in slotsOfOwner[span.Owner])
                {
                    running[slot] += weight;
                    rising.Add(slot);
                }
            }

            foreach (int slot in rising)
            {
                if (running[slot] > best[slot])
                {
                    best[slot] = running[slot];
                    peakGC[slot] = gc;
                }
            }
        }

        var peaks = new SampleTally[slots];
        for (int slot = 0; slot < peaks.Length; slot++)
        {
            peaks[slot] = new SampleTally();
        }

        foreach (long key in byStart)
        {
            LiveSpan span = SpanAt((int)(uint)key);
            foreach (int slot in slotsOfOwner[span.Owner])
            {
                if (span.FromGC <= peakGC[slot] && peakGC[slot] <= span.ToGC)
                {
                    Add(peaks[slot], span);
                }
            }
        }

        tallies.PeakLive = peaks[0];
        foreach ((int line, int slot) in slotOfLine)
        {
            tallies.PeakLiveByLine[line] = peaks[slot];
        }
    }

    private long FixedPointWeight(LiveSpan span) => (long)Math.Round(EventWeight.Of(_eventKind, span) * 1024);

    private void Add(SampleTally tally, LiveSpan span)
    {
        if (_eventKind == AllocationEventKind.Exact)
        {
            tally.AddExact(span.ObjectSize, span.ObjectCount);
        }
        else
        {
            tally.AddSampled(span.ObjectSize, span.SampledByteOffset);
        }
    }

    private static SampleTally GetOrAdd<TKey>(Dictionary<TKey, SampleTally> tallies, TKey key)
        where TKey : notnull
    {
        if (!tallies.TryGetValue(key, out SampleTally? tally))
        {
            tally = new SampleTally();
            tallies[key] = tally;
        }

        return tally;
    }

    /// <summary>The method handed the stack's work to thread <paramref name="thread"/>: that part of its lines' figures was made there.</summary>
    private static void ChargeHandedOff(MethodLineTallies tallies, List<int> lines, int thread, StackTally stack)
    {
        foreach (int line in lines)
        {
            if (!tallies.HandedOffByLine.TryGetValue(line, out var part))
            {
                part = (new SampleTally(), []);
                tallies.HandedOffByLine[line] = part;
            }

            part.Part.Add(stack.Samples);
            part.Threads.Add(thread);
        }
    }

    /// <summary>What threads the method never ran on allocated, uncharged, between its first and last allocation.</summary>
    private void ChargeElsewhere(MethodLineTallies tallies, int selected)
    {
        (double first, double last) = _timesOfSelected[selected];
        if (first > last)
        {
            return;
        }

        var threads = new HashSet<int>();
        int firstBucket = (int)(first / ElsewhereBucketMSec);
        int lastBucket = (int)(last / ElsewhereBucketMSec);
        foreach (((int thread, int bucket), SampleTally tally) in _elsewhere)
        {
            if (bucket >= firstBucket && bucket <= lastBucket && !_threadsOfSelected[selected].Contains(thread))
            {
                tallies.Elsewhere.Add(tally);
                threads.Add(thread);
            }
        }

        tallies.ElsewhereThreads = threads.Count;
    }

    private static void Charge(MethodLineTallies tallies, List<int> lines, List<(int Line, ImmutableArray<int> With)> shared, StackTally stack)
    {
        tallies.Total.Add(stack.Samples);
        if (lines.Count == 0)
        {
            tallies.UnattributedSamples += stack.Samples.Samples;
            return;
        }

        if (lines.Count > 1)
        {
            tallies.SamplesOnSeveralLines += stack.Samples.Samples;
        }

        if (stack.BoxedThroughHelper)
        {
            tallies.LinesBoxingThroughHelper.UnionWith(lines);
        }

        foreach (int line in lines)
        {
            GetOrAdd(tallies.ByLine, line).Add(stack.Samples);
            AddTypes(tallies.TypesByLine, line, stack);
        }

        foreach ((int line, ImmutableArray<int> with) in shared)
        {
            if (!tallies.SharedByLine.TryGetValue(line, out var part))
            {
                part = (new SampleTally(), new SortedSet<int>());
                tallies.SharedByLine[line] = part;
            }

            part.Part.Add(stack.Samples);
            part.Lines.UnionWith(with);
        }
    }

    /// <summary>The method was the innermost selected code on the stack: its innermost line made the allocation, itself or through code it called.</summary>
    private static void ChargeSelf(MethodLineTallies tallies, List<int> lines, StackTally stack)
    {
        tallies.Self.Add(stack.Samples);
        if (lines.Count > 0)
        {
            GetOrAdd(tallies.SelfByLine, lines[0]).Add(stack.Samples);
            AddTypes(tallies.SelfTypesByLine, lines[0], stack);
        }
    }

    private static void AddTypes(Dictionary<int, Dictionary<int, SampleTally>> typesByLine, int line, StackTally stack)
    {
        if (!typesByLine.TryGetValue(line, out var types))
        {
            types = [];
            typesByLine[line] = types;
        }

        foreach ((int type, SampleTally part) in stack.ByType)
        {
            GetOrAdd(types, type).Add(part);
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

    /// <summary>What one distinct stack allocated.</summary>
    private sealed class StackTally
    {
        private int _lastType = int.MinValue;
        private SampleTally? _lastOfType;

        public SampleTally Samples { get; } = new();

        /// <summary>What the stack allocated by type: a stack is mostly one type, so the last one is kept at hand.</summary>
        public Dictionary<int, SampleTally> ByType { get; } = [];

        public SampleTally OfType(int typeId)
        {
            if (typeId != _lastType || _lastOfType is null)
            {
                _lastOfType = GetOrAdd(ByType, typeId);
                _lastType = typeId;
            }

            return _lastOfType;
        }

        public bool BoxedThroughHelper { get; set; }
    }
}
