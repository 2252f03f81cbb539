using System.Diagnostics;
using System.Text.Json;
using DotnetMemLine.Decoding;
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
        Assert.IsTrue(NettraceLayout.Read(tracePath).IsComplete, "the runtime closes the trace when its process exits");

        using JsonDocument report = JsonDocument.Parse(collected.StandardOutput);
        Truth.AssertMatches(report.RootElement, "AllocateKnownAmounts", Truth.Read(truthPath));
    }

    [TestMethod]
    public async Task CollectByName_StoppedByDuration_ResolvesCodeCompiledBeforeAttachThroughTheRundown()
    {
        // The target keeps running after the session stops, so only the rundown written at stop
        // describes its (pre-compiled) methods. Its truth is for the whole run, so compare shares.
        using var folder = new TempFolder();
        using RunningProcess target = await StartLongRunningTargetAsync(folder);
        using RunningProcess tool = RunningProcess.StartTool(
            ["collect", "-n", "LineTruthTarget", "--method", "AllocateKnownAmounts", "--duration", "1", "--format", "json", "-o", folder.File("duration.nettrace")]);
        ProcessResult collected = await tool.WaitForExitAsync(Timeout);

        Assert.AreEqual(0, collected.ExitCode, collected.ToString());
        Assert.Contains("the duration elapsed", collected.StandardError);
        Assert.IsFalse(target.Process.HasExited, "the target must outlive the session for this test to mean anything");
        AssertLineSharesMatchTheWorkload(collected.StandardOutput);
    }

    [TestMethod]
    public async Task Collect_StoppedByCtrlC_KeepsTheTraceAndPrintsTheReport()
    {
        using var folder = new TempFolder();
        string tracePath = folder.File("sigint.nettrace");
        using RunningProcess target = await StartLongRunningTargetAsync(folder);
        using RunningProcess tool = RunningProcess.StartTool(
            ["collect", "-p", Pid(target), "--method", "AllocateKnownAmounts", "--format", "json", "-o", tracePath]);
        await tool.WaitForLineAsync(l => l.StartsWith("Recording process", StringComparison.Ordinal), Timeout);
        await Task.Delay(TimeSpan.FromSeconds(1));
        using (Process kill = Process.Start("kill", ["-INT", Pid(tool)]))
        {
            await kill.WaitForExitAsync();
        }

        ProcessResult collected = await tool.WaitForExitAsync(Timeout);

        Assert.AreEqual(0, collected.ExitCode, collected.ToString());
        Assert.Contains("stopped by the user", collected.StandardError);
        Assert.IsTrue(NettraceLayout.Read(tracePath).IsComplete);
        AssertLineSharesMatchTheWorkload(collected.StandardOutput);
    }

    [TestMethod]
    public async Task Ps_ListsARunningDotnetProcess()
    {
        using var folder = new TempFolder();
        using RunningProcess target = RunningProcess.Start("dotnet", [Repo.LineTruthTargetDll, folder.File("truth.json"), "--wait-for-go"]);
        await target.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Timeout);

        using RunningProcess tool = RunningProcess.StartTool(["ps"]);
        ProcessResult listed = await tool.WaitForExitAsync(Timeout);

        Assert.AreEqual(0, listed.ExitCode, listed.ToString());
        Assert.IsTrue(
            listed.StandardOutput.Split('\n').Any(l => l.TrimStart().StartsWith(Pid(target) + " ", StringComparison.Ordinal)),
            listed.ToString());
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

    private static string Pid(RunningProcess process) =>
        process.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A warmed-up target told to go, with enough rounds to run far longer than any test.</summary>
    private static async Task<RunningProcess> StartLongRunningTargetAsync(TempFolder folder)
    {
        RunningProcess target = RunningProcess.Start("dotnet", [Repo.LineTruthTargetDll, folder.File("truth.json"), "--wait-for-go", "--rounds", "10000000"]);
        await target.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Timeout);
        await target.Process.StandardInput.WriteLineAsync("go");
        await target.Process.StandardInput.FlushAsync();
        return target;
    }

    /// <summary>
    /// Each checked line's share of the method's attributed bytes matches the workload's design
    /// (419.2 : 314.688 : 209.72 : 152 MB per 200 rounds) within 10%, and every sample found its line.
    /// </summary>
    private static void AssertLineSharesMatchTheWorkload(string json)
    {
        using JsonDocument report = JsonDocument.Parse(json);
        JsonElement method = report.RootElement.GetProperty("methods")[0];
        Assert.AreEqual(0, method.GetProperty("unattributedSamples").GetInt64(), json);

        var designed = new Dictionary<int, double>
        {
            [WorkloadLine("MakeByteArrays(SmallArrayCount")] = 419.2,
            [WorkloadLine("FillScratchBuffers(ScratchBufferCount)")] = 314.688,
            [WorkloadLine("MakeByteArrays(LargeArrayCount")] = 209.72,
            [WorkloadLine("MakeLabels(LabelCount)")] = 152.0,
        };
        var estimated = method.GetProperty("lines").EnumerateArray()
            .Where(l => designed.ContainsKey(l.GetProperty("line").GetInt32()))
            .ToDictionary(l => l.GetProperty("line").GetInt32(), l => l.GetProperty("allocatedBytes").GetDouble());
        Assert.HasCount(4, estimated, json);
        double designedTotal = designed.Values.Sum();
        double estimatedTotal = estimated.Values.Sum();
        foreach ((int line, double share) in designed)
        {
            double expected = share / designedTotal;
            double actual = estimated[line] / estimatedTotal;
            Assert.IsLessThan(0.10, Math.Abs(actual - expected) / expected, $"line {line}: share {actual:P1}, designed {expected:P1}\n{json}");
        }
    }

    /// <summary>The 1-based line of Workload.cs that contains <paramref name="text"/>, a checked line.</summary>
    private static int WorkloadLine(string text) => ShapeAssert.CheckedLineOf(Repo.LineTruthSource("Workload.cs"), text);

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
    public async Task Collect_ProcessWithAStaleDiagnosticsSocket_IsNotADotnetProcess()
    {
        // A runtime killed with SIGKILL leaves its socket in /tmp; when its pid is reused by a process
        // that is not .NET, the socket is found but nobody answers on it.
        using RunningProcess sleeper = RunningProcess.Start("sleep", ["120"]);
        string pid = sleeper.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string stale = Path.Combine(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-12345-socket");
        // Bound but not listening, as a dead runtime's socket: connecting is refused. (.NET deletes the
        // file when the socket is disposed, so it is kept open until the tool has tried.)
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(stale));
        try
        {
            using RunningProcess tool = RunningProcess.StartTool(["collect", "-p", pid, "--method", "X"]);
            ToolAssert.FailsWith(await tool.WaitForExitAsync(Timeout), 4, $"process {pid} (sleep) is not a .NET process: the diagnostics socket published for its id does not answer");
        }
        finally
        {
            socket.Dispose();
            File.Delete(stale);
        }
    }

    [TestMethod]
    public async Task Collect_MalformedProcessId_IsAUsageErrorWithoutStackTrace()
    {
        using RunningProcess tool = RunningProcess.StartTool(["collect", "-p", "abc", "--method", "X"]);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        Assert.Contains("dotnet-memline: error: --process-id must be a process id", result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
    }

    [TestMethod]
    public async Task Collect_UnknownBufferingMode_IsAUsageErrorNamingTheTwoModes()
    {
        // An enum option would take any number ("5") as a mode no runtime knows, and record with Drop without a word.
        using RunningProcess tool = RunningProcess.StartTool(["collect", "-p", "1", "--method", "X", "--buffering-mode", "5"]);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        Assert.Contains("dotnet-memline: error: --buffering-mode must be Drop (lossy, the default) or Block (lossless, .NET 11), not '5'", result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
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
