using System.Runtime.CompilerServices;
using System.Text;

namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>One decoded runtime event, valid only during the handler call that receives it.</summary>
internal readonly ref struct NettraceEvent
{
    public NettraceEvent(ClrEvent kind, int version, long timeStamp, long threadId, int stackId, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> stack, int pointerSize)
    {
        Kind = kind;
        TimeStamp = timeStamp;
        ThreadId = threadId;
        StackId = stackId;
        Stack = stack;
        Payload = new ClrPayload(payload, version, pointerSize);
    }

    public ClrEvent Kind { get; }

    /// <summary>The event's QPC timestamp.</summary>
    public long TimeStamp { get; }

    /// <summary>The OS thread the event describes.</summary>
    public long ThreadId { get; }

    /// <summary>The stack's id, meaningful until the next <see cref="INettraceEventHandler.OnStacksForgotten"/>.</summary>
    public int StackId { get; }

    /// <summary>Return addresses, innermost first, of the trace's pointer size; empty when the event has no stack.</summary>
    public ReadOnlySpan<byte> Stack { get; }

    public ClrPayload Payload { get; }
}

/// <summary>Receives the events a <see cref="NettraceReader"/> pass asked for.</summary>
internal interface INettraceEventHandler
{
    void OnEvent(in NettraceEvent ev);

    /// <summary>A sequence point: stack ids seen so far will not be referred to again (and may be reused).</summary>
    void OnStacksForgotten();
}

/// <summary>What one pass over the file found besides the events.</summary>
/// <param name="DroppedEvents">Events the runtime dropped, from gaps in per-thread sequence numbers, counted as TraceEvent counts them.</param>
/// <param name="LastTimeStamp">The latest event timestamp (QPC); 0 without events.</param>
/// <param name="Problem">Why the pass stopped before the end of the stream, as a warning sentence; null when it read it whole.</param>
/// <param name="EventsRead">Events of every kind that were read (with <paramref name="DroppedEvents"/>, the share lost).</param>
internal sealed record NettraceReadResult(long DroppedEvents, long LastTimeStamp, string? Problem, long EventsRead = 0);

/// <summary>
/// A streaming reader of .nettrace files (NetTrace V4/V5: the FastSerialization container written by
/// .NET 5 to 10; see microsoft/perfview src/TraceEvent/EventPipe/NetTraceFormat_v5.md). It reads the file
/// front to back through one reused buffer, decodes event headers, and hands the caller only the runtime
/// events it asked for, in the order TraceEvent's EventPipeEventSource dispatches them (see <see cref="Read"/>).
/// A block that is cut short or does not decode ends the pass at the previous block, with a
/// <see cref="NettraceReadResult.Problem"/>; a file that is not a NetTrace V4/V5 stream fails in <see cref="Open"/>.
/// </summary>
internal sealed class NettraceReader
{
    private const int TraceObjectVersion = 4;

    private NettraceReader(string path, long fileLength, long firstBlockOffset, long syncTimeQpc, long qpcFrequency, int pointerSize)
    {
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

    /// <summary>QPC ticks per second.</summary>
    public long QpcFrequency { get; }

    /// <summary>4 or 8: the size of addresses in stacks and payloads.</summary>
    public int PointerSize { get; }

    private long FirstBlockOffset { get; }

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
        var cursor = new ByteCursor(head.AsSpan(0, read));
        try
        {
            if (read < NettraceFormat.Magic.Length || !head.AsSpan(0, NettraceFormat.Magic.Length).SequenceEqual(NettraceFormat.Magic))
            {
                throw Unreadable(path, "it does not start with the 'Nettrace' magic");
            }

            cursor.Skip(NettraceFormat.Magic.Length);
            int headerLength = cursor.ReadInt32();
            if (headerLength == 0)
            {
                // NetTrace V6 and later put a zero here, then major and minor versions.
                int major = cursor.Remaining >= 4 ? cursor.ReadInt32() : 0;
                throw Unreadable(path, $"it is in NetTrace format version {major}, newer than the versions 4 and 5 this dotnet-memline reads (.NET 5-10 write them); record it with this tool or an older dotnet-trace");
            }

            if (headerLength != NettraceFormat.SerializationSignature.Length || !cursor.ReadBytes(headerLength).SequenceEqual(NettraceFormat.SerializationSignature))
            {
                throw Unreadable(path, "the '!FastSerialization.1' header is missing");
            }

            ObjectType type = ReadObjectType(ref cursor);
            if (type.Name != "Trace")
            {
                throw Unreadable(path, $"its first object is '{type.Name}', not 'Trace'");
            }

            if (type.Version != TraceObjectVersion && type.MinimumReaderVersion > TraceObjectVersion)
            {
                throw Unreadable(path, $"its Trace object has format version {type.Version} (readers from version {type.MinimumReaderVersion}), newer than the version 4 this dotnet-memline reads");
            }

            if (type.Version != TraceObjectVersion)
            {
                throw Unreadable(path, $"its Trace object has format version {type.Version}; this dotnet-memline reads version 4 (.nettrace from .NET 5-10)");
            }

            cursor.Skip(16); // the session's start as a SYSTEMTIME
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

            return new NettraceReader(path, length, cursor.Position, syncTimeQpc, qpcFrequency, pointerSize);
        }
        catch (NettraceFormatException)
        {
            throw Unreadable(path, "it ends inside its header");
        }
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
    public NettraceReadResult Read(
        INettraceEventHandler handler,
        ClrEventSet ordered,
        ClrEventSet immediate,
        CancellationToken cancellationToken = default,
        IProgress<AnalysisProgress>? progress = null,
        AnalysisStep step = AnalysisStep.ReadingCode)
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

    /// <summary>A queued event: its header fields and where its payload copy is.</summary>
    private struct QueuedEvent
    {
        public long TimeStamp;
        public long ThreadId;
        public int StackId;
        public int PayloadOffset;
        public int PayloadLength;
        public int Version;
        public ClrEvent Kind;
    }

    /// <summary>A thread that captured events: its last sequence number and its events waiting to be sorted.</summary>
    private sealed class CaptureThread
    {
        public int SequenceNumber;
        public readonly Queue<QueuedEvent> Events = new();
    }

    /// <summary>An event of the block being decoded: its header, and where its payload starts in the block.</summary>
    private struct BlockEvent
    {
        public EventHeader Header;
        public int PayloadOffset;
    }

    private readonly record struct EventKind(ClrEvent Kind, int Version);

    /// <summary>The state of one read of the file.</summary>
    private sealed class Pass : IDisposable
    {
        private const int InitialBufferSize = 1 << 20;

        private readonly NettraceReader _reader;
        private readonly INettraceEventHandler _handler;
        private readonly ClrEventSet _ordered;
        private readonly ClrEventSet _immediate;
        private readonly CancellationToken _cancellationToken;
        private readonly FileStream _file;

        // The read buffer: bytes [_position, _end) are the file's from offset _bufferFileOffset + _position.
        private byte[] _buffer = new byte[InitialBufferSize];
        private int _position;
        private int _end;
        private long _bufferFileOffset;

        private readonly Dictionary<int, EventKind> _kindByMetadataId = [];
        private readonly Dictionary<long, CaptureThread> _threads = [];
        private readonly List<CaptureThread> _waiting = [];
        private int _queuedEvents;

        // Copies of queued events' payloads; emptied whenever no event is queued.
        private byte[] _payloads = new byte[1 << 16];
        private int _payloadsUsed;

        // Stacks since the last sequence point: id -> bytes in _stackBytes.
        private readonly Dictionary<int, (int Offset, int Length)> _stacks = [];
        private byte[] _stackBytes = new byte[1 << 16];
        private int _stackBytesUsed;

        private BlockEvent[] _blockEvents = new BlockEvent[1024];
        private (long Key, CaptureThread Thread)[] _heap = new (long, CaptureThread)[16];

        private long _droppedEvents;
        private long _eventsRead;
        private long _lastTimeStamp;
        private long _eventsSinceCancellationCheck;

        public Pass(NettraceReader reader, INettraceEventHandler handler, ClrEventSet ordered, ClrEventSet immediate, CancellationToken cancellationToken)
        {
            _reader = reader;
            _handler = handler;
            _ordered = ordered;
            _immediate = immediate;
            _cancellationToken = cancellationToken;
            _file = new FileStream(reader.FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            _file.Position = reader.FirstBlockOffset;
            _bufferFileOffset = reader.FirstBlockOffset;
        }

        public IProgress<AnalysisProgress>? Progress { get; init; }

        public AnalysisStep Step { get; init; }

        public void Dispose() => _file.Dispose();

        private long FileOffset => _bufferFileOffset + _position;

        public NettraceReadResult Run()
        {
            string? problem = ReadObjects();
            FlushAll(); // events of intact blocks still waiting for a sort point
            return new NettraceReadResult(_droppedEvents, _lastTimeStamp, problem, _eventsRead);
        }

        /// <summary>Reads objects until the end-of-stream tag; returns why it stopped early, or null.</summary>
        private string? ReadObjects()
        {
            while (true)
            {
                long objectOffset = FileOffset;
                if (!Fill(1))
                {
                    return $"the trace ends at byte {objectOffset:N0} without its end-of-stream marker (the recording was cut short?); read everything up to there";
                }

                if (_buffer[_position] == NettraceFormat.NullReferenceTag)
                {
                    return null;
                }

                string? problem = ReadBlock(objectOffset);
                if (problem is not null)
                {
                    return problem;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private string? ReadBlock(long objectOffset)
        {
            // Type: 3 tags, 3 ints, a name of at most 64 bytes and a tag; then the block size.
            bool wholeTypeInBuffer = Fill(256);
            var cursor = new ByteCursor(_buffer.AsSpan(_position, _end - _position));
            ObjectType type;
            int blockSize;
            try
            {
                type = ReadObjectType(ref cursor);
                blockSize = cursor.ReadInt32();
            }
            catch (NettraceFormatException ex)
            {
                return wholeTypeInBuffer ? Damaged(objectOffset, "object", ex.Message) : Cut(objectOffset, "object", "the file ends inside its header");
            }

            string kind = type.Name;
            try
            {
                long contentOffset = FileOffset + cursor.Position;
                contentOffset += (4 - (contentOffset & 3)) & 3; // content is 4-byte aligned in the file
                long available = _reader.FileLength - contentOffset - 1; // 1: the EndObject tag after it
                if (blockSize < 0 || blockSize > available)
                {
                    return Cut(objectOffset, kind, $"it declares {blockSize:N0} bytes and the file has {Math.Max(0, available):N0} left");
                }

                _position += (int)(contentOffset - FileOffset);
                if (!Fill(blockSize + 1))
                {
                    return Cut(objectOffset, kind, "the file ends inside it");
                }

                ReadOnlySpan<byte> content = _buffer.AsSpan(_position, blockSize);
                if (_buffer[_position + blockSize] != NettraceFormat.EndObjectTag)
                {
                    return Damaged(objectOffset, kind, "it does not end with its tag");
                }

                if (type.MinimumReaderVersion > 2)
                {
                    return Damaged(objectOffset, kind, $"its format version {type.Version} needs a newer reader");
                }

                switch (type.Name)
                {
                    case "EventBlock":
                        ReadEventBlock(content);
                        break;
                    case "MetadataBlock":
                        ReadMetadataBlock(content);
                        break;
                    case "StackBlock":
                        ReadStackBlock(content);
                        break;
                    case "SPBlock":
                        ReadSequencePoint(content);
                        break;
                    default:
                        break; // an object type added by a later format: its size says how to skip it
                }

                _position += blockSize + 1;
                return null;
            }
            catch (NettraceFormatException ex)
            {
                return Damaged(objectOffset, kind, ex.Message);
            }
        }

        private static string Cut(long offset, string kind, string why) =>
            $"the trace is cut short: its {kind} at byte {offset:N0} is incomplete ({why}); read everything before it";

        private static string Damaged(long offset, string kind, string why) =>
            $"the trace is damaged: its {kind} at byte {offset:N0} does not decode ({why}); read everything before it";

        /// <summary>Makes at least <paramref name="count"/> bytes available from _position; false at the end of the file.</summary>
        private bool Fill(int count)
        {
            if (_end - _position >= count)
            {
                return true;
            }

            if (count > _buffer.Length)
            {
                // A block bigger than the buffer (bounded by the file's remaining length before we get here).
                byte[] bigger = new byte[Math.Max(count, _buffer.Length * 2)];
                Buffer.BlockCopy(_buffer, _position, bigger, 0, _end - _position);
                _buffer = bigger;
            }
            else
            {
                Buffer.BlockCopy(_buffer, _position, _buffer, 0, _end - _position);
            }

            _bufferFileOffset += _position;
            _end -= _position;
            _position = 0;
            while (_end < count)
            {
                int read = _file.Read(_buffer, _end, _buffer.Length - _end);
                if (read == 0)
                {
                    return false;
                }

                _end += read;
            }

            return true;
        }

        /// <summary>The header shared by MetadataBlock and EventBlock: its size, flags (bit 0: compressed event headers), then fields skipped.</summary>
        private static bool ReadEventBlobHeader(ref ByteCursor cursor)
        {
            int headerSize = cursor.ReadUInt16();
            if (headerSize < 20)
            {
                throw new NettraceFormatException($"header size {headerSize}");
            }

            bool compressed = (cursor.ReadUInt16() & 1) != 0;
            cursor.Skip(headerSize - 4);
            return compressed;
        }

        /// <summary>
        /// MetadataBlock: a header (size, flags) and event blobs whose payloads describe event kinds:
        /// metadata id, provider name, event id, event name, keywords, version, level (then field descriptions, skipped).
        /// </summary>
        private void ReadMetadataBlock(ReadOnlySpan<byte> content)
        {
            var cursor = new ByteCursor(content);
            bool compressed = ReadEventBlobHeader(ref cursor);
            var parsed = new List<(int Id, EventKind Kind)>();
            EventHeader header = default;
            while (cursor.Remaining > 0)
            {
                int next = compressed ? 0 : EventHeader.ReadUncompressed(ref cursor, ref header);
                if (compressed)
                {
                    EventHeader.ReadCompressed(ref cursor, ref header);
                }

                var payload = new ByteCursor(cursor.ReadBytes(header.PayloadSize));
                int metadataId = payload.ReadInt32();
                ReadOnlySpan<char> provider = ReadUtf16String(ref payload);
                int eventId = payload.ReadInt32();
                ReadUtf16String(ref payload); // event name
                payload.Skip(8); // keywords
                int version = payload.ReadInt32();
                parsed.Add((metadataId, new EventKind(ClrEvents.Classify(provider, eventId), version)));
                if (!compressed)
                {
                    SkipTo(ref cursor, next);
                }
            }

            foreach ((int id, EventKind kind) in parsed)
            {
                _kindByMetadataId[id] = kind;
            }
        }

        private static void SkipTo(ref ByteCursor cursor, int offset)
        {
            if (offset < cursor.Position || offset > cursor.Length)
            {
                throw new NettraceFormatException($"an event's size points outside its block");
            }

            cursor.Position = offset;
        }

        private static ReadOnlySpan<char> ReadUtf16String(ref ByteCursor cursor)
        {
            int start = cursor.Position;
            while (true)
            {
                if (cursor.ReadUInt16() == 0)
                {
                    int end = cursor.Position - 2;
                    cursor.Position = start;
                    ReadOnlySpan<byte> bytes = cursor.ReadBytes(end - start);
                    cursor.Skip(2);
                    return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(bytes);
                }
            }
        }

        /// <summary>StackBlock: first id, count, then per stack its size and its return addresses.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ReadStackBlock(ReadOnlySpan<byte> content)
        {
            var cursor = new ByteCursor(content);
            int firstId = cursor.ReadInt32();
            cursor.ReadInt32(); // count: the stacks are read until the block ends, as TraceEvent does
            int stacksStart = cursor.Position;
            while (cursor.Remaining > 0)
            {
                cursor.Skip(cursor.ReadInt32()); // validate every length before keeping any stack
            }

            cursor.Position = stacksStart;
            EnsureCapacity(ref _stackBytes, _stackBytesUsed + content.Length);
            for (int id = firstId; cursor.Remaining > 0; id++)
            {
                ReadOnlySpan<byte> stack = cursor.ReadBytes(cursor.ReadInt32());
                stack.CopyTo(_stackBytes.AsSpan(_stackBytesUsed));
                _stacks[id] = (_stackBytesUsed, stack.Length);
                _stackBytesUsed += stack.Length;
            }
        }

        /// <summary>
        /// SPBlock: every event before it is older than every event after it, so all queued events go out;
        /// then each thread's sequence number as of that point (a gap counts dropped events); then stack ids reset.
        /// </summary>
        private void ReadSequencePoint(ReadOnlySpan<byte> content)
        {
            var cursor = new ByteCursor(content);
            cursor.Skip(8); // timestamp
            int threadCount = cursor.ReadInt32();
            if (threadCount < 0 || (long)threadCount * 12 > cursor.Remaining)
            {
                throw new NettraceFormatException($"{threadCount} threads do not fit in the block");
            }

            FlushAll();
            for (int i = 0; i < threadCount; i++)
            {
                long captureThreadId = cursor.ReadInt64();
                int sequenceNumber = cursor.ReadInt32();
                CaptureThread thread = ThreadOf(captureThreadId, sequenceNumber);
                CountDropped(thread.SequenceNumber, sequenceNumber);
                thread.SequenceNumber = sequenceNumber;
            }

            _stacks.Clear();
            _stackBytesUsed = 0;
            _handler.OnStacksForgotten();
        }

        /// <summary>EventBlock: a header (size, flags) and event blobs. Decoded whole first, so a damaged block changes nothing.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ReadEventBlock(ReadOnlySpan<byte> content)
        {
            var cursor = new ByteCursor(content);
            bool compressed = ReadEventBlobHeader(ref cursor);
            int count = 0;
            EventHeader header = default;
            while (cursor.Remaining > 0)
            {
                int next = 0;
                if (compressed)
                {
                    EventHeader.ReadCompressed(ref cursor, ref header);
                }
                else
                {
                    next = EventHeader.ReadUncompressed(ref cursor, ref header);
                }

                if (count == _blockEvents.Length)
                {
                    Array.Resize(ref _blockEvents, count * 2);
                }

                _blockEvents[count++] = new BlockEvent { Header = header, PayloadOffset = cursor.Position };
                cursor.Skip(header.PayloadSize);
                if (!compressed)
                {
                    SkipTo(ref cursor, next);
                }
            }

            if (count == 0)
            {
                return;
            }

            // As TraceEvent does: events belong to the capture thread of the block's first event, and only a
            // sorted event (the first of each thread's run of events in the block) switches to another one.
            ref EventHeader first = ref _blockEvents[0].Header;
            CaptureThread thread = ThreadOf(first.CaptureThreadId, unchecked(first.SequenceNumber - 1));
            for (int i = 0; i < count; i++)
            {
                ref BlockEvent ev = ref _blockEvents[i];
                ref EventHeader h = ref ev.Header;
                _lastTimeStamp = Math.Max(_lastTimeStamp, h.TimeStamp);
                if (h.IsSorted)
                {
                    thread = ThreadOf(h.CaptureThreadId, unchecked(h.SequenceNumber - 1));
                }

                CountDropped(thread.SequenceNumber, unchecked(h.SequenceNumber - 1));
                thread.SequenceNumber = h.SequenceNumber;

                EventKind kind = _kindByMetadataId.GetValueOrDefault(h.MetadataId);
                ReadOnlySpan<byte> payload = content.Slice(ev.PayloadOffset, h.PayloadSize);
                if (_immediate.Contains(kind.Kind))
                {
                    Dispatch(kind, h.TimeStamp, h.ThreadId, h.StackId, payload);
                }

                if (h.IsSorted)
                {
                    SortAndDispatch(h.TimeStamp);
                    if (_ordered.Contains(kind.Kind))
                    {
                        Dispatch(kind, h.TimeStamp, h.ThreadId, h.StackId, payload);
                    }
                }
                else if (_ordered.Contains(kind.Kind))
                {
                    Enqueue(thread, kind, in h, payload);
                }
            }

            _eventsRead += count;
            if ((_eventsSinceCancellationCheck += count) > 1 << 16)
            {
                _eventsSinceCancellationCheck = 0;
                _cancellationToken.ThrowIfCancellationRequested();
                Progress?.Report(new AnalysisProgress(Step, FileOffset, _reader.FileLength));
            }
        }

        private CaptureThread ThreadOf(long captureThreadId, int sequenceNumber)
        {
            if (!_threads.TryGetValue(captureThreadId, out CaptureThread? thread))
            {
                thread = new CaptureThread { SequenceNumber = sequenceNumber };
                _threads[captureThreadId] = thread;
            }

            return thread;
        }

        /// <summary>
        /// A thread's sequence numbers count every event it tried to log; a jump from <paramref name="last"/> to
        /// <paramref name="expected"/> is that many dropped events. A last number of 0 is taken as a thread id the
        /// OS reused (a new thread starts again at 1), and a backward jump as "too many to count", as in TraceEvent.
        /// </summary>
        private void CountDropped(int last, int expected)
        {
            if (last == 0)
            {
                return;
            }

            int dropped = unchecked(expected - last);
            if (dropped < 0)
            {
                dropped = int.MaxValue;
            }

            if (dropped > 0)
            {
                _droppedEvents = Math.Min(_droppedEvents + dropped, int.MaxValue);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Enqueue(CaptureThread thread, EventKind kind, in EventHeader header, ReadOnlySpan<byte> payload)
        {
            EnsureCapacity(ref _payloads, _payloadsUsed + payload.Length);
            payload.CopyTo(_payloads.AsSpan(_payloadsUsed));
            if (thread.Events.Count == 0)
            {
                _waiting.Add(thread);
            }

            thread.Events.Enqueue(new QueuedEvent
            {
                TimeStamp = header.TimeStamp,
                ThreadId = header.ThreadId,
                StackId = header.StackId,
                PayloadOffset = _payloadsUsed,
                PayloadLength = payload.Length,
                Version = kind.Version,
                Kind = kind.Kind,
            });
            _payloadsUsed += payload.Length;
            _queuedEvents++;
        }

        private void FlushAll() => SortAndDispatch(long.MaxValue);

        /// <summary>Dispatches the queued events older than <paramref name="stop"/>, merging the threads' queues by timestamp.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void SortAndDispatch(long stop)
        {
            if (_queuedEvents == 0)
            {
                return;
            }

            int heapCount = 0;
            foreach (CaptureThread thread in _waiting)
            {
                long key = thread.Events.Peek().TimeStamp;
                if (key < stop)
                {
                    if (heapCount == _heap.Length)
                    {
                        Array.Resize(ref _heap, heapCount * 2);
                    }

                    _heap[heapCount++] = (key, thread);
                }
            }

            for (int i = (heapCount / 2) - 1; i >= 0; i--)
            {
                SiftDown(i, heapCount);
            }

            while (heapCount > 0)
            {
                CaptureThread thread = _heap[0].Thread;
                QueuedEvent ev = thread.Events.Dequeue();
                _queuedEvents--;
                Dispatch(new EventKind(ev.Kind, ev.Version), ev.TimeStamp, ev.ThreadId, ev.StackId, _payloads.AsSpan(ev.PayloadOffset, ev.PayloadLength));
                if (thread.Events.Count > 0 && thread.Events.Peek().TimeStamp < stop)
                {
                    _heap[0] = (thread.Events.Peek().TimeStamp, thread);
                }
                else
                {
                    _heap[0] = _heap[--heapCount];
                }

                SiftDown(0, heapCount);
            }

            _waiting.RemoveAll(t => t.Events.Count == 0);
            if (_queuedEvents == 0)
            {
                _payloadsUsed = 0;
            }
        }

        private void SiftDown(int i, int count)
        {
            while (true)
            {
                int smallest = i;
                int left = (2 * i) + 1;
                int right = left + 1;
                if (left < count && _heap[left].Key < _heap[smallest].Key)
                {
                    smallest = left;
                }

                if (right < count && _heap[right].Key < _heap[smallest].Key)
                {
                    smallest = right;
                }

                if (smallest == i)
                {
                    return;
                }

                (_heap[i], _heap[smallest]) = (_heap[smallest], _heap[i]);
                i = smallest;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Dispatch(EventKind kind, long timeStamp, long threadId, int stackId, ReadOnlySpan<byte> payload)
        {
            ReadOnlySpan<byte> stack = _stacks.TryGetValue(stackId, out var at) ? _stackBytes.AsSpan(at.Offset, at.Length) : default;
            _handler.OnEvent(new NettraceEvent(kind.Kind, kind.Version, timeStamp, threadId, stackId, payload, stack, _reader.PointerSize));
        }

        private static void EnsureCapacity(ref byte[] array, int needed)
        {
            if (needed > array.Length)
            {
                Array.Resize(ref array, Math.Max(needed, array.Length * 2));
            }
        }
    }
}
