using DotnetMemLine.Estimation;

namespace DotnetMemLine.Tests.Estimation;

[TestClass]
public sealed class GammaDistributionTests
{
    [TestMethod]
    public void StableMath_KeepsPrecisionNearZero()
    {
        // log(1+x) = x - x²/2 + …; exp(x) - 1 = x + x²/2 + …; the naive forms lose ~6 digits here.
        const double x = 1e-5;
        Assert.AreEqual(x - (x * x / 2) + (x * x * x / 3), StableMath.Log1P(x), 1e-20);
        Assert.AreEqual(-x - (x * x / 2) - (x * x * x / 3), StableMath.Log1P(-x), 1e-20);
        Assert.AreEqual(x + (x * x / 2) + (x * x * x / 6), StableMath.ExpM1(x), 1e-20);
        Assert.AreEqual(-x + (x * x / 2) - (x * x * x / 6), StableMath.ExpM1(-x), 1e-20);
        Assert.AreEqual(-1.0, StableMath.ExpM1(-800));
        Assert.AreEqual(Math.E - 1, StableMath.ExpM1(1), 1e-15);
        Assert.AreEqual(Math.Log(3), StableMath.Log1P(2), 1e-15);
    }

    [TestMethod]
    [DataRow(1.0, 0.0)]
    [DataRow(2.0, 0.0)]
    [DataRow(5.0, 3.1780538303479458)] // log 24
    [DataRow(10.0, 12.801827480081469)] // log 362880
    [DataRow(0.5, 0.57236494292470008)] // log √π
    [DataRow(100.0, 359.13420536957540)]
    public void LogGamma_MatchesKnownValues(double shape, double expected)
    {
        Assert.AreEqual(expected, GammaDistribution.LogGamma(shape), 1e-12 * Math.Max(1, expected));
    }

    [TestMethod]
    [DataRow(0.3)]
    [DataRow(1.0)]
    [DataRow(2.5)]
    [DataRow(7.0)]
    public void RegularizedIncompleteGamma_MatchesClosedFormsForSmallIntegerShapes(double x)
    {
        // P(n, x) = 1 - e^-x Σ_{k<n} x^k/k!
        Assert.AreEqual(1 - (Math.Exp(-x) * (1 + x)), GammaDistribution.RegularizedIncompleteGamma(2, x).Lower, 1e-14);
        double upperForThree = Math.Exp(-x) * (1 + x + (x * x / 2));
        Assert.AreEqual(upperForThree, GammaDistribution.RegularizedIncompleteGamma(3, x).Upper, 1e-14);
    }

    [TestMethod]
    [DataRow(1.0)]
    [DataRow(2.0)]
    [DataRow(3.0)]
    [DataRow(17.0)]
    [DataRow(1000.0)]
    [DataRow(1e7)]
    public void Quantile_InvertsTheDistributionFunction(double shape)
    {
        foreach (double probability in new[] { 1e-6, 0.025, 0.5, 0.975, 1 - 1e-6 })
        {
            double x = GammaDistribution.Quantile(shape, probability);
            (double lower, double upper) = GammaDistribution.RegularizedIncompleteGamma(shape, x);
            double tail = probability < 0.5 ? lower : upper;
            double expectedTail = probability < 0.5 ? probability : 1 - probability;

            Assert.AreEqual(expectedTail, tail, 1e-9 * expectedTail, $"a={shape}, P={probability}");
        }
    }
}
