using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// <c>--format pprof</c> read by the real pprof client (<c>go tool pprof</c>, Debian's golang-go, which .ci/run installs):
/// its per-line figures (<c>-list</c>, <c>-top -lines</c>, and <c>inuse_space</c> for what is alive at the end) are the tool's
/// own table's, line for line, in sampling mode;
/// in exact mode (written by <c>run</c> itself) they are the analytic truth to the byte, objects included; every
/// allocation's type is a label.
/// </summary>
[TestClass]
public sealed partial class PprofExportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [TestMethod]
    public async Task GoPprof_ListsTheTablesFigures_LineByLine()
    {
        using ShapeRecording recording = await ShapeRecording.RunAsync("hotspot", "HotspotShape.Process", "HotspotShape.Sum");
        string profile = Path.Combine(Path.GetDirectoryName(recording.TracePath)!, "allocations.pb.gz");
        await RunningProcess.RunToolToSuccessAsync("analyze", recording.TracePath, "--format", "pprof", "-o", profile);

        JsonElement methods = recording.Report.RootElement.GetProperty("methods");
        foreach ((int index, string name) in new[] { (0, "HotspotShape.Process"), (1, "HotspotShape.Sum") })
        {
            Dictionary<int, double> table = TableFigures(methods[index], "allocatedBytes");
            Assert.IsNotEmpty(table, recording.Where);

            // -list: the method's source with each line's flat and cum (everything while the line ran: the table's figure).
            string listing = await PprofAsync("-list", $"Shapes\\.{name.Replace(".", "\\.", StringComparison.Ordinal)}$", "-unit=B", profile);
            Dictionary<int, long> listed = CumByLine(listing);
            AssertSameFigures(table, listed, $"go tool pprof -list {name}\n{listing}\n{recording.Where}");

            // -top -lines: one row per function and line, with the same cum.
            string top = await PprofAsync("-top", "-lines", "-nodefraction=0", "-nodecount=100000", "-unit=B", profile);
            Dictionary<int, long> rows = CumByLine(TopLineRows().Matches(top).Where(m => m.Groups["function"].Value.EndsWith(name, StringComparison.Ordinal)));
            AssertSameFigures(table, rows, $"go tool pprof -top -lines\n{top}\n{recording.Where}");

            // inuse_space: what each line allocated that is still alive at the end, the table's Live at end.
            Dictionary<int, double> liveAtEnd = TableFigures(methods[index], "liveAtEndBytes");
            if (liveAtEnd.Count > 0) // with nothing alive, pprof has no such function to list
            {
                string inUse = await PprofAsync("-list", $"Shapes\\.{name.Replace(".", "\\.", StringComparison.Ordinal)}$", "-sample_index=inuse_space", "-unit=B", profile);
                Dictionary<int, long> listedLive = CumByLine(inUse);
                AssertSameFigures(liveAtEnd, listedLive, $"go tool pprof -list {name} -sample_index=inuse_space\n{inUse}\n{recording.Where}");
            }
        }

        Assert.IsTrue(methods.EnumerateArray().Any(m => TableFigures(m, "liveAtEndBytes").Count > 0),
            "something is alive at the end (Process keeps its ids array)");

        string tags = await PprofAsync("-tags", profile);
        Assert.Contains("type:", tags, tags);
        Assert.Contains("System.Int64[]", tags, "the totals array's type is a label");
    }

    [TestMethod]
    public async Task RunsExport_InExactMode_IsTheTruth_ToTheByte_ObjectsIncluded()
    {
        using var folder = new TempFolder();
        string profile = folder.File("exact.pb.gz");
        string truthPath = folder.File("truth.json");
        ProcessResult run = await RunningProcess.RunToolToSuccessAsync("run", "--exact", "--format", "pprof", "--report", profile, "-o", folder.File("hotspot.nettrace"),
            "--", "dotnet", Repo.ShapesTargetDll, "hotspot", truthPath);
        Assert.Contains($"Report written: {profile}", run.StandardError, run.ToString());
        TruthFile truth = Truth.ReadFile(truthPath);

        string process = await PprofAsync("-list", "HotspotShape\\.Process$", "-unit=B", profile);
        Assert.AreEqual(truth.Facts["hotspot.ids"], CumOf(process, "var ids = new int[IdCount];"), process);
        Assert.AreEqual(truth.Facts["hotspot.scratch"], CumOf(process, "var scratch = GC.AllocateUninitializedArray<byte>(ScratchLength);"), process);
        // The lambda's line: its own arrays, whether it ran in its own frame or inlined into Array.ConvertAll (an inline frame).
        Assert.AreEqual(truth.Facts["hotspot.rows"], CumOf(process, "id => new int[IntsPerRow]);"), process);
        string sum = await PprofAsync("-list", "HotspotShape\\.Sum$", "-unit=B", profile);
        Assert.AreEqual(truth.Facts["hotspot.totals"], CumOf(sum, "var totals = new long[rows.Length * TotalsPerRow];"), sum);
        string blocks = await PprofAsync("-list", "HotspotShape\\.Blocks$", "-unit=B", profile);
        Assert.AreEqual(truth.Facts["hotspot.blocks"], CumOf(blocks, "yield return new byte[BlockLength];"), "an iterator's lines are its method's\n" + blocks);

        // Objects: the ids array is one a round, of 24 + 4 x 1,048,576 bytes.
        string objects = await PprofAsync("-list", "HotspotShape\\.Process$", "-sample_index=alloc_objects", profile);
        Assert.AreEqual(truth.Facts["hotspot.ids"] / (24 + 4 * 1_048_576), CumOf(objects, "var ids = new int[IdCount];"), objects);
    }

    [TestMethod]
    public async Task CollectsExport_OfTier1Code_HasTheTablesFigures()
    {
        using var folder = new TempFolder();
        string profile = folder.File("collected.pb.gz");
        IReadOnlyList<string> pprof = ["--format", "pprof", "--report", profile]; // no --method: the whole program
        using ShapeRecording recording = await ShapeRecording.CollectAsync("hotspot", pprof);
        Assert.Contains($"Report written: {profile}", recording.Tool.StandardError, recording.Tool.ToString());

        using JsonDocument table = await recording.AnalyzeAsync("HotspotShape.Process");
        Dictionary<int, double> lines = TableFigures(table.RootElement.GetProperty("methods")[0], "allocatedBytes");
        string listing = await PprofAsync("-list", "HotspotShape\\.Process$", "-unit=B", profile);
        Dictionary<int, long> listed = CumByLine(listing);
        AssertSameFigures(lines, listed, $"go tool pprof -list HotspotShape.Process (collect)\n{listing}\n{recording.Where}");
    }

    [TestMethod]
    public async Task Pprof_WithMethod_IsAUsageError_ThatSaysWhy()
    {
        using var folder = new TempFolder();
        using RunningProcess tool = RunningProcess.StartTool(["analyze", folder.File("missing.nettrace"), "--format", "pprof", "--method", "Work", "-o", folder.File("p.pb.gz")]);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        Assert.Contains("--format pprof holds every stack of the whole program: leave out --method", result.StandardError, result.ToString());
        Assert.DoesNotContain("   at ", result.StandardError, "no stack trace");
    }

    private static void AssertSameFigures(Dictionary<int, double> table, Dictionary<int, long> pprof, string context)
    {
        foreach ((int line, double bytes) in table)
        {
            Assert.IsTrue(pprof.TryGetValue(line, out long figure), $"line {line} ({bytes:N0} B) missing\n{context}");
            // Each pprof sample (a stack and a type) holds its sum rounded to the byte.
            Assert.IsLessThanOrEqualTo(Math.Max(1_024, bytes * 1e-5), Math.Abs(figure - bytes), $"line {line}: pprof {figure:N0} vs table {bytes:N0}\n{context}");
        }

        foreach ((int line, long figure) in pprof.Where(p => p.Value > 0))
        {
            Assert.IsTrue(table.ContainsKey(line), $"pprof has {figure:N0} B on line {line}, the table nothing\n{context}");
        }
    }

    /// <summary>A method's lines in the JSON table with a figure above 0 in <paramref name="field"/>, by line number.</summary>
    private static Dictionary<int, double> TableFigures(JsonElement method, string field) => method.GetProperty("lines").EnumerateArray()
        .Where(l => l.GetProperty(field).ValueKind == JsonValueKind.Number && l.GetProperty(field).GetDouble() > 0)
        .ToDictionary(l => l.GetProperty("line").GetInt32(), l => l.GetProperty(field).GetDouble());

    /// <summary>The <c>cum</c> column of a <c>go tool pprof -list</c> listing, by line number, for the lines that have one.</summary>
    private static Dictionary<int, long> CumByLine(string listing) => CumByLine(ListedLines().Matches(listing).Where(m => m.Groups["cum"].Value != "."));

    /// <summary>The <c>cum</c> group of pprof's output lines, by their <c>line</c> group.</summary>
    private static Dictionary<int, long> CumByLine(IEnumerable<Match> lines) =>
        lines.ToDictionary(m => int.Parse(m.Groups["line"].Value, CultureInfo.InvariantCulture), m => long.Parse(m.Groups["cum"].Value, CultureInfo.InvariantCulture));

    private static long CumOf(string listing, string text)
    {
        Match line = ListedLines().Matches(listing).Single(m => m.Groups["text"].Value.Trim() == text);
        return long.Parse(line.Groups["cum"].Value, CultureInfo.InvariantCulture);
    }

    private static async Task<string> PprofAsync(params string[] arguments)
    {
        string go = new[] { "go", "/usr/lib/go/bin/go" }
            .SelectMany(name => name.Contains('/', StringComparison.Ordinal) ? [name] : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(folder => Path.Combine(folder, name)))
            .FirstOrDefault(File.Exists)
            ?? throw new AssertFailedException("this test needs Go's pprof (apt-get install golang-go; .ci/run installs it)");
        using RunningProcess pprof = RunningProcess.Start(go, ["tool", "pprof", .. arguments]);
        ProcessResult result = await pprof.WaitForExitAsync(Timeout);
        Assert.AreEqual(0, result.ExitCode, $"go tool pprof {string.Join(' ', arguments)}\n{result}");
        return result.StandardOutput;
    }

    // "  40000480B  40000480B     17:        var big = new byte[2_000_000];" (flat and cum are "." when zero)
    [GeneratedRegex(@"^\s*(?<flat>\d+|\.)B?\s+(?<cum>\d+|\.)B?\s+(?<line>\d+):(?<text>.*)$", RegexOptions.Multiline)]
    private static partial Regex ListedLines();

    // " 64019264B 46.59% 46.59%  64027904B 46.60%  Program.Work(int) /tmp/pp/Program.cs:19"
    // pprof marks a function's line "(inline)" or "(partial-inline)" when the JIT inlined it somewhere (dynamic PGO may
    // inline the hotspot's lambda into Array.ConvertAll in one run and not in another).
    [GeneratedRegex(@"^\s*(?:\d+B|0)\s+[\d.]+%\s+[\d.]+%\s+(?<cum>\d+)B\s+[\d.]+%\s+(?<function>\S+)\s+\S+:(?<line>\d+)(?:\s+\((?:partial-)?inline\))?\s*$", RegexOptions.Multiline)]
    private static partial Regex TopLineRows();
}
