using System.Buffers.Binary;
namespace DotnetMemLine.Decoding;

/// <summary>Which allocation events a trace carries; decides the estimator.</summary>
public enum AllocationEventKind
{
    /// <summary>No allocation events at all.</summary>
    None,

    /// <summary>.NET 10+ <c>AllocationSampled</c>: randomized, unbiased.</summary>
    AllocationSampled,

    /// <summary>Older runtimes' <c>AllocationTick</c>: fixed ~100 KB stride, biased.</summary>
    AllocationTick,

    /// <summary>
    /// <c>GCSampledObjectAllocation</c> recorded with both of its keywords from startup
    /// (<c>run --exact</c>): one event per allocated object, so figures are exact sums.
    /// </summary>
    Exact,
}

/// <summary>A method that appears in the trace: the module it lives in and its metadata token.</summary>
/// <param name="ModulePath">The module's path as the target process saw it.</param>
/// <param name="Token">The MethodDef token (0x06xxxxxx).</param>
/// <param name="TraceName">The name the runtime reported, e.g. <c>Ns.Type.Method</c>; used in messages when the module cannot be read.</param>
/// <param name="RunsPrecompiledCode">Some of its code is ReadyToRun code from the module's image, for which the runtime writes no IL map.</param>
/// <param name="HasOptimizedCodeFromBeforeSession">Some of its optimized code was compiled before the session started: what the JIT inlined into it then is not in the trace.</param>
public sealed record TracedMethod(string ModulePath, int Token, string TraceName, bool RunsPrecompiledCode = false, bool HasOptimizedCodeFromBeforeSession = false)
{
    /// <summary>The declaring type as the runtime names it (<c>Ns.Outer+Inner`1[System.__Canon]</c>); empty when unknown.</summary>
    public string TypeName { get; init; } = "";

    /// <summary>The method's name as the runtime names it (<c>.ctor</c>, <c>System.IDisposable.Dispose</c>); empty when unknown.</summary>
    public string MethodName { get; init; } = "";
}

/// <summary>
/// One compiled body of a method (tier 0, tier 1, OSR, fully optimized, ReadyToRun): its size and its
/// IL-to-native map, as the runtime described it. Frames point into it (<see cref="StackFrame.CodeId"/>).
/// </summary>
public sealed record CompiledCode
{
    /// <summary>Index into <see cref="IAllocationTrace.Methods"/>.</summary>
    public required int MethodId { get; init; }

    /// <summary>Bytes of native code.</summary>
    public required int Size { get; init; }

    /// <summary>
    /// The map's entries sorted by native offset: from <c>NativeOffsets[i]</c> on, the code implements the
    /// IL from <c>ILOffsets[i]</c> on; negative IL offsets are the JIT's markers (-1 no mapping, -2 prolog,
    /// -3 epilog). Empty when the runtime wrote no map (ReadyToRun code, or a trace without the keyword).
    /// </summary>
    public required int[] NativeOffsets { get; init; }

    /// <inheritdoc cref="NativeOffsets"/>
    public required int[] ILOffsets { get; init; }

    /// <summary>Optimized code (tier 1, OSR, fully optimized, ReadyToRun): the JIT may have inlined calls into it.</summary>
    public bool IsOptimized { get; init; }

    /// <summary>
    /// The methods the JIT inlined at calls in this body's own IL, as its inlining events named them
    /// (declaring type, method name); null when the trace cannot say (code compiled before the session,
    /// or a trace without the JitTracing keyword).
    /// </summary>
    public IReadOnlyList<(string TypeName, string MethodName)>? InlinedMethods { get; init; }

    /// <summary>
    /// The index of the map entry whose range holds <paramref name="nativeOffset"/>: the last entry starting at or
    /// before it (of several starting at one offset, an empty range, the last, where the code goes on); -1 before the first.
    /// </summary>
    public int RangeAt(int nativeOffset)
    {
        int entry = Array.BinarySearch(NativeOffsets, nativeOffset);
        if (entry < 0)
        {
            return ~entry - 1;
        }

        while (entry + 1 < NativeOffsets.Length && NativeOffsets[entry + 1] == nativeOffset)
        {
            entry++;
        }

        return entry;
    }
}

/// <summary>
/// The JIT compiled the method <paramref name="CompiledMethodId"/> with a call replaced by the called
/// method's body (the JitTracing keyword's inlining event). Names are the runtime's: the type's full
/// metadata name (<c>Ns.Outer+Inner</c>, <c>Ns.Pool`1[System.__Canon]</c>) and the method's name and signature.
/// </summary>
/// <param name="InlinerType">The method whose code received the body: the compiled method itself, or a method already inlined into it.</param>
/// <param name="CompiledMethodId">The method being compiled (an index into <see cref="IAllocationTrace.Methods"/>).</param>
/// <param name="InlineeName">The inlined method's name.</param>
/// <param name="InlineeSignature">The inlined method's signature, as the runtime writes it.</param>
/// <param name="InlineeType">The inlined method's declaring type.</param>
/// <param name="InlinerName">The name of the method whose code received the body.</param>
public sealed record InliningEvent(string InlineeType, string InlineeName, string InlineeSignature, string InlinerType, string InlinerName, int CompiledMethodId);

/// <summary>One managed frame of an allocation's stack.</summary>
/// <param name="MethodId">Index into the trace's method table (<see cref="IAllocationTrace.Methods"/>).</param>
/// <param name="CodeId">Index into <see cref="IAllocationTrace.Code"/>: which compiled body of the method the frame ran.</param>
/// <param name="ReturnOffset">
/// The frame's return address, as an offset into that body: the instruction after the call the frame
/// was making (to the method of the frame inside it, or to an allocation helper for the innermost one).
/// </param>
public readonly record struct StackFrame(int MethodId, int CodeId, int ReturnOffset);

/// <summary>One allocation event: a randomized sample, an AllocationTick, or (exact mode) an allocated object.</summary>
/// <param name="TimeMSec">Milliseconds since the start of the trace.</param>
/// <param name="ThreadId">The OS thread that allocated.</param>
/// <param name="ObjectSize">Size of the sampled object, in bytes; in exact mode the total size of the <paramref name="ObjectCount"/> objects the event stands for.</param>
/// <param name="SampledByteOffset">For AllocationSampled: offset of the byte whose trial succeeded.</param>
/// <param name="TickAmount">For AllocationTick: bytes allocated since the previous tick.</param>
/// <param name="ObjectCount">In exact mode: objects the event stands for (ObjectCountForTypeSample; 1 when every object is logged).</param>
/// <param name="TypeId">The allocated type: index into <see cref="IAllocationTrace.TypeNames"/>, -1 when the event does not say.</param>
/// <param name="InheritedFrom">
/// The index of the first frame that was not on the allocating thread's stack: from there on, the frames of
/// the code that caused the work (the callers of an async method that resumed after an await, the code that
/// queued a delegate), from the trace's TPL causality events; <see cref="int.MaxValue"/> for none.
/// </param>
/// <param name="HandedOffFrom">
/// The index of the first frame of code that handed the work to this thread (<c>Task.Run</c>, <c>Parallel</c>,
/// PLINQ); <see cref="int.MaxValue"/> for none.
/// </param>
public readonly record struct AllocationRecord(double TimeMSec, int ThreadId, long ObjectSize, long SampledByteOffset, long TickAmount, long ObjectCount = 1, int TypeId = -1,
    int InheritedFrom = int.MaxValue, int HandedOffFrom = int.MaxValue)
{
    /// <summary>The object's address (AllocationSampled, exact mode); 0 when the event does not say.</summary>
    public ulong Address { get; init; }

    /// <summary>Where the object was allocated: the small object heap, or the large or pinned object heap.</summary>
    public HeapKind Heap { get; init; }
}

/// <summary>Which heap an object was allocated on (AllocationSampled's AllocationKind).</summary>
public enum HeapKind : byte
{
    /// <summary>The small object heap: generation 0, promoted by each GC it survives.</summary>
    Small,

    /// <summary>The large object heap (85,000 bytes and more): collected with generation 2.</summary>
    Large,

    /// <summary>The pinned object heap: collected with generation 2.</summary>
    Pinned,
}

/// <summary>How a GC ran (GCStart's Type).</summary>
public enum GCType
{
    /// <summary>A blocking GC.</summary>
    Blocking,

    /// <summary>A background generation-2 GC, running while the program does.</summary>
    Background,

    /// <summary>A blocking ephemeral GC during a background GC.</summary>
    Foreground,
}

/// <summary>Facts about the whole trace, shown in every table header.</summary>
/// <param name="BatchedExactEvents">
/// Exact mode: events that stand for more than one object. The runtime batches allocations per type
/// when only one of the two GCSampledObjectAllocation keywords was on, and such a batch can only be
/// charged to the stack of its last object.
/// </param>
/// <param name="DroppedEvents">Events the runtime wrote but lost (gaps in EventPipe's per-thread sequence numbers).</param>
/// <param name="EventsRead">Events of every kind that did arrive; with <paramref name="DroppedEvents"/>, the share that was lost.</param>
/// <param name="ReadProblem">
/// Why the decoder stopped before the end of the file (a trace cut short or damaged: everything up to
/// the last intact block was read), as a sentence to show as a warning; null when the file was read whole.
/// </param>
/// <param name="HasRundown">
/// The runtime described, at the session's end, the code compiled before the session began. Missing
/// when the target was killed (SIGKILL) or crashed mid-recording: such code then cannot be resolved.
/// </param>
/// <param name="RundownFrom">
/// The trace lacks its own rundown, and the code compiled before the session was read instead from
/// this file: <c>collect</c>'s snapshot taken at attach (<c>app.rundown.nettrace</c>).
/// </param>
/// <param name="TracePath">The trace file's full path.</param>
/// <param name="DurationSeconds">From the session's start to its last event.</param>
/// <param name="AllocationEvents">The allocation events read (samples, ticks, or in exact mode objects or batches).</param>
/// <param name="EventKind">Which allocation events the trace has.</param>
/// <param name="HasStacks">Some allocation event carries a stack.</param>
/// <param name="HasSurvivalEvents">
/// The trace has the GC's survival and movement events (keyword GCHeapSurvivalAndMovement, 0x400000): sampled objects
/// can be followed through each GC until they die.
/// </param>
/// <param name="HasAsyncCausality">
/// The trace has the TPL's causality events, and the decoder followed them: allocations after an await or in
/// work handed to another thread carry the frames of the code that caused them.
/// </param>
public sealed record TraceSummary(
    string TracePath,
    double DurationSeconds,
    long AllocationEvents,
    long DroppedEvents,
    AllocationEventKind EventKind,
    bool HasStacks,
    long BatchedExactEvents = 0,
    long EventsRead = 0,
    string? ReadProblem = null,
    bool HasRundown = true,
    string? RundownFrom = null,
    bool HasAsyncCausality = false,
    bool HasSurvivalEvents = false)
{
    /// <summary>
    /// The trace's clock: the timestamp of its start and ticks per second (on Linux the monotonic clock in nanoseconds,
    /// which <see cref="System.Diagnostics.Stopwatch"/> reads too); (0, 0) when unknown.
    /// </summary>
    public (long Start, long Frequency) Clock { get; init; }

    /// <summary>When the recording began, from the trace's header (UTC); null when the trace does not say.</summary>
    public DateTime? StartedUtc { get; init; }

    /// <summary>Sampled objects can be followed through the GCs: survival events, and allocation events that carry addresses (not AllocationTick).</summary>
    public bool FollowsLifetimes => HasSurvivalEvents && EventKind is AllocationEventKind.AllocationSampled or AllocationEventKind.Exact;

    /// <summary>The share of the trace's events (all kinds) the runtime lost, 0 to 1.</summary>
    public double DroppedFraction => DroppedEvents <= 0 ? 0 : (double)DroppedEvents / (DroppedEvents + Math.Max(0, EventsRead));
}

/// <summary>Receives a trace's events in time order.</summary>
public interface IAllocationVisitor
{
    /// <summary>
    /// Whether the visitor reads the GC's survival, movement and generation ranges (it follows objects through the GCs).
    /// A pass none of whose visitors does leaves those events unread: in a trace that follows objects they are most of
    /// the file's bytes.
    /// </summary>
    bool FollowsObjects => true;

    /// <summary>
    /// GC number <paramref name="count"/> finished: the GC heap held <paramref name="heapBytesBefore"/> bytes when it began
    /// (-1 when the trace does not say: no GCPerHeapHistory event) and <paramref name="heapBytesAfter"/> now.
    /// </summary>
    void OnGCHeapSizes(double timeMSec, int count, long heapBytesBefore, long heapBytesAfter);

    /// <summary>
    /// GC number <paramref name="count"/> began, collecting generations 0 to <paramref name="condemnedGeneration"/>, on thread
    /// <paramref name="threadId"/>: the allocating thread when <paramref name="byAllocation"/> (its reason is an allocation
    /// that found no room), otherwise whichever thread asked for it (GC.Collect, a diagnostics session, low memory).
    /// </summary>
    void OnGCStart(double timeMSec, int count, int condemnedGeneration, GCType kind, int threadId, bool byAllocation)
    {
    }

    /// <summary>During the GC under way: the objects in these addresses survived where they are (keyword GCHeapSurvivalAndMovement).</summary>
    void OnSurvivingRange(ulong start, ulong length)
    {
    }

    /// <summary>During the GC under way: the objects in these addresses survived, moved to <paramref name="newStart"/> (keyword GCHeapSurvivalAndMovement).</summary>
    void OnMovedRange(ulong oldStart, ulong newStart, ulong length)
    {
    }

    /// <summary>
    /// One event's worth of <see cref="OnSurvivingRange"/> or <see cref="OnMovedRange"/> (<see cref="GCRanges.Moved"/>): a GC lists
    /// thousands of ranges, most of a trace's bytes, so a consumer that follows objects takes them in one call.
    /// </summary>
    void OnRanges(GCRanges ranges)
    {
        for (int i = 0; i < ranges.Count; i++)
        {
            (ulong start, ulong newStart, ulong length) = ranges[i];
            if (ranges.Moved)
            {
                OnMovedRange(start, newStart, length);
            }
            else
            {
                OnSurvivingRange(start, length);
            }
        }
    }

    /// <summary>
    /// Right after a GC began: one used range of generation <paramref name="generation"/> (0 to 2; 3 the large, 4 the pinned
    /// object heap) as the GC found the heap (keyword GCHeapSurvivalAndMovement).
    /// </summary>
    void OnGenerationRange(int generation, ulong start, ulong length)
    {
    }

    /// <summary>GC number <paramref name="count"/> ended.</summary>
    void OnGCEnd(double timeMSec, int count, int condemnedGeneration)
    {
    }

    /// <summary>
    /// An allocation event with its managed frames, innermost first: its logical stack, which past
    /// <see cref="AllocationRecord.InheritedFrom"/> goes on with the frames of the code that caused it.
    /// </summary>
    void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames);
}

/// <summary>A decoded trace: its summary, the methods its stacks name, and its events in order.</summary>
public interface IAllocationTrace : IDisposable
{
    /// <summary>Facts about the whole trace, for the report's header and warnings.</summary>
    TraceSummary Summary { get; }

    /// <summary>Every method the trace's stacks and code name; <see cref="StackFrame.MethodId"/> indexes it.</summary>
    IReadOnlyList<TracedMethod> Methods { get; }

    /// <summary>Every compiled body the trace describes; frames point into it.</summary>
    IReadOnlyList<CompiledCode> Code { get; }

    /// <summary>The allocated types' names as the runtime wrote them, indexed by <see cref="AllocationRecord.TypeId"/>; complete once <see cref="Replay"/> has run.</summary>
    IReadOnlyList<string> TypeNames { get; }

    /// <summary>
    /// The allocated types' runtime handles (their MethodTable addresses in the traced process), indexed like
    /// <see cref="TypeNames"/>: an object found at a tracked address is checked against it. Empty when unknown.
    /// </summary>
    IReadOnlyList<ulong> TypeHandles => [];

    /// <summary>The JIT's inlining decisions during the session; empty when the trace lacks them.</summary>
    IReadOnlyList<InliningEvent> Inlinings => [];

    /// <summary>
    /// Per module path, the PDB id (ManagedPdbSignature) of the build the process loaded, from its module events; a module
    /// whose events carry none is absent. Tells traces of different builds apart.
    /// </summary>
    IReadOnlyDictionary<string, Guid> ModuleBuilds => new Dictionary<string, Guid>();

    /// <summary>Streams the heap observations and allocation events to <paramref name="visitor"/>.</summary>
    void Replay(IAllocationVisitor visitor, CancellationToken cancellationToken = default);
}

/// <summary>The steps of reading a trace, in order; each reports its own progress.</summary>
public enum AnalysisStep
{
    /// <summary>TraceLog decoder only: TraceLog converts the .nettrace into its indexed .etlx form; progress in bytes of the trace read.</summary>
    Converting,

    /// <summary>A pass over the .nettrace collects every compiled method's code and IL map; progress in bytes read.</summary>
    ReadingCode,

    /// <summary>The events are replayed and charged to lines; progress in bytes read (streaming decoder) or events (TraceLog decoder).</summary>
    Attributing,

    /// <summary>Several traces analyzed as one, each on its own (in parallel); progress in traces done.</summary>
    ReadingTraces,
}

/// <summary>
/// How far a step has got. <paramref name="Done"/> is negative when it cannot be measured (no
/// /proc/self/io); the step is then shown with its elapsed time only.
/// </summary>
/// <param name="InEvents">Done and Total count events, not bytes of the trace file.</param>
/// <param name="Done">How much of the step is done (bytes or events).</param>
/// <param name="Step">The step under way.</param>
/// <param name="Total">How much the step has to do; 0 when unknown.</param>
public readonly record struct AnalysisProgress(AnalysisStep Step, long Done, long Total, bool InEvents = false);

/// <summary>
/// The ranges of one GCBulkSurvivingObjectRanges or GCBulkMovedObjectRanges event, read where they lie in its payload:
/// (start, length) each, or (old start, new start, length) when <see cref="Moved"/>, pointers of <c>pointerSize</c> bytes
/// and a 64-bit length, little-endian.
/// </summary>
public readonly ref struct GCRanges
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _pointerSize;
    private readonly int _stride;

    /// <summary>The ranges in <paramref name="bytes"/> (the payload after the event's count and instance id): <paramref name="count"/>, or as many as the bytes hold.</summary>
    public GCRanges(ReadOnlySpan<byte> bytes, int count, int pointerSize, bool moved)
    {
        _pointerSize = pointerSize;
        _stride = (moved ? 2 * pointerSize : pointerSize) + 8;
        Count = Math.Clamp(count, 0, bytes.Length / _stride); // never past the payload
        _bytes = bytes;
        Moved = moved;
    }

    /// <summary>How many ranges.</summary>
    public int Count { get; }

    /// <summary>Whether the objects moved (each range has a new start).</summary>
    public bool Moved { get; }

    /// <summary>
    /// The ranges' bytes, <see cref="Stride"/> each, exactly <see cref="Count"/> of them: for callers that look at hundreds
    /// of millions of ranges in a loop of their own (the indexer slices and checks each range again).
    /// </summary>
    public ReadOnlySpan<byte> Bytes => _bytes[..(Count * _stride)];

    /// <summary>Bytes per range: a pointer (two when <see cref="Moved"/>) and a 64-bit length.</summary>
    public int Stride => _stride;

    /// <summary>4 or 8: the size of the pointers.</summary>
    public int PointerSize => _pointerSize;

    /// <summary>Range <paramref name="index"/>: its start, its new start (the start when it did not move) and its length.</summary>
    public (ulong Start, ulong NewStart, ulong Length) this[int index]
    {
        get
        {
            ReadOnlySpan<byte> range = _bytes.Slice(index * _stride, _stride);
            ulong start = Pointer(range);
            ulong newStart = Moved ? Pointer(range[_pointerSize..]) : start;
            return (start, newStart, BinaryPrimitives.ReadUInt64LittleEndian(range[^8..]));
        }
    }

    private ulong Pointer(ReadOnlySpan<byte> at) => ReadPointer(at, _pointerSize);

    /// <summary>A little-endian pointer of <paramref name="pointerSize"/> bytes (4 or 8) at the start of <paramref name="at"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static ulong ReadPointer(ReadOnlySpan<byte> at, int pointerSize) =>
        pointerSize == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(at) : BinaryPrimitives.ReadUInt64LittleEndian(at);
}
