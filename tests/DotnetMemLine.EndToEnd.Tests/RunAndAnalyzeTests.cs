using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// `run` on the line-truth target (a real process, a real EventPipe session), then `analyze` on the
/// trace it saved. The target measures each checked line's exact allocations itself.
/// </summary>
[TestClass]
public sealed class RunAndAnalyzeTests
{
    private const string Method = "Workload.AllocateKnownAmounts";
    private static TempFolder s_folder = null!;
    private static ProcessResult s_run = null!;
    private static string s_tracePath = null!;
    private static IReadOnlyList<TruthLine> s_truth = null!;

    [ClassInitialize]
    public static async Task RecordOnceAsync(TestContext context)
    {
        _ = context;
        s_folder = new TempFolder();
        s_tracePath = s_folder.File("run.nettrace");
        string truthPath = s_folder.File("truth.json");
        using RunningProcess tool = RunningProcess.StartTool(
            ["run", "--method", Method, "--format", "json", "-o", s_tracePath, "--", "dotnet", Repo.LineTruthTargetDll, truthPath]);
        s_run = await tool.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, s_run.ExitCode, s_run.ToString());
        s_truth = Truth.Read(truthPath);
    }

    [ClassCleanup]
    public static void Cleanup() => s_folder?.Dispose();

    [TestMethod]
    public void Run_EachCheckedLineIsWithinItsIntervalOfExactTruth()
    {
        using JsonDocument report = JsonDocument.Parse(s_run.StandardOutput);
        Truth.AssertMatches(report.RootElement, "AllocateKnownAmounts", s_truth);
    }

    [TestMethod]
    public void Run_LeavesAValidTraceAndSaysWhere()
    {
        Assert.IsTrue(File.Exists(s_tracePath));
        Assert.Contains("Trace saved: " + s_tracePath, s_run.StandardError);
    }

    [TestMethod]
    public async Task Analyze_SavedTrace_GivesTheSameFiguresAsRun()
    {
        ProcessResult analyzed = await RunningProcess.RunToolToSuccessAsync("analyze", s_tracePath, "--method", Method, "--format", "json");

        using JsonDocument fromRun = JsonDocument.Parse(s_run.StandardOutput);
        using JsonDocument fromAnalyze = JsonDocument.Parse(analyzed.StandardOutput);
        Assert.AreEqual(
            fromRun.RootElement.GetProperty("methods").GetRawText(),
            fromAnalyze.RootElement.GetProperty("methods").GetRawText());
    }

    [TestMethod]
    public async Task Analyze_TextFormat_PrintsHeaderAndOneRowPerSourceLine()
    {
        ProcessResult analyzed = await RunningProcess.RunToolToSuccessAsync("analyze", s_tracePath, "--method", Method);

        string text = analyzed.StandardOutput;
        Assert.Contains("Method:    LineTruthTarget.Workload.AllocateKnownAmounts(int)", text);
        Assert.Contains("Estimator: ", text);
        Assert.Contains("Line #", text);
        Assert.Contains("Line Contents", text);

        // Every checked line's row carries its own source text, read from the file the PDB names.
        string[] rows = text.Split('\n');
        string[] source = File.ReadAllLines(Repo.LineTruthSource("Workload.cs"));
        foreach (TruthLine line in s_truth.Where(t => t.Method == "AllocateKnownAmounts"))
        {
            string? row = rows.FirstOrDefault(r => r.TrimStart().StartsWith(line.Line + " ", StringComparison.Ordinal));
            Assert.IsNotNull(row, $"no row for line {line.Line}:\n{text}");
            string own = source[line.Line - 1].Trim();
            Assert.DoesNotContain("Truth.", own, $"line {line.Line} should be a checked line of plain code");
            Assert.EndsWith("   " + own, row.TrimEnd());
        }
    }

    [TestMethod]
    public async Task Analyze_UnknownMethod_FailsWithTheClosestNames()
    {
        using RunningProcess tool = RunningProcess.StartTool(["analyze", s_tracePath, "--method", "AllocateKnownAmount"]);
        ToolAssert.FailsWith(await tool.WaitForExitAsync(TimeSpan.FromMinutes(2)), 5, "AllocateKnownAmounts");
    }

    [TestMethod]
    public async Task Analyze_AmbiguousMethod_ListsTheCandidates()
    {
        using RunningProcess tool = RunningProcess.StartTool(["analyze", s_tracePath, "--method", "ToString"]);
        ToolAssert.FailsWith(await tool.WaitForExitAsync(TimeSpan.FromMinutes(2)), 6, "matches");
    }

    [TestMethod]
    public async Task Analyze_MissingTraceFile_FailsWithOneLine()
    {
        using RunningProcess tool = RunningProcess.StartTool(["analyze", s_folder.File("nope.nettrace"), "--method", Method]);
        ToolAssert.FailsWith(await tool.WaitForExitAsync(TimeSpan.FromMinutes(1)), 7, "not found");
    }

    [TestMethod]
    public async Task Analyze_CorruptTraceFile_FailsWithOneLine()
    {
        string corrupt = s_folder.File("corrupt.nettrace");
        byte[] garbage = new byte[64 * 1024];
        new Random(42).NextBytes(garbage);
        await File.WriteAllBytesAsync(corrupt, garbage);
        using RunningProcess tool = RunningProcess.StartTool(["analyze", corrupt, "--method", Method]);
        ToolAssert.FailsWith(await tool.WaitForExitAsync(TimeSpan.FromMinutes(1)), 7, corrupt);
    }
}
