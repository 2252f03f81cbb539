using System.Buffers.Binary;

namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>
/// The FastSerialization container's fixed bytes, shared by the structure walk (<see cref="NettraceLayout"/>:
/// checks and repair) and the decoder (<see cref="NettraceReader"/>).
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

    public static ReadOnlySpan<byte> Magic => "Nettrace"u8;

    public static ReadOnlySpan<byte> SerializationSignature => "!FastSerialization.1"u8;

    /// <summary>The stream header: the magic, the signature's int32 length and the signature.</summary>
    public static int HeaderLength => Magic.Length + sizeof(int) + SerializationSignature.Length;

    /// <summary>
    /// What the file's first <see cref="HeaderLength"/> bytes (fewer for a shorter file) say it is: the one reading
    /// of the stream header, for the structure walk and the decoder alike. NetTrace V6 and later write a zero
    /// length then their major version (<paramref name="laterMajorVersion"/>, 0 when not there).
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
            return NettraceKind.OtherContainer;
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
