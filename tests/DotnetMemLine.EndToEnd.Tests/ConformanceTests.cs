using System.Globalization;
using System.Text.Json;
using DotnetMemLine.Conformance;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// The fast subset of the line-attribution conformance suite (the full matrix is eng/conformance.sh):
/// `run --exact` on the conformance target's shapes, plain code with one statement per line, under
/// tier-0 code and fully optimized code (DOTNET_TieredCompilation=0). Every line must equal its
/// truth, measured by the shape's generated twin, to the byte.
/// </summary>
[TestClass]
public sealed class ConformanceTests
{
    // The async group runs in eng/conformance.sh only: see its known gap in docs/accuracy.md.
    private const string FastGroups = "everyday,lambdas,flow,types,iterators,more,fresh,fresh5";
    private const int Rounds = 3;

    // Tier-0 code only: without DOTNET_TC_OnStackReplacement=0, a loop that runs long enough moves to OSR code at a moment
    // that depends on the machine's load, and an OSR layout the rules misplace (BuildAndWalkATree's List growth, about one
    // run in ten under the test's parallel load) made this test flaky. OSR code is eng/conformance.sh's `osr` case.
    [TestMethod]
    public async Task TierZeroCode_ExactMode_EveryLineEqualsItsTruth()
        => await RunAndCompareAsync("tier0", "env", "DOTNET_TC_OnStackReplacement=0", "dotnet", Repo.ConformanceTargetDll);

    [TestMethod]
    public async Task FullyOptimizedCode_ExactMode_EveryLineEqualsItsTruth()
        => await RunAndCompareAsync("tc0", "env", "DOTNET_TieredCompilation=0", "dotnet", Repo.ConformanceTargetDll);

    [TestMethod]
    public async Task AsyncShapes_ExactMode_TheTableSaysTheirThreadsMayMissObjects()
    {
        // Continuations run on thread-pool threads, each of which misses its first object of each type
        // (a runtime defect, docs/how-it-works.md): the async shapes are known gaps, and their tables say so.
        using var folder = new TempFolder();
        using RunningProcess tool = RunningProcess.StartTool(
            ["run", "--exact", "--method", "AwaitInsideLoops", "--method", "AwaitInsideTry", "--format", "json", "-o", folder.File("async.nettrace"),
             "--", "dotnet", Repo.ConformanceTargetDll, "async", folder.File("truth.json"), "--rounds", Rounds.ToString(CultureInfo.InvariantCulture)]);
        ProcessResult run = await tool.WaitForExitAsync(TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, run.ExitCode, run.ToString());

        using var report = JsonDocument.Parse(run.StandardOutput);
        foreach (JsonElement method in report.RootElement.GetProperty("methods").EnumerateArray())
        {
            Assert.IsTrue(method.GetProperty("notes").EnumerateArray().Any(n => n.GetString()!.Contains("threads: the runtime does not log a thread's first object", StringComparison.Ordinal)), method.ToString());
        }
    }

    private static async Task RunAndCompareAsync(string codeKind, params string[] program)
    {
        using var folder = new TempFolder();
        string truthPath = folder.File("truth.json");
        using RunningProcess lister = RunningProcess.Start("dotnet", [Repo.ConformanceTargetDll, FastGroups, "--list"]);
        ProcessResult list = await lister.WaitForExitAsync(TimeSpan.FromMinutes(1));
        Assert.AreEqual(0, list.ExitCode, list.ToString());
        string[] methods = [.. list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split(' ')[1])];
        Assert.IsGreaterThanOrEqualTo(30, methods.Length, list.StandardOutput);

        List<string> arguments = ["run", "--exact", .. methods.SelectMany(m => new[] { "--method", m }), "--format", "json", "-o", folder.File("conformance.nettrace"),
            "--", .. program, FastGroups, truthPath, "--rounds", Rounds.ToString(CultureInfo.InvariantCulture)];
        using RunningProcess tool = RunningProcess.StartTool(arguments);
        ProcessResult run = await tool.WaitForExitAsync(TimeSpan.FromMinutes(4));
        Assert.AreEqual(0, run.ExitCode, run.ToString());

        List<LineComparison> lines = ConformanceComparison.Compare(await File.ReadAllTextAsync(truthPath), run.StandardOutput, codeKind, exact: true, KnownGaps.All);
        string Describe(IEnumerable<LineComparison> some) => string.Join("\n", some.Select(l => $"  {l.Shape} line {l.Line}: truth {l.Truth:N0} B, table {l.Reported:N0} B  {l.Text} {l.Note}"));

        var wrong = lines.Where(l => l.Verdict == LineVerdict.Wrong).ToList();
        Assert.IsEmpty(wrong, $"{codeKind}: {wrong.Count} of {lines.Count} lines differ from their truth:\n{Describe(wrong)}");
        Assert.IsGreaterThanOrEqualTo(200, lines.Count(l => l.Verdict == LineVerdict.Right), "the shapes allocate on at least 200 lines");
        // A table the runtime grows on its own now and then lands in one shape's plain method or twin (about one
        // run in ten), and an async shape's plain method and twin continue on pool threads whose ArrayPool caches
        // differ now and then (LoadCustomerPageAsync's string.Join, 24,832 bytes in one run of about ten): that
        // shape's lines cannot be judged in this run, which is not a failure of the profiler.
        var unjudged = lines.Where(l => l.Verdict == LineVerdict.TruthDiffers && !l.RuntimeTable && !l.AcrossThreads).ToList();
        Assert.IsEmpty(unjudged, $"{codeKind}: the twins must allocate what the plain methods do in this code:\n{Describe(unjudged)}");

        if (codeKind == "tier0")
        {
            // Tier-0 code boxes a struct through CastHelpers.Box, whose objects the runtime logs only in part: the table says so.
            using var report = JsonDocument.Parse(run.StandardOutput);
            JsonElement tuples = report.RootElement.GetProperty("methods").EnumerateArray().Single(m => m.GetProperty("name").GetString()!.Contains("Types.Tuples", StringComparison.Ordinal));
            Assert.IsTrue(tuples.GetProperty("notes").EnumerateArray().Any(n => n.GetString()!.Contains("line 23 boxes a struct in unoptimized code", StringComparison.Ordinal)), tuples.ToString());

            // The delegate Delegate.Combine makes is not logged either (64 bytes per `+=`): the table names the line.
            JsonElement combination = report.RootElement.GetProperty("methods").EnumerateArray().Single(m => m.GetProperty("name").GetString()!.Contains("More.DelegateCombination", StringComparison.Ordinal));
            Assert.IsTrue(combination.GetProperty("notes").EnumerateArray().Any(n => n.GetString()!.Contains("line 201 combines or removes delegates", StringComparison.Ordinal)), combination.ToString());
        }

        foreach (KnownGap gap in KnownGaps.All.Where(g => !g.SometimesRight && (g.CodeKind is "*" || g.CodeKind == codeKind) && lines.Any(l => l.Shape == g.Shape)))
        {
            Assert.IsTrue(lines.Any(l => l.Verdict == LineVerdict.KnownGap && l.Shape == gap.Shape && l.Text.Contains(gap.LineText, StringComparison.Ordinal)),
                $"{codeKind}: the known gap on {gap.Shape} '{gap.LineText}' is right now; take it off the list (and out of docs/accuracy.md)");
        }
    }
}
