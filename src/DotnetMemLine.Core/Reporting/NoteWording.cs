using System.Globalization;

namespace DotnetMemLine.Reporting;

/// <summary>
/// The English words for every <see cref="ReportNote"/>: the one place a note's prose lives, shared by the text
/// table and the JSON. A renderer that words notes differently (shorter, another language, HTML) switches on the
/// note's type or code as this does.
/// </summary>
public static class NoteWording
{
    /// <summary>What a trace without its rundown lacks (a warning, and the start of an error that needs that code).</summary>
    public const string NoRundown =
        "the trace was cut off before its rundown (the description of the code that the runtime writes when a recording ends normally), so code compiled before the recording began is unknown";

    /// <summary>The TPL's causality events as a dotnet-trace provider, for notes on traces recorded without them.</summary>
    private static string TplCausalityProvider => $"{Collection.AllocationProviders.TplProvider}:0x{Collection.AllocationProviders.TplCausalityKeywords:X}:4";

    /// <param name="incompleteMark">How the renderer marks a lower-bound figure (the table's <c>&gt;=</c>); null when it marks them another way.</param>
    /// <param name="note">The note to word.</param>
    public static string English(ReportNote note, string? incompleteMark = null) => note switch
    {
        MethodChosenNote n => $"--method {n.Pattern}: took {n.Chosen}, the only match in the application's code (also matched: {string.Join(", ", n.OthersListed)}{(n.OthersNotListed > 0 ? $" and {n.OthersNotListed} more" : "")})",
        SourceUnreadableNote { Problem: "not found" } n => $"source file not found: {n.Path}; figures are shown without line text",
        SourceUnreadableNote n => $"source file {n.Path} is {n.Problem}; figures are shown without line text",
        SourceChangedNote n => $"source file changed since the build: {n.Path}; line text is hidden so it cannot mislead",
        NoSequencePointsNote => "the PDB has no sequence points for this method; only lines with samples are shown",
        PrecompiledCodeNote n => $"{Count(n.Samples)} samples ran in ReadyToRun (precompiled) code of {n.ModuleFileName}, for which the runtime records no IL-to-native map, "
            + $"so they are counted only in the total; to see their lines, start the target with DOTNET_ReadyToRunExcludeList={n.AssemblyName} "
            + "(the runtime then JIT-compiles that assembly; with `run`, set it in dotnet-memline's environment and the target inherits it)",
        UnplacedSamplesNote { TraceHasMaps: true } n => $"{Count(n.Samples)} samples in this method got no line: the trace's IL-to-native maps or the PDB's sequence points did not place them (the trace has maps for this code, so a damaged PDB, or not the build's own, is the likelier cause), and they are counted only in the total",
        UnplacedSamplesNote n => $"{Count(n.Samples)} samples in this method had no IL offset (the trace lacks IL-to-native maps, keyword 0x20000) and are counted only in the total",
        NestedLinesNote n => $"{Count(n.Samples)} samples count on more than one line: code written inside a line (a lambda, a local function) or called again from it (recursion) also counts on the line that ran it, so the lines add up to more than the total",
        SeveralThreadsNote n => $"this method allocated on {Count(n.Threads)} threads: the runtime does not log a thread's first object of a type that another thread logged first, "
            + "so each line may miss up to one object per thread and type",
        StructBoxesNote n => StructBoxes(n.Lines),
        DelegatesCombinedNote n => DelegatesCombined(n.Lines),
        ElsewhereNote n => $"while this method ran, {Count(n.Threads)} {(n.Threads == 1 ? "thread" : "threads")} it never ran on allocated {ByteFormat.Format(n.Bytes)} that nothing in the trace ties to it, so they are in none of its lines"
            + (n.TraceFollowsCausality
                ? " (work not started through the TPL: its own threads, ThreadPool.QueueUserWorkItem, timers; or other requests)"
                : $" (record with --async, or dotnet-trace with provider {TplCausalityProvider}, to charge what it hands to Task.Run, Parallel and PLINQ to the line that did)"),
        NoFinalGCNote => "no full GC ran after this method's last allocation (under `run` the program exits first; under `collect` the method was still allocating when its final full GC ran): "
            + "Live at end counts what survived the last GC that collected each object, so objects that died since are in it and those allocated since are not",
        NoGCWhileItHeldNote => "no GC ran after this method began allocating, so what its lines held was never seen: Peak live and Live at end are blank "
            + "(the runtime's GC budgets had grown large, or the program ended first; --gc-every 0.2 makes the program run a full GC that often, "
            + "and `collect` ends its recording with one)",
        LiveAtEndFromHeapWalkNote => "Live at end is what was still reachable when the program reached its exit: its heap was walked (--retention) "
            + "for each sampled object still followed, those allocated after the last GC included",
        NoSurvivalEventsNote => "the trace has no GC survival events, so what these lines kept alive is unknown: no GC ran while it recorded, or keyword 0x400000 (GCHeapSurvivalAndMovement) was off; with it on and a GC running, the table gets Peak live and Live at end",
        AwaitsWithoutCausalityNote n => $"{n.MethodName} awaits: what a method it awaited did after it suspended ran from the thread pool without {n.MethodName}'s frames on the stack, "
            + $"so it is in none of these lines; record with --async (the TPL's causality events; with dotnet-trace, provider {TplCausalityProvider}) to charge it to the line that awaited",
        InlinedIntoNote { Site.Line: int line } n => $"{n.Site.Inlinee} was inlined into {CSharpNames.Readable(n.Site.Method)} at line {line.ToString(CultureInfo.InvariantCulture)}; its allocations are counted on that line of {CSharpNames.Readable(n.Site.Method)}",
        InlinedIntoNote n => $"{n.Site.Inlinee} was inlined into {CSharpNames.Readable(n.Site.Method)}; its allocations there are counted on the line of {CSharpNames.Readable(n.Site.Method)} that called it, not on its own lines",
        NoCompiledCodeNote { NeverRan: true } n => $"{n.MethodName} never ran while the program was recorded: the runtime compiled no code for it and inlined it into no caller",
        NoCompiledCodeNote n => $"{n.MethodName} has no compiled code of its own in this trace: it did not run while the session recorded, "
            + "or the JIT had inlined it into its callers before the session started (the JIT reports inlining only as it compiles; "
            + "`dotnet-memline run` records it from the start)",
        InlinedBeforeSessionNote n => InlinedBeforeSession(n),
        ProgramInliningUnknownNote n => $"{Count(n.Methods)} of these methods ran code compiled before the recording began, and the JIT's inlining decisions for it are not in the trace: "
            + "what it inlined into them (a small method, a lambda, an iterator's body) counts as the calling line's self, not its own line's ('dotnet-memline run' records every decision)",
        RundownFromSnapshotWarning n => $"the trace was cut off before its rundown (the target ended abruptly); the code compiled before the recording began was read from {n.SnapshotPath}, taken at attach",
        LineMappingFailedWarning n => $"placing {n.Method}'s frames on lines failed ({n.Failure}, a defect in dotnet-memline; please report it with the trace): its lines come from the plain IL-to-native map and may be a statement off",
        NoRundownWarning => NoRundown + ": allocations made in such code are not in the lines ('run' records from the start; with 'collect', stop the recording before the target ends)",
        TraceReadWarning n => n.Problem,
        DroppedEventsWarning n => $"the runtime dropped {Count(n.DroppedEvents)} events ({Percent(n.DroppedFraction)} of the trace's events): every figure counts only the events that arrived, so it is a lower bound "
            + $"({(incompleteMark is null ? "each marked incomplete" : "marked " + incompleteMark)}); an interval's low end still holds, its high end does not. Record again with a larger --buffer-size",
        BatchedExactEventsWarning n => $"{Count(n.BatchedEvents)} allocation events stand for several objects each, so the figures are not exact: each batch is charged to the line of its last object (record with both keywords 0x200000 and 0x2000000, from startup)",
        InTraceWarning n => $"in {Path.GetFileName(n.TracePath)}: {English(n.Note, incompleteMark)}",
        TraceSkippedWarning n => $"left out, the other traces added up without it: {n.Reason}",
        MethodAbsentFromTraceNote n => $"{n.Method} never ran in this trace (nothing in it matches the name)",
        _ => note.Code,
    };

    /// <summary>A share as the reports print it: one decimal, and never a real loss rounded to 0%.</summary>
    public static string Percent(double fraction) =>
        fraction is > 0 and < 0.001 ? "under 0.1%" : (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string StructBoxes(IReadOnlyList<int> lines)
    {
        bool one = lines.Count == 1;
        return $"{(one ? "line" : "lines")} {string.Join(", ", lines)} {(one ? "boxes" : "box")} a struct in unoptimized code (tier 0 or Debug; its own code or code it calls), which boxes through the runtime's CastHelpers.Box; "
            + $"the runtime logs only some of those objects in exact mode, so {(one ? "that line" : "those lines")} likely allocated more than shown (optimized code's boxes are all logged)";
    }

    private static string DelegatesCombined(IReadOnlyList<int> lines)
    {
        bool one = lines.Count == 1;
        return $"{(one ? "line" : "lines")} {string.Join(", ", lines)} {(one ? "combines" : "combine")} or {(one ? "removes" : "remove")} delegates (`+=` or `-=` on a delegate or an event); "
            + $"the runtime logs only a few of the delegates that makes, so {(one ? "that line" : "those lines")} allocated more than shown (64 bytes per combination on x64)";
    }

    private static string InlinedBeforeSession(InlinedBeforeSessionNote n)
    {
        if (n.Callers.Count == 0 && !n.LambdasMayBeInlined)
        {
            return $"no allocation was seen in {n.MethodName}'s own frames: it allocated nothing while the session recorded, or it ran only "
                + "inlined into callers compiled before the session began (the JIT reports inlining only while a session is on; "
                + "`dotnet-memline run` records every decision)";
        }

        string noSamples = n.HasSamples ? "" : $"No allocation was seen in {n.MethodName}'s own frames. ";
        string calledFrom = n.Callers.Count > 0 ? $"{n.MethodName} is called from code compiled before the session began: {string.Join(", ", n.Callers.Select(CSharpNames.Readable))}. " : "";
        string lambdas = n.LambdasMayBeInlined ? "Its lambdas and local functions may have been inlined into their callers (a LINQ operator, say) before the session began. " : "";
        return noSamples + calledFrom + lambdas
            + "The JIT's inlining decisions for code compiled before the session are not in the trace: what it inlined counts on the caller's line, not here. "
            + "`dotnet-memline run` records every inlining decision";
    }
}
