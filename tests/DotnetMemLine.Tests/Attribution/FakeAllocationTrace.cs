using DotnetMemLine.Decoding;

namespace DotnetMemLine.Tests.Attribution;

/// <summary>A trace built in memory: known methods, known stacks, known heap sizes.</summary>
internal sealed class FakeAllocationTrace(IReadOnlyList<TracedMethod> methods, AllocationEventKind kind = AllocationEventKind.AllocationSampled) : IAllocationTrace
{
    private readonly List<Action<IAllocationVisitor>> _events = [];

    public TraceSummary Summary => new("/fake.nettrace", 1.0, _events.Count, DroppedEvents, kind, HasStacks: true, BatchedExactEvents, EventsRead: _events.Count, HasRundown: HasRundown);

    /// <summary>False for a trace cut off before the runtime's rundown (target killed or crashed).</summary>
    public bool HasRundown { get; init; } = true;

    /// <summary>Events the runtime reported as lost.</summary>
    public long DroppedEvents { get; init; }

    /// <summary>Exact-mode events the decoder found standing for several objects.</summary>
    public long BatchedExactEvents { get; init; }

    public IReadOnlyList<TracedMethod> Methods => methods;

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

    public FakeAllocationTrace GC(long heapBytesAfter)
    {
        _events.Add(v => v.OnHeapSizeAfterGC(0, heapBytesAfter));
        return this;
    }

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
