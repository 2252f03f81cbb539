using System.Buffers.Binary;
using System.Text;

namespace DotnetMemLine.Tests.Decoding.Nettrace;

/// <summary>One event to encode in an EventBlock (compressed headers, every field written).</summary>
internal sealed record TestEvent(int MetadataId, long TimeStamp, long CaptureThreadId, int SequenceNumber, bool Sorted = true, int StackId = 0, byte[]? Payload = null, long? ThreadId = null);

/// <summary>
/// Writes .nettrace files by hand, as the format document describes them (NetTrace V5 in the
/// FastSerialization container), for tests of the reader on byte-exact input.
/// </summary>
internal sealed class NettraceBuilder
{
    public const long SyncTimeQpc = 1_000_000;

    /// <summary>The session's start the header says: 2026-12-07 00:16:10.123 UTC (a Monday).</summary>
    public static readonly short[] SyncTimeUtc = [2026, 12, 1, 7, 0, 16, 10, 123];
    public const long QpcFrequency = 1_000_000_000;

    private readonly MemoryStream _stream = new();

    /// <param name="traceVersion">The Trace object's format version (4 as .NET 5 to 10 write it; higher to fake a newer writer).</param>
    public NettraceBuilder(int pointerSize = 8, int traceVersion = 4)
    {
        Write("Nettrace"u8);
        WriteInt32(20);
        Write("!FastSerialization.1"u8);
        WriteObjectType("Trace", traceVersion);
        foreach (short field in SyncTimeUtc)
        {
            WriteInt16(field); // SYSTEMTIME: year, month, day of week, day, hour, minute, second, milliseconds
        }

        WriteInt64(SyncTimeQpc);
        WriteInt64(QpcFrequency);
        WriteInt32(pointerSize);
        WriteInt32(1234); // process id
        WriteInt32(2); // processors
        WriteInt32(1000); // sampling rate
        _stream.WriteByte(6);
    }

    public long Length => _stream.Length;

    public byte[] ToArray() => _stream.ToArray();

    public NettraceBuilder End()
    {
        _stream.WriteByte(1);
        return this;
    }

    /// <summary>A block of <paramref name="size"/> filler bytes: for tests of the container's structure, not of events.</summary>
    public NettraceBuilder FillerBlock(string typeName, int size) => Block(typeName, Enumerable.Repeat((byte)0xAB, size).ToArray());

    public NettraceBuilder Block(string typeName, byte[] content)
    {
        WriteObjectType(typeName, 2);
        WriteInt32(content.Length);
        while (_stream.Length % 4 != 0)
        {
            _stream.WriteByte(0);
        }

        Write(content);
        _stream.WriteByte(6);
        return this;
    }

    public NettraceBuilder Metadata(params (int Id, string Provider, int EventId, int Version)[] records)
    {
        var payloads = records.Select(r =>
        {
            var p = new List<byte>();
            p.AddRange(BitConverter.GetBytes(r.Id));
            p.AddRange(Utf16(r.Provider));
            p.AddRange(BitConverter.GetBytes(r.EventId));
            p.AddRange(Utf16("Event" + r.EventId));
            p.AddRange(BitConverter.GetBytes(0L)); // keywords
            p.AddRange(BitConverter.GetBytes(r.Version));
            p.AddRange(BitConverter.GetBytes(5)); // level
            p.AddRange(BitConverter.GetBytes(0)); // no fields
            return p.ToArray();
        });
        return Block("MetadataBlock", EventBlockContent(payloads.Select(p => new TestEvent(0, 0, 0, 0, Sorted: false, Payload: p)), metadata: true));
    }

    public NettraceBuilder Events(params TestEvent[] events) => Block("EventBlock", EventBlockContent(events, metadata: false));

    public NettraceBuilder Stacks(int firstId, params ulong[][] stacks)
    {
        var content = new List<byte>();
        content.AddRange(BitConverter.GetBytes(firstId));
        content.AddRange(BitConverter.GetBytes(stacks.Length));
        foreach (ulong[] stack in stacks)
        {
            content.AddRange(BitConverter.GetBytes(stack.Length * 8));
            foreach (ulong address in stack)
            {
                content.AddRange(BitConverter.GetBytes(address));
            }
        }

        return Block("StackBlock", [.. content]);
    }

    public NettraceBuilder SequencePoint(long timeStamp, params (long CaptureThreadId, int SequenceNumber)[] threads)
    {
        var content = new List<byte>();
        content.AddRange(BitConverter.GetBytes(timeStamp));
        content.AddRange(BitConverter.GetBytes(threads.Length));
        foreach ((long id, int sequence) in threads)
        {
            content.AddRange(BitConverter.GetBytes(id));
            content.AddRange(BitConverter.GetBytes(sequence));
        }

        return Block("SPBlock", [.. content]);
    }

    /// <summary>A block header (size 20, flags: compressed, min/max timestamps) and compressed event blobs.</summary>
    public static byte[] EventBlockContent(IEnumerable<TestEvent> events, bool metadata)
    {
        var content = new List<byte>();
        content.AddRange(BitConverter.GetBytes((short)20));
        content.AddRange(BitConverter.GetBytes((short)1));
        content.AddRange(new byte[16]);
        long previousTime = 0;
        int previousSequence = 0;
        foreach (TestEvent ev in events)
        {
            content.AddRange(CompressedHeader(ev, previousTime, previousSequence, metadata));
            previousTime = ev.TimeStamp;
            previousSequence = ev.SequenceNumber;
            content.AddRange(ev.Payload ?? []);
        }

        return [.. content];
    }

    /// <summary>
    /// Flags: metadata id (1), capture thread and sequence (2, not on metadata), thread id (4), stack id (8),
    /// sorted (64), payload size (128); then the fields as varints, sequence and timestamp as deltas.
    /// </summary>
    public static byte[] CompressedHeader(TestEvent ev, long previousTime, int previousSequence, bool metadata)
    {
        var bytes = new List<byte>();
        byte flags = (byte)(1 | 4 | 8 | 128 | (metadata ? 0 : 2) | (ev.Sorted ? 64 : 0));
        bytes.Add(flags);
        bytes.AddRange(VarInt((ulong)ev.MetadataId));
        if (!metadata)
        {
            bytes.AddRange(VarInt(unchecked((uint)(ev.SequenceNumber - previousSequence - 1)))); // wraps as a uint32
            bytes.AddRange(VarInt((ulong)ev.CaptureThreadId));
            bytes.AddRange(VarInt(0)); // processor
        }

        bytes.AddRange(VarInt((ulong)(ev.ThreadId ?? ev.CaptureThreadId)));
        bytes.AddRange(VarInt((ulong)ev.StackId));
        bytes.AddRange(VarInt((ulong)(ev.TimeStamp - previousTime)));
        bytes.AddRange(VarInt((ulong)(ev.Payload?.Length ?? 0)));
        return [.. bytes];
    }

    public static byte[] VarInt(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
        return [.. bytes];
    }

    public static byte[] Utf16(string text) => Encoding.Unicode.GetBytes(text + "\0");

    private void WriteObjectType(string name, int version)
    {
        _stream.WriteByte(5);
        _stream.WriteByte(5);
        _stream.WriteByte(1);
        WriteInt32(version);
        WriteInt32(version);
        WriteInt32(name.Length);
        Write(Encoding.UTF8.GetBytes(name));
        _stream.WriteByte(6);
    }

    private void Write(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

    private void WriteInt16(short value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteInt16LittleEndian(b, value);
        Write(b);
    }

    private void WriteInt32(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        Write(b);
    }

    private void WriteInt64(long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        Write(b);
    }
}

/// <summary>Payloads of the runtime events, laid out as ClrEtwAll.man says.</summary>
internal static class Payloads
{
    public static byte[] AllocationSampled(long objectSize, long sampledByteOffset, string typeName = "System.Byte[]") =>
    [
        .. BitConverter.GetBytes(0), // kind
        .. BitConverter.GetBytes((short)0), // clr instance
        .. BitConverter.GetBytes(0x7000UL), // type id
        .. NettraceBuilder.Utf16(typeName),
        .. BitConverter.GetBytes(0x9000UL), // address
        .. BitConverter.GetBytes(objectSize),
        .. BitConverter.GetBytes(sampledByteOffset),
    ];

    public static byte[] MethodLoad(long methodId, long moduleId, ulong start, uint size, int token, uint flags, string ns, string name) =>
    [
        .. BitConverter.GetBytes(methodId),
        .. BitConverter.GetBytes(moduleId),
        .. BitConverter.GetBytes(start),
        .. BitConverter.GetBytes(size),
        .. BitConverter.GetBytes(token),
        .. BitConverter.GetBytes(flags),
        .. NettraceBuilder.Utf16(ns),
        .. NettraceBuilder.Utf16(name),
        .. NettraceBuilder.Utf16("void  ()"),
        .. BitConverter.GetBytes((short)0),
        .. BitConverter.GetBytes(0L),
    ];

    public static byte[] ILMap(long methodId, int[] il, int[] native) =>
    [
        .. BitConverter.GetBytes(methodId),
        .. BitConverter.GetBytes(0L), // rejit id
        0, // extent
        .. BitConverter.GetBytes((short)il.Length),
        .. il.SelectMany(BitConverter.GetBytes),
        .. native.SelectMany(BitConverter.GetBytes),
        .. BitConverter.GetBytes((short)0),
    ];

    public static byte[] Module(long moduleId, string path, Guid? pdbId = null) =>
    [
        .. BitConverter.GetBytes(moduleId),
        .. BitConverter.GetBytes(1L), // assembly
        .. BitConverter.GetBytes(0), // flags
        .. BitConverter.GetBytes(0), // reserved
        .. NettraceBuilder.Utf16(path),
        .. NettraceBuilder.Utf16(""),
        .. BitConverter.GetBytes((short)0),
        .. pdbId is Guid id ? [.. id.ToByteArray(), .. BitConverter.GetBytes(1), .. NettraceBuilder.Utf16("/build/App.pdb")] : Array.Empty<byte>(), // version 2: ManagedPdbSignature, age, build path
    ];

    public static byte[] HeapStats(long gen0, long gen1, long gen2, long loh, long poh) =>
    [
        .. BitConverter.GetBytes(gen0), .. BitConverter.GetBytes(0L),
        .. BitConverter.GetBytes(gen1), .. BitConverter.GetBytes(0L),
        .. BitConverter.GetBytes(gen2), .. BitConverter.GetBytes(0L),
        .. BitConverter.GetBytes(loh), .. BitConverter.GetBytes(0L),
        .. BitConverter.GetBytes(0L), .. BitConverter.GetBytes(0L),
        .. BitConverter.GetBytes(0), .. BitConverter.GetBytes(0), .. BitConverter.GetBytes(0),
        .. BitConverter.GetBytes((short)0),
        .. BitConverter.GetBytes(poh), .. BitConverter.GetBytes(0L),
    ];
}
