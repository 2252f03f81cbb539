using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// `run --exact` on the line-truth target: every allocation recorded, so each line's bytes must equal
/// the target's own GC.GetAllocatedBytesForCurrentThread() measurement to the byte, and its object
/// count the number of objects the workload is written to allocate. Few rounds: every object is an
/// event with a stack.
/// </summary>
[TestClass]
public sealed class ExactModeTests
{
    private const int Rounds = 3;

    // Objects each checked call allocates per round (see the constants in Workload.cs).
    private static readonly (string Call, int ObjectsPerRound)[] KnownObjectCounts =
    [
        ("MakeByteArrays(SmallArrayCount", 2_000),       // 2,000 byte[1024]
        ("FillScratchBuffers(ScratchBufferCount)", 24),  // 24 byte[65536], allocated two frames down
        ("MakeByteArrays(LargeArrayCount", 1),           // one byte[1 MiB] on the large object heap
        ("MakeLabels(LabelCount)", 10_000),              // 5,000 strings and 5,000 Label objects
        ("MakeByteArrays(UnrelatedArrayCount", 120),     // 120 byte[4096], in AllocateUnrelated
    ];

    private static TempFolder s_folder = null!;
    private static ProcessResult s_run = null!;
    private static string s_tracePath = null!;
    private static IReadOnlyList<TruthLine> s_truth = null!;

    [ClassInitialize]
    public static async Task RecordOnceAsync(TestContext context)
    {
        _ = context;
        s_folder = new TempFolder();
        s_tracePath = s_folder.File("exact.nettrace");
        string truthPath = s_folder.File("truth.json");
        using RunningProcess tool = RunningProcess.StartTool(
            ["run", "--exact", "--method", "Workload.AllocateKnownAmounts", "--method", "Workload.AllocateUnrelated", "--format", "json",
             "-o", s_tracePath, "--", "dotnet", Repo.LineTruthTargetDll, truthPath, "--rounds", Rounds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        s_run = await tool.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, s_run.ExitCode, s_run.ToString());
        s_truth = Truth.Read(truthPath);
    }

    [ClassCleanup]
    public static void Cleanup() => s_folder?.Dispose();

    [TestMethod]
    public void Run_EveryCheckedLine_EqualsTheTruthToTheByte()
    {
        using JsonDocument report = JsonDocument.Parse(s_run.StandardOutput);
        Assert.IsTrue(report.RootElement.GetProperty("exact").GetBoolean());
        Assert.AreEqual(0, report.RootElement.GetProperty("droppedEvents").GetInt64());

        Assert.HasCount(5, s_truth, "the target measures four lines of AllocateKnownAmounts and one of AllocateUnrelated");
        var failures = new List<string>();
        foreach (TruthLine truth in s_truth)
        {
            JsonElement line = Line(report.RootElement, truth.Method, truth.Line);
            long bytes = line.GetProperty("allocatedBytes").GetInt64();
            if (bytes != truth.Bytes
                || line.GetProperty("allocatedBytesLow").GetInt64() != bytes
                || line.GetProperty("allocatedBytesHigh").GetInt64() != bytes
                || line.GetProperty("lowConfidence").GetBoolean())
            {
                failures.Add($"{truth.Method} line {truth.Line}: {line} vs truth {truth.Bytes:N0}");
            }
        }

        Assert.IsEmpty(failures, string.Join("\n", failures));
    }

    [TestMethod]
    public void Run_SingleThreadedMethods_CarryNoNoteAboutThreads()
    {
        using JsonDocument report = JsonDocument.Parse(s_run.StandardOutput);
        foreach (JsonElement method in report.RootElement.GetProperty("methods").EnumerateArray())
        {
            Assert.IsFalse(method.GetProperty("notes").EnumerateArray().Any(n => n.GetString()!.Contains("threads", StringComparison.Ordinal)), method.ToString());
        }
    }

    [TestMethod]
    public void Run_EveryCheckedLine_CountsExactlyTheObjectsItAllocates()
    {
        using JsonDocument report = JsonDocument.Parse(s_run.StandardOutput);
        JsonElement[] lines = [.. report.RootElement.GetProperty("methods").EnumerateArray().SelectMany(m => m.GetProperty("lines").EnumerateArray())];
        foreach ((string call, int objectsPerRound) in KnownObjectCounts)
        {
            JsonElement line = lines.Single(l => l.GetProperty("text").GetString()?.Contains(call, StringComparison.Ordinal) == true);
            Assert.AreEqual(objectsPerRound * Rounds, line.GetProperty("objects").GetInt64(), $"objects on the line calling {call}");
        }
    }

    [TestMethod]
    public void Run_MethodTotals_AreTheSumsOfTheirLines()
    {
        using JsonDocument report = JsonDocument.Parse(s_run.StandardOutput);
        foreach (JsonElement method in report.RootElement.GetProperty("methods").EnumerateArray())
        {
            JsonElement[] observed = [.. method.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("objects").ValueKind != JsonValueKind.Null)];
            JsonElement total = method.GetProperty("total");
            Assert.AreEqual(observed.Sum(l => l.GetProperty("allocatedBytes").GetInt64()), total.GetProperty("allocatedBytes").GetInt64());
            Assert.AreEqual(observed.Sum(l => l.GetProperty("objects").GetInt64()), total.GetProperty("objects").GetInt64());
            Assert.IsFalse(total.GetProperty("lowConfidence").GetBoolean());
        }
    }

    [TestMethod]
    public void Run_StatesWhatExactModeCosts()
    {
        Assert.Contains("Exact mode: every allocation is recorded with its stack", s_run.StandardError);
        using JsonDocument report = JsonDocument.Parse(s_run.StandardOutput);
        long events = report.RootElement.GetProperty("allocationSamples").GetInt64();
        long workloadObjects = KnownObjectCounts.Sum(c => (long)c.ObjectsPerRound * Rounds);
        Assert.IsGreaterThan(workloadObjects, events, "one event per object: the workload's, plus the program's start-up");
    }

    [TestMethod]
    public async Task Analyze_SavedExactTrace_GivesTheSameExactFigures()
    {
        ProcessResult analyzed = await RunningProcess.RunToolToSuccessAsync(
            "analyze", s_tracePath, "--method", "Workload.AllocateKnownAmounts", "--method", "Workload.AllocateUnrelated", "--format", "json");

        using JsonDocument fromRun = JsonDocument.Parse(s_run.StandardOutput);
        using JsonDocument fromAnalyze = JsonDocument.Parse(analyzed.StandardOutput);
        Assert.IsTrue(fromAnalyze.RootElement.GetProperty("exact").GetBoolean(), "the exact kind is detected from the events in the trace");
        Assert.AreEqual(
            fromRun.RootElement.GetProperty("methods").GetRawText(),
            fromAnalyze.RootElement.GetProperty("methods").GetRawText());
    }

    [TestMethod]
    public async Task Analyze_SavedExactTrace_PrintsExactBytesAndObjectColumns()
    {
        ProcessResult analyzed = await RunningProcess.RunToolToSuccessAsync("analyze", s_tracePath, "--method", "Workload.AllocateUnrelated");

        string text = analyzed.StandardOutput;
        Assert.Contains("Estimator: exact: every allocation recorded", text);
        Assert.Contains("Bytes       Objects   Line Contents", text);
        TruthLine unrelated = s_truth.Single(t => t.Method == "AllocateUnrelated");
        string row = text.Split('\n').Single(r => r.StartsWith($"{unrelated.Line,6} ", StringComparison.Ordinal));
        Assert.Contains($"{unrelated.Bytes:N0}  {120 * Rounds,12:N0}   ", row, "exact bytes, then the objects");
    }

    [TestMethod]
    public async Task Collect_Exact_IsAUsageErrorThatSaysToUseRun()
    {
        // Refused before anything else: no process is looked up, so any pid will do.
        using RunningProcess tool = RunningProcess.StartTool(["collect", "-p", "2147483000", "--method", "X", "--exact"]);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(1));

        ToolAssert.FailsWith(result, 2, "--exact works only with 'run'");
        Assert.AreEqual(1, result.StandardError.Trim().Split('\n').Length, "one line on stderr:\n" + result.StandardError);
    }

    private static JsonElement Line(JsonElement report, string methodName, int line)
    {
        JsonElement method = report.GetProperty("methods").EnumerateArray()
            .Single(m => m.GetProperty("name").GetString()!.Contains("." + methodName + "(", StringComparison.Ordinal));
        return method.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("line").GetInt32() == line);
    }
}
