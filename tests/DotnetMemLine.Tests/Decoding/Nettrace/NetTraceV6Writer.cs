using System.Buffers.Binary;
using System.Text;

namespace DotnetMemLine.Tests.Decoding.Nettrace;

/// <summary>One event row of a V6 EventBlock; thread fields are thread indexes (declared by <see cref="NetTraceV6Writer.Threads"/>).</summary>
internal sealed record V6Event(
    int MetadataId, long TimeStamp, long CaptureThreadIndex, int SequenceNumber, bool Sorted = true, int StackId = 0, byte[]? Payload = null,
    long? ThreadIndex = null, int LabelListId = 0, int ProcessorNumber = 0);

/// <summary>One metadata row of a V6 MetadataBlock; <paramref name="Fields"/> are already encoded field descriptions (count included), empty for none.</summary>
internal sealed record V6Metadata(int Id, string Provider, int EventId, string Name = "", int Version = 0, long Keywords = 0, int Level = 5, int? Opcode = null, byte[]? Fields = null);

/// <summary>
/// Writes NetTrace V6 files as microsoft/perfview src/TraceEvent/EventPipe/NetTraceFormat.md describes them: the
/// stream header ("Nettrace", 0, major 6, minor 0), then blocks of a uint32 header (size in the low 24 bits, kind in
/// the high 8) and their content, ending with the end-of-stream block. For tests of the reader on byte-exact input,
/// and for <see cref="NetTraceV6Converter"/>, which rewrites real V5 traces with it.
/// </summary>
internal sealed class NetTraceV6Writer
{
    public const int TraceKind = 1, EventKind = 2, MetadataKind = 3, SequencePointKind = 4, StackKind = 5, ThreadKind = 6, RemoveThreadKind = 7, LabelListKind = 8;

    /// <summary>The default clock: the same as <c>NettraceBuilder</c>'s, so V5 and V6 test files agree.</summary>
    public const long DefaultSyncTimeQpc = 1_000_000, DefaultQpcFrequency = 1_000_000_000;

    private readonly Stream _stream;

    /// <summary>Starts a file: the stream header and the Trace block.</summary>
    /// <param name="stream">Where the file is written; a memory stream when null.</param>
    /// <param name="syncTimeUtc">The session's start as a SYSTEMTIME (8 shorts); 2026-12-07 00:16:10.123 UTC, as <c>NettraceBuilder</c>'s, when null.</param>
    /// <param name="keyValues">The Trace block's key/value pairs.</param>
    public NetTraceV6Writer(
        Stream? stream = null, int pointerSize = 8, long syncTimeQpc = DefaultSyncTimeQpc, long qpcFrequency = DefaultQpcFrequency,
        short[]? syncTimeUtc = null, IReadOnlyList<(string Key, string Value)>? keyValues = null, int majorVersion = 6)
    {
        _stream = stream ?? new MemoryStream();
        _stream.Write("Nettrace"u8);
        WriteInt32(_stream, 0);
        WriteInt32(_stream, majorVersion);
        WriteInt32(_stream, 0);

        var trace = new MemoryStream();
        foreach (short field in syncTimeUtc ?? [2026, 12, 1, 7, 0, 16, 10, 123])
        {
            WriteInt16(trace, field);
        }

        WriteInt64(trace, syncTimeQpc);
        WriteInt64(trace, qpcFrequency);
        WriteInt32(trace, pointerSize);
        keyValues ??= [("HardwareThreadCount", "2"), ("ProcessId", "1234")];
        WriteInt32(trace, keyValues.Count);
        foreach ((string key, string value) in keyValues)
        {
            WriteString(trace, key);
            WriteString(trace, value);
        }

        Block(TraceKind, trace.ToArray());
    }

    /// <summary>The bytes written so far (only when writing to the memory stream the constructor made).</summary>
    public byte[] ToArray() => ((MemoryStream)_stream).ToArray();

    public NetTraceV6Writer Block(int kind, byte[] content)
    {
        if (content.Length > 0xFF_FFFF)
        {
            throw new ArgumentException($"a V6 block holds at most 16 MiB; this one has {content.Length:N0} bytes", nameof(content));
        }

        WriteInt32(_stream, (kind << 24) | content.Length);
        _stream.Write(content);
        return this;
    }

    public NetTraceV6Writer EndOfStream() => Block(0, []);

    /// <summary>A MetadataBlock: an empty header, then one row per metadata (size, id, provider, event id, name, fields, optional metadata).</summary>
    public NetTraceV6Writer Metadata(params V6Metadata[] rows)
    {
        var content = new MemoryStream();
        WriteInt16(content, 0); // header size
        foreach (V6Metadata m in rows)
        {
            var row = new MemoryStream();
            WriteVarUInt(row, (uint)m.Id);
            WriteString(row, m.Provider);
            WriteVarUInt(row, (uint)m.EventId);
            WriteString(row, m.Name);
            row.Write(m.Fields ?? [0, 0]);
            var optional = new MemoryStream();
            if (m.Opcode is int opcode)
            {
                optional.WriteByte(1);
                optional.WriteByte((byte)opcode);
            }

            optional.WriteByte(3);
            WriteInt64(optional, m.Keywords);
            optional.WriteByte(8);
            optional.WriteByte((byte)m.Level);
            optional.WriteByte(9);
            optional.WriteByte((byte)m.Version);
            WriteInt16(row, (short)optional.Length);
            optional.WriteTo(row);
            WriteInt16(content, (short)checked((ushort)row.Length));
            row.WriteTo(content);
        }

        return Block(MetadataKind, content.ToArray());
    }

    /// <summary>A ThreadBlock: per thread its index, OS process id (2) and OS thread id (3).</summary>
    public NetTraceV6Writer Threads(params (long Index, long OsThreadId, long ProcessId)[] threads)
    {
        var content = new MemoryStream();
        foreach ((long index, long osThreadId, long processId) in threads)
        {
            var row = new MemoryStream();
            WriteVarUInt(row, (ulong)index);
            row.WriteByte(2);
            WriteVarUInt(row, (ulong)processId);
            row.WriteByte(3);
            WriteVarUInt(row, (ulong)osThreadId);
            WriteInt16(content, (short)row.Length);
            row.WriteTo(content);
        }

        return Block(ThreadKind, content.ToArray());
    }

    public NetTraceV6Writer RemoveThreads(params (long Index, int SequenceNumber)[] threads)
    {
        var content = new MemoryStream();
        foreach ((long index, int sequenceNumber) in threads)
        {
            WriteVarUInt(content, (ulong)index);
            WriteVarUInt(content, (uint)sequenceNumber);
        }

        return Block(RemoveThreadKind, content.ToArray());
    }

    /// <summary>A LabelListBlock of already encoded label lists (see <see cref="Label"/>), numbered from <paramref name="firstId"/>.</summary>
    public NetTraceV6Writer LabelLists(int firstId, params byte[][] lists)
    {
        var content = new MemoryStream();
        WriteInt32(content, firstId);
        WriteInt32(content, lists.Length);
        foreach (byte[] list in lists)
        {
            content.Write(list);
        }

        return Block(LabelListKind, content.ToArray());
    }

    /// <summary>One label: its kind (the high bit set on the last of a list) and its value's bytes.</summary>
    public static byte[] Label(int kind, bool last, params byte[] value) => [(byte)(kind | (last ? 0x80 : 0)), .. value];

    public NetTraceV6Writer Stacks(int firstId, params ulong[][] stacks)
    {
        var content = new MemoryStream();
        WriteInt32(content, firstId);
        WriteInt32(content, stacks.Length);
        foreach (ulong[] stack in stacks)
        {
            WriteInt32(content, stack.Length * 8);
            foreach (ulong address in stack)
            {
                WriteInt64(content, (long)address);
            }
        }

        return Block(StackKind, content.ToArray());
    }

    public NetTraceV6Writer SequencePoint(long timeStamp, int flags, params (long Index, int SequenceNumber)[] threads)
    {
        var content = new MemoryStream();
        WriteInt64(content, timeStamp);
        WriteInt32(content, flags);
        WriteInt32(content, threads.Length);
        foreach ((long index, int sequenceNumber) in threads)
        {
            WriteVarUInt(content, (ulong)index);
            WriteVarUInt(content, (uint)sequenceNumber);
        }

        return Block(SequencePointKind, content.ToArray());
    }

    public NetTraceV6Writer Events(params V6Event[] events) => Block(EventKind, EventBlockContent(events, compressed: true));

    public NetTraceV6Writer UncompressedEvents(params V6Event[] events) => Block(EventKind, EventBlockContent(events, compressed: false));

    /// <summary>The block header (size 20, flags, min and max timestamps), then the rows, compressed or not.</summary>
    public static byte[] EventBlockContent(IEnumerable<V6Event> events, bool compressed)
    {
        var content = new MemoryStream();
        V6Event[] all = [.. events];
        WriteInt16(content, 20);
        WriteInt16(content, (short)(compressed ? 1 : 0));
        WriteInt64(content, all.Length == 0 ? 0 : all.Min(e => e.TimeStamp));
        WriteInt64(content, all.Length == 0 ? 0 : all.Max(e => e.TimeStamp));
        V6Event? previous = null;
        foreach (V6Event ev in all)
        {
            if (compressed)
            {
                content.Write(CompressedHeader(ev, previous));
            }
            else
            {
                WriteInt32(content, 48 + (ev.Payload?.Length ?? 0)); // event size: the header after this field and the payload
                WriteInt32(content, ev.MetadataId | (ev.Sorted ? 0 : unchecked((int)0x8000_0000))); // as TraceEvent reads it: a clear high bit is sorted
                WriteInt32(content, ev.SequenceNumber);
                WriteInt64(content, ev.ThreadIndex ?? ev.CaptureThreadIndex);
                WriteInt64(content, ev.CaptureThreadIndex);
                WriteInt32(content, ev.ProcessorNumber);
                WriteInt32(content, ev.StackId);
                WriteInt64(content, ev.TimeStamp);
                WriteInt32(content, ev.LabelListId);
                WriteInt32(content, ev.Payload?.Length ?? 0);
            }

            content.Write(ev.Payload ?? []);
            previous = ev;
        }

        return content.ToArray();
    }

    /// <summary>
    /// A compressed header that leaves out what repeats the previous row (metadata id, capture thread, processor,
    /// thread, stack, label list, payload size) and writes the sequence number and timestamp as deltas.
    /// </summary>
    public static byte[] CompressedHeader(V6Event ev, V6Event? previous)
    {
        long threadIndex = ev.ThreadIndex ?? ev.CaptureThreadIndex;
        int previousMetadata = previous?.MetadataId ?? 0;
        int previousSequence = previous?.SequenceNumber ?? 0;
        bool sequenceFollows = previous is not null && ev.CaptureThreadIndex == previous.CaptureThreadIndex && ev.ProcessorNumber == previous.ProcessorNumber
            && ev.SequenceNumber == unchecked(previousSequence + (ev.MetadataId != 0 ? 1 : 0));
        byte flags = (byte)(
            (ev.MetadataId != previousMetadata ? 1 : 0)
            | (sequenceFollows ? 0 : 2)
            | (threadIndex != (previous is null ? 0 : previous.ThreadIndex ?? previous.CaptureThreadIndex) ? 4 : 0)
            | (ev.StackId != (previous?.StackId ?? 0) ? 8 : 0)
            | (ev.LabelListId != (previous?.LabelListId ?? 0) ? 16 : 0)
            | (ev.Sorted ? 64 : 0)
            | ((ev.Payload?.Length ?? 0) != (previous?.Payload?.Length ?? 0) ? 128 : 0));
        var bytes = new MemoryStream();
        bytes.WriteByte(flags);
        if ((flags & 1) != 0)
        {
            WriteVarUInt(bytes, (uint)ev.MetadataId);
        }

        if ((flags & 2) != 0)
        {
            WriteVarUInt(bytes, unchecked((uint)(ev.SequenceNumber - previousSequence - 1)));
            WriteVarUInt(bytes, (ulong)ev.CaptureThreadIndex);
            WriteVarUInt(bytes, (uint)ev.ProcessorNumber);
        }

        if ((flags & 4) != 0)
        {
            WriteVarUInt(bytes, (ulong)threadIndex);
        }

        if ((flags & 8) != 0)
        {
            WriteVarUInt(bytes, (uint)ev.StackId);
        }

        WriteVarUInt(bytes, (ulong)(ev.TimeStamp - (previous?.TimeStamp ?? 0)));
        if ((flags & 16) != 0)
        {
            WriteVarUInt(bytes, (uint)ev.LabelListId);
        }

        if ((flags & 128) != 0)
        {
            WriteVarUInt(bytes, (uint)(ev.Payload?.Length ?? 0));
        }

        return bytes.ToArray();
    }

    /// <summary>Field descriptions: a uint16 count, then per field its uint16 size, UTF-8 name and type (a type code byte, more for arrays and objects).</summary>
    public static byte[] Fields(params (string Name, byte[] Type)[] fields)
    {
        var bytes = new MemoryStream();
        WriteInt16(bytes, (short)fields.Length);
        foreach ((string name, byte[] type) in fields)
        {
            var field = new MemoryStream();
            WriteString(field, name);
            field.Write(type);
            WriteInt16(bytes, (short)checked((ushort)field.Length));
            field.WriteTo(bytes);
        }

        return bytes.ToArray();
    }

    public static void WriteVarUInt(Stream stream, ulong value)
    {
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            stream.WriteByte(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
    }

    public static void WriteString(Stream stream, string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        WriteVarUInt(stream, (uint)utf8.Length);
        stream.Write(utf8);
    }

    public static void WriteInt16(Stream stream, short value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteInt16LittleEndian(b, value);
        stream.Write(b);
    }

    public static void WriteInt32(Stream stream, int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        stream.Write(b);
    }

    public static void WriteInt64(Stream stream, long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        stream.Write(b);
    }
}
