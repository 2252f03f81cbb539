using System.CommandLine;
using DotnetMemLine.Attribution;
using DotnetMemLine.Collection;
using DotnetMemLine.Reporting;
using Microsoft.Diagnostics.NETCore.Client;

namespace DotnetMemLine.Cli.Commands;

/// <summary>
/// <c>dotnet-memline collect -p PID --method X</c>: attach to a running process, record until the
/// duration elapses, Ctrl+C or the target exits, then print the tables.
/// </summary>
internal static class CollectCommand
{
    private static readonly Option<int?> ProcessId = new("--process-id", "-p")
    {
        Description = "Id of the process to profile (see dotnet-memline ps).",
        CustomParser = result =>
        {
            string text = result.Tokens.Single().Value;
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid) && pid > 0)
            {
                return pid;
            }

            result.AddError($"--process-id must be a process id (a positive integer), not '{text}'");
            return null;
        },
    };
    private static readonly Option<string?> ProcessName = new("--name", "-n") { Description = "Name of the process to profile." };

    private static readonly Option<string?> DiagnosticPort = new("--diagnostic-port", "--dport") // dotnet-trace's alias
    {
        Description = "Attach through this diagnostics socket (the target's dotnet-diagnostic-<pid>-<key>-socket) instead of finding the process: "
            + "for a target with another TMPDIR or in a container.",
    };

    // Accepted only to refuse it with the reason: the runtime reads the exact-mode keywords at
    // startup, so a session attached later would record no allocation at all. Hidden from help.
    private static readonly Option<bool> Exact = new("--exact") { Hidden = true };

    private static readonly Option<bool> Live = new("--live")
    {
        Description = "While recording, redraw the table (or the top lines) in place every --refresh-interval seconds, as dotnet-counters monitor does; "
            + "Ctrl+C stops and prints the final table.",
    };

    private static readonly Option<TimeSpan?> RefreshInterval = new("--refresh-interval")
    {
        HelpName = "seconds",
        Description = "With --live: seconds between redraws (2).",
        CustomParser = CommonOptions.SecondsAtLeast(TimeSpan.FromSeconds(0.5), "--refresh-interval must be seconds, at least 0.5"),
    };

    public static Command Create()
    {
        var command = new Command("collect", "Attach to a running .NET process, record its allocations, and print the per-line tables.")
        {
            ProcessId,
            ProcessName,
            DiagnosticPort,
            CommonOptions.Method,
            CommonOptions.Top,
            CommonOptions.AllCode,
            CommonOptions.Types,
            CommonOptions.Duration,
            CommonOptions.Output,
            CommonOptions.Format,
            CommonOptions.Report,
            CommonOptions.BufferSize,
            CommonOptions.BufferingMode,
            CommonOptions.Async,
            CommonOptions.NoLifetimes,
            CommonOptions.GCEvery,
            CommonOptions.Retention,
            Live,
            RefreshInterval,
            Exact,
        };
        command.Validators.Add(result =>
        {
            // Presence only: reading values here would throw on a malformed one, which the parser reports anyway.
            int given = (result.GetResult(ProcessId) is null ? 0 : 1) + (result.GetResult(ProcessName) is null ? 0 : 1) + (result.GetResult(DiagnosticPort) is null ? 0 : 1);
            if (given != 1)
            {
                result.AddError("give exactly one of --process-id/-p, --name/-n or --diagnostic-port");
            }
        });
        command.With(CommonOptions.SymbolsAndBudgets);
        command.SetAction(ExecuteAsync);
        return command;
    }

    private static async Task<int> ExecuteAsync(ParseResult parsed, CancellationToken cancellationToken)
    {
        if (parsed.GetValue(Exact))
        {
            // One line that says what to do instead, without the usage hint a parse error gets.
            throw new UsageException("--exact works only with 'run': the runtime records every allocation only if asked at its startup, not once it is running; use 'dotnet-memline run --exact --method <name> -- <command>'");
        }

        ReportSettings settings = CommonOptions.ReportSettingsFrom(parsed);
        settings = settings with { Analysis = settings.Analysis with { RecordedWithAllocationEvents = true } };
        if (parsed.GetValue(CommonOptions.Retention) && settings.Analysis.MethodPatterns.Count == 0)
        {
            throw new UsageException("--retention needs --method: it tells who holds what a method's lines allocated");
        }

        bool live = parsed.GetValue(Live);
        if (live && settings.Renderer is not TextTableRenderer)
        {
            throw new UsageException("--live draws the text table: leave out --format json (the JSON report is printed when the recording ends)");
        }

        string? port = parsed.GetValue(DiagnosticPort);
        (DiagnosticsClient client, int pid, string name) = Attach(parsed, port);
        CheckMethodsAgainstTheProcess(pid, settings);

        if (parsed.GetValue(CommonOptions.Retention))
        {
            settings = settings with { RetentionProcessId = pid > 0 ? pid : throw new UsageException("--retention needs the process id: use -p or -n rather than --diagnostic-port") };
        }

        using FileStream output = Profiling.CreateTraceFile(parsed.GetValue(CommonOptions.Output), name);
        using var signals = new StopSignal();
        TimeSpan? duration = parsed.GetValue(CommonOptions.Duration);
        string target = pid > 0 ? $"process {pid} ({name})" : $"the process on {port}";
        string? snapshot = null;
        using var liveStop = CancellationTokenSource.CreateLinkedTokenSource(signals.Token, signals.AbortToken);
        Task liveView = Task.CompletedTask;
        if (live && Console.IsOutputRedirected)
        {
            Profiling.Status("Note: --live draws on a terminal, and the output is redirected: the table is printed when the recording ends");
        }
        else if (live)
        {
            liveView = LiveView.RunAsync(output.Name, TerminalText.Clean(target), settings, parsed.GetValue(RefreshInterval) ?? TimeSpan.FromSeconds(2), liveStop.Token);
        }

        using var sampling = new CancellationTokenSource();
        Task residentMemory = ResidentMemorySampler.RunAsync(pid, output.Name, sampling.Token);
        RecordingResult result = await TargetProcess.MapAttachFailures(pid, () => TraceRecorder.RecordAsync(
            client,
            output,
            output.Name,
            AllocationProviders.SessionConfiguration(parsed.GetValue(CommonOptions.BufferSize), causality: parsed.GetValue(CommonOptions.Async), lifetimes: !parsed.GetValue(CommonOptions.NoLifetimes),
                lossless: parsed.GetValue(CommonOptions.BufferingMode) == EventPipeBufferingMode.Block),
            duration,
            start =>
            {
                Profiling.SayIfLosslessFellBack(start);
                // Taken once the session runs (code compiled in between is in one or the other), and
                // before "Recording" is said: from then on a target that dies still leaves a table.
                snapshot = RundownSnapshot.TakeAsync(client, output.Name).GetAwaiter().GetResult();
                Profiling.Status($"Recording {target} to {output.Name}; "
                    + (duration is null ? "press Ctrl+C to stop" : $"for {duration.Value.TotalSeconds:F0} s, or Ctrl+C to stop"));
            },
            signals.Token,
            signals.AbortToken,
            parsed.GetValue(CommonOptions.GCEvery))).ConfigureAwait(false);
        await liveStop.CancelAsync().ConfigureAwait(false);
        await sampling.CancelAsync().ConfigureAwait(false);
        await residentMemory.ConfigureAwait(false);
        await liveView.ConfigureAwait(false);
        try
        {
            await output.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Already reported by the recorder (disk full); the file keeps what reached it.
        }

        return await Profiling.FinishRecordingAsync(result, settings, signals, rundownSnapshot: snapshot).ConfigureAwait(false);
    }

    /// <summary>Connects to the target given by --diagnostic-port, -p or -n: its client, its process id (0 when the port does not tell) and its name.</summary>
    private static (DiagnosticsClient Client, int Pid, string Name) Attach(ParseResult parsed, string? port)
    {
        if (port is not null)
        {
            (DiagnosticsClient client, int pid) = TargetProcess.ConnectThroughPort(port);
            return (client, pid, pid > 0 ? TargetProcess.ApplicationName(pid) : "process");
        }

        int id = parsed.GetValue(ProcessId) ?? TargetProcess.FindByName(parsed.GetRequiredValue(ProcessName)!);
        return (TargetProcess.Connect(id), id, TargetProcess.ApplicationName(id));
    }

    /// <summary>
    /// Checks the method names against the modules the live process has loaded (ClrMD, no suspension) before a
    /// long recording, saying at once which method a name was taken as; the analysis repeats it only in the notes.
    /// </summary>
    private static void CheckMethodsAgainstTheProcess(int pid, ReportSettings settings)
    {
        IReadOnlyList<string>? modules = pid > 0 ? LoadedModules.TryRead(pid) : null;
        if (modules is null)
        {
            return;
        }

        IReadOnlyList<SelectedMethod> selection = MethodSelection.Resolve(
            settings.Analysis.MethodPatterns, modules, $"the {modules.Count} modules process {pid} has loaded", settings.Analysis.SymbolDirectories);
        foreach (ReportNote note in selection.SelectMany(s => s.Notes))
        {
            Profiling.Status(NoteWording.English(note));
        }
    }
}
