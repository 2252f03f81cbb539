using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace DotnetMemLine.Decoding;

/// <summary>
/// Every compiled version of every method the trace describes (tier 0, tier 1, OSR, ...): where its
/// native code is, which method it is, and its native-to-IL map, read from the JIT's method-load and
/// IL-to-native map events and from the rundown that describes code compiled before the session.
/// Resolves a stack frame's return address to (method, IL offset).
/// </summary>
internal sealed class MethodCodeMap
{
    private readonly CodeVersion[] _versionsByStart;
    private readonly ulong[] _starts;

    internal MethodCodeMap(List<CodeVersion> versions, Dictionary<long, string> modulePaths, AllocationEventCounts? counts = null, List<Inlining>? inlinings = null)
    {
        Inlinings = inlinings ?? [];
        AllocationEvents = counts ?? new AllocationEventCounts();
        _versionsByStart = [.. versions.OrderBy(v => v.Start)];
        _starts = [.. _versionsByStart.Select(v => v.Start)];
        foreach (CodeVersion version in _versionsByStart)
        {
            version.ModulePath = modulePaths.GetValueOrDefault(version.ModuleId, "");
        }
    }

    /// <summary>One compiled body of a method.</summary>
    internal sealed class CodeVersion
    {
        public required ulong Start { get; init; }

        public required uint Size { get; init; }

        public required long MethodId { get; init; }

        public required long ModuleId { get; init; }

        public required int Token { get; init; }

        public required string Name { get; init; }

        public string ModulePath { get; set; } = "";

        /// <summary>ReadyToRun code from the module's image: the runtime writes no IL map for it.</summary>
        public bool IsPrecompiled { get; init; }

        /// <summary>Optimized code (tier 1, OSR, fully optimized, precompiled): code into which the JIT inlines.</summary>
        public bool IsOptimized { get; init; }

        /// <summary>Described only by the rundown: compiled before the session, so its inlining decisions are not in the trace.</summary>
        public bool CompiledBeforeSession { get; set; }

        /// <summary>Native offsets (ascending) and the IL offset each starts; empty without an IL map.</summary>
        public int[] NativeOffsets { get; set; } = [];

        public int[] ILOffsets { get; set; } = [];
    }

    public IReadOnlyList<CodeVersion> Versions => _versionsByStart;

    /// <summary>A method the JIT inlined while compiling <see cref="Compiled"/>, as its inlining event names it.</summary>
    internal sealed record Inlining(string InlineeType, string InlineeName, string InlineeSignature, string InlinerType, string InlinerName, CodeVersion Compiled);

    /// <summary>Every successful inlining the JIT reported (keyword JitTracing) during the session.</summary>
    public IReadOnlyList<Inlining> Inlinings { get; }

    // Counted in the same pass over the file, so that nothing reads the whole trace just to count.
    public AllocationEventCounts AllocationEvents { get; }

    /// <summary>How many allocation events of each kind the trace holds.</summary>
    internal sealed class AllocationEventCounts
    {
        public long Sampled { get; set; }

        public long Ticks { get; set; }

        /// <summary>GCSampledObjectAllocation events (exact mode).</summary>
        public long Exact { get; set; }

        /// <summary>GCSampledObjectAllocation events standing for more than one object.</summary>
        public long ExactBatched { get; set; }

        /// <summary>Counts one GCSampledObjectAllocation event standing for <paramref name="objectCount"/> objects.</summary>
        public void AddExact(int objectCount)
        {
            Exact++;
            if (objectCount > 1)
            {
                ExactBatched++;
            }
        }

        /// <summary>Rundown events (method and module descriptions written when the session ends).</summary>
        public long Rundown { get; set; }
    }

    /// <summary>A map of the given code versions (for tests); module paths come from <paramref name="modulePaths"/>.</summary>
    internal static MethodCodeMap FromVersions(IEnumerable<CodeVersion> versions, Dictionary<long, string>? modulePaths = null) =>
        new([.. versions], modulePaths ?? []);

    /// <summary>
    /// Reads the method and module events of a trace file with TraceEvent's <see cref="EventPipeEventSource"/>
    /// (the TraceLog decoder's pass); the rules are <see cref="MethodCodeMapBuilder"/>'s, shared with the streaming decoder.
    /// </summary>
    public static MethodCodeMap Read(string tracePath)
    {
        var builder = new MethodCodeMapBuilder();

        void OnSessionMethod(MethodLoadUnloadVerboseTraceData data) => builder.OnMethodLoad(data.ThreadID, ToMethodLoad(data), fromRundown: false);

        void OnRundownMethod(MethodLoadUnloadVerboseTraceData data) => builder.OnMethodLoad(data.ThreadID, ToMethodLoad(data), fromRundown: true);

        void OnInlining(MethodJitInliningSucceededTraceData data) => builder.OnInlining(data.ThreadID, new MethodCodeMapBuilder.InliningDecision(
            data.MethodBeingCompiledNamespace, data.MethodBeingCompiledName, data.InlinerNamespace, data.InlinerName, data.InlineeNamespace, data.InlineeName, data.InlineeNameSignature));

        void OnILMap(MethodILToNativeMapTraceData data)
        {
            if (data.MethodExtent != 0)
            {
                return; // a cold-code extent; the main extent's map covers the statements
            }

            int[] native = new int[data.CountOfMapEntries];
            int[] il = new int[native.Length];
            for (int i = 0; i < native.Length; i++)
            {
                native[i] = data.NativeOffset(i);
                il[i] = data.ILOffset(i);
            }

            builder.OnILMap(data.ThreadID, data.MethodID, native, il);
        }

        void OnModule(ModuleLoadUnloadTraceData data) => builder.OnModule(data.ModuleID, data.ModuleILPath);

        AllocationEventCounts counts = builder.Counts;
        using var source = new EventPipeEventSource(tracePath);
        var rundown = new ClrRundownTraceEventParser(source);
        source.Clr.MethodLoadVerbose += OnSessionMethod;
        source.Clr.MethodUnloadVerbose += OnSessionMethod;
        source.Clr.MethodILToNativeMap += OnILMap;
        source.Clr.MethodInliningSucceeded += OnInlining;
        source.Clr.LoaderModuleLoad += OnModule;
        source.Clr.LoaderModuleUnload += OnModule;
        rundown.MethodDCStartVerbose += OnRundownMethod;
        rundown.MethodDCStopVerbose += OnRundownMethod;
        rundown.MethodILToNativeMapDCStart += OnILMap;
        rundown.MethodILToNativeMapDCStop += OnILMap;
        rundown.LoaderModuleDCStart += OnModule;
        rundown.LoaderModuleDCStop += OnModule;
        rundown.MethodDCStopVerbose += _ => counts.Rundown++;
        rundown.LoaderModuleDCStop += _ => counts.Rundown++;
        source.Clr.AllocationSampling += _ => counts.Sampled++;
        source.Clr.GCAllocationTick += _ => counts.Ticks++;
        source.Clr.GCSampledObjectAllocation += data => counts.AddExact(data.ObjectCountForTypeSample);
        source.Process();

        return builder.Build();
    }

    private static MethodCodeMapBuilder.MethodLoad ToMethodLoad(MethodLoadUnloadVerboseTraceData data) => new(
        data.MethodID,
        data.ModuleID,
        data.MethodStartAddress,
        (uint)data.MethodSize,
        data.MethodToken,
        IsPrecompiled: (data.MethodFlags & MethodFlags.Jitted) == 0,
        IsOptimized: data.OptimizationTier is OptimizationTier.Optimized or OptimizationTier.OptimizedTier1 or OptimizationTier.OptimizedTier1OSR or OptimizationTier.ReadyToRun or OptimizationTier.PreJIT,
        data.MethodNamespace,
        data.MethodName);

    /// <summary>
    /// Resolves a frame's return address. The address is the instruction after the call, which
    /// can belong to the next statement (a call that ends a line returns into the next line's code),
    /// so the byte before it is looked up: that is inside the call instruction itself.
    /// </summary>
    /// <returns>The code version and its IL offset (negative when the body has no IL map), or false for code the trace does not describe.</returns>
    public bool TryResolve(ulong returnAddress, out CodeVersion? version, out int ilOffset) =>
        TryResolve(returnAddress, out version, out ilOffset, out _);

    /// <inheritdoc cref="TryResolve(ulong, out CodeVersion?, out int)"/>
    /// <param name="nextStatementILOffset">See <see cref="StackFrame.NextStatementILOffset"/>; -1 when there is no such candidate.</param>
    public bool TryResolve(ulong returnAddress, out CodeVersion? version, out int ilOffset, out int nextStatementILOffset)
    {
        nextStatementILOffset = -1;
        ulong address = returnAddress - 1;
        int index = Array.BinarySearch(_starts, address);
        if (index < 0)
        {
            index = ~index - 1;
        }

        version = null;
        ilOffset = -1;
        if (index < 0 || address - _versionsByStart[index].Start >= _versionsByStart[index].Size)
        {
            return false;
        }

        version = _versionsByStart[index];
        (ilOffset, nextStatementILOffset) = ILOffsetAt(version, (int)(address - version.Start));
        return true;
    }

    private const int NoMapping = -1;

    private static int? NextMapped(int[] il, int entry)
    {
        for (int i = entry + 1; i < il.Length; i++)
        {
            if (il[i] >= 0)
            {
                return i;
            }
        }

        return null;
    }

    private static int PreviousMapped(int[] il, int entry)
    {
        int i = entry - 1;
        while (i >= 0 && il[i] < 0)
        {
            i--;
        }

        return i;
    }

    /// <summary>
    /// The IL offset of a native offset. Optimized code maps coarsely: one native range can hold
    /// several statements (several source lines), and the map says only where the range starts.
    /// Within such a range the IL offset is interpolated by position, as TraceEvent does: code is
    /// laid out mostly in IL order, so a call near the end of the range belongs to its last statements.
    /// Only where the layout is in IL order around the range (IL rising from the previous range to
    /// the next): loops and cold blocks moved out of line jump in IL, and interpolating across such
    /// a jump would land on lines the range has nothing to do with.
    /// Also gives the IL offset of the next mapped range when that one is lower (the layout jumps back
    /// in IL right after this range, as at the top of a rotated loop), else -1: see <see cref="StackFrame.NextStatementILOffset"/>.
    /// </summary>
    private static (int ILOffset, int NextStatementILOffset) ILOffsetAt(CodeVersion version, int nativeOffset)
    {
        int[] native = version.NativeOffsets;
        int[] il = version.ILOffsets;
        int entry = Array.BinarySearch(native, nativeOffset);
        if (entry < 0)
        {
            entry = ~entry - 1;
        }
        else
        {
            while (entry + 1 < native.Length && native[entry + 1] == nativeOffset)
            {
                entry++; // the last of equal starts is the one the code at this offset belongs to
            }
        }

        // Code the JIT could not tie to a statement (-1) at the top of a loop, after a backward jump in IL
        // (seen in on-stack-replacement code, where the loop body's first statement lost its boundary):
        // it belongs to the statement that follows it, not to the loop's increment laid out before it.
        if (entry >= 0 && il[entry] == NoMapping && NextMapped(il, entry) is int next0 && PreviousMapped(il, entry) is var previous0
            && (previous0 < 0 || il[previous0] > il[next0]))
        {
            return (il[next0], -1);
        }

        // Skip the JIT's special markers (-1 no mapping, -2 prolog, -3 epilog) back to a real offset.
        while (entry >= 0 && il[entry] < 0)
        {
            entry--;
        }

        if (entry < 0)
        {
            return (-1, -1);
        }

        int next = entry + 1;
        while (next < native.Length && native[next] == native[entry])
        {
            next++;
        }

        int previous = entry - 1;
        while (previous >= 0 && (il[previous] < 0 || native[previous] == native[entry]))
        {
            previous--;
        }

        bool inILOrder = (previous < 0 || il[previous] < il[entry]) && next < native.Length && il[next] > il[entry];
        if (inILOrder && native[next] > nativeOffset)
        {
            long span = native[next] - native[entry];
            return (il[entry] + (int)((long)(nativeOffset - native[entry]) * (il[next] - il[entry]) / span), -1);
        }

        return (il[entry], NextMapped(il, entry) is int following && il[following] < il[entry] ? il[following] : -1);
    }
}
