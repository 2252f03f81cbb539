using System.Text.Json;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Tests.Reporting;

[TestClass]
public sealed class JsonReportWriterTests
{
    [TestMethod]
    public void TopLevel_HasTheDocumentedFields()
    {
        using JsonDocument doc = JsonDocument.Parse(JsonReportWriter.Write(ReportFixtures.TwoLineReport()));
        JsonElement root = doc.RootElement;

        Assert.AreEqual(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.AreEqual(4.25, root.GetProperty("durationSeconds").GetDouble());
        Assert.AreEqual(12_345, root.GetProperty("allocationSamples").GetInt64());
        Assert.AreEqual(0, root.GetProperty("droppedEvents").GetInt64());
        StringAssert.StartsWith(root.GetProperty("estimator").GetString(), "AllocationSampled");
        Assert.AreEqual(1, root.GetProperty("methods").GetArrayLength());
    }

    [TestMethod]
    public void Lines_CarryEstimateIntervalSamplesAndPeak_NullWhenUnobserved()
    {
        using JsonDocument doc = JsonDocument.Parse(JsonReportWriter.Write(ReportFixtures.TwoLineReport()));
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

        JsonElement blank = lines[0];
        Assert.AreEqual(JsonValueKind.Null, blank.GetProperty("allocatedBytes").ValueKind);
        Assert.AreEqual(JsonValueKind.Null, blank.GetProperty("peakHeapBytes").ValueKind);
        Assert.AreEqual(0, blank.GetProperty("samples").GetInt64());
        Assert.AreEqual("    public int[] Classify(IReadOnlyList<string> messages)", blank.GetProperty("text").GetString());
    }
}
