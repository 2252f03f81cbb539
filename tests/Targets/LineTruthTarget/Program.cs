using System.Diagnostics;
using System.Runtime;

namespace LineTruthTarget;

/// <summary>
/// LineTruthTarget &lt;truth-output.json&gt; [--wait-for-go [--cold]] [--rounds N] [--crash throw|failfast]
/// With --wait-for-go: warms up (so every method is compiled before a profiler attaches), prints
/// "ready &lt;pid&gt;" and waits for "go" on stdin; with --cold too, it does not warm up, so the
/// workload is compiled after "go", inside a session attached before (a trace without the
/// runtime's rundown, from a target killed mid-recording, still describes that code). Without it (a profiler that launched the process
/// records its whole life) there is no warm-up, so the truth covers every allocation of each line.
/// Then runs the workload, writes the exact per-line truth as JSON and prints "done".
/// With --crash it then dies instead of returning: "throw" by an unhandled exception (the runtime
/// aborts, exit code 134 on Linux), "failfast" by <see cref="Environment.FailFast(string)"/>; the
/// end-to-end tests use it to end a target in the middle of a recording.
/// </summary>
internal static class Program
{
    private const int DefaultRounds = 200;
    private const string Usage = "usage: LineTruthTarget <truth-output.json> [--wait-for-go [--cold]] [--rounds N] [--crash throw|failfast]";

    private static int Main(string[] args)
    {
        if (!TryParseArguments(args, out var truthPath, out var waitForGo, out var cold, out var rounds, out var crash))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        // Truth's static constructor allocates its table; run it now, or it would run inside the
        // first Truth.Mark(): on a measured line, but before the measurement starts.
        Truth.Reset();

        if (waitForGo)
        {
            if (!cold)
            {
                WarmUp();
            }

            Console.WriteLine($"ready {Environment.ProcessId}");
            Console.Out.Flush();
            if (!WaitForGo())
            {
                Console.Error.WriteLine("stdin closed before 'go' was received");
                return 3;
            }
        }

        var workload = Stopwatch.StartNew();
        Sink.Keep(Workload.AllocateKnownAmounts(rounds));
        Workload.AllocateUnrelated(rounds);
        workload.Stop();

        Truth.WriteJson(truthPath);
        Console.WriteLine($"done: workload took {workload.Elapsed.TotalMilliseconds:F0} ms"); // eng/exact-overhead.sh reads this
        Console.Out.Flush();
        switch (crash)
        {
            case "throw":
                throw new InvalidOperationException("LineTruthTarget: crashing on purpose (--crash throw)");
            case "failfast":
                Environment.FailFast("LineTruthTarget: failing fast on purpose (--crash failfast)");
                break;
        }
        return 0;
    }

    /// <summary>
    /// Runs the workload until the JIT goes quiet, so a profiler attaching afterwards sees the
    /// final (tier-1) code. Tier-0 methods are only promoted after ~30 calls counted once start-up
    /// JIT activity has settled for 100 ms, and tier-1 code is compiled on a background thread,
    /// so "quiet" must span several batches of calls.
    /// </summary>
    private static void WarmUp()
    {
        const int CallsPerBatch = 10;
        const int QuietBatchesNeeded = 8;
        var giveUpAfter = TimeSpan.FromSeconds(15);

        var elapsed = Stopwatch.StartNew();
        var quietBatches = 0;
        var compiledMethods = JitInfo.GetCompiledMethodCount();
        while (quietBatches < QuietBatchesNeeded && elapsed.Elapsed < giveUpAfter)
        {
            for (var call = 0; call < CallsPerBatch; call++)
            {
                Sink.Keep(Workload.AllocateKnownAmounts(rounds: 1));
                Workload.AllocateUnrelated(rounds: 1);
            }
            Thread.Sleep(50);
            var nowCompiled = JitInfo.GetCompiledMethodCount();
            quietBatches = nowCompiled == compiledMethods ? quietBatches + 1 : 0;
            compiledMethods = nowCompiled;
        }
        Truth.Reset();
    }

    private static bool WaitForGo()
    {
        while (Console.ReadLine() is { } line)
        {
            if (line.Trim() == "go")
            {
                return true;
            }
        }
        return false;
    }

    private static bool TryParseArguments(string[] args, out string truthPath, out bool waitForGo, out bool cold, out int rounds, out string crash)
    {
        truthPath = "";
        crash = "";
        waitForGo = false;
        cold = false;
        rounds = DefaultRounds;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--wait-for-go":
                    waitForGo = true;
                    break;
                case "--cold":
                    cold = true;
                    break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], out var parsed) && parsed > 0:
                    rounds = parsed;
                    i++;
                    break;
                case "--crash" when i + 1 < args.Length && args[i + 1] is "throw" or "failfast":
                    crash = args[i + 1];
                    i++;
                    break;
                case var positional when !positional.StartsWith("--", StringComparison.Ordinal) && truthPath.Length == 0:
                    truthPath = positional;
                    break;
                default:
                    return false;
            }
        }
        return truthPath.Length > 0 && (waitForGo || !cold);
    }
}
