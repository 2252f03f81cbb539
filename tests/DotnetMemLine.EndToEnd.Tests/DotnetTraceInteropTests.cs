using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>`analyze` on a trace recorded by dotnet-trace (pinned in .config/dotnet-tools.json).</summary>
[TestClass]
public sealed class DotnetTraceInteropTests
{
    /// <summary>The providers README.md documents for dotnet-trace recordings.</summary>
    private const string Providers = "Microsoft-Windows-DotNETRuntime:0x80000421019:5";

    /// <summary>The same without AllocationSampling: the runtime then emits AllocationTick, as runtimes before .NET 10 do.</summary>
    private const string AllocationTickProviders = "Microsoft-Windows-DotNETRuntime:0x20019:5";

    [TestMethod]
    public async Task Analyze_DotnetTraceRecording_MatchesTruth()
    {
        using var folder = new TempFolder();
        string truthPath = folder.File("truth.json");
        string tracePath = folder.File("dotnet-trace.nettrace");
        await RecordWithDotnetTraceAsync(Providers, tracePath, truthPath);

        ProcessResult analyzed = await RunningProcess.RunToolToSuccessAsync("analyze", tracePath, "--method", "AllocateKnownAmounts", "--format", "json");

        using JsonDocument report = JsonDocument.Parse(analyzed.StandardOutput);
        Truth.AssertMatches(report.RootElement, "AllocateKnownAmounts", Truth.Read(truthPath));
    }

    [TestMethod]
    public async Task Analyze_AllocationTickTrace_SaysTheEstimateIsBiased_AndStillTotalsTheMethod()
    {
        using var folder = new TempFolder();
        string truthPath = folder.File("truth.json");
        string tracePath = folder.File("ticks.nettrace");
        await RecordWithDotnetTraceAsync(AllocationTickProviders, tracePath, truthPath);

        ProcessResult analyzed = await RunningProcess.RunToolToSuccessAsync("analyze", tracePath, "--method", "AllocateKnownAmounts", "--format", "json");

        using JsonDocument report = JsonDocument.Parse(analyzed.StandardOutput);
        Assert.IsTrue(report.RootElement.GetProperty("estimatorBiased").GetBoolean(), analyzed.StandardOutput);
        StringAssert.Contains(report.RootElement.GetProperty("estimator").GetString(), "AllocationTick");

        // A tick is charged with the ~100 KB allocated since the previous one, wherever that was;
        // per line that is biased, but over the whole method the ticks add up to its allocations.
        long truthTotal = Truth.Read(truthPath).Where(t => t.Method == "AllocateKnownAmounts").Sum(t => t.Bytes);
        double total = report.RootElement.GetProperty("methods")[0].GetProperty("total").GetProperty("allocatedBytes").GetDouble();
        Assert.IsLessThan(0.05, Math.Abs(total - truthTotal) / truthTotal, $"total {total:N0} vs truth {truthTotal:N0}");
    }

    [TestMethod]
    public async Task Analyze_DotnetTraceRecordingWithTheTplsCausalityEvents_FollowsTheAwaits()
    {
        using var folder = new TempFolder();
        string truthPath = folder.File("truth.json");
        string tracePath = folder.File("async.nettrace");
        await RecordWithDotnetTraceAsync(Providers + ",System.Threading.Tasks.TplEventSource:0x28:4", tracePath, truthPath,
            [Repo.ShapesTargetDll, "causality", truthPath, "--rounds", "32"]);

        ProcessResult analyzed = await RunningProcess.RunToolToSuccessAsync("analyze", tracePath, "--method", "CausalityShape.HandleAsync", "--format", "json");

        // The three levels of awaits under the handler's first line, charged to it as `run --async` does.
        using JsonDocument report = JsonDocument.Parse(analyzed.StandardOutput);
        JsonElement line = report.RootElement.GetProperty("methods")[0].GetProperty("lines").EnumerateArray()
            .Single(l => l.GetProperty("text").GetString()?.Contains("await LoadAsync(round)", StringComparison.Ordinal) == true);
        long truth = Truth.Read(truthPath).Where(t => t.File == "CausalityShape.cs" && t.Method is "DecodeAsync" or "ParseAsync").Sum(t => t.Bytes);
        Assert.IsNull(Truth.Mismatch(line, truth), $"{Truth.Mismatch(line, truth)}\n{analyzed.StandardOutput}");
    }

    private static async Task RecordWithDotnetTraceAsync(string providers, string tracePath, string truthPath, string[]? target = null)
    {
        using RunningProcess dotnetTrace = RunningProcess.Start(
            "dotnet",
            ["dotnet-trace", "collect", "--providers", providers, "-o", tracePath, "--", "dotnet", .. target ?? [Repo.LineTruthTargetDll, truthPath]],
            Repo.Root);
        ProcessResult recorded = await dotnetTrace.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, recorded.ExitCode, recorded.ToString());
    }
}
