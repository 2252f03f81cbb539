using System.CommandLine;

namespace DotnetMemLine.Cli.Commands;

/// <summary>
/// <c>dotnet-memline analyze trace.nettrace --method X</c>: the tables from a saved trace; or from several (files, a folder,
/// a glob), added up as one: the instances of a service.
/// </summary>
internal static class AnalyzeCommand
{
    private static readonly Argument<string[]> TraceFiles = new("trace-files")
    {
        Description = "One or more .nettrace files recorded by dotnet-memline, dotnet-trace (--providers Microsoft-Windows-DotNETRuntime:0x80000421019:5) "
            + "or dotnet-monitor; a folder (every .nettrace in it and below) or a glob (traces/*.nettrace). Several are added up as one.",
        Arity = ArgumentArity.OneOrMore,
        HelpName = "trace-file|folder|glob",
    };

    public static Command Create()
    {
        var command = new Command("analyze", "Print the per-line tables from saved .nettrace files: one, or the traces of several instances as one.")
        {
            TraceFiles,
            CommonOptions.Method,
            CommonOptions.Top,
            CommonOptions.AllCode,
            CommonOptions.Types,
            CommonOptions.Format,
            CommonOptions.ReportOrOutput,
        };
        command.With(CommonOptions.SymbolsAndBudgets);
        command.SetAction((parsed, cancellationToken) =>
        {
            ReportSettings settings = CommonOptions.ReportSettingsFrom(parsed);
            IReadOnlyList<string> traces = TracePaths.Expand(parsed.GetRequiredValue(TraceFiles));
            return Task.FromResult(traces.Count == 1
                ? Profiling.AnalyzeAndPrint(traces[0], settings, cancellationToken)
                : Profiling.AnalyzeAndPrint(traces, settings, cancellationToken));
        });
        return command;
    }
}
