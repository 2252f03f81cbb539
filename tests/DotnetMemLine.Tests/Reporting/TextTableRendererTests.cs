using DotnetMemLine.Reporting;

namespace DotnetMemLine.Tests.Reporting;

[TestClass]
public sealed class TextTableRendererTests
{
    [TestMethod]
    public void Header_NamesMethodSourceTraceAndEstimator()
    {
        string text = new TextTableRenderer().RenderToString(ReportFixtures.TwoLineReport());

        Assert.Contains("Method:    App.Worker.Classify(IReadOnlyList<string>)", text);
        Assert.Contains("Source:    /src/Worker.cs", text);
        Assert.Contains("Trace:     /tmp/app.nettrace, 4.2 s, 12,345 allocation samples, 0 dropped events", text);
        Assert.Contains("Estimator: AllocationSampled", text);
        Assert.Contains("Peak heap: 1.21 GiB before a GC, 1.02 GiB after (the largest at the 12 GCs that began while it ran)", text);
    }

    [TestMethod]
    public void Header_SaysHowTheSessionBufferedWhenTheRecordingTold()
    {
        ProfileReport report = ReportFixtures.TwoLineReport();
        string Trace(ProfileReport r) => new TextTableRenderer().RenderToString(r).Split(Environment.NewLine).Single(l => l.StartsWith("Trace:", StringComparison.Ordinal));

        Assert.EndsWith("0 dropped events", Trace(report), "a saved trace does not say how it was buffered");
        Assert.EndsWith("0 dropped events (lossy buffer)", Trace(report with { Buffering = SessionBuffering.Lossy }));
        Assert.EndsWith("0 dropped events (lossless session)", Trace(report with { Buffering = SessionBuffering.Lossless }));
        Assert.EndsWith("0 dropped events (lossy buffer: lossless needs .NET 11)", Trace(report with { Buffering = SessionBuffering.LosslessUnsupported }));
        Assert.EndsWith("0 dropped events (lossy buffer: the runtime refused lossless)", Trace(report with { Buffering = SessionBuffering.LosslessRefused }));
    }

    [TestMethod]
    public void Rows_ShowFiguresOnlyWhereObserved_AndAlwaysTheSourceText()
    {
        string[] rows = new TextTableRenderer().RenderToString(ReportFixtures.TwoLineReport()).Split(Environment.NewLine);
        int contentsColumn = rows.Single(r => r.StartsWith("Line #", StringComparison.Ordinal)).IndexOf("Line Contents", StringComparison.Ordinal);

        string signature = rows.Single(r => r.StartsWith("    10", StringComparison.Ordinal));
        Assert.IsTrue(string.IsNullOrWhiteSpace(signature[6..contentsColumn]), $"a line without data must have blank figures: '{signature}'");
        Assert.AreEqual("    public int[] Classify(IReadOnlyList<string> messages)", signature[contentsColumn..]);

        string vectorize = rows.Single(r => r.StartsWith("    12", StringComparison.Ordinal));
        Assert.Contains("1.12 GiB", vectorize);
        Assert.Contains("1000.0 MiB", vectorize);
        Assert.Contains("[953.7 MiB, 1.02 GiB]", vectorize);
        Assert.Contains("10,240", vectorize);
        Assert.EndsWith("var vectors = Vectorize(messages);", vectorize);
    }

    [TestMethod]
    public void LineWhoseBytesMayBelongToAnother_IsMarked_AndTheFootnoteNamesThem()
    {
        ProfileReport report = ReportFixtures.TwoLineReport();
        MethodReport method = report.Methods[0];
        LineReport shared = method.Lines[2] with { SharedPart = new EstimateReport(10_485_760, 10_000_000, 11_000_000, 100), SharedWith = [13] };
        report = report with { Methods = [method with { Lines = [.. method.Lines.Select(l => l.Line == 12 ? shared : l)] }] };

        string[] rows = new TextTableRenderer().RenderToString(report).Split(Environment.NewLine);

        string vectorize = rows.Single(r => r.StartsWith("    12", StringComparison.Ordinal));
        Assert.Contains("1000.0 MiB~", vectorize);
        Assert.Contains("~ line 12: 10.0 MiB of it may belong to line 13 instead", string.Join("\n", rows));
        int contents = rows.Single(r => r.StartsWith("Line #", StringComparison.Ordinal)).IndexOf("Line Contents", StringComparison.Ordinal);
        Assert.AreEqual("        var vectors = Vectorize(messages);", vectorize[contents..], "the mark keeps the columns");
    }

    [TestMethod]
    public void Columns_LineUp()
    {
        string[] rows = new TextTableRenderer().RenderToString(ReportFixtures.TwoLineReport()).Split(Environment.NewLine);
        string title = rows.Single(r => r.StartsWith("Line #", StringComparison.Ordinal));
        int contentsColumn = title.IndexOf("Line Contents", StringComparison.Ordinal);
        foreach (string row in rows.Where(r => r.Length > 6 && int.TryParse(r[..6], out _)))
        {
            Assert.AreEqual(' ', row[contentsColumn - 1], $"row does not line up: '{row}'");
        }
    }

    [TestMethod]
    public void LowConfidenceRows_AreMarked_AndALegendExplainsTheMark()
    {
        string text = new TextTableRenderer().RenderToString(ReportFixtures.TwoLineReport());
        string[] rows = text.Split(Environment.NewLine);

        string predict = rows.Single(r => r.StartsWith("    13", StringComparison.Ordinal));
        Assert.Contains("       1?  ", predict, "1 sample: flagged");
        string vectorize = rows.Single(r => r.StartsWith("    12", StringComparison.Ordinal));
        Assert.DoesNotContain("?", vectorize, "10,240 samples: not flagged");
        Assert.Contains("? fewer than 100 samples: the estimate is rough; read its 95% interval", text);
    }

    [TestMethod]
    public void NoLowConfidenceRow_NoLegend()
    {
        ProfileReport report = ReportFixtures.TwoLineReport();
        MethodReport method = report.Methods[0];
        ProfileReport confident = report with
        {
            Methods = [method with { Lines = [.. method.Lines.Where(l => l.Allocated is not { LowConfidence: true })] }],
        };

        Assert.DoesNotContain("fewer than 100 samples", new TextTableRenderer().RenderToString(confident));
    }

    [TestMethod]
    public void LowConfidenceTotal_SaysSoInTheHeader()
    {
        ProfileReport report = ReportFixtures.TwoLineReport();
        MethodReport method = report.Methods[0] with { TotalAllocated = new EstimateReport(3_000_000, 2_000_000, 4_000_000, 30, LowConfidence: true) };

        string text = new TextTableRenderer().RenderToString(report with { Methods = [method] });

        Assert.Contains("Total:     2.9 MiB allocated while the method ran [1.9 MiB, 3.8 MiB], 30 samples (low confidence: under 100 samples)", text);
    }

    [TestMethod]
    public void ExactReport_ShowsExactBytesAndObjects_InsteadOfIntervalAndSamples()
    {
        string text = new TextTableRenderer().RenderToString(ReportFixtures.ExactReport());
        string[] rows = text.Split(Environment.NewLine);

        Assert.Contains("Trace:     /tmp/app.nettrace, 0.5 s, 36,077 allocation events, 0 dropped events", text);
        Assert.Contains("Estimator: exact: every allocation recorded", text);
        Assert.Contains("Total:     6.0 MiB (6,291,096 B) allocated while the method ran, 6,003 objects", text);
        string title = rows.Single(r => r.StartsWith("Line #", StringComparison.Ordinal));
        Assert.AreEqual("Line #     Peak heap     Allocated            Bytes       Objects   Line Contents", title);
        Assert.DoesNotContain("interval", text);
        Assert.DoesNotContain("Samples", text);

        string vectorize = rows.Single(r => r.StartsWith("    12", StringComparison.Ordinal));
        Assert.AreEqual("    12       6.7 MiB       6.0 MiB        6,288,000         6,000           var vectors = Vectorize(messages);", vectorize);
        string predict = rows.Single(r => r.StartsWith("    13", StringComparison.Ordinal));
        Assert.AreEqual("    13       6.8 MiB       3.0 KiB            3,096             3           return Predict(vectors);", predict);
    }

    [TestMethod]
    public void ExactReport_ColumnsLineUp()
    {
        string[] rows = new TextTableRenderer().RenderToString(ReportFixtures.ExactReport()).Split(Environment.NewLine);
        string title = rows.Single(r => r.StartsWith("Line #", StringComparison.Ordinal));
        int contentsColumn = title.IndexOf("Line Contents", StringComparison.Ordinal);
        int objectsEnd = title.IndexOf("Objects", StringComparison.Ordinal) + "Objects".Length;
        int bytesEnd = title.IndexOf("Bytes", StringComparison.Ordinal) + "Bytes".Length;
        foreach (string row in rows.Where(r => r.Length > 6 && int.TryParse(r[..6], out _) && r.Length > contentsColumn))
        {
            Assert.AreEqual(' ', row[contentsColumn - 1], $"row does not line up: '{row}'");
        }

        string vectorize = rows.Single(r => r.StartsWith("    12", StringComparison.Ordinal));
        Assert.AreEqual("6,000", vectorize[(objectsEnd - 5)..objectsEnd], "objects are right-aligned under their title");
        Assert.AreEqual("6,288,000", vectorize[(bytesEnd - 9)..bytesEnd], "bytes are right-aligned under their title");
    }

    [TestMethod]
    public void Notes_ArePrintedInTheHeader()
    {
        string text = new TextTableRenderer().RenderToString(ReportFixtures.TwoLineReport([new SourceUnreadableNote("/src/Worker.cs", "not found")]));
        Assert.Contains("Note:      source file not found: /src/Worker.cs", text);
    }

    [TestMethod]
    public void DroppedEvents_MarkEveryFigureAsALowerBound_WithALegend()
    {
        ProfileReport report = ReportFixtures.TwoLineReport() with { DroppedEvents = 1_234, DroppedEventFraction = 0.02 };
        string[] rows = new TextTableRenderer().RenderToString(report).Split(Environment.NewLine);

        StringAssert.StartsWith(rows.Single(r => r.StartsWith("Total:", StringComparison.Ordinal)), "Total:     >=1.50 GiB allocated");
        StringAssert.Contains(rows.Single(r => r.StartsWith("    12", StringComparison.Ordinal)), ">=1000.0 MiB");
        StringAssert.Contains(rows.Single(r => r.StartsWith("    13", StringComparison.Ordinal)), ">=2.0 KiB");
        Assert.DoesNotContain(">=", rows.Single(r => r.StartsWith("    10", StringComparison.Ordinal)), "a blank line stays blank");
        Assert.Contains(">= at least: 1,234 events were dropped, so these figures are lower bounds (see the warning)", rows);
        string unmarked = new TextTableRenderer().RenderToString(ReportFixtures.TwoLineReport()).Split(Environment.NewLine).Single(r => r.StartsWith("    12", StringComparison.Ordinal));
        Assert.AreEqual(
            unmarked.IndexOf("var vectors", StringComparison.Ordinal),
            rows.Single(r => r.StartsWith("    12", StringComparison.Ordinal)).IndexOf("var vectors", StringComparison.Ordinal),
            "the mark fits in the Allocated column");
    }

    [TestMethod]
    public void NoDroppedEvents_NoMark()
    {
        string text = new TextTableRenderer().RenderToString(ReportFixtures.TwoLineReport());

        Assert.DoesNotContain(">=", text);
    }
}
