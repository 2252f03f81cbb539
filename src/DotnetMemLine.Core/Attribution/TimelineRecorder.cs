using DotnetMemLine.Decoding;
using DotnetMemLine.Estimation;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Attribution;

/// <summary>Gathers the recording's <see cref="RecordingTimeline"/> in the same pass as the lines: GCs and the allocation rate.</summary>
internal sealed class TimelineRecorder(AllocationEventKind eventKind) : IAllocationVisitor
{
    /// <summary>Allocation is summed in intervals of this many milliseconds.</summary>
    private const double BucketMSec = 100;

    private readonly Dictionary<int, int> _generationOf = [];
    private readonly List<GCPoint> _gcs = [];
    private readonly List<double> _allocation = [];

    public void OnGCStart(double timeMSec, int count, int condemnedGeneration, GCType kind, int threadId, bool byAllocation) =>
        _generationOf[count] = condemnedGeneration;

    public void OnGCHeapSizes(double timeMSec, int count, long heapBytesBefore, long heapBytesAfter) =>
        _gcs.Add(new GCPoint(timeMSec / 1000, _generationOf.GetValueOrDefault(count, 0), heapBytesBefore >= 0 ? heapBytesBefore : null, heapBytesAfter));

    public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames)
    {
        int bucket = Math.Max(0, (int)(allocation.TimeMSec / BucketMSec));
        while (_allocation.Count <= bucket)
        {
            _allocation.Add(0);
        }

        _allocation[bucket] += eventKind switch
        {
            AllocationEventKind.Exact => allocation.ObjectSize,
            AllocationEventKind.AllocationTick => allocation.TickAmount,
            _ => AllocationEstimator.SampleWeight(allocation.ObjectSize),
        };
    }

    /// <summary>The timeline, with the selected methods' spans (first to last sample, in milliseconds).</summary>
    public RecordingTimeline Build(double durationSeconds, IReadOnlyList<(double First, double Last)> methodTimes) => new(
        durationSeconds, [.. _gcs], [.. _allocation], BucketMSec / 1000,
        [.. methodTimes.Select(t => t.First <= t.Last ? ((double, double)?)(t.First / 1000, t.Last / 1000) : null)]);
}
