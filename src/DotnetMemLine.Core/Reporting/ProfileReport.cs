namespace DotnetMemLine.Reporting;

/// <summary>
/// The finished profile: the single model every renderer reads (text table, JSON).
/// Its JSON shape is a public contract, documented in docs/json-schema.md.
/// </summary>
/// <param name="AllocationSamples">Allocation events in the trace; in exact mode one per recorded object (or batch).</param>
/// <param name="Exact">True for exact mode (<c>run --exact</c>): figures are exact sums with object counts, not estimates.</param>
/// <param name="DroppedEventFraction">The share of the trace's events (all kinds) the runtime lost: <c>DroppedEvents / (DroppedEvents + events read)</c>.</param>
/// <param name="AsyncCausality">
/// The trace has the TPL's causality events (<c>--async</c>): what ran after an await or in work handed to another
/// thread is charged to the line that awaited or queued it.
/// </param>
/// <param name="FollowsLifetimes">
/// The trace has the GC's survival and movement events: sampled objects were followed until they died, and the
/// live figures (<see cref="LineReport.PeakLive"/>, <see cref="LineReport.LiveAtEnd"/>) are known.
/// </param>
/// <param name="SchemaVersion">The JSON schema's version (<see cref="CurrentSchemaVersion"/>).</param>
/// <param name="TracePath">The trace analyzed.</param>
/// <param name="DurationSeconds">How long the recording ran.</param>
/// <param name="DroppedEvents">Events the runtime lost; every figure is then a lower bound.</param>
/// <param name="Estimator">How the figures were computed, in a phrase for the header.</param>
/// <param name="EstimatorBiased">The figures are biased (AllocationTick, or exact-mode events the runtime batched).</param>
/// <param name="Methods">One table per selected method.</param>
/// <param name="Warnings">What the reader must know about the whole trace.</param>
public sealed record ProfileReport(
    int SchemaVersion,
    string TracePath,
    double DurationSeconds,
    long AllocationSamples,
    long DroppedEvents,
    string Estimator,
    bool EstimatorBiased,
    IReadOnlyList<MethodReport> Methods,
    IReadOnlyList<ReportNote> Warnings,
    bool Exact = false,
    double DroppedEventFraction = 0,
    bool AsyncCausality = false,
    bool FollowsLifetimes = false)
{
    /// <summary>The JSON schema version this build writes (docs/json-schema.md).</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>
    /// With <c>--retention</c>: the sampled objects of the selected methods still alive when the recording ended, where they
    /// are in the live process, for the heap walk that tells who holds them. Not rendered.
    /// </summary>
    public IReadOnlyList<LiveObject> LiveObjects { get; init; } = [];

    /// <summary>Without <c>--method</c>: the lines and methods of the user's code that allocated the most; null when methods were named.</summary>
    public ProgramReport? Program { get; init; }

    /// <summary>Each trace analyzed, with its own figures: one, or the traces of several instances added up as this report.</summary>
    public IReadOnlyList<TraceBreakdown> Traces { get; init; } = [];

    /// <summary>Every allocation's whole stack, for profile formats (pprof); null unless asked for. Not in the JSON.</summary>
    public StackProfile? Stacks { get; init; }

    /// <summary>The recording over time (GCs, allocation rate, when the methods ran), for renderers that draw it; not in the JSON.</summary>
    public RecordingTimeline? Timeline { get; init; }

    /// <summary>With <c>--retention</c>: how the heap walk went; null when none was made.</summary>
    public RetentionSummary? Retention { get; init; }

    /// <summary>How the runtime buffered the session's events, when this tool recorded it (collect, run); null for a saved trace, which does not say.</summary>
    public SessionBuffering? Buffering { get; init; }

    /// <summary>
    /// True when the runtime dropped events: every figure then counts only the events that arrived,
    /// so it is a lower bound (an interval's low end still holds, its high end does not). Nothing is scaled up.
    /// </summary>
    public bool Incomplete => DroppedEvents > 0;
}

/// <summary>The per-line table of one selected method.</summary>
/// <param name="Name">Full name with parameters, e.g. <c>Ns.Type.Method(int, string)</c>.</param>
/// <param name="SourceFile">The source file the PDB names, or null without symbols.</param>
/// <param name="TotalAllocated">Everything allocated while the method was on the stack.</param>
/// <param name="UnattributedSamples">Samples in the method whose IL offset could not be mapped to a line.</param>
/// <param name="Notes">Things the reader must know about this table (missing source, edited file...).</param>
/// <param name="Lines">Every line from the signature to the closing brace, with lines that have samples outside that span.</param>
public sealed record MethodReport(
    string Name,
    string? SourceFile,
    EstimateReport? TotalAllocated,
    long UnattributedSamples,
    IReadOnlyList<LineReport> Lines,
    IReadOnlyList<ReportNote> Notes)
{
    /// <summary>The GC heap measured at the GCs that began while the method ran; null when none did (or the trace has no GC events).</summary>
    public GCHeapReport? HeapAtGCs { get; init; }

    /// <summary>The GC heap's largest size at the start of a GC that began while the method ran; null when none did.</summary>
    public long? PeakHeapBytes => HeapAtGCs?.PeakBytes;

    /// <summary>The most of the method's allocations seen alive at one GC: what it held at once; null when unknown.</summary>
    public EstimateReport? TotalPeakLive { get; init; }

    /// <summary>What the method allocated that was still alive when the recording ended; null when unknown.</summary>
    public EstimateReport? TotalLiveAtEnd { get; init; }

    /// <summary>What the method and its callees allocated, by call path (a flame graph's data); null when not gathered. Not in the JSON.</summary>
    public CallTreeNode? Callees { get; init; }

    /// <summary>Where the JIT inlined this method during the session: its allocations there count on the caller's line.</summary>
    public IReadOnlyList<InliningSite> InlinedInto { get; init; } = [];
}

/// <summary>A method that received an inlined copy of the selected method, and the line of the call it replaced.</summary>
/// <param name="Method">The caller, as the runtime names it (<c>Ns.Type.Method</c>).</param>
/// <param name="SourceFile">The caller's source file, or null without its PDB.</param>
/// <param name="Line">The line of the call, or null when it cannot be found (no PDB, or inlined through another inlined method).</param>
public sealed record InliningSite(string Method, string? SourceFile, int? Line)
{
    /// <summary>What was inlined: the method itself, or code written in it ("the body of X (its state machine's MoveNext)").</summary>
    public string Inlinee { get; init; } = "";
}

/// <summary>
/// The GC heap as the runtime measured it at the GCs that began while a method ran (garbage included; a GC begins
/// on the thread whose allocation triggered it, and that thread's last allocation tells what it was running).
/// </summary>
/// <param name="GCs">How many GCs began while the method ran.</param>
/// <param name="PeakBeforeBytes">The largest size when one of them began; null when the trace lacks the sizes before a GC (GCPerHeapHistory).</param>
/// <param name="PeakAfterBytes">The largest size when one of them ended.</param>
public sealed record GCHeapReport(int GCs, long? PeakBeforeBytes, long PeakAfterBytes)
{
    /// <summary>The peak shown: the size at a GC's start, or after it when the sizes before are unknown.</summary>
    public long PeakBytes => PeakBeforeBytes ?? PeakAfterBytes;
}

/// <summary>A sampled object still alive at the end of the recording, charged to a line of selected method <paramref name="Method"/>.</summary>
/// <param name="Method">Index into <see cref="ProfileReport.Methods"/>.</param>
/// <param name="Line">The line it is charged to (an object can be on several lines: one entry each).</param>
/// <param name="Address">Where it is now, every move of a compacting GC followed.</param>
/// <param name="TypeHandle">Its type's MethodTable address in the traced process; 0 when unknown.</param>
/// <param name="TypeName">Its type as the runtime named it.</param>
/// <param name="Bytes">What it stands for: the estimator's weight (sampled) or its size (exact).</param>
public sealed record LiveObject(int Method, int Line, ulong Address, ulong TypeHandle, string TypeName, double Bytes)
{
    /// <summary>It survived a GC: it is in <see cref="LineReport.LiveAtEnd"/>. One allocated after the last GC is not (no GC has seen it).</summary>
    public bool SurvivedAGC { get; init; } = true;

    /// <summary>Its size, the offset of its sampled byte and the objects it stands for: what its estimator needs.</summary>
    public (long ObjectSize, long SampledByteOffset, long ObjectCount) Sample { get; init; }
}

/// <summary>How the heap walk behind <c>--retention</c> went.</summary>
/// <param name="SuspendedSeconds">How long the target was suspended for it.</param>
/// <param name="ObjectsSought">Sampled objects alive at the end that were looked for.</param>
/// <param name="ObjectsFound">Of those, found at their address with their type.</param>
/// <param name="Problem">Why the walk could not be made (the target exited, attaching was refused); null when it was.</param>
public sealed record RetentionSummary(double SuspendedSeconds, int ObjectsSought, int ObjectsFound, string? Problem = null);

/// <summary>One kind of path by which a GC root holds objects of a line: <c>static Cache.s_vectors -> List&lt;float[]&gt; -> float[]</c>.</summary>
/// <param name="Path">The root, then each object's type down to the line's object.</param>
/// <param name="Bytes">The line's objects held this way (estimate when sampled).</param>
/// <param name="Objects">Sampled objects held this way.</param>
public sealed record RetentionPath(string Path, double Bytes, int Objects);

/// <summary>One source line: blank figures (nulls) when nothing was observed on it.</summary>
/// <param name="Line">The line number in <see cref="MethodReport.SourceFile"/>.</param>
/// <param name="Text">The line's source text, or null when the source cannot be read.</param>
/// <param name="Allocated">What was allocated while the line ran; null when nothing was observed.</param>
/// <param name="PeakHeapBytes">The GC heap's largest size at the start of a GC that began while the line ran; null when none did.</param>
public sealed record LineReport(int Line, string? Text, EstimateReport? Allocated, long? PeakHeapBytes)
{
    /// <summary>
    /// The part of <see cref="Allocated"/> that may belong to <see cref="SharedWith"/> instead: optimized code
    /// where one native range holds several statements and the calls made there do not tell them apart.
    /// Null when the whole figure is the line's own.
    /// </summary>
    public EstimateReport? SharedPart { get; init; }

    /// <summary>The other lines <see cref="SharedPart"/> may belong to; empty when none.</summary>
    public IReadOnlyList<int> SharedWith { get; init; } = [];

    /// <summary>
    /// The part of <see cref="Allocated"/> made by work the line handed to other threads (<c>Task.Run</c>,
    /// <c>Parallel</c>, PLINQ), tied to it by the trace's causality events (<c>--async</c>); null for none.
    /// </summary>
    public EstimateReport? HandedOffPart { get; init; }

    /// <summary>How many threads ran <see cref="HandedOffPart"/>; 0 for none.</summary>
    public int HandedOffThreads { get; init; }

    /// <summary>The most of the line's allocations seen alive at one GC: what the line held at once; null when none or unknown.</summary>
    public EstimateReport? PeakLive { get; init; }

    /// <summary>What the line allocated that was still alive when the recording ended; null when none or unknown.</summary>
    public EstimateReport? LiveAtEnd { get; init; }

    /// <summary>What <see cref="Allocated"/> is made of, by type, most bytes first (at most <see cref="TypeShare.Listed"/>).</summary>
    public IReadOnlyList<TypeShare> Types { get; init; } = [];

    /// <summary>With <c>--retention</c>: the shortest paths from GC roots that hold the line's live objects, most bytes first.</summary>
    public IReadOnlyList<RetentionPath> RetainedBy { get; init; } = [];

    /// <summary>With <c>--retention</c>: bytes of the line's live objects held by other paths than <see cref="RetainedBy"/>'s.</summary>
    public double RetentionOtherPathsBytes { get; init; }

    /// <summary>With <c>--retention</c>: bytes of the line's GC survivors not found held (moved or freed since the last GC).</summary>
    public double RetentionNotFoundBytes { get; init; }
}

/// <summary>An estimate of allocated bytes with its 95% interval and the samples behind it.</summary>
/// <param name="Objects">Exact mode: the objects allocated; null for sampled estimates.</param>
/// <param name="LowConfidence">Fewer than 100 samples (but some): the point is rough, read the interval. Never in exact mode.</param>
/// <param name="Bytes">The estimate (or in exact mode the sum) of allocated bytes.</param>
/// <param name="HighBytes">The 95% interval's high end (the sum itself in exact mode).</param>
/// <param name="LowBytes">The 95% interval's low end (the sum itself in exact mode).</param>
/// <param name="Samples">The allocation events behind the figure.</param>
public sealed record EstimateReport(double Bytes, double LowBytes, double HighBytes, long Samples, long? Objects = null, bool LowConfidence = false);

/// <summary>A box of a flame graph: a method on a call path and what was allocated under it (estimated when sampled).</summary>
/// <param name="Method">The method, as C# names it.</param>
/// <param name="Bytes">What was allocated while it ran on this path.</param>
/// <param name="Children">The methods it called on this path, most bytes first.</param>
public sealed record CallTreeNode(string Method, double Bytes, IReadOnlyList<CallTreeNode> Children);

/// <summary>One trace of the report, with its own figures (several traces are added up line by line in the tables).</summary>
/// <param name="TracePath">The trace.</param>
/// <param name="DurationSeconds">How long its recording ran.</param>
/// <param name="AllocationEvents">Its allocation events.</param>
/// <param name="DroppedEvents">Events its runtime lost.</param>
/// <param name="Everything">Everything it allocated; null when nothing.</param>
/// <param name="Methods">What each selected method allocated in it (without <c>--method</c>, the user's methods that allocated).</param>
/// <param name="Notes">What it lacked: methods that never ran in it, and (with several traces) its warnings.</param>
public sealed record TraceBreakdown(string TracePath, double DurationSeconds, long AllocationEvents, long DroppedEvents, EstimateReport? Everything,
    IReadOnlyList<TraceMethodTotal> Methods, IReadOnlyList<ReportNote> Notes)
{
    /// <summary>When its recording began (UTC, from its header); null when the trace does not say.</summary>
    public DateTime? StartedUtc { get; init; }
}

/// <summary>A method's total in one trace.</summary>
/// <param name="Name">Its name, as in its table.</param>
/// <param name="Allocated">Everything allocated while it ran; null when nothing.</param>
public sealed record TraceMethodTotal(string Name, EstimateReport? Allocated);
