using DotnetMemLine.Decoding;
using DotnetMemLine.Estimation;
using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>
/// One trace read and attributed, before its report: what <see cref="TraceCombiner"/> adds up across the traces of a
/// fleet. Holds tallies (bounded by the lines and distinct stacks), not events; the trace itself is closed.
/// </summary>
internal sealed class TraceAnalysis
{
    public required TraceSummary Summary { get; init; }

    public required EstimatorKind Estimator { get; init; }

    /// <summary>No method was named: every method of the user's code is selected.</summary>
    public required bool WholeProgram { get; init; }

    /// <summary>The selected methods, in the order they were named (or found).</summary>
    public required IReadOnlyList<AnalyzedMethod> Methods { get; init; }

    public required SampleTally Everything { get; init; }

    public required SampleTally InSelectedCode { get; init; }

    /// <summary>The trace's allocated types, indexed by the type ids in the tallies.</summary>
    public required IReadOnlyList<string> TypeNames { get; init; }

    /// <summary>Per module path, the PDB id of the build the process ran (<see cref="IAllocationTrace.ModuleBuilds"/>).</summary>
    public required IReadOnlyDictionary<string, Guid> ModuleBuilds { get; init; }

    /// <summary>What the reader must know about the trace (no rundown, dropped events, a damaged end).</summary>
    public required IReadOnlyList<ReportNote> Warnings { get; init; }

    /// <summary>Modules of selected methods whose PDB found here is of another build than the one the trace's process ran.</summary>
    public IReadOnlyList<(ModuleSymbols Symbols, Guid TraceBuild)> OtherBuilds { get; init; } = [];

    /// <summary>Named methods that never ran in this trace (one of several).</summary>
    public IReadOnlyList<string> AbsentMethods { get; init; } = [];

    public IReadOnlyList<LiveObject> LiveObjects { get; init; } = [];

    public RecordingTimeline? Timeline { get; init; }

    public StackProfile? Stacks { get; init; }
}

/// <summary>A selected method of one trace: its tallies and what the trace said of its code.</summary>
/// <param name="Method">The method as its module's metadata names it.</param>
/// <param name="Symbols">Its module's PDB; null only in the whole-program view with <c>--all-code</c>.</param>
/// <param name="Tallies">What it allocated, by line.</param>
/// <param name="Facts">For a named method's table; null in the whole-program view.</param>
/// <param name="OptimizedBeforeSession">Some of its code was optimized before the recording began (collect on tier-1 code).</param>
internal sealed record AnalyzedMethod(MethodIdentity Method, ModuleSymbols? Symbols, MethodLineTallies Tallies, MethodFacts? Facts, bool OptimizedBeforeSession)
{
    /// <summary>Its callees as a flame graph's tree, when gathered.</summary>
    public CallTreeNode? Callees { get; init; }

    /// <summary>The same method in another trace: its module's file name and its token (the paths differ between machines).</summary>
    public (string Module, int Token) Key { get; } = (Path.GetFileName(Method.ModulePath), Method.Token);
}

/// <summary>What a trace says of a named method's code, for its table's notes and columns.</summary>
/// <param name="Notes">How its name was taken, then where its code went.</param>
/// <param name="InlinedInto">The methods the JIT inlined it into.</param>
/// <param name="RunsPrecompiledCode">Some of its code was ReadyToRun code without an IL map.</param>
/// <param name="BoxLines">Lines that box a struct in unoptimized code (exact mode logs only some of those objects).</param>
/// <param name="HasILMaps">Some of its code came with the JIT's IL-to-native map.</param>
/// <param name="DelegateLines">Lines that combine or remove delegates (exact mode misses the delegate that makes).</param>
internal sealed record MethodFacts(IReadOnlyList<ReportNote> Notes, IReadOnlyList<InliningSite> InlinedInto, bool RunsPrecompiledCode, SortedSet<int> BoxLines, bool HasILMaps,
    SortedSet<int> DelegateLines)
{
    /// <summary>Both traces' facts: the notes and sites of either (each once), a flag set in either.</summary>
    public MethodFacts With(MethodFacts other) => new(
        [.. Notes.Union(other.Notes)],
        [.. InlinedInto.Union(other.InlinedInto)],
        RunsPrecompiledCode || other.RunsPrecompiledCode,
        [.. BoxLines.Union(other.BoxLines)],
        HasILMaps || other.HasILMaps,
        [.. DelegateLines.Union(other.DelegateLines)]);
}
