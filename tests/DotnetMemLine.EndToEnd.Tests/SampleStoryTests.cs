using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// The bundled sample's story, the seed's: ClassifyMessages vectorizes 600 messages at once and holds every 2 MiB
/// matrix, ClassifyMessagesChunked holds 20 at a time. Allocated bytes are the same; Peak live must tell them
/// apart whichever runs first. The runtime's own GCs are too rare for that: run after the hold-all method, the
/// chunked one may meet none (a heap that just held 1.2 GB has grown its budgets past what the chunks allocate), and
/// run after the chunked one, the hold-all method may meet its last GC while it holds a fifth of its matrices.
/// --gc-every 0.2 makes the program run a full GC that often, as eng/demo.sh does.
/// </summary>
[TestClass]
public sealed class SampleStoryTests
{
    // float[512 * 1024]: 4 bytes each plus the array's 24-byte header.
    private const double MatrixBytes = (512 * 1024 * 4) + 24;
    private const int Messages = 600;
    private const int ChunkSize = 20;

    [TestMethod]
    public async Task SeedOrder_WithGCEvery_PeakLiveSeparatesHoldAllFromChunked()
    {
        using JsonDocument report = await RunSampleAsync(["--gc-every", "0.2"], chunkedFirst: false);
        AssertStoryTold(report);
        JsonElement chunked = Method(report, "ClassifyMessagesChunked");
        Assert.AreEqual(JsonValueKind.Object, chunked.GetProperty("gcHeap").ValueKind, "GCs were induced while the chunked method ran, so the heap was measured");

        // The seed's second table, as a diff of the two methods in the saved report: Peak live fell, beyond noise.
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("report.json"), report.RootElement.GetRawText());
        ProcessResult diff = await RunningProcess.RunToolToSuccessAsync("diff", folder.File("report.json"), "--method", "ClassifyMessages", "--vs", "ClassifyMessagesChunked",
            "--figure", "peak-live", "--format", "json");
        using JsonDocument comparison = JsonDocument.Parse(diff.StandardOutput);
        JsonElement total = comparison.RootElement.GetProperty("total");
        Assert.IsTrue(total.GetProperty("change").GetProperty("beyondNoise").GetBoolean(), diff.StandardOutput);
        Assert.IsGreaterThan(5 * total.GetProperty("after").GetProperty("allocatedBytes").GetDouble(), total.GetProperty("before").GetProperty("allocatedBytes").GetDouble(), diff.StandardOutput);
    }

    [TestMethod]
    public async Task ChunkedFirst_WithGCEvery_PeakLiveSeparatesHoldAllFromChunked()
    {
        using JsonDocument report = await RunSampleAsync(["--gc-every", "0.2"], chunkedFirst: true);
        AssertStoryTold(report);
    }

    private static void AssertStoryTold(JsonDocument report)
    {
        double holdAll = PeakLive(Method(report, "ClassifyMessages"), "vectorizer.MakeHiddenStates(messages)");
        double chunked = PeakLive(Method(report, "ClassifyMessagesChunked"), "vectorizer.MakeHiddenStates(chunk)");
        string figures = $"hold-all peak live {holdAll:N0}, chunked {chunked:N0}";

        // What each holds at once: all 600 matrices, or a chunk of 20 (two while one chunk's list is being replaced).
        Assert.IsLessThanOrEqualTo(3 * ChunkSize * MatrixBytes, chunked, figures);
        Assert.IsGreaterThan(0, chunked, figures);
        Assert.IsGreaterThanOrEqualTo(0.3 * Messages * MatrixBytes, holdAll, figures);
        Assert.IsLessThanOrEqualTo(1.02 * Messages * MatrixBytes, holdAll, figures);
        Assert.IsGreaterThan(5 * chunked, holdAll, figures);
    }

    private static async Task<JsonDocument> RunSampleAsync(string[] toolOptions, bool chunkedFirst)
    {
        using var folder = new TempFolder();
        List<string> arguments = ["run", "--method", "ClassifyMessages", "--method", "ClassifyMessagesChunked", .. toolOptions,
            "--format", "json", "-o", folder.File("sample.nettrace"), "--", "dotnet", Repo.SampleDll, .. chunkedFirst ? new[] { "--chunked-first" } : []];
        using RunningProcess tool = RunningProcess.StartTool(arguments);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, result.ExitCode, $"dotnet-memline {string.Join(' ', arguments)}\n{result}");
        return JsonDocument.Parse(result.StandardOutput);
    }

    private static JsonElement Method(JsonDocument report, string name) =>
        report.RootElement.GetProperty("methods").EnumerateArray().Single(m => m.GetProperty("name").GetString()!.Contains($".{name}(", StringComparison.Ordinal));

    private static double PeakLive(JsonElement method, string text)
    {
        JsonElement line = method.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("text").GetString()?.Contains(text, StringComparison.Ordinal) == true);
        return line.GetProperty("peakLiveBytes").ValueKind == JsonValueKind.Number ? line.GetProperty("peakLiveBytes").GetDouble() : 0;
    }
}
