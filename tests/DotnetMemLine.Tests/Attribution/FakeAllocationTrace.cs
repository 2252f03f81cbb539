using DotnetMemLine.Decoding;

namespace DotnetMemLine.Tests.Attribution;

/// <summary>A trace built in memory: known methods, known stacks, known heap sizes.</summary>
internal sealed class FakeAllocationTrace : IAllocationTrace
{
    private readonly IReadOnlyList<TracedMethod> _methods;
    private readonly AllocationEventKind _kind;

    public FakeAllocationTrace(IReadOnlyList<TracedMethod> methods, AllocationEventKind kind = AllocationEventKind.AllocationSampled)
    {
        _methods = methods;
        _kind = kind;
        Code = [.. methods.SelectMany((_, id) => new[]
        {
            new CompiledCode { MethodId = id, Size = ExactMapLength, NativeOffsets = [.. Enumerable.Range(0, ExactMapLength)], ILOffsets = [.. Enumerable.Range(0, ExactMapLength)], InlinedMethods = [] },
            new CompiledCode { MethodId = id, Size = ExactMapLength, NativeOffsets = [], ILOffsets = [] },
        })];
    }

    private readonly List<Action<IAllocationVisitor>> _events = [];

    public TraceSummary Summary => new("/fake.nettrace", 1.0, _events.Count, DroppedEvents, _kind, HasStacks: true, BatchedExactEvents, EventsRead: _events.Count, HasRundown: HasRundown);

    /// <summary>False for a trace cut off before the runtime's rundown (target killed or crashed).</summary>
    public bool HasRundown { get; init; } = true;

    /// <summary>Events the runtime reported as lost.</summary>
    public long DroppedEvents { get; init; }

    /// <summary>Exact-mode events the decoder found standing for several objects.</summary>
    public long BatchedExactEvents { get; init; }

    public IReadOnlyList<TracedMethod> Methods => _methods;

    /// <summary>
    /// Per method, two bodies: one whose map is exact (native offset = IL offset, as if every IL
    /// instruction had its own boundary) at code id 2 × method id, and one without a map after it.
    /// </summary>
    public IReadOnlyList<CompiledCode> Code { get; }

    public IReadOnlyList<string> TypeNames { get; } = [];

    private const int ExactMapLength = 4096;

    /// <summary>A frame of <paramref name="methodId"/> stopped at the instruction at <paramref name="ilOffset"/>; a negative offset: a frame in code without an IL map.</summary>
    public static StackFrame Frame(int methodId, int ilOffset) =>
        ilOffset < 0 ? new StackFrame(methodId, (2 * methodId) + 1, 1) : new StackFrame(methodId, 2 * methodId, ilOffset + 1);

    public List<InliningEvent> Inlinings { get; } = [];

    IReadOnlyList<InliningEvent> IAllocationTrace.Inlinings => Inlinings;

    public FakeAllocationTrace Sample(long objectSize, params StackFrame[] innermostFirst)
    {
        _events.Add(v => v.OnAllocation(new AllocationRecord(0, 1, objectSize, 0, 0), innermostFirst));
        return this;
    }

    public FakeAllocationTrace Tick(long amount, params StackFrame[] innermostFirst)
    {
        _events.Add(v => v.OnAllocation(new AllocationRecord(0, 1, 100, 0, amount), innermostFirst));
        return this;
    }

    /// <summary>An exact-mode event: <paramref name="count"/> objects of <paramref name="totalSize"/> bytes in all.</summary>
    public FakeAllocationTrace Objects(long totalSize, long count, params StackFrame[] innermostFirst)
    {
        _events.Add(v => v.OnAllocation(new AllocationRecord(0, 1, totalSize, 0, 0, count), innermostFirst));
        return this;
    }

    /// <summary>
    /// A GC with the heap's size before and after it; by default one an allocation triggered on thread 1 (the thread of
    /// every allocation here), with <paramref name="askedOnThread"/> one asked for on that thread (GC.Collect, a session).
    /// </summary>
    public FakeAllocationTrace GC(long heapBytesAfter, long heapBytesBefore = -1, int askedOnThread = 0)
    {
        int count = ++_gcs;
        _events.Add(v =>
        {
            v.OnGCStart(0, count, 0, GCType.Blocking, threadId: askedOnThread > 0 ? askedOnThread : 1, byAllocation: askedOnThread == 0);
            v.OnGCEnd(0, count, 0);
            v.OnGCHeapSizes(0, count, heapBytesBefore, heapBytesAfter);
        });
        return this;
    }

    private int _gcs;

    public void Replay(IAllocationVisitor visitor, CancellationToken cancellationToken = default)
    {
        foreach (Action<IAllocationVisitor> ev in _events)
        {
            ev(visitor);
        }
    }

    public void Dispose()
    {
    }
}
