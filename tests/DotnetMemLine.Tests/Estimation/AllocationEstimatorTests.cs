using DotnetMemLine.Estimation;

namespace DotnetMemLine.Tests.Estimation;

[TestClass]
public sealed class AllocationEstimatorTests
{
    private const double P = AllocationEstimator.SamplingProbability;

    [TestMethod]
    public void SampleWeight_SmallObject_IsAboutOneOverP()
    {
        // size/(1 - q^size) = 1/p + (size - 1)/2 + O(p·size²) for small sizes.
        Assert.AreEqual(102_400.0, AllocationEstimator.SampleWeight(1), 1e-6);
        Assert.AreEqual(102_400.0 + 11.5, AllocationEstimator.SampleWeight(24), 1e-2);
        Assert.AreEqual(102_400.0 + 3.5, AllocationEstimator.SampleWeight(8), 1e-2);
    }

    [TestMethod]
    public void SampleWeight_HugeObject_IsItsOwnSize()
    {
        // A 10 MB object is sampled with probability 1 - e^-102: it stands for itself.
        const long tenMegabytes = 10 * 1024 * 1024;
        Assert.AreEqual(tenMegabytes, AllocationEstimator.SampleWeight(tenMegabytes), 1e-6);
    }

    [TestMethod]
    public void SampleWeight_ObjectOfMeanGap_MatchesClosedForm()
    {
        // q^(1/p) is within 5e-6 relative of 1/e; compare against the exact power instead.
        const long size = 102_400;
        double expected = size / (1 - Math.Exp(size * Math.Log(1 - P)));
        Assert.AreEqual(expected, AllocationEstimator.SampleWeight(size), 1e-9 * expected);
        Assert.AreEqual(size / (1 - (1 / Math.E)), AllocationEstimator.SampleWeight(size), 1.0);
    }

    [TestMethod]
    public void SampleWeight_RejectsNonPositiveSizes()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AllocationEstimator.SampleWeight(0));
    }

    [TestMethod]
    public void Estimate_LargeObjects_IntervalAlsoCoversTheWeightedEstimatorsOwnSpread()
    {
        // 200 LOH arrays, each sampled almost surely: the weighted point is nearly exact, while the
        // negative-binomial interval, blind to sizes, is ±3 MB and by chance may start above it.
        const long size = 1_048_600;
        var tally = new SampleTally();
        for (int i = 0; i < 200; i++)
        {
            tally.AddSampled(size, 20_000); // small offsets: the NB interval's low end lands above the truth
        }

        AllocationEstimate estimate = AllocationEstimator.Estimate(tally, EstimatorKind.RandomizedSampling);

        double weight = AllocationEstimator.SampleWeight(size);
        double sigma = Math.Sqrt(200 * weight * (weight - size));
        Assert.AreEqual(200 * weight, estimate.Bytes, 1e-3);
        Assert.IsTrue(estimate.LowBytes <= estimate.Bytes - (1.95 * sigma), $"low {estimate.LowBytes:N0} must reach below the point by the weighted spread");
        Assert.IsTrue(estimate.LowBytes < 200.0 * size, "the truth (every object's size) must be inside");
    }

    [TestMethod]
    public void Estimate_UsesWeightedPointAndNegativeBinomialInterval()
    {
        var tally = new SampleTally();
        for (int i = 0; i < 8; i++)
        {
            tally.AddSampled(48, 48 - 1 - i);
        }

        AllocationEstimate estimate = AllocationEstimator.Estimate(tally, EstimatorKind.RandomizedSampling);

        double u = tally.UnseenTailBytes;
        Assert.AreEqual(36.0, u);
        Assert.AreEqual(8 * AllocationEstimator.SampleWeight(48), estimate.Bytes, 1e-6);
        Assert.AreEqual(AllocationEstimator.NegativeBinomialFailuresQuantile(8, 0.025) + u, estimate.LowBytes, 1e-6);
        // Upper bound as if one more sample had arrived: a line's window does not end on a sample.
        Assert.AreEqual(AllocationEstimator.NegativeBinomialFailuresQuantile(9, 0.975) + u, estimate.HighBytes, 1e-6);
        Assert.AreEqual(8L, estimate.Samples);
        Assert.IsFalse(estimate.Biased);
    }

    [TestMethod]
    public void Estimate_NoSamples_BoundsWhatCouldPassUnseen()
    {
        AllocationEstimate estimate = AllocationEstimator.Estimate(new SampleTally(), EstimatorKind.RandomizedSampling);

        Assert.AreEqual(0.0, estimate.Bytes);
        Assert.AreEqual(0.0, estimate.LowBytes);
        Assert.AreEqual(0L, estimate.Samples);

        // q^N = 0.025 at the upper bound, which is the s = 1 upper quantile to within a byte.
        Assert.AreEqual(Math.Log(0.025) / Math.Log(1 - P), estimate.HighBytes, 1e-6);
        Assert.AreEqual(AllocationEstimator.NegativeBinomialFailuresQuantile(1, 0.975), estimate.HighBytes, 1.0);
        Assert.AreEqual(377_739, estimate.HighBytes, 1.0);
    }

    [TestMethod]
    public void Estimate_PointOutsideNegativeBinomialInterval_IsWidenedToIncludeIt()
    {
        // A 10 MB object sampled at its first byte: u = 10 MB and the interval adds failures on
        // top, while the weighted point is exactly 10 MB.
        var tally = new SampleTally();
        tally.AddSampled(10 * 1024 * 1024, 0);

        AllocationEstimate estimate = AllocationEstimator.Estimate(tally, EstimatorKind.RandomizedSampling);

        Assert.AreEqual(estimate.Bytes, estimate.LowBytes);
        Assert.IsGreaterThan(estimate.Bytes, estimate.HighBytes);
    }

    [TestMethod]
    public void Estimate_AlwaysOrdersLowPointHigh()
    {
        var random = new Random(11);
        for (int trial = 0; trial < 300; trial++)
        {
            var tally = new SampleTally();
            int samples = random.Next(0, 6);
            for (int i = 0; i < samples; i++)
            {
                long size = random.Next(2) == 0 ? 8 * random.Next(3, 20) : 8L * random.Next(10_000, 2_000_000);
                tally.AddSampled(size, random.NextInt64(size));
            }

            foreach (EstimatorKind kind in Enum.GetValues<EstimatorKind>())
            {
                AllocationEstimate estimate = AllocationEstimator.Estimate(tally, kind);
                Assert.IsLessThanOrEqualTo(estimate.Bytes, estimate.LowBytes);
                Assert.IsGreaterThanOrEqualTo(estimate.Bytes, estimate.HighBytes);
            }
        }
    }

    [TestMethod]
    public void Estimate_ConfidenceWidensTheInterval()
    {
        var tally = new SampleTally();
        for (int i = 0; i < 30; i++)
        {
            tally.AddSampled(64, i % 64);
        }

        AllocationEstimate narrow = AllocationEstimator.Estimate(tally, EstimatorKind.RandomizedSampling, 0.5);
        AllocationEstimate usual = AllocationEstimator.Estimate(tally, EstimatorKind.RandomizedSampling);
        AllocationEstimate wide = AllocationEstimator.Estimate(tally, EstimatorKind.RandomizedSampling, 0.999);

        Assert.AreEqual(usual.Bytes, narrow.Bytes);
        Assert.IsLessThan(narrow.LowBytes, usual.LowBytes);
        Assert.IsLessThan(usual.LowBytes, wide.LowBytes);
        Assert.IsGreaterThan(narrow.HighBytes, usual.HighBytes);
        Assert.IsGreaterThan(usual.HighBytes, wide.HighBytes);

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AllocationEstimator.Estimate(tally, EstimatorKind.RandomizedSampling, 1.0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AllocationEstimator.Estimate(tally, EstimatorKind.RandomizedSampling, 0.0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AllocationEstimator.Estimate(tally, EstimatorKind.RandomizedSampling, double.NaN));
        Assert.ThrowsExactly<ArgumentNullException>(() => AllocationEstimator.Estimate(null!, EstimatorKind.RandomizedSampling));
    }

    [TestMethod]
    public void Estimate_Ticks_SumsAmountsWithScaledBiasedInterval()
    {
        var tally = new SampleTally();
        for (int i = 0; i < 50; i++)
        {
            tally.AddTick(102_400);
        }

        AllocationEstimate estimate = AllocationEstimator.Estimate(tally, EstimatorKind.AllocationTick);

        Assert.IsTrue(estimate.Biased);
        Assert.AreEqual(50L, estimate.Samples);
        Assert.AreEqual(5_120_000.0, estimate.Bytes);

        // Mean 102400 bytes per tick means the tick probability equals the sampling one, so the
        // interval is the doc's s = 50 row (plus one byte per tick).
        Assert.AreEqual(3_800_118 + 50, estimate.LowBytes, 3.0);
        Assert.AreEqual(6_633_475 + 50, estimate.HighBytes, 3.0);
    }

    [TestMethod]
    public void Estimate_Ticks_IntervalScalesWithMeanAmount()
    {
        var small = new SampleTally();
        var large = new SampleTally();
        for (int i = 0; i < 20; i++)
        {
            small.AddTick(100_000);
            large.AddTick(200_000);
        }

        AllocationEstimate smallEstimate = AllocationEstimator.Estimate(small, EstimatorKind.AllocationTick);
        AllocationEstimate largeEstimate = AllocationEstimator.Estimate(large, EstimatorKind.AllocationTick);

        Assert.AreEqual(2 * smallEstimate.Bytes, largeEstimate.Bytes);
        Assert.AreEqual(2 * smallEstimate.LowBytes, largeEstimate.LowBytes, 1e-4 * largeEstimate.LowBytes);
        Assert.AreEqual(2 * smallEstimate.HighBytes, largeEstimate.HighBytes, 1e-4 * largeEstimate.HighBytes);
    }

    [TestMethod]
    public void Estimate_NoTicks_IsBiasedZeroWithUnseenBound()
    {
        AllocationEstimate estimate = AllocationEstimator.Estimate(new SampleTally(), EstimatorKind.AllocationTick);

        Assert.IsTrue(estimate.Biased);
        Assert.AreEqual(0.0, estimate.Bytes);
        Assert.AreEqual(0.0, estimate.LowBytes);
        Assert.AreEqual(377_739, estimate.HighBytes, 1.0);
    }

    [TestMethod]
    public void Describe_NamesEventAndInterval()
    {
        Assert.AreEqual(
            "AllocationSampled, weighted estimator, 95% negative-binomial interval",
            AllocationEstimator.Describe(EstimatorKind.RandomizedSampling));
        Assert.AreEqual(
            "AllocationSampled, weighted estimator, 99.5% negative-binomial interval",
            AllocationEstimator.Describe(EstimatorKind.RandomizedSampling, 0.995));
        StringAssert.StartsWith(AllocationEstimator.Describe(EstimatorKind.AllocationTick), "AllocationTick (~100 KB stride): biased");
        StringAssert.StartsWith(AllocationEstimator.Describe(EstimatorKind.Exact), "exact: every allocation recorded");
    }

    [TestMethod]
    public void Estimate_Exact_IsTheSumWithAZeroWidthIntervalAndTheObjectCount()
    {
        var tally = new SampleTally();
        tally.AddExact(1_048, 1);
        tally.AddExact(65_560, 1);
        tally.AddExact(64, 2);

        AllocationEstimate estimate = AllocationEstimator.Estimate(tally, EstimatorKind.Exact);

        Assert.AreEqual(66_672.0, estimate.Bytes);
        Assert.AreEqual(66_672.0, estimate.LowBytes);
        Assert.AreEqual(66_672.0, estimate.HighBytes);
        Assert.AreEqual(4L, estimate.Objects);
        Assert.AreEqual(3L, estimate.Samples);
        Assert.IsTrue(estimate.Exact);
        Assert.IsFalse(estimate.Biased);
        Assert.IsFalse(estimate.LowConfidence, "exact figures have no sampling error, however few the events");
    }

    [TestMethod]
    public void Estimate_Sampled_HasNoObjectCount()
    {
        var tally = new SampleTally();
        tally.AddSampled(1_000, 10);

        Assert.IsNull(AllocationEstimator.Estimate(tally, EstimatorKind.RandomizedSampling).Objects);
    }

    [TestMethod]
    [DataRow(0, false)]  // nothing seen: nothing to be unsure about (the line is blank)
    [DataRow(1, true)]
    [DataRow(99, true)]
    [DataRow(100, false)]
    [DataRow(5_000, false)]
    public void LowConfidence_IsBetweenOneAndNinetyNineSamples_ForSamplesAndTicksAlike(int events, bool expected)
    {
        var sampled = new SampleTally();
        var ticks = new SampleTally();
        for (int i = 0; i < events; i++)
        {
            sampled.AddSampled(1_000, 10);
            ticks.AddTick(102_400);
        }

        Assert.AreEqual(expected, AllocationEstimator.Estimate(sampled, EstimatorKind.RandomizedSampling).LowConfidence);
        Assert.AreEqual(expected, AllocationEstimator.Estimate(ticks, EstimatorKind.AllocationTick).LowConfidence);
    }
}
