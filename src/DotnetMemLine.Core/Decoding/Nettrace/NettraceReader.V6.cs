using System.Text;

namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>
/// NetTrace V6 (microsoft/perfview src/TraceEvent/EventPipe/NetTraceFormat.md): blocks with a kind and a size
/// instead of FastSerialization objects; metadata rows of their own; thread indexes resolved through Thread
/// blocks; label lists. Events come out as V5's do, so nothing after the reader knows which version it read.
/// </summary>
internal sealed partial class NettraceReader
{
    /// <summary>A row of the V6 thread table: the OS thread id events are reported with, and whether a RemoveThread block retired it.</summary>
    private sealed class V6Thread
    {
        public long OsThreadId = -1;
        public bool RemovalPending;
    }

    private sealed partial class Pass
    {
        private readonly bool _v6;

        // V6: the thread table (index -> OS thread) and the label lists since the last sequence point (id -> event version they set, or -1).
        private readonly Dictionary<long, V6Thread> _threadTable = [];
        private long _processId = -1; // the OS process of the threads seen so far
        private readonly Dictionary<int, int> _labelListVersions = [];

        /// <summary>Reads blocks until the end-of-stream block; returns why it stopped early, or null.</summary>
        private string? ReadBlocks()
        {
            while (true)
            {
                long blockOffset = FileOffset;
                if (!Fill(1))
                {
                    return $"the trace ends at byte {blockOffset:N0} without its end-of-stream marker (the recording was cut short?); read everything up to there";
                }

                if (!Fill(NettraceFormat.BlockHeaderSize))
                {
                    return Cut(blockOffset, "block", "the file ends inside its header");
                }

                (int size, int kind) = NettraceFormat.ReadBlockHeader(_buffer.AsSpan(_position));
                string name = NettraceBlockKinds.Name(kind);
                _position += NettraceFormat.BlockHeaderSize;
                if (kind == NettraceFormat.EndOfStreamBlock)
                {
                    return null;
                }

                long available = _reader.FileLength - FileOffset;
                if (size > available)
                {
                    return Cut(blockOffset, name, $"it declares {size:N0} bytes and the file has {available:N0} left");
                }

                if (!Fill(size))
                {
                    return Cut(blockOffset, name, "the file ends inside it");
                }

                try
                {
                    ReadBlock(kind, _buffer.AsSpan(_position, size));
                }
                catch (NettraceFormatException ex)
                {
                    return Damaged(blockOffset, name, ex.Message);
                }

                _position += size;
            }
        }

        /// <summary>Decodes a block by its kind; a kind added by a later minor version is skipped, as the format asks.</summary>
        private void ReadBlock(int kind, ReadOnlySpan<byte> content)
        {
            switch (kind)
            {
                case NettraceFormat.TraceBlock:
                    throw new NettraceFormatException("a second Trace block");
                case 2:
                    ReadEventBlock(content);
                    break;
                case 3:
                    ReadMetadataBlockV6(content);
                    break;
                case 4:
                    ReadSequencePointV6(content);
                    break;
                case 5:
                    ReadStackBlock(content);
                    break;
                case 6:
                    ReadThreadBlock(content);
                    break;
                case 7:
                    ReadRemoveThreadBlock(content);
                    break;
                case 8:
                    ReadLabelListBlock(content);
                    break;
            }
        }

        /// <summary>
        /// MetadataBlock (V6): a header to skip, then rows: size, metadata id, provider name, event id, event name,
        /// field descriptions (skipped by their sizes), optional metadata (the event's version is kind 9), then bytes a
        /// later minor version may add.
        /// </summary>
        private void ReadMetadataBlockV6(ReadOnlySpan<byte> content)
        {
            var cursor = new ByteCursor(content);
            cursor.Skip(cursor.ReadUInt16());
            var parsed = new List<(int Id, EventKind Kind)>();
            while (cursor.Remaining > 0)
            {
                var row = new ByteCursor(cursor.ReadBytes(cursor.ReadUInt16()));
                int metadataId = (int)row.ReadVarUInt32();
                string provider = Encoding.UTF8.GetString(row.ReadUtf8String());
                int eventId = (int)row.ReadVarUInt32();
                row.SkipUtf8String(); // event name
                for (int fields = row.ReadUInt16(); fields > 0; fields--)
                {
                    row.Skip(row.ReadUInt16());
                }

                var optional = new ByteCursor(row.ReadBytes(row.ReadUInt16()));
                parsed.Add((metadataId, new EventKind(ClrEvents.Classify(provider, eventId), ReadVersion(ref optional))));
            }

            foreach ((int id, EventKind kind) in parsed)
            {
                _kindByMetadataId[id] = kind;
            }
        }

        /// <summary>The event version among a metadata row's optional elements (0 when absent, as in TraceEvent).</summary>
        private static int ReadVersion(ref ByteCursor optional)
        {
            int version = 0;
            while (optional.Remaining > 0)
            {
                byte kind = optional.ReadByte();
                switch (kind)
                {
                    case 1: // opcode
                    case 8: // level
                        optional.Skip(1);
                        break;
                    case 3: // keywords
                        optional.Skip(8);
                        break;
                    case 4: // message template
                    case 5: // description
                        optional.SkipUtf8String();
                        break;
                    case 6: // key, value
                        optional.SkipUtf8String();
                        optional.SkipUtf8String();
                        break;
                    case 7: // provider guid
                        optional.Skip(16);
                        break;
                    case 9:
                        version = optional.ReadByte();
                        break;
                    default:
                        // Elements carry no size: one of an unknown kind hides where the next starts.
                        throw new NettraceFormatException($"a metadata row has optional metadata of unknown kind {kind}");
                }
            }

            return version;
        }

        /// <summary>
        /// ThreadBlock: rows of a size, an index, then elements (1 name, 2 OS process id, 3 OS thread id, 4 key/value).
        /// A thread declared starts at sequence number 0, as TraceEvent counts V6 threads. Threads of a second process
        /// refuse the trace: code addresses and thread ids of two processes would be taken for one's.
        /// </summary>
        private void ReadThreadBlock(ReadOnlySpan<byte> content)
        {
            var cursor = new ByteCursor(content);
            var parsed = new List<(long Index, long OsThreadId)>();
            while (cursor.Remaining > 0)
            {
                var row = new ByteCursor(cursor.ReadBytes(cursor.ReadUInt16()));
                long index = (long)row.ReadVarUInt64();
                long osThreadId = -1;
                while (row.Remaining > 0)
                {
                    byte kind = row.ReadByte();
                    switch (kind)
                    {
                        case 1:
                            row.SkipUtf8String();
                            break;
                        case 2:
                            long processId = (long)row.ReadVarUInt64();
                            if (_processId >= 0 && processId != _processId)
                            {
                                throw Unreadable(_reader.FilePath, $"it holds threads of more than one process ({_processId} and {processId}), and dotnet-memline reads one process's trace; record the one process (collect -p, or dotnet-trace collect -p)");
                            }

                            _processId = processId;
                            break;
                        case 3:
                            osThreadId = (long)row.ReadVarUInt64();
                            break;
                        case 4:
                            row.SkipUtf8String();
                            row.SkipUtf8String();
                            break;
                        default:
                            throw new NettraceFormatException($"a thread row has an element of unknown kind {kind}");
                    }
                }

                parsed.Add((index, osThreadId));
            }

            foreach ((long index, long osThreadId) in parsed)
            {
                _threadTable[index] = new V6Thread { OsThreadId = osThreadId };
                _threads[index] = new CaptureThread();
            }
        }

        /// <summary>
        /// RemoveThreadBlock: (index, last sequence number) pairs. The last number counts events dropped since the
        /// thread's last event; the thread goes at the next sequence point and may not be referred to before.
        /// </summary>
        private void ReadRemoveThreadBlock(ReadOnlySpan<byte> content)
        {
            var cursor = new ByteCursor(content);
            var parsed = new List<(long Index, int SequenceNumber)>();
            while (cursor.Remaining > 0)
            {
                long index = (long)cursor.ReadVarUInt64();
                int sequenceNumber = (int)cursor.ReadVarUInt32();
                ResolveThread(index, "removed thread");
                parsed.Add((index, sequenceNumber));
            }

            foreach ((long index, int sequenceNumber) in parsed)
            {
                CaptureThread thread = _threads[index];
                CountDropped(thread.SequenceNumber, sequenceNumber);
                thread.SequenceNumber = sequenceNumber;
                _threadTable[index].RemovalPending = true;
            }
        }

        /// <summary>
        /// LabelListBlock: first id, count, then the lists, each labels until one whose kind has the high bit set.
        /// Only the event version (kind 10) is kept: it overrides the metadata's, as in TraceEvent.
        /// </summary>
        private void ReadLabelListBlock(ReadOnlySpan<byte> content)
        {
            var cursor = new ByteCursor(content);
            int firstId = cursor.ReadInt32();
            int count = cursor.ReadInt32();
            if (count < 0 || count > cursor.Remaining)
            {
                throw new NettraceFormatException($"{count} label lists do not fit in the block");
            }

            var versions = new int[count];
            for (int i = 0; i < count; i++)
            {
                versions[i] = ReadLabelList(ref cursor);
            }

            for (int i = 0; i < count; i++)
            {
                _labelListVersions[unchecked(firstId + i)] = versions[i];
            }
        }

        private static int ReadLabelList(ref ByteCursor cursor)
        {
            int version = -1;
            byte kindAndLast;
            do
            {
                kindAndLast = cursor.ReadByte();
                int kind = kindAndLast & 0x7F;
                switch (kind)
                {
                    case 1: // activity id
                    case 2: // related activity id
                    case 3: // trace id
                        cursor.Skip(16);
                        break;
                    case 4: // span id
                    case 8: // keywords
                        cursor.Skip(8);
                        break;
                    case 5: // key, string value
                        cursor.SkipUtf8String();
                        cursor.SkipUtf8String();
                        break;
                    case 6: // key, varint value
                        cursor.SkipUtf8String();
                        cursor.ReadVarUInt64();
                        break;
                    case 7: // opcode
                    case 9: // level
                        cursor.Skip(1);
                        break;
                    case 10:
                        version = cursor.ReadByte();
                        break;
                    default:
                        throw new NettraceFormatException($"a label list has a label of unknown kind {kind}");
                }
            }
            while ((kindAndLast & 0x80) == 0);
            return version;
        }

        /// <summary>
        /// SPBlock (V6): timestamp, flags (1: forget the threads, 2: forget the metadata), then (thread index, sequence
        /// number) pairs as varints. As in V5 every queued event goes out first; stacks and label lists are forgotten.
        /// </summary>
        private void ReadSequencePointV6(ReadOnlySpan<byte> content)
        {
            var cursor = new ByteCursor(content);
            cursor.Skip(8); // timestamp
            int flags = cursor.ReadInt32();
            int threadCount = cursor.ReadInt32();
            if (threadCount < 0 || (long)threadCount * 2 > cursor.Remaining)
            {
                throw new NettraceFormatException($"{threadCount} threads do not fit in the block");
            }

            var checkpoints = new (long Index, int SequenceNumber)[threadCount];
            for (int i = 0; i < threadCount; i++)
            {
                long index = (long)cursor.ReadVarUInt64();
                checkpoints[i] = (index, (int)cursor.ReadVarUInt32());
                ResolveThread(index, "checkpointed thread");
            }

            FlushAll();
            foreach ((long index, int sequenceNumber) in checkpoints)
            {
                CaptureThread thread = _threads[index];
                CountDropped(thread.SequenceNumber, sequenceNumber);
                thread.SequenceNumber = sequenceNumber;
            }

            foreach (long removed in _threadTable.Where(t => t.Value.RemovalPending).Select(t => t.Key).ToList())
            {
                _threadTable.Remove(removed);
                _threads.Remove(removed);
            }

            if ((flags & 1) != 0)
            {
                _threadTable.Clear();
                _threads.Clear();
            }

            if ((flags & 2) != 0)
            {
                _kindByMetadataId.Clear();
            }

            _labelListVersions.Clear();
            _stacks.Clear();
            _stackBytesUsed = 0;
            _handler.OnStacksForgotten();
        }

        /// <summary>The OS thread id of a V6 thread index; a format error when no Thread block declared it (or one removed it).</summary>
        private long ResolveThread(long index, string role)
        {
            if (!_threadTable.TryGetValue(index, out V6Thread? thread) || thread.RemovalPending)
            {
                throw new NettraceFormatException($"a {role} index {index} that no Thread block declares");
            }

            return thread.OsThreadId;
        }

        /// <summary>The event version a label list sets (-1: none); 0 is the empty list. A format error for a list not in the file since the last sequence point.</summary>
        private int ResolveLabelList(int id)
        {
            if (id == 0)
            {
                return -1;
            }

            return _labelListVersions.TryGetValue(id, out int version)
                ? version
                : throw new NettraceFormatException($"a label list id {id} that no LabelList block since the last sequence point declares");
        }
    }
}
