using System.Globalization;
using System.Text.RegularExpressions;

namespace DotnetMemLine.Budgets;

/// <summary>Which figure a budget limits.</summary>
public enum BudgetFigure
{
    /// <summary>What was allocated.</summary>
    Allocated,

    /// <summary>The most seen alive at one GC.</summary>
    PeakLive,

    /// <summary>What was still alive when the recording ended.</summary>
    LiveAtEnd,

    /// <summary>In a diff: after minus before.</summary>
    Change,
}

/// <summary>
/// A memory budget for CI: <c>"&lt;method&gt;[:line N|:total] &lt;figure&gt; &gt; &lt;size&gt;"</c>, the figure of a method's total
/// or of one of its lines, over which the build fails: <c>"ClassifyMessages:total peak-live &gt; 200 MiB"</c>.
/// </summary>
/// <param name="Method">The method, named as <c>--method</c> names it.</param>
/// <param name="Line">The line; null for the method's total.</param>
/// <param name="Figure">The figure limited.</param>
/// <param name="LimitBytes">The most it may be.</param>
/// <param name="Text">The budget as it was written, for messages.</param>
public sealed partial record MemoryBudget(string Method, int? Line, BudgetFigure Figure, double LimitBytes, string Text)
{
    /// <summary>Reads one budget; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static MemoryBudget Parse(string text)
    {
        Match match = Syntax().Match(text);
        if (!match.Success)
        {
            throw new FormatException($"'{text}' is not a budget: write \"<method>[:line N|:total] <allocated|peak-live|live-at-end|change> > <size>\", e.g. \"ClassifyMessages:total peak-live > 200 MiB\"");
        }

        BudgetFigure figure = match.Groups["figure"].Value switch
        {
            "allocated" => BudgetFigure.Allocated,
            "peak-live" => BudgetFigure.PeakLive,
            "live-at-end" => BudgetFigure.LiveAtEnd,
            _ => BudgetFigure.Change,
        };
        int? line = match.Groups["line"].Success ? int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture) : null;
        return new MemoryBudget(match.Groups["method"].Value, line, figure, ParseSize(match.Groups["size"].Value, text), text.Trim());
    }

    /// <summary>Reads a budget file: one budget a line; blank lines and lines starting with # are skipped.</summary>
    public static IReadOnlyList<MemoryBudget> ParseFile(IEnumerable<string> lines) =>
        [.. lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(Parse)];

    /// <summary>"the total" or "line 14" of the method.</summary>
    public string Where => Line is int line ? $"line {line.ToString(CultureInfo.InvariantCulture)}" : "the total";

    // 200MB, 200 MiB, 1.5 GiB, 4096 (bytes). KB, MB, GB are powers of 1000, KiB, MiB, GiB of 1024.
    private static double ParseSize(string size, string text)
    {
        Match match = Size().Match(size);
        double value = double.Parse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        double unit = match.Groups["unit"].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "KIB" => 1024,
            "MIB" => 1024 * 1024,
            "GIB" => 1024 * 1024 * 1024,
            _ => throw new FormatException($"'{text}': the size's unit must be B, KB, MB, GB, KiB, MiB or GiB"),
        };
        return value * unit;
    }

    [GeneratedRegex(@"^\s*(?<method>[^\s:]+)(?::(?:line\s+(?<line>\d+)|total))?\s+(?<figure>allocated|peak-live|live-at-end|change)\s*>\s*(?<size>[+]?\d+(?:\.\d+)?\s*[A-Za-z]*)\s*$")]
    private static partial Regex Syntax();

    [GeneratedRegex(@"^[+]?(?<value>\d+(?:\.\d+)?)\s*(?<unit>[A-Za-z]*)$")]
    private static partial Regex Size();
}
