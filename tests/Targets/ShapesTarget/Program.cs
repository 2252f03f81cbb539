using System.Diagnostics;
using ShapesTarget.Shapes;

namespace ShapesTarget;

/// <summary>
/// ShapesTarget &lt;shape&gt;[,&lt;shape&gt;…] &lt;truth-output.json&gt; [--wait-for-go] [--rounds N]
/// Runs the named shapes (see <see cref="Shapes"/>) one after the other, then writes the exact
/// per-line truth as JSON and prints "done". With --wait-for-go: first warms the shapes up (so their
/// code is compiled before a profiler attaches), prints "ready &lt;pid&gt;" and waits for "go" on stdin,
/// and after "done" stays alive until "exit" (or the end of stdin). Without it (a profiler that
/// launched the process records its whole life) there is no warm-up.
/// Each shape allocates about 4 MiB per checked line per round; the default 64 rounds make every
/// checked line allocate about 256 MiB (some 2,600 allocation samples).
/// </summary>
internal static class Program
{
    private const int DefaultRounds = 64;
    private const string Usage = "usage: ShapesTarget <shape>[,<shape>...] <truth-output.json> [--wait-for-go] [--rounds N]";

    private static readonly Dictionary<string, Action<int>> Shapes = new(StringComparer.Ordinal)
    {
        ["async"] = AsyncShape.Run,
        ["iterators"] = IteratorShape.Run,
        ["lambdas"] = LambdaShape.Run,
        ["generics"] = GenericShape.Run,
        ["members"] = OverloadCtorPropertyShape.Run,
        ["threads"] = ThreadsShape.Run,
        ["recursion"] = RecursionShape.Run,
        ["tiering"] = TieringShape.Run,
        ["inlining"] = InliningShape.Run,
        ["causality"] = CausalityShape.Run,
        ["web"] = WebShape.Run,
        ["lifetimes"] = LifetimesShape.Run,
        ["gckinds"] = GCKindsShape.Run,
        ["hotspot"] = HotspotShape.Run,
    };

    private static int Main(string[] args)
    {
        if (!TryParseArguments(args, out var shapes, out var truthPath, out var waitForGo, out var rounds))
        {
            Console.Error.WriteLine(Usage);
            Console.Error.WriteLine("shapes: " + string.Join(", ", Shapes.Keys));
            return 2;
        }

        Truth.Reset(); // allocates the truth tables now, outside every measured line

        if (waitForGo)
        {
            WarmUp(shapes);
            Console.WriteLine($"ready {Environment.ProcessId}");
            Console.Out.Flush();
            if (!WaitFor("go"))
            {
                Console.Error.WriteLine("stdin closed before 'go' was received");
                return 3;
            }
        }

        foreach (var shape in shapes)
        {
            shape(rounds);
        }

        Truth.WriteJson(truthPath);
        Console.WriteLine("done");
        Console.Out.Flush();

        // An attached profiler is stopped while the process lives on, as in production: its
        // session then ends with the rundown that describes the code compiled before it attached.
        if (waitForGo)
        {
            WaitFor("exit");
        }

        return 0;
    }

    /// <summary>
    /// Runs the shapes until the JIT goes quiet, so a profiler attaching afterwards sees their final
    /// (tier-1) code: tier-0 methods are promoted only after ~30 calls counted once start-up JIT
    /// activity has settled for 100 ms, on a background thread, so "quiet" must span several batches.
    /// </summary>
    private static void WarmUp(IReadOnlyList<Action<int>> shapes)
    {
        const int CallsPerBatch = 10;
        const int QuietBatchesNeeded = 8;
        var giveUpAfter = TimeSpan.FromSeconds(20);

        var elapsed = Stopwatch.StartNew();
        var quietBatches = 0;
        var compiledMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (quietBatches < QuietBatchesNeeded && elapsed.Elapsed < giveUpAfter)
        {
            for (var call = 0; call < CallsPerBatch; call++)
            {
                foreach (var shape in shapes)
                {
                    shape(1);
                }
            }

            Thread.Sleep(50);
            var nowCompiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            quietBatches = nowCompiled == compiledMethods ? quietBatches + 1 : 0;
            compiledMethods = nowCompiled;
        }

        Truth.Reset();
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

    private static bool TryParseArguments(string[] args, out List<Action<int>> shapes, out string truthPath, out bool waitForGo, out int rounds)
    {
        shapes = [];
        truthPath = "";
        waitForGo = false;
        rounds = DefaultRounds;
        var positional = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--wait-for-go":
                    waitForGo = true;
                    break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], out var parsed) && parsed > 0:
                    rounds = parsed;
                    i++;
                    break;
                case var argument when !argument.StartsWith("--", StringComparison.Ordinal):
                    positional.Add(argument);
                    break;
                default:
                    return false;
            }
        }

        if (positional.Count != 2)
        {
            return false;
        }

        foreach (var name in positional[0].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Shapes.TryGetValue(name, out var shape))
            {
                return false;
            }

            shapes.Add(shape);
        }

        truthPath = positional[1];
        return shapes.Count > 0;
    }
}
