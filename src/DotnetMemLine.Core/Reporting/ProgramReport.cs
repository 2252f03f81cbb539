namespace DotnetMemLine.Reporting;

/// <summary>
/// The whole program at a glance, when no method was named: the lines and methods of the user's code that allocated
/// the most, each with its "self" figure (the allocations it made, itself or through library and framework code it
/// called) and its "inclusive" one (everything allocated while it ran, the user's code it called included).
/// </summary>
/// <param name="Everything">Every allocation in the trace; null when there is none.</param>
/// <param name="InUserCode">The allocations made while the user's code was on the stack; null when none.</param>
/// <param name="Lines">The lines with the most self bytes, most first.</param>
/// <param name="Methods">The methods during which the most was allocated (inclusive), most first: the tables worth reading.</param>
/// <param name="UserModules">The modules counted as the user's code that have a PDB (file names).</param>
public sealed record ProgramReport(
    EstimateReport? Everything,
    EstimateReport? InUserCode,
    IReadOnlyList<HotLine> Lines,
    IReadOnlyList<HotMethod> Methods,
    IReadOnlyList<string> UserModules)
{
    /// <summary>Every module counted as the user's code (<c>--all-code</c>): library and framework methods are listed too, those without a PDB with no line.</summary>
    public bool AllCode { get; init; }

    /// <summary>What the reader must know about these lists.</summary>
    public IReadOnlyList<ReportNote> Notes { get; init; } = [];

    /// <summary>How many lines and methods are listed unless asked otherwise (<c>--top</c>).</summary>
    public const int DefaultTop = 10;
}

/// <summary>A line of the user's code in the whole-program view.</summary>
/// <param name="Method">The method the line is in (a lambda's or local function's line is in the method that declares it), C#-style with parameters.</param>
/// <param name="SourceFile">The source file, as the PDB names it.</param>
/// <param name="Line">The line number.</param>
/// <param name="Text">The line's source text; null when the file cannot be read.</param>
/// <param name="Self">What the line allocated as the innermost line of the user's code (directly or in the library code it called).</param>
/// <param name="Inclusive">Everything allocated while the line ran, the user's methods it called included.</param>
public sealed record HotLine(string Method, string? SourceFile, int Line, string? Text, EstimateReport Self, EstimateReport Inclusive)
{
    /// <summary>What <see cref="Self"/> is made of, by type, most first (<see cref="TypeShare"/>).</summary>
    public IReadOnlyList<TypeShare> Types { get; init; } = [];
}

/// <summary>A method of the user's code in the whole-program view.</summary>
/// <param name="Name">Full name with parameters, e.g. <c>Ns.Type.Method(int, string)</c>.</param>
/// <param name="SourceFile">Its source file; null without sequence points.</param>
/// <param name="FirstLine">The line of its signature; null without sequence points.</param>
/// <param name="Self">What it allocated as the innermost of the user's code on the stack; null when nothing.</param>
/// <param name="Inclusive">Everything allocated while it ran.</param>
public sealed record HotMethod(string Name, string? SourceFile, int? FirstLine, EstimateReport? Self, EstimateReport Inclusive);

/// <summary>One type of what a line allocated.</summary>
/// <param name="TypeName">The type as the runtime names it (<c>System.Byte[]</c>); empty when the trace does not say.</param>
/// <param name="Allocated">Its bytes (an estimate when sampled).</param>
/// <param name="Share">Its share of the line's bytes, 0 to 1.</param>
public sealed record TypeShare(string TypeName, EstimateReport Allocated, double Share)
{
    /// <summary>How many types a line lists, most bytes first; the rest is left out.</summary>
    public const int Listed = 5;
}
