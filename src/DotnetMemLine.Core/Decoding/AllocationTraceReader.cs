namespace DotnetMemLine.Decoding;

/// <summary>Opens a trace file with the decoder the tool uses.</summary>
public static class AllocationTraceReader
{
    /// <summary>Opens and indexes a trace file; throws <see cref="MemLineException"/> when it cannot be read.</summary>
    /// <param name="progress">Receives the analysis's progress, for a progress line; may be null.</param>
    /// <param name="cancellationToken">Cancels the first pass over the file.</param>
    /// <param name="tracePath">The .nettrace file.</param>
    public static IAllocationTrace Open(string tracePath, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        tracePath = Path.GetFullPath(tracePath);

        // A trace cut short is read up to its last intact block by the streaming decoder, which needs no copy of it.
        // (The TraceLog decoder it replaced is eng/TraceLogDecoder, the benchmarks' baseline.)
        // collect keeps its snapshot of the code compiled before it attached next to the trace (TraceFiles).
        NettraceLayout layout = TraceFileCheck.Check(tracePath);
        return NettraceAllocationTrace.Open(tracePath, progress, TraceFileCheck.ReadProblem(layout), TraceFiles.RundownSnapshotPath(tracePath), cancellationToken);
    }
}
