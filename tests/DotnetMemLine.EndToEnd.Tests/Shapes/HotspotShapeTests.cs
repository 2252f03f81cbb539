using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// The whole-program view, without <c>--method</c>: the lines and methods of the user's code that allocated the most,
/// each with its self figure (its own allocations, and those of the framework code it called) and its inclusive one
/// (everything while it ran). The hotspot shape is written as users write code; what each of its lines allocates
/// follows from array sizes, so the sampled figures are checked against analytic truth and exact mode to the byte,
/// at tier 0 from the first instruction (run) and at tier 1 with dynamic PGO (collect after warm-up, where the JIT
/// inlines the lambda into Array.ConvertAll).
/// </summary>
[TestClass]
public sealed class HotspotShapeTests
{
    /// <summary>The checked lines: their text in HotspotShape.cs and the fact that is their self figure.</summary>
    internal static readonly (string Text, string Fact)[] CheckedLines =
    [
        ("var ids = new int[IdCount];", "hotspot.ids"),
        ("id => new int[IntsPerRow]);", "hotspot.rows"),
        ("var scratch = GC.AllocateUninitializedArray<byte>(ScratchLength);", "hotspot.scratch"),
        ("var totals = new long[rows.Length * TotalsPerRow];", "hotspot.totals"),
        ("yield return new byte[BlockLength];", "hotspot.blocks"),
    ];

    private static readonly IReadOnlyList<string> ListAll = ["--top", "50"];
    private static readonly IReadOnlyList<string> ListAllExact = ["--top", "50", "--exact"];
    private static ShapeRecording s_run = null!;
    private static ShapeRecording s_exact = null!;
    private static ShapeRecording s_collect = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_run = await ShapeRecording.RunAsync("hotspot", ListAll);
        s_exact = await ShapeRecording.RunAsync("hotspot", ListAllExact);
        s_collect = await ShapeRecording.CollectAsync("hotspot", ListAll);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        s_run?.Dispose();
        s_exact?.Dispose();
        s_collect?.Dispose();
    }

    [TestMethod]
    public void Run_EachHotLine_HasItsSelfBytes()
    {
        var failures = new List<string>();
        foreach ((string text, string fact) in CheckedLines)
        {
            if (Truth.Mismatch(HotLine(s_run, text).GetProperty("self"), s_run.Truth.Facts[fact]) is { } mismatch)
            {
                failures.Add($"{text}: {mismatch}");
            }
        }

        Assert.IsEmpty(failures, string.Join("\n", failures) + "\n" + s_run.Where);
    }

    [TestMethod]
    public void Collect_EachHotLine_HasItsSelfBytes_OrItsCallersWhenInlinedBeforeTheSession()
    {
        // Code compiled before the session: the JIT may have inlined the lambda (into Array.ConvertAll, through dynamic PGO)
        // and the iterator's body (into the foreach) without the trace saying so. Those land on the calling line; the
        // two lines together hold exactly what they allocated, and a note says why.
        IReadOnlyDictionary<string, long> facts = s_collect.Truth.Facts;
        string?[] mismatches =
        [
            Truth.Mismatch(HotLine(s_collect, "var ids = new int[IdCount];").GetProperty("self"), facts["hotspot.ids"]),
            Truth.Mismatch(HotLine(s_collect, "var scratch = GC.AllocateUninitializedArray<byte>(ScratchLength);").GetProperty("self"), facts["hotspot.scratch"]),
            Truth.Mismatch(HotLine(s_collect, "var totals = new long[rows.Length * TotalsPerRow];").GetProperty("self"), facts["hotspot.totals"]),
            MismatchOfSum(s_collect, ["var rows = Array.ConvertAll(new int[RowCount],", "id => new int[IntsPerRow]);"], facts["hotspot.convertAll"] + facts["hotspot.rows"]),
            MismatchOfSum(s_collect, ["foreach (var block in Blocks(round))", "yield return new byte[BlockLength];"], facts["hotspot.blocks"]),
        ];
        Assert.IsEmpty(mismatches.OfType<string>(), string.Join("\n", mismatches.OfType<string>()) + "\n" + s_collect.Where);
        Assert.Contains("ran code compiled before the recording began", string.Join("\n", Program(s_collect).GetProperty("notes").EnumerateArray().Select(n => n.GetString())), s_collect.Where);
    }

    [TestMethod]
    public void Run_TheHottestLine_ComesFirst_AndIsTheLambdasLine_NotTheLineThatPassedIt()
    {
        JsonElement first = Program(s_run).GetProperty("lines")[0];
        Assert.AreEqual("id => new int[IntsPerRow]);", first.GetProperty("text").GetString(), s_run.Where);
        Assert.AreEqual("ShapesTarget.Shapes.HotspotShape.Process(int)", first.GetProperty("method").GetString(), s_run.Where);
        Assert.EndsWith("HotspotShape.cs", first.GetProperty("sourceFile").GetString()!, s_run.Where);
        Assert.AreEqual(0, Program(s_run).GetProperty("notes").GetArrayLength(), "run records every inlining decision");
    }

    [TestMethod]
    public void ALineThatCallsTheUsersCode_IsInclusiveOfIt_NotSelf()
    {
        // The ConvertAll line: its own arrays are self; the lambda's rows, called back from the framework, only inclusive.
        JsonElement convertAll = HotLine(s_exact, "var rows = Array.ConvertAll(new int[RowCount],");
        long own = s_exact.Truth.Facts["hotspot.convertAll"];
        long rows = s_exact.Truth.Facts["hotspot.rows"];
        double self = convertAll.GetProperty("self").GetProperty("allocatedBytes").GetDouble();
        double inclusive = convertAll.GetProperty("inclusive").GetProperty("allocatedBytes").GetDouble();
        // The lambda's cached delegate is made once, on the first call: one small object more.
        Assert.IsTrue(self >= own && self <= own + 256, $"self {self:N0} vs its arrays {own:N0}\n{s_exact.Where}");
        Assert.IsTrue(inclusive >= own + rows && inclusive <= own + rows + 256, $"inclusive {inclusive:N0} vs {own + rows:N0}\n{s_exact.Where}");
    }

    [TestMethod]
    public void Methods_HaveSelfAndInclusive()
    {
        foreach (ShapeRecording recording in new[] { s_run, s_collect })
        {
            IReadOnlyDictionary<string, long> facts = recording.Truth.Facts;
            long processSelf = facts["hotspot.ids"] + facts["hotspot.rows"] + facts["hotspot.convertAll"] + facts["hotspot.scratch"];
            long processInclusive = processSelf + facts["hotspot.totals"] + facts["hotspot.blocks"];
            JsonElement process = HotMethod(recording, "ShapesTarget.Shapes.HotspotShape.Process(int)");
            JsonElement sum = HotMethod(recording, "ShapesTarget.Shapes.HotspotShape.Sum(int[][])");
            string?[] mismatches =
            [
                Truth.Mismatch(process.GetProperty("inclusive"), processInclusive),
                Truth.Mismatch(sum.GetProperty("self"), facts["hotspot.totals"]),
                recording == s_run ? Truth.Mismatch(process.GetProperty("self"), processSelf) : null,
                recording == s_run ? Truth.Mismatch(HotMethod(recording, "ShapesTarget.Shapes.HotspotShape.Blocks(int)").GetProperty("self"), facts["hotspot.blocks"]) : null,
            ];
            Assert.IsEmpty(mismatches.OfType<string>(), string.Join("\n", mismatches.OfType<string>()) + "\n" + recording.Where);
            // By inclusive bytes: the program's Main, the shape's Run and Process (which may tie), before all others.
            string[] byInclusive = [.. Program(recording).GetProperty("methods").EnumerateArray().Take(3).Select(m => m.GetProperty("name").GetString()!).Order(StringComparer.Ordinal)];
            Assert.AreEqual("ShapesTarget.Program.Main(string[]), ShapesTarget.Shapes.HotspotShape.Process(int), ShapesTarget.Shapes.HotspotShape.Run(int)", string.Join(", ", byInclusive), recording.Where);
        }
    }

    [TestMethod]
    public void Exact_EachHotLine_IsItsTruth_ToTheByte()
    {
        foreach ((string text, string fact) in CheckedLines)
        {
            JsonElement self = HotLine(s_exact, text).GetProperty("self");
            Assert.AreEqual(s_exact.Truth.Facts[fact], self.GetProperty("allocatedBytes").GetInt64(), $"{text}\n{s_exact.Where}");
        }
    }

    [TestMethod]
    public void OnlyTheUsersCode_IsListed()
    {
        foreach (ShapeRecording recording in new[] { s_run, s_exact, s_collect })
        {
            JsonElement program = Program(recording);
            Assert.AreEqual("ShapesTarget.dll", string.Join(",", program.GetProperty("userModules").EnumerateArray().Select(m => m.GetString())), recording.Where);
            foreach (JsonElement line in program.GetProperty("lines").EnumerateArray())
            {
                Assert.Contains("/tests/Targets/", line.GetProperty("sourceFile").GetString()!, recording.Where);
            }

            Assert.IsEmpty(recording.Report.RootElement.GetProperty("methods").EnumerateArray(), "no method tables without --method");
        }
    }

    [TestMethod]
    public void EachLine_SaysWhatTypesItAllocated()
    {
        JsonElement types = HotLine(s_exact, "var totals = new long[rows.Length * TotalsPerRow];").GetProperty("types");
        Assert.AreEqual(1, types.GetArrayLength(), s_exact.Where);
        Assert.AreEqual("System.Int64[]", types[0].GetProperty("type").GetString());
        Assert.AreEqual(1.0, types[0].GetProperty("share").GetDouble());
        Assert.AreEqual(s_exact.Truth.Facts["hotspot.totals"], types[0].GetProperty("allocatedBytes").GetInt64());
    }

    [TestMethod]
    public async Task TheText_ListsTheHotLines_WithTheirTypes_AndTheCommandThatDrillsIntoOne()
    {
        ProcessResult text = await RunningProcess.RunToolToSuccessAsync("analyze", s_run.TracePath, "--types");
        string[] lines = text.StandardOutput.Split('\n');
        int hot = Array.FindIndex(lines, l => l.Contains("HotspotShape.cs:", StringComparison.Ordinal));
        Assert.IsGreaterThan(0, hot, text.ToString());
        Assert.Contains("in ShapesTarget.Shapes.HotspotShape.Process(int)", lines[hot], text.ToString());
        Assert.AreEqual("id => new int[IntsPerRow]);", lines[hot + 1].Trim(), text.ToString());
        Assert.AreEqual("int[] 100%", lines[hot + 2].Trim(), text.ToString());

        string drill = lines.Single(l => l.StartsWith("Every line of one method: dotnet-memline ", StringComparison.Ordinal));
        Assert.EndsWith($"analyze {s_run.TracePath} --method ShapesTarget.Shapes.HotspotShape.Process", drill.TrimEnd(), text.ToString());
        using JsonDocument table = await s_run.AnalyzeAsync("ShapesTarget.Shapes.HotspotShape.Process");
        Assert.AreEqual("ShapesTarget.Shapes.HotspotShape.Process(int)", table.RootElement.GetProperty("methods")[0].GetProperty("name").GetString());
    }

    /// <summary>The hot lines with these texts hold, together, the truth: each may be missing (nothing of its own).</summary>
    private static string? MismatchOfSum(ShapeRecording recording, string[] texts, long truth)
    {
        JsonElement[] lines = [.. Program(recording).GetProperty("lines").EnumerateArray().Where(l => texts.Contains(l.GetProperty("text").GetString()))];
        double bytes = lines.Sum(l => l.GetProperty("self").GetProperty("allocatedBytes").GetDouble());
        double low = lines.Sum(l => l.GetProperty("self").GetProperty("allocatedBytesLow").GetDouble());
        double high = lines.Sum(l => l.GetProperty("self").GetProperty("allocatedBytesHigh").GetDouble());
        double halfWidth = (high - low) / 2;
        return Math.Abs(bytes - truth) / truth > 0.10 || truth < low - halfWidth || truth > high + halfWidth
            ? $"{string.Join(" + ", texts)}: {bytes:N0} [{low:N0}, {high:N0}] vs truth {truth:N0}"
            : null;
    }

    [TestMethod]
    public async Task AllCode_CountsTheFrameworksMethodsToo_TheirSelfLeavingTheCallingLine()
    {
        ProcessResult result = await RunningProcess.RunToolToSuccessAsync("analyze", s_run.TracePath, "--all-code", "--top", "50", "--format", "json");
        using JsonDocument report = JsonDocument.Parse(result.StandardOutput);
        JsonElement program = report.RootElement.GetProperty("program");
        Assert.IsTrue(program.GetProperty("allCode").GetBoolean());

        // The scratch buffer is allocated inside GC.AllocateUninitializedArray: with Just My Code off, that is its self, not the line's.
        JsonElement[] lines = [.. program.GetProperty("lines").EnumerateArray()];
        Assert.IsFalse(lines.Any(l => l.GetProperty("text").GetString() == "var scratch = GC.AllocateUninitializedArray<byte>(ScratchLength);"), result.StandardOutput);
        JsonElement framework = program.GetProperty("methods").EnumerateArray().Single(m => m.GetProperty("name").GetString()!.StartsWith("System.GC.AllocateUninitializedArray", StringComparison.Ordinal));
        Assert.IsNull(Truth.Mismatch(framework.GetProperty("self"), s_run.Truth.Facts["hotspot.scratch"]), result.StandardOutput);

        // The lambda's line keeps its self, though Array.ConvertAll, which calls it, now counts as code of its own.
        JsonElement lambda = lines.Single(l => l.GetProperty("text").GetString() == "id => new int[IntsPerRow]);");
        Assert.IsNull(Truth.Mismatch(lambda.GetProperty("self"), s_run.Truth.Facts["hotspot.rows"]), result.StandardOutput);
    }

    [TestMethod]
    public async Task Budgets_FailPassAndStayUndecided_WhereTheIntervalSays()
    {
        // Process's total, as analyze prints it: a budget under its interval breaks, over it holds, inside it is undecided.
        using JsonDocument table = await s_run.AnalyzeAsync("HotspotShape.Process");
        JsonElement total = table.RootElement.GetProperty("methods")[0].GetProperty("total");
        double low = total.GetProperty("allocatedBytesLow").GetDouble(), high = total.GetProperty("allocatedBytesHigh").GetDouble();
        string Budget(double bytes) => $"HotspotShape.Process:total allocated > {Math.Round(bytes).ToString(System.Globalization.CultureInfo.InvariantCulture)} B";

        using (RunningProcess tool = RunningProcess.StartTool(["analyze", s_run.TracePath, "--fail-if", Budget(low * 0.99), "--fail-if", Budget(high * 1.01)]))
        {
            ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(2));
            Assert.AreEqual(14, result.ExitCode, result.ToString());
            Assert.AreEqual(1, Count(result.StandardError, "budget broken: ShapesTarget.Shapes.HotspotShape.Process(int), the total, allocated"), result.ToString());
            Assert.AreEqual(1, Count(result.StandardError, "budget kept: ShapesTarget.Shapes.HotspotShape.Process(int), the total, allocated"), result.ToString());
        }

        using (RunningProcess tool = RunningProcess.StartTool(["analyze", s_run.TracePath, "--fail-if", Budget((low + high) / 2)],
            environment: new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true" }))
        {
            ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(2));
            Assert.AreEqual(0, result.ExitCode, "undecided does not fail the build\n" + result);
            Assert.Contains("budget undecided: ShapesTarget.Shapes.HotspotShape.Process(int), the total, allocated", result.StandardError, result.ToString());
            Assert.Contains("times the samples (a recording", result.StandardError, result.ToString());
            Assert.Contains("::warning title=Memory budget::budget undecided:", result.StandardOutput, "GitHub's annotation\n" + result);
        }
    }

    private static int Count(string text, string part) => text.Split(part).Length - 1;

    private static JsonElement Program(ShapeRecording recording) => recording.Report.RootElement.GetProperty("program");

    private static JsonElement HotLine(ShapeRecording recording, string text)
    {
        JsonElement[] matches = [.. Program(recording).GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("text").GetString() == text)];
        Assert.HasCount(1, matches, $"hot lines with the text '{text}'\n{recording.Where}");
        return matches[0];
    }

    private static JsonElement HotMethod(ShapeRecording recording, string name)
    {
        JsonElement[] matches = [.. Program(recording).GetProperty("methods").EnumerateArray().Where(m => m.GetProperty("name").GetString() == name)];
        Assert.HasCount(1, matches, $"hot methods named {name}\n{recording.Where}");
        return matches[0];
    }
}
