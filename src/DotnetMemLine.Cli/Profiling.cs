using System.CommandLine;
using DotnetMemLine.Attribution;
using DotnetMemLine.Collection;
using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Cli;

/// <summary>The steps every command shares: open the output file, record, then analyze and print.</summary>
internal static class Profiling
{
    /// <summary>Creates the trace file before attaching, so an unwritable path fails at once.</summary>
    public static FileStream CreateTraceFile(string? requestedPath, string processName)
    {
        string path = requestedPath ?? $"{processName}_{DateTime.Now:yyyyMMdd_HHmmss}.nettrace";
        path = Path.GetFullPath(path);
        try
        {
            return new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MemLineException(ExitCode.OutputNotWritable, $"cannot write the trace file {path}: {ex.Message}", ex);
        }
    }

    public static void Status(string message) => Console.Error.WriteLine(message);

    public static void ReportRecording(RecordingResult result)
    {
        string why = result.EndedBy switch
        {
            RecordingEnd.DurationElapsed => "the duration elapsed",
            RecordingEnd.StoppedByUser => "stopped by the user",
            _ => "the target exited",
        };
        Status($"Trace saved: {result.TracePath} ({ByteFormat.Format(result.TraceBytes)}, {result.Elapsed.TotalSeconds:F1} s; {why})");
    }

    /// <summary>Analyzes a trace file and prints the tables in the requested format.</summary>
    public static int AnalyzeAndPrint(string tracePath, ParseResult parsed, CancellationToken cancellationToken)
    {
        var options = new AnalysisOptions(
            parsed.GetValue(CommonOptions.Method) ?? [],
            parsed.GetValue(CommonOptions.Symbols) ?? []);
        bool json = parsed.GetValue(CommonOptions.Format) == OutputFormat.Json;
        ProgressReporter? progress = ShowsProgress(json) ? new ProgressReporter(Console.Error, StartClock()) : null;
        ProfileReport report;
        try
        {
            using IAllocationTrace trace = AllocationTraceReader.Open(tracePath, cancellationToken, progress);
            report = ProfileAnalyzer.Analyze(trace, options, cancellationToken);
        }
        finally
        {
            progress?.Clear();
        }

        string rendered = json
            ? JsonReportWriter.Write(report)
            : TextTableRenderer.Render(report);
        Console.Out.Write(rendered);
        Console.Out.Flush();
        return (int)ExitCode.Success;
    }

    /// <summary>
    /// A progress line only for a person watching a terminal: not when stderr is redirected (a log
    /// file would fill with carriage returns), nor when JSON goes to a pipe (a script is reading).
    /// </summary>
    private static bool ShowsProgress(bool json) => !Console.IsErrorRedirected && !(json && Console.IsOutputRedirected);

    private static Func<TimeSpan> StartClock()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return () => clock.Elapsed;
    }
}
