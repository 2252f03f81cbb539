using System.Text.Json;
using DotnetMemLine.Attribution;
using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// The streaming decoder (<see cref="NettraceAllocationTrace"/>) against the TraceLog one
/// (<see cref="TraceLogAllocationTrace"/>, the baseline it replaced) on real recordings: the same
/// summary, the same methods and inlinings, and the same events in the same order with the same frames, GC ranges included
/// (the peak live heap follows objects through them).
/// </summary>
[TestClass]
public sealed class DecoderEquivalenceTests
{
    private const string Methods = "ThreadsShape.Crunch";
    private static ShapeRecording s_run = null!;
    private static ShapeRecording s_collect = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;

        // From the first instruction (every code version with its load event and IL map; tiering, OSR,
        // inlining events) and attached to a warm process (code described only by the rundown).
        s_run = await ShapeRecording.RunAsync("threads,tiering,inlining,async,lambdas,iterators", Methods);
        s_collect = await ShapeRecording.CollectAsync("threads,generics,recursion", Methods);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        s_run?.Dispose();
        s_collect?.Dispose();
    }

    [TestMethod]
    public void Run_BothDecodersGiveTheSameTrace() => AssertSameTrace(s_run);

    [TestMethod]
    public void Collect_BothDecodersGiveTheSameTrace() => AssertSameTrace(s_collect);

    [TestMethod]
    public async Task Analyze_TheTraceLogDecoder_GivesTheSameReport()
    {
        ProcessResult streaming = await AnalyzeAsync(s_run.TracePath);
        using TraceLogAllocationTrace traceLog = TraceLogAllocationTrace.Open(Path.GetFullPath(s_run.TracePath));
        string baseline = new JsonReportWriter().RenderToString(ProfileAnalyzer.Analyze(traceLog, new AnalysisOptions([Methods], [])));

        using JsonDocument a = JsonDocument.Parse(streaming.StandardOutput);
        using JsonDocument b = JsonDocument.Parse(baseline);
        if (FirstDifference(b.RootElement, a.RootElement, "$") is { } difference)
        {
            s_run.KeepFiles();
            await File.WriteAllTextAsync(s_run.TracePath + ".streaming.json", streaming.StandardOutput);
            await File.WriteAllTextAsync(s_run.TracePath + ".tracelog.json", baseline);
            Assert.Fail($"the reports differ at {difference}; {s_run.Where}, both reports beside it");
        }
    }

    /// <summary>The path of the first value that differs, with both values; null when the documents are the same.</summary>
    private static string? FirstDifference(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            return $"{path}: {expected.GetRawText()} against {actual.GetRawText()}";
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in expected.EnumerateObject())
                {
                    string? inner = actual.TryGetProperty(property.Name, out JsonElement other)
                        ? FirstDifference(property.Value, other, $"{path}.{property.Name}")
                        : $"{path}.{property.Name}: missing";
                    if (inner is not null)
                    {
                        return inner;
                    }
                }

                return expected.EnumerateObject().Count() == actual.EnumerateObject().Count() ? null : $"{path}: other properties";
            case JsonValueKind.Array:
                if (expected.GetArrayLength() != actual.GetArrayLength())
                {
                    return $"{path}: {expected.GetArrayLength()} items against {actual.GetArrayLength()}";
                }

                for (int i = 0; i < expected.GetArrayLength(); i++)
                {
                    if (FirstDifference(expected[i], actual[i], $"{path}[{i}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return expected.GetRawText() == actual.GetRawText() ? null : $"{path}: {expected.GetRawText()} against {actual.GetRawText()}";
        }
    }

    [TestMethod]
    public async Task Analyze_TraceCutShort_ReportsWhatItReadAndWarns()
    {
        string cut = s_run.TracePath + ".cut.nettrace";
        byte[] whole = await File.ReadAllBytesAsync(s_run.TracePath);
        await File.WriteAllBytesAsync(cut, whole.AsSpan(0, whole.Length * 2 / 3).ToArray());

        ProcessResult analyzed = await AnalyzeAsync(cut);

        Assert.AreEqual(0, analyzed.ExitCode, analyzed.ToString());
        using JsonDocument report = JsonDocument.Parse(analyzed.StandardOutput);
        string warnings = report.RootElement.GetProperty("warnings").GetRawText();
        Assert.Contains("the trace ends early (truncated?)", warnings);
    }

    private static async Task<ProcessResult> AnalyzeAsync(string tracePath)
    {
        using RunningProcess tool = RunningProcess.StartTool(["analyze", tracePath, "--method", Methods, "--format", "json"]);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        return result;
    }

    private static void AssertSameTrace(ShapeRecording recording)
    {
        using TraceLogAllocationTrace baseline = TraceLogAllocationTrace.Open(recording.TracePath);
        using NettraceAllocationTrace streaming = NettraceAllocationTrace.Open(recording.TracePath);
        try
        {
            // Events read count only toward the dropped share: TraceLog leaves out a few kinds it consumes itself. The trace's
            // clock (for the resident memory sampled beside it) is read by the streaming decoder only.
            Assert.AreEqual(baseline.Summary with { EventsRead = 0, StartedUtc = null }, streaming.Summary with { EventsRead = 0, Clock = default, StartedUtc = null });
            Assert.IsTrue(streaming.Summary.StartedUtc is { } started && Math.Abs((DateTime.UtcNow - started).TotalHours) < 1, $"the session began just now, in UTC: {streaming.Summary.StartedUtc:O}");
            Assert.IsLessThanOrEqualTo(1.0, Math.Abs((baseline.Summary.StartedUtc!.Value - streaming.Summary.StartedUtc!.Value).TotalMilliseconds), "TraceEvent's session start, to the millisecond");
            Assert.AreEqual(1_000_000_000, streaming.Summary.Clock.Frequency, "Linux's monotonic clock, in nanoseconds");
            Assert.IsGreaterThanOrEqualTo(baseline.Summary.EventsRead, streaming.Summary.EventsRead);
            CollectionAssert.AreEqual(baseline.Methods.ToArray(), streaming.Methods.ToArray());
            CollectionAssert.AreEqual(baseline.Inlinings.ToArray(), streaming.Inlinings.ToArray());

            var expected = new EventLog();
            var actual = new EventLog();
            baseline.Replay(expected);
            streaming.Replay(actual);

            Assert.IsGreaterThan(100, expected.Allocations, "the recording has allocation events");
            Assert.IsGreaterThan(0, expected.Ranges, "the recording follows objects through the GCs (the peak live heap)");
            Assert.IsGreaterThan(0, expected.GenerationRanges, "the recording has the generations' ranges");
            Assert.HasCount(expected.Lines.Count, actual.Lines);
            List<string> expectedLines = InTieOrder(expected.Lines), actualLines = InTieOrder(actual.Lines);
            for (int i = 0; i < expectedLines.Count; i++)
            {
                Assert.AreEqual(expectedLines[i], actualLines[i], $"event #{i}");
            }
        }
        catch
        {
            recording.KeepFiles();
            throw;
        }
    }

    /// <summary>
    /// The lines with each run of allocations of one timestamp in ordinal order: two threads' events can carry the same
    /// timestamp, and the decoders may merge the threads' streams in either order there (event #3278 of one CI run).
    /// </summary>
    private static List<string> InTieOrder(List<string> lines)
    {
        const string Prefix = "AllocationRecord { TimeMSec = ";
        static string? TimeOf(string line) => line.StartsWith(Prefix, StringComparison.Ordinal) ? line[Prefix.Length..line.IndexOf(',', Prefix.Length)] : null;
        var ordered = new List<string>(lines.Count);
        for (int start = 0; start < lines.Count;)
        {
            int end = start + 1;
            string? time = TimeOf(lines[start]);
            while (time is not null && end < lines.Count && TimeOf(lines[end]) == time)
            {
                end++;
            }

            ordered.AddRange(lines.Skip(start).Take(end - start).Order(StringComparer.Ordinal));
            start = end;
        }

        return ordered;
    }

    /// <summary>Every event as one line: the record's fields and its frames.</summary>
    private sealed class EventLog : IAllocationVisitor
    {
        public List<string> Lines { get; } = [];

        public int Allocations { get; private set; }

        public int Ranges { get; private set; }

        public int GenerationRanges { get; private set; }

        public void OnGCHeapSizes(double timeMSec, int count, long heapBytesBefore, long heapBytesAfter) =>
            Lines.Add(FormattableString.Invariant($"heap {timeMSec:R} #{count} {heapBytesBefore} {heapBytesAfter}"));

        public void OnGCStart(double timeMSec, int count, int condemnedGeneration, GCType kind, int threadId, bool byAllocation) =>
            Lines.Add(FormattableString.Invariant($"gc start {timeMSec:R} #{count} gen{condemnedGeneration} {kind} thread {threadId} {(byAllocation ? "allocation" : "asked")}"));

        public void OnGCEnd(double timeMSec, int count, int condemnedGeneration) =>
            Lines.Add(FormattableString.Invariant($"gc end {timeMSec:R} #{count} gen{condemnedGeneration}"));

        public void OnSurvivingRange(ulong start, ulong length)
        {
            Ranges++;
            Lines.Add(FormattableString.Invariant($"survived {start:x} {length}"));
        }

        public void OnMovedRange(ulong oldStart, ulong newStart, ulong length)
        {
            Ranges++;
            Lines.Add(FormattableString.Invariant($"moved {oldStart:x} to {newStart:x} {length}"));
        }

        public void OnGenerationRange(int generation, ulong start, ulong length)
        {
            GenerationRanges++;
            Lines.Add(FormattableString.Invariant($"gen{generation} range {start:x} {length}"));
        }

        public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames)
        {
            Allocations++;
            Lines.Add(FormattableString.Invariant($"{allocation} | {string.Join(' ', frames.ToArray())}"));
        }
    }
}
