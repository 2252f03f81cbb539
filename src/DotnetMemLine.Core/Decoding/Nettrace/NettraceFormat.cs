using System.Buffers.Binary;

namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>
/// The containers' fixed bytes (FastSerialization for versions 4 and 5, blocks for version 6), shared by the
/// structure walk (<see cref="NettraceLayout"/>: checks and repair) and the decoder (<see cref="NettraceReader"/>).
/// </summary>
internal static class NettraceFormat
{
    public const byte NullReferenceTag = 1;
    public const byte BeginPrivateObjectTag = 5;
    public const byte EndObjectTag = 6;

    /// <summary>The Trace object's fixed payload: start time, QPC sync time and frequency, pointer size, process id, processors, sampling rate.</summary>
    public const int TraceObjectPayloadSize = 48;

    /// <summary>Longer than any object type name the runtime writes ("Trace", "EventBlock", "MetadataBlock", ...).</summary>
    public const int MaxTypeNameLength = 64;

    /// <summary>The block container's major version (NetTrace V6: dotnet-trace collect-linux, record-trace).</summary>
    public const int BlockContainerVersion = 6;

    /// <summary>V6's stream header: the magic, a zero (where V5 has the signature's length), the major and minor versions.</summary>
    public const int BlockHeaderLength = 8 + (3 * sizeof(int));

    /// <summary>V6's block header: a little-endian uint32, the low 24 bits the content's size, the high 8 its kind.</summary>
    public const int BlockHeaderSize = 4;

    /// <summary>The end-of-stream block's kind (V6).</summary>
    public const int EndOfStreamBlock = 0;

    /// <summary>The Trace block's kind (V6), the first block of the file.</summary>
    public const int TraceBlock = 1;

    public static ReadOnlySpan<byte> Magic => "Nettrace"u8;

    /// <summary>A V6 block header's content size and kind.</summary>
    public static (int Size, int Kind) ReadBlockHeader(ReadOnlySpan<byte> header)
    {
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(header);
        return ((int)(value & 0xFF_FFFF), (int)(value >> 24));
    }

    public static ReadOnlySpan<byte> SerializationSignature => "!FastSerialization.1"u8;

    /// <summary>The stream header: the magic, the signature's int32 length and the signature.</summary>
    public static int HeaderLength => Magic.Length + sizeof(int) + SerializationSignature.Length;

    /// <summary>
    /// What the file's first <see cref="HeaderLength"/> bytes (fewer for a shorter file) say it is: the one reading
    /// of the stream header, for the structure walk and the decoder alike. NetTrace V6 and later write a zero
    /// length then their major version (<paramref name="laterMajorVersion"/>, 0 when not there): 6 is the
    /// <see cref="NettraceKind.BlockContainer"/>, any other the <see cref="NettraceKind.OtherContainer"/>.
    /// </summary>
    public static NettraceKind Identify(ReadOnlySpan<byte> head, out int laterMajorVersion)
    {
        laterMajorVersion = 0;
        if (head.Length < Magic.Length || !head[..Magic.Length].SequenceEqual(Magic))
        {
            return NettraceKind.NotNettrace;
        }

        ReadOnlySpan<byte> rest = head[Magic.Length..];
        if (rest.Length >= sizeof(int) && BinaryPrimitives.ReadInt32LittleEndian(rest) == 0)
        {
            if (rest.Length < 2 * sizeof(int))
            {
                return NettraceKind.Truncated; // cut before the version that follows the zero
            }

            laterMajorVersion = BinaryPrimitives.ReadInt32LittleEndian(rest[sizeof(int)..]);
            return laterMajorVersion == BlockContainerVersion ? NettraceKind.BlockContainer : NettraceKind.OtherContainer;
        }

        if (head.Length < HeaderLength)
        {
            return NettraceKind.Truncated;
        }

        return BinaryPrimitives.ReadInt32LittleEndian(rest) == SerializationSignature.Length && rest[sizeof(int)..].StartsWith(SerializationSignature)
            ? NettraceKind.FastSerialization
            : NettraceKind.OtherContainer;
    }
}

/// <summary>The kinds of V6 block, and their names in messages (the V5 object names where there is one).</summary>
internal static class NettraceBlockKinds
{
    public static string Name(int kind) => kind switch
    {
        0 => "EndOfStream block",
        1 => "Trace block",
        2 => "EventBlock",
        3 => "MetadataBlock",
        4 => "SPBlock",
        5 => "StackBlock",
        6 => "ThreadBlock",
        7 => "RemoveThreadBlock",
        8 => "LabelListBlock",
        _ => $"block of kind {kind}",
    };
}
