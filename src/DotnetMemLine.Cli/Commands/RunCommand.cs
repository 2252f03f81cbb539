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
        using var stop = new StopSignal();
        bool jsonOnStdout = parsed.GetValue(CommonOptions.Format) == OutputFormat.Json;
        bool exact = parsed.GetValue(CommonOptions.Exact);

        await using TargetLauncher launched = await TargetLauncher.StartAsync(target, jsonOnStdout, stop.Token).ConfigureAwait(false);
        RecordingResult result = await TraceRecorder.RecordAsync(
            launched.Client,
            output,
            AllocationProviders.SessionConfiguration(parsed.GetValue(CommonOptions.BufferSize), exact),
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
            stop.Token).ConfigureAwait(false);
        await output.DisposeAsync().ConfigureAwait(false);
        await launched.Process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        Profiling.ReportRecording(result);
        if (launched.Process.ExitCode != 0)
        {
            Profiling.Status($"Note: the program exited with code {launched.Process.ExitCode}");
        }

        return Profiling.AnalyzeAndPrint(result.TracePath, parsed, cancellationToken);
    }
}
