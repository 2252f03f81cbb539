using DotnetMemLine.Decoding;
using DotnetMemLine.Estimation;

namespace DotnetMemLine.Attribution;

/// <summary>The bytes one allocation event stands for, for the consumers that sum events without tallying them.</summary>
internal static class EventWeight
{
    /// <summary>Its object (exact mode), its tick's amount (AllocationTick), or its sample's weight (AllocationSampled).</summary>
    public static double Of(AllocationEventKind kind, in AllocationRecord allocation) => kind switch
    {
        AllocationEventKind.Exact => allocation.ObjectSize,
        AllocationEventKind.AllocationTick => allocation.TickAmount,
        _ => AllocationEstimator.SampleWeight(allocation.ObjectSize),
    };

    /// <summary>A followed object's bytes: its size (exact mode), or its sample's weight.</summary>
    public static double Of(AllocationEventKind kind, LiveSpan span) =>
        kind == AllocationEventKind.Exact ? span.ObjectSize : AllocationEstimator.SampleWeight(span.ObjectSize);

    /// <summary>The objects an event of <paramref name="bytes"/> stands for: exact mode counts them, the sampled kinds estimate them from the object's size.</summary>
    public static double Objects(AllocationEventKind kind, double bytes, long objectSize, long objectCount) =>
        kind == AllocationEventKind.Exact ? objectCount : objectSize > 0 ? bytes / objectSize : 0;
}
