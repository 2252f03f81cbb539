using System.Buffers.Binary;
using DotnetMemLine.Decoding;
using DotnetMemLine.Decoding.Nettrace;
using DotnetMemLine.Tests.Decoding.Nettrace;

namespace DotnetMemLine.Tests.Decoding;

/// <summary>The structural walk that tells a complete .nettrace from a cut, damaged or foreign file, on hand-made files.</summary>
[TestClass]
public sealed class NettraceLayoutTests
{
    /// <summary>"Nettrace", the serialization signature, the Trace object (version 4), two blocks, the end tag.</summary>
    private static byte[] SmallTrace(int version = 4) =>
        new NettraceBuilder(traceVersion: version).FillerBlock("MetadataBlock", 10).FillerBlock("EventBlock", 33).End().ToArray();

    private static NettraceLayout Read(byte[] bytes) => NettraceLayout.Read(new MemoryStream(bytes));

    [TestMethod]
    public void CompleteTrace_IsCompleteWithEveryObject()
    {
        NettraceLayout layout = Read(SmallTrace());

        Assert.AreEqual(NettraceKind.FastSerialization, layout.Kind);
        Assert.IsTrue(layout.IsComplete, layout.Problem);
        Assert.AreEqual(4, layout.FormatVersion);
        CollectionAssert.AreEqual(new[] { "Trace", "MetadataBlock", "EventBlock" }, layout.Blocks.Select(b => b.Name).ToArray());
        Assert.AreEqual(SmallTrace().Length - 1, (int)layout.Blocks[^1].End, "the last object ends just before the end tag");
    }

    [TestMethod]
    public void CutAtEveryOffset_IsTruncatedAndKeepsOnlyWholeObjects()
    {
        byte[] trace = SmallTrace();
        for (int length = 8 + 24; length < trace.Length; length++)
        {
            NettraceLayout layout = Read(trace[..length]);

            Assert.IsFalse(layout.IsComplete, $"cut at {length}");
            Assert.IsTrue(layout.IsTruncated, $"cut at {length}: {layout.Problem}");
            Assert.IsTrue(layout.Blocks.All(b => b.End <= length), $"cut at {length}");
        }
    }

    [TestMethod]
    public void CutInsideTheSignature_IsATruncatedHeader()
    {
        NettraceLayout layout = Read(SmallTrace()[..20]);

        Assert.AreEqual(NettraceKind.Truncated, layout.Kind);
    }

    [TestMethod]
    [DataRow(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13 }, DisplayName = "PNG")]
    [DataRow(new byte[] { 0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x0A }, DisplayName = "text")]
    [DataRow(new byte[] { 0x4E, 0x65, 0x74 }, DisplayName = "the first bytes of the magic")]
    [DataRow(new byte[0], DisplayName = "empty")]
    public void OtherFiles_AreNotNettrace(byte[] bytes)
    {
        Assert.AreEqual(NettraceKind.NotNettrace, Read(bytes).Kind);
    }

    [TestMethod]
    public void BlockSizeTooSmall_IsDamageNotTruncation()
    {
        byte[] trace = SmallTrace();
        NettraceLayout.Block events = Read(trace).Blocks[2];
        BinaryPrimitives.WriteInt32LittleEndian(trace.AsSpan((int)events.SizeFieldOffset), 20);

        NettraceLayout layout = Read(trace);

        Assert.IsFalse(layout.IsComplete);
        Assert.IsFalse(layout.IsTruncated, layout.Problem);
        Assert.AreEqual(events.Start, layout.StoppedAt);
        Assert.HasCount(2, layout.Blocks, "the blocks before the damage are kept");
    }

    [TestMethod]
    public void BytesAfterTheEndTag_AreReported()
    {
        NettraceLayout layout = Read([.. SmallTrace(), 0, 0]);

        Assert.IsFalse(layout.IsComplete);
        Assert.IsNotNull(layout.Problem);
    }

    [TestMethod]
    public void FormatVersion_IsReadFromTheTraceObject()
    {
        NettraceLayout layout = Read(SmallTrace(version: 7));

        Assert.AreEqual(7, layout.FormatVersion);
        Assert.AreEqual(7, layout.MinimumReaderVersion);
    }

    [TestMethod]
    public void StreamHeader_IsIdentifiedTheSameForTheWalkAndTheDecoder()
    {
        byte[] fastSerialization = [.. "Nettrace"u8, 20, 0, 0, 0, .. "!FastSerialization.1"u8];
        byte[] v6 = [.. "Nettrace"u8, 0, 0, 0, 0, 6, 0, 0, 0];

        Assert.AreEqual(NettraceKind.FastSerialization, NettraceFormat.Identify(fastSerialization, out _));
        Assert.AreEqual(NettraceKind.BlockContainer, NettraceFormat.Identify(v6, out int major));
        Assert.AreEqual(6, major);
        Assert.AreEqual(NettraceKind.OtherContainer, NettraceFormat.Identify([.. "Nettrace"u8, 0, 0, 0, 0, 7, 0, 0, 0], out int later));
        Assert.AreEqual(7, later);
        Assert.AreEqual(NettraceKind.Truncated, NettraceFormat.Identify(v6.AsSpan(0, 12), out _), "cut before the version after the zero");
        Assert.AreEqual(NettraceKind.Truncated, NettraceFormat.Identify(fastSerialization.AsSpan(0, 20), out _));
        Assert.AreEqual(NettraceKind.NotNettrace, NettraceFormat.Identify("Netrace!"u8, out _));
        Assert.AreEqual(NettraceKind.OtherContainer, NettraceFormat.Identify([.. "Nettrace"u8, 20, 0, 0, 0, .. "!FastSerialization.2"u8], out _));
    }

    /// <summary>Version 6: the stream header, the Trace block, a MetadataBlock, a ThreadBlock, the end-of-stream block.</summary>
    private static byte[] SmallV6Trace() =>
        new NetTraceV6Writer().Metadata(new V6Metadata(1, "P", 1)).Threads((1, 10, 1)).EndOfStream().ToArray();

    [TestMethod]
    public void V6_CompleteTrace_IsCompleteWithEveryBlock()
    {
        NettraceLayout layout = Read(SmallV6Trace());

        Assert.AreEqual(NettraceKind.BlockContainer, layout.Kind);
        Assert.IsTrue(layout.IsComplete, layout.Problem);
        Assert.AreEqual(6, layout.FormatVersion);
        CollectionAssert.AreEqual(new[] { "Trace block", "MetadataBlock", "ThreadBlock" }, layout.Blocks.Select(b => b.Name).ToArray());
        Assert.AreEqual(SmallV6Trace().Length - 4, (int)layout.Blocks[^1].End, "the last block ends just before the end-of-stream block");
        Assert.IsNull(TraceFileCheck.ReadProblem(layout));
    }

    [TestMethod]
    public void V6_CutAtEveryOffset_IsTruncatedAndKeepsOnlyWholeBlocks()
    {
        byte[] trace = SmallV6Trace();
        for (int length = 16; length < trace.Length; length++)
        {
            NettraceLayout layout = Read(trace[..length]);

            Assert.AreEqual(NettraceKind.BlockContainer, layout.Kind);
            Assert.IsFalse(layout.IsComplete, $"cut at {length}");
            Assert.IsTrue(layout.IsTruncated, $"cut at {length}: {layout.Problem}");
            Assert.IsTrue(layout.Blocks.All(b => b.End <= length), $"cut at {length}");
            Assert.Contains("the trace ends early (truncated?)", TraceFileCheck.ReadProblem(layout) ?? "", $"cut at {length}");
        }
    }

    [TestMethod]
    public void V6_FirstBlockNotTheTraceBlock_OrBytesAfterTheEnd_AreDamage()
    {
        byte[] trace = SmallV6Trace();
        trace[23] = NetTraceV6Writer.MetadataKind;
        NettraceLayout notTrace = Read(trace);
        NettraceLayout trailing = Read([.. SmallV6Trace(), 0, 0]);

        Assert.IsFalse(notTrace.IsTruncated);
        Assert.Contains("not the Trace block", notTrace.Problem ?? "");
        Assert.IsFalse(trailing.IsComplete);
        Assert.Contains("unexpected bytes follow", trailing.Problem ?? "");
    }

    [TestMethod]
    public void V6_Check_TellsAnEmptyTraceAndANewerVersion()
    {
        string directory = Directory.CreateTempSubdirectory("memline-v6-").FullName;
        try
        {
            string headerOnly = Path.Combine(directory, "header-only.nettrace");
            File.WriteAllBytes(headerOnly, new NetTraceV6Writer().ToArray());
            string newer = Path.Combine(directory, "v7.nettrace");
            File.WriteAllBytes(newer, new NetTraceV6Writer(majorVersion: 7).EndOfStream().ToArray());

            MemLineException incomplete = Assert.ThrowsExactly<MemLineException>(() => TraceFileCheck.Check(headerOnly));
            MemLineException unreadable = Assert.ThrowsExactly<MemLineException>(() => TraceFileCheck.Check(newer));

            Assert.AreEqual(FailureKind.TraceIncomplete, incomplete.Kind);
            Assert.AreEqual(FailureKind.TraceUnreadable, unreadable.Kind);
            Assert.Contains("nettrace format version 7, newer than this dotnet-memline reads (up to 6)", unreadable.Message);
            Assert.AreEqual(Remedy.UpdateTheTool, unreadable.Remedy);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
