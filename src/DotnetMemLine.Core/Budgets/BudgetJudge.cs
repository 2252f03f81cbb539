using System.Globalization;
using DotnetMemLine.Comparison;
using DotnetMemLine.Estimation;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Budgets;

/// <summary>What a budget came to.</summary>
public enum BudgetOutcome
{
    /// <summary>The figure's whole 95% interval is within the budget.</summary>
    Kept,

    /// <summary>The figure's whole 95% interval is over the budget.</summary>
    Broken,

    /// <summary>The interval straddles the budget: more samples would decide it.</summary>
    Undecided,

    /// <summary>The budget names a line or figure the report does not have.</summary>
    NotJudged,
}

/// <summary>A budget and what it came to: the figure with its interval, and for an undecided one how much more recording would decide it.</summary>
/// <param name="Budget">The budget.</param>
/// <param name="Outcome">Kept, broken, undecided, or not judged.</param>
/// <param name="Method">The table's full name; the budget's own name when not found.</param>
/// <param name="Bytes">The figure (0 when nothing was observed); null when not judged.</param>
/// <param name="Low">Its 95% interval's low end.</param>
/// <param name="High">Its high end.</param>
/// <param name="Problem">Why it was not judged; null otherwise.</param>
public sealed record BudgetVerdict(MemoryBudget Budget, BudgetOutcome Outcome, string Method, double? Bytes, double? Low, double? High, string? Problem = null)
{
    /// <summary>
    /// For an undecided budget: how many times the samples behind the figure would narrow its interval enough to
    /// decide (the interval narrows with the square root of the samples: a recording this many times as long, for a
    /// figure that grows with it); null otherwise or when the figure sits on the budget itself.
    /// </summary>
    public double? SamplesFactorToDecide =>
        Outcome == BudgetOutcome.Undecided && Bytes is double bytes && Low is double low && High is double high && bytes != Budget.LimitBytes
            ? Math.Pow((bytes > Budget.LimitBytes ? bytes - low : high - bytes) / Math.Abs(bytes - Budget.LimitBytes), 2)
            : null;
}

/// <summary>
/// Judges budgets statistically: a sampled figure breaks its budget only when its interval's low end is over it, keeps
/// it only when its high end is within it, and is undecided otherwise; an exact figure is compared as it is.
/// </summary>
public static class BudgetJudge
{
    /// <summary>Judges a budget against a report's tables.</summary>
    /// <param name="budget">The budget.</param>
    /// <param name="report">The report (its methods include the budget's).</param>
    public static BudgetVerdict Judge(MemoryBudget budget, ProfileReport report)
    {
        MethodReport table = TableLookup.Find(report, budget.Method, report.TracePath);
        if (budget.Figure == BudgetFigure.Change)
        {
            return new BudgetVerdict(budget, BudgetOutcome.NotJudged, table.Name, null, null, null, "'change' is a figure of dotnet-memline diff");
        }

        EstimateReport? figure;
        if (budget.Line is int number)
        {
            LineReport? line = table.Lines.FirstOrDefault(l => l.Line == number);
            if (line is null)
            {
                return new BudgetVerdict(budget, BudgetOutcome.NotJudged, table.Name, null, null, null, table.Lines.Count == 0 ? "the method's table has no lines" : $"line {number} is not in the table (lines {table.Lines[0].Line}-{table.Lines[^1].Line})");
            }

            figure = budget.Figure switch { BudgetFigure.PeakLive => line.PeakLive, BudgetFigure.LiveAtEnd => line.LiveAtEnd, _ => line.Allocated };
        }
        else
        {
            figure = budget.Figure switch { BudgetFigure.PeakLive => table.TotalPeakLive, BudgetFigure.LiveAtEnd => table.TotalLiveAtEnd, _ => table.TotalAllocated };
        }

        if (budget.Figure is BudgetFigure.PeakLive or BudgetFigure.LiveAtEnd && !report.FollowsLifetimes)
        {
            return new BudgetVerdict(budget, BudgetOutcome.NotJudged, table.Name, null, null, null, "the trace does not follow objects through the GCs (recorded with --no-lifetimes, or by a tool without the GC's survival events)");
        }

        // Nothing observed: zero bytes seen, which sampling leaves up to a few hundred KiB unseen.
        (double bytes, double low, double high) = figure is { } f ? (f.Bytes, f.LowBytes, f.HighBytes) : (0, 0, report.Exact ? 0 : ChangeEstimator.UnseenBytesBound);
        return Verdict(budget, table.Name, bytes, low, high);
    }

    /// <summary>Judges a budget on a diff: its figure is the change (after minus before) of the line or total.</summary>
    /// <param name="budget">The budget, whose figure must be <see cref="BudgetFigure.Change"/>.</param>
    /// <param name="diff">The comparison.</param>
    public static BudgetVerdict Judge(MemoryBudget budget, MethodDiff diff)
    {
        if (budget.Figure != BudgetFigure.Change)
        {
            return new BudgetVerdict(budget, BudgetOutcome.NotJudged, diff.After.Method, null, null, null, "a diff judges the 'change' figure");
        }

        ChangeEstimate change = diff.TotalChange;
        if (budget.Line is int number)
        {
            LineDiff? line = diff.Lines.FirstOrDefault(l => l.AfterLine == number);
            if (line is null)
            {
                return new BudgetVerdict(budget, BudgetOutcome.NotJudged, diff.After.Method, null, null, null, $"line {number} is not in the after version's table");
            }

            change = line.Change;
        }

        return Verdict(budget, diff.After.Method, change.Change, change.Low, change.High);
    }

    /// <summary>The verdict as one line: "budget broken: ClassifyMessages, the total, peak-live 1.20 GiB [1.19 GiB, 1.21 GiB] is over 200 MiB".</summary>
    public static string Describe(BudgetVerdict verdict)
    {
        MemoryBudget budget = verdict.Budget;
        string what = $"{verdict.Method}, {budget.Where}, {FigureName(budget.Figure)}";
        string limit = ByteFormat.Format(budget.LimitBytes);
        if (verdict.Outcome == BudgetOutcome.NotJudged)
        {
            return $"budget not judged: '{budget.Text}': {verdict.Problem}";
        }

        string figure = verdict.Low == verdict.High
            ? Signed(budget, verdict.Bytes!.Value)
            : $"{Signed(budget, verdict.Bytes!.Value)} [{Signed(budget, verdict.Low!.Value)}, {Signed(budget, verdict.High!.Value)}]";
        return verdict.Outcome switch
        {
            BudgetOutcome.Broken => $"budget broken: {what} {figure} is over {limit}",
            BudgetOutcome.Kept => $"budget kept: {what} {figure} is within {limit}",
            _ => $"budget undecided: {what} {figure} straddles {limit}; "
                + (verdict.SamplesFactorToDecide is double factor
                    ? string.Create(CultureInfo.InvariantCulture, $"about {Math.Ceiling(factor):N0} times the samples (a recording {Math.Ceiling(factor):N0} times as long) would decide it")
                    : "the figure is the budget itself: no recording decides it"),
        };
    }

    private static BudgetVerdict Verdict(MemoryBudget budget, string method, double bytes, double low, double high)
    {
        BudgetOutcome outcome = low > budget.LimitBytes ? BudgetOutcome.Broken : high <= budget.LimitBytes ? BudgetOutcome.Kept : BudgetOutcome.Undecided;
        return new BudgetVerdict(budget, outcome, method, bytes, low, high);
    }

    private static string Signed(MemoryBudget budget, double bytes) =>
        budget.Figure == BudgetFigure.Change ? ByteFormat.Change(bytes) : ByteFormat.Format(bytes);

    private static string FigureName(BudgetFigure figure) => figure switch
    {
        BudgetFigure.PeakLive => "peak-live",
        BudgetFigure.LiveAtEnd => "live-at-end",
        BudgetFigure.Change => "change",
        _ => "allocated",
    };
}
