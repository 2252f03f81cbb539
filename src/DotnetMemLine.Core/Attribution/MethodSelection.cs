using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>A method a <c>--method</c> name resolved to.</summary>
/// <param name="Notes">How it was chosen when the name matched more than it (one line each), for its table.</param>
/// <param name="Method">The method the name resolved to.</param>
public sealed record SelectedMethod(MethodIdentity Method, IReadOnlyList<ReportNote> Notes);

/// <summary>
/// Turns the user's <c>--method</c> names into exactly one method each, reading the metadata of the
/// modules the target loaded. A name that also matches methods outside the application's code
/// takes the application's one, saying so; it fails with the candidates when the application's
/// code is ambiguous, and with the closest names when it matches nothing.
/// </summary>
public static class MethodSelection
{
    // Names listed in the note of a choice; the rest are counted.
    private const int ListedAlternatives = 3;

    /// <summary>Resolves against the modules that the trace's stacks name.</summary>
    /// <param name="symbolDirectories">Where else PDBs may be (--symbols): a module with a PDB is the application's code.</param>
    /// <param name="patterns">The <c>--method</c> names as the user wrote them.</param>
    /// <param name="tracedMethods">The methods the trace names; their modules are searched.</param>
    /// <param name="symbols">The PDBs of the analysis: a module of another build than the trace ran is named by the copy of that build found with them.</param>
    public static IReadOnlyList<SelectedMethod> Resolve(IReadOnlyList<string> patterns, IReadOnlyList<TracedMethod> tracedMethods, IReadOnlyList<string> symbolDirectories, SymbolCache? symbols = null)
    {
        try
        {
            return Resolve(patterns, tracedMethods.Select(m => m.ModulePath), "the modules in the trace", symbolDirectories, symbols);
        }
        catch (MemLineException ex) when (ex.Kind == FailureKind.MethodNotFound)
        {
            // The trace may name the method in a module that is not on this machine (a trace copied
            // from elsewhere): say that, rather than that the method does not exist.
            TracedMethod? elsewhere = tracedMethods.FirstOrDefault(m =>
                !File.Exists(m.ModulePath) && patterns.Any(p => m.TraceName.EndsWith(p.Split('(')[0], StringComparison.Ordinal)));
            if (elsewhere is { ModulePath.Length: 0 })
            {
                // Only the rundown names a module loaded before the session; a target killed
                // mid-recording (SIGKILL, a crash) never wrote it.
                throw new MemLineException(FailureKind.TraceIncomplete,
                    $"{elsewhere.TraceName} is in the trace, but not which module it is in: the trace was cut off before its rundown, which names the modules loaded before the recording began", ex);
            }

            if (elsewhere is not null)
            {
                throw new MemLineException(FailureKind.SymbolsMissing,
                    $"{elsewhere.TraceName} is in the trace, but its module {elsewhere.ModulePath} is not on this machine; analyze where the application's files (and PDBs) are", ex);
            }

            throw;
        }
    }

    /// <summary>Resolves against the given module files (missing or unreadable ones are skipped).</summary>
    /// <param name="scope">Where the names were looked for, for messages: "the modules process 42 has loaded".</param>
    /// <param name="symbolDirectories">Where else PDBs may be (--symbols): a module with a PDB is the application's code.</param>
    /// <param name="modulePaths">The module files to search.</param>
    /// <param name="patterns">The <c>--method</c> names as the user wrote them.</param>
    /// <param name="symbols">The PDBs of the analysis of a trace, which may read a module from a copy of the build the trace ran.</param>
    public static IReadOnlyList<SelectedMethod> Resolve(IReadOnlyList<string> patterns, IEnumerable<string> modulePaths, string scope, IReadOnlyList<string> symbolDirectories, SymbolCache? symbols = null)
    {
        var modules = modulePaths.Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var candidates = new List<MethodIdentity>();
        var unreadable = new List<string>();
        // The framework's methods count only as matches (suggestions come from outside it): only those a name may match are read.
        Func<string, bool> mayMatch = MethodMatcher.MayMatch(patterns);
        foreach (string module in modules)
        {
            if (symbols?.MethodsOfCopy(module) is { } copied)
            {
                candidates.AddRange(copied);
            }
            else if (MethodCatalog.TryRead(module, out IReadOnlyList<MethodIdentity>? methods, out _, IsFrameworkModule(module) ? mayMatch : null))
            {
                candidates.AddRange(methods);
            }
            else
            {
                unreadable.Add(module);
            }
        }

        var applicationCode = new Dictionary<string, bool>(StringComparer.Ordinal);
        bool IsApplicationCode(MethodIdentity method)
        {
            if (!applicationCode.TryGetValue(method.ModulePath, out bool isApplication))
            {
                isApplication = IsApplicationModule(method.ModulePath, symbolDirectories);
                applicationCode[method.ModulePath] = isApplication;
            }

            return isApplication;
        }

        var selected = new List<(MethodIdentity Method, List<ReportNote> Notes)>();
        foreach (string pattern in patterns)
        {
            (MethodIdentity chosen, ReportNote? note) = Choose(pattern, candidates, IsApplicationCode, scope, unreadable);
            int index = selected.FindIndex(s => s.Method == chosen);
            if (index < 0)
            {
                selected.Add((chosen, []));
                index = selected.Count - 1;
            }

            if (note is not null)
            {
                selected[index].Notes.Add(note);
            }
        }

        return [.. selected.Select(s => new SelectedMethod(s.Method, s.Notes))];
    }

    /// <summary>The one method a name means, and a note when it was chosen among several; throws when it matches none, or several of the application's.</summary>
    private static (MethodIdentity Chosen, ReportNote? Note) Choose(string pattern, List<MethodIdentity> candidates, Func<MethodIdentity, bool> isApplicationCode, string scope, List<string> unreadable)
    {
        IReadOnlyList<MethodIdentity> matches = MethodMatcher.Match(pattern, candidates, m => m);
        if (matches.Count == 0)
        {
            throw new MemLineException(FailureKind.MethodNotFound, NotFoundMessage(pattern, scope, candidates, unreadable, isApplicationCode));
        }

        if (matches.Count == 1)
        {
            return (matches[0], null);
        }

        // Framework methods share names with application ones (Fill, Parse, Add): the user means
        // their own unless their own code is ambiguous too.
        List<MethodIdentity> ofApplication = [.. matches.Where(isApplicationCode)];
        if (ofApplication.Count != 1)
        {
            throw new MemLineException(FailureKind.MethodAmbiguous, AmbiguousMessage(pattern, matches, ofApplication));
        }

        return (ofApplication[0], ChoiceNote(pattern, ofApplication[0], matches));
    }

    /// <summary>
    /// True for a module of the application's code: outside the shared framework and with a PDB,
    /// found where the analysis looks for it (<see cref="ModuleSymbols.TryOpen"/>).
    /// </summary>
    private static bool IsApplicationModule(string modulePath, IReadOnlyList<string> symbolDirectories) =>
        !IsFrameworkModule(modulePath) && !IsProfilerModule(modulePath) && ModuleSymbols.HasPdb(modulePath, symbolDirectories);

    private static string AmbiguousMessage(string pattern, IReadOnlyList<MethodIdentity> matches, List<MethodIdentity> ofApplication)
    {
        if (ofApplication.Count > 1)
        {
            // Only the application's candidates: the framework's would not be taken anyway.
            string own = string.Join("; ", ofApplication.Take(8).Select(m => m.DisplayName));
            string share = ofApplication.Count == matches.Count ? "" : $", {ofApplication.Count} of them in the application's code";
            return $"the method name '{pattern}' matches {matches.Count} methods{share}: {own}; name one as Type.Method or Method(parameter types)";
        }

        // None of them is the application's: its non-framework modules first (a library without PDB).
        string list = string.Join("; ", matches.OrderBy(m => IsFrameworkModule(m.ModulePath)).Take(8).Select(m => m.DisplayName));
        return $"the method name '{pattern}' matches {matches.Count} methods: {list}; name one as Type.Method or Method(parameter types)";
    }

    private static MethodChosenNote ChoiceNote(string pattern, MethodIdentity chosen, IReadOnlyList<MethodIdentity> matches)
    {
        List<string> others = [.. matches.Where(m => m != chosen).Select(m => m.DisplayName)];
        return new MethodChosenNote(pattern, chosen.DisplayName, [.. others.Take(ListedAlternatives)], Math.Max(0, others.Count - ListedAlternatives));
    }

    private static string NotFoundMessage(string pattern, string scope, List<MethodIdentity> candidates, List<string> unreadable, Func<MethodIdentity, bool> isApplicationCode)
    {
        // Suggest from outside the framework (it has tens of thousands of names), the application's own methods (a PDB)
        // before the libraries' at the same closeness.
        IEnumerable<MethodIdentity> userMethods = candidates.Where(m => !IsFrameworkModule(m.ModulePath) && !IsProfilerModule(m.ModulePath));
        IReadOnlyList<string> closest = MethodMatcher.Suggest(pattern, userMethods, preferred: isApplicationCode);
        string message = $"no method matches the name '{pattern}' in {scope}";
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

    /// <summary>True for the startup hook <c>run</c> gives the programs it launches: dotnet-memline's own code, not the program's.</summary>
    public static bool IsProfilerModule(string modulePath) =>
        string.Equals(Path.GetFileName(modulePath), Collection.ExitHold.HookFileName, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for modules of the shared framework (the runtime's own folder).</summary>
    public static bool IsFrameworkModule(string modulePath) =>
        modulePath.Contains("/shared/Microsoft.", StringComparison.Ordinal)
        || modulePath.Contains("\\shared\\Microsoft.", StringComparison.Ordinal);
}
