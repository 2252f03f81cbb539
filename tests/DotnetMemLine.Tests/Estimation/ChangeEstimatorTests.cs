using DotnetMemLine.Estimation;

namespace DotnetMemLine.Tests.Estimation;

/// <summary>
/// The change between two recordings of a line, on simulated samples (the runtime's sampling model, fixed seeds):
/// when nothing changed, the change is called beyond noise at about the stated 5%; when the line grew by a fifth or
/// more, it is found most of the time; exact figures compare exactly.
/// </summary>
[TestClass]
public sealed class ChangeEstimatorTests
{
    private const long LineBytes = 20L * 1024 * 1024;
    private const int Pairs = 1_000;

    [TestMethod]
    public void WhenNothingChanged_TheFalseAlarmRate_IsAboutTheStatedFivePercent()
    {
        double rate = AlarmRate(LineBytes, LineBytes, seed: 11);
        // 1,000 pairs: the rate's own standard error is 0.7 points, so [2.5%, 8%] is more than three of them around 5%.
        Assert.IsTrue(rate is >= 0.025 and <= 0.08, $"false alarm rate {rate:P1}");
    }

    [TestMethod]
    public void AGrowthOfAFifth_IsFoundMostOfTheTime_AndOfAHalf_Always()
    {
        double fifth = AlarmRate(LineBytes, LineBytes * 6 / 5, seed: 23);
        double half = AlarmRate(LineBytes, LineBytes * 3 / 2, seed: 37);
        Assert.IsGreaterThan(0.75, fifth, $"power at +20%: {fifth:P1}");
        Assert.IsGreaterThan(0.995, half, $"power at +50%: {half:P1}");
    }

    [TestMethod]
    public void TheChangesInterval_HoldsTheTrueChange_AtAboutTheStatedRate()
    {
        var random = new Random(5);
        int covered = 0;
        for (int pair = 0; pair < Pairs; pair++)
        {
            (double Bytes, double Low, double High) before = Record(new AllocationSamplingSimulator(random.Next()), LineBytes, out long beforeTruth);
            (double Bytes, double Low, double High) after = Record(new AllocationSamplingSimulator(random.Next()), 2 * LineBytes, out long afterTruth);
            ChangeEstimate change = ChangeEstimator.Between(before, after, beforeExact: false, afterExact: false);
            covered += change.Low <= afterTruth - beforeTruth && afterTruth - beforeTruth <= change.High ? 1 : 0;
        }

        double coverage = (double)covered / Pairs;
        Assert.IsTrue(coverage is >= 0.92 and <= 0.98, $"coverage {coverage:P1}");
    }

    [TestMethod]
    public void ExactFigures_CompareExactly()
    {
        ChangeEstimate same = ChangeEstimator.Between((1_000, 1_000, 1_000), (1_000, 1_000, 1_000), beforeExact: true, afterExact: true);
        ChangeEstimate grew = ChangeEstimator.Between((1_000, 1_000, 1_000), (1_064, 1_064, 1_064), beforeExact: true, afterExact: true);
        ChangeEstimate appeared = ChangeEstimator.Between(null, (64, 64, 64), beforeExact: true, afterExact: true);
        Assert.AreEqual(new ChangeEstimate(0, 0, 0, false), same);
        Assert.AreEqual(new ChangeEstimate(64, 64, 64, true), grew);
        Assert.IsTrue(appeared.BeyondNoise);
    }

    [TestMethod]
    public void ALineWithNoSamples_MayStillHaveAllocatedAFewHundredKilobytes()
    {
        // One 100 KB sample after, none before: sampling cannot tell that from nothing changing.
        ChangeEstimate oneSample = ChangeEstimator.Between(null, (100_000, 2_600, 557_000), beforeExact: false, afterExact: false);
        Assert.IsFalse(oneSample.BeyondNoise, oneSample.ToString());
        ChangeEstimate manySamples = ChangeEstimator.Between(null, (50_000_000, 47_000_000, 53_000_000), beforeExact: false, afterExact: false);
        Assert.IsTrue(manySamples.BeyondNoise, manySamples.ToString());
    }

    private static double AlarmRate(long beforeBytes, long afterBytes, int seed)
    {
        var random = new Random(seed);
        int alarms = 0;
        for (int pair = 0; pair < Pairs; pair++)
        {
            var before = Record(new AllocationSamplingSimulator(random.Next()), beforeBytes, out _);
            var after = Record(new AllocationSamplingSimulator(random.Next()), afterBytes, out _);
            alarms += ChangeEstimator.Between(before, after, beforeExact: false, afterExact: false).BeyondNoise ? 1 : 0;
        }

        return (double)alarms / Pairs;
    }

    private static (double Bytes, double Low, double High) Record(AllocationSamplingSimulator simulator, long bytes, out long truth)
    {
        var tally = new SampleTally();
        truth = simulator.AllocateMixed(bytes, tally);
        AllocationEstimate estimate = AllocationEstimator.Estimate(tally, EstimatorKind.RandomizedSampling);
        return (estimate.Bytes, estimate.LowBytes, estimate.HighBytes);
    }
}
