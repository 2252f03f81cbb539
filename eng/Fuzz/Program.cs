using System.Diagnostics;
using DotnetMemLine.Decoding;
using DotnetMemLine.Fuzzing;

// Usage: Fuzz [--log] --seed-trace <file> [--seed-trace <file>]... --method <name>... [--cases N] [--random-seed S]
//             [--timeout <seconds>] [--failures <dir>] [--pdb <file>]
//        With --pdb: the trace is kept and that PDB (the one next to the traced module) is damaged instead.
//        Fuzz --replay <file>... [--method <name>]: one saved input, and how long each TraceEvent reader takes on it
var seeds = new List<string>();
var methods = new List<string>();
var replay = new List<string>();
int cases = 10_000;
int randomSeed = 1;
double timeoutSeconds = 10;
string failures = "fuzz-failures";
string? pdbToDamage = null;
bool log = false; // --log: one line per case
for (int i = 0; i < args.Length; i += 2)
{
    if (args[i] == "--log")
    {
        log = true;
        i--;
        continue;
    }

    if (i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"{args[i]} needs a value");
        return 2;
    }

    switch (args[i])
    {
        case "--seed-trace": seeds.Add(args[i + 1]); break;
        case "--method": methods.Add(args[i + 1]); break;
        case "--replay": replay.Add(args[i + 1]); break;
        case "--cases": cases = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--random-seed": randomSeed = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--timeout": timeoutSeconds = double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--failures": failures = args[i + 1]; break;
        case "--pdb": pdbToDamage = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

if (replay.Count > 0)
{
    // Re-runs saved inputs, timing TraceEvent's two readers on their own.
    foreach (string file in replay)
    {
        Console.WriteLine($"{file}: {FuzzAnalysis.Run(file, methods.Count > 0 ? methods : ["Workload.AllocateKnownAmounts"], TimeSpan.FromSeconds(timeoutSeconds))}");
        foreach ((string stage, TimeSpan elapsed, string outcome) in FuzzAnalysis.TimeReaders(file))
        {
            Console.WriteLine($"    {stage}: {elapsed.TotalSeconds:F2} s, {outcome}");
        }
    }

    return 0;
}

if (seeds.Count == 0 || methods.Count == 0)
{
    Console.Error.WriteLine("usage: Fuzz --seed-trace <file>... --method <name>... [--cases N] [--random-seed S] [--timeout s] [--failures dir]");
    return 2;
}

if (pdbToDamage is not null)
{
    return await FuzzPdbAsync(seeds[0], pdbToDamage, methods, cases, randomSeed, TimeSpan.FromSeconds(timeoutSeconds), failures, log);
}

var seedData = seeds.Select(path => (Path: path, Bytes: File.ReadAllBytes(path), Layout: NettraceLayout.Read(path))).ToList();
foreach (var seed in seedData.Where(s => !s.Layout.IsComplete))
{
    Console.Error.WriteLine($"seed {seed.Path} is not a complete trace: {seed.Layout.Problem}");
    return 2;
}

// Each case's temporary .etlx must be gone when the analysis returns, whatever happened.
string tempFolder = Path.GetTempPath();
Directory.CreateDirectory(failures);
string casePath = Path.Combine(Path.GetTempPath(), $"fuzz-case-{Environment.ProcessId}.nettrace");
var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
(TimeSpan Elapsed, string Description) slowest = (TimeSpan.Zero, "");
int failed = 0;
bool abandonedWork = false;
var total = Stopwatch.StartNew();
var random = new Random(randomSeed);
for (int n = 0; n < cases; n++)
{
    var seed = seedData[random.Next(seedData.Count)];
    (string description, byte[] bytes) = TraceMutator.Mutate(seed.Bytes, seed.Layout, random);
    await File.WriteAllBytesAsync(casePath, bytes);
    FuzzResult result = FuzzAnalysis.Run(casePath, methods, TimeSpan.FromSeconds(timeoutSeconds));
    string leaked = abandonedWork ? "" : string.Join(", ", Directory.EnumerateFiles(tempFolder, "dotnet-memline-*.etlx"));
    abandonedWork |= result.Outcome == "timeout";
    string outcome = leaked.Length > 0 ? $"LEAKED etlx after {result.Outcome}" : result.Outcome;
    counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
    if (result.Elapsed > slowest.Elapsed)
    {
        slowest = (result.Elapsed, $"case {n} ({description}, {outcome})");
    }

    if (log)
    {
        Console.WriteLine($"case {n}: {description}: {outcome}, {result.Elapsed.TotalMilliseconds:F0} ms: {result.Detail?.ReplaceLineEndings(" ")[..Math.Min(result.Detail.Length, 200)]}");
    }

    if (result.Failed || leaked.Length > 0)
    {
        failed++;
        string saved = Path.Combine(failures, $"case-{randomSeed}-{n}.nettrace");
        await File.WriteAllBytesAsync(saved, bytes);
        Console.WriteLine($"FAIL case {n}: {description}: {outcome} after {result.Elapsed.TotalSeconds:F1} s, saved {saved}");
        Console.WriteLine("    " + (result.Detail ?? leaked).ReplaceLineEndings("\n    "));
        foreach (string file in leaked.Split(", ", StringSplitOptions.RemoveEmptyEntries))
        {
            File.Delete(file);
        }
    }

    if ((n + 1) % 500 == 0)
    {
        Console.Error.WriteLine($"{n + 1} cases, {failed} failures, {total.Elapsed.TotalSeconds:F0} s");
    }
}

File.Delete(casePath);
return PrintSummary($"{cases} cases from {seeds.Count} seed trace(s), random seed {randomSeed}, {total.Elapsed.TotalSeconds:F0} s:", counts, slowest, failed, failures);

// Damages the PDB next to the traced module, case by case, and analyzes the same trace each time; restores it at the end.
static async Task<int> FuzzPdbAsync(string trace, string pdbPath, List<string> methods, int cases, int randomSeed, TimeSpan timeout, string failures, bool log)
{
    byte[] seed = await File.ReadAllBytesAsync(pdbPath);
    IReadOnlyList<PdbMutator.MetadataStreamInfo> streams = PdbMutator.ReadStreams(seed);
    Directory.CreateDirectory(failures);
    var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
    var random = new Random(randomSeed);
    var total = Stopwatch.StartNew();
    (TimeSpan Elapsed, string Description) slowest = (TimeSpan.Zero, "");
    int failed = 0;
    try
    {
        for (int n = 0; n < cases; n++)
        {
            (string description, byte[] bytes) = PdbMutator.Mutate(seed, streams, random);
            await File.WriteAllBytesAsync(pdbPath, bytes);
            FuzzResult result = FuzzAnalysis.Run(trace, methods, timeout);
            counts[result.Outcome] = counts.GetValueOrDefault(result.Outcome) + 1;
            if (result.Elapsed > slowest.Elapsed)
            {
                slowest = (result.Elapsed, $"case {n} ({description}, {result.Outcome})");
            }

            if (log)
            {
                Console.WriteLine($"case {n}: {description}: {result.Outcome}, {result.Elapsed.TotalMilliseconds:F0} ms: {result.Detail?.ReplaceLineEndings(" ")[..Math.Min(result.Detail.Length, 200)]}");
            }

            if (result.Failed)
            {
                failed++;
                string saved = Path.Combine(failures, $"pdb-case-{randomSeed}-{n}.pdb");
                await File.WriteAllBytesAsync(saved, bytes);
                Console.WriteLine($"FAIL case {n}: {description}: {result.Outcome} after {result.Elapsed.TotalSeconds:F1} s, saved {saved}");
                Console.WriteLine("    " + (result.Detail ?? "").ReplaceLineEndings("\n    "));
            }
        }
    }
    finally
    {
        await File.WriteAllBytesAsync(pdbPath, seed);
    }

    return PrintSummary($"{cases} damaged PDBs, random seed {randomSeed}, {total.Elapsed.TotalSeconds:F0} s:", counts, slowest, failed, failures);
}

// How many cases ended each way, the slowest, and the failures; the exit code.
static int PrintSummary(string heading, SortedDictionary<string, int> counts, (TimeSpan Elapsed, string Description) slowest, int failed, string failures)
{
    Console.WriteLine(heading);
    foreach ((string outcome, int count) in counts)
    {
        Console.WriteLine($"  {count,7:N0}  {outcome}");
    }

    Console.WriteLine($"slowest: {slowest.Elapsed.TotalSeconds:F2} s, {slowest.Description}");
    Console.WriteLine(failed == 0 ? "no failures" : $"{failed} failures saved in {failures}");
    return failed == 0 ? 0 : 1;
}
