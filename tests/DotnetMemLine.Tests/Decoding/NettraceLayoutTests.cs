using System.Buffers.Binary;
using System.Text;
using DotnetMemLine.Decoding;

namespace DotnetMemLine.Tests.Decoding;

/// <summary>The structural walk that tells a complete .nettrace from a cut, damaged or foreign file, on hand-made files.</summary>
[TestClass]
public sealed class NettraceLayoutTests
{
    /// <summary>"Nettrace", the serialization signature, the Trace object (version 4), two blocks, the end tag.</summary>
    private static byte[] SmallTrace(int version = 4)
    {
        var bytes = new List<byte>();
        bytes.AddRange("Nettrace"u8.ToArray());
        AddInt32(bytes, 20);
        bytes.AddRange("!FastSerialization.1"u8.ToArray());
        AddObjectHeader(bytes, "Trace", version);
        bytes.AddRange(new byte[48]);
        bytes.Add(6);
        AddBlock(bytes, "MetadataBlock", 10);
        AddBlock(bytes, "EventBlock", 33);
        bytes.Add(1);
        return [.. bytes];
    }

    private static void AddInt32(List<byte> bytes, int value)
    {
        byte[] four = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(four, value);
        bytes.AddRange(four);
    }

    private static void AddObjectHeader(List<byte> bytes, string name, int version)
    {
        bytes.AddRange([5, 5, 1]);
        AddInt32(bytes, version);
        AddInt32(bytes, version);
        AddInt32(bytes, name.Length);
        bytes.AddRange(Encoding.ASCII.GetBytes(name));
        bytes.Add(6);
    }

    private static void AddBlock(List<byte> bytes, string name, int size)
    {
        AddObjectHeader(bytes, name, 2);
        AddInt32(bytes, size);
        while (bytes.Count % 4 != 0)
        {
            bytes.Add(0);
        }

        bytes.AddRange(Enumerable.Repeat((byte)0xAB, size));
        bytes.Add(6);
    }

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
}
