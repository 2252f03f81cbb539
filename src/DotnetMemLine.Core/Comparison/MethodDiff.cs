using DotnetMemLine.Estimation;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Comparison;

/// <summary>How a line fared between the two versions of a method.</summary>
public enum LineChangeKind
{
    /// <summary>The line is in both (matched by its text).</summary>
    Kept,

    /// <summary>The line is only in the after version.</summary>
    Added,

    /// <summary>The line is only in the before version.</summary>
    Removed,
}

/// <summary>Which figure of the tables is compared.</summary>
public enum DiffFigure
{
    /// <summary>What each line allocated (the default).</summary>
    Allocated,

    /// <summary>The most of each line's allocations seen alive at one GC.</summary>
    PeakLive,

    /// <summary>What each line allocated that was still alive when the recording ended.</summary>
    LiveAtEnd,
}

/// <summary>One side of a comparison: where its figures come from and which method they are of.</summary>
/// <param name="Source">The trace or saved report.</param>
/// <param name="Method">The method's full name.</param>
/// <param name="Exact">The figures are exact sums (run --exact), not estimates.</param>
public sealed record DiffSide(string Source, string Method, bool Exact);

/// <summary>A line of the comparison: its numbers on each side, its text, both figures and the change.</summary>
/// <param name="BeforeLine">Its number in the before version; null when added.</param>
/// <param name="AfterLine">Its number in the after version; null when removed.</param>
/// <param name="Text">Its source text (the after version's, when kept); null when unknown.</param>
/// <param name="Before">What it allocated before; null when nothing was observed (or it did not exist).</param>
/// <param name="After">What it allocated after; likewise.</param>
/// <param name="Change">After minus before, with its 95% interval and whether it is beyond sampling noise.</param>
/// <param name="Kind">Kept, added or removed.</param>
public sealed record LineDiff(int? BeforeLine, int? AfterLine, string? Text, EstimateReport? Before, EstimateReport? After, ChangeEstimate Change, LineChangeKind Kind);

/// <summary>Two versions of a method's table compared line by line (or two methods of one trace).</summary>
/// <param name="Before">The before side.</param>
/// <param name="After">The after side.</param>
/// <param name="BeforeTotal">Everything allocated while the method ran, before.</param>
/// <param name="AfterTotal">The same, after.</param>
/// <param name="TotalChange">The change of the total.</param>
/// <param name="Lines">Every line of either version, in the after version's order, removed lines where they stood.</param>
public sealed record MethodDiff(DiffSide Before, DiffSide After, EstimateReport? BeforeTotal, EstimateReport? AfterTotal, ChangeEstimate TotalChange, IReadOnlyList<LineDiff> Lines)
{
    /// <summary>Which figure was compared.</summary>
    public DiffFigure Figure { get; init; }

    /// <summary>The version of the diff's JSON shape (docs/json-schema.md, "diff").</summary>
    public const int SchemaVersion = 1;

    /// <summary>The lines whose change is beyond sampling noise.</summary>
    public IEnumerable<LineDiff> ChangedLines => Lines.Where(l => l.Change.BeyondNoise);
}

/// <summary>
/// Compares two tables of a method. An edit moves line numbers, so lines are matched by their text (the longest
/// common subsequence of the two versions' trimmed lines, so that order is kept and repeated lines such as braces pair
/// up in place); a line whose text is unknown is matched by its number.
/// </summary>
public static class MethodComparer
{
    /// <summary>The comparison of <paramref name="before"/>'s table with <paramref name="after"/>'s.</summary>
    /// <param name="before">The before version's table.</param>
    /// <param name="beforeSide">Where it comes from.</param>
    /// <param name="after">The after version's table.</param>
    /// <param name="afterSide">Where that comes from.</param>
    /// <param name="figure">Which figure to compare.</param>
    public static MethodDiff Compare(MethodReport before, DiffSide beforeSide, MethodReport after, DiffSide afterSide, DiffFigure figure = DiffFigure.Allocated)
    {
        Func<LineReport?, EstimateReport?> of = figure switch
        {
            DiffFigure.PeakLive => line => line?.PeakLive,
            DiffFigure.LiveAtEnd => line => line?.LiveAtEnd,
            _ => line => line?.Allocated,
        };
        EstimateReport? beforeTotal = figure switch { DiffFigure.PeakLive => before.TotalPeakLive, DiffFigure.LiveAtEnd => before.TotalLiveAtEnd, _ => before.TotalAllocated };
        EstimateReport? afterTotal = figure switch { DiffFigure.PeakLive => after.TotalPeakLive, DiffFigure.LiveAtEnd => after.TotalLiveAtEnd, _ => after.TotalAllocated };
        IReadOnlyList<LineReport> b = before.Lines, a = after.Lines;
        string[] beforeKeys = [.. b.Select(Key)];
        string[] afterKeys = [.. a.Select(Key)];

        // common[i, j]: the longest common subsequence of b[i..] and a[j..].
        int[,] common = new int[b.Count + 1, a.Count + 1];
        for (int i = b.Count - 1; i >= 0; i--)
        {
            for (int j = a.Count - 1; j >= 0; j--)
            {
                common[i, j] = beforeKeys[i] == afterKeys[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var lines = new List<LineDiff>(Math.Max(b.Count, a.Count));
        int x = 0, y = 0;
        while (x < b.Count || y < a.Count)
        {
            if (x < b.Count && y < a.Count && beforeKeys[x] == afterKeys[y])
            {
                lines.Add(Row(b[x], a[y], beforeSide, afterSide, LineChangeKind.Kept, of));
                x++;
                y++;
            }
            else if (x < b.Count && (y == a.Count || common[x + 1, y] >= common[x, y + 1]))
            {
                lines.Add(Row(b[x], null, beforeSide, afterSide, LineChangeKind.Removed, of)); // a changed line: the old one first
                x++;
            }
            else
            {
                lines.Add(Row(null, a[y], beforeSide, afterSide, LineChangeKind.Added, of));
                y++;
            }
        }

        return new MethodDiff(beforeSide, afterSide, beforeTotal, afterTotal, Change(beforeTotal, afterTotal, beforeSide, afterSide), lines) { Figure = figure };
    }

    private static string Key(LineReport line) => line.Text?.Trim() ?? $"\u0000{line.Line}";

    private static LineDiff Row(LineReport? before, LineReport? after, DiffSide beforeSide, DiffSide afterSide, LineChangeKind kind, Func<LineReport?, EstimateReport?> of) =>
        new(before?.Line, after?.Line, after?.Text ?? before?.Text, of(before), of(after), Change(of(before), of(after), beforeSide, afterSide), kind);

    private static ChangeEstimate Change(EstimateReport? before, EstimateReport? after, DiffSide beforeSide, DiffSide afterSide) =>
        ChangeEstimator.Between(
            before is null ? null : (before.Bytes, before.LowBytes, before.HighBytes),
            after is null ? null : (after.Bytes, after.LowBytes, after.HighBytes),
            beforeSide.Exact, afterSide.Exact);
}
