using DotnetMemLine.Reporting;

namespace DotnetMemLine.Tests.Reporting;

[TestClass]
public sealed class ReportColumnsTests
{
    [TestMethod]
    public void EveryLineField_IsDocumentedInTheJsonSchema()
    {
        string schema = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "json-schema.md"));
        foreach (LineField field in ReportColumns.LineFields)
        {
            Assert.IsTrue(schema.Contains($"`lines[].{field.JsonName}`", StringComparison.Ordinal) || schema.Contains($"/ `{field.JsonName}`", StringComparison.Ordinal),
                $"docs/json-schema.md does not describe lines[].{field.JsonName}");
        }
    }

    [TestMethod]
    public void FieldNames_AndColumnTitles_AreUnique()
    {
        Assert.AreEqual(ReportColumns.LineFields.Count, ReportColumns.LineFields.Select(f => f.JsonName).Distinct().Count());
        Assert.AreEqual(ReportColumns.TableColumns.Count, ReportColumns.TableColumns.Select(c => c.Title).Distinct().Count());
    }

    [TestMethod]
    public void EachTable_ShowsItsOwnColumns()
    {
        string[] sampled = [.. ReportColumns.For(ReportFixtures.TwoLineReport()).Select(c => c.Title)];
        string[] exact = [.. ReportColumns.For(ReportFixtures.ExactReport()).Select(c => c.Title)];

        CollectionAssert.AreEqual(new[] { "Line #", "Peak heap", "Allocated", "95% interval", "Samples" }, sampled);
        CollectionAssert.AreEqual(new[] { "Line #", "Peak heap", "Allocated", "Bytes", "Objects" }, exact);
    }

    [TestMethod]
    public void EveryColumn_IsWideEnoughForItsTitle()
    {
        foreach (TableColumn column in ReportColumns.TableColumns)
        {
            Assert.IsGreaterThanOrEqualTo(column.Title.Length, column.Width, column.Title);
        }
    }
}
