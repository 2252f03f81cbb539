namespace DotnetMemLine.Estimation;

/// <summary>
/// Estimated bytes allocated by one bucket, with a confidence interval.
/// Always LowBytes &lt;= Bytes &lt;= HighBytes.
/// </summary>
/// <param name="Bytes">Point estimate of the allocated bytes.</param>
/// <param name="LowBytes">Lower end of the confidence interval.</param>
/// <param name="HighBytes">Upper end of the confidence interval.</param>
/// <param name="Samples">Number of events the estimate rests on.</param>
public readonly record struct AllocationEstimate(double Bytes, double LowBytes, double HighBytes, long Samples)
{
    /// <summary>
    /// True when the estimate comes from AllocationTick, whose fixed stride makes it biased for
    /// periodic allocation patterns; its interval is then only approximate.
    /// </summary>
    public bool Biased { get; init; }
}

/// <summary>Which runtime event the tallies were built from.</summary>
public enum EstimatorKind
{
    /// <summary>AllocationSampled (.NET 10+): randomized per-byte sampling, unbiased.</summary>
    RandomizedSampling,

    /// <summary>AllocationTick (older runtimes): one event per ~100 KB allocated, biased.</summary>
    AllocationTick,
}
