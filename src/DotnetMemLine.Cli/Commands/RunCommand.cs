using System.CommandLine;
using DotnetMemLine.Collection;

namespace DotnetMemLine.Cli.Commands;

/// <summary>
/// <c>dotnet-memline run --method X -- dotnet app.dll</c>: start the program suspended, record from
/// its first instruction to its exit, then print the tables.
/// </summary>
internal static class RunCommand
{
    private static readonly Argument<string[]> TargetCommand = new("command")
    {
        Description = "The program to run and its arguments, after --, e.g. -- dotnet app.dll arg1.",
        Arity = ArgumentArity.OneOrMore,
    };

    // Measured with eng/exact-overhead.sh; README.md ("Exact mode") gives the figures and the command.
    private const string ExactModeCost =
        "Exact mode: every allocation is recorded with its stack, about 1 us each, so allocation-heavy code runs up to ~25x slower; the trace takes about 35 bytes per allocation";

    public static Command Create()
    {
        var command = new Command("run", "Start a .NET program under the profiler, record until it exits, and print the per-line tables.")
        {
            CommonOptions.Method,
            CommonOptions.Output,
            CommonOptions.Format,
            CommonOptions.Symbols,
            CommonOptions.BufferSize,
            CommonOptions.Exact,
            CommonOptions.Async,
            CommonOptions.NoLifetimes,
            CommonOptions.GCEvery,
            TargetCommand,
        };
        command.SetAction(ExecuteAsync);
        return command;
    }

    private static async Task<int> ExecuteAsync(ParseResult parsed, CancellationToken cancellationToken)
    {
        string[] target = parsed.GetRequiredValue(TargetCommand);
        string name = Path.GetFileNameWithoutExtension(target.Skip(1).FirstOrDefault(a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) ?? target[0]);
        using FileStream output = Profiling.CreateTraceFile(parsed.GetValue(CommonOptions.Output), name);
        using var signals = new StopSignal();
        ReportSettings settings = CommonOptions.ReportSettingsFrom(parsed);
        bool exact = parsed.GetValue(CommonOptions.Exact);

        await using TargetLauncher launched = await TargetLauncher.StartAsync(target, settings.Renderer.IsForPrograms, signals.Token).ConfigureAwait(false);
        RecordingResult result = await TraceRecorder.RecordAsync(
            launched.Client,
            output,
            output.Name,
            AllocationProviders.SessionConfiguration(parsed.GetValue(CommonOptions.BufferSize), exact, causality: parsed.GetValue(CommonOptions.Async), lifetimes: !parsed.GetValue(CommonOptions.NoLifetimes)),
            duration: null,
            () =>
            {
                Profiling.Status($"Recording {string.Join(' ', target)} (process {launched.Process.Id}) to {output.Name}");
                if (exact)
                {
                    Profiling.Status(ExactModeCost);
                }

                launched.Client.ResumeRuntime();
            },
            signals.Token,
            signals.AbortToken,
            parsed.GetValue(CommonOptions.GCEvery)).ConfigureAwait(false);
        try
        {
            await output.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Already reported by the recorder (disk full); the file keeps what reached it.
        }

        // The program belongs to this run: when the recording ends before it does (Ctrl+C, SIGTERM,
        // an unwritable trace), it is ended too, as dotnet-trace does with the program it launched.
        string? howItEnded = null;
        if (result.EndedBy != RecordingEnd.TargetExited && !launched.Process.HasExited)
        {
            launched.Process.Kill(entireProcessTree: true);
            Profiling.Status($"Ended the program (process {launched.Process.Id}): the recording was stopped before it exited");
        }
        else
        {
            using var exitWait = CancellationTokenSource.CreateLinkedTokenSource(signals.AbortToken);
            exitWait.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await launched.Process.WaitForExitAsync(exitWait.Token).ConfigureAwait(false);
                howItEnded = DescribeExit(launched.Process.ExitCode);
            }
            catch (OperationCanceledException)
            {
                // Its runtime closed the session but the process lingers (or a second Ctrl+C): do not wait.
            }
        }

        return await Profiling.FinishRecordingAsync(result, settings, signals, howItEnded).ConfigureAwait(false);
    }

    /// <summary>How the program ended, from its exit status (128 + N: killed by signal N).</summary>
    internal static string DescribeExit(int exitCode) => exitCode switch
    {
        0 => "the target exited",
        134 => "the target crashed (exit code 134, SIGABRT: an unhandled exception or Environment.FailFast)",
        137 => "the target was killed (exit code 137, SIGKILL)",
        143 => "the target was terminated (exit code 143, SIGTERM)",
        > 128 and < 160 => $"the target was ended by signal {exitCode - 128} (exit code {exitCode})",
        _ => $"the target exited with code {exitCode}",
    };
}
