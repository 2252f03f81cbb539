using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>`analyze` on a trace recorded by dotnet-trace (pinned in .config/dotnet-tools.json).</summary>
[TestClass]
public sealed class DotnetTraceInteropTests
{
    /// <summary>The providers README.md documents for dotnet-trace recordings.</summary>
    private const string Providers = "Microsoft-Windows-DotNETRuntime:0x80000020019:5";

    [TestMethod]
    public async Task Analyze_DotnetTraceRecording_MatchesTruth()
    {
        using var folder = new TempFolder();
        string truthPath = folder.File("truth.json");
        string tracePath = folder.File("dotnet-trace.nettrace");

        using (RunningProcess dotnetTrace = RunningProcess.Start(
            "dotnet",
            ["dotnet-trace", "collect", "--providers", Providers, "-o", tracePath, "--", "dotnet", Repo.LineTruthTargetDll, truthPath],
            Repo.Root))
        {
            ProcessResult recorded = await dotnetTrace.WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.AreEqual(0, recorded.ExitCode, recorded.ToString());
        }

        using RunningProcess tool = RunningProcess.StartTool(["analyze", tracePath, "--method", "AllocateKnownAmounts", "--format", "json"]);
        ProcessResult analyzed = await tool.WaitForExitAsync(TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, analyzed.ExitCode, analyzed.ToString());

        using JsonDocument report = JsonDocument.Parse(analyzed.StandardOutput);
        Truth.AssertMatches(report.RootElement, "AllocateKnownAmounts", Truth.Read(truthPath));
    }
}
