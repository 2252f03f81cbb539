namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>
/// The runtime events the profiler decodes, by provider and event id (ClrEtwAll.man; TraceEvent's
/// ClrTraceEventParser and ClrRundownTraceEventParser register the same ids; the TPL's EventSource,
/// TplEventSource.cs in System.Private.CoreLib). Every other event is
/// <see cref="None"/>: its header is read (sequence numbers, timestamps), its payload never.
/// </summary>
internal enum ClrEvent : byte
{
    None,

    // Microsoft-Windows-DotNETRuntime
    GCStart,                   // 1
    GCEnd,                     // 2
    GCSurvivingRanges,         // 21 GCBulkSurvivingObjectRanges (keyword GCHeapSurvivalAndMovement)
    GCMovedRanges,             // 22 GCBulkMovedObjectRanges (keyword GCHeapSurvivalAndMovement)
    GCGenerationRange,         // 23 (keyword GCHeapSurvivalAndMovement): fired for every generation range right after GCStart
    GCHeapStats,               // 4
    GCPerHeapHistory,          // 204: one heap's generations before and after a GC
    GCCreateSegment,           // 5
    AllocationTick,            // 10
    GCSampledObjectAllocation, // 20 (High keyword) and 32 (Low keyword)
    BulkType,                  // 15
    MethodLoadVerbose,         // 143
    MethodUnloadVerbose,       // 144
    MethodInliningSucceeded,   // 185
    MethodILToNativeMap,       // 190
    ModuleLoad,                // 152
    ModuleUnload,              // 153
    AllocationSampled,         // 303

    // Microsoft-Windows-DotNETRuntimeRundown
    RundownMethodDCStartVerbose,    // 143
    RundownMethodDCStopVerbose,     // 144
    RundownILToNativeMapDCStart,    // 149
    RundownILToNativeMapDCStop,     // 150
    RundownModuleDCStart,           // 153
    RundownModuleDCStop,            // 154

    // System.Threading.Tasks.TplEventSource, keywords AsyncCausalityOperation and AsyncCausalitySynchronousWork
    TplOperationBegin,              // 14 TraceOperationBegin: a task was created (an async method's, at its first suspension)
    TplOperationEnd,                // 15 TraceOperationEnd
    TplSynchronousWorkBegin,        // 17 TraceSynchronousWorkBegin: a thread starts running a task's code or continuations
    TplSynchronousWorkEnd,          // 18 TraceSynchronousWorkEnd
}

/// <summary>A set of <see cref="ClrEvent"/> kinds, as a bit mask.</summary>
internal readonly record struct ClrEventSet(uint Bits)
{
    public static ClrEventSet Empty => default;

    public static ClrEventSet Of(params ReadOnlySpan<ClrEvent> kinds)
    {
        uint bits = 0;
        foreach (ClrEvent kind in kinds)
        {
            bits |= 1u << (int)kind;
        }

        return new ClrEventSet(bits);
    }

    public static ClrEventSet Of(ClrEventSet a, ClrEventSet b) => new(a.Bits | b.Bits);

    public bool Contains(ClrEvent kind) => kind != ClrEvent.None && (Bits & (1u << (int)kind)) != 0;
}

/// <summary>Maps a metadata record's provider and event id to the event the profiler knows it as.</summary>
internal static class ClrEvents
{
    public const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    public const string RundownProvider = "Microsoft-Windows-DotNETRuntimeRundown";
    public const string TplProvider = "System.Threading.Tasks.TplEventSource";

    public static ClrEvent Classify(ReadOnlySpan<char> provider, int eventId)
    {
        if (provider.Equals(RuntimeProvider, StringComparison.OrdinalIgnoreCase))
        {
            return eventId switch
            {
                1 => ClrEvent.GCStart,
                2 => ClrEvent.GCEnd,
                4 => ClrEvent.GCHeapStats,
                5 => ClrEvent.GCCreateSegment,
                10 => ClrEvent.AllocationTick,
                15 => ClrEvent.BulkType,
                20 or 32 => ClrEvent.GCSampledObjectAllocation,
                21 => ClrEvent.GCSurvivingRanges,
                22 => ClrEvent.GCMovedRanges,
                23 => ClrEvent.GCGenerationRange,
                143 => ClrEvent.MethodLoadVerbose,
                144 => ClrEvent.MethodUnloadVerbose,
                152 => ClrEvent.ModuleLoad,
                153 => ClrEvent.ModuleUnload,
                185 => ClrEvent.MethodInliningSucceeded,
                190 => ClrEvent.MethodILToNativeMap,
                204 => ClrEvent.GCPerHeapHistory,
                303 => ClrEvent.AllocationSampled,
                _ => ClrEvent.None,
            };
        }

        if (provider.Equals(RundownProvider, StringComparison.OrdinalIgnoreCase))
        {
            return eventId switch
            {
                143 => ClrEvent.RundownMethodDCStartVerbose,
                144 => ClrEvent.RundownMethodDCStopVerbose,
                149 => ClrEvent.RundownILToNativeMapDCStart,
                150 => ClrEvent.RundownILToNativeMapDCStop,
                153 => ClrEvent.RundownModuleDCStart,
                154 => ClrEvent.RundownModuleDCStop,
                _ => ClrEvent.None,
            };
        }

        if (provider.Equals(TplProvider, StringComparison.OrdinalIgnoreCase))
        {
            return eventId switch
            {
                14 => ClrEvent.TplOperationBegin,
                15 => ClrEvent.TplOperationEnd,
                17 => ClrEvent.TplSynchronousWorkBegin,
                18 => ClrEvent.TplSynchronousWorkEnd,
                _ => ClrEvent.None,
            };
        }

        return ClrEvent.None;
    }
}
