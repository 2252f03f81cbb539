using System.CommandLine;
using DotnetMemLine.Collection;
using Microsoft.Diagnostics.NETCore.Client;

namespace DotnetMemLine.Cli.Commands;

/// <summary>
/// <c>dotnet-memline run --method X -- dotnet app.dll</c>: start the program suspended, record from
/// its first instruction to its exit, then print the tables.
/// </summary>
internal static class RunCommand
{
    private static readonly Argument<string[]> TargetCommand = new("command")
    {
        Description = "The program to run and its arguments, after --: dotnet app.dll arg1, an apphost, dotnet run [options] [-- args]; or a file-based app, app.cs [-- args].",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<bool> IgnoreExitCode = new("--ignore-exit-code")
    {
        Description = "Exit with 0 once the tables are printed, whatever the program's exit code (by default run passes it on).",
    };

    private static readonly Option<bool> Watch = new("--watch")
    {
        Description = "For a file-based app or dotnet run: once the tables are printed, wait for a source file to be saved, then build, run and print again; Ctrl+C ends.",
    };

    private static readonly Option<bool> ShowChildIO = new("--show-child-io")
    {
        HelpName = "true|false",
        Description = "Show the program's output (true, the default; false hides it), as dotnet-trace's option.",
        DefaultValueFactory = _ => true,
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<bool> ResumeRuntime = new("--resume-runtime")
    {
        HelpName = "true|false",
        Description = "Resume the program once the session is on (true, the default); false leaves it suspended for another tool to resume, as dotnet-trace's option.",
        DefaultValueFactory = _ => true,
        Arity = ArgumentArity.ZeroOrOne,
    };

    // Measured with eng/exact-overhead.sh; README.md ("Exact mode") gives the figures and the command.
    private const string ExactModeCost =
        "Exact mode: every allocation is recorded with its stack, about 1 us each, so allocation-heavy code runs up to ~25x slower; the trace takes about 35 bytes per allocation";

    public static Command Create()
    {
        var command = new Command("run", "Start a .NET program under the profiler, record until it exits, and print the per-line tables.")
        {
            CommonOptions.Method,
            CommonOptions.Top,
            CommonOptions.AllCode,
            CommonOptions.Types,
            CommonOptions.Output,
            CommonOptions.Format,
            CommonOptions.Report,
            CommonOptions.BufferSize,
            CommonOptions.BufferingMode,
            CommonOptions.Exact,
            CommonOptions.Async,
            CommonOptions.NoLifetimes,
            CommonOptions.GCEvery,
            CommonOptions.Retention,
            IgnoreExitCode,
            Watch,
            ShowChildIO,
            ResumeRuntime,
            TargetCommand,
        };
        command.With(CommonOptions.SymbolsAndBudgets);
        command.SetAction(ExecuteAsync);
        return command;
    }

    private static async Task<int> ExecuteAsync(ParseResult parsed, CancellationToken cancellationToken)
    {
        EnsureProgramFollowsDoubleDash(parsed);
        string[] command = parsed.GetRequiredValue(TargetCommand);
        ProgramBuild? build = ProgramBuild.From(command);
        if (!parsed.GetValue(Watch))
        {
            return await RunOnceAsync(parsed, command, build, cancellationToken).ConfigureAwait(false);
        }

        if (build is null)
        {
            throw new UsageException("--watch needs a program it can build: a file-based app (run app.cs) or -- dotnet run");
        }

        while (true)
        {
            (DateTime, int) sources = SourceWatch.Stamp(build);
            int code;
            try
            {
                code = await RunOnceAsync(parsed, command, build, cancellationToken).ConfigureAwait(false);
            }
            catch (MemLineException failure) when (failure.Kind is FailureKind.BuildFailed)
            {
                Console.Error.WriteLine($"dotnet-memline: error: {Failures.Describe(failure)}");
                code = (int)ExitCode.BuildFailed;
            }

            if (code == (int)ExitCode.Aborted || !await SourceWatch.WaitForChangeAsync(build, sources, cancellationToken).ConfigureAwait(false))
            {
                return code;
            }
        }
    }

    /// <summary>Builds the program if it is a project or a file-based app, runs it under the profiler, prints the tables.</summary>
    private static async Task<int> RunOnceAsync(ParseResult parsed, string[] command, ProgramBuild? build, CancellationToken cancellationToken)
    {
        string[] target = command;
        if (build is not null)
        {
            Profiling.Status($"Building {build.Project ?? "the project in " + Environment.CurrentDirectory}{(build.BuildOptions.Count > 0 ? " (" + string.Join(' ', build.BuildOptions) + ")" : "")}");
            string program = await build.BuildAsync(Console.Error, cancellationToken).ConfigureAwait(false);
            target = ["dotnet", program, .. build.ProgramArguments];
        }

        string name = Path.GetFileNameWithoutExtension(target.Skip(1).FirstOrDefault(a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) ?? target[0]);
        ReportSettings settings = CommonOptions.ReportSettingsFrom(parsed);
        settings = settings with { Analysis = settings.Analysis with { RecordedWithAllocationEvents = true } };
        bool exact = parsed.GetValue(CommonOptions.Exact);
        bool lifetimes = !parsed.GetValue(CommonOptions.NoLifetimes);
        bool retention = parsed.GetValue(CommonOptions.Retention);
        if (retention && settings.Analysis.MethodPatterns.Count == 0)
        {
            throw new UsageException("--retention needs --method: it tells who holds what a method's lines allocated");
        }

        if (retention && !lifetimes)
        {
            throw new UsageException("--retention needs the objects followed through the GCs: leave out --no-lifetimes");
        }

        CheckMethodsAgainstTheProgram(target, settings);
        using FileStream output = Profiling.CreateTraceFile(parsed.GetValue(CommonOptions.Output), name);
        using var signals = new StopSignal();

        // --retention: the program is held at its exit (its runtime has ended the session by then) for the heap walk.
        using ExitHold? exitHold = retention ? ExitHold.Create() ?? throw new MemLineException(FailureKind.TargetFailedToStart,
            $"--retention needs {ExitHold.HookFileName} beside dotnet-memline, and it is missing: reinstall the tool") : null;
        bool showOutput = parsed.GetValue(ShowChildIO);
        await using TargetLauncher launched = await TargetLauncher.StartAsync(target, settings.Renderer.IsForPrograms, signals.Token, exitHold, build?.Environment, showOutput)
            .ConfigureAwait(false);
        using var sampling = new CancellationTokenSource();
        Task residentMemory = ResidentMemorySampler.RunAsync(launched.Process.Id, output.Name, sampling.Token);
        RecordingResult result = await TraceRecorder.RecordAsync(
            launched.Client,
            output,
            output.Name,
            AllocationProviders.SessionConfiguration(parsed.GetValue(CommonOptions.BufferSize), exact, causality: parsed.GetValue(CommonOptions.Async), lifetimes: lifetimes,
                lossless: parsed.GetValue(CommonOptions.BufferingMode) == EventPipeBufferingMode.Block),
            duration: null,
            start =>
            {
                Profiling.SayIfLosslessFellBack(start);
                Profiling.Status($"Recording {string.Join(' ', target)} (process {launched.Process.Id}) to {output.Name}");
                if (exact)
                {
                    Profiling.Status(ExactModeCost);
                }

                if (parsed.GetValue(ResumeRuntime))
                {
                    launched.Client.ResumeRuntime();
                }
                else
                {
                    Profiling.Status($"The program is left suspended (--resume-runtime false): another tool resumes it through its diagnostics port");
                }
            },
            signals.Token,
            signals.AbortToken,
            parsed.GetValue(CommonOptions.GCEvery)).ConfigureAwait(false);
        await sampling.CancelAsync().ConfigureAwait(false);
        await residentMemory.ConfigureAwait(false);
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
        int? programExit = null;
        if (exitHold is not null && result.EndedBy == RecordingEnd.TargetExited && await IsHeldAtExitAsync(exitHold, launched).ConfigureAwait(false))
        {
            // The heap walk needs the program: it is released once the tables are printed.
            settings = settings with { RetentionProcessId = launched.Process.Id, RetentionAfterExit = true };
            int code = await Profiling.FinishRecordingAsync(result, settings, signals, "the program reached its exit, held there for the heap walk").ConfigureAwait(false);
            exitHold.Release();
            return PassOn(code, await WaitForExitAsync(launched, signals).ConfigureAwait(false), parsed);
        }

        if (exitHold is not null)
        {
            // Asked for, not possible: the program crashed, was killed, or runs no startup hooks.
            exitHold.Release();
            settings = settings with { RetentionProblem = "the program did not stop at its exit (it crashed, was killed, or runs no startup hooks), so its heap could not be walked" };
        }

        if (result.EndedBy != RecordingEnd.TargetExited && !launched.Process.HasExited)
        {
            launched.Process.Kill(entireProcessTree: true);
            Profiling.Status($"Ended the program (process {launched.Process.Id}): the recording was stopped before it exited");
        }
        else if (await WaitForExitAsync(launched, signals).ConfigureAwait(false) is int exitCode)
        {
            howItEnded = DescribeExit(exitCode);
            programExit = exitCode;
        }

        return PassOn(await Profiling.FinishRecordingAsync(result, settings, signals, howItEnded).ConfigureAwait(false), programExit, parsed);
    }

    /// <summary>
    /// A <c>--method</c> that names nothing in the program's assemblies (those beside its .dll, then the shared framework)
    /// fails before the program runs, not after: a typo should not cost a whole run. Ambiguity is left to the analysis,
    /// which sees what was loaded.
    /// </summary>
    private static void CheckMethodsAgainstTheProgram(string[] target, ReportSettings settings)
    {
        string? app = target.Skip(1).FirstOrDefault(a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            ?? (File.Exists(target[0] + ".dll") ? target[0] + ".dll" : null);
        if (app is not null && !File.Exists(app))
        {
            // 'dotnet Missing.dll' would start the SDK's own CLI, and profile that.
            throw new MemLineException(FailureKind.TargetFailedToStart, $"the program {app} does not exist (build it first, e.g. dotnet build -c Release)");
        }

        string? folder = app is not null ? Path.GetDirectoryName(Path.GetFullPath(app)) : null;
        if (folder is null)
        {
            return;
        }

        string[] beside = Directory.GetFiles(folder, "*.dll");
        string scope = beside.Length == 1 ? Path.GetFileName(app)! : $"the {beside.Length} assemblies beside {Path.GetFileName(app)}";
        try
        {
            _ = Attribution.MethodSelection.Resolve(settings.Analysis.MethodPatterns, beside, scope, settings.Analysis.SymbolDirectories);
        }
        catch (MemLineException notThere) when (notThere.Kind == FailureKind.MethodNotFound)
        {
            // A framework method (System.Linq.Enumerable.ToList) is a fair thing to profile.
            string framework = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? "";
            string[] all = [.. beside, .. Directory.GetFiles(framework, "*.dll")];
            try
            {
                _ = Attribution.MethodSelection.Resolve(settings.Analysis.MethodPatterns, all, scope + " and the shared framework", settings.Analysis.SymbolDirectories);
            }
            catch (MemLineException stillNot) when (stillNot.Kind == FailureKind.MethodNotFound)
            {
                throw notThere;
            }
            catch (Exception ex) when (ex is MemLineException or BadImageFormatException or IOException or UnauthorizedAccessException)
            {
                // Anything else (ambiguity, an unreadable file) is the analysis' to report, with what was loaded.
            }
        }
        catch (Exception ex) when (ex is MemLineException or BadImageFormatException or IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// The program's own exit code once the tables are printed, so that <c>run</c> can wrap a test or a job in a script;
    /// the tool's code when it failed, and 0 with <c>--ignore-exit-code</c>. A program the tool ended itself passes nothing on.
    /// </summary>
    private static int PassOn(int toolExitCode, int? programExitCode, ParseResult parsed) =>
        toolExitCode == (int)ExitCode.Success && programExitCode is int program && !parsed.GetValue(IgnoreExitCode) ? program : toolExitCode;

    /// <summary>
    /// Only what follows <c>--</c> is the program, or a file-based app named first (<c>run app.cs -- args</c>): an option
    /// this command does not know, or a program named before <c>--</c>, is a usage error rather than something to execute.
    /// </summary>
    private static void EnsureProgramFollowsDoubleDash(ParseResult parsed)
    {
        IReadOnlyList<System.CommandLine.Parsing.Token> tokens = parsed.Tokens;
        int doubleDash = -1;
        for (int i = 0; i < tokens.Count && doubleDash < 0; i++)
        {
            doubleDash = tokens[i].Type == System.CommandLine.Parsing.TokenType.DoubleDash ? i : -1;
        }

        System.CommandLine.Parsing.ArgumentResult? program = parsed.GetResult(TargetCommand);
        System.CommandLine.Parsing.Token[] early = [.. program?.Tokens.Where(t => doubleDash < 0 || IndexOf(tokens, t) < doubleDash) ?? []];
        if (early.Length == 0)
        {
            return;
        }

        bool fileBasedApp = ReferenceEquals(early[0], program!.Tokens[0]) && early[0].Value.EndsWith(".cs", StringComparison.OrdinalIgnoreCase) && !early[0].Value.StartsWith('-');
        if (fileBasedApp && early.Length == 1)
        {
            return; // run app.cs [-- args]
        }

        string value = early[fileBasedApp ? 1 : 0].Value;
        throw new UsageException(value.StartsWith('-') ? $"unknown option '{value}' for run (the program to run and its arguments go after --)"
            : fileBasedApp ? $"the program's arguments go after --: dotnet-memline run {early[0].Value} -- {value} ..."
            : $"the program to run goes after -- (or is one .cs file): dotnet-memline run --method <name> -- {value} ...");
    }

    private static int IndexOf(IReadOnlyList<System.CommandLine.Parsing.Token> tokens, System.CommandLine.Parsing.Token token)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            if (ReferenceEquals(tokens[i], token))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The program reached its exit and waits there (the hook has said so), rather than having crashed or been killed.</summary>
    private static async Task<bool> IsHeldAtExitAsync(ExitHold exitHold, TargetLauncher launched)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Task held = exitHold.WaitUntilExitingAsync(patience.Token);
        Task exited = launched.Process.WaitForExitAsync(patience.Token);
        try
        {
            await Task.WhenAny(held, exited).ConfigureAwait(false);
            return held.IsCompletedSuccessfully && !launched.Process.HasExited;
        }
        finally
        {
            // Neither wait may outlive this call: a polling loop would run through the whole analysis.
            await patience.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(held, exited).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    /// <summary>The program's exit code, or null when it lingers past 10 s after its session ended (or a second Ctrl+C).</summary>
    private static async Task<int?> WaitForExitAsync(TargetLauncher launched, StopSignal signals)
    {
        using var exitWait = CancellationTokenSource.CreateLinkedTokenSource(signals.AbortToken);
        exitWait.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await launched.Process.WaitForExitAsync(exitWait.Token).ConfigureAwait(false);
            return launched.Process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
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
