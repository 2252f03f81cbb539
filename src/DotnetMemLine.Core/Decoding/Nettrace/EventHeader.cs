using System.Runtime.CompilerServices;
namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>
/// The header of one event blob in an EventBlock or MetadataBlock (NetTrace V4/V5), or of one event row in a
/// V6 EventBlock. With header compression each field is optional or a delta against the previous header of
/// the same block, so a block's headers are decoded in order into one reused value, which starts zeroed at
/// each block. In V6 the thread fields are indexes into the Thread blocks' table, and a label list id takes
/// the place of the activity ids.
/// </summary>
internal struct EventHeader
{
    public int MetadataId;
    public int SequenceNumber;
    public long CaptureThreadId;
    public int ProcessorNumber;
    public long ThreadId;
    public int StackId;
    public long TimeStamp;
    public bool IsSorted;
    public int PayloadSize;
    public int LabelListId;

    /// <summary>Size of an uncompressed header: 4+4+4+8+8+4+4+8+16+16+4 bytes.</summary>
    public const int UncompressedSize = 80;

    /// <summary>Size of an uncompressed V6 header: 4+4+4+8+8+4+4+8+4+4 bytes (a label list id instead of the activity ids).</summary>
    public const int UncompressedSizeV6 = 52;

    [Flags]
    private enum CompressedFlags : byte
    {
        MetadataId = 1 << 0,
        CaptureThreadAndSequence = 1 << 1,
        ThreadId = 1 << 2,
        StackId = 1 << 3,
        ActivityId = 1 << 4, // V6: LabelListId
        RelatedActivityId = 1 << 5, // V6: unused
        Sorted = 1 << 6,
        DataLength = 1 << 7,
    }

    /// <summary>
    /// Reads a compressed header: a flags byte says which fields follow; absent ones keep the previous
    /// header's value, the sequence number counts on by one per (non-metadata) event, the timestamp is a delta.
    /// </summary>
    /// <param name="cursor">At the header's flags byte.</param>
    /// <param name="header">The previous header of the block (zeroed for the first), overwritten with this one.</param>
    /// <param name="v6">NetTrace V6: flag 16 gives a label list id, flag 32 nothing (V5: the activity ids).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReadCompressed(ref ByteCursor cursor, ref EventHeader header, bool v6 = false)
    {
        var flags = (CompressedFlags)cursor.ReadByte();
        if ((flags & CompressedFlags.MetadataId) != 0)
        {
            header.MetadataId = (int)cursor.ReadVarUInt32();
        }

        if ((flags & CompressedFlags.CaptureThreadAndSequence) != 0)
        {
            header.SequenceNumber = unchecked(header.SequenceNumber + (int)cursor.ReadVarUInt32() + 1);
            header.CaptureThreadId = (long)cursor.ReadVarUInt64();
            header.ProcessorNumber = (int)cursor.ReadVarUInt32();
        }
        else if (header.MetadataId != 0)
        {
            header.SequenceNumber = unchecked(header.SequenceNumber + 1);
        }

        if ((flags & CompressedFlags.ThreadId) != 0)
        {
            header.ThreadId = (long)cursor.ReadVarUInt64();
        }

        if ((flags & CompressedFlags.StackId) != 0)
        {
            header.StackId = (int)cursor.ReadVarUInt32();
        }

        header.TimeStamp = unchecked(header.TimeStamp + (long)cursor.ReadVarUInt64());
        if (v6)
        {
            if ((flags & CompressedFlags.ActivityId) != 0)
            {
                header.LabelListId = (int)cursor.ReadVarUInt32();
            }
        }
        else
        {
            if ((flags & CompressedFlags.ActivityId) != 0)
            {
                cursor.Skip(16);
            }

            if ((flags & CompressedFlags.RelatedActivityId) != 0)
            {
                cursor.Skip(16);
            }
        }

        header.IsSorted = (flags & CompressedFlags.Sorted) != 0;
        if ((flags & CompressedFlags.DataLength) != 0)
        {
            header.PayloadSize = (int)cursor.ReadVarUInt32();
        }
    }

    /// <summary>
    /// Reads an uncompressed header (blocks whose flags lack header compression; no runtime since .NET 5
    /// writes them, but the format allows them). Returns the offset, in the cursor, where the next event
    /// starts: EventSize counts everything after its own field, alignment padding included.
    /// </summary>
    /// <param name="cursor">At the header's EventSize field.</param>
    /// <param name="header">Overwritten with this header.</param>
    /// <param name="v6">NetTrace V6: a label list id where V5 has the activity ids.</param>
    public static int ReadUncompressed(ref ByteCursor cursor, ref EventHeader header, bool v6 = false)
    {
        int start = cursor.Position;
        int eventSize = cursor.ReadInt32();
        int metadataId = cursor.ReadInt32();
        header.MetadataId = metadataId & 0x7FFF_FFFF;

        // As TraceEvent reads it (the opposite of the format document's wording): a clear high bit is a sorted event.
        header.IsSorted = (metadataId & unchecked((int)0x8000_0000)) == 0;
        header.SequenceNumber = cursor.ReadInt32();
        header.ThreadId = cursor.ReadInt64();
        header.CaptureThreadId = cursor.ReadInt64();
        header.ProcessorNumber = cursor.ReadInt32();
        header.StackId = cursor.ReadInt32();
        header.TimeStamp = cursor.ReadInt64();
        if (v6)
        {
            header.LabelListId = cursor.ReadInt32();
        }
        else
        {
            cursor.Skip(32); // activity id, related activity id
        }

        header.PayloadSize = cursor.ReadInt32();
        if (header.PayloadSize < 0 || eventSize < (v6 ? UncompressedSizeV6 : UncompressedSize) - 4 + header.PayloadSize)
        {
            throw new NettraceFormatException($"an event's size {eventSize} is smaller than its header and payload");
        }

        return start + 4 + eventSize;
    }
}
