using DotnetMemLine.Decoding;

namespace DotnetMemLine.Collection;

/// <summary>What <see cref="NettraceRepair.Repair(Stream)"/> did to a cut-off trace.</summary>
/// <param name="BlocksKept">Complete blocks kept after the Trace object (EventBlock, StackBlock, ...).</param>
/// <param name="BytesDropped">Bytes of an incomplete last block that were cut off (0 when the stream stopped between blocks).</param>
public sealed record NettraceRepairResult(int BlocksKept, long BytesDropped);

/// <summary>
/// Closes a cut-off .nettrace in place so that any reader takes it. An EventPipe stream that ends
/// abnormally (the target was killed or crashed, a second Ctrl+C, a full disk) stops after or
/// inside a block and lacks the end-of-stream tag. <see cref="NettraceLayout"/> finds the last
/// complete block; the file is truncated there and the tag is appended.
/// </summary>
public static class NettraceRepair
{
    private const byte EndOfStreamTag = 1; // FastSerialization's NullReference tag

    /// <summary>Repairs the trace file at <paramref name="path"/>; see <see cref="Repair(Stream)"/>.</summary>
    public static NettraceRepairResult? Repair(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        NettraceRepairResult? result = Repair(file);
        if (result is not null)
        {
            file.Flush(flushToDisk: true);
        }

        return result;
    }

    /// <summary>
    /// If the trace in <paramref name="trace"/> is cut off (it ends inside or after a block, without
    /// the end tag), truncates it after its last complete object and appends the end tag.
    /// </summary>
    /// <returns>
    /// What was done; null when nothing was: the trace is complete, damaged rather than cut off (left
    /// for analyze to report), not a nettrace of the FastSerialization container, or cut inside its header.
    /// </returns>
    public static NettraceRepairResult? Repair(Stream trace)
    {
        trace.Position = 0;
        NettraceLayout layout = NettraceLayout.Read(trace);
        if (layout.Kind != NettraceKind.FastSerialization || layout.IsComplete || !layout.IsTruncated || layout.Blocks.Count == 0)
        {
            return null;
        }

        long end = layout.Blocks[^1].End;
        trace.SetLength(end);
        trace.Position = end;
        trace.WriteByte(EndOfStreamTag);
        return new NettraceRepairResult(layout.Blocks.Count - 1, layout.FileLength - end);
    }
}
