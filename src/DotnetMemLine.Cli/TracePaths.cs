namespace DotnetMemLine.Cli;

/// <summary>The traces <c>analyze</c> was given: files as they are, a folder as every .nettrace in it and below, a glob as its matches.</summary>
internal static class TracePaths
{
    /// <summary>The trace files, each once, in the order given (a folder's and a glob's sorted by path).</summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> arguments)
    {
        var paths = new List<string>();
        var named = new List<string>();
        foreach (string argument in arguments)
        {
            if (Directory.Exists(argument))
            {
                string[] inFolder = [.. Directory.EnumerateFiles(argument, "*.nettrace", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
                paths.AddRange(inFolder.Length > 0 ? inFolder
                    : throw new MemLineException(FailureKind.TraceUnreadable, $"the folder {Path.GetFullPath(argument)} has no .nettrace file in it or below"));
            }
            else if (argument.AsSpan(argument.LastIndexOf('/') + 1).IndexOfAny('*', '?') >= 0)
            {
                // A glob the shell did not expand (quoted, or matching nothing): wildcards in the file name only.
                string folder = Path.GetDirectoryName(argument) is { Length: > 0 } parent ? parent : ".";
                string[] matches = Directory.Exists(folder)
                    ? [.. Directory.EnumerateFiles(folder, Path.GetFileName(argument)).Order(StringComparer.Ordinal)]
                    : [];
                paths.AddRange(matches.Length > 0 ? matches : throw new MemLineException(FailureKind.TraceUnreadable, $"no file matches {argument}"));
            }
            else
            {
                paths.Add(argument);
                named.Add(argument);
            }
        }

        string[] traces = [.. paths.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal)];
        // Among several, a damaged trace is left out with a warning; a file named that is not there is a typo to say at once.
        if (traces.Length > 1 && named.FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            throw new MemLineException(FailureKind.TraceUnreadable, $"{Path.GetFullPath(missing)} does not exist");
        }

        return traces;
    }
}
