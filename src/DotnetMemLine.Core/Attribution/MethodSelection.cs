using DotnetMemLine.Decoding;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>
/// Turns the user's <c>--method</c> names into exactly one method each, reading the metadata of the
/// modules the target loaded. Fails with the candidates when a name is ambiguous and with the
/// closest names when it matches nothing.
/// </summary>
public static class MethodSelection
{
    /// <summary>Resolves against the modules that the trace's stacks name.</summary>
    public static IReadOnlyList<MethodIdentity> Resolve(IReadOnlyList<string> patterns, IReadOnlyList<TracedMethod> tracedMethods)
    {
        try
        {
            return Resolve(patterns, tracedMethods.Select(m => m.ModulePath), "the modules in the trace");
        }
        catch (MemLineException ex) when (ex.Code == ExitCode.MethodNotFound)
        {
            // The trace may name the method in a module that is not on this machine (a trace copied
            // from elsewhere): say that, rather than that the method does not exist.
            TracedMethod? elsewhere = tracedMethods.FirstOrDefault(m =>
                !File.Exists(m.ModulePath) && patterns.Any(p => m.TraceName.EndsWith(p.Split('(')[0], StringComparison.Ordinal)));
            if (elsewhere is { ModulePath.Length: 0 })
            {
                // Only the rundown names a module loaded before the session; a target killed
                // mid-recording (SIGKILL, a crash) never wrote it.
                throw new MemLineException(ExitCode.TraceIncomplete,
                    $"{elsewhere.TraceName} is in the trace, but not which module it is in: the trace was cut off before its rundown, which names the modules loaded before the recording began", ex);
            }

            if (elsewhere is not null)
            {
                throw new MemLineException(ExitCode.SymbolsMissing,
                    $"{elsewhere.TraceName} is in the trace, but its module {elsewhere.ModulePath} is not on this machine; analyze where the application's files (and PDBs) are", ex);
            }

            throw;
        }
    }

    /// <summary>Resolves against the given module files (missing or unreadable ones are skipped).</summary>
    /// <param name="scope">Where the names were looked for, for messages: "the modules process 42 has loaded".</param>
    public static IReadOnlyList<MethodIdentity> Resolve(IReadOnlyList<string> patterns, IEnumerable<string> modulePaths, string scope)
    {
        var modules = modulePaths.Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var candidates = new List<MethodIdentity>();
        var unreadable = new List<string>();
        foreach (string module in modules)
        {
            if (MethodCatalog.TryRead(module, out IReadOnlyList<MethodIdentity>? methods, out _))
            {
                candidates.AddRange(methods);
            }
            else
            {
                unreadable.Add(module);
            }
        }

        var selected = new List<MethodIdentity>();
        foreach (string pattern in patterns)
        {
            IReadOnlyList<MethodIdentity> matches = MethodMatcher.Match(pattern, candidates, m => m);
            if (matches.Count == 1)
            {
                if (!selected.Contains(matches[0]))
                {
                    selected.Add(matches[0]);
                }

                continue;
            }

            if (matches.Count > 1)
            {
                // The application's own methods first: those are the ones the user most likely meant.
                string list = string.Join("; ", matches.OrderBy(m => IsFrameworkModule(m.ModulePath)).Take(8).Select(m => m.DisplayName));
                throw new MemLineException(ExitCode.MethodAmbiguous,
                    $"--method {pattern} matches {matches.Count} methods: {list}; name one as Type.Method or Method(parameter types)");
            }

            throw new MemLineException(ExitCode.MethodNotFound, NotFoundMessage(pattern, scope, candidates, unreadable));
        }

        return selected;
    }

    private static string NotFoundMessage(string pattern, string scope, List<MethodIdentity> candidates, List<string> unreadable)
    {
        // Suggest from the application's own modules first: the framework has tens of thousands of names.
        IEnumerable<MethodIdentity> userMethods = candidates.Where(m => !IsFrameworkModule(m.ModulePath));
        IReadOnlyList<string> closest = MethodMatcher.Suggest(pattern, userMethods);
        string message = $"no method matches --method {pattern} in {scope}";
        if (closest.Count > 0)
        {
            message += $"; closest: {string.Join(", ", closest)}";
        }

        if (unreadable.Count > 0)
        {
            message += $" ({unreadable.Count} module(s) could not be read, e.g. {unreadable[0]})";
        }

        return message;
    }

    /// <summary>True for modules of the shared framework (the runtime's own folder).</summary>
    public static bool IsFrameworkModule(string modulePath) =>
        modulePath.Contains("/shared/Microsoft.", StringComparison.Ordinal)
        || modulePath.Contains("\\shared\\Microsoft.", StringComparison.Ordinal);
}
