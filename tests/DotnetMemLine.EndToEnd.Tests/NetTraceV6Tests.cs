using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DotnetMemLine.Decoding;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;
using DotnetMemLine.Tests.Decoding.Nettrace;
using Microsoft.Diagnostics.Tracing;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// NetTrace V6 (what dotnet-trace collect-linux and record-trace write) on real recordings: nothing on this
/// machine records V6, so a `run` recording (V5) is rewritten as V6 by the tests' own converter
/// (<see cref="NetTraceV6Converter"/>). TraceEvent, which reads V6, checks the converter: it must see the same
/// events in both files. Then `analyze` must give the same reports for both.
/// </summary>
[TestClass]
public sealed class NetTraceV6Tests
{
    private const string Methods = "ThreadsShape.Crunch";
    private static ShapeRecording s_run = null!;
    private static string s_v6 = null!;
    private static string s_v6Uncompressed = null!;
    private static string s_v6Labels = null!;
    private static NetTraceV6Converter.Result s_converted = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_run = await ShapeRecording.RunAsync("threads,async,lambdas", Methods);
        s_v6 = s_run.TracePath + ".v6.nettrace";
        s_v6Uncompressed = s_run.TracePath + ".v6-uncompressed.nettrace";
        s_converted = NetTraceV6Converter.Convert(s_run.TracePath, s_v6);
        NetTraceV6Converter.Convert(s_run.TracePath, s_v6Uncompressed, compressed: false);
        s_v6Labels = s_run.TracePath + ".v6-labels.nettrace";
        Assert.IsGreaterThan(0, NetTraceV6Converter.Convert(s_run.TracePath, s_v6Labels, versionsInLabelLists: true).LabelLists);
    }

    [ClassCleanup]
    public static void Cleanup() => s_run?.Dispose();

    [TestMethod]
    public void Converter_TraceEventSeesTheSameEventsInBothFiles()
    {
        try
        {
            (List<string> v5Events, int v5Lost) = ReadWithTraceEvent(s_run.TracePath);
            (List<string> v6Events, int v6Lost) = ReadWithTraceEvent(s_v6);
            (List<string> uncompressed, _) = ReadWithTraceEvent(s_v6Uncompressed);
            (List<string> labels, _) = ReadWithTraceEvent(s_v6Labels);

            Assert.IsGreaterThan(1000, v5Events.Count, "a real recording");
            Assert.AreEqual(s_converted.Events, v5Events.Count, "TraceEvent dispatches every event but the metadata");
            Assert.IsGreaterThan(1, s_converted.Threads, "several threads: thread indexes are exercised");
            Assert.AreEqual(v5Lost, v6Lost);
            Assert.HasCount(v5Events.Count, v6Events);
            for (int i = 0; i < v5Events.Count; i++)
            {
                Assert.AreEqual(v5Events[i], v6Events[i], $"event #{i}");
                Assert.AreEqual(v5Events[i], uncompressed[i], $"event #{i} (uncompressed headers)");
                Assert.AreEqual(v5Events[i], labels[i], $"event #{i} (versions in label lists)");
            }
        }
        catch
        {
            s_run.KeepFiles();
            throw;
        }
    }

    [TestMethod]
    public void Decoders_ReadTheV6FileAsTheV5File()
    {
        try
        {
            NettraceLayout layout = TraceFileCheck.Check(s_v6);
            Assert.AreEqual(NettraceKind.BlockContainer, layout.Kind);
            Assert.IsTrue(layout.IsComplete, layout.Problem);

            // The streaming decoder on both files, and TraceEvent's TraceLog (the baseline decoder) on the V6 file.
            using NettraceAllocationTrace v5 = NettraceAllocationTrace.Open(s_run.TracePath);
            using NettraceAllocationTrace v6 = NettraceAllocationTrace.Open(s_v6);
            using TraceLogAllocationTrace traceLog = TraceLogAllocationTrace.Open(Path.GetFullPath(s_v6));
            Assert.AreEqual(v5.Summary with { TracePath = "" }, v6.Summary with { TracePath = "" });
            Assert.AreEqual(traceLog.Summary with { EventsRead = 0, StartedUtc = null, TracePath = "" }, v6.Summary with { EventsRead = 0, Clock = default, StartedUtc = null, TracePath = "" });
            CollectionAssert.AreEqual(v5.Methods.ToArray(), v6.Methods.ToArray());
            CollectionAssert.AreEqual(v5.Inlinings.ToArray(), v6.Inlinings.ToArray());

            var expected = new EventLog();
            var actual = new EventLog();
            var baseline = new EventLog();
            v5.Replay(expected);
            v6.Replay(actual);
            traceLog.Replay(baseline);
            Assert.IsGreaterThan(100, expected.Lines.Count);
            CollectionAssert.AreEqual(expected.Lines, actual.Lines);
            CollectionAssert.AreEqual(expected.Lines, baseline.Lines);
        }
        catch
        {
            s_run.KeepFiles();
            throw;
        }
    }

    [TestMethod]
    public async Task Analyze_GivesTheSameJsonReports()
    {
        foreach (string[] options in new[] { new[] { "--method", Methods }, [] })
        {
            string v5 = (await RunningProcess.RunToolToSuccessAsync(["analyze", s_run.TracePath, .. options, "--format", "json"])).StandardOutput;
            foreach (string v6Path in options.Length > 0 ? new[] { s_v6, s_v6Uncompressed, s_v6Labels } : [s_v6])
            {
                string v6 = (await RunningProcess.RunToolToSuccessAsync(["analyze", v6Path, .. options, "--format", "json"])).StandardOutput;
                Assert.AreEqual(Normalized(v5, s_run.TracePath), Normalized(v6, v6Path), $"analyze {Path.GetFileName(v6Path)} {string.Join(' ', options)}; {s_run.Where}");
            }
        }
    }

    [TestMethod]
    public async Task Analyze_GivesTheSamePprofProfile()
    {
        string v5 = s_run.TracePath + ".pb.gz";
        string v6 = s_v6 + ".pb.gz";
        await RunningProcess.RunToolToSuccessAsync("analyze", s_run.TracePath, "--format", "pprof", "-o", v5);
        await RunningProcess.RunToolToSuccessAsync("analyze", s_v6, "--format", "pprof", "-o", v6);

        CollectionAssert.AreEqual(await ProfileAsync(v5, s_run.TracePath), await ProfileAsync(v6, s_v6), s_run.Where);
    }

    /// <summary>The profile's protobuf with the comment naming its trace ("trace: PATH", in the string table) made the same for both files.</summary>
    private static async Task<byte[]> ProfileAsync(string profile, string tracePath)
    {
        await using var gzip = new GZipStream(File.OpenRead(profile), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        await gzip.CopyToAsync(bytes);
        byte[] proto = bytes.ToArray();
        byte[] comment = Encoding.UTF8.GetBytes("trace: " + Path.GetFullPath(tracePath));
        int at = proto.AsSpan().IndexOf(comment);
        Assert.IsTrue(at > 0 && proto[at - 1] == comment.Length, $"the profile names its trace in a string shorter than 128 bytes: {profile}");
        return [.. proto[..(at - 1)], .. "\x07trace: "u8, .. proto[(at + comment.Length)..]];
    }

    [TestMethod]
    public async Task Analyze_V6CutShort_ReportsWhatItReadAndWarns()
    {
        string cut = s_v6 + ".cut.nettrace";
        byte[] whole = await File.ReadAllBytesAsync(s_v6);
        await File.WriteAllBytesAsync(cut, whole.AsSpan(0, whole.Length * 2 / 3).ToArray());

        ProcessResult analyzed = await RunningProcess.RunToolToSuccessAsync("analyze", cut, "--method", Methods, "--format", "json");

        using JsonDocument report = JsonDocument.Parse(analyzed.StandardOutput);
        Assert.Contains("the trace ends early (truncated?)", report.RootElement.GetProperty("warnings").GetRawText());
    }

    /// <summary>The report with its trace path (the only field that names the file) made the same for both files.</summary>
    private static string Normalized(string json, string tracePath)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        string text = document.RootElement.GetRawText();
        return text.Replace(JsonEncodedText.Encode(Path.GetFullPath(tracePath)).ToString(), "<trace>", StringComparison.Ordinal);
    }

    /// <summary>Every event TraceEvent dispatches, as a line: provider, id, version, opcode, time, process, thread, activity ids, payload.</summary>
    private static (List<string> Events, int Lost) ReadWithTraceEvent(string path)
    {
        var events = new List<string>();
        using var source = new EventPipeEventSource(path);
#pragma warning disable CS0618 // TimeStampQPC is "discouraged", and exactly the raw timestamp to compare
        source.AllEvents += e => events.Add(
            $"{e.ProviderName}/{(int)e.ID} v{e.Version} op{(int)e.Opcode} kw{(long)e.Keywords:X} l{(int)e.Level} t{e.TimeStampQPC} p{e.ProcessID} th{e.ThreadID} " +
            $"a{e.ActivityID} r{e.RelatedActivityID} {Convert.ToHexString(e.EventData())}");
#pragma warning restore CS0618
        source.Process();
        return (events, source.EventsLost);
    }

    private sealed class EventLog : IAllocationVisitor
    {
        public List<string> Lines { get; } = [];

        public void OnGCHeapSizes(double timeMSec, int count, long heapBytesBefore, long heapBytesAfter) =>
            Lines.Add(FormattableString.Invariant($"heap {timeMSec:R} #{count} {heapBytesBefore} {heapBytesAfter}"));

        public void OnGCStart(double timeMSec, int count, int condemnedGeneration, GCType kind, int threadId, bool byAllocation) =>
            Lines.Add(FormattableString.Invariant($"gc start {timeMSec:R} #{count} gen{condemnedGeneration} {kind} thread {threadId} {(byAllocation ? "allocation" : "asked")}"));

        public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames) =>
            Lines.Add(FormattableString.Invariant($"{allocation} | {string.Join(' ', frames.ToArray())}"));
    }
}
