namespace DotnetMemLine.Reporting;

/// <summary>
/// The recording over time, as <c>mprof plot</c> draws memory_profiler's: the GC heap at each GC, the allocation rate,
/// and when each selected method ran. Times are seconds from the start of the trace.
/// </summary>
/// <param name="DurationSeconds">How long the recording ran.</param>
/// <param name="GCs">Every GC with its generation and the heap's size when it began and ended.</param>
/// <param name="Allocation">Estimated bytes allocated in each interval of <see cref="BucketSeconds"/>.</param>
/// <param name="BucketSeconds">The width of an allocation interval.</param>
/// <param name="MethodSpans">For each selected method (the report's order), from its first sample to its last; null when it had none.</param>
public sealed record RecordingTimeline(double DurationSeconds, IReadOnlyList<GCPoint> GCs, IReadOnlyList<double> Allocation, double BucketSeconds,
    IReadOnlyList<(double Start, double End)?> MethodSpans)
{
    /// <summary>The process's resident memory, sampled by the collector while it recorded (seconds, bytes); empty when not sampled.</summary>
    public IReadOnlyList<(double Seconds, long Bytes)> ResidentMemory { get; init; } = [];
}

/// <summary>One GC on the timeline.</summary>
/// <param name="TimeSeconds">When it ended.</param>
/// <param name="Generation">The oldest generation it collected (0 to 2).</param>
/// <param name="HeapBeforeBytes">The GC heap when it began; null when the trace does not say.</param>
/// <param name="HeapAfterBytes">The GC heap when it ended.</param>
public sealed record GCPoint(double TimeSeconds, int Generation, long? HeapBeforeBytes, long HeapAfterBytes);
