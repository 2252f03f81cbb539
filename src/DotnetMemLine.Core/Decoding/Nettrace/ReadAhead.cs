using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>
/// Reads a trace file front to back for a pass, the next chunks on worker threads while the pass decodes the one
/// before: copying a large trace out of the page cache is most of a pass that only gathers the code (the first), and a
/// fifth of the one that follows objects, and the other cores can do it meanwhile. Each buffer has room before its
/// chunk where the part of the previous chunk the pass has not consumed yet (the start of a block that runs on) is
/// copied when the pass moves over, so a block is always whole in one buffer and the file is copied once.
/// </summary>
internal sealed class ReadAhead : IDisposable
{
    /// <summary>Chunks read ahead at once: two keep a pass that does little per byte from waiting on one copy at a time.</summary>
    private const int ReadsInFlight = 2;

    private readonly SafeFileHandle _file;
    private readonly int _headRoom;
    private readonly int _chunkSize;
    private readonly Queue<Chunk> _inFlight = new();
    private readonly Stack<byte[]> _free = new();
    private readonly List<byte[]> _held = []; // buffers the pass will read again (events waiting to be sorted)
    private readonly List<byte[]> _rented = []; // every chunk buffer, given back to the pool at the end of the pass
    private byte[] _current; // the pass's buffer, back to _free when the pass moves on unless held
    private long _nextOffset;
    private bool _endReached;

    /// <param name="path">The trace file.</param>
    /// <param name="offset">Where the pass starts reading.</param>
    /// <param name="sizes">The sizes of the chunks and of the room before them.</param>
    public ReadAhead(string path, long offset, ReadAheadSizes sizes)
    {
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);

        // A file shorter than a chunk is read in one go into a buffer of its size: a small trace (most of them, and the
        // tests' thousands) costs no large buffers.
        long left = RandomAccess.GetLength(_file) - offset;
        _chunkSize = (int)Math.Clamp(left + 1, 1, sizes.ChunkSize);
        _headRoom = Math.Min(sizes.HeadRoom, _chunkSize);
        _nextOffset = offset;
        _current = NewBuffer();
        StartReads();
    }

    /// <summary>The pass's buffer before the first chunk arrives (it holds nothing yet).</summary>
    public byte[] FirstBuffer => _current;

    /// <summary>
    /// Makes at least <paramref name="count"/> bytes available from <paramref name="position"/>, moving to the next
    /// chunk (the unread bytes <c>[position, end)</c> come along); false when the file ends first. The buffer holds the
    /// file's bytes from <paramref name="bufferFileOffset"/> at its index 0.
    /// </summary>
    public bool Refill(ref byte[] buffer, ref int position, ref int end, ref long bufferFileOffset, int count)
    {
        while (end - position < count)
        {
            if (!_inFlight.TryDequeue(out Chunk chunk))
            {
                return false; // the file ended at the last read
            }

            int read = chunk.Read.GetAwaiter().GetResult();
            if (read < _chunkSize)
            {
                _endReached = true; // a short read is the end of the file: nothing after it is asked for
            }

            if (read == 0)
            {
                _free.Push(chunk.Buffer);
                return false;
            }

            int unread = end - position;
            if (unread > _headRoom)
            {
                // A block longer than the room: joined in a buffer of its own, which is never read into.
                byte[] joined = new byte[unread + read];
                buffer.AsSpan(position, unread).CopyTo(joined);
                chunk.Buffer.AsSpan(_headRoom, read).CopyTo(joined.AsSpan(unread));
                _free.Push(chunk.Buffer);
                buffer = joined;
                position = 0;
                end = unread + read;
                bufferFileOffset = chunk.Offset - unread;
            }
            else
            {
                buffer.AsSpan(position, unread).CopyTo(chunk.Buffer.AsSpan(_headRoom - unread));
                MoveOn(chunk.Buffer);
                buffer = chunk.Buffer;
                position = _headRoom - unread;
                end = _headRoom + read;
                bufferFileOffset = chunk.Offset - _headRoom;
            }

            StartReads();
        }

        return true;
    }

    /// <summary>The pass will read bytes of <paramref name="buffer"/> again later (events waiting to be sorted): it is not read into until <see cref="ReleaseHeld"/>.</summary>
    public void Hold(byte[] buffer)
    {
        if (_rented.Contains(buffer) && !_held.Contains(buffer))
        {
            _held.Add(buffer); // a joined buffer is never read into: nothing to hold
        }
    }

    /// <summary>The pass refers to no earlier bytes any more: the buffers it held may be read into again.</summary>
    public void ReleaseHeld()
    {
        foreach (byte[] buffer in _held)
        {
            if (buffer != _current)
            {
                _free.Push(buffer);
            }
        }

        _held.Clear();
    }

    /// <summary>The pass moves to <paramref name="next"/>: the buffer it leaves may be read into, unless it is held.</summary>
    private void MoveOn(byte[] next)
    {
        if (!_held.Contains(_current))
        {
            _free.Push(_current);
        }

        _current = next;
    }

    /// <summary>
    /// A buffer from the shared pool: the passes of one analysis, and the analyses of a process (several traces, the live
    /// view's frames, tests), take the same few buffers in turn instead of allocating megabytes each.
    /// </summary>
    private byte[] NewBuffer()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(_headRoom + _chunkSize);
        _rented.Add(buffer);
        return buffer;
    }

    private void StartReads()
    {
        while (!_endReached && _inFlight.Count < ReadsInFlight)
        {
            byte[] into = _free.Count > 0 ? _free.Pop() : NewBuffer();
            long offset = _nextOffset;
            _nextOffset += _chunkSize;
            _inFlight.Enqueue(new Chunk(into, offset, Task.Run(() => ReadChunk(into, offset))));
        }
    }

    /// <summary>A chunk whole, or what is left of the file (the read returns less only at its end).</summary>
    private int ReadChunk(byte[] into, long offset)
    {
        int read = 0;
        while (read < _chunkSize)
        {
            int got = RandomAccess.Read(_file, into.AsSpan(_headRoom + read, _chunkSize - read), offset + read);
            if (got == 0)
            {
                break;
            }

            read += got;
        }

        return read;
    }

    public void Dispose()
    {
        // Workers may still be reading into buffers: the handle closes after them.
        foreach (Chunk chunk in _inFlight)
        {
            try
            {
                chunk.Read.GetAwaiter().GetResult();
            }
            catch (IOException)
            {
                // The pass is over; an error of a read nobody waits for changes nothing.
            }
        }

        _file.Dispose();
        foreach (byte[] buffer in _rented)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _rented.Clear();
    }

    private readonly record struct Chunk(byte[] Buffer, long Offset, Task<int> Read);
}

/// <summary>
/// The sizes <see cref="ReadAhead"/> reads with: chunks of <paramref name="ChunkSize"/> bytes, each after
/// <paramref name="HeadRoom"/> bytes of room for the unread end of the chunk before it (a block longer than that is joined
/// in a buffer of its own).
/// </summary>
internal readonly record struct ReadAheadSizes(int HeadRoom, int ChunkSize)
{
    /// <summary>
    /// Chunks of 1.5 MB after 512 KB of room, 2 MB buffers (the shared pool's sizes are powers of two): the runtime's blocks
    /// are tens of KB, so nearly every block is read in place. Buffers of 4 MB made the analysis no faster and its peak
    /// RSS 9 MB larger (4.2 GB bench trace).
    /// </summary>
    public static ReadAheadSizes Default => new(512 << 10, (2 << 20) - (512 << 10));
}
