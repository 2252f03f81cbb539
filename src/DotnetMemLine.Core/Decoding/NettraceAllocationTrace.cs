using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using DotnetMemLine.Decoding.Nettrace;

namespace DotnetMemLine.Decoding;

/// <summary>
/// Reads a .nettrace with <see cref="NettraceReader"/>, streaming, in two passes over the file: the first
/// builds the <see cref="MethodCodeMap"/> (method loads, IL maps, inlinings, modules, and the rundown at
/// the end of the file that describes code compiled before the session) and counts the allocation
/// events; the second replays the allocation events with their stacks resolved through that map.
/// Memory holds the code map, the per-address resolution cache and one sequence point's worth of
/// stacks and unsorted events, none of which grows with the trace's length. No temporary file.
/// </summary>
/// <remarks>
/// Gives the same summary, methods and events as <c>TraceLogAllocationTrace</c> (eng/TraceLogDecoder): the reader
/// dispatches events in TraceEvent's order and counts dropped events as TraceEvent does, and event
/// times, thread ids and payload fields follow TraceEvent's parser classes.
/// </remarks>
public sealed class NettraceAllocationTrace : IAllocationTrace
{
    private static readonly ClrEventSet CodeMapEvents = ClrEventSet.Of(
        ClrEvent.MethodLoadVerbose, ClrEvent.MethodUnloadVerbose, ClrEvent.MethodILToNativeMap, ClrEvent.MethodInliningSucceeded,
        ClrEvent.ModuleLoad, ClrEvent.ModuleUnload,
        ClrEvent.RundownMethodDCStartVerbose, ClrEvent.RundownMethodDCStopVerbose, ClrEvent.RundownILToNativeMapDCStart,
        ClrEvent.RundownILToNativeMapDCStop, ClrEvent.RundownModuleDCStart, ClrEvent.RundownModuleDCStop, ClrEvent.BulkType);

    private static readonly ClrEventSet AllocationEvents = ClrEventSet.Of(ClrEvent.AllocationSampled, ClrEvent.AllocationTick, ClrEvent.GCSampledObjectAllocation);

    private static readonly ClrEventSet CausalityEvents = ClrEventSet.Of(
        ClrEvent.TplOperationBegin, ClrEvent.TplOperationEnd, ClrEvent.TplSynchronousWorkBegin, ClrEvent.TplSynchronousWorkEnd);

    private static readonly ClrEventSet SurvivalEvents = ClrEventSet.Of(ClrEvent.GCSurvivingRanges, ClrEvent.GCMovedRanges);

    private static readonly ClrEventSet ReplayEvents = ClrEventSet.Of(
        ClrEvent.AllocationSampled, ClrEvent.AllocationTick, ClrEvent.GCSampledObjectAllocation, ClrEvent.GCHeapStats, ClrEvent.GCPerHeapHistory, ClrEvent.GCCreateSegment,
        ClrEvent.GCStart, ClrEvent.GCEnd, ClrEvent.GCSurvivingRanges, ClrEvent.GCMovedRanges, ClrEvent.GCGenerationRange,
        ClrEvent.TplOperationBegin, ClrEvent.TplOperationEnd, ClrEvent.TplSynchronousWorkBegin, ClrEvent.TplSynchronousWorkEnd);

    /// <summary>The replay for visitors that do not follow objects: without the GC's ranges, most of the bytes of a trace that has them.</summary>
    private static readonly ClrEventSet ReplayEventsWithoutRanges = ClrEventSet.Of(
        ClrEvent.AllocationSampled, ClrEvent.AllocationTick, ClrEvent.GCSampledObjectAllocation, ClrEvent.GCHeapStats, ClrEvent.GCPerHeapHistory, ClrEvent.GCCreateSegment,
        ClrEvent.GCStart, ClrEvent.GCEnd,
        ClrEvent.TplOperationBegin, ClrEvent.TplOperationEnd, ClrEvent.TplSynchronousWorkBegin, ClrEvent.TplSynchronousWorkEnd);

    private readonly NettraceReader _reader;
    private readonly MethodCodeMap _code;
    private readonly TracedMethodTable _methodTable;

    private readonly IProgress<AnalysisProgress>? _progress;

    // Allocated types: index (AllocationRecord.TypeId) by the runtime's TypeID, and names by index.
    private readonly Dictionary<ulong, int> _typeIndexById = [];
    private readonly List<string> _typeNames = [];
    private readonly List<ulong> _typeHandles = [];
    private readonly BulkTypeNames _bulkTypeNames;

    private NettraceAllocationTrace(NettraceReader reader, MethodCodeMap code, TraceSummary summary, IProgress<AnalysisProgress>? progress, BulkTypeNames bulkTypeNames)
    {
        _reader = reader;
        _progress = progress;
        _code = code;
        _methodTable = new TracedMethodTable(code);
        _bulkTypeNames = bulkTypeNames;
        Summary = summary;
    }

    /// <inheritdoc/>
    public TraceSummary Summary { get; }

    /// <inheritdoc/>
    public IReadOnlyList<TracedMethod> Methods => _methodTable.Methods;

    /// <inheritdoc/>
    public IReadOnlyList<CompiledCode> Code => _methodTable.Code;

    /// <inheritdoc/>
    public IReadOnlyList<string> TypeNames => _typeNames;

    /// <inheritdoc/>
    public IReadOnlyList<ulong> TypeHandles => _typeHandles;

    /// <inheritdoc/>
    public IReadOnlyList<InliningEvent> Inlinings => _methodTable.Inlinings;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, Guid> ModuleBuilds => _code.ModuleBuilds;

    /// <summary>
    /// Reads the trace's header, code map and summary (the first pass). Throws <see cref="MemLineException"/>
    /// when the file is not a readable .nettrace; a trace cut short or damaged is read up to its last intact
    /// block, and <see cref="TraceSummary.ReadProblem"/> says so.
    /// </summary>
    /// <param name="progress">Receives each pass's progress in bytes of the file (code maps, then <see cref="Replay"/>); may be null.</param>
    /// <param name="readProblem">The warning for a file known to be cut short or damaged (<see cref="TraceFileCheck.ReadProblem"/>); used instead of the reader's own.</param>
    /// <param name="rundownSnapshot">collect's description of the code compiled before it attached, read when the trace lacks its own rundown; null for none.</param>
    /// <param name="cancellationToken">Stops the first pass.</param>
    /// <param name="tracePath">The .nettrace file.</param>
    public static NettraceAllocationTrace Open(string tracePath, IProgress<AnalysisProgress>? progress = null, string? readProblem = null, string? rundownSnapshot = null, CancellationToken cancellationToken = default)
    {
        NettraceReader reader = NettraceReader.Open(tracePath);
        var firstPass = new CodeMapPass();
        NettraceReadResult result = reader.Read(firstPass, ordered: CodeMapEvents, immediate: ClrEventSet.Of(ClrEventSet.Of(AllocationEvents, CausalityEvents), SurvivalEvents), progress, AnalysisStep.ReadingCode, cancellationToken);

        // Cut off before its rundown (the target was killed or crashed): collect's snapshot taken at
        // attach describes the code compiled before the session instead.
        string? rundownFrom = null;
        if (firstPass.Builder.Counts.Rundown == 0 && rundownSnapshot is { } snapshot && File.Exists(snapshot))
        {
            try
            {
                NettraceReader.Open(snapshot).Read(firstPass, ordered: CodeMapEvents, immediate: ClrEventSet.Empty, cancellationToken: cancellationToken);
                rundownFrom = snapshot;
            }
            catch (MemLineException)
            {
                // An unreadable snapshot is as good as none: the analysis says the rundown is missing.
            }
        }

        MethodCodeMap code = firstPass.Builder.Build();

        // TraceEvent's session duration: from the sync time to the last event, in whole DateTime ticks.
        double durationSeconds = result.LastTimeStamp == 0
            ? 0
            : (long)((result.LastTimeStamp - reader.SyncTimeQpc) * 10_000_000.0 / reader.QpcFrequency) / 10_000_000.0;
        TraceSummary summary = TracedMethodTable.Summarize(code, reader.FilePath, durationSeconds, result.DroppedEvents, result.EventsRead, firstPass.AnyAllocationHasAStack, readProblem ?? result.Problem)
            with { RundownFrom = rundownFrom, HasAsyncCausality = firstPass.SawCausalityEvents, HasSurvivalEvents = firstPass.SawSurvivalEvents, Clock = (reader.SyncTimeQpc, reader.QpcFrequency), StartedUtc = reader.StartedUtc };
        return new NettraceAllocationTrace(reader, code, summary, progress, firstPass.BulkTypeNames);
    }

    /// <inheritdoc/>
    public void Replay(IAllocationVisitor visitor, CancellationToken cancellationToken = default) =>
        _reader.Read(new ReplayPass(this, visitor), ordered: visitor.FollowsObjects ? ReplayEvents : ReplayEventsWithoutRanges, immediate: ClrEventSet.Empty, _progress, AnalysisStep.Attributing, cancellationToken);

    /// <inheritdoc/>
    public void Dispose()
    {
        // Nothing held open between passes.
    }

    /// <summary>Pass 1: the code map's events in time order, allocation events counted as they come.</summary>
    private sealed class CodeMapPass : INettraceEventHandler
    {
        public MethodCodeMapBuilder Builder { get; } = new();

        public bool AnyAllocationHasAStack { get; private set; }

        public bool SawCausalityEvents { get; private set; }

        public bool SawSurvivalEvents { get; private set; }

        /// <summary>Type names by the runtime's TypeID, from the BulkType events (exact mode's allocation events carry only the id).</summary>
        public BulkTypeNames BulkTypeNames { get; } = new();

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void OnEvent(in NettraceEvent ev)
        {
            int threadId = (int)ev.ThreadId;
            ClrPayload payload = ev.Payload;
            switch (ev.Kind)
            {
                case ClrEvent.AllocationSampled:
                    Builder.Counts.Sampled++;
                    NoteStack(ev);
                    break;
                case ClrEvent.AllocationTick:
                    Builder.Counts.Ticks++;
                    NoteStack(ev);
                    break;
                case ClrEvent.GCSampledObjectAllocation:
                    Builder.Counts.AddExact(payload.SampledObjectAllocation().ObjectCount);
                    NoteStack(ev);
                    break;
                case ClrEvent.TplOperationBegin or ClrEvent.TplOperationEnd or ClrEvent.TplSynchronousWorkBegin or ClrEvent.TplSynchronousWorkEnd:
                    SawCausalityEvents = true;
                    break;
                case ClrEvent.GCSurvivingRanges or ClrEvent.GCMovedRanges:
                    SawSurvivalEvents = true;
                    break;
                case ClrEvent.MethodLoadVerbose or ClrEvent.MethodUnloadVerbose:
                    Builder.OnMethodLoad(threadId, payload.MethodLoad(), fromRundown: false);
                    break;
                case ClrEvent.RundownMethodDCStartVerbose or ClrEvent.RundownMethodDCStopVerbose:
                    Builder.OnMethodLoad(threadId, payload.MethodLoad(), fromRundown: true);
                    if (ev.Kind == ClrEvent.RundownMethodDCStopVerbose)
                    {
                        Builder.Counts.Rundown++;
                    }

                    break;
                case ClrEvent.MethodILToNativeMap or ClrEvent.RundownILToNativeMapDCStart or ClrEvent.RundownILToNativeMapDCStop:
                    // Extent 0 is the main body; a cold-code extent's map adds nothing the main one lacks.
                    if (payload.TryReadILMap(out long methodId, out int extent, out int[] native, out int[] il) && extent == 0)
                    {
                        Builder.OnILMap(threadId, methodId, native, il);
                    }

                    break;
                case ClrEvent.MethodInliningSucceeded:
                    Builder.OnInlining(threadId, payload.Inlining());
                    break;
                case ClrEvent.BulkType:
                    payload.BulkTypes(AddBulkType);
                    break;
                case ClrEvent.ModuleLoad or ClrEvent.ModuleUnload or ClrEvent.RundownModuleDCStart or ClrEvent.RundownModuleDCStop:
                    (long moduleId, string path) = payload.Module();
                    Builder.OnModule(moduleId, path, payload.ModulePdbId());
                    if (ev.Kind == ClrEvent.RundownModuleDCStop)
                    {
                        Builder.Counts.Rundown++; // the end-of-session rundown is there: code compiled before the session is known
                    }

                    break;
            }
        }

        public void OnStacksForgotten()
        {
        }

        private void NoteStack(in NettraceEvent ev) => AnyAllocationHasAStack |= ev.Stack.Length >= ev.Payload.PointerSize;

        private void AddBulkType(ulong typeId, string name, ulong elementTypeId) => BulkTypeNames.Add(typeId, name, elementTypeId);
    }

    /// <summary>
    /// Pass 2: allocation events and heap sizes in time order. A stack is resolved once per stack id (ids
    /// are interned per sequence point) and each return address once per trace, to its code version;
    /// which line it stands for is the attribution's business (it needs the whole trace to decide).
    /// </summary>
    private sealed class ReplayPass(NettraceAllocationTrace trace, IAllocationVisitor visitor) : INettraceEventHandler
    {
        private const int NotManagedCode = -1;

        // Objects of this size and more go to the large object heap (exact mode's events do not say which heap).
        private const long LargeObjectThreshold = 85_000;

        private readonly AllocationEventKind _kind = trace.Summary.EventKind;
        private readonly long _syncTimeQpc = trace._reader.SyncTimeQpc;
        private readonly long _qpcFrequency = trace._reader.QpcFrequency;
        private readonly List<(ulong Start, ulong End)> _frozenSegments = [];

        // Frames of the stacks resolved since the last sequence point: stack id -> range in _frames.
        private readonly Dictionary<int, (int Start, int Count)> _framesByStackId = [];
        private StackFrame[] _frames = new StackFrame[4096];
        private int _framesUsed;

        // Every return address resolved so far: method id (or NotManagedCode), code version, offset into it.
        private readonly Dictionary<ulong, StackFrame> _frameByAddress = [];

        // The callers each allocation lost to an await or a hand-off, from the TPL's causality events.
        private readonly AsyncCausality? _causality = trace.Summary.HasAsyncCausality ? new AsyncCausality(trace.Methods) : null;

        // The GC under way's heaps before it (summed over its GCPerHeapHistory events, which precede its end), and the
        // GC whose end was seen last: GCHeapStats follows it (a GC nested in a background GC ends inside it).
        private long _heapBeforeGC;
        private bool _heapBeforeKnown;
        private int _endedGC = -1;
        private long _endedGCHeapBefore = -1;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void OnEvent(in NettraceEvent ev)
        {
            switch (ev.Kind)
            {
                case ClrEvent.AllocationSampled when _kind == AllocationEventKind.AllocationSampled:
                    {
                        (long objectSize, long sampledByteOffset) = ev.Payload.AllocationSampled();
                        EnsurePlausible(ev, "AllocationSampled", objectSize > 0 && sampledByteOffset >= 0 && sampledByteOffset < objectSize);
                        int typeId = TypeIdOf(ev.Payload.AllocationSampledTypeId(), ev.Payload, static p => p.AllocationSampledTypeName());
                        (int heapKind, ulong address) = ev.Payload.AllocationSampledObject();
                        Report(
                            new AllocationRecord(TimeMSec(ev.TimeStamp), (int)ev.ThreadId, objectSize, sampledByteOffset, 0, TypeId: typeId)
                            {
                                Address = address,
                                Heap = heapKind is >= 0 and <= 2 ? (HeapKind)heapKind : HeapKind.Small,
                            },
                            FramesOf(ev));
                        break;
                    }

                case ClrEvent.GCCreateSegment:
                    {
                        (ulong address, ulong size, int type) = ev.Payload.CreateSegment();
                        if (type == 2)
                        {
                            _frozenSegments.Add((address, address + size)); // ReadOnlyHeap: the frozen heap
                        }

                        break;
                    }

                case ClrEvent.GCSampledObjectAllocation when _kind == AllocationEventKind.Exact:
                    {
                        (ulong address, int objectCount, long totalSize) = ev.Payload.SampledObjectAllocation();
                        EnsurePlausible(ev, "GCSampledObjectAllocation", totalSize >= 0 && objectCount > 0);
                        if (!IsFrozen(address))
                        {
                            int typeId = TypeIdOf(ev.Payload.SampledObjectAllocationTypeId(), ev.Payload, null);
                            Report(
                                new AllocationRecord(TimeMSec(ev.TimeStamp), (int)ev.ThreadId, ExactSize(totalSize, objectCount, ev.Payload.PointerSize), 0, 0, objectCount, typeId)
                                {
                                    Address = objectCount == 1 ? address : 0, // a batch's address is its last object's
                                    Heap = totalSize >= LargeObjectThreshold ? HeapKind.Large : HeapKind.Small,
                                },
                                FramesOf(ev));
                        }

                        break;
                    }

                case ClrEvent.AllocationTick when _kind == AllocationEventKind.AllocationTick:
                    {
                        (long amount, long objectSize) = ev.Payload.AllocationTick();
                        EnsurePlausible(ev, "AllocationTick", amount >= 0 && objectSize >= 0);
                        int typeId = TypeIdOf(ev.Payload.AllocationTickTypeId(), ev.Payload, static p => p.AllocationTickTypeName());
                        Report(new AllocationRecord(TimeMSec(ev.TimeStamp), (int)ev.ThreadId, objectSize, 0, amount, TypeId: typeId), FramesOf(ev));
                        break;
                    }

                case ClrEvent.TplOperationBegin when _causality is not null:
                    {
                        (int taskId, TaskOrigin origin) = ev.Payload.TplOperationBegin();
                        _causality.OnTaskCreated((int)ev.ThreadId, taskId, origin, FramesOf(ev));
                        break;
                    }

                case ClrEvent.TplOperationEnd when _causality is not null:
                    _causality.OnTaskEnded(ev.Payload.TplTaskId());
                    break;
                case ClrEvent.TplSynchronousWorkBegin when _causality is not null:
                    _causality.OnWorkBegin((int)ev.ThreadId, ev.Payload.TplTaskId(), FramesOf(ev));
                    break;
                case ClrEvent.TplSynchronousWorkEnd when _causality is not null:
                    _causality.OnWorkEnd((int)ev.ThreadId);
                    break;

                case ClrEvent.GCPerHeapHistory:
                    {
                        long heapBefore = ev.Payload.HeapSizeBeforeGC();
                        if (heapBefore >= 0)
                        {
                            _heapBeforeGC += heapBefore;
                            _heapBeforeKnown = true;
                        }

                        break;
                    }

                case ClrEvent.GCHeapStats:
                    visitor.OnGCHeapSizes(TimeMSec(ev.TimeStamp), _endedGC, _endedGCHeapBefore, ev.Payload.HeapSizeAfterGC());
                    break;
                case ClrEvent.GCStart:
                    {
                        (int count, int depth, int type, int reason) = ev.Payload.GCStart();
                        visitor.OnGCStart(TimeMSec(ev.TimeStamp), count, depth, type is 1 ? GCType.Background : type is 2 ? GCType.Foreground : GCType.Blocking,
                            (int)ev.ThreadId, ClrPayload.IsAllocationReason(reason));
                        break;
                    }

                case ClrEvent.GCEnd:
                    {
                        (int count, int depth) = ev.Payload.GCEnd();
                        _endedGC = count;
                        _endedGCHeapBefore = _heapBeforeKnown ? _heapBeforeGC : -1;
                        _heapBeforeGC = 0;
                        _heapBeforeKnown = false;
                        visitor.OnGCEnd(TimeMSec(ev.TimeStamp), count, depth);
                        break;
                    }

                case ClrEvent.GCSurvivingRanges:
                    visitor.OnRanges(ev.Payload.SurvivingRanges());
                    break;
                case ClrEvent.GCMovedRanges:
                    visitor.OnRanges(ev.Payload.MovedRanges());
                    break;
                case ClrEvent.GCGenerationRange:
                    {
                        (int generation, ulong start, ulong usedLength) = ev.Payload.GenerationRange();
                        visitor.OnGenerationRange(generation, start, usedLength);
                        break;
                    }
            }
        }

        /// <summary>Passes an allocation on with its logical stack: its own frames, then those of the code that caused it.</summary>
        private void Report(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames)
        {
            if (_causality is null)
            {
                visitor.OnAllocation(allocation, frames);
                return;
            }

            ReadOnlySpan<StackFrame> logical = _causality.Logical(allocation.ThreadId, frames, out int inheritedFrom, out int handedOffFrom);
            visitor.OnAllocation(allocation with { InheritedFrom = inheritedFrom, HandedOffFrom = handedOffFrom }, logical);
        }

        public void OnStacksForgotten()
        {
            _framesByStackId.Clear();
            _framesUsed = 0;
        }

        /// <summary>
        /// A damaged payload (bits flipped inside an event) still decodes, into values no runtime writes;
        /// they would make the estimates meaningless, so the trace is refused.
        /// </summary>
        private void EnsurePlausible(in NettraceEvent ev, string eventName, bool plausible)
        {
            if (!plausible)
            {
                throw new MemLineException(FailureKind.TraceUnreadable,
                    $"the trace is damaged: its {eventName} event at {TimeMSec(ev.TimeStamp):F1} ms carries impossible values: {trace.Summary.TracePath}");
            }
        }

        /// <summary>
        /// The index of an allocated type, its name read once per type: from the event itself when it carries
        /// one (<paramref name="nameInPayload"/>), else from the BulkType events. -1 for an event without a type.
        /// </summary>
        private int TypeIdOf(ulong runtimeTypeId, ClrPayload payload, NameReader? nameInPayload)
        {
            if (runtimeTypeId == 0)
            {
                return -1;
            }

            if (!trace._typeIndexById.TryGetValue(runtimeTypeId, out int index))
            {
                index = trace._typeNames.Count;
                trace._typeNames.Add(nameInPayload is not null ? nameInPayload(payload) : trace._bulkTypeNames.NameOf(runtimeTypeId));
                trace._typeIndexById[runtimeTypeId] = index;
                trace._typeHandles.Add(runtimeTypeId);
            }

            return index;
        }

        private delegate string NameReader(ClrPayload payload);

        /// <summary>As TraceEvent: milliseconds since the session's start, never negative.</summary>
        private double TimeMSec(long timeStamp) => (Math.Max(timeStamp, _syncTimeQpc) - _syncTimeQpc) * 1000.0 / _qpcFrequency;

        /// <summary>The same rule as <c>TraceLogAllocationTrace</c> (eng/TraceLogDecoder)'s: frozen-heap objects are no GC allocations.</summary>
        private bool IsFrozen(ulong address)
        {
            foreach ((ulong start, ulong end) in _frozenSegments)
            {
                if (address >= start && address < end)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The same rule as <c>TraceLogAllocationTrace</c> (eng/TraceLogDecoder)'s: one object's size rounded up to the pointer size; a batch as it is.</summary>
        private static long ExactSize(long totalSize, int objectCount, long alignment) =>
            objectCount == 1 && alignment > 0 ? (totalSize + alignment - 1) / alignment * alignment : totalSize;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private ReadOnlySpan<StackFrame> FramesOf(in NettraceEvent ev)
        {
            if (ev.Stack.IsEmpty)
            {
                return [];
            }

            if (!_framesByStackId.TryGetValue(ev.StackId, out var range))
            {
                range = Resolve(ev.Stack, ev.Payload.PointerSize);
                _framesByStackId[ev.StackId] = range;
            }

            return _frames.AsSpan(range.Start, range.Count);
        }

        private (int Start, int Count) Resolve(ReadOnlySpan<byte> stack, int pointerSize)
        {
            int addresses = stack.Length / pointerSize;
            if (_framesUsed + addresses > _frames.Length)
            {
                Array.Resize(ref _frames, Math.Max(_framesUsed + addresses, _frames.Length * 2));
            }

            int start = _framesUsed;
            for (int i = 0; i < addresses; i++)
            {
                ulong address = pointerSize == 8
                    ? BinaryPrimitives.ReadUInt64LittleEndian(stack[(i * 8)..])
                    : BinaryPrimitives.ReadUInt32LittleEndian(stack[(i * 4)..]);
                if (!_frameByAddress.TryGetValue(address, out StackFrame frame))
                {
                    frame = trace._code.TryFind(address, out MethodCodeMap.CodeVersion? version, out int returnOffset)
                        ? new StackFrame(trace._methodTable.IdOf(version), version.Id, returnOffset)
                        : new StackFrame(NotManagedCode, -1, -1);
                    _frameByAddress[address] = frame;
                }

                if (frame.MethodId != NotManagedCode)
                {
                    _frames[_framesUsed++] = frame;
                }
            }

            return (start, _framesUsed - start);
        }
    }
}
