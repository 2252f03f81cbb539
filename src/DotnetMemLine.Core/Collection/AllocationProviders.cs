using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace DotnetMemLine.Collection;

/// <summary>The EventPipe configuration dotnet-memline records with (see docs/how-it-works.md).</summary>
public static class AllocationProviders
{
    /// <summary>The runtime's event provider.</summary>
    public const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";

    // Keywords of Microsoft-Windows-DotNETRuntime.
    /// <summary>GC events: heap sizes after each collection, AllocationTick.</summary>
    public const long GCKeyword = 0x1;                       // GC start/end, heap stats; AllocationTick at level 5
    /// <summary>Module loads: where each module's file is.</summary>
    public const long LoaderKeyword = 0x8;                   // module loads: which file, which PDB
    /// <summary>Method loads: where each compiled body is.</summary>
    public const long JitKeyword = 0x10;                     // method load events: native code ranges
    /// <summary>The JIT's inlining decisions.</summary>
    public const long JitTracingKeyword = 0x1000;            // the JIT's inlining decisions: where inlined methods went
    /// <summary>Each compiled body's IL-to-native map.</summary>
    public const long ILToNativeMapKeyword = 0x20000;        // native offset -> IL offset, per code version
    /// <summary>.NET 10's AllocationSampled event: randomized allocation sampling.</summary>
    public const long AllocationSamplingKeyword = 0x80000000000; // AllocationSampled (.NET 10+)
    /// <summary>Type descriptions (BulkType); without it the runtime drops the first allocation of each type on each thread.</summary>
    public const long TypeKeyword = 0x80000;                 // BulkType; without it the runtime drops the first allocation of each type on each thread
    /// <summary>One of the two keywords of exact mode (GCSampledObjectAllocation, high).</summary>
    public const long SampledObjectAllocationHighKeyword = 0x200000;  // GCSampledObjectAllocation, ...
    /// <summary>One of the two keywords of exact mode (GCSampledObjectAllocation, low).</summary>
    public const long SampledObjectAllocationLowKeyword = 0x2000000;  // ... with both High and Low: one event per object
    /// <summary>GCHeapSurvivalAndMovement: at each GC, the address ranges that survived and where compaction moved them.</summary>
    public const long SurvivalKeyword = 0x400000;            // GCBulkSurvivingObjectRanges, GCBulkMovedObjectRanges
    /// <summary>GCHeapCollect: a session that enables it makes the runtime run a blocking generation-2 GC (dotnet-gcdump's way).</summary>
    public const long HeapCollectKeyword = 0x800000;
    /// <summary>GCHeapAndTypeNames: BulkType events carry each type's name (exact mode's allocation events carry only an id).</summary>
    public const long TypeNamesKeyword = 0x1000000;          // GCHeapAndTypeNames: BulkType carries each type's name (exact mode's events carry only an id)

    /// <summary>
    /// Both allocation keywords: .NET 10+ emits AllocationSampled and suppresses AllocationTick, older
    /// runtimes ignore the unknown keyword and emit AllocationTick, so one configuration serves both.
    /// </summary>
    public const long Keywords = GCKeyword | LoaderKeyword | JitKeyword | JitTracingKeyword | ILToNativeMapKeyword | AllocationSamplingKeyword | SurvivalKeyword;

    /// <summary>
    /// Exact mode (<c>run --exact</c>): GCSampledObjectAllocation for every object instead of
    /// AllocationSampled. The runtime reads these keywords only at startup (they switch every
    /// allocation to a slow path that logs it), so they work only for a session open before the
    /// program runs. AllocationSampling is left out: its samples would add nothing to an exact count.
    /// </summary>
    public const long ExactKeywords = GCKeyword | LoaderKeyword | JitKeyword | JitTracingKeyword | ILToNativeMapKeyword | SurvivalKeyword
        | TypeKeyword | TypeNamesKeyword | SampledObjectAllocationHighKeyword | SampledObjectAllocationLowKeyword;

    /// <summary>The TPL's event source: its causality events tie an await's continuation and a queued delegate to the code that caused them.</summary>
    public const string TplProvider = "System.Threading.Tasks.TplEventSource";

    /// <summary>
    /// TplEventSource's AsyncCausalityOperation (0x8: a task's creation and end) and
    /// AsyncCausalitySynchronousWork (0x20: each stretch of a task's code a thread runs). Nothing else of
    /// the TPL: its Tasks and TaskTransfer keywords add wait events the analysis does not need.
    /// </summary>
    public const long TplCausalityKeywords = 0x8 | 0x20;

    /// <summary>The same providers as a dotnet-trace <c>--providers</c> argument.</summary>
    public static string DotnetTraceProvidersArgument => ProvidersArgument(Keywords);

    /// <summary>The providers of <c>--async</c> as a dotnet-trace <c>--providers</c> argument: the runtime's and the TPL's causality events.</summary>
    public static string DotnetTraceAsyncProvidersArgument => $"{ProvidersArgument(Keywords)},{TplProvider}:0x{TplCausalityKeywords:X}:4";

    /// <summary>Exact mode's providers as a dotnet-trace <c>--providers</c> argument (for <c>dotnet-trace collect -- cmd</c>).</summary>
    public static string DotnetTraceExactProvidersArgument => ProvidersArgument(ExactKeywords);

    /// <param name="exact">True for exact mode's keywords (<see cref="ExactKeywords"/>).</param>
    /// <param name="bufferSizeMB">The session's buffer in MB (<c>--buffer-size</c>).</param>
    /// <param name="causality">Also the TPL's causality events (<see cref="TplCausalityKeywords"/>): <c>--async</c>.</param>
    /// <param name="lifetimes">The GC's survival and movement events (<see cref="SurvivalKeyword"/>); off with <c>--no-lifetimes</c>.</param>
    /// <param name="lossless">
    /// Ask for a lossless session (<c>--buffering-mode block</c>, .NET 11): the runtime makes a thread wait for room in the
    /// buffer instead of dropping its events. <see cref="TraceRecorder"/> falls back to the lossy buffer on older runtimes.
    /// </param>
    public static EventPipeSessionConfiguration SessionConfiguration(int bufferSizeMB, bool exact = false, bool causality = false, bool lifetimes = true, bool lossless = false)
    {
        long keywords = (exact ? ExactKeywords : Keywords) & (lifetimes ? ~0L : ~SurvivalKeyword);
        EventPipeProvider[] providers = causality
            ? [new EventPipeProvider(RuntimeProvider, EventLevel.Verbose, keywords), new EventPipeProvider(TplProvider, EventLevel.Informational, TplCausalityKeywords)]
            : [new EventPipeProvider(RuntimeProvider, EventLevel.Verbose, keywords)];
        return lossless
            ? new(providers, bufferSizeMB, DefaultRundownKeyword, requestStackwalk: true, EventPipeBufferingMode.Block)
            : new(providers, bufferSizeMB, requestRundown: true, requestStackwalk: true);
    }

    /// <summary>
    /// The rundown keywords the client library sends for <c>requestRundown: true</c> (its own constant is internal), needed
    /// to spell the constructor that takes a buffering mode.
    /// </summary>
    private const long DefaultRundownKeyword = 0x80020139;

    private static string ProvidersArgument(long keywords) => $"{RuntimeProvider}:0x{keywords:X}:5";
}
