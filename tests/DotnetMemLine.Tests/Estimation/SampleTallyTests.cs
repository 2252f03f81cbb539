using DotnetMemLine.Estimation;

namespace DotnetMemLine.Tests.Estimation;

[TestClass]
public sealed class SampleTallyTests
{
    [TestMethod]
    public void AddSampled_AccumulatesCountWeightAndUnseenTail()
    {
        var tally = new SampleTally();
        tally.AddSampled(24, 10);
        tally.AddSampled(1_000_000, 250_000);

        Assert.AreEqual(2L, tally.Samples);
        Assert.AreEqual(AllocationEstimator.SampleWeight(24) + AllocationEstimator.SampleWeight(1_000_000), tally.WeightedBytes, 1e-6);
        Assert.AreEqual((24.0 - 10) + (1_000_000.0 - 250_000), tally.UnseenTailBytes);
    }

    [TestMethod]
    public void Add_MergedTalliesEstimateLikeOneTally()
    {
        var first = new SampleTally();
        var second = new SampleTally();
        var combined = new SampleTally();
        var random = new Random(7);
        for (int i = 0; i < 500; i++)
        {
            long size = 8 * random.Next(3, 5000);
            long offset = random.NextInt64(size);
            (i % 3 == 0 ? first : second).AddSampled(size, offset);
            combined.AddSampled(size, offset);
        }

        first.Add(second);

        Assert.AreEqual(combined.Samples, first.Samples);
        Assert.AreEqual(combined.WeightedBytes, first.WeightedBytes, 1e-9 * combined.WeightedBytes);
        Assert.AreEqual(combined.UnseenTailBytes, first.UnseenTailBytes);

        AllocationEstimate merged = AllocationEstimator.Estimate(first, EstimatorKind.RandomizedSampling);
        AllocationEstimate direct = AllocationEstimator.Estimate(combined, EstimatorKind.RandomizedSampling);
        Assert.AreEqual(direct.Bytes, merged.Bytes, 1e-9 * direct.Bytes);
        Assert.AreEqual(direct.LowBytes, merged.LowBytes, 1e-9 * direct.LowBytes);
        Assert.AreEqual(direct.HighBytes, merged.HighBytes, 1e-9 * direct.HighBytes);
        Assert.AreEqual(direct.Samples, merged.Samples);
    }

    [TestMethod]
    public void Add_EmptyTallyChangesNothing()
    {
        var tally = new SampleTally();
        tally.AddSampled(100, 3);
        tally.Add(new SampleTally());

        Assert.AreEqual(1L, tally.Samples);
        Assert.AreEqual(97.0, tally.UnseenTailBytes);
    }

    [TestMethod]
    public void AddTick_SumsAmounts()
    {
        var tally = new SampleTally();
        tally.AddTick(102_400);
        tally.AddTick(110_000);

        Assert.AreEqual(2L, tally.Samples);
        Assert.AreEqual(212_400.0, tally.WeightedBytes);
        Assert.AreEqual(0.0, tally.UnseenTailBytes);
    }

    [TestMethod]
    public void AddExact_SumsBytesAndObjects_EvenForBatchedEvents()
    {
        var tally = new SampleTally();
        tally.AddExact(1_048, 1);
        tally.AddExact(120, 1);
        tally.AddExact(3 * 32, 3); // a batch: three 32-byte objects in one event

        Assert.AreEqual(3L, tally.Samples);
        Assert.AreEqual(5L, tally.Objects);
        Assert.AreEqual(1_264.0, tally.WeightedBytes);
    }

    [TestMethod]
    public void Add_MergesObjectCounts()
    {
        var first = new SampleTally();
        var second = new SampleTally();
        first.AddExact(24, 1);
        second.AddExact(48, 2);

        first.Add(second);

        Assert.AreEqual(3L, first.Objects);
        Assert.AreEqual(72.0, first.WeightedBytes);
    }

    [TestMethod]
    public void Adding_DoesNotAllocate()
    {
        var tally = new SampleTally();
        var other = new SampleTally();
        other.AddSampled(64, 1);

        // Warm up so that first-call costs are out of the measurement.
        tally.AddSampled(32, 5);
        tally.AddTick(1000);
        tally.Add(other);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            tally.AddSampled(24 + (8 * (i % 50)), i % 24);
            tally.Add(other);
        }

        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.AreEqual(0L, after - before);
    }

    [TestMethod]
    public void InvalidEvents_AreRejected()
    {
        var tally = new SampleTally();

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => tally.AddSampled(0, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => tally.AddSampled(24, -1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => tally.AddSampled(24, 24));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => tally.AddTick(-1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => tally.AddExact(-1, 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => tally.AddExact(24, 0));
        Assert.ThrowsExactly<ArgumentNullException>(() => tally.Add(null!));
        Assert.AreEqual(0L, tally.Samples);
    }
}
