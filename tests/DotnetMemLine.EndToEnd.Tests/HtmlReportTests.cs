using System.Text.Json;
using System.Text.RegularExpressions;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// The HTML report (`--format html --report file`) opened in a real headless Chromium (Debian's chromium, which .ci/run
/// installs): the page loads without an error, each row's figures as the browser parsed them equal the JSON report's,
/// the timeline has a point per GC of the trace and the resident memory sampled while recording, the flame graph has the
/// method's callees, and a screenshot is kept with the test's results.
/// </summary>
[TestClass]
public sealed partial class HtmlReportTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task TheReport_LoadsInChromium_WithTheJsonsFigures_AndTheTimelinesGCs()
    {
        using ShapeRecording recording = await ShapeRecording.RunAsync("hotspot", "HotspotShape.Process", "HotspotShape.Blocks");
        string html = Path.Combine(Path.GetDirectoryName(recording.TracePath)!, "report.html");
        await RunningProcess.RunToolToSuccessAsync("analyze", recording.TracePath, "--method", "HotspotShape.Process", "--method", "HotspotShape.Blocks", "--format", "html", "--report", html);

        string chromium = Chromium();
        using (RunningProcess browser = RunningProcess.Start(chromium, [.. Headless, "--enable-logging=stderr", "--v=0", "--dump-dom", "file://" + html]))
        {
            ProcessResult page = await browser.WaitForExitAsync(TimeSpan.FromMinutes(2));
            Assert.AreEqual(0, page.ExitCode, page.ToString());
            Assert.DoesNotContain("Uncaught", page.StandardError, "no script error");
            Assert.DoesNotMatchRegex(ConsoleError(), page.StandardError, "no console error");

            // The figures the browser parsed: every row with a figure, against the JSON's line for line.
            var parsed = RowFigures().Matches(page.StandardOutput).Select(m => (Method: m.Groups["method"].Value, Line: m.Groups["line"].Value, Bytes: m.Groups["bytes"].Value)).ToList();
            JsonElement methods = recording.Report.RootElement.GetProperty("methods");
            var expected = Enumerable.Range(0, methods.GetArrayLength())
                .SelectMany(i => methods[i].GetProperty("lines").EnumerateArray()
                    .Where(l => l.GetProperty("allocatedBytes").ValueKind == JsonValueKind.Number)
                    .Select(l => (Method: i.ToString(System.Globalization.CultureInfo.InvariantCulture), Line: l.GetProperty("line").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
                        Bytes: Math.Round(l.GetProperty("allocatedBytes").GetDouble()).ToString(System.Globalization.CultureInfo.InvariantCulture))))
                .ToList();
            Assert.IsNotEmpty(expected);
            CollectionAssert.AreEquivalent(expected, parsed, page.StandardOutput.Length > 4000 ? page.StandardOutput[..4000] : page.StandardOutput);

            // A point per GC: the trace's GCs are the ones the runtime reported (the JSON's gcHeap counts those during the methods).
            int points = GCPoint().Count(page.StandardOutput);
            Assert.IsGreaterThanOrEqualTo(methods[0].GetProperty("gcHeap").GetProperty("gcs").GetInt32(), points, "the timeline draws every GC");
            Assert.IsGreaterThan(0, points);

            // The flame graph of Process's callees: its helper Sum, a box of its own under Process.
            Assert.Contains("<title>ShapesTarget.Shapes.HotspotShape.Process: ", page.StandardOutput, "the flame graph's root");
            Assert.Contains("<title>ShapesTarget.Shapes.HotspotShape.Sum: ", page.StandardOutput, "a callee's box");

            // The resident memory the collector sampled while recording, on the trace's clock: within the recording.
            Match rss = Rss().Match(page.StandardOutput);
            Assert.IsTrue(rss.Success, "the timeline draws the resident memory");
            Assert.IsGreaterThanOrEqualTo(3, rss.Groups["points"].Value.Split(' ').Length, rss.Value);
        }

        string screenshot = Path.Combine(Path.GetDirectoryName(recording.TracePath)!, "report.png");
        using (RunningProcess browser = RunningProcess.Start(chromium, [.. Headless, "--window-size=1280,1600", "--screenshot=" + screenshot, "file://" + html]))
        {
            ProcessResult shot = await browser.WaitForExitAsync(TimeSpan.FromMinutes(2));
            Assert.IsTrue(File.Exists(screenshot) && new FileInfo(screenshot).Length > 10_000, shot.ToString());
        }

        string kept = Path.Combine(TestContext.TestResultsDirectory ?? Path.GetTempPath(), "html-report.png");
        File.Copy(screenshot, kept, overwrite: true);
        TestContext.AddResultFile(kept);
    }

    private static readonly string[] Headless = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"];

    private static string Chromium() =>
        new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(folder => Path.Combine(folder, name)))
            .FirstOrDefault(File.Exists)
        ?? throw new AssertFailedException("this test needs Chromium (apt-get install chromium; .ci/run installs it)");

    [GeneratedRegex("""<tr id="m(?<method>\d+)-l(?<line>\d+)" data-line="\d+" tabindex="0" data-allocated-bytes="(?<bytes>\d+)" """)]
    private static partial Regex RowFigures();

    [GeneratedRegex("""<polyline class="rss" points="(?<points>[^"]+)">""")]
    private static partial Regex Rss();

    [GeneratedRegex("""class="gc gen\d""")]
    private static partial Regex GCPoint();

    [GeneratedRegex("""CONSOLE.*(?:error|Error)""")]
    private static partial Regex ConsoleError();
}
