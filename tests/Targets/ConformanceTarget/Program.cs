using System.Diagnostics;
using System.Text.Json;

namespace ConformanceTarget;

/// <summary>
/// ConformanceTarget &lt;group&gt;[,&lt;group&gt;…]|all &lt;truth.json&gt; [--rounds N] [--wait-for-go] [--list]
/// </summary>
/// <remarks>
/// Calls a third copy of each selected shape once, unmeasured (so first-time costs such as static
/// constructors and shared caches are paid outside both), then for N rounds calls the plain
/// shape (what a profiler measures) and its twin (which charges its lines in TwinTruth). Writes, per
/// shape, the twin's bytes per line over the N rounds, and both methods' totals over the N rounds
/// measured around the calls: equal totals show the twin allocates what the plain method does.
/// With --wait-for-go: runs the shapes until the JIT goes quiet (their code at its final tier),
/// prints "ready &lt;pid&gt;", waits for "go", runs the measured rounds, prints "done" and waits for "exit".
/// </remarks>
internal static class Program
{
    private const string Usage = "usage: ConformanceTarget <group>[,<group>...]|all <truth.json> [--rounds N] [--wait-for-go] [--list]";

    private static int Main(string[] args)
    {
        var positional = new List<string>();
        var rounds = 3;
        var waitForGo = false;
        var list = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], out var parsed) && parsed > 0:
                    rounds = parsed;
                    i++;
                    break;
                case "--wait-for-go":
                    waitForGo = true;
                    break;
                case "--list":
                    list = true;
                    break;
                default:
                    positional.Add(args[i]);
                    break;
            }
        }

        if (positional.Count != (list ? 1 : 2))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var groups = positional[0].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var selected = Enumerable.Range(0, ShapeRegistry.All.Length)
            .Where(i => groups.Contains("all") || groups.Contains(ShapeRegistry.All[i].Group))
            .ToArray();
        if (selected.Length == 0)
        {
            Console.Error.WriteLine($"no shape in {positional[0]}; groups: {string.Join(", ", ShapeRegistry.All.Select(s => s.Group).Distinct())}");
            return 2;
        }

        if (list)
        {
            foreach (var shape in selected)
            {
                Console.WriteLine($"{ShapeRegistry.All[shape].Group} {ShapeRegistry.All[shape].Type}.{ShapeRegistry.All[shape].Name}");
            }

            return 0;
        }

        TwinTruth.PrepareThread();
        WarmThreadPool();
        var plainTotals = new long[ShapeRegistry.All.Length];
        var twinTotals = new long[ShapeRegistry.All.Length];
        foreach (var shape in selected)
        {
            ShapeRegistry.RunWarm(shape);
        }

        if (waitForGo)
        {
            WarmUp(selected, plainTotals, twinTotals);
            Console.WriteLine($"ready {Environment.ProcessId}");
            Console.Out.Flush();
            if (!WaitFor("go"))
            {
                Console.Error.WriteLine("stdin closed before 'go' was received");
                return 3;
            }
        }

        for (var round = 0; round < rounds; round++)
        {
            RunRound(selected, plainTotals, twinTotals);
        }

        WriteTruth(positional[1], selected, rounds, plainTotals, twinTotals);
        Console.WriteLine("done");
        Console.Out.Flush();
        if (waitForGo)
        {
            WaitFor("exit");
        }

        return 0;
    }

    /// <summary>
    /// Has every thread-pool thread the async shapes will run on allocate once first: in exact mode the
    /// runtime reports no event for the first object of a type a thread allocates when another thread
    /// allocated that type first (docs/how-it-works.md), which would be taken from the line that ran first on it.
    /// </summary>
    private static void WarmThreadPool()
    {
        var threads = Math.Max(4, Environment.ProcessorCount * 2);
        ThreadPool.SetMinThreads(threads, threads);
        using var started = new CountdownEvent(threads);
        using var finished = new CountdownEvent(threads);
        using var release = new ManualResetEventSlim();
        for (var i = 0; i < threads; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(
                _ =>
                {
                    Sink.Keep(new object());
                    TwinTruth.PrepareThread();
                    started.Signal();
                    release.Wait();
                    finished.Signal();
                },
                null);
        }

        started.Wait();
        release.Set();
        finished.Wait(); // only then may the events be disposed: a worker may not have left Wait yet
    }

    private static void RunRound(int[] selected, long[] plainTotals, long[] twinTotals)
    {
        foreach (var shape in selected)
        {
            var before = AllocatedBytes(shape);
            ShapeRegistry.RunPlain(shape);
            plainTotals[shape] += AllocatedBytes(shape) - before;

            TwinTruth.CurrentShape = shape;
            TwinTruth.Touch();
            before = AllocatedBytes(shape);
            ShapeRegistry.RunTwin(shape);
            twinTotals[shape] += AllocatedBytes(shape) - before;
            TwinTruth.CurrentShape = -1;
        }
    }

    /// <summary>
    /// What has been allocated so far, for a shape's total: on this thread, or, for a state machine (an async method
    /// continues on pool threads while this one waits), in the whole process, where nothing else runs meanwhile.
    /// The twin's lines are measured on the thread that runs each statement either way.
    /// </summary>
    private static long AllocatedBytes(int shape) =>
        ShapeRegistry.All[shape].StateMachine ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();

    /// <summary>
    /// Runs the shapes until no method has been compiled for several batches, so a profiler attaching
    /// afterwards sees final (tier-1) code; then forgets what was measured.
    /// </summary>
    private static void WarmUp(int[] selected, long[] plainTotals, long[] twinTotals)
    {
        const int QuietBatchesNeeded = 8;
        var giveUpAfter = TimeSpan.FromSeconds(60);
        var elapsed = Stopwatch.StartNew();
        var quietBatches = 0;
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (quietBatches < QuietBatchesNeeded && elapsed.Elapsed < giveUpAfter)
        {
            for (var call = 0; call < 10; call++)
            {
                RunRound(selected, plainTotals, twinTotals);
            }

            Thread.Sleep(50);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            quietBatches = now == compiled ? quietBatches + 1 : 0;
            compiled = now;
        }

        Array.Clear(plainTotals);
        Array.Clear(twinTotals);
        TwinTruth.Reset();
    }

    private static void WriteTruth(string path, int[] selected, int rounds, long[] plainTotals, long[] twinTotals)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteNumber("rounds", rounds);
        writer.WriteStartArray("shapes");
        foreach (var shape in selected)
        {
            var info = ShapeRegistry.All[shape];
            writer.WriteStartObject();
            writer.WriteString("group", info.Group);
            writer.WriteString("name", info.Name);
            writer.WriteString("type", info.Type);
            writer.WriteString("file", info.File);
            writer.WriteStartArray("uncheckedLines");
            foreach (var line in info.UncheckedLines)
            {
                writer.WriteNumberValue(line);
            }

            writer.WriteEndArray();

            writer.WriteNumber("plainTotal", plainTotals[shape]);
            writer.WriteNumber("twinTotal", twinTotals[shape]);
            writer.WriteBoolean("totalsAcrossThreads", info.StateMachine);

            writer.WriteStartArray("lines");
            for (var line = 1; line < TwinTruth.MaxLines; line++)
            {
                var bytes = TwinTruth.BytesOf(shape, line);
                if (bytes != 0)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("line", line);
                    writer.WriteNumber("bytes", bytes);
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static bool WaitFor(string command)
    {
        while (Console.ReadLine() is { } line)
        {
            if (line.Trim() == command)
            {
                return true;
            }
        }

        return false;
    }
}
