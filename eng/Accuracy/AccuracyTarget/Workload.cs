namespace AccuracyTarget;

/// <summary>
/// The methods the accuracy suite profiles. Each checked line is
/// <c>mark = Truth.Mark(); Sink.Keep(...); Truth.Record(mark);</c> on one source line, ending with
/// a comment naming its pattern (the suite prints that comment as the line's label). Amounts are
/// chosen so that lines fall in every sample-count group: under 100 samples, 100 to 999, and 1,000
/// or more (one sample per ~100 KB of small objects; at most one per object, so an object of a MiB
/// or more is sampled almost exactly once).
/// </summary>
/// <remarks>
/// Objects of a class (<c>new object()</c>) are only ever allocated inside <see cref="Allocate"/>,
/// never directly on a checked line: the compiler keeps <c>mark</c> on the IL stack, and the JIT
/// (Tier0 and OSR alike) then performs a <c>newobj</c> allocation before the pending
/// <c>Truth.Mark()</c> call, so the line's truth would miss it. Arrays keep their order.
/// </remarks>
public static class Workload
{
    public const int ThreadCount = 4;
    public const int IterationsPerThread = 25_000;
    public const int ParallelIterations = 20_000;

    private const int PeriodicCycles = 3_000;

    /// <summary>One thread, object sizes from 24 B to the large object heap (LOH, 85,000 B and up).</summary>
    public static void SizeLadder()
    {
        long mark;
        mark = Truth.Mark(); Sink.Keep(Allocate.Objects(5_000_000)); Truth.Record(mark); // 24 B objects: 120 MB
        mark = Truth.Mark(); Sink.Keep(Allocate.ByteArrays(1_000_000, 104)); Truth.Record(mark); // 128 B arrays: 128 MB
        mark = Truth.Mark(); Sink.Keep(Allocate.GrowingLists(15_000, 1_000)); Truth.Record(mark); // List<int> growth, 32 B to 4 KB: 126 MB
        mark = Truth.Mark(); Sink.Keep(Allocate.ByteArrays(6_000, 8_168)); Truth.Record(mark); // 8 KB arrays: 49 MB
        mark = Truth.Mark(); Sink.Keep(Allocate.ByteArrays(4_000, 39_976)); Truth.Record(mark); // 40 KB arrays: 160 MB
        mark = Truth.Mark(); Sink.Keep(Allocate.ByteArrays(1_500, 79_976)); Truth.Record(mark); // 80 KB arrays (just under the LOH): 120 MB
        mark = Truth.Mark(); Sink.Keep(Allocate.ByteArrays(600, 199_976)); Truth.Record(mark); // 200 KB arrays (LOH): 120 MB
        for (int i = 0; i < 150; i++)
        {
            mark = Truth.Mark(); Sink.Keep(new byte[1024 * 1024]); Truth.Record(mark); // 1 MiB arrays (LOH), allocated in this frame: 157 MB
        }
    }

    /// <summary>
    /// A cycle of ~111 KB: 31 KB of tiny objects, then one 80,000 B array. The runtime fires
    /// AllocationTick on the allocation that takes its running count past 100 KB and then restarts
    /// the count from zero, so with this period every tick falls on the array.
    /// </summary>
    public static void Periodic()
    {
        long mark;
        for (int cycle = 0; cycle < PeriodicCycles; cycle++)
        {
            mark = Truth.Mark(); Sink.Keep(Allocate.Objects(1_300)); Truth.Record(mark); // periodic: 1,300 x 24 B objects per cycle: 94 MB
            mark = Truth.Mark(); Sink.Keep(new byte[79_976]); Truth.Record(mark); // periodic: one 80,000 B array per cycle: 240 MB
        }
    }

    /// <summary>Run by <see cref="ThreadCount"/> threads at once; each line's truth is summed over them.</summary>
    public static void SharedByThreads(int iterations)
    {
        long mark;
        for (int i = 0; i < iterations; i++)
        {
            mark = Truth.Mark(); Sink.Keep(Allocate.Strings(8, seed: i)); Truth.Record(mark); // threads: strings of 0-199 chars: 180 MB
            mark = Truth.Mark(); Sink.Keep(new int[300]); Truth.Record(mark); // threads: 1,224 B int arrays in this frame: 122 MB
            mark = Truth.Mark(); Sink.Keep(new long[1]); Truth.Record(mark); // threads: one 32 B array per iteration in this frame: 3.2 MB
        }
    }

    /// <summary>The body of a Parallel.For loop (thread-pool threads and the calling thread).</summary>
    public static void ParallelBody(int index)
    {
        long mark;
        mark = Truth.Mark(); Sink.Keep(Allocate.NumberLine(index)); Truth.Record(mark); // Parallel.For: StringBuilder line of numbers: 37 MB
        mark = Truth.Mark(); Sink.Keep(new double[500 + (index % 8 * 100)]); Truth.Record(mark); // Parallel.For: 4-10 KB double arrays: 137 MB
        mark = Truth.Mark(); Sink.Keep(Allocate.SmallDictionary(index % 16)); Truth.Record(mark); // Parallel.For: small dictionaries: 10.5 MB
    }

    /// <summary>Lines that allocate little, so their sample counts are small and their intervals wide.</summary>
    public static void FewSamples()
    {
        long mark;
        mark = Truth.Mark(); Sink.Keep(Allocate.Objects(20_000)); Truth.Record(mark); // few: 24 B objects: 480 KB
        mark = Truth.Mark(); Sink.Keep(Allocate.ByteArrays(1_000, 1_000)); Truth.Record(mark); // few: 1 KB arrays: 1 MB
        mark = Truth.Mark(); Sink.Keep(Allocate.ByteArrays(75, 39_976)); Truth.Record(mark); // few: 40 KB arrays: 3 MB
        mark = Truth.Mark(); Sink.Keep(Allocate.Strings(30_000, seed: 1)); Truth.Record(mark); // few: strings of 0-199 chars: 6 MB
        for (int i = 0; i < 20; i++)
        {
            mark = Truth.Mark(); Sink.Keep(new byte[1024 * 1024]); Truth.Record(mark); // few: 1 MiB arrays (LOH): 21 MB
        }
    }
}
