using DotnetMemLine.Attribution;
using DotnetMemLine.Collection;
using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;
using DotnetMemLine.Retention;

namespace DotnetMemLine.Cli;

/// <summary>The steps every command shares: open the output file, record, then analyze and print.</summary>
internal static class Profiling
{
    /// <summary>Creates the trace file before attaching, so an unwritable path fails at once.</summary>
    public static FileStream CreateTraceFile(string? requestedPath, string processName)
    {
        string path = requestedPath ?? Path.Combine(DefaultTraceFolder(), $"{processName}_{DateTime.Now:yyyyMMdd_HHmmss}.nettrace");
        path = Path.GetFullPath(path);
        try
        {
            string? folder = Path.GetDirectoryName(path);
            if (folder is not null && !Directory.Exists(folder))
            {
                throw new MemLineException(FailureKind.OutputNotWritable, $"cannot write the trace file {path}: the folder {folder} does not exist");
            }

            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MemLineException(FailureKind.OutputNotWritable, $"cannot write the trace file {path}: {WithoutPath(ex.Message, path)}", ex);
        }
    }

    /// <summary>
    /// Where traces go without <c>-o</c>: a folder of the user's (on Linux ~/.local/share/dotnet-memline/traces, or under
    /// $XDG_DATA_HOME), not the working directory, which every run would otherwise litter; created when missing.
    /// </summary>
    private static string DefaultTraceFolder()
    {
        string data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        string folder = Path.Combine(string.IsNullOrEmpty(data) ? Path.GetTempPath() : data, "dotnet-memline", "traces");
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // CreateTraceFile says the folder cannot be written, with its path.
        }

        return folder;
    }

    public static void Status(string message) => Console.Error.WriteLine(TerminalText.Clean(message));

    /// <summary>Says at the session's start that <c>--buffering-mode Block</c> could not be had, and what was recorded instead.</summary>
    public static void SayIfLosslessFellBack(SessionStart start)
    {
        if (start.Buffering == SessionBuffering.LosslessUnsupported)
        {
            Status("Note: --buffering-mode Block (lossless) needs .NET 11, and the target's runtime does not offer it: recording with the lossy buffer (Drop), dropped events counted");
        }
        else if (start.Buffering == SessionBuffering.LosslessRefused)
        {
            Status($"Note: the target's runtime refused --buffering-mode Block (lossless): {start.Refusal}; recording with the lossy buffer (Drop), dropped events counted");
        }
    }

    /// <summary>An I/O error's message without the " : 'path'" .NET appends on Unix: the error line names the file already.</summary>
    private static string WithoutPath(string message, string path) => message.Replace($" : '{path}'", "", StringComparison.Ordinal);

    private static void ReportRecording(RecordingResult result, string? howTheTargetEnded = null, string stopReason = "stopped by the user")
    {
        string why = result.EndedBy switch
        {
            RecordingEnd.DurationElapsed => "the duration elapsed",
            RecordingEnd.StoppedByUser => stopReason,
            RecordingEnd.Aborted => "aborted",
            RecordingEnd.OutputFailed => "writing it failed",
            _ => howTheTargetEnded ?? "the target exited",
        };
        Status($"Trace saved: {result.TracePath} ({ByteFormat.Format(result.TraceBytes)}, {result.Elapsed.TotalSeconds:F1} s; {why})");
    }

    /// <summary>
    /// After a recording: closes a cut-off trace (<see cref="NettraceRepair"/>), says how the
    /// recording ended, then analyzes and prints the tables. A second Ctrl+C (or SIGTERM) during the
    /// recording's stop, or any during the analysis, ends the command at once with
    /// <see cref="ExitCode.Aborted"/>, leaving the trace readable.
    /// </summary>
    /// <param name="result">How the recording ended and where its trace is.</param>
    /// <param name="settings">The methods, symbol folders and format to report with.</param>
    /// <param name="signals">Ctrl+C and SIGTERM: a second one during the stop, or one during the analysis, aborts.</param>
    /// <param name="howTheTargetEnded">How the target ended, for the status line; null when it did not (or is not known).</param>
    /// <param name="rundownSnapshot">collect's description of the code compiled before it attached (<see cref="RundownSnapshot"/>); kept only if the trace was cut off.</param>
    public static async Task<int> FinishRecordingAsync(RecordingResult result, ReportSettings settings, StopSignal signals, string? howTheTargetEnded = null, string? rundownSnapshot = null)
    {
        signals.RecordingEnded();
        settings = settings with { Buffering = result.Buffering };
        NettraceRepairResult? repair = TryRepair(result.TracePath);
        if (rundownSnapshot is not null && repair is null && result.EndedBy is not (RecordingEnd.Aborted or RecordingEnd.OutputFailed))
        {
            RundownSnapshot.TryDelete(rundownSnapshot); // the trace ends with its own rundown
        }
        else if (rundownSnapshot is not null && File.Exists(rundownSnapshot))
        {
            Status($"Note: the code compiled before the recording began is described in {rundownSnapshot} (taken at attach); keep it with the trace");
        }

        if (repair is not null)
        {
            result = result with { TraceBytes = new FileInfo(result.TracePath).Length };
            if (result.EndedBy == RecordingEnd.TargetExited)
            {
                howTheTargetEnded ??= "the target ended abruptly (killed or crashed): its runtime did not close the trace";
            }
        }

        ReportRecording(result, howTheTargetEnded, signals.StopReason);
        if (repair is not null)
        {
            string dropped = repair.BytesDropped > 0 ? $", the {ByteFormat.Format(repair.BytesDropped)} of an incomplete one dropped" : "";
            Status($"Note: the trace was cut off; it was closed after its last complete block ({repair.BlocksKept:N0} blocks kept{dropped})");
        }

        if (result.EndedBy == RecordingEnd.Aborted || signals.AbortToken.IsCancellationRequested)
        {
            return Aborted(result.TracePath, settings);
        }

        if (result.EndedBy != RecordingEnd.OutputFailed)
        {
            return await AnalyzeUnlessAbortedAsync(result.TracePath, settings, signals).ConfigureAwait(false);
        }

        // Disk full: the table of what reached the file, then the error.
        if (result.TraceBytes > 0)
        {
            Status($"Note: the trace is incomplete ({ByteFormat.Format(result.TraceBytes)} reached the file); analyzing what was written");
            try
            {
                await AnalyzeUnlessAbortedAsync(result.TracePath, settings, signals).ConfigureAwait(false);
            }
            catch (MemLineException ex)
            {
                Status($"Note: the incomplete trace could not be analyzed: {Failures.Describe(ex)}");
            }
        }

        if (signals.AbortToken.IsCancellationRequested)
        {
            return (int)ExitCode.Aborted;
        }

        throw new MemLineException(FailureKind.OutputNotWritable,
            $"cannot write the trace file {result.TracePath}: {(result.OutputError is null ? "write failed" : WithoutPath(result.OutputError, result.TracePath))}; the recording was stopped");
    }

    /// <summary>
    /// The analysis runs on a worker thread (converting a long trace cannot be interrupted), so that
    /// Ctrl+C does not wait for it: the command then returns at once and the worker, a
    /// background thread, ends with the process.
    /// </summary>
    private static async Task<int> AnalyzeUnlessAbortedAsync(string tracePath, ReportSettings settings, StopSignal signals)
    {
        Task<int> analysis = Task.Run(() => AnalyzeAndPrint(tracePath, settings, signals.AbortToken), CancellationToken.None);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration onAbort = signals.AbortToken.Register(() => aborted.TrySetResult());
        Task first = await Task.WhenAny(analysis, aborted.Task).ConfigureAwait(false);
        if (first == analysis && (analysis.IsCompletedSuccessfully || !signals.AbortToken.IsCancellationRequested))
        {
            return await analysis.ConfigureAwait(false);
        }

        return Aborted(tracePath, settings);
    }

    /// <summary>Closes a cut-off trace after its last complete block, so that it can be read (see <see cref="NettraceRepair"/>).</summary>
    private static NettraceRepairResult? TryRepair(string tracePath)
    {
        try
        {
            FileInfo file = new(tracePath);
            return file.Exists && file.Length > 0 && !TraceFiles.IsDevice(tracePath) ? NettraceRepair.Repair(tracePath) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int Aborted(string tracePath, ReportSettings settings)
    {
        string methods = string.Concat(settings.Analysis.MethodPatterns.Select(m => $" --method {m}"));
        Console.Error.WriteLine($"dotnet-memline: error: aborted by Ctrl+C or SIGTERM; the trace recorded so far is {tracePath} ('dotnet-memline analyze {tracePath}{methods}' reads it)");
        Console.Error.Flush();
        return (int)ExitCode.Aborted;
    }

    /// <summary>Analyzes a trace file and prints the report in the requested format.</summary>
    public static int AnalyzeAndPrint(string tracePath, ReportSettings settings, CancellationToken cancellationToken)
    {
        return Print(Analyze(tracePath, settings, cancellationToken), settings);
    }

    /// <summary>Analyzes several traces as one (the instances of a service) and prints the report in the requested format.</summary>
    public static int AnalyzeAndPrint(IReadOnlyList<string> tracePaths, ReportSettings settings, CancellationToken cancellationToken)
    {
        Status($"Analyzing {tracePaths.Count} traces as one, {Math.Min(tracePaths.Count, Environment.ProcessorCount)} at a time");
        ProgressReporter? progress = ShowsProgress(settings.Renderer) ? new ProgressReporter(Console.Error, StartClock()) : null;
        int done = 0;
        ProfileReport report;
        try
        {
            report = ProfileAnalyzer.Analyze(tracePaths, settings.Analysis,
                traceRead: _ => progress?.Report(new AnalysisProgress(AnalysisStep.ReadingTraces, Interlocked.Increment(ref done), tracePaths.Count)),
                cancellationToken: cancellationToken);
        }
        finally
        {
            progress?.Clear();
        }

        return Print(report, settings);
    }

    private static int Print(ProfileReport report, ReportSettings settings)
    {
        if (settings.Renderer is IBinaryReportRenderer binary)
        {
            WriteBinaryReport(settings.ReportPath, output => binary.Render(report, output));
        }
        else
        {
            WriteReport(settings.ReportPath, output => settings.Renderer.Render(report, output));
        }

        return BudgetReport.Print([.. settings.Budgets.Select(b => Budgets.BudgetJudge.Judge(b, report))], settings.Renderer.IsForPrograms);
    }

    /// <summary>Writes a rendered report to <paramref name="path"/> (--report), or to stdout when null.</summary>
    public static void WriteReport(string? path, Action<TextWriter> render)
    {
        if (path is null)
        {
            render(Console.Out);
            Console.Out.Flush();
            return;
        }

        using var text = new StringWriter();
        render(text);
        WriteReportFile(path, file =>
        {
            using var writer = new StreamWriter(file, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            writer.Write(text.ToString());
        });
    }

    /// <summary>Writes a binary report (pprof) to <paramref name="path"/>, or to stdout (a pipe or a file) when null.</summary>
    public static void WriteBinaryReport(string? path, Action<Stream> render)
    {
        if (path is null)
        {
            using Stream stdout = Console.OpenStandardOutput();
            render(stdout);
            return;
        }

        WriteReportFile(path, render);
    }

    /// <summary>Writes the report file (--report, or -o for analyze and diff) and says so; a file that cannot be written is one error line.</summary>
    private static void WriteReportFile(string path, Action<Stream> write)
    {
        try
        {
            using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
            {
                write(file);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MemLineException(FailureKind.OutputNotWritable, $"cannot write the report {path}: {WithoutPath(ex.Message, path)}", ex);
        }

        Status($"Report written: {path}");
    }

    /// <summary>Reads the trace and builds the report, with a progress line while it reads (see <see cref="ShowsProgress"/>).</summary>
    public static ProfileReport Analyze(string tracePath, ReportSettings settings, CancellationToken cancellationToken) =>
        AnalyzeTrace(tracePath, settings, cancellationToken) with { Buffering = settings.Buffering };

    private static ProfileReport AnalyzeTrace(string tracePath, ReportSettings settings, CancellationToken cancellationToken)
    {
        ProgressReporter? progress = ShowsProgress(settings.Renderer) ? new ProgressReporter(Console.Error, StartClock()) : null;
        try
        {
            using IAllocationTrace trace = AllocationTraceReader.Open(tracePath, progress, cancellationToken);
            if (settings.RetentionProcessId <= 0)
            {
                ProfileReport plain = ProfileAnalyzer.Analyze(trace, settings.Analysis, cancellationToken);
                return settings.RetentionProblem is { } problem ? plain with { Retention = new RetentionSummary(0, 0, 0, problem) } : plain;
            }

            ProfileReport report = ProfileAnalyzer.Analyze(trace, settings.Analysis with { KeepLiveObjects = true }, cancellationToken);
            if (!report.FollowsLifetimes)
            {
                return report with { Retention = new RetentionSummary(0, 0, 0, "the trace does not follow objects through the GCs (--no-lifetimes)") };
            }

            // After collect's final full GC, the objects it saw alive; at run's exit, where no full GC could end the recording,
            // every object still followed, the walk telling which are alive.
            IReadOnlyList<LiveObject> sought = settings.RetentionAfterExit ? report.LiveObjects : [.. report.LiveObjects.Where(o => o.SurvivedAGC)];
            progress?.Clear();
            Status($"Walking the heap of process {settings.RetentionProcessId} (suspended meanwhile) for the roots that hold {sought.Select(o => o.Address).Distinct().Count():N0} sampled objects");
            HeapRetention.Findings findings = HeapRetention.Find(settings.RetentionProcessId, sought, settings.RetentionAfterExit, cancellationToken);
            return RetentionReport.With(report with { LiveObjects = sought }, findings, liveAtEndFromWalk: settings.RetentionAfterExit);
        }
        finally
        {
            progress?.Clear();
        }
    }

    /// <summary>
    /// A progress line only for a person watching a terminal: not when stderr is redirected (a log
    /// file would fill with carriage returns), nor when JSON goes to a pipe (a script is reading).
    /// </summary>
    private static bool ShowsProgress(IReportRenderer renderer) => !Console.IsErrorRedirected && !(renderer.IsForPrograms && Console.IsOutputRedirected);

    private static Func<TimeSpan> StartClock()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return () => clock.Elapsed;
    }
}
