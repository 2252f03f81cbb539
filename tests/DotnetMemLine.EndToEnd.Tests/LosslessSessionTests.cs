using System.Buffers.Binary;
using System.Text.Json;
using DotnetMemLine.Collection;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// <c>collect --buffering-mode Block</c> against a runtime that offers lossless sessions (.NET 11, IPC CollectTracing6),
/// which this machine does not have: a fake diagnostic server (<see cref="FakeDiagnosticServer"/>) answers as .NET 11
/// would and streams a real recording of the threads shape. The same fake answering as .NET 10 shows the fallback
/// exchange (DroppedEventsTests tests it on the real runtime), and without the option no lossless session is asked for.
/// </summary>
[TestClass]
public sealed class LosslessSessionTests
{
    private const string Method = "ThreadsShape.Crunch";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private static ShapeRecording s_recording = null!;
    private static byte[] s_trace = null!;
    private static JsonElement s_analyzedLines;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_recording = await ShapeRecording.RunAsync("threads", Method);
        s_trace = await File.ReadAllBytesAsync(s_recording.TracePath);
        using JsonDocument analysis = await s_recording.AnalyzeAsync(Method);
        s_analyzedLines = analysis.RootElement.GetProperty("methods")[0].GetProperty("lines").Clone();
        Assert.IsGreaterThanOrEqualTo(3, s_analyzedLines.GetArrayLength(), $"Crunch's three lines are in the recorded trace; {s_recording.Where}");
    }

    [ClassCleanup]
    public static void Cleanup() => s_recording?.Dispose();

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Block_OnARuntimeThatOffersIt_RecordsALosslessSession()
    {
        Collected collected = await CollectAsync(knowsCollectTracing6: true, "--buffering-mode", "Block");

        IpcRequest main = collected.MainSession.Single();
        Assert.IsTrue(main.IsEventPipe(FakeDiagnosticServer.CollectTracing6), $"the session is asked for with CollectTracing6 (0x02/0x07); {collected.Where}");
        Assert.AreEqual(1u, BinaryPrimitives.ReadUInt32LittleEndian(main.Payload.AsSpan(^4)), $"the payload ends with buffering mode 1 (Block); {collected.Where}");
        SessionRequest session = main.Session!;
        Assert.AreEqual(1u, session.BufferingMode, collected.Where);
        Assert.AreEqual(new ProviderRequest(AllocationProviders.Keywords, 5, AllocationProviders.RuntimeProvider, ""), session.Providers.Single(), collected.Where);
        Assert.AreEqual(256u, session.BufferSizeMB, collected.Where);
        Assert.AreEqual(0x80020139ul, session.RundownKeyword, "the rundown keywords of requestRundown: true");
        Assert.IsTrue(session.RequestStackwalk, collected.Where);
        Assert.IsNotNull(main.StartedSession, collected.Where);
        Assert.IsTrue(collected.Requests.Any(r => r.StoppedSession == main.StartedSession), $"the session is stopped at the end of the duration; {collected.Where}");

        Assert.AreEqual("lossless", collected.Report.GetProperty("buffering").GetString(), collected.Where);
        Assert.AreEqual(0L, collected.Report.GetProperty("droppedEvents").GetInt64(), collected.Where);
        Assert.DoesNotContain("needs .NET 11", collected.Result.StandardError);
        AssertLinesOfTheRecordedTrace(collected);
    }

    [TestMethod]
    public async Task Block_OnARuntimeWithoutCollectTracing6_AsksAgainWithTheLossyBuffer()
    {
        Collected collected = await CollectAsync(knowsCollectTracing6: false, "--buffering-mode", "Block");

        IpcRequest[] main = collected.MainSession;
        Assert.HasCount(2, main, collected.Where);
        Assert.IsTrue(main[0].IsEventPipe(FakeDiagnosticServer.CollectTracing6) && main[0].StartedSession is null, $"refused as .NET 10 refuses it; {collected.Where}");
        Assert.AreEqual(1u, main[0].Session!.BufferingMode, collected.Where);
        Assert.IsLessThan(FakeDiagnosticServer.CollectTracing6, main[1].CommandId, $"asked again with an older CollectTracing; {collected.Where}");
        Assert.IsNotNull(main[1].StartedSession, collected.Where);
        Assert.IsTrue(main[1].Session!.SameSessionAs(main[0].Session!), $"the same providers, buffer and rundown; {collected.Where}");

        Assert.AreEqual("lossy-lossless-unsupported", collected.Report.GetProperty("buffering").GetString(), collected.Where);
        Assert.Contains("--buffering-mode Block (lossless) needs .NET 11", collected.Result.StandardError);
        AssertLinesOfTheRecordedTrace(collected);
    }

    [TestMethod]
    public async Task Block_RefusedWithAnotherError_AsksAgainWithTheLossyBuffer_AndSaysWhy()
    {
        Collected collected = await CollectAsync(knowsCollectTracing6: true, FakeDiagnosticServer.BadEncoding, "--buffering-mode", "Block");

        IpcRequest[] main = collected.MainSession;
        Assert.HasCount(2, main, collected.Where);
        Assert.IsTrue(main[0].IsEventPipe(FakeDiagnosticServer.CollectTracing6) && main[0].StartedSession is null, $"refused; {collected.Where}");
        Assert.IsNotNull(main[1].StartedSession, collected.Where);
        Assert.IsTrue(main[1].Session!.SameSessionAs(main[0].Session!), $"the same providers, buffer and rundown; {collected.Where}");

        Assert.AreEqual("lossy-lossless-refused", collected.Report.GetProperty("buffering").GetString(), collected.Where);
        Assert.Contains("the target's runtime refused --buffering-mode Block (lossless)", collected.Result.StandardError);
        Assert.DoesNotContain("needs .NET 11", collected.Result.StandardError);
        AssertLinesOfTheRecordedTrace(collected);
    }

    [TestMethod]
    public async Task NoBufferingMode_EvenWhereLosslessIsOffered_RecordsTheLossyBuffer()
    {
        Collected collected = await CollectAsync(knowsCollectTracing6: true);

        IpcRequest main = collected.MainSession.Single();
        Assert.IsFalse(collected.Requests.Any(r => r.IsEventPipe(FakeDiagnosticServer.CollectTracing6)), collected.Where);
        Assert.IsNotNull(main.StartedSession, collected.Where);
        Assert.AreEqual("lossy", collected.Report.GetProperty("buffering").GetString(), collected.Where);
        Assert.DoesNotContain("needs .NET 11", collected.Result.StandardError);
    }

    /// <summary>
    /// <c>collect --diagnostic-port</c> for one second on a fake runtime (.NET 11, or .NET 10 without
    /// <paramref name="knowsCollectTracing6"/>): it stops the session (after the induced GC), the fake then ends the stream,
    /// and the report of the trace it streamed is printed. Checks it succeeded and kept the stream byte for byte.
    /// </summary>
    private Task<Collected> CollectAsync(bool knowsCollectTracing6, params string[] options) => CollectAsync(knowsCollectTracing6, null, options);

    private async Task<Collected> CollectAsync(bool knowsCollectTracing6, uint? refuseLosslessWith, params string[] options)
    {
        using var folder = new TempFolder();
        string tracePath = folder.File("collect.nettrace");
        Collected collected;
        await using (var runtime = new FakeDiagnosticServer(folder.File("runtime.socket"), s_trace, knowsCollectTracing6, refuseLosslessWith))
        {
            using RunningProcess tool = RunningProcess.StartTool(
                ["collect", "--diagnostic-port", runtime.SocketPath, "--method", Method, .. options, "--duration", "1", "--format", "json", "-o", tracePath]);
            ProcessResult result = await tool.WaitForExitAsync(Timeout);
            collected = new Collected(result, runtime.Requests);
        }

        TestContext.WriteLine(collected.Where);
        Assert.AreEqual(0, collected.Result.ExitCode, collected.Where);
        Assert.Contains("the duration elapsed", collected.Result.StandardError);
        Assert.IsTrue(File.ReadAllBytes(tracePath).AsSpan().SequenceEqual(s_trace), $"the trace file is the stream; {collected.Where}");
        return collected;
    }

    /// <summary>The lines of the report are those of `analyze` on the same trace.</summary>
    private static void AssertLinesOfTheRecordedTrace(Collected collected)
    {
        JsonElement lines = collected.Report.GetProperty("methods")[0].GetProperty("lines");
        Assert.IsTrue(JsonElement.DeepEquals(s_analyzedLines, lines), $"the lines of `analyze` on the same trace:\n{s_analyzedLines}\ncollect's:\n{lines}\n{collected.Where}");
    }

    /// <summary>What one collect printed, and the requests the fake runtime received.</summary>
    private sealed record Collected(ProcessResult Result, IReadOnlyList<IpcRequest> Requests)
    {
        /// <summary>The JSON report (stdout).</summary>
        public JsonElement Report => JsonElement.Parse(Result.StandardOutput);

        /// <summary>The CollectTracing requests of the session that records allocations, in order.</summary>
        public IpcRequest[] MainSession => [.. Requests.Where(r => r.Session?.RecordsAllocations == true)];

        /// <summary>For failure messages: the tool's output and the exchange.</summary>
        public string Where => $"{Result}\nexchange:\n{string.Join('\n', Requests)}";
    }
}
