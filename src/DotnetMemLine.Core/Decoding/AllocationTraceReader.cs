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
    /// <param name="progress">Receives the analysis's progress, for a progress line; may be null.</param>
    public static IAllocationTrace Open(string tracePath, CancellationToken cancellationToken = default, IProgress<AnalysisProgress>? progress = null)
    {
        tracePath = Path.GetFullPath(tracePath);
        if (string.Equals(Environment.GetEnvironmentVariable(DecoderVariable), "tracelog", StringComparison.OrdinalIgnoreCase))
        {
            return TraceLogAllocationTrace.Open(tracePath, progress);
        }

        // The same checks and messages as the TraceLog decoder; a trace cut short is then read up to
        // its last intact block by the streaming decoder, which needs no copy of it.
        NettraceLayout layout = TraceFileCheck.Check(tracePath);
        return NettraceAllocationTrace.Open(tracePath, cancellationToken, progress, TraceFileCheck.ReadProblem(layout));
    }
}
