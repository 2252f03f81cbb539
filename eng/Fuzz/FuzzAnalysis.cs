using System.Diagnostics;
using DotnetMemLine.Attribution;
using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;

namespace DotnetMemLine.Fuzzing;

/// <summary>How one analysis of a damaged trace ended.</summary>
/// <param name="Outcome">"ok", "ok, warned", "refused: Kind" (a MemLineException), "timeout", or "CRASH ExceptionType".</param>
/// <param name="Failed">True for what the tool must never do: an exception other than MemLineException, or no answer in time.</param>
public sealed record FuzzResult(string Outcome, bool Failed, TimeSpan Elapsed, string? Detail);

/// <summary>Runs the analysis `dotnet-memline analyze` runs, in process, on one file, with a time limit.</summary>
public static class FuzzAnalysis
{
    public static FuzzResult Run(string tracePath, IReadOnlyList<string> methods, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        var work = Task.Run(() =>
        {
            // The tool's own path: the file check, then the decoder it uses.
            using IAllocationTrace trace = AllocationTraceReader.Open(tracePath);
            ProfileReport report = ProfileAnalyzer.Analyze(trace, new AnalysisOptions(methods, []));
            string text = new TextTableRenderer().RenderToString(report);
            _ = new JsonReportWriter().RenderToString(report);
            if (text.FirstOrDefault(IsUnsafeInTerminal) is var unsafeChar && unsafeChar != default)
            {
                throw new InvalidDataException($"the text report carries U+{(int)unsafeChar:X4} from the input");
            }

            return report;
        });

        // A parse that never returns is a failure too; its thread is abandoned (the process ends soon).
        if (!((IAsyncResult)work).AsyncWaitHandle.WaitOne(timeout))
        {
            return new FuzzResult("timeout", true, stopwatch.Elapsed, $"no answer within {timeout.TotalSeconds:F0} s");
        }

        TimeSpan elapsed = stopwatch.Elapsed;
        if (work.IsCompletedSuccessfully)
        {
            return work.Result.Warnings.Count > 0
                ? new FuzzResult("ok, warned", false, elapsed, NoteWording.English(work.Result.Warnings[0]))
                : new FuzzResult("ok", false, elapsed, null);
        }

        Exception error = work.Exception!.InnerException!;
        return error is MemLineException known
            ? new FuzzResult($"refused: {known.Kind}", false, elapsed, known.Message)
            : new FuzzResult($"CRASH {error.GetType().Name}", true, elapsed, error.ToString());
    }

    /// <summary>
    /// A character that must not reach a terminal from a trace or a PDB: control characters but line feed and tab,
    /// C1 controls, and the bidirectional overrides and isolates that reorder what is shown.
    /// </summary>
    public static bool IsUnsafeInTerminal(char c) =>
        (c < 0x20 && c is not '\n' and not '\t') || (c >= 0x7F && c <= 0x9F) || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');

    /// <summary>Times TraceEvent's converter (TraceLog) and its event source on the raw file, each on its own.</summary>
    public static IEnumerable<(string Stage, TimeSpan Elapsed, string Outcome)> TimeReaders(string tracePath)
    {
        string etlx = Path.Combine(Path.GetTempPath(), $"fuzz-{Guid.NewGuid():N}.etlx");
        yield return Time("TraceLog.CreateFromEventPipeDataFile", () =>
            TraceLog.CreateFromEventPipeDataFile(tracePath, etlx, new TraceLogOptions { ContinueOnError = true, ConversionLog = TextWriter.Null }));
        File.Delete(etlx);
        yield return Time("EventPipeEventSource.Process", () =>
        {
            using var source = new EventPipeEventSource(tracePath);
            source.Process();
        });
    }

    private static (string, TimeSpan, string) Time(string stage, Action action)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            action();
            return (stage, stopwatch.Elapsed, "ok");
        }
        catch (Exception ex)
        {
            return (stage, stopwatch.Elapsed, $"{ex.GetType().Name}: {ex.Message}");
        }
    }
}
