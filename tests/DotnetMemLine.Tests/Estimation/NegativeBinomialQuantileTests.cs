using DotnetMemLine.Estimation;

namespace DotnetMemLine.Tests.Estimation;

[TestClass]
public sealed class NegativeBinomialQuantileTests
{
    // The design doc's table of failures at CDF = 0.025 and 0.975 for p = 1/102400. Checked
    // against exact discrete CDFs (arbitrary precision): each entry is the last k whose CDF is
    // still below the threshold, one less than the smallest k reaching it. The continuous
    // quantile computed here lies within half a failure of the latter, hence within 2 of the table.
    [TestMethod]
    [DataRow(1L, 2591d, 377738d)]
    [DataRow(2L, 24800d, 570531d)]
    [DataRow(3L, 63349d, 739802d)]
    [DataRow(4L, 111599d, 897761d)]
    [DataRow(5L, 166241d, 1048730d)]
    [DataRow(6L, 225469d, 1194827d)]
    [DataRow(7L, 288185d, 1337279d)]
    [DataRow(8L, 353666d, 1476870d)]
    [DataRow(9L, 421407d, 1614137d)]
    [DataRow(10L, 491039d, 1749469d)]
    [DataRow(20L, 1250954d, 3038270d)]
    [DataRow(30L, 2072639d, 4264804d)]
    [DataRow(40L, 2926207d, 5459335d)]
    [DataRow(50L, 3800118d, 6633475d)]
    [DataRow(100L, 8331581d, 12342053d)]
    [DataRow(200L, 17739679d, 23413825d)]
    [DataRow(300L, 27341465d, 34291862d)]
    [DataRow(400L, 37043463d, 45069676d)]
    [DataRow(500L, 46809487d, 55783459d)]
    [DataRow(1000L, 96149867d, 108842093d)]
    [DataRow(2000L, 195919830d, 213870137d)]
    [DataRow(3000L, 296301551d, 318286418d)]
    [DataRow(4000L, 396999923d, 422386047d)]
    [DataRow(5000L, 497900649d, 526283322d)]
    [DataRow(10000L, 1004017229d, 1044156743d)]
    public void Quantile_MatchesDesignDocTable(long samples, double failuresAtLowTail, double failuresAtHighTail)
    {
        double low = AllocationEstimator.NegativeBinomialFailuresQuantile(samples, 0.025);
        double high = AllocationEstimator.NegativeBinomialFailuresQuantile(samples, 0.975);

        Assert.AreEqual(failuresAtLowTail, low, 2.0);
        Assert.AreEqual(failuresAtHighTail, high, 2.0);

        // The brief's tolerance, implied by the absolute one above but stated for the record.
        double relativeTolerance = samples == 1 ? 1e-2 : 1e-3;
        Assert.IsLessThan(relativeTolerance, Math.Abs(low - failuresAtLowTail) / failuresAtLowTail);
        Assert.IsLessThan(relativeTolerance, Math.Abs(high - failuresAtHighTail) / failuresAtHighTail);
    }

    // For any p the result stays within s failures of the exact discrete quantile (see remarks
    // on NegativeBinomialFailuresQuantile); checked where the exact CDF is cheap to sum.
    [TestMethod]
    [DataRow(1L, 0.01)]
    [DataRow(3L, 0.01)]
    [DataRow(10L, 0.01)]
    [DataRow(2L, 0.2)]
    [DataRow(25L, 0.2)]
    [DataRow(4L, 0.7)]
    public void Quantile_IsWithinSuccessCountOfExactDiscreteQuantile(long successes, double p)
    {
        foreach (double cumulative in new[] { 0.025, 0.3, 0.5, 0.9, 0.975 })
        {
            double exact = ExactDiscreteQuantile(successes, cumulative, p);
            double computed = AllocationEstimator.NegativeBinomialFailuresQuantile(successes, cumulative, p);

            Assert.AreEqual(exact, computed, successes, $"s={successes}, p={p}, P={cumulative}");
        }
    }

    [TestMethod]
    public void Quantile_HugeSampleCount_AgreesWithNormalApproximation()
    {
        const long successes = 100_000_000;
        const double p = AllocationEstimator.SamplingProbability;
        double mean = successes * (1 - p) / p;
        double standardDeviation = Math.Sqrt(successes * (1 - p)) / p;
        double skewness = (2 - p) / Math.Sqrt(successes * (1 - p));

        foreach ((double cumulative, double z) in new[] { (0.025, -1.959963984540054), (0.5, 0.0), (0.975, 1.959963984540054) })
        {
            // Cornish-Fisher to first order in skewness; with s = 1e8 the next terms are ~1e-8 sd.
            double expected = mean + (standardDeviation * (z + ((z * z) - 1) * skewness / 6));
            double computed = AllocationEstimator.NegativeBinomialFailuresQuantile(successes, cumulative);

            Assert.AreEqual(expected, computed, 1e-4 * standardDeviation, $"P={cumulative}");
        }
    }

    [TestMethod]
    public void Quantile_IsMonotoneInProbabilityAndSuccesses()
    {
        double previous = 0;
        foreach (double cumulative in new[] { 1e-9, 0.001, 0.025, 0.2, 0.5, 0.8, 0.975, 0.999, 1 - 1e-9 })
        {
            double value = AllocationEstimator.NegativeBinomialFailuresQuantile(7, cumulative);
            Assert.IsGreaterThan(previous, value);
            previous = value;
        }

        previous = 0;
        foreach (long successes in new long[] { 1, 2, 10, 1000, 1_000_000, 10_000_000_000 })
        {
            double value = AllocationEstimator.NegativeBinomialFailuresQuantile(successes, 0.025);
            Assert.IsGreaterThan(previous, value);
            previous = value;
        }
    }

    [TestMethod]
    public void Quantile_DegenerateInputs()
    {
        Assert.AreEqual(0.0, AllocationEstimator.NegativeBinomialFailuresQuantile(0, 0.975));
        Assert.AreEqual(0.0, AllocationEstimator.NegativeBinomialFailuresQuantile(5, 0.0));
        Assert.AreEqual(double.PositiveInfinity, AllocationEstimator.NegativeBinomialFailuresQuantile(5, 1.0));
        Assert.AreEqual(0.0, AllocationEstimator.NegativeBinomialFailuresQuantile(5, 0.5, p: 1.0));

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AllocationEstimator.NegativeBinomialFailuresQuantile(-1, 0.5));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AllocationEstimator.NegativeBinomialFailuresQuantile(1, 1.5));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AllocationEstimator.NegativeBinomialFailuresQuantile(1, double.NaN));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AllocationEstimator.NegativeBinomialFailuresQuantile(1, 0.5, p: 0.0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AllocationEstimator.NegativeBinomialFailuresQuantile(1, 0.5, p: 1.5));
    }

    /// <summary>Smallest k with P(K &lt;= k) &gt;= cumulative, by summing the probability mass function.</summary>
    private static double ExactDiscreteQuantile(long successes, double cumulative, double p)
    {
        double q = 1 - p;
        double mass = Math.Pow(p, successes);
        double cdf = mass;
        long failures = 0;
        while (cdf < cumulative)
        {
            failures++;
            mass *= q * (failures + successes - 1) / failures;
            cdf += mass;
        }

        return failures;
    }
}
