using DotnetMemLine.Estimation;

namespace DotnetMemLine.Tests.Estimation;

/// <summary>
/// Replays the runtime's sampling model on a synthetic allocation stream: a geometric number of
/// failed byte trials before each success, the object holding the success is sampled at that
/// offset, and the rest of that object is skipped before drawing the next gap.
/// </summary>
internal sealed class AllocationSamplingSimulator
{
    private static readonly double LogFailureProbability = StableMath.Log1P(-AllocationEstimator.SamplingProbability);

    private readonly Random _random;
    private long _failuresBeforeNextSuccess;

    public AllocationSamplingSimulator(int seed)
    {
        _random = new Random(seed);
        _failuresBeforeNextSuccess = NextGeometricGap();
    }

    /// <summary>Allocates mixed-size objects until at least <paramref name="totalBytes"/>; returns the exact total.</summary>
    public long AllocateMixed(long totalBytes, SampleTally tally)
    {
        long allocated = 0;
        while (allocated < totalBytes)
        {
            long size = NextObjectSize();
            allocated += size;
            Allocate(size, tally);
        }

        return allocated;
    }

    public void Allocate(long objectSize, SampleTally tally)
    {
        if (_failuresBeforeNextSuccess >= objectSize)
        {
            _failuresBeforeNextSuccess -= objectSize;
            return;
        }

        tally.AddSampled(objectSize, _failuresBeforeNextSuccess);
        _failuresBeforeNextSuccess = NextGeometricGap();
    }

    // Inverse transform sampling of the geometric distribution, as the runtime does.
    private long NextGeometricGap() => (long)Math.Floor(Math.Log(1 - _random.NextDouble()) / LogFailureProbability);

    // Bytes split roughly 4% small objects, 27% medium arrays, 69% large (LOH-sized) arrays, so
    // both the nearly-always-sampled and the rarely-sampled regimes carry weight.
    private long NextObjectSize()
    {
        double category = _random.NextDouble();
        if (category < 0.90)
        {
            return 24 + (8 * _random.Next(0, 13));
        }

        if (category < 0.999)
        {
            return 8 * _random.Next(16, 1024);
        }

        return 8L * _random.Next(10_000, 250_000);
    }
}
