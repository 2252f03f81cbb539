using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Tests.Reporting;

[TestClass]
public sealed class ProgressReporterTests
{
    private const long GiB = 1L << 30;

    private TimeSpan _now;
    private readonly StringWriter _output = new();

    private ProgressReporter Reporter() =>
        new(_output, () => _now, interval: TimeSpan.FromMilliseconds(250), delay: TimeSpan.FromSeconds(1));

    private string[] Lines => _output.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries);

    [TestMethod]
    public void ShortAnalysis_PrintsNothing()
    {
        ProgressReporter reporter = Reporter();
        _now = TimeSpan.FromMilliseconds(900);
        reporter.Report(new AnalysisProgress(AnalysisStep.Converting, GiB, 2 * GiB));
        reporter.Clear();

        Assert.AreEqual("", _output.ToString());
    }

    [TestMethod]
    public void Bytes_ShowPercentAndSizes_RewrittenInPlace()
    {
        ProgressReporter reporter = Reporter();
        _now = TimeSpan.FromSeconds(1);
        reporter.Report(new AnalysisProgress(AnalysisStep.Converting, 1_288_490_189, 2_791_728_742));
        _now = TimeSpan.FromSeconds(2);
        reporter.Report(new AnalysisProgress(AnalysisStep.Converting, 2 * GiB, 2_791_728_742));

        string text = _output.ToString();
        Assert.StartsWith("\rAnalyzing trace: converting 46% (1.20 GiB of 2.60 GiB)", text);
        Assert.AreEqual(2, text.Count(c => c == '\r'), "each update returns to the start of the line");
        Assert.DoesNotContain("\n", text, "never a new line");
        Assert.AreEqual("Analyzing trace: converting 76% (2.00 GiB of 2.60 GiB)", Lines[1]);
    }

    [TestMethod]
    public void Updates_AreThrottled_ButANewStepShowsAtOnce()
    {
        ProgressReporter reporter = Reporter();
        _now = TimeSpan.FromSeconds(1);
        for (int i = 0; i < 100; i++)
        {
            _now += TimeSpan.FromMilliseconds(10); // 100 reports in one second
            reporter.Report(new AnalysisProgress(AnalysisStep.Attributing, i * 1000, 100_000, InEvents: true));
        }

        Assert.HasCount(4, Lines, "at most one rewrite per 250 ms");
        reporter.Report(new AnalysisProgress(AnalysisStep.Converting, 1, 2));
        Assert.HasCount(5, Lines);
        StringAssert.StartsWith(Lines[^1], "Analyzing trace: converting 50%");
    }

    [TestMethod]
    public void ShorterLine_CoversTheLongerOne_AndClearErasesIt()
    {
        ProgressReporter reporter = Reporter();
        _now = TimeSpan.FromSeconds(1);
        reporter.Report(new AnalysisProgress(AnalysisStep.Attributing, 1_234_567, 2_000_000, InEvents: true));
        int longest = Lines[0].Length;
        _now = TimeSpan.FromSeconds(2);
        reporter.Report(new AnalysisProgress(AnalysisStep.Converting, 1, 2));
        reporter.Clear();

        Assert.AreEqual("Analyzing trace: attributing samples 61% (1,234,567 of 2,000,000 events)", Lines[0]);
        Assert.AreEqual(longest, Lines[1].Length, "padded over the previous text");
        Assert.IsTrue(string.IsNullOrWhiteSpace(Lines[2]), "cleared");
        Assert.EndsWith("\r", _output.ToString(), "the cursor is back at the start for what follows");
    }

    [TestMethod]
    public void UnmeasuredStep_ShowsItsSizeAndElapsedTime()
    {
        Assert.AreEqual(
            "Analyzing trace: reading code maps 2.00 GiB (12 s)",
            ProgressReporter.Describe(new AnalysisProgress(AnalysisStep.ReadingCode, -1, 2 * GiB), TimeSpan.FromSeconds(12)));
    }

    [TestMethod]
    public void SeveralTraces_ShowHowManyAreRead()
    {
        Assert.AreEqual(
            "Analyzing traces: 5 of 1,200 read (7 s)",
            ProgressReporter.Describe(new AnalysisProgress(AnalysisStep.ReadingTraces, 5, 1_200), TimeSpan.FromSeconds(7)));
    }

    [TestMethod]
    public void ProcIo_GivesTheBytesRead()
    {
        const string Sample = "rchar: 2012345678\nwchar: 1234\nsyscr: 10\nsyscw: 2\nread_bytes: 0\nwrite_bytes: 0\ncancelled_write_bytes: 0\n";

        Assert.AreEqual(2_012_345_678L, ReadBytesProbe.ParseReadBytes(Sample));
        Assert.IsNull(ReadBytesProbe.ParseReadBytes("wchar: 1\n"));
    }
}
