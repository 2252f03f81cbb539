using System.Text.Json;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Tests.Reporting;

[TestClass]
public sealed class JsonReportWriterTests
{
    [TestMethod]
    public void StringsFromTracesAndPdbs_AreEscaped_AndInvalidUtf16DoesNotBreakTheDocument()
    {
        ProfileReport report = ReportFixtures.TwoLineReport();
        MethodReport method = report.Methods[0];
        report = report with
        {
            Methods = [method with { Name = "App.\u001b]0;owned\u0007Worker\u202E.Run\uD800()", Lines = [.. method.Lines.Select(l => l with { Text = "x\0y\u001b[2J" })] }],
        };

        string json = new JsonReportWriter().RenderToString(report);

        Assert.IsFalse(json.Any(c => c < ' ' && c is not '\n' and not '\r' and not ' '), "no raw control character");
        using JsonDocument doc = JsonDocument.Parse(json);
        string name = doc.RootElement.GetProperty("methods")[0].GetProperty("name").GetString()!;
        StringAssert.StartsWith(name, "App.\u001b]0;owned\u0007Worker", "the value itself is kept, escaped in the document");
    }

    [TestMethod]
    public void TopLevel_HasTheDocumentedFields()
    {
        using JsonDocument doc = JsonDocument.Parse(new JsonReportWriter().RenderToString(ReportFixtures.TwoLineReport()));
        JsonElement root = doc.RootElement;

        Assert.AreEqual(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.AreEqual(4.25, root.GetProperty("durationSeconds").GetDouble());
        Assert.AreEqual(12_345, root.GetProperty("allocationSamples").GetInt64());
        Assert.AreEqual(0, root.GetProperty("droppedEvents").GetInt64());
        Assert.AreEqual(0, root.GetProperty("droppedEventFraction").GetDouble());
        Assert.IsFalse(root.GetProperty("incomplete").GetBoolean());
        StringAssert.StartsWith(root.GetProperty("estimator").GetString(), "AllocationSampled");
        Assert.IsFalse(root.GetProperty("exact").GetBoolean());
        Assert.AreEqual(1, root.GetProperty("methods").GetArrayLength());
        Assert.IsFalse(root.TryGetProperty("buffering", out _), "a saved trace does not say how it was buffered");
    }

    [TestMethod]
    public void Buffering_IsNamedWhenTheRecordingTold()
    {
        string Buffering(SessionBuffering buffering)
        {
            using JsonDocument doc = JsonDocument.Parse(new JsonReportWriter().RenderToString(ReportFixtures.TwoLineReport() with { Buffering = buffering }));
            return doc.RootElement.GetProperty("buffering").GetString()!;
        }

        Assert.AreEqual("lossy", Buffering(SessionBuffering.Lossy));
        Assert.AreEqual("lossless", Buffering(SessionBuffering.Lossless));
        Assert.AreEqual("lossy-lossless-unsupported", Buffering(SessionBuffering.LosslessUnsupported));
        Assert.AreEqual("lossy-lossless-refused", Buffering(SessionBuffering.LosslessRefused));
    }

    [TestMethod]
    public void LowConfidence_IsOnEveryLineAndTheTotal()
    {
        using JsonDocument doc = JsonDocument.Parse(new JsonReportWriter().RenderToString(ReportFixtures.TwoLineReport()));
        JsonElement method = doc.RootElement.GetProperty("methods")[0];
        JsonElement[] lines = [.. method.GetProperty("lines").EnumerateArray()];

        Assert.IsFalse(method.GetProperty("total").GetProperty("lowConfidence").GetBoolean());
        Assert.IsFalse(lines[0].GetProperty("lowConfidence").GetBoolean(), "a line without samples is not low-confidence, just blank");
        Assert.IsFalse(lines[2].GetProperty("lowConfidence").GetBoolean());
        Assert.IsTrue(lines[3].GetProperty("lowConfidence").GetBoolean());
        Assert.AreEqual(JsonValueKind.Null, lines[2].GetProperty("objects").ValueKind, "sampling does not count objects");
        Assert.AreEqual(JsonValueKind.Null, method.GetProperty("total").GetProperty("objects").ValueKind);
    }

    [TestMethod]
    public void ExactReport_HasExactFlagObjectsAndAZeroWidthInterval()
    {
        using JsonDocument doc = JsonDocument.Parse(new JsonReportWriter().RenderToString(ReportFixtures.ExactReport()));
        JsonElement root = doc.RootElement;
        JsonElement method = root.GetProperty("methods")[0];
        JsonElement total = method.GetProperty("total");
        JsonElement line = method.GetProperty("lines")[2];

        Assert.IsTrue(root.GetProperty("exact").GetBoolean());
        Assert.AreEqual(6_291_096, total.GetProperty("allocatedBytes").GetInt64());
        Assert.AreEqual(6_003, total.GetProperty("objects").GetInt64());
        Assert.IsFalse(total.GetProperty("lowConfidence").GetBoolean());
        Assert.AreEqual(6_288_000, line.GetProperty("allocatedBytes").GetInt64());
        Assert.AreEqual(6_288_000, line.GetProperty("allocatedBytesLow").GetInt64());
        Assert.AreEqual(6_288_000, line.GetProperty("allocatedBytesHigh").GetInt64());
        Assert.AreEqual(6_000, line.GetProperty("objects").GetInt64());
        Assert.IsFalse(line.GetProperty("lowConfidence").GetBoolean());
        Assert.AreEqual(JsonValueKind.Null, method.GetProperty("lines")[0].GetProperty("objects").ValueKind);
    }

    [TestMethod]
    public void Lines_CarryEstimateIntervalSamplesAndPeak_NullWhenUnobserved()
    {
        using JsonDocument doc = JsonDocument.Parse(new JsonReportWriter().RenderToString(ReportFixtures.TwoLineReport()));
        JsonElement method = doc.RootElement.GetProperty("methods")[0];
        Assert.AreEqual("App.Worker.Classify(IReadOnlyList<string>)", method.GetProperty("name").GetString());
        Assert.AreEqual("/src/Worker.cs", method.GetProperty("sourceFile").GetString());

        JsonElement[] lines = [.. method.GetProperty("lines").EnumerateArray()];
        Assert.HasCount(5, lines);

        JsonElement observed = lines[2];
        Assert.AreEqual(12, observed.GetProperty("line").GetInt32());
        Assert.AreEqual(1_048_576_000, observed.GetProperty("allocatedBytes").GetDouble());
        Assert.AreEqual(1_000_000_000, observed.GetProperty("allocatedBytesLow").GetDouble());
        Assert.AreEqual(1_100_000_000, observed.GetProperty("allocatedBytesHigh").GetDouble());
        Assert.AreEqual(10_240, observed.GetProperty("samples").GetInt64());
        Assert.AreEqual(1_200_000_000, observed.GetProperty("peakHeapBytes").GetInt64());
        Assert.AreEqual(JsonValueKind.Null, observed.GetProperty("sharedBytes").ValueKind, "the whole figure is the line's own");
        Assert.AreEqual(0, observed.GetProperty("sharedWith").GetArrayLength());

        JsonElement blank = lines[0];
        Assert.AreEqual(JsonValueKind.Null, blank.GetProperty("allocatedBytes").ValueKind);
        Assert.AreEqual(JsonValueKind.Null, blank.GetProperty("peakHeapBytes").ValueKind);
        Assert.AreEqual(0, blank.GetProperty("samples").GetInt64());
        Assert.AreEqual("    public int[] Classify(IReadOnlyList<string> messages)", blank.GetProperty("text").GetString());
    }

    [TestMethod]
    public void LineWhoseBytesMayBelongToOthers_SaysHowMuchAndWhichLines()
    {
        ProfileReport report = ReportFixtures.TwoLineReport();
        MethodReport method = report.Methods[0];
        LineReport shared = method.Lines[2] with { SharedPart = new EstimateReport(10_485_760, 10_000_000, 11_000_000, 100), SharedWith = [13, 14] };
        report = report with { Methods = [method with { Lines = [.. method.Lines.Select(l => l.Line == 12 ? shared : l)] }] };

        using JsonDocument doc = JsonDocument.Parse(new JsonReportWriter().RenderToString(report));
        JsonElement line = doc.RootElement.GetProperty("methods")[0].GetProperty("lines")[2];

        Assert.AreEqual(10_485_760, line.GetProperty("sharedBytes").GetDouble());
        CollectionAssert.AreEqual(new[] { 13, 14 }, line.GetProperty("sharedWith").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }

    [TestMethod]
    public void DroppedEvents_MarkEveryEstimateIncomplete()
    {
        ProfileReport report = ReportFixtures.TwoLineReport() with { DroppedEvents = 10, DroppedEventFraction = 0.001 };
        using JsonDocument doc = JsonDocument.Parse(new JsonReportWriter().RenderToString(report));
        JsonElement root = doc.RootElement;
        JsonElement method = root.GetProperty("methods")[0];
        JsonElement[] lines = [.. method.GetProperty("lines").EnumerateArray()];

        Assert.IsTrue(root.GetProperty("incomplete").GetBoolean());
        Assert.AreEqual(0.001, root.GetProperty("droppedEventFraction").GetDouble());
        Assert.IsTrue(method.GetProperty("total").GetProperty("incomplete").GetBoolean());
        Assert.IsTrue(lines[2].GetProperty("incomplete").GetBoolean());
        Assert.IsTrue(lines[3].GetProperty("incomplete").GetBoolean());
        Assert.IsFalse(lines[0].GetProperty("incomplete").GetBoolean(), "a line without samples has no figure to mark");
        Assert.AreEqual(1_048_576_000, lines[2].GetProperty("allocatedBytes").GetDouble(), "nothing is scaled");
    }
}
