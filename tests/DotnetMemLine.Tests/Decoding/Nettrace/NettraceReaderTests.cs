using DotnetMemLine.Decoding;
using DotnetMemLine.Decoding.Nettrace;

namespace DotnetMemLine.Tests.Decoding.Nettrace;

/// <summary>The streaming reader on hand-built byte buffers: varints, headers, blocks, ordering, damage.</summary>
[TestClass]
public sealed class NettraceReaderTests
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
    [DataRow(new byte[] { 0x00 }, 0u)]
    [DataRow(new byte[] { 0x7F }, 127u)]
    [DataRow(new byte[] { 0x80, 0x01 }, 128u)]
    [DataRow(new byte[] { 0xE5, 0x8E, 0x26 }, 624_485u)]
    [DataRow(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, uint.MaxValue)]
    public void VarUInt32_DecodesLeb128(byte[] bytes, uint expected)
    {
        var cursor = new ByteCursor(bytes);
        Assert.AreEqual(expected, cursor.ReadVarUInt32());
        Assert.AreEqual(bytes.Length, cursor.Position);
    }

    [TestMethod]
    public void VarUInt64_DecodesTenBytes()
    {
        byte[] bytes = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        var cursor = new ByteCursor(bytes);
        Assert.AreEqual(ulong.MaxValue, cursor.ReadVarUInt64());
    }

    [TestMethod]
    [DataRow(new byte[] { 0x80 })]
    [DataRow(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })]
    public void VarUInt32_TruncatedOrOverlong_IsAFormatError(byte[] bytes)
    {
        Assert.ThrowsExactly<NettraceFormatException>(() =>
        {
            var cursor = new ByteCursor(bytes);
            cursor.ReadVarUInt32();
        });
    }

    [TestMethod]
    public void CompressedHeaders_AbsentFieldsRepeatAndSequenceCountsOn()
    {
        var first = new TestEvent(MetadataId: 7, TimeStamp: 1000, CaptureThreadId: 42, SequenceNumber: 5, Sorted: true, StackId: 3, Payload: new byte[4], ThreadId: 43);
        byte[] bytes =
        [
            .. NettraceBuilder.CompressedHeader(first, 0, 0, metadata: false),
            .. new byte[4],
            0x00, // no optional field: same metadata, thread, stack and payload size; sequence + 1
            .. NettraceBuilder.VarInt(25), // timestamp delta
            .. new byte[4],
        ];
        var cursor = new ByteCursor(bytes);
        EventHeader header = default;

        EventHeader.ReadCompressed(ref cursor, ref header);
        Assert.AreEqual((7, 5, 42L, 43L, 3, 1000L, true, 4), (header.MetadataId, header.SequenceNumber, header.CaptureThreadId, header.ThreadId, header.StackId, header.TimeStamp, header.IsSorted, header.PayloadSize));
        cursor.Skip(header.PayloadSize);

        EventHeader.ReadCompressed(ref cursor, ref header);
        Assert.AreEqual((7, 6, 42L, 43L, 3, 1025L, false, 4), (header.MetadataId, header.SequenceNumber, header.CaptureThreadId, header.ThreadId, header.StackId, header.TimeStamp, header.IsSorted, header.PayloadSize));
    }

    [TestMethod]
    public void CompressedHeader_OfAMetadataEvent_KeepsSequenceZero()
    {
        byte[] bytes = [0x00, 0x01, 0x00, 0x01];
        var cursor = new ByteCursor(bytes);
        EventHeader header = default;
        EventHeader.ReadCompressed(ref cursor, ref header);
        EventHeader.ReadCompressed(ref cursor, ref header);
        Assert.AreEqual(0, header.SequenceNumber);
        Assert.AreEqual(2, header.TimeStamp);
    }

    [TestMethod]
    public void UncompressedHeader_ReadsEveryFieldAndSkipsByEventSize()
    {
        var bytes = new List<byte>();
        bytes.AddRange(BitConverter.GetBytes(EventHeader.UncompressedSize - 4 + 8)); // event size: header after this field, payload 6, padding 2
        bytes.AddRange(BitConverter.GetBytes(9)); // metadata id, high bit clear: sorted
        bytes.AddRange(BitConverter.GetBytes(3)); // sequence
        bytes.AddRange(BitConverter.GetBytes(11L)); // thread
        bytes.AddRange(BitConverter.GetBytes(12L)); // capture thread
        bytes.AddRange(BitConverter.GetBytes(1)); // processor
        bytes.AddRange(BitConverter.GetBytes(4)); // stack
        bytes.AddRange(BitConverter.GetBytes(5000L)); // timestamp
        bytes.AddRange(new byte[32]);
        bytes.AddRange(BitConverter.GetBytes(6)); // payload size
        bytes.AddRange(new byte[8]);
        var cursor = new ByteCursor(bytes.ToArray());
        EventHeader header = default;

        int next = EventHeader.ReadUncompressed(ref cursor, ref header);

        Assert.AreEqual((9, 3, 11L, 12L, 4, 5000L, true, 6), (header.MetadataId, header.SequenceNumber, header.ThreadId, header.CaptureThreadId, header.StackId, header.TimeStamp, header.IsSorted, header.PayloadSize));
        Assert.AreEqual(bytes.Count, next);
    }

    [TestMethod]
    public void MetadataAndStackBlocks_GiveKindsVersionsAndStacks()
    {
        string path = Write(new NettraceBuilder()
            .Metadata((SampledId, Runtime, 303, 0), (HeapStatsId, Runtime, 4, 2), (3, "Other-Provider", 303, 0))
            .Stacks(1, [0x1111, 0x2222], [0x3333])
            .Events(
                new TestEvent(SampledId, 2000, 10, 1, StackId: 1, Payload: Payloads.AllocationSampled(48, 7)),
                new TestEvent(3, 2100, 10, 2, StackId: 2, Payload: new byte[8]),
                new TestEvent(HeapStatsId, 2200, 10, 3, StackId: 2, Payload: Payloads.HeapStats(1, 2, 3, 4, 5)))
            .End());

        List<Seen> seen = ReadAll(path, out NettraceReadResult result);

        Assert.IsNull(result.Problem);
        Assert.AreEqual(0, result.DroppedEvents);
        Assert.AreEqual(2200, result.LastTimeStamp);
        Assert.HasCount(2, seen); // the other provider's event 303 is not AllocationSampled
        Assert.AreEqual(new Seen(ClrEvent.AllocationSampled, 2000, 10, 16, "48/7"), seen[0]);
        Assert.AreEqual(new Seen(ClrEvent.GCHeapStats, 2200, 10, 8, "15"), seen[1]);
    }

    [TestMethod]
    [DataRow(16, 64)]
    [DataRow(64, 128)]
    [DataRow(300, 1000)]
    public void TinyReadChunks_GiveTheSameEventsAsOneRead(int headRoom, int chunkSize)
    {
        // Three threads whose unsorted events wait in their queues across many blocks: with chunks of a few dozen bytes
        // blocks straddle chunks, the longer ones (most of them) are joined in buffers of their own, and the queued
        // payloads stay in held buffers while the reader moves on. Every payload differs, so one read from a reused
        // buffer shows.
        var builder = new NettraceBuilder().Metadata((SampledId, Runtime, 303, 0), (HeapStatsId, Runtime, 4, 2)).Stacks(1, [0x1111, 0x2222], [0x3333]);
        var sequence = new Dictionary<long, int> { [1] = 0, [2] = 0, [3] = 0 };
        long time = 100;
        for (int block = 0; block < 60; block++)
        {
            long thread = 1 + (block % 3);
            var events = new List<TestEvent>();
            for (int i = 0; i < 1 + (block % 7); i++)
            {
                time += 7 - (block % 5);
                events.Add(i == 3 && block % 4 == 0
                    ? new TestEvent(HeapStatsId, time, thread, ++sequence[thread], Sorted: false, Payload: Payloads.HeapStats(block, i, 3, 4, 5))
                    : new TestEvent(SampledId, time - (thread * 40), thread, ++sequence[thread], Sorted: i == 0 && block % 9 == 0, StackId: 1 + (i % 2), Payload: Payloads.AllocationSampled(1000 + (block * 10) + i, i)));
            }

            builder.Events([.. events]);
            if (block % 20 == 19)
            {
                builder.SequencePoint(time, (1, sequence[1]), (2, sequence[2]), (3, sequence[3])).Stacks(1, [0x1111, 0x2222], [0x3333]);
            }
        }

        string path = Write(builder.End());
        List<Seen> expected = ReadAll(path, out NettraceReadResult expectedResult);
        var recorder = new Recorder();
        NettraceReader tiny = NettraceReader.Open(path);
        tiny.ReadSizes = new ReadAheadSizes(headRoom, chunkSize);
        NettraceReadResult result = tiny.Read(recorder, ClrEventSet.Of(ClrEvent.AllocationSampled, ClrEvent.GCHeapStats), ClrEventSet.Empty);

        Assert.IsGreaterThan(200, expected.Count);
        Assert.IsGreaterThan(10 * chunkSize, new FileInfo(path).Length, "the trace must span many chunks");
        CollectionAssert.AreEqual(expected, recorder.Seen);
        Assert.AreEqual(expectedResult, result);
    }

    [TestMethod]
    public void UnsortedEvents_AreMergedByTimestampAtTheNextSortedEventOrSequencePoint()
    {
        // Thread 1 logs 10 (sorted) and 30; thread 2 logs 20 (sorted) and 25; the file holds them per thread.
        string path = Write(new NettraceBuilder()
            .Metadata((SampledId, Runtime, 303, 0))
            .Events(
                new TestEvent(SampledId, 10, 1, 1, Sorted: true, Payload: Payloads.AllocationSampled(10, 0)),
                new TestEvent(SampledId, 30, 1, 2, Sorted: false, Payload: Payloads.AllocationSampled(30, 0)),
                new TestEvent(SampledId, 20, 2, 1, Sorted: true, Payload: Payloads.AllocationSampled(20, 0)),
                new TestEvent(SampledId, 25, 2, 2, Sorted: false, Payload: Payloads.AllocationSampled(25, 0)))
            .SequencePoint(40, (1, 2), (2, 2))
            .End());

        List<Seen> seen = ReadAll(path, out _);

        CollectionAssert.AreEqual(new long[] { 10, 20, 25, 30 }, seen.Select(s => s.TimeStamp).ToArray());
        CollectionAssert.AreEqual(new long[] { 1, 2, 2, 1 }, seen.Select(s => s.ThreadId).ToArray());
    }

    [TestMethod]
    public void SequenceNumberGaps_CountDroppedEvents()
    {
        string path = Write(new NettraceBuilder()
            .Metadata((SampledId, Runtime, 303, 0))
            .Events(
                new TestEvent(SampledId, 10, 1, 1, Payload: Payloads.AllocationSampled(1, 0)),
                new TestEvent(SampledId, 11, 1, 2, Sorted: false, Payload: Payloads.AllocationSampled(1, 0)),
                new TestEvent(SampledId, 12, 1, 5, Sorted: false, Payload: Payloads.AllocationSampled(1, 0))) // 3 and 4 dropped
            .SequencePoint(20, (1, 8), (7, 100)) // thread 1 tried 6..8 too; thread 7 is new: nothing known dropped
            .End());

        ReadAll(path, out NettraceReadResult result);

        Assert.AreEqual(5, result.DroppedEvents);
    }

    [TestMethod]
    public void SequencePoint_ForgetsStacks()
    {
        string path = Write(new NettraceBuilder()
            .Metadata((SampledId, Runtime, 303, 0))
            .Stacks(1, [0x1111])
            .Events(new TestEvent(SampledId, 10, 1, 1, StackId: 1, Payload: Payloads.AllocationSampled(1, 0)))
            .SequencePoint(20, (1, 1))
            .Events(new TestEvent(SampledId, 30, 1, 2, StackId: 1, Payload: Payloads.AllocationSampled(1, 0)))
            .End());

        List<Seen> seen = ReadAll(path, out _);

        CollectionAssert.AreEqual(new[] { 8, 0 }, seen.Select(s => s.StackBytes).ToArray());
    }

    [TestMethod]
    public void TraceCutShort_StopsAtTheLastIntactBlockWithAProblem()
    {
        NettraceBuilder builder = new NettraceBuilder()
            .Metadata((SampledId, Runtime, 303, 0))
            .Events(new TestEvent(SampledId, 10, 1, 1, Payload: Payloads.AllocationSampled(1, 0)));
        long intact = builder.Length;
        builder.Events(new TestEvent(SampledId, 20, 1, 2, Payload: Payloads.AllocationSampled(2, 0))).End();
        byte[] whole = builder.ToArray();

        for (long cut = intact + 1; cut < whole.Length - 1; cut += 7)
        {
            string path = WriteBytes(whole.AsSpan(0, (int)cut).ToArray());
            List<Seen> seen = ReadAll(path, out NettraceReadResult result);
            Assert.HasCount(1, seen, $"cut at {cut}");
            Assert.Contains("cut short", result.Problem ?? "", $"cut at {cut}");
        }

        List<Seen> noEndTag = ReadAll(WriteBytes(whole.AsSpan(0, whole.Length - 1).ToArray()), out NettraceReadResult atBoundary);
        Assert.HasCount(2, noEndTag);
        Assert.Contains("without its end-of-stream marker", atBoundary.Problem ?? "");
    }

    [TestMethod]
    public void DamagedBlock_StopsBeforeItWithAProblem()
    {
        // A block header, then an event whose header claims a 1,000-byte payload in a block of 30 bytes.
        byte[] damagedEvents = [.. BitConverter.GetBytes((short)20), .. BitConverter.GetBytes((short)1), .. new byte[16], 0x81, SampledId, 0x00, .. NettraceBuilder.VarInt(1000), 1, 2, 3, 4, 5];
        string path = Write(new NettraceBuilder()
            .Metadata((SampledId, Runtime, 303, 0))
            .Events(new TestEvent(SampledId, 10, 1, 1, Payload: Payloads.AllocationSampled(1, 0)))
            .Block("EventBlock", damagedEvents)
            .Events(new TestEvent(SampledId, 30, 1, 3, Payload: Payloads.AllocationSampled(3, 0)))
            .End());

        List<Seen> seen = ReadAll(path, out NettraceReadResult result);

        Assert.HasCount(1, seen);
        Assert.Contains("damaged", result.Problem ?? "");
    }

    [TestMethod]
    public void MutatedFiles_NeverThrowOrHang()
    {
        byte[] whole = new NettraceBuilder()
            .Metadata((SampledId, Runtime, 303, 0), (HeapStatsId, Runtime, 4, 2))
            .Stacks(1, [0x1111, 0x2222])
            .Events(
                new TestEvent(SampledId, 10, 1, 1, StackId: 1, Payload: Payloads.AllocationSampled(1, 0)),
                new TestEvent(HeapStatsId, 11, 1, 2, Sorted: false, Payload: Payloads.HeapStats(1, 2, 3, 4, 5)))
            .SequencePoint(20, (1, 2))
            .End()
            .ToArray();
        var random = new Random(5);
        for (int i = 0; i < 2000; i++)
        {
            byte[] mutated = (byte[])whole.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            string path = WriteBytes(mutated, "mutated.nettrace");
            try
            {
                NettraceReader.Open(path).Read(new Recorder(), ClrEventSet.Of(ClrEvent.AllocationSampled, ClrEvent.GCHeapStats), ClrEventSet.Empty);
                using NettraceAllocationTrace trace = NettraceAllocationTrace.Open(path);
                trace.Replay(new RecordingVisitor());
            }
            catch (MemLineException ex)
            {
                Assert.AreEqual(FailureKind.TraceUnreadable, ex.Kind);
            }
        }
    }

    [TestMethod]
    public void NotANettrace_EmptyOrNewerFormat_IsTraceUnreadableInOneLine()
    {
        var random = new Random(1);
        byte[] garbage = new byte[4096];
        random.NextBytes(garbage);
        byte[] v7 = [.. "Nettrace"u8, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0];

        foreach ((byte[] bytes, string expected) in new[] { (garbage, "Nettrace' magic"), ([], "empty"), (v7, "format version 7") })
        {
            string path = WriteBytes(bytes);
            MemLineException ex = Assert.ThrowsExactly<MemLineException>(() => NettraceReader.Open(path));
            Assert.AreEqual(FailureKind.TraceUnreadable, ex.Kind);
            Assert.Contains(expected, ex.Message);
            Assert.DoesNotContain("\n", ex.Message);
        }
    }

    [TestMethod]
    public void AllocationTrace_ResolvesStacksThroughTheMethodsOfTheTrace()
    {
        const int LoadId = 10, MapId = 11, ModuleId = 12, RundownLoadId = 13;
        const uint JittedTier1 = 0x8 | (4 << 7);
        string path = Write(new NettraceBuilder()
            .Metadata((SampledId, Runtime, 303, 0), (HeapStatsId, Runtime, 4, 2), (LoadId, Runtime, 143, 2), (MapId, Runtime, 190, 0), (ModuleId, Runtime, 152, 2),
                (RundownLoadId, "Microsoft-Windows-DotNETRuntimeRundown", 143, 2))
            .Events(
                new TestEvent(ModuleId, 1_000, 5, 1, Payload: Payloads.Module(77, "/app/App.dll", BuildOfApp)),
                new TestEvent(LoadId, 1_100, 5, 2, Sorted: false, Payload: Payloads.MethodLoad(1, 77, 0x10000, 0x100, 0x06000001, JittedTier1, "App.Program", "Work")),
                new TestEvent(MapId, 1_200, 5, 3, Sorted: false, Payload: Payloads.ILMap(1, [0, 10], [0, 0x20])))
            .Stacks(1, [0x10030, 0xDEAD, 0x20008])
            .Events(
                new TestEvent(HeapStatsId, 1_500_000, 6, 1, Payload: Payloads.HeapStats(100, 0, 0, 0, 20)),
                new TestEvent(SampledId, 2_000_000, 6, 2, Sorted: false, StackId: 1, Payload: Payloads.AllocationSampled(4000, 123)))
            .SequencePoint(3_000_000, (5, 3), (6, 2))
            .Events(new TestEvent(RundownLoadId, 3_500_000, 9, 1, Payload: Payloads.MethodLoad(2, 77, 0x20000, 0x10, 0x06000002, 0, "App.Program", "Precompiled")))
            .End());

        using NettraceAllocationTrace trace = NettraceAllocationTrace.Open(path);
        Assert.AreEqual(BuildOfApp, trace.ModuleBuilds["/app/App.dll"], "the module event's PDB id: the build the process ran");
        Assert.AreEqual(new DateTime(2026, 12, 7, 0, 16, 10, 123, DateTimeKind.Utc), trace.Summary.StartedUtc, "the header's SYSTEMTIME, UTC");
        var visitor = new RecordingVisitor();
        trace.Replay(visitor);

        Assert.AreEqual(AllocationEventKind.AllocationSampled, trace.Summary.EventKind);
        Assert.AreEqual(1, trace.Summary.AllocationEvents);
        Assert.IsTrue(trace.Summary.HasStacks);
        Assert.AreEqual(0.0025, trace.Summary.DurationSeconds, 1e-9);
        Assert.IsNull(trace.Summary.ReadProblem);
        CollectionAssert.AreEqual(
            new[]
            {
                new TracedMethod("/app/App.dll", 0x06000001, "App.Program.Work") { TypeName = "App.Program", MethodName = "Work" },
                new TracedMethod("/app/App.dll", 0x06000002, "App.Program.Precompiled", RunsPrecompiledCode: true) { TypeName = "App.Program", MethodName = "Precompiled" },
            },
            trace.Methods.ToArray());
        // Each frame: method, code version, return address as an offset into that version's code.
        CollectionAssert.AreEqual(new[] { "heap 0.5 120", "alloc 1 6 4000 123 | 0:0:48, 1:1:8" }, visitor.Lines);
    }

    /// <summary>
    /// The analysis streams: reading ten times as many events (and stacks, and sequence points) allocates
    /// no more memory, so its peak memory cannot grow with the trace's length. The memory that does grow
    /// with a trace, the code map and the resolved addresses, grows with the program's code, not its run.
    /// </summary>
    [TestMethod]
    public void Replay_AllocatesNothingPerEvent()
    {
        long shortTrace = AllocatedByAnalysisOf(Write(RepeatedBlocks(blocks: 10)));
        long longTrace = AllocatedByAnalysisOf(Write(RepeatedBlocks(blocks: 100)));

        // 90 more blocks of 1,000 samples: a single allocation per event would be over 2 MB more.
        Assert.IsLessThan(shortTrace + (64 * 1024), longTrace, $"10 blocks: {shortTrace:N0} bytes allocated, 100 blocks: {longTrace:N0}");
    }

    private static NettraceBuilder RepeatedBlocks(int blocks)
    {
        const int LoadId = 10, MapId = 11, ModuleId = 12;
        const uint JittedTier1 = 0x8 | (4 << 7);
        var builder = new NettraceBuilder()
            .Metadata((SampledId, Runtime, 303, 0), (LoadId, Runtime, 143, 2), (MapId, Runtime, 190, 0), (ModuleId, Runtime, 152, 2))
            .Events(
                new TestEvent(ModuleId, 1_000, 5, 1, Payload: Payloads.Module(77, "/app/App.dll")),
                new TestEvent(LoadId, 1_100, 5, 2, Sorted: false, Payload: Payloads.MethodLoad(1, 77, 0x10000, 0x100, 0x06000001, JittedTier1, "App.Program", "Work")),
                new TestEvent(MapId, 1_200, 5, 3, Sorted: false, Payload: Payloads.ILMap(1, [0, 10], [0, 0x20])));
        int sequence = 0;
        long time = 2_000;
        for (int block = 0; block < blocks; block++)
        {
            builder.Stacks(1, [0x10030, 0xDEAD, 0x20008], [0x10010, 0x10030]);
            builder.Events([.. Enumerable.Range(0, 1_000).Select(i =>
                new TestEvent(SampledId, time += 10, 6, ++sequence, Sorted: i == 0, StackId: 1 + (i % 2), Payload: Payloads.AllocationSampled(4000 + i, i)))]);
            builder.SequencePoint(time += 10, (5, 3), (6, sequence));
        }

        return builder.End();
    }

    private static long AllocatedByAnalysisOf(string path)
    {
        // Once before measuring, so that one-time costs (JIT, statics, pooled buffers) are not counted.
        for (int run = 0; ; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            using (NettraceAllocationTrace trace = NettraceAllocationTrace.Open(path))
            {
                var counter = new CountingVisitor();
                trace.Replay(counter);
                Assert.IsGreaterThan(0L, counter.Allocations);
            }

            if (run == 1)
            {
                return GC.GetAllocatedBytesForCurrentThread() - before;
            }
        }
    }

    private static readonly Guid BuildOfApp = new("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

    private sealed class CountingVisitor : IAllocationVisitor
    {
        public long Allocations { get; private set; }

        public void OnGCHeapSizes(double timeMSec, int count, long heapBytesBefore, long heapBytesAfter)
        {
        }

        public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames) => Allocations++;
    }

    private sealed class RecordingVisitor : IAllocationVisitor
    {
        public List<string> Lines { get; } = [];

        public void OnGCHeapSizes(double timeMSec, int count, long heapBytesBefore, long heapBytesAfter) =>
            Lines.Add(FormattableString.Invariant($"heap {timeMSec} {heapBytesAfter}"));

        public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames) =>
            Lines.Add(FormattableString.Invariant($"alloc {allocation.TimeMSec} {allocation.ThreadId} {allocation.ObjectSize} {allocation.SampledByteOffset} | ")
                + string.Join(", ", frames.ToArray().Select(f => FormattableString.Invariant($"{f.MethodId}:{f.CodeId}:{f.ReturnOffset}"))));
    }

    private static List<Seen> ReadAll(string path, out NettraceReadResult result)
    {
        var recorder = new Recorder();
        result = NettraceReader.Open(path).Read(recorder, ClrEventSet.Of(ClrEvent.AllocationSampled, ClrEvent.GCHeapStats), ClrEventSet.Empty);
        return recorder.Seen;
    }

    private string Write(NettraceBuilder builder) => WriteBytes(builder.ToArray());

    private string WriteBytes(byte[] bytes, string? name = null)
    {
        string path = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), name ?? $"{TestContext.TestName}-{Guid.NewGuid():N}.nettrace");
        File.WriteAllBytes(path, bytes);
        _written.Add(path);
        return path;
    }
}
