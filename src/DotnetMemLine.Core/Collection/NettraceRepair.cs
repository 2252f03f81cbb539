using System.Text;

namespace DotnetMemLine.Collection;

/// <summary>What <see cref="NettraceRepair.Repair"/> found.</summary>
/// <param name="WasComplete">The stream ended with its end-of-stream tag: nothing was changed.</param>
/// <param name="Repaired">The file was cut after its last complete block and closed with the end tag.</param>
/// <param name="BytesDropped">Bytes of an incomplete last block that were cut off.</param>
public sealed record NettraceRepairResult(bool WasComplete, bool Repaired, long BytesDropped, int Blocks);

/// <summary>
/// Makes a cut-off .nettrace readable. An EventPipe stream that ends abnormally (the target was
/// killed or crashed, a second Ctrl+C, a full disk) stops in the middle of a block and lacks the
/// end-of-stream tag, and TraceEvent refuses the whole file ("Read past end of stream"). The format
/// (nettrace v4/v5, FastSerialization) is a header, then objects: the Trace object, then blocks
/// (EventBlock, MetadataBlock, StackBlock, SPBlock) that each carry their size, then a
/// NullReference tag. So the file is walked block by block, cut after the last complete one, and
/// closed with the tag: every complete block's events stay.
/// </summary>
public static class NettraceRepair
{
    private const byte NullReferenceTag = 1;
    private const byte BeginPrivateObjectTag = 5;
    private const byte EndObjectTag = 6;
    private const int TraceObjectPayloadBytes = 48; // SYSTEMTIME, QPC sync time and frequency, pointer size, pid, processors, sampling rate
    private static readonly byte[] Magic = "Nettrace"u8.ToArray();
    private const string SerializationHeader = "!FastSerialization.1";

    /// <summary>Checks the file and, if it was cut off, truncates it to its complete blocks and closes it.</summary>
    /// <returns>Null when the file is not a nettrace stream this knows how to walk (left untouched).</returns>
    public static NettraceRepairResult? Repair(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        long length = file.Length;
        try
        {
            if (length < Magic.Length + 4 + SerializationHeader.Length || !reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                return null;
            }

            int headerLength = reader.ReadInt32();
            if (headerLength != SerializationHeader.Length || Encoding.ASCII.GetString(reader.ReadBytes(headerLength)) != SerializationHeader)
            {
                return null;
            }
        }
        catch (EndOfStreamException)
        {
            return null;
        }

        long lastGood = -1; // end of the last complete object
        int blocks = 0;
        while (true)
        {
            long objectStart = file.Position;
            if (objectStart >= length)
            {
                break; // cut off between objects
            }

            byte tag = reader.ReadByte();
            if (tag == NullReferenceTag && lastGood >= 0)
            {
                return new NettraceRepairResult(WasComplete: true, Repaired: false, BytesDropped: length - file.Position, blocks);
            }

            if (tag != BeginPrivateObjectTag || !TrySkipObject(file, reader, length, out string? name))
            {
                break;
            }

            if (lastGood < 0 && name != "Trace")
            {
                return null;
            }

            lastGood = file.Position;
            blocks += name == "Trace" ? 0 : 1;
        }

        if (lastGood < 0)
        {
            return null; // not even the Trace object: nothing to keep
        }

        file.SetLength(lastGood);
        file.Position = lastGood;
        file.WriteByte(NullReferenceTag);
        file.Flush(flushToDisk: true);
        return new NettraceRepairResult(WasComplete: false, Repaired: true, BytesDropped: length - lastGood, blocks);
    }

    /// <summary>Reads one object after its BeginPrivateObject tag; false if it is cut off or malformed.</summary>
    private static bool TrySkipObject(FileStream file, BinaryReader reader, long length, out string? name)
    {
        name = null;
        try
        {
            // The type: BeginPrivateObject, NullReference, version, minimum reader version, name, EndObject.
            if (reader.ReadByte() != BeginPrivateObjectTag || reader.ReadByte() != NullReferenceTag)
            {
                return false;
            }

            _ = reader.ReadInt32();
            _ = reader.ReadInt32();
            int nameLength = reader.ReadInt32();
            if (nameLength is <= 0 or > 64 || file.Position + nameLength > length)
            {
                return false;
            }

            name = Encoding.ASCII.GetString(reader.ReadBytes(nameLength));
            if (reader.ReadByte() != EndObjectTag)
            {
                return false;
            }

            long payloadEnd;
            if (name == "Trace")
            {
                payloadEnd = file.Position + TraceObjectPayloadBytes;
            }
            else
            {
                int blockSize = reader.ReadInt32();
                if (blockSize < 0)
                {
                    return false;
                }

                long blockStart = (file.Position + 3) & ~3L; // block contents are 4-byte aligned in the stream
                payloadEnd = blockStart + blockSize;
            }

            if (payloadEnd + 1 > length)
            {
                return false;
            }

            file.Position = payloadEnd;
            return reader.ReadByte() == EndObjectTag;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
