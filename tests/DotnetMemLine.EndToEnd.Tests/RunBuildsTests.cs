using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// `run` the way people start programs: `-- dotnet run [options] [-- args]` builds the project and profiles the built
/// program alone (not the SDK's CLI, which would otherwise be suspended and recorded in its place), a file-based app
/// (`run app.cs -- args`) is built in Release and profiled, a build error is one line and exit code 15, and `--watch`
/// runs again each time the file is saved. Programs are written into a temporary folder and built there; lines are
/// checked in exact mode against their analytic sizes (an int[n] takes 24 + 4n bytes).
/// </summary>
[TestClass]
public sealed class RunBuildsTests
{
    private const string ProjectProgram = """
        namespace Loop;

        public static class Work
        {
            public static int Main(string[] args)
            {
                int rounds = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
                var kept = Fill(rounds);
                Console.WriteLine($"greeting {Environment.GetEnvironmentVariable("GREETING")}, {kept.Count} kept");
                return kept.Count;
            }

            public static List<int[]> Fill(int rounds)
            {
                var kept = new List<int[]>(rounds);
                for (int i = 0; i < rounds; i++)
                {
                    kept.Add(new int[250_000]);
                }

                return kept;
            }
        }
        """;

    private const string FileBasedApp = """
        int rounds = int.Parse(args[0]);
        var kept = new List<int[]>(rounds);
        for (int i = 0; i < rounds; i++)
        {
            kept.Add(new int[250_000]);
        }

        Console.WriteLine($"version 1: {kept.Count} kept");
        return kept.Count;
        """;

    private const long IntArray250k = 24 + 4 * 250_000;

    [TestMethod]
    public async Task DotnetRun_BuildsTheProject_AndProfilesTheBuiltProgram_WithItsOptionsArgumentsAndExitCode()
    {
        using var folder = new TempFolder();
        TestProject.Write(folder, "Loop", ProjectProgram);
        using RunningProcess tool = RunningProcess.StartTool(
            ["run", "--exact", "--method", "Work.Fill", "--format", "json", "-o", folder.File("t.nettrace"), "--", "dotnet", "run", "-c", "Release", "-e", "GREETING=hello", "--", "3"],
            workingDirectory: folder.Path);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(4));

        Assert.AreEqual(3, result.ExitCode, "the program's exit code is passed on\n" + result);
        Assert.Contains($"Recording dotnet {Path.Combine(folder.Path, "bin", "Release", "net10.0", "Loop.dll")} 3", result.StandardError, result.ToString());
        Assert.Contains("greeting hello, 3 kept", result.StandardError, "the program's output (stderr under --format json), with -e's variable\n" + result);
        using JsonDocument report = JsonDocument.Parse(result.StandardOutput);
        Assert.AreEqual(3 * IntArray250k, AllocatedOnLine(report.RootElement.GetProperty("methods")[0], "kept.Add(new int[250_000]);"), result.ToString());
    }

    [TestMethod]
    public async Task AFileBasedApp_IsBuiltInRelease_AndItsTopLevelStatementsAreMain()
    {
        using var folder = new TempFolder();
        string app = folder.File("app.cs");
        File.WriteAllText(app, FileBasedApp);
        using RunningProcess tool = RunningProcess.StartTool(["run", "--exact", "--method", "Main", "--format", "json", "-o", folder.File("t.nettrace"), app, "--", "4"]);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(4));

        Assert.AreEqual(4, result.ExitCode, result.ToString());
        Assert.Contains($"Building {app} (-c Release -p:StartupHookSupport=true)", result.StandardError, result.ToString());
        using JsonDocument report = JsonDocument.Parse(result.StandardOutput);
        JsonElement main = report.RootElement.GetProperty("methods")[0];
        Assert.AreEqual(app, main.GetProperty("sourceFile").GetString(), result.ToString());
        Assert.AreEqual(4 * IntArray250k, AllocatedOnLine(main, "kept.Add(new int[250_000]);"), result.ToString());
    }

    [TestMethod]
    public async Task AProgramsOwnDotnetChildren_RunFreely_NotSuspendedOnTheProfilersPort()
    {
        // The child is the program itself, started again with "child": it inherits the environment run gave the program.
        const string Spawner = """
            using System.Diagnostics;
            if (args.Length > 0 && args[0] == "child")
            {
                return 7;
            }

            // Enough allocation that the recording has samples (a run without any has no table to print).
            var buffer = new byte[20_000_000];
            GC.KeepAlive(buffer);
            using var child = Process.Start(new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, "child"]))!;
            bool exited = child.WaitForExit(60_000);
            Console.WriteLine(exited ? $"child exited with {child.ExitCode}" : "child hung");
            if (!exited)
            {
                child.Kill();
            }

            return exited ? 0 : 1;
            """;
        using var folder = new TempFolder();
        string app = folder.File("app.cs");
        File.WriteAllText(app, Spawner);
        using RunningProcess tool = RunningProcess.StartTool(["run", "-o", folder.File("t.nettrace"), app]);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(4));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.Contains("child exited with 7", result.StandardOutput, result.ToString());
    }

    [TestMethod]
    public async Task ABuildError_IsReported_WithExitCode15_AndNothingRuns()
    {
        using var folder = new TempFolder();
        string app = folder.File("app.cs");
        File.WriteAllText(app, "int x = ;\n");
        using RunningProcess tool = RunningProcess.StartTool(["run", app], workingDirectory: folder.Path);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(4));

        ToolAssert.FailsWith(result, 15, $"the build of {app} failed (dotnet build exited with code 1; its errors are above)");
        Assert.Contains("error CS1525", result.StandardError, result.ToString());
        Assert.DoesNotContain("Recording", result.StandardError, result.ToString());
    }

    [TestMethod]
    public async Task Watch_RunsAgain_WhenTheFileIsSaved_AndCtrlCEnds()
    {
        using var folder = new TempFolder();
        string app = folder.File("app.cs");
        File.WriteAllText(app, FileBasedApp);
        using RunningProcess tool = RunningProcess.StartTool(["run", "--watch", "--exact", "--method", "Main", app, "--", "2"], workingDirectory: folder.Path);
        await tool.WaitForLineAsync(l => l.StartsWith("Watching ", StringComparison.Ordinal), TimeSpan.FromMinutes(4));

        // A second save with another amount: the table printed again says so.
        File.WriteAllText(app, FileBasedApp.Replace("new int[250_000]", "new int[500_000]", StringComparison.Ordinal).Replace("version 1", "version 2", StringComparison.Ordinal));
        int watching = 0;
        await tool.WaitForLineAsync(l => l.StartsWith("Watching ", StringComparison.Ordinal) && ++watching == 2, TimeSpan.FromMinutes(4));
        using (Process interrupt = Process.Start("kill", ["-INT", tool.Process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }

        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(1));
        Assert.AreEqual(2, result.ExitCode, "the last run's exit code\n" + result);
        Assert.Contains("version 1: 2 kept", result.StandardOutput, result.ToString());
        Assert.Contains("version 2: 2 kept", result.StandardOutput, result.ToString());
        string[] rows = [.. result.StandardOutput.Split('\n').Where(l => l.Contains("kept.Add(new int[", StringComparison.Ordinal))];
        Assert.HasCount(2, rows, result.ToString());
        Assert.Contains((2 * IntArray250k).ToString("N0", CultureInfo.InvariantCulture), rows[0], result.ToString());
        Assert.Contains((2 * (24 + 4 * 500_000L)).ToString("N0", CultureInfo.InvariantCulture), rows[1], result.ToString());
    }

    private static long AllocatedOnLine(JsonElement method, string text) =>
        method.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("text").GetString()?.Trim() == text).GetProperty("allocatedBytes").GetInt64();
}
