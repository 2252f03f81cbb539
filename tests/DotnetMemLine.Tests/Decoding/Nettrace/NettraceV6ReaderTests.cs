using DotnetMemLine.Decoding;
using DotnetMemLine.Decoding.Nettrace;

namespace DotnetMemLine.Tests.Decoding.Nettrace;

/// <summary>The streaming reader on NetTrace V6 files: hand-built blocks, V5 files converted, damage.</summary>
[TestClass]
public sealed class NettraceV6ReaderTests
{
    private const string Runtime = "Microsoft-Windows-DotNETRuntime";
    private const int SampledId = 1;
    private const int HeapStatsId = 2;

    private readonly List<string> _written = [];

    public TestContext TestContext { get; set; } = null!;

    /// <summary>The traces a test wrote are deleted after it (thousands a run otherwise pile up beside the tests).</summary>
    [TestCleanup]
    public void DeleteWrittenTraces()
    {
        foreach (string path in _written)
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void V6File_GivesKindsVersionsStacksAndOsThreadIds()
    {
        // Thread indexes 1 and 2 stand for OS threads 4242 and 77 of process 1234.
        string path = Write(new NetTraceV6Writer()
            .Metadata(new V6Metadata(SampledId, Runtime, 303, "AllocationSampled"), new V6Metadata(HeapStatsId, Runtime, 4, "GCHeapStats", Version: 2),
                new V6Metadata(3, "Other-Provider", 303))
            .Threads((1, 4242, 1234), (2, 77, 1234))
            .Stacks(1, [0x1111, 0x2222], [0x3333])
            .Events(
                new V6Event(SampledId, 2000, 1, 1, StackId: 1, Payload: Payloads.AllocationSampled(48, 7)),
                new V6Event(3, 2100, 1, 2, Sorted: false, StackId: 2, Payload: new byte[8]),
                new V6Event(HeapStatsId, 2200, 1, 3, Sorted: false, StackId: 2, Payload: Payloads.HeapStats(1, 2, 3, 4, 5), ThreadIndex: 2))
            .EndOfStream()
            .ToArray());

        NettraceReader reader = NettraceReader.Open(path);
        List<Seen> seen = ReadAll(path, out NettraceReadResult result);

        Assert.AreEqual(6, reader.FormatVersion);
        Assert.AreEqual((NettraceBuilder.SyncTimeQpc, NettraceBuilder.QpcFrequency, 8), (reader.SyncTimeQpc, reader.QpcFrequency, reader.PointerSize));
        Assert.AreEqual(new DateTime(2026, 12, 7, 0, 16, 10, 123, DateTimeKind.Utc), reader.StartedUtc);
        Assert.IsNull(result.Problem);
        Assert.AreEqual((0L, 2200L, 3L), (result.DroppedEvents, result.LastTimeStamp, result.EventsRead));
        Assert.HasCount(2, seen);
        Assert.AreEqual(new Seen(ClrEvent.AllocationSampled, 2000, 4242, 16, "48/7"), seen[0]);
        Assert.AreEqual(new Seen(ClrEvent.GCHeapStats, 2200, 77, 8, "15"), seen[1], "version 2 from the metadata: the POH is counted");
    }

    [TestMethod]
    public void V5FileConverted_ReadsTheSameAsTheV5File()
    {
        byte[] v5 = new NettraceBuilder()
            .Metadata((SampledId, Runtime, 303, 0), (HeapStatsId, Runtime, 4, 2))
            .Stacks(1, [0x1111, 0x2222], [0x3333])
            .Events(
                new TestEvent(SampledId, 10, 1, 1, StackId: 1, Payload: Payloads.AllocationSampled(10, 0)),
                new TestEvent(SampledId, 30, 1, 2, Sorted: false, StackId: 2, Payload: Payloads.AllocationSampled(30, 0)),
                new TestEvent(SampledId, 20, 2, 1, Sorted: true, Payload: Payloads.AllocationSampled(20, 0), ThreadId: 9),
                new TestEvent(HeapStatsId, 25, 2, 4, Sorted: false, Payload: Payloads.HeapStats(1, 2, 3, 4, 5)))
            .SequencePoint(40, (1, 2), (2, 6))
            .Stacks(1, [0x4444])
            .Events(new TestEvent(SampledId, 50, 1, 3, StackId: 1, Payload: Payloads.AllocationSampled(50, 0)))
            .End()
            .ToArray();

        foreach (bool compressed in new[] { true, false })
        {
            var v6 = new MemoryStream();
            NetTraceV6Converter.Result converted = NetTraceV6Converter.Convert(v5, v6, compressed);
            List<Seen> expected = ReadAll(WriteBytes(v5), out NettraceReadResult expectedResult);
            List<Seen> actual = ReadAll(WriteBytes(v6.ToArray()), out NettraceReadResult actualResult);

            Assert.AreEqual((5, 3), (converted.Events, converted.Threads), "threads 1, 2 and 9");
            CollectionAssert.AreEqual(expected, actual, $"compressed: {compressed}");
            Assert.AreEqual(expectedResult, actualResult, $"compressed: {compressed}: 4 dropped on thread 2 (2, 3, 5 and 6)");
        }
    }

    [TestMethod]
    public void LabelList_VersionOverridesTheMetadatas()
    {
        string path = Write(new NetTraceV6Writer()
            .Metadata(new V6Metadata(HeapStatsId, Runtime, 4, Version: 0))
            .Threads((1, 10, 1))
            .LabelLists(1,
                [.. NetTraceV6Writer.Label(1, last: false, new byte[16]), .. NetTraceV6Writer.Label(5, last: false, 1, (byte)'k', 1, (byte)'v'), .. NetTraceV6Writer.Label(10, last: true, 2)],
                NetTraceV6Writer.Label(4, last: true, new byte[8]))
            .Events(
                new V6Event(HeapStatsId, 10, 1, 1, Payload: Payloads.HeapStats(1, 2, 3, 4, 5)),
                new V6Event(HeapStatsId, 11, 1, 2, Payload: Payloads.HeapStats(1, 2, 3, 4, 5), LabelListId: 1),
                new V6Event(HeapStatsId, 12, 1, 3, Payload: Payloads.HeapStats(1, 2, 3, 4, 5), LabelListId: 2))
            .EndOfStream()
            .ToArray());

        List<Seen> seen = ReadAll(path, out NettraceReadResult result);

        Assert.IsNull(result.Problem);
        CollectionAssert.AreEqual(new[] { "10", "15", "10" }, seen.Select(s => s.Fields).ToArray(), "list 1 sets version 2 (POH counted); list 2 sets none");
    }

    [TestMethod]
    public void RemoveThreadAndSequencePoints_CountDroppedEventsAndForgetThreads()
    {
        NetTraceV6Writer writer = new NetTraceV6Writer()
            .Metadata(new V6Metadata(SampledId, Runtime, 303))
            .Threads((1, 10, 1), (2, 20, 1))
            .Events(
                new V6Event(SampledId, 10, 1, 1, Payload: Payloads.AllocationSampled(1, 0)),
                new V6Event(SampledId, 11, 1, 3, Sorted: false, Payload: Payloads.AllocationSampled(1, 0)), // 2 dropped
                new V6Event(SampledId, 12, 2, 2, Payload: Payloads.AllocationSampled(1, 0))) // 1 dropped: V6 threads start at 0
            .RemoveThreads((1, 5)) // 4 and 5 dropped
            .SequencePoint(20, 0, (2, 4)); // 3 and 4 dropped; thread 1 goes

        ReadAll(Write(writer.EndOfStream().ToArray()), out NettraceReadResult counted);
        Assert.AreEqual(6, counted.DroppedEvents);
        Assert.IsNull(counted.Problem);

        writer = new NetTraceV6Writer()
            .Metadata(new V6Metadata(SampledId, Runtime, 303))
            .Threads((1, 10, 1))
            .SequencePoint(5, 1) // flag 1: the threads are forgotten
            .Events(new V6Event(SampledId, 10, 1, 1, Payload: Payloads.AllocationSampled(1, 0)))
            .EndOfStream();
        ReadAll(Write(writer.ToArray()), out NettraceReadResult forgotten);
        Assert.Contains("thread index 1 that no Thread block declares", forgotten.Problem ?? "");

        writer = new NetTraceV6Writer()
            .Metadata(new V6Metadata(SampledId, Runtime, 303))
            .Threads((1, 10, 1))
            .SequencePoint(5, 2) // flag 2: the metadata is forgotten
            .Events(new V6Event(SampledId, 10, 1, 1, Payload: Payloads.AllocationSampled(1, 0)))
            .EndOfStream();
        Assert.IsEmpty(ReadAll(Write(writer.ToArray()), out _), "an event of unknown metadata is skipped, as in V5");
    }

    [TestMethod]
    public void ThreadsOfTwoProcesses_RefuseTheTrace()
    {
        // A collect-linux recording of several processes: their code addresses and thread ids would be mixed up.
        string path = Write(new NetTraceV6Writer()
            .Metadata(new V6Metadata(SampledId, Runtime, 303, "AllocationSampled"))
            .Threads((1, 4242, 1234), (2, 77, 5678))
            .Events(new V6Event(SampledId, 2000, 1, 1, Payload: Payloads.AllocationSampled(48, 7)))
            .EndOfStream()
            .ToArray());

        MemLineException refused = Assert.ThrowsExactly<MemLineException>(() => ReadAll(path, out _));

        Assert.AreEqual(FailureKind.TraceUnreadable, refused.Kind);
        StringAssert.Contains(refused.Message, "more than one process (1234 and 5678)");
    }

    [TestMethod]
    public void UnknownBlockKind_IsSkipped()
    {
        string path = Write(new NetTraceV6Writer()
            .Metadata(new V6Metadata(SampledId, Runtime, 303))
            .Block(42, [1, 2, 3, 4, 5])
            .Threads((1, 10, 1))
            .Events(new V6Event(SampledId, 10, 1, 1, Payload: Payloads.AllocationSampled(1, 0)))
            .EndOfStream()
            .ToArray());

        List<Seen> seen = ReadAll(path, out NettraceReadResult result);

        Assert.HasCount(1, seen);
        Assert.IsNull(result.Problem);
    }

    [TestMethod]
    public void DamagedBlocks_StopBeforeThemWithAProblem()
    {
        byte[][] damaged =
        [
            Blocks(w => w.Block(NetTraceV6Writer.EventKind, [20, 0, 1, 0, .. new byte[16], 0x81, SampledId, 0x00, .. NettraceBuilder.VarInt(1000), 1, 2])), // payload past the block
            Blocks(w => w.Events(new V6Event(SampledId, 30, 7, 1, Payload: Payloads.AllocationSampled(3, 0)))), // thread 7 never declared
            Blocks(w => w.Events(new V6Event(SampledId, 30, 1, 2, LabelListId: 3, Payload: Payloads.AllocationSampled(3, 0)))), // no label list 3
            Blocks(w => w.LabelLists(1, [0x2A, 0, 0])), // label kind 42
            Blocks(w => w.Block(NetTraceV6Writer.MetadataKind, [0, 0, 3, 0, 1, 0xFF])), // a row longer than its block
            Blocks(w => w.Threads((2, 20, 1)))[..^1], // a row shorter than it says
            Blocks(w => w.SequencePoint(20, 0, (1, 1)))[..^2], // a thread count the block cannot hold
            Blocks(w => w.Block(NetTraceV6Writer.TraceKind, new byte[40])),
        ];

        foreach (byte[] block in damaged)
        {
            byte[] fixedBlock = block;
            if (block.Length >= 4 && (block[3] == NetTraceV6Writer.ThreadKind || block[3] == NetTraceV6Writer.SequencePointKind))
            {
                // Cut blocks: their header still says the old size; say the new one so that only the content is wrong.
                int size = block.Length - 4;
                fixedBlock = [(byte)size, (byte)(size >> 8), (byte)(size >> 16), block[3], .. block[4..]];
            }

            byte[] file =
            [
                .. Prefix(),
                .. fixedBlock,
                .. Blocks(w => w.Events(new V6Event(SampledId, 40, 1, 2, Payload: Payloads.AllocationSampled(4, 0))).EndOfStream()),
            ];
            List<Seen> seen = ReadAll(WriteBytes(file), out NettraceReadResult result);

            Assert.HasCount(1, seen, Convert.ToHexString(block));
            Assert.Contains("the trace is damaged", result.Problem ?? "", Convert.ToHexString(block));
        }
    }

    [TestMethod]
    public void TraceCutShort_StopsAtTheLastIntactBlockWithAProblem()
    {
        byte[] intact = [.. Prefix()];
        byte[] whole = [.. intact, .. Blocks(w => w.Events(new V6Event(SampledId, 20, 1, 2, Payload: Payloads.AllocationSampled(2, 0))).EndOfStream())];

        for (int cut = intact.Length + 1; cut < whole.Length - 4; cut++)
        {
            List<Seen> seen = ReadAll(WriteBytes(whole[..cut]), out NettraceReadResult result);
            Assert.HasCount(1, seen, $"cut at {cut}");
            Assert.Contains("cut short", result.Problem ?? "", $"cut at {cut}");
        }

        List<Seen> noEnd = ReadAll(WriteBytes(whole[..^4]), out NettraceReadResult atBoundary);
        Assert.HasCount(2, noEnd);
        Assert.Contains("without its end-of-stream marker", atBoundary.Problem ?? "");

        // A size that runs past the end of the file: what a cut file looks like, and a damaged size too.
        byte[] oversize = [.. intact, 0xFF, 0xFF, 0xFF, NetTraceV6Writer.EventKind, 1, 2, 3];
        ReadAll(WriteBytes(oversize), out NettraceReadResult over);
        Assert.Contains("cut short", over.Problem ?? "");
        Assert.Contains("bytes and the file has 3 left", over.Problem ?? "");
    }

    [TestMethod]
    public void HeaderDamage_NewerVersions_AreTraceUnreadableInOneLine()
    {
        byte[] whole = new NetTraceV6Writer().EndOfStream().ToArray();
        (byte[] Bytes, string Expected)[] cases =
        [
            (whole[..18], "ends inside its header"),
            (whole[..30], "ends inside its header"),
            (new NetTraceV6Writer(majorVersion: 7).EndOfStream().ToArray(), "NetTrace format version 7, newer than the versions 4 to 6"),
            (new NetTraceV6Writer(majorVersion: 3).EndOfStream().ToArray(), "version header is damaged (major version 3"),
            ([.. whole[..20], .. new NetTraceV6Writer().Metadata().ToArray()[^6..]], "its first block is a MetadataBlock, not the Trace block"),
            (new NetTraceV6Writer(pointerSize: 2).EndOfStream().ToArray(), "pointer size 2"),
            (TraceBlockWithAStringPastItsEnd(), "its Trace block does not decode"),
        ];

        foreach ((byte[] bytes, string expected) in cases)
        {
            string path = WriteBytes(bytes);
            MemLineException ex = Assert.ThrowsExactly<MemLineException>(() => NettraceReader.Open(path), expected);
            Assert.AreEqual(FailureKind.TraceUnreadable, ex.Kind);
            Assert.Contains(expected, ex.Message);
            Assert.DoesNotContain("\n", ex.Message);
        }
    }

    [TestMethod]
    public void MutatedFiles_NeverThrowOrHang()
    {
        byte[] whole = new NetTraceV6Writer()
            .Metadata(new V6Metadata(SampledId, Runtime, 303), new V6Metadata(HeapStatsId, Runtime, 4, Version: 2))
            .Threads((1, 10, 1), (2, 20, 1))
            .Stacks(1, [0x1111, 0x2222])
            .LabelLists(1, NetTraceV6Writer.Label(10, last: true, 2))
            .Events(
                new V6Event(SampledId, 10, 1, 1, StackId: 1, Payload: Payloads.AllocationSampled(1, 0), LabelListId: 1),
                new V6Event(HeapStatsId, 11, 2, 2, Sorted: false, Payload: Payloads.HeapStats(1, 2, 3, 4, 5)))
            .RemoveThreads((2, 2))
            .SequencePoint(20, 0, (1, 2))
            .EndOfStream()
            .ToArray();
        var random = new Random(6);
        for (int i = 0; i < 2000; i++)
        {
            byte[] mutated = (byte[])whole.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            string path = WriteBytes(mutated, "mutated-v6.nettrace");
            try
            {
                NettraceReader.Open(path).Read(new Recorder(), ClrEventSet.Of(ClrEvent.AllocationSampled, ClrEvent.GCHeapStats), ClrEventSet.Empty);
                using NettraceAllocationTrace trace = NettraceAllocationTrace.Open(path);
                trace.Replay(new NullVisitor());
            }
            catch (MemLineException ex)
            {
                Assert.AreEqual(FailureKind.TraceUnreadable, ex.Kind);
            }
        }
    }

    /// <summary>The blocks <paramref name="write"/> writes after the stream header and the Trace block.</summary>
    private static byte[] Blocks(Func<NetTraceV6Writer, NetTraceV6Writer> write)
    {
        var writer = new NetTraceV6Writer();
        int start = writer.ToArray().Length;
        return write(writer).ToArray()[start..];
    }

    /// <summary>A Trace block of one key/value pair whose key says 5 bytes and has 1.</summary>
    private static byte[] TraceBlockWithAStringPastItsEnd()
    {
        byte[] file = new NetTraceV6Writer(keyValues: []).ToArray();
        byte[] content = [.. file[24..^4], 1, 0, 0, 0, 5, (byte)'k'];
        return [.. file[..20], (byte)content.Length, 0, 0, NetTraceV6Writer.TraceKind, .. content];
    }

    /// <summary>A V6 file's first blocks, without the end: metadata, threads 1 and 2, one event.</summary>
    private static byte[] Prefix() => new NetTraceV6Writer()
        .Metadata(new V6Metadata(SampledId, Runtime, 303))
        .Threads((1, 10, 1), (2, 20, 1))
        .Events(new V6Event(SampledId, 10, 1, 1, Payload: Payloads.AllocationSampled(1, 0)))
        .ToArray();

    private sealed class NullVisitor : IAllocationVisitor
    {
        public void OnGCHeapSizes(double timeMSec, int count, long heapBytesBefore, long heapBytesAfter)
        {
        }

        public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames)
        {
        }
    }

    private static List<Seen> ReadAll(string path, out NettraceReadResult result)
    {
        var recorder = new Recorder();
        result = NettraceReader.Open(path).Read(recorder, ClrEventSet.Of(ClrEvent.AllocationSampled, ClrEvent.GCHeapStats), ClrEventSet.Empty);
        return recorder.Seen;
    }

    private string Write(byte[] bytes) => WriteBytes(bytes);

    private string WriteBytes(byte[] bytes, string? name = null)
    {
        string path = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), name ?? $"{TestContext.TestName}-{Guid.NewGuid():N}.nettrace");
        File.WriteAllBytes(path, bytes);
        _written.Add(path);
        return path;
    }
}
