using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace DotnetMemLine.Decoding;

/// <summary>The TraceLog decoder's first pass: the code map from TraceEvent's event source, by the product's rules.</summary>
internal static class TraceLogCodeMap
{
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

        MethodCodeMap.AllocationEventCounts counts = builder.Counts;
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
}
