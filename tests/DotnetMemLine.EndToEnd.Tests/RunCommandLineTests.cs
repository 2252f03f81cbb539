using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// `run`'s command line as scripts use it: only what follows `--` is the program (an unknown option is a usage error,
/// never something to execute), a wrong method name or a missing program fails before anything runs, the program's
/// exit code is passed on once the tables are printed, and dotnet-trace's spellings of shared options are accepted.
/// </summary>
[TestClass]
public sealed class RunCommandLineTests
{
    private const string Method = "LifetimesShape.CacheAll";

    [TestMethod]
    public async Task AnUnknownOptionBeforeTheDoubleDash_IsAUsageError_AndStartsNothing()
    {
        using RunningProcess tool = RunningProcess.StartTool(["run", "--retentoin", "--method", Method, "--", "dotnet", Repo.ShapesTargetDll, "lifetimes", "/dev/null"]);
        ToolAssert.FailsWith(await tool.WaitForExitAsync(TimeSpan.FromMinutes(1)), 2, "unknown option '--retentoin' for run");
    }

    [TestMethod]
    public async Task AProgramWithoutTheDoubleDash_IsAUsageError()
    {
        using RunningProcess tool = RunningProcess.StartTool(["run", "--method", Method, "dotnet", Repo.ShapesTargetDll]);
        ToolAssert.FailsWith(await tool.WaitForExitAsync(TimeSpan.FromMinutes(1)), 2, "the program to run goes after --");
    }

    [TestMethod]
    public async Task AMethodNameInNoneOfTheProgramsAssemblies_FailsBeforeTheProgramRuns_AndLeavesNoTrace()
    {
        using var folder = new TempFolder();
        using RunningProcess tool = RunningProcess.StartTool(["run", "--method", "CacheAl", "--", "dotnet", Repo.ShapesTargetDll, "lifetimes", folder.File("truth.json")], workingDirectory: folder.Path);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(1));
        ToolAssert.FailsWith(result, 5, "no method matches the name 'CacheAl' in ShapesTarget.dll; closest: ShapesTarget.Shapes.LifetimesShape.CacheAll");
        Assert.DoesNotContain("Recording", result.StandardError, "the program must not have been started");
        Assert.IsFalse(File.Exists(folder.File("truth.json")), "the program must not have run");
        Assert.IsEmpty(Directory.GetFiles(folder.Path, "*.nettrace"), "no trace file is left behind");
    }

    [TestMethod]
    public async Task DotnetTracesSpellings_DportAndBuffersize_AreAccepted()
    {
        using (RunningProcess tool = RunningProcess.StartTool(["collect", "--dport", "/nonexistent/dotnet-diagnostic-1-2-socket", "--method", Method]))
        {
            ToolAssert.FailsWith(await tool.WaitForExitAsync(TimeSpan.FromMinutes(1)), 3, "no diagnostics socket at /nonexistent/dotnet-diagnostic-1-2-socket");
        }

        // Accepted as an option (not a usage error): the run then stops at the method name, before the program starts.
        using (RunningProcess tool = RunningProcess.StartTool(["run", "--buffersize", "64", "--method", "CacheAl", "--", "dotnet", Repo.ShapesTargetDll]))
        {
            ToolAssert.FailsWith(await tool.WaitForExitAsync(TimeSpan.FromMinutes(1)), 5, "no method matches the name 'CacheAl'");
        }
    }

    [TestMethod]
    public async Task WithoutOutput_TheTraceGoesToTheUsersTraceFolder_NotTheWorkingDirectory()
    {
        using var folder = new TempFolder();
        string work = Directory.CreateDirectory(folder.File("work")).FullName;
        string data = folder.File("data");
        using RunningProcess tool = RunningProcess.StartTool(
            ["run", "--method", Method, "--", "dotnet", Repo.ShapesTargetDll, "lifetimes", folder.File("truth.json")],
            workingDirectory: work,
            environment: new Dictionary<string, string> { ["XDG_DATA_HOME"] = data });
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        string[] traces = Directory.GetFiles(Path.Combine(data, "dotnet-memline", "traces"), "ShapesTarget_*.nettrace");
        Assert.HasCount(1, traces, result.ToString());
        Assert.Contains($"Trace saved: {traces[0]}", result.StandardError, result.ToString());
        Assert.IsEmpty(Directory.GetFiles(work), "nothing is written to the working directory");
    }

    [TestMethod]
    public async Task AMethodThatNeverRan_SaysSo()
    {
        // The program runs the lifetimes shape only: the hotspot shape's Process is in its assembly but never called.
        using var folder = new TempFolder();
        using RunningProcess tool = RunningProcess.StartTool(
            ["run", "--method", "HotspotShape.Process", "--no-lifetimes", "-o", folder.File("t.nettrace"), "--", "dotnet", Repo.ShapesTargetDll, "lifetimes", folder.File("truth.json"), "--rounds", "2"]);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.Contains("Total:     no allocation samples while the method ran", result.StandardOutput, result.ToString());
        Assert.Contains("Note:      Process never ran while the program was recorded: the runtime compiled no code for it and inlined it into no caller", result.StandardOutput, result.ToString());
    }

    [TestMethod]
    public async Task AMissingProgramAssembly_IsAOneLineError_NotTheSdksOwnCli()
    {
        using RunningProcess tool = RunningProcess.StartTool(["run", "--method", Method, "--", "dotnet", "bin/Release/net10.0/Missing.dll"]);
        ToolAssert.FailsWith(await tool.WaitForExitAsync(TimeSpan.FromMinutes(1)), 10, "the program bin/Release/net10.0/Missing.dll does not exist");
    }

    [TestMethod]
    public async Task TheProgramsExitCode_IsPassedOn_AfterTheTables_UnlessIgnored()
    {
        // The target refuses an unknown shape with exit code 2 after its runtime started: the table is printed, empty.
        using var folder = new TempFolder();
        string[] program = ["--", "dotnet", Repo.ShapesTargetDll, "no-such-shape", folder.File("truth.json")];
        using (RunningProcess tool = RunningProcess.StartTool(["run", "--method", Method, "-o", folder.File("a.nettrace"), .. program]))
        {
            ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(2));
            Assert.AreEqual(2, result.ExitCode, result.ToString());
            Assert.Contains("the target exited with code 2", result.StandardError, result.ToString());
            Assert.Contains("Method:    ShapesTarget.Shapes.LifetimesShape.CacheAll", result.StandardOutput, result.ToString());
        }

        using (RunningProcess tool = RunningProcess.StartTool(["run", "--method", Method, "--ignore-exit-code", "-o", folder.File("b.nettrace"), .. program]))
        {
            ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(2));
            Assert.AreEqual(0, result.ExitCode, result.ToString());
        }
    }
}
