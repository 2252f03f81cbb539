namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>
/// A block of the trace does not decode: a length runs past its block, a tag is not where the format
/// puts it. The reader catches it at the block boundary and stops there; it never leaves the reader.
/// </summary>
internal sealed class NettraceFormatException(string message) : Exception(message);
