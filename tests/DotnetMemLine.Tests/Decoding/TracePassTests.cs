using DotnetMemLine.Decoding;
using DotnetMemLine.Tests.Attribution;

namespace DotnetMemLine.Tests.Decoding;

[TestClass]
public sealed class TracePassTests
{
    [TestMethod]
    public void EveryConsumer_SeesEveryEvent_InOrder_InOnePass()
    {
        var trace = new FakeAllocationTrace([])
            .GC(heapBytesAfter: 10)
            .Sample(100, FakeAllocationTrace.Frame(0, 1))
            .GC(heapBytesAfter: 20)
            .Sample(300, FakeAllocationTrace.Frame(0, 2), FakeAllocationTrace.Frame(0, 3));
        var first = new EventLog();
        var second = new EventLog();

        TracePass.Replay(trace, [first, second]);

        string[] expected = ["gc 10", "alloc 100 frames 1", "gc 20", "alloc 300 frames 2"];
        CollectionAssert.AreEqual(expected, first.Events);
        CollectionAssert.AreEqual(expected, second.Events);
    }

    private sealed class EventLog : IAllocationVisitor
    {
        public List<string> Events { get; } = [];

        public void OnGCHeapSizes(double timeMSec, int count, long heapBytesBefore, long heapBytesAfter) => Events.Add($"gc {heapBytesAfter}");

        public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames) =>
            Events.Add($"alloc {allocation.ObjectSize} frames {frames.Length}");
    }
}
