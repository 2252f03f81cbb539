using System.Buffers.Binary;
using System.Text;

namespace DotnetMemLine.Tests.Decoding.Nettrace;

/// <summary>
/// Rewrites a NetTrace V5 file (FastSerialization objects, what .NET 5 to 10 write) as NetTrace V6, block for block,
/// with <see cref="NetTraceV6Writer"/>: for tests of the V6 reader on real traces, since nothing on this machine
/// records V6. Its own V5 parsing (it shares no code with the product's reader), checked independently by
/// reading both files with TraceEvent.
/// </summary>
/// <remarks>
/// Per V5 object: the Trace object becomes the Trace block (process id, processor count and sampling rate as its
/// key/value pairs); a MetadataBlock becomes V6 metadata rows (fields converted from V5's V1 or V2 parameter
/// descriptions, keywords, level, version, opcode); each OS thread id gets a thread index the first time an
/// EventBlock or SPBlock names it (a ThreadBlock just before); an EventBlock becomes a V6 EventBlock (compressed
/// unless asked otherwise), its non-empty activity ids moved into label lists (a LabelListBlock just before); a
/// StackBlock is copied; an SPBlock names thread indexes. The end-of-stream tag becomes the end-of-stream block.
/// </remarks>
internal sealed class NetTraceV6Converter
{
    private readonly NetTraceV6Writer _writer;
    private readonly Dictionary<long, long> _threadIndexById = [];
    private readonly Dictionary<(Guid, Guid, int), int> _labelListIds = [];
    private readonly Dictionary<int, int> _versionByMetadataId = [];
    private readonly bool _versionsInLabelLists;
    private readonly long _processId;
    private readonly bool _compressed;
    private int _labelListsWritten;

    private NetTraceV6Converter(NetTraceV6Writer writer, long processId, bool compressed, bool versionsInLabelLists)
    {
        _versionsInLabelLists = versionsInLabelLists;
        _writer = writer;
        _processId = processId;
        _compressed = compressed;
    }

    /// <summary>What a conversion wrote, for the tests' own checks.</summary>
    /// <param name="Events">Event rows written.</param>
    /// <param name="Threads">Thread indexes declared.</param>
    /// <param name="LabelLists">Label lists written (events with activity ids).</param>
    public sealed record Result(int Events, int Threads, int LabelLists);

    /// <summary>Converts the V5 trace at <paramref name="v5Path"/> to V6 at <paramref name="v6Path"/>.</summary>
    /// <param name="compressed">Header-compressed event rows (as every writer writes them), or the uncompressed layout.</param>
    /// <param name="versionsInLabelLists">
    /// Each event's version in a label list rather than in its metadata row (version 0 there): V6 lets a label
    /// override the metadata's version, and real traces rarely have activity ids to put label lists to use.
    /// </param>
    public static Result Convert(string v5Path, string v6Path, bool compressed = true, bool versionsInLabelLists = false)
    {
        byte[] v5 = File.ReadAllBytes(v5Path);
        using var output = new FileStream(v6Path, FileMode.Create, FileAccess.Write);
        return Convert(v5, output, compressed, versionsInLabelLists);
    }

    /// <summary>Converts a V5 trace in memory; writes the V6 file to <paramref name="output"/>.</summary>
    public static Result Convert(byte[] v5, Stream output, bool compressed = true, bool versionsInLabelLists = false)
    {
        var input = new Input(v5);
        if (!input.Bytes("Nettrace"u8.Length).SequenceEqual("Nettrace"u8) || input.Int32() != 20 || !input.Bytes(20).SequenceEqual("!FastSerialization.1"u8))
        {
            throw new InvalidDataException("not a NetTrace V4/V5 file");
        }

        if (ObjectName(input) != "Trace")
        {
            throw new InvalidDataException("the first object is not the Trace object");
        }

        short[] systemTime = [.. Enumerable.Range(0, 8).Select(_ => input.Int16())];
        long syncTimeQpc = input.Int64();
        long frequency = input.Int64();
        int pointerSize = input.Int32();
        int processId = input.Int32();
        int processors = input.Int32();
        int samplingRate = input.Int32();
        input.Tag(6);

        var writer = new NetTraceV6Writer(output, pointerSize, syncTimeQpc, frequency, systemTime,
            [("HardwareThreadCount", $"{processors}"), ("ProcessId", $"{processId}"), ("ExpectedCPUSamplingRate", $"{samplingRate}")]);
        var converter = new NetTraceV6Converter(writer, processId, compressed, versionsInLabelLists);
        int events = 0;
        while (input.Peek() != 1)
        {
            string name = ObjectName(input);
            int size = input.Int32();
            input.Align4();
            byte[] content = input.Bytes(size).ToArray();
            input.Tag(6);
            switch (name)
            {
                case "MetadataBlock":
                    converter.Metadata(content);
                    break;
                case "EventBlock":
                    events += converter.Events(content);
                    break;
                case "StackBlock":
                    writer.Block(NetTraceV6Writer.StackKind, content); // the same layout in both versions
                    break;
                case "SPBlock":
                    converter.SequencePoint(content);
                    break;
                default:
                    throw new InvalidDataException($"an object of unknown type {name}");
            }
        }

        writer.EndOfStream();
        return new Result(events, converter._threadIndexById.Count, converter._labelListsWritten);
    }

    /// <summary>A V5 event blob's header, decoded (compressed or not), and its payload.</summary>
    private sealed record V5Event(int MetadataId, int SequenceNumber, long CaptureThreadId, int ProcessorNumber, long ThreadId, int StackId, long TimeStamp, Guid ActivityId, Guid RelatedActivityId, bool Sorted, byte[] Payload);

    private static List<V5Event> EventBlobs(byte[] content)
    {
        var input = new Input(content);
        int headerSize = input.Int16();
        bool compressed = (input.Int16() & 1) != 0;
        input.Bytes(headerSize - 4);
        var events = new List<V5Event>();
        int metadataId = 0, sequence = 0, processor = 0, stack = 0, payloadSize = 0;
        long captureThread = 0, thread = 0, time = 0;
        Guid activity = Guid.Empty, related = Guid.Empty;
        while (!input.AtEnd)
        {
            bool sorted;
            if (compressed)
            {
                byte flags = input.Byte();
                if ((flags & 1) != 0)
                {
                    metadataId = (int)input.VarUInt();
                }

                if ((flags & 2) != 0)
                {
                    sequence = unchecked(sequence + (int)input.VarUInt() + 1);
                    captureThread = (long)input.VarUInt();
                    processor = (int)input.VarUInt();
                }
                else if (metadataId != 0)
                {
                    sequence++;
                }

                thread = (flags & 4) != 0 ? (long)input.VarUInt() : thread;
                stack = (flags & 8) != 0 ? (int)input.VarUInt() : stack;
                time += (long)input.VarUInt();
                activity = (flags & 16) != 0 ? new Guid(input.Bytes(16)) : activity;
                related = (flags & 32) != 0 ? new Guid(input.Bytes(16)) : related;
                sorted = (flags & 64) != 0;
                payloadSize = (flags & 128) != 0 ? (int)input.VarUInt() : payloadSize;
                events.Add(new V5Event(metadataId, sequence, captureThread, processor, thread, stack, time, activity, related, sorted, input.Bytes(payloadSize).ToArray()));
            }
            else
            {
                int start = input.Position;
                int eventSize = input.Int32();
                int id = input.Int32();
                sequence = input.Int32();
                thread = input.Int64();
                captureThread = input.Int64();
                processor = input.Int32();
                stack = input.Int32();
                time = input.Int64();
                activity = new Guid(input.Bytes(16));
                related = new Guid(input.Bytes(16));
                sorted = (id & unchecked((int)0x8000_0000)) == 0; // as TraceEvent reads it: a clear high bit is sorted
                byte[] payload = input.Bytes(input.Int32()).ToArray();
                events.Add(new V5Event(id & 0x7FFF_FFFF, sequence, captureThread, processor, thread, stack, time, activity, related, sorted, payload));
                input.Position = start + 4 + eventSize;
            }
        }

        return events;
    }

    private void Metadata(byte[] content)
    {
        var rows = new List<V6Metadata>();
        foreach (V5Event blob in EventBlobs(content))
        {
            var payload = new Input(blob.Payload);
            int id = payload.Int32();
            string provider = payload.Utf16();
            int eventId = payload.Int32();
            string name = payload.Utf16();
            long keywords = payload.Int64();
            int version = payload.Int32();
            int level = payload.Int32();
            byte[]? fields = null;
            int? opcode = null;
            try
            {
                if (!payload.AtEnd)
                {
                    fields = FieldsV1(payload, payload.Int32()); // the runtime writes none (0) for events with arrays
                }

                while (!payload.AtEnd)
                {
                    int tagLength = payload.Int32();
                    byte tag = payload.Byte();
                    var tagInput = new Input(payload.Bytes(tagLength).ToArray());
                    if (tag == 1)
                    {
                        opcode = tagInput.Byte();
                    }
                    else if (tag == 2)
                    {
                        fields = FieldsV2(tagInput, tagInput.Int32()); // arrays: V2 describes every field, V1 could not
                    }
                }
            }
            catch (InvalidDataException)
            {
                fields = null; // as TraceEvent does with parameters it cannot parse: an event without fields
            }

            _versionByMetadataId[id] = version;
            rows.Add(new V6Metadata(id, provider, eventId, name, _versionsInLabelLists ? 0 : version, keywords, level, opcode, fields));
        }

        _writer.Metadata([.. rows]);
    }

    /// <summary>V5's V1 parameters: per field, a type code (int32; objects nest their fields) then a UTF-16 name.</summary>
    private static byte[] FieldsV1(Input input, int count)
    {
        var fields = new (string, byte[])[count];
        for (int i = 0; i < count; i++)
        {
            byte[] type = TypeV1(input);
            fields[i] = (input.Utf16(), type);
        }

        return NetTraceV6Writer.Fields(fields);
    }

    private static byte[] TypeV1(Input input)
    {
        int code = input.Int32();
        return code == 1 ? [1, .. FieldsV1(input, input.Int32())] : [CheckedCode(code)];
    }

    /// <summary>V5's V2 parameters: per field, its int32 size, a UTF-16 name, then its type (arrays give their element type).</summary>
    private static byte[] FieldsV2(Input input, int count)
    {
        var fields = new (string, byte[])[count];
        for (int i = 0; i < count; i++)
        {
            var field = new Input(input.Bytes(input.Int32() - 4).ToArray());
            string name = field.Utf16();
            fields[i] = (name, TypeV2(field));
        }

        return NetTraceV6Writer.Fields(fields);
    }

    private static byte[] TypeV2(Input input)
    {
        int code = input.Int32();
        return code switch
        {
            1 => [1, .. FieldsV2(input, input.Int32())],
            19 => [19, .. TypeV2(input)],
            _ => [CheckedCode(code)],
        };
    }

    /// <summary>The type codes V5 and V6 share (3 to 18); V6 gives 20 and up other meanings.</summary>
    private static byte CheckedCode(int code) =>
        code is >= 3 and <= 18 and not 15 ? (byte)code : throw new InvalidDataException($"type code {code}");

    private int Events(byte[] content)
    {
        List<V5Event> events = EventBlobs(content);
        DeclareThreads(events.SelectMany(e => new[] { e.CaptureThreadId, e.ThreadId }));
        var newLists = new List<byte[]>();
        int firstNewList = _labelListIds.Count + 1;
        var rows = new List<V6Event>();
        foreach (V5Event e in events)
        {
            int labelList = 0;
            int version = _versionsInLabelLists ? _versionByMetadataId.GetValueOrDefault(e.MetadataId) : -1;
            if (e.ActivityId != Guid.Empty || e.RelatedActivityId != Guid.Empty || version >= 0)
            {
                if (!_labelListIds.TryGetValue((e.ActivityId, e.RelatedActivityId, version), out labelList))
                {
                    labelList = _labelListIds[(e.ActivityId, e.RelatedActivityId, version)] = _labelListIds.Count + 1;
                    var labels = new List<byte[]>();
                    if (e.ActivityId != Guid.Empty)
                    {
                        labels.Add([1, .. e.ActivityId.ToByteArray()]);
                    }

                    if (e.RelatedActivityId != Guid.Empty)
                    {
                        labels.Add([2, .. e.RelatedActivityId.ToByteArray()]);
                    }

                    if (version >= 0)
                    {
                        labels.Add([10, (byte)version]);
                    }

                    labels[^1][0] |= 0x80; // the last label of the list
                    newLists.Add([.. labels.SelectMany(l => l)]);
                }
            }

            rows.Add(new V6Event(e.MetadataId, e.TimeStamp, _threadIndexById[e.CaptureThreadId], e.SequenceNumber, e.Sorted, e.StackId, e.Payload,
                _threadIndexById[e.ThreadId], labelList, e.ProcessorNumber));
        }

        if (newLists.Count > 0)
        {
            _labelListsWritten += newLists.Count;
            _writer.LabelLists(firstNewList, [.. newLists]);
        }

        _writer.Block(NetTraceV6Writer.EventKind, NetTraceV6Writer.EventBlockContent(rows, _compressed));
        return rows.Count;
    }

    private void SequencePoint(byte[] content)
    {
        var input = new Input(content);
        long timeStamp = input.Int64();
        var threads = new (long Id, int SequenceNumber)[input.Int32()];
        for (int i = 0; i < threads.Length; i++)
        {
            threads[i] = (input.Int64(), input.Int32());
        }

        DeclareThreads(threads.Select(t => t.Id));
        _writer.SequencePoint(timeStamp, 0, [.. threads.Select(t => (_threadIndexById[t.Id], t.SequenceNumber))]);
        _labelListIds.Clear(); // label lists last until the sequence point
    }

    private void DeclareThreads(IEnumerable<long> ids)
    {
        long[] added = [.. ids.Distinct().Where(id => !_threadIndexById.ContainsKey(id))];
        foreach (long id in added)
        {
            _threadIndexById[id] = _threadIndexById.Count + 1;
        }

        if (added.Length > 0)
        {
            _writer.Threads([.. added.Select(id => (_threadIndexById[id], id, _processId))]);
        }
    }

    /// <summary>A FastSerialization object's type: BeginPrivateObject twice, NullReference, version, minimum version, name, EndObject.</summary>
    private static string ObjectName(Input input)
    {
        input.Tag(5);
        input.Tag(5);
        input.Tag(1);
        input.Int32();
        input.Int32();
        string name = Encoding.UTF8.GetString(input.Bytes(input.Int32()));
        input.Tag(6);
        return name;
    }

    /// <summary>Little-endian reads over a byte array; running past its end is <see cref="InvalidDataException"/>.</summary>
    private sealed class Input(byte[] bytes)
    {
        public int Position { get; set; }

        public bool AtEnd => Position >= bytes.Length;

        public byte Peek() => bytes[Position];

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (count < 0 || count > bytes.Length - Position)
            {
                throw new InvalidDataException($"{count} bytes at {Position} run past the end ({bytes.Length})");
            }

            Position += count;
            return bytes.AsSpan(Position - count, count);
        }

        public byte Byte() => Bytes(1)[0];

        public short Int16() => BinaryPrimitives.ReadInt16LittleEndian(Bytes(2));

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));

        public void Tag(byte expected)
        {
            if (Byte() != expected)
            {
                throw new InvalidDataException($"tag {expected} expected at {Position - 1}");
            }
        }

        /// <summary>Content is 4-byte aligned in the file.</summary>
        public void Align4() => Bytes((4 - (Position & 3)) & 3);

        public ulong VarUInt()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte b = Byte();
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("a varint longer than 10 bytes");
        }

        public string Utf16()
        {
            int start = Position;
            while (Int16() != 0)
            {
            }

            return Encoding.Unicode.GetString(bytes, start, Position - start - 2);
        }
    }
}
