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
}
