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
}
