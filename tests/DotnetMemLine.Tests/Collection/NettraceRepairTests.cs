using System.Buffers.Binary;
using DotnetMemLine.Collection;
using DotnetMemLine.Decoding;
using DotnetMemLine.Tests.Decoding.Nettrace;

namespace DotnetMemLine.Tests.Collection;

/// <summary>Closing a cut-off .nettrace after its last complete block, on hand-made byte buffers.</summary>
[TestClass]
public sealed class NettraceRepairTests
{
    /// <summary>"Nettrace", the serialization signature, the Trace object, three blocks, the end tag.</summary>
    private static byte[] SmallTrace() =>
        new NettraceBuilder().FillerBlock("MetadataBlock", 10).FillerBlock("StackBlock", 7).FillerBlock("EventBlock", 33).End().ToArray();

    private static (NettraceRepairResult? Result, byte[] Bytes) Repair(byte[] bytes)
    {
        using var stream = new MemoryStream();
        stream.Write(bytes);
        NettraceRepairResult? result = NettraceRepair.Repair(stream);
        return (result, stream.ToArray());
    }

    [TestMethod]
    public void CompleteTrace_IsLeftAlone()
    {
        byte[] trace = SmallTrace();

        (NettraceRepairResult? result, byte[] after) = Repair(trace);

        Assert.IsNull(result);
        CollectionAssert.AreEqual(trace, after);
    }

    [TestMethod]
    public void CutAtEveryOffsetAfterTheTraceObject_BecomesCompleteWithTheBlocksBeforeTheCut()
    {
        byte[] trace = SmallTrace();
        IReadOnlyList<NettraceLayout.Block> blocks = NettraceLayout.Read(new MemoryStream(trace)).Blocks;
        long traceObjectEnd = blocks[0].End;
        for (int length = (int)traceObjectEnd; length < trace.Length; length++)
        {
            (NettraceRepairResult? result, byte[] after) = Repair(trace[..length]);

            NettraceLayout.Block[] whole = [.. blocks.Where(b => b.End <= length)];
            Assert.IsNotNull(result, $"cut at {length}");
            Assert.AreEqual(whole.Length - 1, result.BlocksKept, $"cut at {length}");
            Assert.AreEqual(length - whole[^1].End, result.BytesDropped, $"cut at {length}");
            CollectionAssert.AreEqual(trace[..(int)whole[^1].End].Append((byte)1).ToArray(), after, $"cut at {length}: the kept bytes are untouched, then the end tag");

            NettraceLayout layout = NettraceLayout.Read(new MemoryStream(after));
            Assert.IsTrue(layout.IsComplete, $"cut at {length}: {layout.Problem}");
            CollectionAssert.AreEqual(whole.Select(b => b.Name).ToArray(), layout.Blocks.Select(b => b.Name).ToArray(), $"cut at {length}");
        }
    }

    [TestMethod]
    public void CutInsideTheTraceObject_IsLeftAlone()
    {
        byte[] trace = SmallTrace();
        long traceObjectEnd = NettraceLayout.Read(new MemoryStream(trace)).Blocks[0].End;
        byte[] cut = trace[..((int)traceObjectEnd - 10)];

        (NettraceRepairResult? result, byte[] after) = Repair(cut);

        Assert.IsNull(result, "nothing complete to keep");
        CollectionAssert.AreEqual(cut, after);
    }

    [TestMethod]
    public void DamagedBlock_IsLeftForAnalyzeToReport()
    {
        byte[] trace = SmallTrace();
        NettraceLayout.Block events = NettraceLayout.Read(new MemoryStream(trace)).Blocks[^1];
        BinaryPrimitives.WriteInt32LittleEndian(trace.AsSpan((int)events.SizeFieldOffset), 20); // ends before its EndObject tag

        (NettraceRepairResult? result, byte[] after) = Repair(trace);

        Assert.IsNull(result, "damage is not a cut: truncating would hide it");
        CollectionAssert.AreEqual(trace, after);
    }

    [TestMethod]
    [DataRow(new byte[0], DisplayName = "empty")]
    [DataRow(new byte[] { 0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x0A }, DisplayName = "text")]
    [DataRow(new byte[] { 0x4E, 0x65, 0x74, 0x74, 0x72, 0x61 }, DisplayName = "cut inside the magic")]
    public void OtherFiles_AreLeftAlone(byte[] bytes)
    {
        (NettraceRepairResult? result, byte[] after) = Repair(bytes);

        Assert.IsNull(result);
        CollectionAssert.AreEqual(bytes, after);
    }

    [TestMethod]
    public void RepairOfAFile_ChangesItInPlace()
    {
        string path = Path.Combine(Path.GetTempPath(), $"memline-repair-{Guid.NewGuid():N}.nettrace");
        try
        {
            byte[] trace = SmallTrace();
            File.WriteAllBytes(path, trace[..^5]);

            NettraceRepairResult? result = NettraceRepair.Repair(path);

            Assert.IsNotNull(result);
            Assert.AreEqual(2, result.BlocksKept);
            Assert.IsTrue(NettraceLayout.Read(path).IsComplete);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
