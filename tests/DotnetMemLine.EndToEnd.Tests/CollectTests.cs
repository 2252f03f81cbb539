using System.Diagnostics;
using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>`collect` attached to a process that is already running, and its failures.</summary>
[TestClass]
public sealed class CollectTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [TestMethod]
    public async Task Collect_OnARunningProcessWhoseMethodsCompiledBeforeAttach_MatchesTruth()
    {
        using var folder = new TempFolder();
        string truthPath = folder.File("truth.json");
        string tracePath = folder.File("collect.nettrace");

        // The target JIT-compiles its workload, says "ready", and waits for "go".
        using RunningProcess target = RunningProcess.Start("dotnet", [Repo.LineTruthTargetDll, truthPath, "--wait-for-go"]);
        await target.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Timeout);

        using RunningProcess tool = RunningProcess.StartTool(
            ["collect", "-p", target.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--method", "AllocateKnownAmounts", "--format", "json", "-o", tracePath]);
        await tool.WaitForLineAsync(l => l.StartsWith("Recording process", StringComparison.Ordinal), Timeout);
        await target.Process.StandardInput.WriteLineAsync("go");
        await target.Process.StandardInput.FlushAsync();

        ProcessResult collected = await tool.WaitForExitAsync(Timeout);
        ProcessResult targetResult = await target.WaitForExitAsync(Timeout);
        Assert.AreEqual(0, targetResult.ExitCode, targetResult.ToString());
        Assert.AreEqual(0, collected.ExitCode, collected.ToString());
        Assert.Contains("the target exited", collected.StandardError);

        using JsonDocument report = JsonDocument.Parse(collected.StandardOutput);
        Truth.AssertMatches(report.RootElement, "AllocateKnownAmounts", Truth.Read(truthPath));
    }

    [TestMethod]
    public async Task Collect_UnknownMethod_FailsFastWithSuggestionsBeforeRecording()
    {
        using var folder = new TempFolder();
        using RunningProcess target = RunningProcess.Start("dotnet", [Repo.LineTruthTargetDll, folder.File("truth.json"), "--wait-for-go"]);
        await target.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Timeout);

        string tracePath = folder.File("never.nettrace");
        var clock = Stopwatch.StartNew();
        using RunningProcess tool = RunningProcess.StartTool(
            ["collect", "-p", target.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--method", "AllocateKnownAmountz", "--duration", "600", "-o", tracePath]);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);

        ToolAssert.FailsWith(result, 5, "AllocateKnownAmounts");
        Assert.IsFalse(File.Exists(tracePath), "no recording should start for a method that does not exist");
        Assert.IsLessThan(60, clock.Elapsed.TotalSeconds, "the check must not wait for --duration");
    }

    [TestMethod]
    public async Task Collect_PidThatDoesNotExist_FailsWithOneLine()
    {
        using RunningProcess tool = RunningProcess.StartTool(["collect", "-p", "2147483000", "--method", "X"]);
        ToolAssert.FailsWith(await tool.WaitForExitAsync(Timeout), 3, "no process with id 2147483000");
    }

    [TestMethod]
    public async Task Collect_ProcessThatIsNotDotnet_FailsWithOneLine()
    {
        using RunningProcess sleeper = RunningProcess.Start("sleep", ["120"]);
        using RunningProcess tool = RunningProcess.StartTool(
            ["collect", "-p", sleeper.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--method", "X"]);
        ToolAssert.FailsWith(await tool.WaitForExitAsync(Timeout), 4, "is not a .NET process");
    }

    [TestMethod]
    public async Task Collect_WithoutProcess_IsAUsageError()
    {
        using RunningProcess tool = RunningProcess.StartTool(["collect", "--method", "X"]);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        Assert.DoesNotContain("   at ", result.StandardError);
    }
}
