using DotnetMemLine.Reporting;

namespace DotnetMemLine.Tests.Reporting;

[TestClass]
public sealed class TextTableRendererTests
{
    [TestMethod]
    public void Header_NamesMethodSourceTraceAndEstimator()
    {
        string text = TextTableRenderer.Render(ReportFixtures.TwoLineReport());

        Assert.Contains("Method:    App.Worker.Classify(IReadOnlyList<string>)", text);
        Assert.Contains("Source:    /src/Worker.cs", text);
        Assert.Contains("Trace:     /tmp/app.nettrace, 4.2 s, 12,345 allocation samples, 0 dropped events", text);
        Assert.Contains("Estimator: AllocationSampled", text);
        Assert.Contains("Peak heap: 1.21 GiB", text);
    }

    [TestMethod]
    public void Rows_ShowFiguresOnlyWhereObserved_AndAlwaysTheSourceText()
    {
        string[] rows = TextTableRenderer.Render(ReportFixtures.TwoLineReport()).Split(Environment.NewLine);
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
    public void Columns_LineUp()
    {
        string[] rows = TextTableRenderer.Render(ReportFixtures.TwoLineReport()).Split(Environment.NewLine);
        string title = rows.Single(r => r.StartsWith("Line #", StringComparison.Ordinal));
        int contentsColumn = title.IndexOf("Line Contents", StringComparison.Ordinal);
        foreach (string row in rows.Where(r => r.Length > 6 && int.TryParse(r[..6], out _)))
        {
            Assert.AreEqual(' ', row[contentsColumn - 1], $"row does not line up: '{row}'");
        }
    }

    [TestMethod]
    public void Notes_ArePrintedInTheHeader()
    {
        string text = TextTableRenderer.Render(ReportFixtures.TwoLineReport(["source file not found: /src/Worker.cs"]));
        Assert.Contains("Note:      source file not found: /src/Worker.cs", text);
    }
}
