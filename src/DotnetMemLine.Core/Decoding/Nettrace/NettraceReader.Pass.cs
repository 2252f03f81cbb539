using System.Runtime.CompilerServices;

namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>One pass over the file: blocks read through one reused buffer, metadata, stacks and event headers decoded.</summary>
internal sealed partial class NettraceReader
{
    /// <summary>A queued event: its header fields and where its payload is, in a read buffer held until it is dispatched.</summary>
    private struct QueuedEvent
    {
        public long TimeStamp;
        public long ThreadId;
        public byte[] PayloadBuffer;
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

    /// <summary>
    /// An event of the block being decoded: its header (in V6 with the OS thread id in place of the thread index),
    /// where its payload starts in the block, and the event version its label list gives (V6), or -1.
    /// </summary>
    private struct BlockEvent
    {
        public EventHeader Header;
        public int PayloadOffset;
        public int VersionOverride;
    }

    private readonly record struct EventKind(ClrEvent Kind, int Version);

    /// <summary>The state of one read of the file.</summary>
    private sealed partial class Pass : IDisposable
    {
        private readonly NettraceReader _reader;
        private readonly INettraceEventHandler _handler;
        private readonly ClrEventSet _ordered;
        private readonly ClrEventSet _immediate;
        private readonly CancellationToken _cancellationToken;
        private readonly ReadAhead _file;

        // The read buffer: bytes [_position, _end) are the file's from offset _bufferFileOffset + _position.
        private byte[] _buffer;
        private int _position;
        private int _end;
        private long _bufferFileOffset;

        private readonly Dictionary<int, EventKind> _kindByMetadataId = [];
        private readonly Dictionary<long, CaptureThread> _threads = [];
        private readonly List<CaptureThread> _waiting = [];
        private int _queuedEvents;

        // The read buffer last held for queued events' payloads, until no event is queued.
        private byte[]? _heldBuffer;

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
            _v6 = reader.FormatVersion >= NettraceFormat.BlockContainerVersion;
            _handler = handler;
            _ordered = ordered;
            _immediate = immediate;
            _cancellationToken = cancellationToken;
            _file = new ReadAhead(reader.FilePath, reader.FirstBlockOffset, reader.ReadSizes);
            _buffer = _file.FirstBuffer;
            _bufferFileOffset = reader.FirstBlockOffset;
        }

        public IProgress<AnalysisProgress>? Progress { get; init; }

        public AnalysisStep Step { get; init; }

        public void Dispose() => _file.Dispose();

        private long FileOffset => _bufferFileOffset + _position;

        public NettraceReadResult Run()
        {
            string? problem = _v6 ? ReadBlocks() : ReadObjects();
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

                ReadContent(type.Name, content);
                _position += blockSize + 1;
                return null;
            }
            catch (NettraceFormatException ex)
            {
                return Damaged(objectOffset, kind, ex.Message);
            }
        }

        /// <summary>Decodes a block by its type; an object type added by a later format is skipped (its size says how).</summary>
        private void ReadContent(string typeName, ReadOnlySpan<byte> content)
        {
            switch (typeName)
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
            }
        }

        private static string Cut(long offset, string kind, string why) =>
            $"the trace is cut short: its {kind} at byte {offset:N0} is incomplete ({why}); read everything before it";

        private static string Damaged(long offset, string kind, string why) =>
            $"the trace is damaged: its {kind} at byte {offset:N0} does not decode ({why}); read everything before it";

        /// <summary>Makes at least <paramref name="count"/> bytes available from _position; false at the end of the file.</summary>
        private bool Fill(int count) =>
            _end - _position >= count || _file.Refill(ref _buffer, ref _position, ref _end, ref _bufferFileOffset, count);

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
            int count = DecodeHeaders(content);
            if (count == 0)
            {
                return;
            }

            // As TraceEvent does: events belong to the capture thread of the block's first event, and only a
            // sorted event (the first of each thread's run of events in the block) switches to another one.
            int contentStart = (int)System.Runtime.CompilerServices.Unsafe.ByteOffset(
                ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_buffer), ref System.Runtime.InteropServices.MemoryMarshal.GetReference(content));
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
                Route(thread, in h, content.Slice(ev.PayloadOffset, h.PayloadSize), contentStart + ev.PayloadOffset, ev.VersionOverride);
            }

            _eventsRead += count;
            if ((_eventsSinceCancellationCheck += count) > 1 << 16)
            {
                _eventsSinceCancellationCheck = 0;
                _cancellationToken.ThrowIfCancellationRequested();
                Progress?.Report(new AnalysisProgress(Step, FileOffset, _reader.FileLength));
            }
        }

        /// <summary>Decodes every event header of the block into <see cref="_blockEvents"/>; returns how many.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int DecodeHeaders(ReadOnlySpan<byte> content)
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
                    EventHeader.ReadCompressed(ref cursor, ref header, _v6);
                }
                else
                {
                    next = EventHeader.ReadUncompressed(ref cursor, ref header, _v6);
                }

                if (count == _blockEvents.Length)
                {
                    Array.Resize(ref _blockEvents, count * 2);
                }

                ref BlockEvent ev = ref _blockEvents[count++];
                ev = new BlockEvent { Header = header, PayloadOffset = cursor.Position, VersionOverride = -1 };
                if (_v6)
                {
                    // The next header is a delta against this one's indexes: only the copy gets the OS thread id.
                    ev.Header.ThreadId = ResolveThread(header.ThreadId, "thread");
                    ResolveThread(header.CaptureThreadId, "capture thread");
                    ev.VersionOverride = ResolveLabelList(header.LabelListId);
                }

                cursor.Skip(header.PayloadSize);
                if (!compressed)
                {
                    SkipTo(ref cursor, next);
                }
            }

            return count;
        }

        /// <summary>
        /// An event the caller asked for goes out now (immediate kinds, and ordered kinds at a sorted event, after the
        /// queues it releases) or waits in its capture thread's queue (ordered kinds).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Route(CaptureThread thread, in EventHeader h, ReadOnlySpan<byte> payload, int payloadOffset, int versionOverride)
        {
            EventKind kind = _kindByMetadataId.GetValueOrDefault(h.MetadataId);
            if (versionOverride >= 0)
            {
                kind = kind with { Version = versionOverride };
            }

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
                Enqueue(thread, kind, in h, payloadOffset);
            }
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
