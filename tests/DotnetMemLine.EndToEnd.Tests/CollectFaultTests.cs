using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DotnetMemLine.Decoding;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// Faults during a recording, with real targets and real EventPipe sessions: the target exits,
/// crashes or is killed mid-recording; Ctrl+C, SIGTERM and a second Ctrl+C; an output path that
/// cannot be written or a disk that fills up; a second collector; a process of another user; a
/// target in another TMPDIR reached through --diagnostic-port. Every trace left behind must be
/// complete (closed after its last complete block when cut off) and readable by `analyze`.
/// </summary>
/// <remarks>
/// Targets are started with --cold (ready at once, no warm-up) unless a test needs otherwise;
/// the tests poll for output lines and trace sizes rather than sleeping.
/// </remarks>
[TestClass]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CollectFaultTests
{
    private const string Method = "AllocateKnownAmounts";
    private const long SomeEvents = 1 << 20; // a trace this long holds allocation samples
    private const string TestUser = "memline-e2e";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    // An idle target (it never gets "go") for the failures that happen before any recording.
    private static TempFolder s_idleFolder = null!;
    private static RunningProcess s_idle = null!;

    [ClassInitialize]
    public static async Task StartIdleTargetAsync(TestContext context)
    {
        _ = context;
        s_idleFolder = new TempFolder();
        s_idle = await StartTargetAsync(s_idleFolder, "--cold");
    }

    [ClassCleanup]
    public static void StopIdleTarget()
    {
        s_idle?.Dispose();
        s_idleFolder?.Dispose();
    }

    [TestMethod]
    [DataRow("sigkill", DisplayName = "killed with SIGKILL")]
    [DataRow("throw", DisplayName = "crashed by an unhandled exception")]
    public async Task Collect_TargetEndsAbruptly_ReportsWhatWasRecorded(string how)
    {
        using var folder = new TempFolder();
        string tracePath = folder.File("abrupt.nettrace");
        string truthPath = folder.File("truth.json");
        string[] workload = how == "sigkill" ? ["--rounds", "100000000"] : ["--rounds", "300", "--crash", "throw"];
        using RunningProcess target = await StartTargetAsync(folder, ["--cold", .. workload]);
        using RunningProcess tool = StartCollect(target, tracePath);
        await WaitForRecordingAsync(tool);
        await GoAsync(target);
        if (how == "sigkill")
        {
            await WaitForTraceBytesAsync(tracePath, SomeEvents, tool);
            Posix.Signal(target.Process, Posix.SIGKILL);
        }

        ProcessResult collected = await tool.WaitForExitAsync(Timeout);

        // The runtime describes the code loaded before the session (modules, methods) only when the
        // session ends normally; the snapshot collect takes at attach stands in for it.
        Assert.AreEqual(0, collected.ExitCode, collected.ToString());
        Assert.Contains("the target ended abruptly (killed or crashed)", collected.StandardError);
        Assert.Contains("Note: the trace was cut off; it was closed after its last complete block", collected.StandardError);
        Assert.Contains("abrupt.rundown.nettrace (taken at attach)", collected.StandardError);
        AssertTraceIsComplete(tracePath);
        AssertTraceIsComplete(folder.File("abrupt.rundown.nettrace"));
        using JsonDocument report = JsonDocument.Parse(collected.StandardOutput);
        double total = Total(report);
        Assert.IsGreaterThan(0.0, total, collected.ToString());
        if (how != "sigkill")
        {
            // The target wrote its exact allocations before crashing: what was recorded is at most that.
            long truth = Truth.Read(truthPath).Where(t => t.Method == Method).Sum(t => t.Bytes);
            Assert.IsLessThan(truth * 1.15, total, $"recorded {total:N0} of a truth of {truth:N0}");
        }

        Assert.IsTrue(
            report.RootElement.GetProperty("warnings").EnumerateArray().Any(w => w.GetString()!.Contains("read from", StringComparison.Ordinal)),
            collected.StandardOutput);
        Assert.Contains("Line #", (await AnalyzeAsync(tracePath)).StandardOutput);
    }

    [TestMethod]
    public async Task Collect_TargetStoppedCleanly_NoSnapshotIsLeft()
    {
        using var folder = new TempFolder();
        string tracePath = folder.File("clean.nettrace");
        using RunningProcess target = await StartTargetAsync(folder, "--cold", "--rounds", "100000000");
        using RunningProcess tool = StartCollectFor(target, tracePath, "2");

        ProcessResult collected = await tool.WaitForExitAsync(Timeout);

        Assert.AreEqual(0, collected.ExitCode, collected.ToString());
        AssertTraceIsComplete(tracePath);
        Assert.IsFalse(File.Exists(folder.File("clean.rundown.nettrace")), "the trace has its own rundown, so the snapshot is deleted");
    }

    [TestMethod]
    [DataRow("sigkill", "the target was killed (exit code 137, SIGKILL)", DisplayName = "killed with SIGKILL")]
    [DataRow("throw", "the target crashed (exit code 134, SIGABRT", DisplayName = "crashed by an unhandled exception")]
    [DataRow("failfast", "the target crashed (exit code 134, SIGABRT", DisplayName = "crashed by Environment.FailFast")]
    public async Task Run_TargetEndsAbruptly_ReportsWhatWasRecorded(string how, string ending)
    {
        // 'run' records from the program's first instruction, so every method is described by the
        // events themselves and the table of a cut-off trace is complete up to the cut.
        using var folder = new TempFolder();
        string tracePath = folder.File("abrupt.nettrace");
        string truthPath = folder.File("truth.json");
        string[] workload = how == "sigkill" ? ["--rounds", "100000000"] : ["--rounds", "2000", "--crash", how];
        using RunningProcess tool = StartRun(tracePath, [truthPath, .. workload]);
        int program = await WaitForRecordedProgramAsync(tool);
        if (how == "sigkill")
        {
            await WaitForTraceBytesAsync(tracePath, SomeEvents, tool);
            Posix.Signal(Process.GetProcessById(program), Posix.SIGKILL);
        }

        ProcessResult result = await tool.WaitForExitAsync(Timeout);

        // The tables are printed, then run passes the program's own exit status on.
        Assert.AreEqual(how == "sigkill" ? 137 : 134, result.ExitCode, result.ToString());
        Assert.Contains($"; {ending}", result.StandardError);
        Assert.Contains("Note: the trace was cut off; it was closed after its last complete block", result.StandardError);
        AssertTraceIsComplete(tracePath);
        using JsonDocument report = JsonDocument.Parse(result.StandardOutput);
        double total = Total(report);
        Assert.IsGreaterThan(0.0, total, result.ToString());
        if (how != "sigkill")
        {
            // The target wrote its exact allocations before crashing: what was recorded is at most that.
            long truth = Truth.Read(truthPath).Where(t => t.Method == Method).Sum(t => t.Bytes);
            Assert.IsLessThan(truth * 1.15, total, $"recorded {total:N0} of a truth of {truth:N0}");
        }

        Assert.IsTrue(
            report.RootElement.GetProperty("warnings").EnumerateArray().Any(w => w.GetString()!.Contains("cut off before its rundown", StringComparison.Ordinal)),
            result.StandardOutput);
        Assert.Contains("Line #", (await AnalyzeAsync(tracePath)).StandardOutput);
    }

    [TestMethod]
    public async Task Collect_Sigterm_StopsTheSessionCleanlyAndLeavesTheTargetRunning()
    {
        using var folder = new TempFolder();
        string tracePath = folder.File("sigterm.nettrace");
        using RunningProcess target = await StartTargetAsync(folder, "--cold", "--rounds", "100000000");
        using RunningProcess tool = StartCollect(target, tracePath);
        await WaitForRecordingAsync(tool);
        await GoAsync(target);
        await WaitForTraceBytesAsync(tracePath, SomeEvents, tool);

        Posix.Signal(tool.Process, Posix.SIGTERM);
        ProcessResult collected = await tool.WaitForExitAsync(Timeout);

        Assert.AreEqual(0, collected.ExitCode, collected.ToString());
        Assert.Contains("stopped by SIGTERM", collected.StandardError);
        AssertTraceIsComplete(tracePath);
        using JsonDocument report = JsonDocument.Parse(collected.StandardOutput);
        Assert.IsGreaterThan(0.0, Total(report), collected.ToString());
        Assert.IsFalse(target.Process.HasExited, "collect must leave the target running");
    }

    [TestMethod]
    [DataRow(Posix.SIGINT, "stopped by the user", DisplayName = "Ctrl+C")]
    [DataRow(Posix.SIGTERM, "stopped by SIGTERM", DisplayName = "SIGTERM")]
    public async Task Run_StopSignal_StopsCleanlyAndEndsTheProgram(int signal, string reason)
    {
        using var folder = new TempFolder();
        string tracePath = folder.File("stopped.nettrace");
        using RunningProcess tool = StartRun(tracePath, [folder.File("truth.json"), "--rounds", "100000000"]);
        int program = await WaitForRecordedProgramAsync(tool);
        await WaitForTraceBytesAsync(tracePath, SomeEvents, tool);

        Posix.Signal(tool.Process, signal);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.Contains(reason, result.StandardError);
        Assert.Contains($"Ended the program (process {program})", result.StandardError);
        Assert.IsFalse(Directory.Exists($"/proc/{program}"), "the program run started must not outlive it");
        AssertTraceIsComplete(tracePath);
        using JsonDocument report = JsonDocument.Parse(result.StandardOutput);
        Assert.IsGreaterThan(0.0, Total(report), result.ToString());
    }

    [TestMethod]
    public async Task Run_SecondCtrlCRightAfterTheFirst_AbortsAtOnceAndLeavesAReadableTrace()
    {
        using var folder = new TempFolder();
        string tracePath = folder.File("aborted.nettrace");
        using RunningProcess tool = StartRun(tracePath, [folder.File("truth.json"), "--rounds", "100000000"]);
        await WaitForRecordedProgramAsync(tool);
        await WaitForTraceBytesAsync(tracePath, SomeEvents, tool);

        var clock = Stopwatch.StartNew();
        Posix.Signal(tool.Process, Posix.SIGINT);
        // Two signals sent back to back merge into one in the kernel: the second goes once the first was seen.
        await tool.WaitForLineAsync(l => l.StartsWith("Stopping the recording", StringComparison.Ordinal), Timeout);
        Posix.Signal(tool.Process, Posix.SIGINT); // while the session is stopping (or the analysis starting)
        ProcessResult result = await tool.WaitForExitAsync(Timeout);

        ToolAssert.FailsWith(result, 12, "aborted by Ctrl+C or SIGTERM");
        Assert.IsLessThan(10, clock.Elapsed.TotalSeconds, "an abort must not wait for the session's end (up to 30 s) or the analysis");
        Assert.AreEqual("", result.StandardOutput.Trim(), "an aborted command prints no table");
        AssertTraceIsComplete(tracePath);
        Assert.Contains("Line #", (await AnalyzeAsync(tracePath)).StandardOutput);
    }

    [TestMethod]
    public async Task Collect_SecondCtrlCDuringTheAnalysis_AbortsAtOnceAndLeavesTheCompleteTrace()
    {
        using var folder = new TempFolder();
        string tracePath = folder.File("aborted.nettrace");
        using RunningProcess target = await StartTargetAsync(folder, "--cold", "--rounds", "100000000");
        using RunningProcess tool = StartCollect(target, tracePath);
        await WaitForRecordingAsync(tool);
        await GoAsync(target);
        // A trace this long takes a second or more to analyze: the window for the second signal.
        await WaitForTraceBytesAsync(tracePath, 24 * SomeEvents, tool);

        Posix.Signal(tool.Process, Posix.SIGINT);
        await tool.WaitForLineAsync(l => l.StartsWith("Trace saved:", StringComparison.Ordinal), Timeout);
        var clock = Stopwatch.StartNew();
        Posix.Signal(tool.Process, Posix.SIGINT);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);

        ToolAssert.FailsWith(result, 12, "aborted by Ctrl+C or SIGTERM");
        Assert.IsLessThan(5, clock.Elapsed.TotalSeconds, "the abort must not wait for the analysis");
        Assert.Contains("stopped by the user", result.StandardError);
        Assert.AreEqual("", result.StandardOutput.Trim(), "an aborted command prints no table");
        AssertTraceIsComplete(tracePath); // with its rundown: the stop had finished
        Assert.IsFalse(target.Process.HasExited, "collect must leave the target running");
    }

    [TestMethod]
    public async Task Collect_OutputFolderMissing_FailsBeforeRecording()
    {
        using var folder = new TempFolder();
        string tracePath = Path.Combine(folder.Path, "no", "such", "folder", "t.nettrace");
        using RunningProcess tool = StartCollect(s_idle, tracePath);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);

        ToolAssert.FailsWith(result, 9, $"cannot write the trace file {tracePath}: the folder {Path.GetDirectoryName(tracePath)} does not exist");
        Assert.DoesNotContain("Recording", result.StandardError, "no session may start");
        Assert.IsFalse(Directory.Exists(Path.Combine(folder.Path, "no")));
    }

    [TestMethod]
    public async Task Collect_OutputFolderReadOnly_FailsBeforeRecording()
    {
        // Root writes into a folder without write permission, so as root the folder is a read-only mount.
        using var folder = new TempFolder();
        string readOnly = folder.File("read-only");
        Directory.CreateDirectory(readOnly);
        bool mounted = false;
        try
        {
            if (Posix.IsRoot)
            {
                await SetUpAsRootAsync("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", readOnly);
                mounted = true;
            }
            else
            {
                File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            }

            string tracePath = Path.Combine(readOnly, "t.nettrace");
            using RunningProcess tool = StartCollect(s_idle, tracePath);
            ProcessResult result = await tool.WaitForExitAsync(Timeout);

            ToolAssert.FailsWith(result, 9, $"cannot write the trace file {tracePath}");
            Assert.DoesNotContain("Recording", result.StandardError, "no session may start");
        }
        finally
        {
            if (mounted)
            {
                await RunAsRootAsync("umount", readOnly);
            }
            else
            {
                File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    [TestMethod]
    public async Task Collect_OutputOnAFullDevice_FailsWithOneLineAndLeavesTheTargetRunning()
    {
        using RunningProcess tool = StartCollect(s_idle, "/dev/full");
        ProcessResult result = await tool.WaitForExitAsync(Timeout);

        ToolAssert.FailsWith(result, 9, "cannot write the trace file /dev/full: No space left on device; the recording was stopped");
        Assert.IsFalse(s_idle.Process.HasExited, "the target must survive its recording's failure");
        Assert.IsFalse(File.Exists("/dev/full.rundown.nettrace"), "no snapshot is written next to a device");
    }

    [TestMethod]
    public async Task Run_DiskFills_PrintsTheTableOfWhatWasWrittenThenFails()
    {
        if (!Posix.IsRoot)
        {
            Assert.Inconclusive("a small full disk needs a tmpfs mount, which needs root; /dev/full is covered by Collect_OutputOnAFullDevice");
        }

        using var folder = new TempFolder();
        string small = folder.File("small-disk");
        Directory.CreateDirectory(small);
        await SetUpAsRootAsync("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small);
        try
        {
            string tracePath = Path.Combine(small, "full.nettrace");
            using RunningProcess tool = StartRun(tracePath, [folder.File("truth.json"), "--rounds", "100000000"]);
            ProcessResult result = await tool.WaitForExitAsync(Timeout);

            ToolAssert.FailsWith(result, 9, $"cannot write the trace file {tracePath}: No space left on device; the recording was stopped");
            Assert.Contains("Note: the trace is incomplete", result.StandardError);
            using JsonDocument report = JsonDocument.Parse(result.StandardOutput);
            Assert.IsGreaterThan(0.0, Total(report), "the table of what reached the disk");
            AssertTraceIsComplete(tracePath);
            Assert.IsLessThanOrEqualTo(2L << 20, new FileInfo(tracePath).Length);
        }
        finally
        {
            await RunAsRootAsync("umount", small);
        }
    }

    [TestMethod]
    public async Task Collect_TwoCollectorsOnOneProcess_BothGetValidTracesAndTables()
    {
        // EventPipe runs several sessions at once: a second collector is no fault.
        using var folder = new TempFolder();
        using RunningProcess target = await StartTargetAsync(folder, "--cold", "--rounds", "300");
        using RunningProcess first = StartCollect(target, folder.File("first.nettrace"));
        using RunningProcess second = StartCollect(target, folder.File("second.nettrace"));
        await Task.WhenAll(WaitForRecordingAsync(first), WaitForRecordingAsync(second));
        await GoAsync(target);

        foreach ((RunningProcess tool, string trace) in new[] { (first, "first.nettrace"), (second, "second.nettrace") })
        {
            ProcessResult result = await tool.WaitForExitAsync(Timeout);
            Assert.AreEqual(0, result.ExitCode, result.ToString());
            Assert.Contains("the target exited", result.StandardError);
            AssertTraceIsComplete(folder.File(trace));
            using JsonDocument report = JsonDocument.Parse(result.StandardOutput);
            Assert.IsGreaterThan(0.0, Total(report), result.ToString());
        }
    }

    [TestMethod]
    public async Task Collect_ProcessOfAnotherUser_IsPermissionDenied()
    {
        if (!Posix.IsRoot)
        {
            Assert.Inconclusive("needs root to create a second user; root itself may attach to any process");
        }

        // The tool runs as an unprivileged user; the target is root's: its socket is root's, mode 0600.
        await EnsureTestUserAsync();
        await SetUpAsRootAsync("runuser", "-u", TestUser, "--", "dotnet", "--list-runtimes"); // dotnet must be usable by that user
        using RunningProcess tool = RunningProcess.Start("runuser",
            ["-u", TestUser, "--", "dotnet", Repo.CliDll, "collect", "-p", Pid(s_idle), "--method", Method, "-o", "/tmp/memline-e2e-never.nettrace"]);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);

        ToolAssert.FailsWith(result, 13, $"permission denied attaching to process {Pid(s_idle)}: it belongs to another user");
        Assert.IsFalse(File.Exists("/tmp/memline-e2e-never.nettrace"));
    }

    [TestMethod]
    public async Task Collect_ThroughDiagnosticPort_ReachesATargetInAnotherTmpdir()
    {
        using var folder = new TempFolder();
        using var otherTmp = new TempFolder();
        string tracePath = folder.File("port.nettrace");
        using RunningProcess target = await StartTargetAsync(folder, ["--cold", "--rounds", "300"], new Dictionary<string, string> { ["TMPDIR"] = otherTmp.Path });
        string socket = Directory.GetFiles(otherTmp.Path, $"dotnet-diagnostic-{Pid(target)}-*-socket").Single();

        using RunningProcess tool = RunningProcess.StartTool(["collect", "--diagnostic-port", socket, "--method", Method, "--format", "json", "-o", tracePath]);
        await tool.WaitForLineAsync(l => l.StartsWith($"Recording process {Pid(target)} (LineTruthTarget)", StringComparison.Ordinal), Timeout);
        await GoAsync(target);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.Contains("the target exited", result.StandardError);
        AssertTraceIsComplete(tracePath);
        using JsonDocument report = JsonDocument.Parse(result.StandardOutput);
        Assert.IsGreaterThan(0.0, Total(report), result.ToString());
    }

    [TestMethod]
    public async Task Collect_DiagnosticPortThatDoesNotExist_FailsWithOneLine()
    {
        using var folder = new TempFolder();
        string socket = folder.File("dotnet-diagnostic-1-1-socket");
        using RunningProcess tool = RunningProcess.StartTool(["collect", "--diagnostic-port", socket, "--method", Method]);

        ToolAssert.FailsWith(await tool.WaitForExitAsync(Timeout), 3, $"no diagnostics socket at {socket}");
    }

    private static string Pid(RunningProcess process) => process.Process.Id.ToString(CultureInfo.InvariantCulture);

    private static Task<RunningProcess> StartTargetAsync(TempFolder folder, params string[] options) => StartTargetAsync(folder, options, null);

    /// <summary>LineTruthTarget with --wait-for-go, once it says "ready".</summary>
    private static async Task<RunningProcess> StartTargetAsync(TempFolder folder, string[] options, IReadOnlyDictionary<string, string>? environment)
    {
        RunningProcess target = RunningProcess.Start("dotnet", [Repo.LineTruthTargetDll, folder.File("truth.json"), "--wait-for-go", .. options], environment: environment);
        await target.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Timeout);
        return target;
    }

    private static async Task GoAsync(RunningProcess target)
    {
        await target.Process.StandardInput.WriteLineAsync("go");
        await target.Process.StandardInput.FlushAsync();
    }

    private static RunningProcess StartCollectFor(RunningProcess target, string tracePath, string seconds) =>
        RunningProcess.StartTool(["collect", "-p", Pid(target), "--method", Method, "--format", "json", "-o", tracePath, "--duration", seconds]);

    private static RunningProcess StartCollect(RunningProcess target, string tracePath) =>
        RunningProcess.StartTool(["collect", "-p", Pid(target), "--method", Method, "--format", "json", "-o", tracePath]);

    private static RunningProcess StartRun(string tracePath, string[] targetArguments) =>
        RunningProcess.StartTool(["run", "--method", Method, "--format", "json", "-o", tracePath, "--", "dotnet", Repo.LineTruthTargetDll, .. targetArguments]);

    private static Task<string> WaitForRecordingAsync(RunningProcess tool) =>
        tool.WaitForLineAsync(l => l.StartsWith("Recording ", StringComparison.Ordinal), Timeout);

    /// <summary>Waits for run's "Recording ... (process N) to ..." line; returns N, the program's pid.</summary>
    private static async Task<int> WaitForRecordedProgramAsync(RunningProcess tool)
    {
        string line = await tool.WaitForLineAsync(l => l.StartsWith("Recording ", StringComparison.Ordinal), Timeout);
        int start = line.LastIndexOf("(process ", StringComparison.Ordinal) + "(process ".Length;
        return int.Parse(line[start..line.IndexOf(')', start)], CultureInfo.InvariantCulture);
    }

    private static async Task WaitForTraceBytesAsync(string tracePath, long bytes, RunningProcess tool)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(tracePath) || new FileInfo(tracePath).Length < bytes)
        {
            if (tool.Process.HasExited || clock.Elapsed > Timeout)
            {
                Assert.Fail($"{tracePath} did not reach {bytes:N0} bytes (tool exited: {tool.Process.HasExited})");
            }

            await Task.Delay(50);
        }
    }

    private static void AssertTraceIsComplete(string tracePath)
    {
        NettraceLayout layout = NettraceLayout.Read(tracePath);
        Assert.IsTrue(layout.IsComplete, $"{tracePath}: {layout.Problem} at byte {layout.StoppedAt:N0} of {layout.FileLength:N0}");
        Assert.IsTrue(layout.Blocks.Any(b => b.Name == "EventBlock"), $"{tracePath} has no events");
    }

    private static async Task<ProcessResult> AnalyzeAsync(string tracePath)
    {
        using RunningProcess tool = RunningProcess.StartTool(["analyze", tracePath, "--method", Method]);
        return await tool.WaitForExitAsync(Timeout);
    }

    /// <summary>The estimated total of the report's first method; 0 when it has no samples.</summary>
    private static double Total(JsonDocument report)
    {
        JsonElement total = report.RootElement.GetProperty("methods")[0].GetProperty("total");
        return total.ValueKind == JsonValueKind.Object && total.GetProperty("allocatedBytes") is { ValueKind: JsonValueKind.Number } bytes ? bytes.GetDouble() : 0;
    }

    private static async Task RunAsRootAsync(string command, params string[] arguments)
    {
        using RunningProcess process = RunningProcess.Start(command, arguments);
        ProcessResult result = await process.WaitForExitAsync(Timeout);
        Assert.AreEqual(0, result.ExitCode, $"{command} {string.Join(' ', arguments)}: {result}");
    }

    /// <summary>
    /// A set-up step that needs more than root (a mount needs CAP_SYS_ADMIN, which a container may
    /// lack; useradd may be missing): when it cannot run here, the test is inconclusive, not failed.
    /// </summary>
    private static async Task SetUpAsRootAsync(string command, params string[] arguments)
    {
        ProcessResult result;
        try
        {
            using RunningProcess process = RunningProcess.Start(command, arguments);
            result = await process.WaitForExitAsync(Timeout);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Inconclusive($"cannot set up the test here: {command} is not available ({ex.Message})");
            return;
        }

        if (result.ExitCode != 0)
        {
            Assert.Inconclusive($"cannot set up the test here: {command} {string.Join(' ', arguments)} failed: {result.StandardError.Trim()}");
        }
    }

    /// <summary>An unprivileged system user with no home and no login, created once and kept.</summary>
    private static async Task EnsureTestUserAsync()
    {
        using RunningProcess id = RunningProcess.Start("id", ["-u", TestUser]);
        if ((await id.WaitForExitAsync(Timeout)).ExitCode != 0)
        {
            await SetUpAsRootAsync("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TestUser);
        }
    }
}
