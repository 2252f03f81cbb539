using System.Text;

namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>
/// A streaming reader of .nettrace files (NetTrace V4/V5: the FastSerialization container written by
/// .NET 5 to 10; see microsoft/perfview src/TraceEvent/EventPipe/NetTraceFormat_v5.md; and NetTrace V6, the
/// block container of dotnet-trace collect-linux and record-trace: NetTraceFormat.md there). It reads the file
/// front to back through one reused buffer, decodes event headers, and hands the caller only the runtime
/// events it asked for, in the order TraceEvent's EventPipeEventSource dispatches them (see <see cref="Read"/>).
/// A block that is cut short or does not decode ends the pass at the previous block, with a
/// <see cref="NettraceReadResult.Problem"/>; a file that is not a NetTrace V4 to V6 stream fails in <see cref="Open"/>.
/// </summary>
internal sealed partial class NettraceReader
{
    private const int TraceObjectVersion = 4;

    private NettraceReader(string path, long fileLength, long firstBlockOffset, long syncTimeQpc, long qpcFrequency, int pointerSize, int formatVersion = 5)
    {
        FormatVersion = formatVersion;
        FilePath = path;
        FileLength = fileLength;
        FirstBlockOffset = firstBlockOffset;
        SyncTimeQpc = syncTimeQpc;
        QpcFrequency = qpcFrequency;
        PointerSize = pointerSize;
    }

    public string FilePath { get; }

    public long FileLength { get; }

    /// <summary>The QPC time of the session's start: event times are relative to it.</summary>
    public long SyncTimeQpc { get; }

    /// <summary>When the session started (the header's SyncTimeUTC); null when the header's date is not a valid one.</summary>
    public DateTime? StartedUtc { get; private init; }

    /// <summary>QPC ticks per second.</summary>
    public long QpcFrequency { get; }

    /// <summary>4 or 8: the size of addresses in stacks and payloads.</summary>
    public int PointerSize { get; }

    private long FirstBlockOffset { get; }

    /// <summary>5 for the FastSerialization container (versions 4 and 5 read alike), 6 for the block container.</summary>
    public int FormatVersion { get; }

    /// <summary>How a pass reads the file (tests make the chunks tiny, so that blocks and held payloads cross them).</summary>
    internal ReadAheadSizes ReadSizes { get; set; } = ReadAheadSizes.Default;

    /// <summary>
    /// Reads the stream header and the Trace object. Throws <see cref="MemLineException"/>
    /// (<see cref="FailureKind.TraceUnreadable"/>, one line) when the file is missing, empty, not a
    /// NetTrace stream, or of a format version this reader does not know.
    /// </summary>
    public static NettraceReader Open(string path)
    {
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            throw new MemLineException(FailureKind.TraceUnreadable, $"trace file not found: {path}");
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        long length = file.Length;
        if (length == 0)
        {
            throw new MemLineException(FailureKind.TraceUnreadable, $"trace file is empty: {path}");
        }

        // Magic, FastSerialization header, the Trace object's type (tags, versions, name) and its fixed payload.
        byte[] head = new byte[256];
        int read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        try
        {
            if (NettraceFormat.Identify(head.AsSpan(0, read), out _) == NettraceKind.BlockContainer)
            {
                return ReadTraceBlock(path, length, file);
            }

            return ReadTraceObject(path, length, head.AsSpan(0, read));
        }
        catch (NettraceFormatException)
        {
            throw Unreadable(path, "it ends inside its header");
        }
    }

    /// <summary>The stream header, then the Trace object: its type, its format version, and the clock and pointer size it gives.</summary>
    /// <summary>A Windows SYSTEMTIME (eight 16-bit fields: year, month, day of week, day, hour, minute, second, milliseconds); null when it is no date.</summary>
    private static DateTime? ReadSystemTime(ref ByteCursor cursor)
    {
        Span<int> fields = stackalloc int[8];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = cursor.ReadUInt16();
        }

        try
        {
            return new DateTime(fields[0], fields[1], fields[3], fields[4], fields[5], fields[6], fields[7], DateTimeKind.Utc);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null; // a damaged or zeroed header: the rest of the file may still be fine
        }
    }

    private static NettraceReader ReadTraceObject(string path, long length, ReadOnlySpan<byte> head)
    {
        switch (NettraceFormat.Identify(head, out int laterMajorVersion))
        {
            case NettraceKind.NotNettrace:
                throw Unreadable(path, "it does not start with the 'Nettrace' magic");
            case NettraceKind.Truncated:
                throw Unreadable(path, "it ends inside its header");
            case NettraceKind.OtherContainer when laterMajorVersion > NettraceFormat.BlockContainerVersion:
                throw Unreadable(path, $"it is in NetTrace format version {laterMajorVersion}, newer than the versions 4 to 6 this dotnet-memline reads; update dotnet-memline");
            case NettraceKind.OtherContainer when laterMajorVersion != 0:
                throw Unreadable(path, $"its version header is damaged (major version {laterMajorVersion} after the zero that starts a version 6 header)");
            case NettraceKind.OtherContainer:
                throw Unreadable(path, "the '!FastSerialization.1' header is missing");
        }

        var cursor = new ByteCursor(head);
        cursor.Skip(NettraceFormat.HeaderLength);
        ObjectType type = ReadObjectType(ref cursor);
        if (type.Name != "Trace")
        {
            throw Unreadable(path, $"its first object is '{type.Name}', not 'Trace'");
        }

        if (type.Version != TraceObjectVersion)
        {
            throw Unreadable(path, type.MinimumReaderVersion > TraceObjectVersion
                ? $"its Trace object has format version {type.Version} (readers from version {type.MinimumReaderVersion}), newer than the version 4 this dotnet-memline reads"
                : $"its Trace object has format version {type.Version}; this dotnet-memline reads version 4 (.nettrace from .NET 5-10)");
        }

        DateTime? startedUtc = ReadSystemTime(ref cursor); // the session's start, UTC
        long syncTimeQpc = cursor.ReadInt64();
        long qpcFrequency = cursor.ReadInt64();
        int pointerSize = cursor.ReadInt32();
        cursor.Skip(12); // process id, processor count, expected CPU sampling rate
        if (cursor.ReadByte() != NettraceFormat.EndObjectTag)
        {
            throw Unreadable(path, "its Trace object does not end where the format says");
        }

        if (qpcFrequency <= 0 || pointerSize is not (4 or 8))
        {
            throw Unreadable(path, $"its Trace object is implausible (QPC frequency {qpcFrequency}, pointer size {pointerSize})");
        }

        return new NettraceReader(path, length, cursor.Position, syncTimeQpc, qpcFrequency, pointerSize) { StartedUtc = startedUtc };
    }

    /// <summary>
    /// V6: the stream header (magic, zero, major and minor version: the minor is not checked, later minors only add
    /// block kinds a reader skips), then the Trace block: its block header, the session's start as a SYSTEMTIME,
    /// the clock's sync time and frequency, the pointer size and key/value pairs (read, not kept).
    /// </summary>
    private static NettraceReader ReadTraceBlock(string path, long length, FileStream file)
    {
        Span<byte> blockHeader = stackalloc byte[NettraceFormat.BlockHeaderSize];
        file.Position = NettraceFormat.BlockHeaderLength;
        if (file.ReadAtLeast(blockHeader, blockHeader.Length, throwOnEndOfStream: false) < blockHeader.Length)
        {
            throw Unreadable(path, "it ends inside its header");
        }

        (int size, int kind) = NettraceFormat.ReadBlockHeader(blockHeader);
        if (kind != NettraceFormat.TraceBlock)
        {
            throw Unreadable(path, $"its first block is a {NettraceBlockKinds.Name(kind)}, not the Trace block");
        }

        long contentOffset = NettraceFormat.BlockHeaderLength + NettraceFormat.BlockHeaderSize;
        if (size > length - contentOffset)
        {
            throw Unreadable(path, "it ends inside its header");
        }

        byte[] content = new byte[size];
        file.ReadExactly(content);
        var cursor = new ByteCursor(content);
        DateTime? startedUtc;
        long syncTimeQpc, qpcFrequency;
        int pointerSize;
        try
        {
            startedUtc = ReadSystemTime(ref cursor);
            syncTimeQpc = cursor.ReadInt64();
            qpcFrequency = cursor.ReadInt64();
            pointerSize = cursor.ReadInt32();
            int pairs = cursor.ReadInt32();
            if (pairs < 0 || pairs > cursor.Remaining / 2)
            {
                throw new NettraceFormatException($"it declares {pairs} key/value pairs");
            }

            for (int i = 0; i < 2 * pairs; i++)
            {
                cursor.SkipUtf8String();
            }
        }
        catch (NettraceFormatException ex)
        {
            throw Unreadable(path, $"its Trace block does not decode: {ex.Message}");
        }

        if (qpcFrequency <= 0 || pointerSize is not (4 or 8))
        {
            throw Unreadable(path, $"its Trace block is implausible (QPC frequency {qpcFrequency}, pointer size {pointerSize})");
        }

        return new NettraceReader(path, length, contentOffset + size, syncTimeQpc, qpcFrequency, pointerSize, NettraceFormat.BlockContainerVersion) { StartedUtc = startedUtc };
    }

    /// <summary>
    /// One pass over the file. Events of kinds in <paramref name="ordered"/> reach the handler in the
    /// order TraceEvent dispatches them: the runtime writes events unsorted, grouped per thread, so each
    /// capture thread's events wait in a queue until an event flagged "sorted" (every later event is at or
    /// after its time) or a sequence point lets them out, merged by timestamp. Kinds in
    /// <paramref name="immediate"/> reach it as soon as they are read, in file order (cheaper, for events
    /// that are only counted). All other events cost only their header.
    /// </summary>
    /// <param name="progress">Told the bytes of the file read so far, as <paramref name="step"/>, a few times a second at most.</param>
    /// <param name="handler">Receives the events asked for.</param>
    /// <param name="ordered">The kinds of event delivered in TraceEvent's order.</param>
    /// <param name="immediate">The kinds of event delivered as soon as they are read.</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    /// <param name="step">The step the progress reports are for.</param>
    public NettraceReadResult Read(
        INettraceEventHandler handler,
        ClrEventSet ordered,
        ClrEventSet immediate,
        IProgress<AnalysisProgress>? progress = null,
        AnalysisStep step = AnalysisStep.ReadingCode,
        CancellationToken cancellationToken = default)
    {
        using var pass = new Pass(this, handler, ordered, immediate, cancellationToken) { Progress = progress, Step = step };
        return pass.Run();
    }

    private static MemLineException Unreadable(string path, string why) =>
        new(FailureKind.TraceUnreadable, $"not a readable .nettrace file: {path} ({why})");

    private readonly record struct ObjectType(int Version, int MinimumReaderVersion, string Name);

    /// <summary>BeginPrivateObject, then the type object: BeginPrivateObject, NullReference, version, minimum reader version, name, EndObject.</summary>
    private static ObjectType ReadObjectType(ref ByteCursor cursor)
    {
        if (cursor.ReadByte() != NettraceFormat.BeginPrivateObjectTag || cursor.ReadByte() != NettraceFormat.BeginPrivateObjectTag || cursor.ReadByte() != NettraceFormat.NullReferenceTag)
        {
            throw new NettraceFormatException("an object does not start with its tags");
        }

        int version = cursor.ReadInt32();
        int minimumReaderVersion = cursor.ReadInt32();
        int nameLength = cursor.ReadInt32();
        if (nameLength is < 0 or > NettraceFormat.MaxTypeNameLength)
        {
            throw new NettraceFormatException($"an object's type name has length {nameLength}");
        }

        string name = Encoding.UTF8.GetString(cursor.ReadBytes(nameLength));
        if (cursor.ReadByte() != NettraceFormat.EndObjectTag)
        {
            throw new NettraceFormatException("an object's type does not end with its tag");
        }

        return new ObjectType(version, minimumReaderVersion, name);
    }
}
