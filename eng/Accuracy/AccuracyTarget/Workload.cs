namespace AccuracyTarget;

/// <summary>
/// The methods the accuracy suite profiles. Each checked line is plain code on a line of its own
/// (<c>var x = ...;</c>), with <c>mark = Truth.Mark();</c> on the line before and
/// <c>Truth.Record(mark);</c> on the line after (see Truth), and ends with a comment naming its
/// pattern (the suite prints that comment as the line's label). Amounts are
/// chosen so that lines fall in every sample-count group: under 100 samples, 100 to 999, and 1,000
/// or more (one sample per ~100 KB of small objects; at most one per object, so an object of a MiB
/// or more is sampled almost exactly once).
/// </summary>
/// <remarks>
/// Objects of a class (<c>new object()</c>) are only ever allocated inside <see cref="Allocate"/>,
/// never directly on a checked line: with the earlier one-line shape and a <c>long</c> mark, the
/// compiler kept <c>mark</c> on the IL stack and the JIT (Tier0 and OSR alike) performed a
/// <c>newobj</c> allocation before the pending <c>Truth.Mark()</c> call, so the line's truth missed
/// it. Arrays keep their order.
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
        var mark = Truth.Mark();
        var objects = Allocate.Objects(5_000_000); // 24 B objects: 120 MB
        Truth.Record(mark);
        Sink.Keep(objects);
        mark = Truth.Mark();
        var arrays128 = Allocate.ByteArrays(1_000_000, 104); // 128 B arrays: 128 MB
        Truth.Record(mark);
        Sink.Keep(arrays128);
        mark = Truth.Mark();
        var lists = Allocate.GrowingLists(15_000, 1_000); // List<int> growth, 32 B to 4 KB: 126 MB
        Truth.Record(mark);
        Sink.Keep(lists);
        mark = Truth.Mark();
        var arrays8k = Allocate.ByteArrays(6_000, 8_168); // 8 KB arrays: 49 MB
        Truth.Record(mark);
        Sink.Keep(arrays8k);
        mark = Truth.Mark();
        var arrays40k = Allocate.ByteArrays(4_000, 39_976); // 40 KB arrays: 160 MB
        Truth.Record(mark);
        Sink.Keep(arrays40k);
        mark = Truth.Mark();
        var arrays80k = Allocate.ByteArrays(1_500, 79_976); // 80 KB arrays (just under the LOH): 120 MB
        Truth.Record(mark);
        Sink.Keep(arrays80k);
        mark = Truth.Mark();
        var arrays200k = Allocate.ByteArrays(600, 199_976); // 200 KB arrays (LOH): 120 MB
        Truth.Record(mark);
        Sink.Keep(arrays200k);
        for (int i = 0; i < 150; i++)
        {
            mark = Truth.Mark();
            var block = new byte[1024 * 1024]; // 1 MiB arrays (LOH), allocated in this frame: 157 MB
            Truth.Record(mark);
            Sink.Keep(block);
        }
    }

    /// <summary>
    /// A cycle of ~111 KB: 31 KB of tiny objects, then one 80,000 B array. The runtime fires
    /// AllocationTick on the allocation that takes its running count past 100 KB and then restarts
    /// the count from zero, so with this period every tick falls on the array.
    /// </summary>
    public static void Periodic()
    {
        TruthMark mark;
        for (int cycle = 0; cycle < PeriodicCycles; cycle++)
        {
            mark = Truth.Mark();
            var objects = Allocate.Objects(1_300); // periodic: 1,300 x 24 B objects per cycle: 94 MB
            Truth.Record(mark);
            Sink.Keep(objects);
            mark = Truth.Mark();
            var array = new byte[79_976]; // periodic: one 80,000 B array per cycle: 240 MB
            Truth.Record(mark);
            Sink.Keep(array);
        }
    }

    /// <summary>Run by <see cref="ThreadCount"/> threads at once; each line's truth is summed over them.</summary>
    public static void SharedByThreads(int iterations)
    {
        TruthMark mark;
        for (int i = 0; i < iterations; i++)
        {
            mark = Truth.Mark();
            var strings = Allocate.Strings(8, seed: i); // threads: strings of 0-199 chars: 180 MB
            Truth.Record(mark);
            Sink.Keep(strings);
            mark = Truth.Mark();
            var ints = new int[300]; // threads: 1,224 B int arrays in this frame: 122 MB
            Truth.Record(mark);
            Sink.Keep(ints);
            mark = Truth.Mark();
            var longs = new long[1]; // threads: one 32 B array per iteration in this frame: 3.2 MB
            Truth.Record(mark);
            Sink.Keep(longs);
        }
    }

    /// <summary>The body of a Parallel.For loop (thread-pool threads and the calling thread).</summary>
    public static void ParallelBody(int index)
    {
        var mark = Truth.Mark();
        var numbers = Allocate.NumberLine(index); // Parallel.For: StringBuilder line of numbers: 37 MB
        Truth.Record(mark);
        Sink.Keep(numbers);
        mark = Truth.Mark();
        var doubles = new double[500 + (index % 8 * 100)]; // Parallel.For: 4-10 KB double arrays: 137 MB
        Truth.Record(mark);
        Sink.Keep(doubles);
        mark = Truth.Mark();
        var dictionary = Allocate.SmallDictionary(index % 16); // Parallel.For: small dictionaries: 10.5 MB
        Truth.Record(mark);
        Sink.Keep(dictionary);
    }

    /// <summary>Lines that allocate little, so their sample counts are small and their intervals wide.</summary>
    public static void FewSamples()
    {
        var mark = Truth.Mark();
        var objects = Allocate.Objects(20_000); // few: 24 B objects: 480 KB
        Truth.Record(mark);
        Sink.Keep(objects);
        mark = Truth.Mark();
        var arrays1k = Allocate.ByteArrays(1_000, 1_000); // few: 1 KB arrays: 1 MB
        Truth.Record(mark);
        Sink.Keep(arrays1k);
        mark = Truth.Mark();
        var arrays40k = Allocate.ByteArrays(75, 39_976); // few: 40 KB arrays: 3 MB
        Truth.Record(mark);
        Sink.Keep(arrays40k);
        mark = Truth.Mark();
        var strings = Allocate.Strings(30_000, seed: 1); // few: strings of 0-199 chars: 6 MB
        Truth.Record(mark);
        Sink.Keep(strings);
        for (int i = 0; i < 20; i++)
        {
            mark = Truth.Mark();
            var block = new byte[1024 * 1024]; // few: 1 MiB arrays (LOH): 21 MB
            Truth.Record(mark);
            Sink.Keep(block);
        }
    }
}
