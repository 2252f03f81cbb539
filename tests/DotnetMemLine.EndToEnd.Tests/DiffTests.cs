using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// `diff` on two versions of a program (a file-based app, built and run by the tool): the second inserts a line at the
/// top (every line moves), doubles one line's array, removes one line and adds another. Lines are matched by their
/// text; in exact mode exactly the three changed lines are marked, each by its exact change; sampled, the changed
/// lines are marked and an unchanged one's change is zero within its interval; a recording compared with itself has no
/// change at all; saved JSON reports compare as the traces do.
/// </summary>
[TestClass]
public sealed class DiffTests
{
    private const int Rounds = 2_000;

    private const string Version1 = """
        int rounds = int.Parse(args[0]);
        var keep = new List<object>();
        for (int i = 0; i < rounds; i++)
        {
            keep.Add(new byte[64_000]);
            keep.Add(new long[16_000]);
            keep.Add(new int[8_000]);
            keep.Clear();
        }

        return 0;
        """;

    private const string Version2 = """
        // Version 2: the long arrays doubled, no int arrays, strings instead.
        int rounds = int.Parse(args[0]);
        var keep = new List<object>();
        for (int i = 0; i < rounds; i++)
        {
            keep.Add(new byte[64_000]);
            keep.Add(new long[32_000]);
            keep.Add(new string('x', 20_000));
            keep.Clear();
        }

        return 0;
        """;

    private static TempFolder s_folder = null!;

    [ClassInitialize]
    public static async Task RecordBothVersionsAsync(TestContext context)
    {
        _ = context;
        s_folder = new TempFolder();
        foreach ((string name, string source) in new[] { ("v1", Version1), ("v2", Version2) })
        {
            string app = s_folder.File($"{name}/app.cs");
            Directory.CreateDirectory(Path.GetDirectoryName(app)!);
            File.WriteAllText(app, source);
            foreach (string mode in new[] { "sampled", "exact" })
            {
                string[] exact = mode == "exact" ? ["--exact"] : [];
                using RunningProcess tool = RunningProcess.StartTool(["run", .. exact, "--method", "Main", "--format", "json", "-o", s_folder.File($"{name}-{mode}.nettrace"),
                    app, "--", Rounds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(4));
                Assert.AreEqual(0, result.ExitCode, result.ToString());
                File.WriteAllText(s_folder.File($"{name}-{mode}.json"), result.StandardOutput);
            }
        }
    }

    [ClassCleanup]
    public static void Cleanup() => s_folder?.Dispose();

    [TestMethod]
    public async Task Exact_MarksExactlyTheChangedLines_ByTheirExactChange_MatchedByText()
    {
        using JsonDocument diff = await DiffAsync(s_folder.File("v1-exact.nettrace"), s_folder.File("v2-exact.nettrace"));
        JsonElement[] changed = [.. Lines(diff).Where(l => l.GetProperty("change").GetProperty("beyondNoise").GetBoolean())];
        Assert.AreEqual("keep.Add(new int[8_000]);, keep.Add(new long[16_000]);, keep.Add(new long[32_000]);, keep.Add(new string('x', 20_000));",
            string.Join(", ", changed.Select(l => l.GetProperty("text").GetString()!.Trim()).Order(StringComparer.Ordinal)), diff.RootElement.ToString());

        JsonElement bytes = Line(diff, "keep.Add(new byte[64_000]);");
        Assert.AreEqual("kept", bytes.GetProperty("status").GetString());
        Assert.AreEqual(bytes.GetProperty("beforeLine").GetInt32() + 1, bytes.GetProperty("afterLine").GetInt32(), "moved down by the inserted line, matched by its text");
        Assert.AreEqual(0, bytes.GetProperty("change").GetProperty("bytes").GetInt64());

        Assert.AreEqual("removed", Line(diff, "keep.Add(new int[8_000]);").GetProperty("status").GetString());
        Assert.AreEqual(-Rounds * Array(8_000, 4), Line(diff, "keep.Add(new int[8_000]);").GetProperty("change").GetProperty("bytes").GetInt64());
        Assert.AreEqual("added", Line(diff, "keep.Add(new string('x', 20_000));").GetProperty("status").GetString());
        Assert.AreEqual(Rounds * Array(32_000, 8), Line(diff, "keep.Add(new long[32_000]);").GetProperty("change").GetProperty("bytes").GetInt64());
        Assert.AreEqual(-Rounds * Array(16_000, 8), Line(diff, "keep.Add(new long[16_000]);").GetProperty("change").GetProperty("bytes").GetInt64());
    }

    [TestMethod]
    public async Task Sampled_MarksTheChangedLines_AndAnUnchangedLinesChangeIsZeroWithinItsInterval()
    {
        using JsonDocument diff = await DiffAsync(s_folder.File("v1-sampled.nettrace"), s_folder.File("v2-sampled.nettrace"));
        foreach (string text in new[] { "keep.Add(new long[32_000]);", "keep.Add(new int[8_000]);", "keep.Add(new string('x', 20_000));" })
        {
            Assert.IsTrue(Line(diff, text).GetProperty("change").GetProperty("beyondNoise").GetBoolean(), text + "\n" + diff.RootElement);
        }

        // Unchanged: 0 lies in the change's interval widened by half its width (about four standard errors), the
        // criterion of every sampled check here; the bare 95% interval would miss it one run in twenty by design.
        JsonElement change = Line(diff, "keep.Add(new byte[64_000]);").GetProperty("change");
        double low = change.GetProperty("bytesLow").GetDouble(), high = change.GetProperty("bytesHigh").GetDouble();
        double halfWidth = (high - low) / 2;
        Assert.IsTrue(low - halfWidth <= 0 && 0 <= high + halfWidth, change.ToString());
    }

    [TestMethod]
    public async Task ARecordingComparedWithItself_HasNoChange()
    {
        using JsonDocument diff = await DiffAsync(s_folder.File("v1-sampled.nettrace"), s_folder.File("v1-sampled.nettrace"));
        Assert.AreEqual(0, diff.RootElement.GetProperty("changedLines").GetInt32());
        Assert.IsTrue(Lines(diff).All(l => l.GetProperty("change").GetProperty("bytes").GetDouble() == 0 && l.GetProperty("status").GetString() == "kept"));
    }

    [TestMethod]
    public async Task SavedJsonReports_CompareAsTheirTraces()
    {
        using JsonDocument fromTraces = await DiffAsync(s_folder.File("v1-exact.nettrace"), s_folder.File("v2-exact.nettrace"));
        using JsonDocument fromReports = await DiffAsync(s_folder.File("v1-exact.json"), s_folder.File("v2-exact.json"));
        Assert.AreEqual(Summary(fromTraces), Summary(fromReports));
    }

    [TestMethod]
    public async Task TheText_MarksTheChangedLines()
    {
        ProcessResult text = await RunningProcess.RunToolToSuccessAsync("diff", s_folder.File("v1-exact.nettrace"), s_folder.File("v2-exact.nettrace"), "--method", "Main");
        string longLine = text.StandardOutput.Split('\n').Single(l => l.TrimEnd().EndsWith("keep.Add(new long[32_000]);", StringComparison.Ordinal));
        Assert.Contains(" * ", longLine, text.StandardOutput);
        string byteLine = text.StandardOutput.Split('\n').Single(l => l.TrimEnd().EndsWith("keep.Add(new byte[64_000]);", StringComparison.Ordinal));
        Assert.DoesNotContain(" * ", byteLine, text.StandardOutput);
        Assert.Contains("Changed:   4 lines beyond noise, 2 added, 2 removed", text.StandardOutput, text.StandardOutput);
    }

    [TestMethod]
    public async Task TheHtmlPage_HasTheJsonsChanges()
    {
        string page = s_folder.File("diff.html");
        await RunningProcess.RunToolToSuccessAsync("diff", s_folder.File("v1-exact.nettrace"), s_folder.File("v2-exact.nettrace"), "--method", "Main", "--format", "html", "--report", page);
        using JsonDocument diff = await DiffAsync(s_folder.File("v1-exact.nettrace"), s_folder.File("v2-exact.nettrace"));
        string html = File.ReadAllText(page);
        foreach (JsonElement line in Lines(diff).Where(l => l.GetProperty("before").ValueKind != JsonValueKind.Null || l.GetProperty("after").ValueKind != JsonValueKind.Null))
        {
            JsonElement change = line.GetProperty("change");
            string row = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"data-change-bytes=\"{change.GetProperty("bytes").GetDouble()}\" data-beyond-noise=\"{(change.GetProperty("beyondNoise").GetBoolean() ? "true" : "false")}\" data-status=\"{line.GetProperty("status").GetString()}\"");
            Assert.Contains(row, html, line.ToString());
        }

        Assert.AreEqual(4, html.Split("<tr class=\"changed\"").Length - 1, "the four changed lines are marked, in words too");
    }

    private static async Task<JsonDocument> DiffAsync(string before, string after)
    {
        ProcessResult result = await RunningProcess.RunToolToSuccessAsync("diff", before, after, "--method", "Main", "--format", "json");
        return JsonDocument.Parse(result.StandardOutput);
    }

    private static JsonElement.ArrayEnumerator Lines(JsonDocument diff) => diff.RootElement.GetProperty("lines").EnumerateArray();

    private static JsonElement Line(JsonDocument diff, string text) => Lines(diff).Single(l => l.GetProperty("text").GetString()?.Trim() == text);

    private static string Summary(JsonDocument diff) =>
        string.Join("\n", Lines(diff).Select(l => $"{l.GetProperty("text").GetString()?.Trim()} {l.GetProperty("status").GetString()} {l.GetProperty("change").GetProperty("bytes").GetDouble()}"));

    private static long Array(long length, int elementSize) => (24 + length * elementSize + 7) / 8 * 8;
}
