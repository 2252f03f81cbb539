namespace AccuracyTarget;

/// <summary>
/// AccuracyTarget &lt;truth-output.json&gt;: runs every <see cref="Workload"/> method once (no
/// warm-up: the profiler launches this process and records its whole life, so the truth must cover
/// every allocation of each line), then writes the exact per-line truth as JSON and prints "done".
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length != 1 || args[0].StartsWith('-'))
        {
            Console.Error.WriteLine("usage: AccuracyTarget <truth-output.json>");
            return 2;
        }

        // Truth's static constructor allocates its tables; run it now, outside every measured line.
        Truth.Reset();

        Workload.SizeLadder();
        Workload.Periodic();
        RunOnThreads(Workload.ThreadCount, () => Workload.SharedByThreads(Workload.IterationsPerThread));
        Parallel.For(0, Workload.ParallelIterations, Workload.ParallelBody);
        Workload.FewSamples();

        Truth.WriteJson(args[0]);
        Console.WriteLine("done");
        return 0;
    }

    private static void RunOnThreads(int count, Action body)
    {
        var threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            threads[i] = new Thread(() => body()) { Name = $"worker {i}" };
        }

        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }
    }
}
