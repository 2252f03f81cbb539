using System.CommandLine;
using DotnetMemLine.Attribution;
using DotnetMemLine.Comparison;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Cli.Commands;

/// <summary>
/// <c>dotnet-memline diff before after --method X</c>: a method's table in two recordings (traces or saved JSON reports),
/// line by line, with a mark only on the changes beyond sampling noise; <c>--vs Y</c> compares two methods instead
/// (of one trace: the seed's ClassifyMessages against ClassifyMessagesChunked).
/// </summary>
internal static class DiffCommand
{
    private static readonly Argument<string> Before = new("before")
    {
        Description = "The before recording: a .nettrace, or a report saved with --format json.",
    };

    private static readonly Argument<string?> After = new("after")
    {
        Description = "The after recording, likewise; leave it out with --vs to compare two methods of the before one.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string> Method = new("--method", "-m")
    {
        HelpName = "name",
        Description = "The method to compare, named as --method of analyze (in a saved report, a method it has a table of).",
        Required = true,
    };

    private static readonly Option<string?> Versus = new("--vs")
    {
        HelpName = "name",
        Description = "Compare --method (before) with this method (after, or of the same recording when no after is given).",
    };

    private static readonly Option<string> Format = new("--format")
    {
        HelpName = string.Join('|', DiffRenderers.All.Select(r => r.FormatName)),
        Description = "Output format: text (the table of changes), json, or html (one self-contained page).",
        DefaultValueFactory = _ => "text",
        Validators =
        {
            result =>
            {
                string value = result.GetValueOrDefault<string>() ?? "";
                if (DiffRenderers.Find(value) is null)
                {
                    result.AddError($"--format must be one of {string.Join(", ", DiffRenderers.All.Select(r => r.FormatName))}, not '{value}'");
                }
            },
        },
    };

    private static readonly Option<string> Figure = new("--figure")
    {
        HelpName = "allocated|peak-live|live-at-end",
        Description = "The figure to compare: allocated (the default), peak-live (what each line held at once) or live-at-end.",
        DefaultValueFactory = _ => "allocated",
        Validators =
        {
            result =>
            {
                string value = result.GetValueOrDefault<string>() ?? "";
                if (FigureNamed(value) is null)
                {
                    result.AddError($"--figure must be one of allocated, peak-live, live-at-end, not '{value}'");
                }
            },
        },
    };

    private static DiffFigure? FigureNamed(string name) => name switch
    {
        "allocated" => DiffFigure.Allocated,
        "peak-live" => DiffFigure.PeakLive,
        "live-at-end" => DiffFigure.LiveAtEnd,
        _ => null,
    };

    public static Command Create()
    {
        var command = new Command("diff", "Compare a method's per-line table between two recordings (or two methods), marking only the changes beyond sampling noise.")
        {
            Before,
            After,
            Method,
            Versus,
            Figure,
            Format,
            CommonOptions.ReportOrOutput,
        };
        command.With(CommonOptions.SymbolsAndBudgets);
        command.SetAction((parsed, cancellationToken) => Task.FromResult(Execute(parsed, cancellationToken)));
        return command;
    }

    private static int Execute(ParseResult parsed, CancellationToken cancellationToken)
    {
        string before = parsed.GetRequiredValue(Before);
        string? after = parsed.GetValue(After);
        string method = parsed.GetRequiredValue(Method);
        string? versus = parsed.GetValue(Versus);
        if (after is null && versus is null)
        {
            throw new UsageException("diff needs an after recording, or --vs <method> to compare two methods of one recording");
        }

        string afterMethod = versus ?? method;
        ReportSettings settings = CommonOptions.ReportSettingsFrom(parsed);
        AnalysisOptions analysis = settings.Analysis;
        (MethodReport beforeTable, DiffSide beforeSide) = Table(before, method, after is null ? [method, afterMethod] : [method], analysis, cancellationToken);
        (MethodReport afterTable, DiffSide afterSide) = Table(after ?? before, afterMethod, after is null ? [method, afterMethod] : [afterMethod], analysis, cancellationToken);
        MethodDiff diff = MethodComparer.Compare(beforeTable, beforeSide, afterTable, afterSide, FigureNamed(parsed.GetValue(Figure) ?? "allocated") ?? DiffFigure.Allocated);
        IDiffRenderer renderer = DiffRenderers.Find(parsed.GetValue(Format) ?? "text")!;
        Profiling.WriteReport(settings.ReportPath, output => renderer.Render(diff, output));
        return BudgetReport.Print([.. settings.Budgets.Select(b => Budgets.BudgetJudge.Judge(b, diff))], stdoutIsForPrograms: renderer is not DiffTextRenderer);
    }

    /// <summary>The table of <paramref name="method"/> in a trace (analyzed with <paramref name="analyzed"/>) or a saved report.</summary>
    private static (MethodReport Table, DiffSide Side) Table(string path, string method, string[] analyzed, AnalysisOptions analysis, CancellationToken cancellationToken)
    {
        ProfileReport report = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? JsonReportReader.Read(path)
            : Profiling.Analyze(path, new ReportSettings(analysis with { MethodPatterns = analyzed.Distinct().ToArray() }, ReportRenderers.Default), cancellationToken);
        MethodReport table = TableLookup.Find(report, method, path);
        return (table, new DiffSide(path, table.Name, report.Exact));
    }
}
