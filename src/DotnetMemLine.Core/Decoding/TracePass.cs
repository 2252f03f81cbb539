namespace DotnetMemLine.Decoding;

/// <summary>
/// One pass over a trace's events serving every consumer a command needs (the per-line attributor today; a
/// whole-stack aggregator, a per-type tally or a GC-survival tracker alike): each sees every event in order,
/// and the file is read once whatever their number. Consumers add no work to the decoders.
/// </summary>
public static class TracePass
{
    /// <summary>Replays the trace once, each event to every consumer in turn.</summary>
    public static void Replay(IAllocationTrace trace, IReadOnlyList<IAllocationVisitor> consumers, CancellationToken cancellationToken = default) =>
        trace.Replay(consumers.Count == 1 ? consumers[0] : new FanOut([.. consumers]), cancellationToken);

    private sealed class FanOut(IAllocationVisitor[] consumers) : IAllocationVisitor
    {
        public bool FollowsObjects { get; } = consumers.Any(c => c.FollowsObjects);

        public void OnGCHeapSizes(double timeMSec, int count, long heapBytesBefore, long heapBytesAfter)
        {
            foreach (IAllocationVisitor consumer in consumers)
            {
                consumer.OnGCHeapSizes(timeMSec, count, heapBytesBefore, heapBytesAfter);
            }
        }

        public void OnGCStart(double timeMSec, int count, int condemnedGeneration, GCType kind, int threadId, bool byAllocation)
        {
            foreach (IAllocationVisitor consumer in consumers)
            {
                consumer.OnGCStart(timeMSec, count, condemnedGeneration, kind, threadId, byAllocation);
            }
        }

        public void OnSurvivingRange(ulong start, ulong length)
        {
            foreach (IAllocationVisitor consumer in consumers)
            {
                consumer.OnSurvivingRange(start, length);
            }
        }

        public void OnMovedRange(ulong oldStart, ulong newStart, ulong length)
        {
            foreach (IAllocationVisitor consumer in consumers)
            {
                consumer.OnMovedRange(oldStart, newStart, length);
            }
        }

        public void OnRanges(GCRanges ranges)
        {
            foreach (IAllocationVisitor consumer in consumers)
            {
                consumer.OnRanges(ranges);
            }
        }

        public void OnGenerationRange(int generation, ulong start, ulong length)
        {
            foreach (IAllocationVisitor consumer in consumers)
            {
                consumer.OnGenerationRange(generation, start, length);
            }
        }

        public void OnGCEnd(double timeMSec, int count, int condemnedGeneration)
        {
            foreach (IAllocationVisitor consumer in consumers)
            {
                consumer.OnGCEnd(timeMSec, count, condemnedGeneration);
            }
        }

        public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames)
        {
            foreach (IAllocationVisitor consumer in consumers)
            {
                consumer.OnAllocation(allocation, frames);
            }
        }
    }
}
