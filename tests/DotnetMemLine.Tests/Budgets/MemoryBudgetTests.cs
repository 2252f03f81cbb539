using DotnetMemLine.Budgets;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Tests.Budgets;

[TestClass]
public sealed class MemoryBudgetTests
{
    [TestMethod]
    public void Parse_ReadsTheMethodTheLineTheFigureAndTheSize()
    {
        Assert.AreEqual(new MemoryBudget("ClassifyMessages", null, BudgetFigure.PeakLive, 200 * 1024 * 1024, "ClassifyMessages peak-live > 200 MiB"),
            MemoryBudget.Parse("ClassifyMessages peak-live > 200 MiB"));
        Assert.AreEqual(new MemoryBudget("Work.Fill", 14, BudgetFigure.Allocated, 1.5e6, "Work.Fill:line 14 allocated > 1.5MB"), MemoryBudget.Parse("Work.Fill:line 14 allocated > 1.5MB"));
        Assert.AreEqual(4096, MemoryBudget.Parse("M:total live-at-end > 4096").LimitBytes);
        Assert.AreEqual(BudgetFigure.Change, MemoryBudget.Parse("M change > 1 KiB").Figure);
    }

    [TestMethod]
    public void Parse_RefusesWhatIsNotABudget_SayingHowToWriteOne()
    {
        Assert.Contains("is not a budget", Assert.Throws<FormatException>(() => MemoryBudget.Parse("M peak > 2")).Message);
        Assert.Contains("unit", Assert.Throws<FormatException>(() => MemoryBudget.Parse("M allocated > 2 parsecs")).Message);
        Assert.HasCount(1, MemoryBudget.ParseFile(["# the budgets", "", "  M allocated > 1 MiB  "]));
    }

    [TestMethod]
    public void Judge_BreaksOnlyWhenTheWholeIntervalIsOver_KeepsOnlyWhenItIsWithin()
    {
        ProfileReport report = Report(new EstimateReport(100e6, 90e6, 110e6, 400));
        Assert.AreEqual(BudgetOutcome.Broken, BudgetJudge.Judge(MemoryBudget.Parse("Work.Fill allocated > 89 MB"), report).Outcome);
        Assert.AreEqual(BudgetOutcome.Kept, BudgetJudge.Judge(MemoryBudget.Parse("Work.Fill allocated > 110 MB"), report).Outcome);
        BudgetVerdict undecided = BudgetJudge.Judge(MemoryBudget.Parse("Work.Fill allocated > 105 MB"), report);
        Assert.AreEqual(BudgetOutcome.Undecided, undecided.Outcome);
        // The interval reaches 10 MB above the figure, the budget is 5 MB above: four times the samples halve the reach.
        Assert.AreEqual(4, undecided.SamplesFactorToDecide!.Value, 1e-9);
        Assert.Contains("about 4 times the samples", BudgetJudge.Describe(undecided));
    }

    [TestMethod]
    public void Judge_SaysWhatItCannotJudge()
    {
        ProfileReport report = Report(new EstimateReport(100e6, 90e6, 110e6, 400));
        BudgetVerdict noLine = BudgetJudge.Judge(MemoryBudget.Parse("Work.Fill:line 99 allocated > 1 MB"), report);
        Assert.AreEqual(BudgetOutcome.NotJudged, noLine.Outcome);
        Assert.Contains("line 99 is not in the table (lines 10-11)", BudgetJudge.Describe(noLine));
        Assert.AreEqual(BudgetOutcome.NotJudged, BudgetJudge.Judge(MemoryBudget.Parse("Work.Fill peak-live > 1 MB"), report).Outcome, "the trace follows no lifetimes");
    }

    [TestMethod]
    public void Judge_ALineWithNoSamples_MayHaveAllocatedAFewHundredKilobytes()
    {
        ProfileReport report = Report(new EstimateReport(100e6, 90e6, 110e6, 400));
        Assert.AreEqual(BudgetOutcome.Kept, BudgetJudge.Judge(MemoryBudget.Parse("Work.Fill:line 10 allocated > 1 MB"), report).Outcome);
        Assert.AreEqual(BudgetOutcome.Undecided, BudgetJudge.Judge(MemoryBudget.Parse("Work.Fill:line 10 allocated > 10 KB"), report).Outcome);
    }

    private static ProfileReport Report(EstimateReport line11) => new(
        ProfileReport.CurrentSchemaVersion, "/t.nettrace", 1, 400, 0, "sampled", false,
        [new MethodReport("App.Work.Fill(int)", "/src/Work.cs", line11, 0, [new LineReport(10, "{", null, null), new LineReport(11, "var a = new byte[n];", line11, null)], [])],
        []);
}
