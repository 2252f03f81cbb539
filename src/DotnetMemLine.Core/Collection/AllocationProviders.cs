using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace DotnetMemLine.Collection;

/// <summary>The EventPipe configuration dotnet-memline records with (see docs/how-it-works.md).</summary>
public static class AllocationProviders
{
    public const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";

    // Keywords of Microsoft-Windows-DotNETRuntime.
    public const long GCKeyword = 0x1;                       // GC start/end, heap stats; AllocationTick at level 5
    public const long LoaderKeyword = 0x8;                   // module loads: which file, which PDB
    public const long JitKeyword = 0x10;                     // method load events: native code ranges
    public const long JitTracingKeyword = 0x1000;            // the JIT's inlining decisions: where inlined methods went
    public const long ILToNativeMapKeyword = 0x20000;        // native offset -> IL offset, per code version
    public const long AllocationSamplingKeyword = 0x80000000000; // AllocationSampled (.NET 10+)

    /// <summary>
    /// Both allocation keywords: .NET 10+ emits AllocationSampled and suppresses AllocationTick, older
    /// runtimes ignore the unknown keyword and emit AllocationTick, so one configuration serves both.
    /// </summary>
    public const long Keywords = GCKeyword | LoaderKeyword | JitKeyword | JitTracingKeyword | ILToNativeMapKeyword | AllocationSamplingKeyword;

    /// <summary>The same providers as a dotnet-trace <c>--providers</c> argument.</summary>
    public static string DotnetTraceProvidersArgument => $"{RuntimeProvider}:0x{Keywords:X}:5";

    public static EventPipeSessionConfiguration SessionConfiguration(int bufferSizeMB) =>
        new(
            [new EventPipeProvider(RuntimeProvider, EventLevel.Verbose, Keywords)],
            bufferSizeMB,
            requestRundown: true,
            requestStackwalk: true);
}
