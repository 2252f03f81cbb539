using System.CommandLine;

namespace DotnetMemLine.Cli.Commands;

/// <summary><c>dotnet-memline analyze trace.nettrace --method X</c>: the tables from a saved trace.</summary>
internal static class AnalyzeCommand
{
    private static readonly Argument<string> TraceFile = new("trace-file")
    {
        Description = "A .nettrace recorded by dotnet-memline, or by dotnet-trace --providers Microsoft-Windows-DotNETRuntime:0x80000421019:5.",
    };

    public static Command Create()
    {
        var command = new Command("analyze", "Print the per-line tables from a saved .nettrace file.")
        {
            TraceFile,
            CommonOptions.Method,
            CommonOptions.Top,
            CommonOptions.AllCode,
            CommonOptions.Types,
            CommonOptions.Format,
            CommonOptions.ReportOrOutput,
        };
        command.With(CommonOptions.SymbolsAndBudgets);
        command.SetAction((parsed, cancellationToken) =>
            Task.FromResult(Profiling.AnalyzeAndPrint(parsed.GetRequiredValue(TraceFile), CommonOptions.ReportSettingsFrom(parsed), cancellationToken)));
        return command;
    }
}
