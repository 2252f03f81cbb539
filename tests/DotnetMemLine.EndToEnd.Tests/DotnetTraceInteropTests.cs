using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>`analyze` on a trace recorded by dotnet-trace (pinned in .config/dotnet-tools.json).</summary>
[TestClass]
public sealed class DotnetTraceInteropTests
{
    /// <summary>The providers README.md documents for dotnet-trace recordings.</summary>
    private const string Providers = "Microsoft-Windows-DotNETRuntime:0x80000021019:5";

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

    private static async Task RecordWithDotnetTraceAsync(string providers, string tracePath, string truthPath)
    {
        using RunningProcess dotnetTrace = RunningProcess.Start(
            "dotnet",
            ["dotnet-trace", "collect", "--providers", providers, "-o", tracePath, "--", "dotnet", Repo.LineTruthTargetDll, truthPath],
            Repo.Root);
        ProcessResult recorded = await dotnetTrace.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, recorded.ExitCode, recorded.ToString());
    }
}
