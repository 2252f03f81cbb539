namespace DotnetMemLine.Reporting;

/// <summary>How much a note matters: a method's note qualifies its table; a warning qualifies the whole report.</summary>
public enum NoteSeverity
{
    /// <summary>Qualifies one method's table.</summary>
    Info,
    /// <summary>Qualifies the whole report.</summary>
    Warning,
}

/// <summary>
/// Something the reader of a report must know, as data: a stable <see cref="Code"/> and the facts it carries.
/// The analysis says what happened; each renderer words it (<see cref="NoteWording"/> has the English every
/// renderer shares today). Tests match the type or the code, never the prose.
/// </summary>
public abstract record ReportNote
{
    /// <summary>A stable kebab-case name for the kind of note (<c>source-changed</c>), for programs and tests.</summary>
    public abstract string Code { get; }

    /// <summary>Whether the note is about one table or the whole report.</summary>
    public virtual NoteSeverity Severity => NoteSeverity.Info;

    /// <summary>The English wording (<see cref="NoteWording.English"/>).</summary>
    public sealed override string ToString() => NoteWording.English(this);
}

// ---- Notes on a method's table ----

/// <summary><c>--method</c> matched several methods and only one is the application's own: that one was taken.</summary>
public sealed record MethodChosenNote(string Pattern, string Chosen, IReadOnlyList<string> OthersListed, int OthersNotListed) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "method-chosen";
}

/// <summary>The method's source file could not be read (<paramref name="Problem"/>: "not found", "a directory", ...).</summary>
public sealed record SourceUnreadableNote(string Path, string Problem) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "source-unreadable";
}

/// <summary>The source file differs from the one the PDB was built from: its text is hidden.</summary>
public sealed record SourceChangedNote(string Path) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "source-changed";
}

/// <summary>The PDB has no sequence points for the method: only lines with samples are listed.</summary>
public sealed record NoSequencePointsNote : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "no-sequence-points";
}

/// <summary>Samples in ReadyToRun code, which has no IL-to-native map, and how to see their lines.</summary>
public sealed record PrecompiledCodeNote(long Samples, string ModuleFileName, string AssemblyName) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "precompiled-code";
}

/// <summary>
/// Samples in the method that got no line: <paramref name="TraceHasMaps"/> says whether the trace had IL-to-native
/// maps for the code (then the PDB is the likelier cause) or lacked them (the keyword was off).
/// </summary>
public sealed record UnplacedSamplesNote(long Samples, bool TraceHasMaps) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => TraceHasMaps ? "unplaced-samples" : "no-il-maps";
}

/// <summary>Samples counted on more than one line (lambdas, local functions, recursion): the lines add up to more than the total.</summary>
public sealed record NestedLinesNote(long Samples) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "nested-lines";
}

/// <summary>
/// While the method ran (from its first allocation to its last), threads it never ran on allocated
/// <paramref name="Bytes"/> that no causal link in the trace ties to it, so they are in none of its lines.
/// </summary>
/// <param name="TraceFollowsCausality">The trace has the TPL's causality events (<c>--async</c>): the threads' work was not started through the TPL.</param>
/// <param name="Bytes">The estimate of what they allocated.</param>
/// <param name="Threads">How many threads.</param>
public sealed record ElsewhereNote(double Bytes, int Threads, bool TraceFollowsCausality) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "allocations-elsewhere";
}

/// <summary>
/// No GC reported its survivors after the method began allocating (the runtime's budgets had grown large, or the
/// program ended first): what its lines held was never seen, so Peak live and Live at end are blank.
/// </summary>
public sealed record NoGCWhileItHeldNote : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "no-gc-after-it-ran";
}

/// <summary>
/// <c>run --retention</c>: Live at end is what the heap walk found still reachable when the program reached its exit, not
/// what survived the last GC (no GC could end the recording: the runtime ends the session first).
/// </summary>
public sealed record LiveAtEndFromHeapWalkNote : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "live-at-end-from-heap-walk";
}

/// <summary>
/// No full GC ran after the method's last allocation (under run the program exits first; under collect the method was still
/// allocating when the final full GC ran; or the trace was recorded without one):
/// Live at end is what survived the last GC that collected each object, not what the program held at the end.
/// </summary>
public sealed record NoFinalGCNote : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "no-final-gc";
}

/// <summary>The trace lacks the GC's survival and movement events: what the lines kept alive is unknown.</summary>
public sealed record NoSurvivalEventsNote : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "no-survival-events";
}

/// <summary>
/// The method awaits, and the trace lacks the TPL's causality events: what the methods it awaited did after they
/// suspended ran with none of its frames on the stack, so it is in none of its lines.
/// </summary>
public sealed record AwaitsWithoutCausalityNote(string MethodName) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "awaits-without-causality";
}

/// <summary>Exact mode on several threads: each line may miss one object per thread and type.</summary>
public sealed record SeveralThreadsNote(long Threads) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "several-threads";
}

/// <summary>Exact mode: lines that box structs in unoptimized code, whose boxes the runtime logs only in part.</summary>
public sealed record StructBoxesNote(IReadOnlyList<int> Lines) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "struct-boxes";
}

/// <summary>Exact mode: lines that combine or remove delegates, whose combined delegates the runtime does not log.</summary>
public sealed record DelegatesCombinedNote(IReadOnlyList<int> Lines) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "delegates-combined";
}

/// <summary>The JIT inlined the method (or code written in it) into a caller during the session.</summary>
public sealed record InlinedIntoNote(InliningSite Site) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "inlined-into";
}

/// <summary>The method has no compiled code of its own in the trace.</summary>
/// <param name="MethodName">The method's name.</param>
/// <param name="NeverRan">
/// No optimized code was compiled before the recording began (so nothing could have inlined it unseen), and the trace
/// names every method that had code: the method never ran.
/// </param>
public sealed record NoCompiledCodeNote(string MethodName, bool NeverRan = false) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "no-compiled-code";
}

/// <summary>
/// A trace begun while the code ran (<c>collect</c>): callers compiled before the session may hold inlined copies
/// of the method or of its lambdas, which the trace cannot show. <paramref name="Callers"/> name them, with their
/// lines where the PDB tells.
/// </summary>
public sealed record InlinedBeforeSessionNote(string MethodName, bool HasSamples, IReadOnlyList<string> Callers, bool LambdasMayBeInlined) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "inlined-before-session";
}

// ---- Notes on the whole-program view ----

/// <summary>
/// Some of the user's code that allocated ran optimized code compiled before the recording began: what the JIT inlined
/// into it then (a method, a lambda, an iterator) counts on the caller's line, as the trace does not say.
/// </summary>
/// <param name="Methods">How many such methods allocated.</param>
public sealed record ProgramInliningUnknownNote(int Methods) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "program-inlining-unknown";
}

// ---- Warnings on the whole report ----

/// <summary>The trace lacked its rundown; the snapshot taken at attach stood in for it.</summary>
public sealed record RundownFromSnapshotWarning(string SnapshotPath) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "rundown-from-snapshot";

    /// <inheritdoc/>
    public override NoteSeverity Severity => NoteSeverity.Warning;
}

/// <summary>
/// dotnet-memline's rules for placing frames on IL failed on a method's code (a defect: <paramref name="Failure"/> is
/// the exception's type): its frames took the line of the IL-to-native map entry they are stopped in, which may be a
/// statement off, instead of losing the analysis.
/// </summary>
public sealed record LineMappingFailedWarning(string Method, string Failure) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "line-mapping-failed";

    /// <inheritdoc/>
    public override NoteSeverity Severity => NoteSeverity.Warning;
}

/// <summary>The trace was cut off before its rundown: code compiled before the recording is unknown.</summary>
public sealed record NoRundownWarning : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "no-rundown";

    /// <inheritdoc/>
    public override NoteSeverity Severity => NoteSeverity.Warning;
}

/// <summary>The decoder met something it could not read and went on (its own description).</summary>
public sealed record TraceReadWarning(string Problem) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "trace-read-problem";

    /// <inheritdoc/>
    public override NoteSeverity Severity => NoteSeverity.Warning;
}

/// <summary>The runtime dropped events: every figure is a lower bound.</summary>
public sealed record DroppedEventsWarning(long DroppedEvents, double DroppedFraction) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "dropped-events";

    /// <inheritdoc/>
    public override NoteSeverity Severity => NoteSeverity.Warning;
}

/// <summary>Exact-mode events that stand for several objects each: the figures are not exact.</summary>
public sealed record BatchedExactEventsWarning(long BatchedEvents) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "batched-exact-events";

    /// <inheritdoc/>
    public override NoteSeverity Severity => NoteSeverity.Warning;
}

/// <summary>One of several traces analyzed as one had this warning (<paramref name="Note"/>): the warning names it.</summary>
public sealed record InTraceWarning(string TracePath, ReportNote Note) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => Note.Code;

    /// <inheritdoc/>
    public override NoteSeverity Severity => NoteSeverity.Warning;
}

/// <summary>One of several traces analyzed as one: a named method never ran in it, so it adds nothing to that method's table.</summary>
public sealed record MethodAbsentFromTraceNote(string Method) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "method-absent-from-trace";
}

/// <summary>One of several traces analyzed as one could not be read, or lacked what the tables need (<paramref name="Reason"/> names it): the others were added up without it.</summary>
public sealed record TraceSkippedWarning(string Reason) : ReportNote
{
    /// <inheritdoc/>
    public override string Code => "trace-skipped";

    /// <inheritdoc/>
    public override NoteSeverity Severity => NoteSeverity.Warning;
}
