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

    /// <summary>Exact mode: the bytes are an exact sum (Low = High = Bytes) and <see cref="Objects"/> is known.</summary>
    public bool Exact { get; init; }

    /// <summary>Exact mode: the number of objects allocated; null for sampled estimates.</summary>
    public long? Objects { get; init; }

    /// <summary>
    /// True when the estimate rests on fewer than <see cref="AllocationEstimator.LowConfidenceSamples"/>
    /// samples (but some): the point estimate is rough and the interval is what to read. Never for exact figures.
    /// </summary>
    public bool LowConfidence => !Exact && Samples is > 0 and < AllocationEstimator.LowConfidenceSamples;
}

/// <summary>Which runtime event the tallies were built from.</summary>
public enum EstimatorKind
{
    /// <summary>AllocationSampled (.NET 10+): randomized per-byte sampling, unbiased.</summary>
    RandomizedSampling,

    /// <summary>AllocationTick (older runtimes): one event per ~100 KB allocated, biased.</summary>
    AllocationTick,

    /// <summary>Exact mode: every allocated object recorded; the figures are sums, not estimates.</summary>
    Exact,
}
