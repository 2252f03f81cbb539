using System.CommandLine;
using DotnetMemLine.Attribution;
using DotnetMemLine.Collection;
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

    // Accepted only to refuse it with the reason: the runtime reads the exact-mode keywords at
    // startup, so a session attached later would record no allocation at all. Hidden from help.
    private static readonly Option<bool> Exact = new("--exact") { Hidden = true };

    public static Command Create()
    {
        var command = new Command("collect", "Attach to a running .NET process, record its allocations, and print the per-line tables.")
        {
            ProcessId,
            ProcessName,
            CommonOptions.Method,
            CommonOptions.Duration,
            CommonOptions.Output,
            CommonOptions.Format,
            CommonOptions.Symbols,
            CommonOptions.BufferSize,
            Exact,
        };
        command.Validators.Add(result =>
        {
            // Presence only: reading values here would throw on a malformed one, which the parser reports anyway.
            if ((result.GetResult(ProcessId) is null) == (result.GetResult(ProcessName) is null))
            {
                result.AddError("give exactly one of --process-id/-p or --name/-n");
            }
        });
        command.SetAction(ExecuteAsync);
        return command;
    }

    private static async Task<int> ExecuteAsync(ParseResult parsed, CancellationToken cancellationToken)
    {
        if (parsed.GetValue(Exact))
        {
            throw new MemLineException(ExitCode.UsageError,
                "--exact works only with 'run': the runtime records every allocation only if asked at its startup, not once it is running; use 'dotnet-memline run --exact --method <name> -- <command>'");
        }

        int pid = parsed.GetValue(ProcessId) ?? TargetProcess.FindByName(parsed.GetRequiredValue(ProcessName)!);
        DiagnosticsClient client = TargetProcess.Connect(pid);
        string name = TargetProcess.ApplicationName(pid);

        // Check the method names against the live process (ClrMD, no suspension) before a long recording.
        IReadOnlyList<string>? modules = LoadedModules.TryRead(pid);
        if (modules is not null)
        {
            MethodSelection.Resolve(parsed.GetValue(CommonOptions.Method) ?? [], modules, $"the {modules.Count} modules process {pid} has loaded");
        }

        using FileStream output = Profiling.CreateTraceFile(parsed.GetValue(CommonOptions.Output), name);
        using var stop = new StopSignal();
        TimeSpan? duration = parsed.GetValue(CommonOptions.Duration);
        RecordingResult result = await TraceRecorder.RecordAsync(
            client,
            output,
            AllocationProviders.SessionConfiguration(parsed.GetValue(CommonOptions.BufferSize)),
            duration,
            () => Profiling.Status($"Recording process {pid} ({name}) to {output.Name}; "
                + (duration is null ? "press Ctrl+C to stop" : $"for {duration.Value.TotalSeconds:F0} s, or Ctrl+C to stop")),
            stop.Token).ConfigureAwait(false);
        await output.DisposeAsync().ConfigureAwait(false);
        Profiling.ReportRecording(result);
        return Profiling.AnalyzeAndPrint(result.TracePath, parsed, cancellationToken);
    }
}
