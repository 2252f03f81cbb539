namespace DotnetMemLine.Attribution;

/// <summary>
/// Follows the managed heap's size through a trace: the size after the last GC plus the bytes
/// estimated to have been allocated since (on every thread). Unknown until the first GC is seen,
/// because a session that attaches late does not know what the heap held before.
/// </summary>
internal sealed class HeapTracker
{
    private long _heapAfterLastGC = -1;
    private double _allocatedSinceLastGC;

    /// <summary>The current estimate, or null before the first GC.</summary>
    public long? CurrentBytes => _heapAfterLastGC < 0 ? null : _heapAfterLastGC + (long)_allocatedSinceLastGC;

    public void OnGCEnd(long heapBytes)
    {
        _heapAfterLastGC = heapBytes;
        _allocatedSinceLastGC = 0;
    }

    public void OnAllocated(double estimatedBytes) => _allocatedSinceLastGC += estimatedBytes;
}
