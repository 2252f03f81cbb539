using System.Buffers.Binary;
using System.Text;
using DotnetMemLine.Decoding.Nettrace;

namespace DotnetMemLine.Decoding;

/// <summary>
/// The object structure of a .nettrace file (format versions 3 to 5, the FastSerialization
/// container every .NET runtime up to 10 writes; and version 6's blocks, each a kind and a size),
/// read without decoding any event: the header, the
/// Trace object's format version, and each block's place. TraceEvent reads damaged files without
/// saying so (a trace cut short simply has fewer events), so this walk is what tells a complete
/// trace from a truncated or damaged one, and a file that is not a trace at all.
/// </summary>
/// <remarks>
/// Layout: "Nettrace", int32 20, "!FastSerialization.1", then objects until a NullReference tag (1).
/// Each object is BeginPrivateObject (5), its type (5, 1, int32 version, int32 minimum reader
/// version, int32 name length, name, EndObject 6), its payload and EndObject (6). The Trace object's
/// payload is 48 bytes; a block's payload is int32 size, padding to a 4-byte file offset, size bytes.
/// Version 6: "Nettrace", int32 0, int32 major version 6, int32 minor version, then blocks until the
/// end-of-stream block (kind 0): a uint32 whose low 24 bits are the size and high 8 bits the kind,
/// then size bytes. The first is the Trace block (kind 1).
/// </remarks>
public sealed class NettraceLayout
{
    /// <summary>The newest Trace object version (and minimum reader version) TraceEvent's FastSerialization reader knows.</summary>
    public const int NewestReadableVersion = 5;

    private NettraceLayout(long fileLength) => FileLength = fileLength;

    /// <summary>One serialized object: the Trace header object or a block (EventBlock, StackBlock, ...).</summary>
    /// <param name="Start">Offset of its BeginPrivateObject tag.</param>
    /// <param name="End">Offset just after its closing EndObject tag.</param>
    /// <param name="SizeFieldOffset">Offset of a block's int32 size field (version 6: its block header); -1 for the Trace object.</param>
    /// <param name="Name">The object's type name ("Trace", "EventBlock", ...).</param>
    /// <param name="Version">The object type's format version (version 6: the file's).</param>
    public sealed record Block(string Name, long Start, long End, long SizeFieldOffset, int Version);

    /// <summary>The file's length in bytes.</summary>
    public long FileLength { get; }

    /// <summary>What the file is, as far as its first bytes tell.</summary>
    public NettraceKind Kind { get; private set; }

    /// <summary>The Trace object's format version (4 for .NET 5 to 10); the stream header's major version from 6 on; 0 when not read.</summary>
    public int FormatVersion { get; private set; }

    /// <summary>The oldest reader version the writer says can read the file.</summary>
    public int MinimumReaderVersion { get; private set; }

    /// <summary>Offset of the Trace object's version field, for tests that fake a newer writer.</summary>
    public long VersionFieldOffset { get; private set; } = -1;

    /// <summary>Every complete object, in file order.</summary>
    public IReadOnlyList<Block> Blocks => _blocks;

    /// <summary>True when the objects run to the end-of-stream tag and the file ends there.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Where the walk stopped before the end-of-stream tag (or the tag's offset when complete).</summary>
    public long StoppedAt { get; private set; }

    /// <summary>Why the walk stopped early: null when complete; "ends" when the file ends inside an object.</summary>
    public string? Problem { get; private set; }

    /// <summary>True when the file ends inside an object or before the end tag, with nothing wrong before.</summary>
    public bool IsTruncated { get; private set; }

    private readonly List<Block> _blocks = [];

    /// <summary>Walks the file's objects.</summary>
    public static NettraceLayout Read(string path)
    {
        // The reader reads through its own small window (see Reader): the stream's buffering would only copy twice.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        return Read(stream);
    }

    /// <summary>Walks the stream's objects from its current position (the start of a trace).</summary>
    public static NettraceLayout Read(Stream stream)
    {
        var layout = new NettraceLayout(stream.Length);
        byte[] head = new byte[NettraceFormat.HeaderLength];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        layout.Kind = NettraceFormat.Identify(head.AsSpan(0, read), out int laterMajorVersion);
        if (layout.Kind == NettraceKind.BlockContainer)
        {
            layout.FormatVersion = laterMajorVersion;
            layout.MinimumReaderVersion = laterMajorVersion;
            stream.Position -= read - NettraceFormat.BlockHeaderLength;
            layout.WalkBlocks(new Reader(stream));
            return layout;
        }

        if (layout.Kind != NettraceKind.FastSerialization)
        {
            // A later container than this walk knows (its major version kept for the message), or a damaged header.
            layout.FormatVersion = laterMajorVersion;
            layout.IsTruncated = layout.Kind == NettraceKind.Truncated;
            layout.Problem = layout.IsTruncated ? "the file ends inside the header" : null;
            return layout;
        }

        layout.Walk(new Reader(stream));
        return layout;
    }

    private void Walk(Reader reader)
    {
        while (true)
        {
            long start = reader.Position;
            StoppedAt = start;
            if (!reader.TryReadByte(out byte tag))
            {
                Stop(truncated: true, "the file ends before the end-of-trace mark");
                return;
            }

            if (tag == NettraceFormat.NullReferenceTag)
            {
                IsComplete = reader.Position == FileLength;
                if (!IsComplete)
                {
                    Problem = $"{FileLength - reader.Position:N0} unexpected bytes follow the end-of-trace mark";
                }

                return;
            }

            if (tag != NettraceFormat.BeginPrivateObjectTag)
            {
                Stop(truncated: false, $"unexpected byte 0x{tag:X2} where an object should start");
                return;
            }

            if (!TryReadObject(reader, start))
            {
                return;
            }
        }
    }

    /// <summary>Version 6: block headers, each skipping its block, to the end-of-stream block.</summary>
    private void WalkBlocks(Reader reader)
    {
        if (FileLength < NettraceFormat.BlockHeaderLength)
        {
            Stop(truncated: true, "the file ends inside the header");
            return;
        }

        while (true)
        {
            long start = reader.Position;
            StoppedAt = start;
            if (!reader.TryReadInt32(out int header))
            {
                Stop(truncated: true, reader.Position == start ? "the file ends before the end-of-trace mark" : "the file ends inside a block's header");
                return;
            }

            (int size, int kind) = NettraceFormat.ReadBlockHeader(BitConverter.GetBytes(header));
            string name = NettraceBlockKinds.Name(kind);
            if ((_blocks.Count == 0) != (kind == NettraceFormat.TraceBlock))
            {
                Stop(truncated: false, _blocks.Count == 0 ? $"the first block is a {name}, not the Trace block" : "a second Trace block");
                return;
            }

            if (!reader.TrySkip(size))
            {
                Stop(truncated: true, $"the file ends inside a {name}");
                return;
            }

            if (kind == NettraceFormat.EndOfStreamBlock)
            {
                IsComplete = reader.Position == FileLength;
                if (!IsComplete)
                {
                    Problem = $"{FileLength - reader.Position:N0} unexpected bytes follow the end-of-trace mark";
                }

                return;
            }

            _blocks.Add(new Block(name, start, reader.Position, start, FormatVersion));
        }
    }

    private bool TryReadObject(Reader reader, long start)
    {
        if (!reader.TryReadByte(out byte typeTag) || !reader.TryReadByte(out byte nullTag)
            || !reader.TryReadInt32(out int version) || !reader.TryReadInt32(out int minimumReader) || !reader.TryReadInt32(out int nameLength))
        {
            return Stop(truncated: reader.AtEnd, "the file ends inside an object's header");
        }

        if (typeTag != NettraceFormat.BeginPrivateObjectTag || nullTag != NettraceFormat.NullReferenceTag || nameLength is <= 0 or > NettraceFormat.MaxTypeNameLength)
        {
            return Stop(truncated: false, "an object's header is damaged");
        }

        if (!reader.TryReadBytes(nameLength, out byte[] nameBytes) || !reader.TryReadByte(out byte endType))
        {
            return Stop(truncated: true, "the file ends inside an object's header");
        }

        string name = Encoding.UTF8.GetString(nameBytes);
        if (endType != NettraceFormat.EndObjectTag || !name.All(char.IsAsciiLetterOrDigit))
        {
            return Stop(truncated: false, "an object's header is damaged");
        }

        long sizeField = -1;
        if (name == "Trace" && _blocks.Count == 0)
        {
            FormatVersion = version;
            MinimumReaderVersion = minimumReader;
            VersionFieldOffset = start + 3;
            if (!reader.TrySkip(NettraceFormat.TraceObjectPayloadSize))
            {
                return Stop(truncated: true, "the file ends inside the trace header");
            }
        }
        else
        {
            sizeField = reader.Position;
            if (!reader.TryReadInt32(out int size))
            {
                return Stop(truncated: true, $"the file ends inside a {name}");
            }

            if (size < 0)
            {
                return Stop(truncated: false, $"the {name} there has a negative size");
            }

            // Block contents start at a 4-byte file offset.
            int padding = (int)((4 - (reader.Position % 4)) % 4);
            if (!reader.TrySkip(padding + (long)size))
            {
                // A size running past the end is what a cut file looks like, and also a damaged size field.
                return Stop(truncated: true, $"the file ends inside a {name}");
            }
        }

        if (!reader.TryReadByte(out byte end))
        {
            return Stop(truncated: true, $"the file ends inside a {name}");
        }

        if (end != NettraceFormat.EndObjectTag)
        {
            return Stop(truncated: false, $"the {name} there does not end where its size says");
        }

        _blocks.Add(new Block(name, start, reader.Position, sizeField, version));
        return true;
    }

    private bool Stop(bool truncated, string problem)
    {
        IsTruncated = truncated;
        Problem = problem;
        return false;
    }

    /// <summary>
    /// Reads forward through a stream without ever reading past its end, through a window of a few hundred bytes: a
    /// block's header is a few dozen bytes and its end tag is followed by the next block's header, so the walk reads once
    /// per block and skips the rest (a 64 KB buffer read 80% of a 4.8 GB trace for its 60,000 block headers).
    /// </summary>
    private sealed class Reader(Stream stream)
    {
        private const int WindowSize = 256;
        private readonly byte[] _window = new byte[WindowSize];
        private readonly long _length = stream.Length; // once: a file stream asks the system each time
        private long _windowStart;
        private int _windowLength;
        private long _position = stream.Position;

        public long Position => _position;

        public bool AtEnd => _position >= _length;

        public bool TryReadByte(out byte value)
        {
            value = 0;
            if (!Window(1))
            {
                return false;
            }

            value = _window[_position - _windowStart];
            _position++;
            return true;
        }

        public bool TryReadInt32(out int value)
        {
            value = 0;
            if (!Window(4))
            {
                return false;
            }

            value = BinaryPrimitives.ReadInt32LittleEndian(_window.AsSpan((int)(_position - _windowStart), 4));
            _position += 4;
            return true;
        }

        public bool TryReadBytes(int count, out byte[] bytes)
        {
            bytes = [];
            if (count < 0 || _length - _position < count)
            {
                return false;
            }

            bytes = new byte[count];
            if (count <= WindowSize && Window(count))
            {
                _window.AsSpan((int)(_position - _windowStart), count).CopyTo(bytes);
            }
            else
            {
                stream.Position = _position;
                stream.ReadExactly(bytes);
            }

            _position += count;
            return true;
        }

        public bool TrySkip(long count)
        {
            if (_length - _position < count)
            {
                _position = _length;
                return false;
            }

            _position += count;
            return true;
        }

        /// <summary>Makes <paramref name="count"/> bytes from the position readable in the window; false when the stream ends first.</summary>
        private bool Window(int count)
        {
            if (_position >= _windowStart && _position + count <= _windowStart + _windowLength)
            {
                return true;
            }

            if (_length - _position < count)
            {
                _position = _length; // what is left is read, as a stream's read would: the walk is at the end
                return false;
            }

            stream.Position = _position;
            _windowStart = _position;
            _windowLength = stream.ReadAtLeast(_window, (int)Math.Min(WindowSize, _length - _position), throwOnEndOfStream: false);
            return _windowLength >= count;
        }
    }
}

/// <summary>What a file is, as far as its first bytes tell.</summary>
public enum NettraceKind
{
    /// <summary>It does not start with "Nettrace".</summary>
    NotNettrace,

    /// <summary>It starts with "Nettrace" and ends inside the header.</summary>
    Truncated,

    /// <summary>The FastSerialization container of format versions 3 to 5.</summary>
    FastSerialization,

    /// <summary>"Nettrace" followed by another container (a format version after 6, or a damaged header).</summary>
    OtherContainer,

    /// <summary>The block container of format version 6 (dotnet-trace collect-linux, record-trace).</summary>
    BlockContainer,
}
