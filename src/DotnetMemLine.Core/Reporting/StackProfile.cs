namespace DotnetMemLine.Reporting;

/// <summary>
/// Every allocation of the trace with its whole stack, each frame resolved to its function and line: what a
/// profile format such as pprof holds (<c>--format pprof</c>). Identical stacks of the same type are one sample.
/// </summary>
/// <param name="Functions">The functions frames are in, indexed by <see cref="ProfiledLine.Function"/>.</param>
/// <param name="Locations">The distinct frames, indexed by <see cref="ProfiledSample.Locations"/>.</param>
/// <param name="Samples">One per distinct stack and allocated type.</param>
/// <param name="HasLiveFigures">The trace followed objects through the GCs: each sample says what of it is still alive at the end.</param>
/// <param name="EventKind">What the figures are: <c>sampled</c> (estimates from AllocationSampled), <c>tick</c> (AllocationTick) or <c>exact</c>.</param>
/// <param name="MeanSamplingDistance">Bytes allocated per event on average: 1 in exact mode.</param>
public sealed record StackProfile(
    IReadOnlyList<ProfiledFunction> Functions,
    IReadOnlyList<ProfiledLocation> Locations,
    IReadOnlyList<ProfiledSample> Samples,
    bool HasLiveFigures,
    string EventKind,
    long MeanSamplingDistance)
{
    /// <summary>When the (earliest) recording began, UTC; null when unknown.</summary>
    public DateTime? StartedUtc { get; init; }
}

/// <summary>A function of the profile.</summary>
/// <param name="Name">For the user's code the written method (a lambda's and a state machine's code is its method's), C#-style; otherwise the runtime's type and method name.</param>
/// <param name="SystemName">For the user's code the name with its parameters; otherwise the runtime's name of the method.</param>
/// <param name="SourceFile">Its source file as the PDB names it; null without one.</param>
/// <param name="StartLine">The line of its signature; 0 when unknown.</param>
public sealed record ProfiledFunction(string Name, string SystemName, string? SourceFile, int StartLine);

/// <summary>One distinct frame: its lines, the innermost first (code the JIT inlined at the frame's call), the frame's own line last.</summary>
/// <param name="Lines">At least one.</param>
public sealed record ProfiledLocation(IReadOnlyList<ProfiledLine> Lines);

/// <summary>A function and a line in it; line 0 when the frame has none (no PDB, or a line the tables do not charge).</summary>
/// <param name="Function">Index into <see cref="StackProfile.Functions"/>.</param>
/// <param name="Line">The source line; 0 for none.</param>
public readonly record struct ProfiledLine(int Function, int Line);

/// <summary>What one stack allocated of one type.</summary>
/// <param name="Locations">Indexes into <see cref="StackProfile.Locations"/>, the allocating frame first.</param>
/// <param name="Objects">Objects allocated (estimated when sampled).</param>
/// <param name="Bytes">Bytes allocated (estimated when sampled: the sum of the events' weights, as the tables add them).</param>
/// <param name="TypeName">The allocated type as the runtime names it; empty when the trace does not say.</param>
public sealed record ProfiledSample(IReadOnlyList<int> Locations, double Objects, double Bytes, string TypeName)
{
    /// <summary>Of <see cref="Objects"/>, those still alive at the end: they survived every GC that collected them, and one at least (the tables' Live at end).</summary>
    public double LiveObjects { get; init; }

    /// <summary>Of <see cref="Bytes"/>, those still alive at the end.</summary>
    public double LiveBytes { get; init; }
}
