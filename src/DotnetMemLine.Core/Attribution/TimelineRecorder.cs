using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Attribution;

/// <summary>Gathers the recording's <see cref="RecordingTimeline"/> in the same pass as the lines: GCs and the allocation rate.</summary>
/// <param name="eventKind">What the allocation events are, for their bytes.</param>
/// <param name="durationSeconds">
/// The recording's length: allocation is summed in at most 20,000 intervals of it (100 ms, or wider for a long
/// recording), as a damaged trace can carry any timestamp.
/// </param>
internal sealed class TimelineRecorder(AllocationEventKind eventKind, double durationSeconds) : IAllocationVisitor
{
    /// <summary>At most this many intervals: a long recording gets wider ones than 100 ms (and a damaged duration cannot make them unbounded).</summary>
    private const int MostBuckets = 20_000;

    /// <summary>Allocation is summed in intervals of this many milliseconds.</summary>
    private readonly double _bucketMSec = Math.Max(100, durationSeconds * 1000 / MostBuckets);

    private readonly Dictionary<int, int> _generationOf = [];
    private readonly List<GCPoint> _gcs = [];
    private readonly List<double> _allocation = [];

    public void OnGCStart(double timeMSec, int count, int condemnedGeneration, GCType kind, int threadId, bool byAllocation) =>
        _generationOf[count] = condemnedGeneration;

    public bool FollowsObjects => false;

    public void OnGCHeapSizes(double timeMSec, int count, long heapBytesBefore, long heapBytesAfter)
    {
        if (timeMSec >= 0 && timeMSec / 1000 <= durationSeconds + 1)
        {
            _gcs.Add(new GCPoint(timeMSec / 1000, _generationOf.GetValueOrDefault(count, 0), heapBytesBefore >= 0 ? heapBytesBefore : null, heapBytesAfter));
        }
    }

    public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames)
    {
        double position = allocation.TimeMSec / _bucketMSec;
        if (!(position >= 0 && position <= MostBuckets))
        {
            return; // outside the recording: a damaged timestamp
        }

        int bucket = (int)position;
        while (_allocation.Count <= bucket)
        {
            _allocation.Add(0);
        }

        _allocation[bucket] += EventWeight.Of(eventKind, allocation);
    }

    /// <summary>The timeline, with the selected methods' spans (first to last sample, in milliseconds).</summary>
    public RecordingTimeline Build(double durationSeconds, IReadOnlyList<(double First, double Last)> methodTimes) => new(
        durationSeconds, [.. _gcs], [.. _allocation], _bucketMSec / 1000,
        [.. methodTimes.Select(t => t.First <= t.Last ? ((double, double)?)(t.First / 1000, t.Last / 1000) : null)]);
}
