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
            string? folder = Path.GetDirectoryName(path);
            if (folder is not null && !Directory.Exists(folder))
            {
                throw new MemLineException(ExitCode.OutputNotWritable, $"cannot write the trace file {path}: the folder {folder} does not exist");
            }

            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MemLineException(ExitCode.OutputNotWritable, $"cannot write the trace file {path}: {ex.Message}", ex);
        }
    }

    public static void Status(string message) => Console.Error.WriteLine(message);

    public static void ReportRecording(RecordingResult result, string? howTheTargetEnded = null)
    {
        string why = result.EndedBy switch
        {
            RecordingEnd.DurationElapsed => "the duration elapsed",
            RecordingEnd.StoppedByUser => "stopped by the user",
            RecordingEnd.Aborted => "aborted",
            RecordingEnd.OutputFailed => "writing it failed",
            _ => howTheTargetEnded ?? "the target exited",
        };
        Status($"Trace saved: {result.TracePath} ({ByteFormat.Format(result.TraceBytes)}, {result.Elapsed.TotalSeconds:F1} s; {why})");
    }

    /// <summary>
    /// After a recording: says how it ended, then analyzes and prints the tables. An aborted
    /// recording (second Ctrl+C) is not analyzed; a second Ctrl+C during the analysis exits at once.
    /// Both leave the trace and exit with <see cref="ExitCode.Aborted"/>.
    /// </summary>
    public static int FinishRecording(RecordingResult result, ParseResult parsed, StopSignal signals, string? howTheTargetEnded = null)
    {
        NettraceRepairResult? repair = TryRepair(result.TracePath);
        if (repair is { Repaired: true })
        {
            result = result with { TraceBytes = new FileInfo(result.TracePath).Length };
            if (result.EndedBy == RecordingEnd.TargetExited)
            {
                howTheTargetEnded ??= "the target ended abruptly (killed or crashed): its runtime did not close the trace";
            }
        }

        ReportRecording(result, howTheTargetEnded);
        if (repair is { Repaired: true })
        {
            Status($"Note: the trace was cut off; it was closed after its last complete block ({repair.Blocks:N0} blocks kept, {ByteFormat.Format(repair.BytesDropped)} of an incomplete one dropped)");
        }

        if (result.EndedBy == RecordingEnd.Aborted || signals.AbortToken.IsCancellationRequested)
        {
            return Aborted(result.TracePath, parsed);
        }

        if (result.EndedBy == RecordingEnd.OutputFailed)
        {
            string failure = $"cannot write the trace file {result.TracePath}: {result.OutputError ?? "write failed"}; recording stopped, the target was left running";
            if (result.TraceBytes > 0)
            {
                Status($"Note: the trace is incomplete ({ByteFormat.Format(result.TraceBytes)} reached the file); analyzing what was written");
                try
                {
                    AnalyzeAndPrint(result.TracePath, parsed, CancellationToken.None);
                }
                catch (MemLineException ex)
                {
                    Status($"Note: the incomplete trace could not be analyzed: {ex.Message}");
                }
            }

            throw new MemLineException(ExitCode.OutputNotWritable, failure);
        }

        // The analysis of a long trace takes a while; a second Ctrl+C must not wait for it.
        using CancellationTokenRegistration abortAnalysis = signals.AbortToken.Register(() => Environment.Exit(Aborted(result.TracePath, parsed)));
        return AnalyzeAndPrint(result.TracePath, parsed, signals.AbortToken);
    }

    /// <summary>Closes a cut-off trace after its last complete block, so that it can be read (see <see cref="NettraceRepair"/>).</summary>
    private static NettraceRepairResult? TryRepair(string tracePath)
    {
        try
        {
            FileInfo file = new(tracePath);
            return file.Exists && file.Length > 0 && !file.Attributes.HasFlag(FileAttributes.Device) ? NettraceRepair.Repair(tracePath) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int Aborted(string tracePath, ParseResult parsed)
    {
        string methods = string.Join(' ', (parsed.GetValue(CommonOptions.Method) ?? []).Select(m => $"--method {m}"));
        Console.Error.WriteLine($"dotnet-memline: aborted by a second Ctrl+C; the trace recorded so far is {tracePath} (it may be cut short; 'dotnet-memline analyze {tracePath} {methods}' reads what it holds)");
        Console.Error.Flush();
        return (int)ExitCode.Aborted;
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
            using TraceLogAllocationTrace trace = TraceLogAllocationTrace.Open(tracePath, progress);
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
