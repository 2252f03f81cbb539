using DotnetMemLine.Collection;

namespace DotnetMemLine.Cli;

/// <summary>
/// <c>run --watch</c>: waits until a source file of the program is saved. The files are polled rather than watched
/// with FileSystemWatcher: editors save by writing a new file and renaming it over the old one, which some watchers
/// report as a deletion.
/// </summary>
internal static class SourceWatch
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(300);

    /// <summary>The state of the program's source files, taken before a build: a save during the build or the run counts as a change.</summary>
    public static (DateTime Latest, int Count) Stamp(ProgramBuild build)
    {
        IEnumerable<string> files = build.IsFileBasedApp
            ? [build.Project!]
            : Directory.EnumerateFiles(Folder(build), "*.cs", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        DateTime latest = DateTime.MinValue;
        int count = 0;
        foreach (string file in files)
        {
            count++;
            DateTime written = File.Exists(file) ? File.GetLastWriteTimeUtc(file) : DateTime.MinValue;
            latest = written > latest ? written : latest;
        }

        return (latest, count);
    }

    /// <summary>True when a file changed since <paramref name="before"/>; false on Ctrl+C or SIGTERM (or <paramref name="cancellationToken"/>).</summary>
    public static async Task<bool> WaitForChangeAsync(ProgramBuild build, (DateTime Latest, int Count) before, CancellationToken cancellationToken)
    {
        string description = build.IsFileBasedApp ? build.Project! : $"the .cs files under {Folder(build)}";
        using var signals = new StopSignal();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, signals.Token, signals.AbortToken);
        Profiling.Status($"Watching {description}: save to run again, Ctrl+C to end");
        try
        {
            while (true)
            {
                (DateTime Latest, int Count) now = Stamp(build);
                if (now != before)
                {
                    // Let the editor finish writing (several files, or a file in parts) before building.
                    await Task.Delay(PollInterval, stop.Token).ConfigureAwait(false);
                    Profiling.Status("A source file changed: building and running again");
                    return true;
                }

                await Task.Delay(PollInterval, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static string Folder(ProgramBuild build) => build.Project is null ? Environment.CurrentDirectory
        : Directory.Exists(build.Project) ? build.Project
        : Path.GetDirectoryName(Path.GetFullPath(build.Project)) ?? Environment.CurrentDirectory;
}
