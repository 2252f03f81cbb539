namespace DotnetMemLine.Decoding;

/// <summary>Opens a trace file with the decoder the tool uses.</summary>
public static class AllocationTraceReader
{
    /// <summary>
    /// Hidden switch for benchmarks and comparisons: <c>DOTNET_MEMLINE_DECODER=tracelog</c> selects the
    /// TraceLog decoder (TraceEvent's TraceLog, with an .etlx temp file), the baseline the streaming one replaced.
    /// </summary>
    public const string DecoderVariable = "DOTNET_MEMLINE_DECODER";

    /// <summary>Opens and indexes a trace file; throws <see cref="MemLineException"/> when it cannot be read.</summary>
    public static IAllocationTrace Open(string tracePath, CancellationToken cancellationToken = default) =>
        string.Equals(Environment.GetEnvironmentVariable(DecoderVariable), "tracelog", StringComparison.OrdinalIgnoreCase)
            ? TraceLogAllocationTrace.Open(tracePath)
            : NettraceAllocationTrace.Open(tracePath, cancellationToken);
}
