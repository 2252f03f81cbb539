using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace AccuracyRunner;

/// <summary>The command line of the accuracy suite.</summary>
internal sealed record SuiteOptions(int Runs, int TickRuns, string RepoRoot, string WorkFolder, bool KeepTraces)
{
    public const string Usage = """
        usage: AccuracyRunner [--runs N] [--tick-runs M] [--repo DIR] [--work DIR] [--keep-traces]

          --runs N        runs recorded with AllocationSampled (dotnet-memline run); default 200 (about 4 minutes)
          --tick-runs M   runs recorded with AllocationTick (dotnet-trace, then analyze); default: N; 0 skips them
          --repo DIR      repository root; default: found above this program
          --work DIR      where traces, truth files and results go; default: <repo>/artifacts/accuracy
          --keep-traces   keep every run's .nettrace (by default each is deleted once analyzed)

        eng/accuracy.sh builds what this needs (Release) and then runs it.
        """;

    private const int DefaultRuns = 200;

    public static bool TryParse(string[] args, [NotNullWhen(true)] out SuiteOptions? options, out string error)
    {
        options = null;
        error = "";
        int runs = DefaultRuns;
        int? tickRuns = null;
        string? repo = null;
        string? work = null;
        bool keepTraces = false;
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--runs":
                    if (!TryCount(value, minimum: 1, out runs))
                    {
                        error = "--runs needs a whole number of at least 1";
                        return false;
                    }

                    i++;
                    break;
                case "--tick-runs":
                    if (!TryCount(value, minimum: 0, out int parsed))
                    {
                        error = "--tick-runs needs a whole number (0 skips the AllocationTick runs)";
                        return false;
                    }

                    tickRuns = parsed;
                    i++;
                    break;
                case "--repo" or "--work" when value is null:
                    error = $"{args[i]} needs a folder";
                    return false;
                case "--repo":
                    repo = value;
                    i++;
                    break;
                case "--work":
                    work = value;
                    i++;
                    break;
                case "--keep-traces":
                    keepTraces = true;
                    break;
                default:
                    error = $"unexpected argument '{args[i]}'";
                    return false;
            }
        }

        repo = Path.GetFullPath(repo ?? FindRepoRoot() ?? ".");
        if (!File.Exists(Path.Combine(repo, "DotnetMemLine.sln")))
        {
            error = $"{repo} is not the repository root (no DotnetMemLine.sln); pass --repo";
            return false;
        }

        options = new SuiteOptions(
            runs,
            tickRuns ?? runs,
            repo,
            Path.GetFullPath(work ?? Path.Combine(repo, "artifacts", "accuracy")),
            keepTraces);
        return true;
    }

    private static bool TryCount(string? text, int minimum, out int count)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count >= minimum;

    private static string? FindRepoRoot()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "DotnetMemLine.sln")))
            {
                return folder.FullName;
            }
        }

        return null;
    }
}
