using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// <c>analyze</c> of several traces as one, as a fleet's instances give them: a folder of exact recordings adds up to the
/// sum of their truths to the byte, line by line, with each trace's own figures in the JSON; traces recorded with the
/// providers of docs/fleet.md's dotnet-monitor rule (here by dotnet-trace, with the same providers and buffer) add up within
/// the combined interval; a damaged one is left out with a warning; traces of different modes or different builds are refused, and so is a trace of another build than
/// the PDB found for it.
/// </summary>
[TestClass]
public sealed class FleetAnalysisTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private static readonly (string Text, string Fact)[] CheckedLines = Shapes.HotspotShapeTests.CheckedLines;

    /// <summary>docs/fleet.md's collection rule: its providers as dotnet-trace writes them, and its buffer.</summary>
    private const string FleetProviders = "Microsoft-Windows-DotNETRuntime:0x80000421019:5";

    [TestMethod]
    public async Task AFolderOfExactRecordings_AddsUpToTheSumOfTheirTruths_ToTheByte()
    {
        using var folder = new TempFolder();
        string traces = Directory.CreateDirectory(folder.File("traces")).FullName;
        var truths = new List<TruthFile>();
        for (int instance = 1; instance <= 3; instance++)
        {
            string truth = folder.File($"truth-{instance}.json");
            await RunningProcess.RunToolToSuccessAsync("run", "--exact", "-o", Path.Combine(traces, $"instance-{instance}.nettrace"), "--format", "json",
                "--", "dotnet", Repo.ShapesTargetDll, "hotspot", truth);
            truths.Add(Truth.ReadFile(truth));
        }

        ProcessResult analyzed = await RunningProcess.RunToolToSuccessAsync("analyze", traces, "--top", "50", "--format", "json");
        using JsonDocument report = JsonDocument.Parse(analyzed.StandardOutput);
        JsonElement lines = report.RootElement.GetProperty("program").GetProperty("lines");
        foreach ((string text, string fact) in CheckedLines)
        {
            JsonElement line = lines.EnumerateArray().Single(l => l.GetProperty("text").GetString() == text);
            Assert.AreEqual(truths.Sum(t => t.Facts[fact]), line.GetProperty("self").GetProperty("allocatedBytes").GetInt64(), $"{text}\n{analyzed}");
        }

        // Each trace's own figures, in the order of their names, as one trace alone gives them.
        JsonElement[] perTrace = [.. report.RootElement.GetProperty("traces").EnumerateArray()];
        Assert.HasCount(3, perTrace);
        Assert.AreEqual(Path.Combine(traces, "instance-2.nettrace"), perTrace[1].GetProperty("tracePath").GetString());
        ProcessResult alone = await RunningProcess.RunToolToSuccessAsync("analyze", Path.Combine(traces, "instance-2.nettrace"), "--top", "50", "--format", "json");
        using JsonDocument aloneReport = JsonDocument.Parse(alone.StandardOutput);
        JsonElement aloneTrace = aloneReport.RootElement.GetProperty("traces")[0];
        Assert.AreEqual(aloneTrace.GetProperty("everything").GetProperty("allocatedBytes").GetInt64(), perTrace[1].GetProperty("everything").GetProperty("allocatedBytes").GetInt64());
        Assert.AreEqual(
            report.RootElement.GetProperty("allocationSamples").GetInt64(),
            perTrace.Sum(t => t.GetProperty("allocationSamples").GetInt64()), "the events add up");

        // A method's table too: its lines are the sums.
        ProcessResult table = await RunningProcess.RunToolToSuccessAsync("analyze", Path.Combine(traces, "*.nettrace"), "--method", "HotspotShape.Sum", "--format", "json");
        using JsonDocument tableReport = JsonDocument.Parse(table.StandardOutput);
        JsonElement totalsLine = tableReport.RootElement.GetProperty("methods")[0].GetProperty("lines").EnumerateArray()
            .Single(l => l.GetProperty("text").GetString()!.Trim() == "var totals = new long[rows.Length * TotalsPerRow];");
        Assert.AreEqual(truths.Sum(t => t.Facts["hotspot.totals"]), totalsLine.GetProperty("allocatedBytes").GetInt64(), table.ToString());
        Assert.AreEqual(3 * truths[0].Facts["hotspot.totals"] / (24 + 4_096L * 128 * 8), totalsLine.GetProperty("objects").GetInt64(), "objects add up");

        ProcessResult printed = await RunningProcess.RunToolToSuccessAsync("analyze", traces, "--method", "HotspotShape.Sum");
        Assert.Contains($"Traces:    3 in {traces}, added up:", printed.StandardOutput, printed.ToString());

        // One instance's file is damaged: the others still add up, and a warning names it.
        await File.WriteAllBytesAsync(Path.Combine(traces, "instance-4.nettrace"), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);
        ProcessResult withDamage = await RunningProcess.RunToolToSuccessAsync("analyze", traces, "--top", "50", "--format", "json");
        using JsonDocument damaged = JsonDocument.Parse(withDamage.StandardOutput);
        JsonElement idsLine = damaged.RootElement.GetProperty("program").GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("text").GetString() == CheckedLines[0].Text);
        Assert.AreEqual(truths.Sum(t => t.Facts[CheckedLines[0].Fact]), idsLine.GetProperty("self").GetProperty("allocatedBytes").GetInt64(), withDamage.ToString());
        Assert.IsTrue(damaged.RootElement.GetProperty("warnings").EnumerateArray().Any(w => w.GetString()!.StartsWith("left out, the other traces added up without it: ", StringComparison.Ordinal)
            && w.GetString()!.Contains("instance-4.nettrace", StringComparison.Ordinal)), withDamage.StandardOutput);
    }

    [TestMethod]
    public async Task TracesRecordedAsByTheFleetRule_AddUpWithinTheCombinedInterval()
    {
        using var folder = new TempFolder();
        var truths = new List<TruthFile>();
        var paths = new List<string>();
        for (int instance = 1; instance <= 2; instance++)
        {
            string truth = folder.File($"truth-{instance}.json");
            string trace = folder.File($"instance-{instance}.nettrace");
            using RunningProcess dotnetTrace = RunningProcess.Start("dotnet",
                ["dotnet-trace", "collect", "--providers", FleetProviders, "--buffersize", "256", "-o", trace, "--", "dotnet", Repo.ShapesTargetDll, "hotspot", truth], Repo.Root);
            ProcessResult recorded = await dotnetTrace.WaitForExitAsync(Timeout);
            Assert.AreEqual(0, recorded.ExitCode, recorded.ToString());
            truths.Add(Truth.ReadFile(truth));
            paths.Add(trace);
        }

        ProcessResult analyzed = await RunningProcess.RunToolToSuccessAsync(["analyze", .. paths, "--top", "50", "--format", "json"]);
        using JsonDocument report = JsonDocument.Parse(analyzed.StandardOutput);
        JsonElement lines = report.RootElement.GetProperty("program").GetProperty("lines");
        var failures = new List<string>();
        foreach ((string text, string fact) in CheckedLines)
        {
            JsonElement self = lines.EnumerateArray().Single(l => l.GetProperty("text").GetString() == text).GetProperty("self");
            if (Truth.Mismatch(self, truths.Sum(t => t.Facts[fact])) is { } mismatch)
            {
                failures.Add($"{text}: {mismatch}");
            }
        }

        Assert.IsEmpty(failures, string.Join("\n", failures) + "\n" + analyzed);

        // The samples add: the combined interval comes from both traces' counts.
        long samples = 0;
        foreach (string path in paths)
        {
            ProcessResult alone = await RunningProcess.RunToolToSuccessAsync("analyze", path, "--top", "50", "--format", "json");
            using JsonDocument aloneReport = JsonDocument.Parse(alone.StandardOutput);
            samples += aloneReport.RootElement.GetProperty("program").GetProperty("lines").EnumerateArray()
                .Single(l => l.GetProperty("text").GetString() == "var ids = new int[IdCount];").GetProperty("self").GetProperty("samples").GetInt64();
        }

        Assert.AreEqual(samples, lines.EnumerateArray().Single(l => l.GetProperty("text").GetString() == "var ids = new int[IdCount];").GetProperty("self").GetProperty("samples").GetInt64());
    }

    [TestMethod]
    public async Task TracesOfDifferentModes_AreRefused_SayingWhy()
    {
        using var folder = new TempFolder();
        await RunningProcess.RunToolToSuccessAsync("run", "--exact", "-o", folder.File("exact.nettrace"), "--format", "json", "--", "dotnet", Repo.ShapesTargetDll, "hotspot", folder.File("t1.json"));
        await RunningProcess.RunToolToSuccessAsync("run", "-o", folder.File("sampled.nettrace"), "--format", "json", "--", "dotnet", Repo.ShapesTargetDll, "hotspot", folder.File("t2.json"));

        using RunningProcess tool = RunningProcess.StartTool(["analyze", folder.Path]);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);
        Assert.AreEqual(16, result.ExitCode, result.ToString());
        Assert.Contains("were recorded in different modes (exact, AllocationSampled): their figures cannot be added", result.StandardError, result.ToString());
        Assert.DoesNotContain("   at ", result.StandardError, "no stack trace");
    }

    [TestMethod]
    public async Task TracesOfDifferentBuilds_AreRefused_NeverMixed()
    {
        using var folder = new TempFolder();
        const string Program = """
            var kept = new List<int[]>();
            for (int i = 0; i < 20; i++)
            {
                kept.Add(new int[250_000]);
            }

            Console.WriteLine(kept.Count);
            """;
        TestProject.Write(folder, "Build", Program);
        await RecordBuildAsync(folder, "first.nettrace");
        CopyFolder(Path.Combine(folder.Path, "bin", "Release", "net10.0"), folder.File("first-build"));
        File.WriteAllText(folder.File("Program.cs"), "// the second build\n" + Program);
        await RecordBuildAsync(folder, "second.nettrace");

        using RunningProcess tool = RunningProcess.StartTool(["analyze", folder.File("first.nettrace"), folder.File("second.nettrace")]);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);
        Assert.AreEqual(16, result.ExitCode, result.ToString());
        Assert.Contains("ran different builds of Build.dll (PDB ids ", result.StandardError, result.ToString());

        // Alone, the first trace meets this machine's newer build: its lines would be other code's.
        using RunningProcess alone = RunningProcess.StartTool(["analyze", folder.File("first.nettrace")]);
        ProcessResult refused = await alone.WaitForExitAsync(Timeout);
        Assert.AreEqual(8, refused.ExitCode, refused.ToString());
        Assert.Contains("ran another build of Build.dll (PDB id ", refused.StandardError, refused.ToString());
        Assert.Contains("pass --symbols <dir> with a copy of that build's output", refused.StandardError, refused.ToString());

        // With the first build's output kept and named, that build is read: its lines, one above the second build's.
        using RunningProcess kept = RunningProcess.StartTool(["analyze", folder.File("first.nettrace"), "--symbols", folder.File("first-build"), "--format", "json"]);
        ProcessResult analyzed = await kept.WaitForExitAsync(Timeout);
        Assert.AreEqual(0, analyzed.ExitCode, analyzed.ToString());
        using JsonDocument report = JsonDocument.Parse(analyzed.StandardOutput);
        JsonElement top = report.RootElement.GetProperty("program").GetProperty("lines").EnumerateArray()
            .MaxBy(l => l.GetProperty("self").GetProperty("allocatedBytes").GetInt64());
        Assert.AreEqual(4, top.GetProperty("line").GetInt32(), analyzed.StandardOutput);
        Assert.IsGreaterThanOrEqualTo(20 * 1_000_024L, top.GetProperty("self").GetProperty("allocatedBytes").GetInt64(), "twenty int[250_000], exact");
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    [TestMethod]
    public async Task AFolderWithoutTraces_AndAGlobMatchingNothing_AreClearErrors()
    {
        using var folder = new TempFolder();
        using (RunningProcess tool = RunningProcess.StartTool(["analyze", folder.Path]))
        {
            ProcessResult result = await tool.WaitForExitAsync(Timeout);
            Assert.AreEqual(7, result.ExitCode, result.ToString());
            Assert.Contains("has no .nettrace file in it or below", result.StandardError, result.ToString());
        }

        using (RunningProcess tool = RunningProcess.StartTool(["analyze", Path.Combine(folder.Path, "*.nettrace")]))
        {
            ProcessResult result = await tool.WaitForExitAsync(Timeout);
            Assert.AreEqual(7, result.ExitCode, result.ToString());
            Assert.Contains("no file matches", result.StandardError, result.ToString());
        }

        // Among several traces, a file named that is not there is a typo, not a damaged instance to leave out.
        using (RunningProcess tool = RunningProcess.StartTool(["analyze", folder.File("a.nettrace"), folder.File("b.nettrace")]))
        {
            ProcessResult result = await tool.WaitForExitAsync(Timeout);
            Assert.AreEqual(7, result.ExitCode, result.ToString());
            Assert.Contains($"{folder.File("a.nettrace")} does not exist", result.StandardError, result.ToString());
        }
    }

    private static async Task RecordBuildAsync(TempFolder folder, string trace)
    {
        using RunningProcess tool = RunningProcess.StartTool(["run", "--exact", "-o", folder.File(trace), "--format", "json", "--", "dotnet", "run", "-c", "Release"], workingDirectory: folder.Path);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(4));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
    }
}
