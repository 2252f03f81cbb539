using DotnetMemLine.Attribution;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Cli;

/// <summary>The options that decide the report, bound once from the command line by the command.</summary>
/// <param name="Analysis">The <c>--method</c> patterns and the <c>--symbols</c> folders.</param>
/// <param name="Renderer">The <c>--format</c>.</param>
internal sealed record ReportSettings(AnalysisOptions Analysis, IReportRenderer Renderer)
{
    /// <summary><c>--retention</c>: the live target whose heap is walked after the analysis to tell who holds each line's objects; 0 for none.</summary>
    public int RetentionProcessId { get; init; }

    /// <summary>The walk is made with the program held at its exit (<c>run</c>): no full GC ended the recording, so the walk tells what is alive.</summary>
    public bool RetentionAfterExit { get; init; }

    /// <summary><c>--retention</c> was asked for but no walk could be made: why, for the report.</summary>
    public string? RetentionProblem { get; init; }

    /// <summary>How the recording's session buffered its events (collect, run); null for a saved trace, which does not say.</summary>
    public SessionBuffering? Buffering { get; init; }

    /// <summary><c>--report</c>: the file the report is written to instead of stdout; null for stdout.</summary>
    public string? ReportPath { get; init; }

    /// <summary><c>--fail-if</c> and <c>--budgets</c>: judged once the report is printed.</summary>
    public IReadOnlyList<Budgets.MemoryBudget> Budgets { get; init; } = [];
}
