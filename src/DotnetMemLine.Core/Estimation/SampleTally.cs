using System.Runtime.CompilerServices;
namespace DotnetMemLine.Estimation;

/// <summary>
/// Running totals for one bucket (a source line, a method, a type) of sampled allocations.
/// Feed it one kind of event only: AllocationSampled (<see cref="AddSampled"/>), AllocationTick
/// (<see cref="AddTick"/>) or exact mode's objects (<see cref="AddExact"/>). Each is estimated differently, see
/// <see cref="AllocationEstimator.Estimate"/>. Adding is O(1) and allocation-free so it can run
/// once per event.
/// </summary>
public sealed class SampleTally
{
    /// <summary>Number of events added (AllocationSampled samples, AllocationTick ticks or exact-mode events).</summary>
    public long Samples { get; private set; }

    /// <summary>Exact mode: the objects the events stand for. Zero for the sampled kinds, which do not know it.</summary>
    public long Objects { get; private set; }

    /// <summary>
    /// Sum of size/(1 - q^size) over AllocationSampled events (the unbiased weighted estimate),
    /// sum of AllocationAmount64 over AllocationTick events, or the exact bytes in exact mode.
    /// </summary>
    public double WeightedBytes { get; private set; }

    /// <summary>
    /// u = Σ (size - offset): for each sample, the successful byte plus the bytes after it in the
    /// same object, which the runtime skips without trials. Only meaningful for AllocationSampled.
    /// </summary>
    public double UnseenTailBytes { get; private set; }

    /// <summary>Σ size over AllocationSampled events: bytes certainly allocated, a hard floor for any interval.</summary>
    public double SampledObjectBytes { get; private set; }

    /// <summary>
    /// Unbiased estimate of the weighted estimator's variance: the sum over samples of
    /// w² · q^size, whose expectation over the sampling is Σ size² q^size / (1 - q^size).
    /// </summary>
    public double WeightedVariance { get; private set; }

    /// <summary>Adds one AllocationSampled event.</summary>
    /// <param name="objectSize">The object's size in bytes, as carried by the event.</param>
    /// <param name="sampledByteOffset">0-based offset of the successful trial within the object.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddSampled(long objectSize, long sampledByteOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(objectSize);
        ArgumentOutOfRangeException.ThrowIfNegative(sampledByteOffset);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sampledByteOffset, objectSize);

        Samples++;
        double weight = AllocationEstimator.SampleWeight(objectSize);
        WeightedBytes += weight;
        UnseenTailBytes += objectSize - sampledByteOffset;
        SampledObjectBytes += objectSize;
        WeightedVariance += weight * (weight - objectSize); // w² q^size, as w(1 - q^size) = size
    }

    /// <summary>Adds one AllocationTick event.</summary>
    /// <param name="allocationAmount">AllocationAmount64: bytes allocated since the previous tick on that heap.</param>
    public void AddTick(long allocationAmount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(allocationAmount);

        Samples++;
        WeightedBytes += allocationAmount;
    }

    /// <summary>Adds one exact-mode event (GCSampledObjectAllocation).</summary>
    /// <param name="bytes">TotalSizeForTypeSample: the total size of the objects the event stands for.</param>
    /// <param name="objects">ObjectCountForTypeSample: 1 when every object is logged, more if the runtime batched.</param>
    public void AddExact(long bytes, long objects)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(objects);

        Samples++;
        Objects += objects;
        WeightedBytes += bytes;
    }

    /// <summary>
    /// Adds another tally's totals to this one. Exact for the interval too: the failures before
    /// s1 and s2 successes with the same p sum to the failures before s1 + s2 successes.
    /// </summary>
    public void Add(SampleTally other)
    {
        ArgumentNullException.ThrowIfNull(other);

        Samples += other.Samples;
        Objects += other.Objects;
        WeightedBytes += other.WeightedBytes;
        UnseenTailBytes += other.UnseenTailBytes;
        SampledObjectBytes += other.SampledObjectBytes;
        WeightedVariance += other.WeightedVariance;
    }
}
