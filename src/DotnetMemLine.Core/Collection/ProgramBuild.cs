using System.Diagnostics;

namespace DotnetMemLine.Collection;

/// <summary>
/// What <c>run</c> is asked to start, when it is not a built program: <c>dotnet run [options] [-- args]</c>, <c>dotnet test</c>
/// of a Microsoft.Testing.Platform project, or a file-based app (<c>app.cs</c>, <c>dotnet app.cs</c>, <c>dotnet run app.cs</c>). <c>dotnet run</c> would start the
/// SDK's CLI, a .NET program of its own, which the profiler would then suspend and record instead of the app (and the
/// app, inheriting the diagnostic port, would wait for a resume that never comes). So the project is built first, as
/// <c>dotnet run</c> does, and the built program is started under the profiler, alone.
/// </summary>
/// <param name="Project">The project file or folder, or the <c>.cs</c> file of a file-based app; null for the current folder's project.</param>
/// <param name="BuildOptions">The options of <c>dotnet run</c> that <c>dotnet build</c> takes too (configuration, framework, runtime, properties).</param>
/// <param name="ProgramArguments">The arguments for the program.</param>
/// <param name="Environment">Variables for the program (<c>dotnet run -e NAME=VALUE</c>).</param>
/// <param name="NoBuild">Built already (<c>--no-build</c>): only find the program.</param>
public sealed record ProgramBuild(string? Project, IReadOnlyList<string> BuildOptions, IReadOnlyList<string> ProgramArguments,
    IReadOnlyDictionary<string, string> Environment, bool NoBuild)
{
    // dotnet run's options that take a value and mean the same to dotnet build.
    private static readonly HashSet<string> BuildOptionsWithValue = new(StringComparer.Ordinal)
    {
        "-c", "--configuration", "-f", "--framework", "-r", "--runtime", "-a", "--arch", "--os", "-v", "--verbosity",
    };

    // dotnet run's switches that mean the same to dotnet build.
    private static readonly HashSet<string> BuildSwitches = new(StringComparer.Ordinal)
    {
        "--no-restore", "--no-dependencies", "--sc", "--self-contained", "--no-self-contained", "--disable-build-servers", "--interactive",
    };

    /// <summary>True for a file-based app (a <c>.cs</c> file rather than a project).</summary>
    public bool IsFileBasedApp => Project?.EndsWith(".cs", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// The build a command stands for: <c>app.cs args</c>, <c>dotnet app.cs args</c>, <c>dotnet run [options] [-- args]</c>;
    /// null for a built program (<c>dotnet app.dll</c>, an apphost), which is started as it is.
    /// </summary>
    /// <exception cref="MemLineException">An option of <c>dotnet run</c> lacks its value.</exception>
    public static ProgramBuild? From(IReadOnlyList<string> command)
    {
        if (command.Count == 0)
        {
            return null;
        }

        if (IsSourceFile(command[0]))
        {
            return FileBasedApp(command[0], [], command.Skip(1));
        }

        if (!IsDotnet(command[0]) || command.Count < 2)
        {
            return null;
        }

        if (IsSourceFile(command[1]))
        {
            return FileBasedApp(command[1], [], command.Skip(2));
        }

        return command[1] switch
        {
            "run" => FromDotnetRun(command.Skip(2).ToList(), test: false),
            "test" => FromDotnetRun(command.Skip(2).ToList(), test: true),
            _ => null,
        };
    }

    /// <summary>True for <c>dotnet</c> or a path to it.</summary>
    public static bool IsDotnet(string program) =>
        Path.GetFileNameWithoutExtension(program) == "dotnet" && !program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);

    private static bool IsSourceFile(string argument) => argument.EndsWith(".cs", StringComparison.OrdinalIgnoreCase) && !argument.StartsWith('-');

    // File-based apps are built in Release, as 'dotnet run app.cs' does (and with their PDB, as always). They default to
    // PublishAot, whose feature switches turn startup hooks off even in the JIT build: turned back on, that one alone, for
    // the hook that keeps the program's child processes from waiting on dotnet-memline's port (and holds it for --retention).
    private static ProgramBuild FileBasedApp(string file, IReadOnlyList<string> options, IEnumerable<string> arguments) =>
        new(file, [.. options.Any(o => o is "-c" or "--configuration" || o.StartsWith("--configuration:", StringComparison.Ordinal)) ? options : [.. options, "-c", "Release"],
            "-p:StartupHookSupport=true"],
            [.. arguments], new Dictionary<string, string>(), NoBuild: false);

    /// <param name="arguments">What follows <c>dotnet run</c> (or <c>dotnet test</c>).</param>
    /// <param name="test">
    /// <c>dotnet test</c> of a Microsoft.Testing.Platform project, whose built program is the test runner itself: built and
    /// started as <c>dotnet run</c> would, its own options (<c>--filter</c>) passed to it; a project path may come first.
    /// </param>
    private static ProgramBuild FromDotnetRun(List<string> arguments, bool test)
    {
        string? project = null;
        var options = new List<string>();
        var programArguments = new List<string>();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        bool noBuild = false;
        for (int i = 0; i < arguments.Count; i++)
        {
            string argument = arguments[i];
            if (argument == "--")
            {
                programArguments.AddRange(arguments.Skip(i + 1));
                break;
            }

            if (argument is "--project" or "--file" || (argument == "-p" && i + 1 < arguments.Count && !arguments[i + 1].Contains('=', StringComparison.Ordinal)))
            {
                project = ValueOf(arguments, ref i);
            }
            else if (BuildOptionsWithValue.Contains(argument))
            {
                options.Add(argument);
                options.Add(ValueOf(arguments, ref i));
            }
            else if (argument is "-e" or "--environment")
            {
                string setting = ValueOf(arguments, ref i);
                int equals = setting.IndexOf('=', StringComparison.Ordinal);
                environment[equals < 0 ? setting : setting[..equals]] = equals < 0 ? "" : setting[(equals + 1)..];
            }
            else if (argument is "--launch-profile" or "-lp")
            {
                _ = ValueOf(arguments, ref i); // launch profiles are not applied (docs/troubleshooting.md)
            }
            else if (argument == "--no-build")
            {
                noBuild = true;
            }
            else if (argument == "--no-launch-profile")
            {
            }
            else if (BuildSwitches.Contains(argument) || argument.StartsWith("-p:", StringComparison.Ordinal) || argument.StartsWith("--property:", StringComparison.Ordinal)
                || argument.StartsWith("/p:", StringComparison.Ordinal))
            {
                options.Add(argument);
            }
            else if (project is null && programArguments.Count == 0 && (IsSourceFile(argument)
                || (test && (Directory.Exists(argument) || argument.EndsWith("proj", StringComparison.OrdinalIgnoreCase)))))
            {
                project = argument;
            }
            else
            {
                programArguments.Add(argument); // as dotnet run does, what it does not know goes to the program
            }
        }

        return project is not null && IsSourceFile(project)
            ? FileBasedApp(project, options, programArguments) with { Environment = environment, NoBuild = noBuild }
            : new ProgramBuild(project, options, programArguments, environment, noBuild);
    }

    private static string ValueOf(List<string> arguments, ref int i)
    {
        if (i + 1 >= arguments.Count)
        {
            throw new MemLineException(FailureKind.TargetFailedToStart, $"dotnet run's option {arguments[i]} needs a value");
        }

        i++;
        return arguments[i];
    }

    /// <summary>
    /// Builds the project (unless <see cref="NoBuild"/>) and returns the built program's assembly: <c>dotnet build
    /// -t:Build -getProperty:TargetPath</c>, one command that builds and says where. The build's error lines go to
    /// <paramref name="log"/>.
    /// </summary>
    /// <exception cref="MemLineException">The build failed, or did not tell one program (several target frameworks).</exception>
    public async Task<string> BuildAsync(TextWriter log, CancellationToken cancellationToken)
    {
        if (Project is not null && !File.Exists(Project) && !Directory.Exists(Project))
        {
            throw new MemLineException(FailureKind.TargetFailedToStart, $"{Project} does not exist");
        }

        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        startInfo.ArgumentList.Add("build");
        if (Project is not null)
        {
            startInfo.ArgumentList.Add(Project);
        }

        foreach (string option in BuildOptions)
        {
            startInfo.ArgumentList.Add(option);
        }

        if (!NoBuild)
        {
            startInfo.ArgumentList.Add("-t:Build"); // with -getProperty alone, MSBuild only evaluates the project
        }

        startInfo.ArgumentList.Add("-getProperty:TargetPath");
        startInfo.ArgumentList.Add("-nologo");
        using Process build = Process.Start(startInfo) ?? throw new MemLineException(FailureKind.TargetFailedToStart, "could not start dotnet build");
        Task<string> output = build.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> errors = build.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await build.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            build.Kill(entireProcessTree: true);
            throw;
        }

        string[] lines = [.. (await output.ConfigureAwait(false) + "\n" + await errors.ConfigureAwait(false)).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        string what = Project ?? "the project in the current folder";
        if (build.ExitCode != 0)
        {
            string[] problems = [.. lines.Where(l => l.Contains(": error ", StringComparison.Ordinal) || l.StartsWith("MSBUILD : error", StringComparison.Ordinal)).Distinct()];
            foreach (string problem in problems.Length > 0 ? problems : lines)
            {
                await log.WriteLineAsync(problem).ConfigureAwait(false);
            }

            throw new MemLineException(FailureKind.BuildFailed, $"the build of {what} failed (dotnet build exited with code {build.ExitCode}; its errors are above)");
        }

        string? targetPath = lines.LastOrDefault(l => l.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && Path.IsPathRooted(l));
        if (targetPath is null)
        {
            throw new MemLineException(FailureKind.BuildFailed,
                $"dotnet build did not say which program {what} builds (a project with several target frameworks needs -f <framework>, as dotnet run does)");
        }

        if (!File.Exists(targetPath))
        {
            throw new MemLineException(FailureKind.BuildFailed, $"{targetPath} does not exist: build {what} first (it was run with --no-build)");
        }

        return targetPath;
    }
}
