using System.Runtime.CompilerServices;
using System.Globalization;

namespace DotnetMemLine.Estimation;

/// <summary>
/// Turns tallies of allocation events into byte estimates with confidence intervals, following
/// the runtime's design doc (docs/design/features/RandomizedAllocationSampling.md): every
/// allocated byte is a Bernoulli trial with success probability p = 1/102400, and the runtime
/// skips the rest of an object once one of its bytes succeeds.
/// </summary>
public static class AllocationEstimator
{
    /// <summary>The runtime's per-byte sampling probability p.</summary>
    public const double SamplingProbability = 1.0 / 102_400;

    /// <summary>
    /// Below this many samples an estimate is flagged low-confidence: the interval is then wider
    /// than about +-20% (+-6% takes ~1,000), so its ends matter more than the point.
    /// </summary>
    public const int LowConfidenceSamples = 100;

    // -log(q) = -log(1 - p): the exponential rate matching the per-byte failure probability q.
    private static readonly double FailureRate = -StableMath.Log1P(-SamplingProbability);

    /// <summary>
    /// The weight size/(1 - q^size) of one sample: the inverse of the probability that an object
    /// of this size is sampled, times its size, so that the sum over samples is unbiased.
    /// </summary>
    /// <summary>Below this many samples the weighted estimator is too far from normal to lend its interval.</summary>
    private const int MinimumSamplesForNormalInterval = 30;

    /// <summary>A weighted estimate whose normal 95% half-width is at most this share of it counts as precise.</summary>
    private const double PreciseRelativeSpread = 0.10;

    /// <summary>The bytes one AllocationSampled sample of an object of that size stands for (its inverse sampling probability times its size).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SampleWeight(long objectSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(objectSize);

        // 1 - q^size = -expm1(size·log(q)); the direct form loses most digits for small objects,
        // where q^size is within 1e-4 of 1.
        double sampledProbability = -StableMath.ExpM1(-objectSize * FailureRate);
        return objectSize / sampledProbability;
    }

    /// <summary>
    /// Estimates the bytes behind a tally.
    /// <list type="bullet">
    /// <item><see cref="EstimatorKind.RandomizedSampling"/>: the weighted estimator (doc's
    /// approach 1) as the point, and the negative-binomial interval (approach 2)
    /// [F(s, (1-C)/2) + u, F(s, (1+C)/2) + u], F being <see cref="NegativeBinomialFailuresQuantile"/>.</item>
    /// <item><see cref="EstimatorKind.AllocationTick"/>: the sum of tick amounts as the point, and
    /// an approximate interval marked <see cref="AllocationEstimate.Biased"/>.</item>
    /// <item><see cref="EstimatorKind.Exact"/>: the exact sum, with Low = High = the sum, and the object count.</item>
    /// </list>
    /// </summary>
    /// <param name="tally">The bucket's totals.</param>
    /// <param name="kind">Which event the tally was built from.</param>
    /// <param name="confidence">Probability C that the interval holds the true bytes, in (0, 1).</param>
    public static AllocationEstimate Estimate(SampleTally tally, EstimatorKind kind, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(tally);
        if (!(confidence > 0.0 && confidence < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "Confidence must be strictly between 0 and 1.");
        }

        double tailProbability = (1.0 - confidence) / 2.0;
        double upperCumulative = (1.0 + confidence) / 2.0;

        return kind switch
        {
            EstimatorKind.RandomizedSampling => EstimateSampled(tally, tailProbability, upperCumulative),
            EstimatorKind.AllocationTick => EstimateTicks(tally, tailProbability, upperCumulative),
            EstimatorKind.Exact => new AllocationEstimate(tally.WeightedBytes, tally.WeightedBytes, tally.WeightedBytes, tally.Samples)
            {
                Exact = true,
                Objects = tally.Objects,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown estimator kind."),
        };
    }

    /// <summary>
    /// The number of failures k at which the negative binomial CDF (failures before the
    /// <paramref name="successes"/>-th success, success probability <paramref name="p"/>) reaches
    /// <paramref name="cumulativeProbability"/>.
    /// </summary>
    /// <remarks>
    /// Computed from the gamma distribution rather than by summing or bisecting the discrete CDF,
    /// so the cost does not grow with the counts (s = 10^8 takes about a millisecond). With
    /// λ = -log(1 - p), each geometric failure run is floor(E/λ) for an exponential E, so the
    /// failure count K differs from G = Gamma(s, 1/λ) by the sum of s fractional parts:
    /// G - s &lt; K &lt;= G. The result is the gamma quantile minus s times the mean fractional
    /// part (1/λ - q/p, about 1/2), which puts the approximation's mean exactly on s·q/p and keeps
    /// it within s of the exact discrete quantile for any p; for p = 1/102400 that is a relative
    /// error below about 1e-5. The result is continuous (not rounded to an integer).
    /// </remarks>
    public static double NegativeBinomialFailuresQuantile(long successes, double cumulativeProbability, double p = SamplingProbability)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        if (!(cumulativeProbability >= 0.0 && cumulativeProbability <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(cumulativeProbability), cumulativeProbability, "Must be between 0 and 1.");
        }

        if (!(p > 0.0 && p <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Success probability must be in (0, 1].");
        }

        if (successes == 0 || p == 1.0 || cumulativeProbability == 0.0)
        {
            // No successes to wait for, or no failures possible: the distribution is 0.
            return 0.0;
        }

        if (cumulativeProbability == 1.0)
        {
            return double.PositiveInfinity;
        }

        double rate = -StableMath.Log1P(-p);
        double meanFractionalPart = (1.0 / rate) - ((1.0 - p) / p);
        double gammaQuantile = GammaDistribution.Quantile(successes, cumulativeProbability) / rate;
        return Math.Max(0.0, gammaQuantile - (successes * meanFractionalPart));
    }

    /// <summary>One line for a report header naming the estimator and its interval.</summary>
    /// <param name="kind">Which event the estimates come from.</param>
    /// <param name="confidence">The confidence passed to <see cref="Estimate"/>.</param>
    public static string Describe(EstimatorKind kind, double confidence = 0.95)
    {
        string percent = (confidence * 100.0).ToString("0.##", CultureInfo.InvariantCulture);
        return kind switch
        {
            EstimatorKind.RandomizedSampling =>
                $"AllocationSampled, weighted estimator, {percent}% negative-binomial interval",
            EstimatorKind.AllocationTick =>
                $"AllocationTick (~100 KB stride): biased on periodic allocation patterns, approximate {percent}% interval",
            EstimatorKind.Exact =>
                "exact: every allocation recorded (GCSampledObjectAllocation), no sampling error",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown estimator kind."),
        };
    }

    private static AllocationEstimate EstimateSampled(SampleTally tally, double tailProbability, double upperCumulative)
    {
        long samples = tally.Samples;
        if (samples == 0)
        {
            return new AllocationEstimate(0.0, 0.0, BytesThatCanPassUnseen(tailProbability, SamplingProbability), 0);
        }

        double bytes = tally.WeightedBytes;
        double low = NegativeBinomialFailuresQuantile(samples, tailProbability) + tally.UnseenTailBytes;
        // A line's samples are a subset whose window does not end on a sample: the bytes after its
        // last sample were trials too. The design document's remedy is to take the upper bound as if
        // one more sample had arrived; simulation showed the plain bound missing high ~3.5% of the
        // time instead of 2.5%, and 2-2.5% with this correction.
        double high = NegativeBinomialFailuresQuantile(samples + 1, upperCumulative) + tally.UnseenTailBytes;

        // The point comes from the weighted estimator and the interval from the failure count, two
        // different statistics. With few samples of large objects they can disagree: a 1 MB object
        // sampled at offset 0 weighs ~1 MB, yet u alone is 1 MB and the interval adds failures on
        // top. Widen rather than report a point outside its own interval.
        // The negative-binomial interval ignores object sizes, so for large objects (each sampled
        // almost surely) it is far wider than the weighted estimator's own spread, and the precise
        // point can sit on one of its ends. Once there are enough samples for the central limit
        // theorem, take the union with the weighted estimator's normal interval: each is a ~95%
        // interval under its own approximation, so the union covers at least as often as either.
        // Below 30 samples the normal interval is still sound when the weighted estimate is precise
        // anyway: a few large objects, each sampled almost surely (20 x 1 MiB arrays: the point is
        // within ~1 KB of the truth, while the negative-binomial low end can sit above it).
        double z = GammaDistribution.ApproximateNormalQuantile(upperCumulative); // to ~5e-4: ample for a spread
        double spread = z * Math.Sqrt(tally.WeightedVariance);
        if (samples < MinimumSamplesForNormalInterval && spread > PreciseRelativeSpread * bytes)
        {
            spread = 0;
        }

        // The sampled objects themselves were certainly allocated: nothing below their sizes is possible.
        low = Math.Max(tally.SampledObjectBytes, Math.Min(low, bytes - spread));
        return new AllocationEstimate(bytes, Math.Min(low, bytes), Math.Max(high, bytes + spread), samples);
    }

    private static AllocationEstimate EstimateTicks(SampleTally tally, double tailProbability, double upperCumulative)
    {
        long ticks = tally.Samples;
        if (ticks == 0)
        {
            // The tick stride is ~100 KB, the same as the sampling mean gap, so reuse its bound.
            return new AllocationEstimate(0.0, 0.0, BytesThatCanPassUnseen(tailProbability, SamplingProbability), 0)
            {
                Biased = true,
            };
        }

        // Approximation: pretend the ticks were random successes with one success per
        // mean-amount bytes, i.e. p = ticks / bytes, and reuse the negative binomial interval.
        // Real ticks fire at a fixed stride, so this is only right when the bucket's allocations
        // are uncorrelated with the stride; periodic patterns bias both point and interval.
        double bytes = tally.WeightedBytes;
        double tickProbability = bytes > ticks ? ticks / bytes : 1.0;

        // + ticks: each tick's crossing byte counts like a sampled byte, centring the interval on bytes.
        double low = NegativeBinomialFailuresQuantile(ticks, tailProbability, tickProbability) + ticks;
        double high = NegativeBinomialFailuresQuantile(ticks, upperCumulative, tickProbability) + ticks;
        return new AllocationEstimate(bytes, Math.Min(low, bytes), Math.Max(high, bytes), ticks)
        {
            Biased = true,
        };
    }

    /// <summary>
    /// With no sample, the largest byte count N for which seeing none still has probability
    /// tailProbability. Every one of N bytes must fail, which happens with probability exactly
    /// q^N whatever the object sizes, so N = log(tail)/log(q). This equals (to within a byte) the
    /// negative binomial quantile with s = 1 at 1 - tail: as if one more sample were about to land.
    /// </summary>
    private static double BytesThatCanPassUnseen(double tailProbability, double p)
        => Math.Log(tailProbability) / StableMath.Log1P(-p);
}
