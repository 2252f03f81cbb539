using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>
/// Reads little-endian fields and varints from a span, bounded by the span: a field that would run past
/// its end throws <see cref="NettraceFormatException"/>, so no length read from the file can reach
/// outside the block that holds it.
/// </summary>
internal ref struct ByteCursor(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;

    public int Position { get; set; }

    public readonly int Remaining => _bytes.Length - Position;

    public readonly int Length => _bytes.Length;

    public byte ReadByte()
    {
        Require(1);
        return _bytes[Position++];
    }

    public ushort ReadUInt16()
    {
        Require(2);
        ushort value = BinaryPrimitives.ReadUInt16LittleEndian(_bytes[Position..]);
        Position += 2;
        return value;
    }

    public int ReadInt32()
    {
        Require(4);
        int value = BinaryPrimitives.ReadInt32LittleEndian(_bytes[Position..]);
        Position += 4;
        return value;
    }

    public long ReadInt64()
    {
        Require(8);
        long value = BinaryPrimitives.ReadInt64LittleEndian(_bytes[Position..]);
        Position += 8;
        return value;
    }

    /// <summary>A LEB128 varint of at most 5 bytes: 7 bits a byte, least significant first, high bit set on all but the last.</summary>
    public uint ReadVarUInt32()
    {
        uint value = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte b = ReadByte();
            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new NettraceFormatException("a 32-bit varint runs longer than 5 bytes");
    }

    /// <summary>A LEB128 varint of at most 10 bytes.</summary>
    public ulong ReadVarUInt64()
    {
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            byte b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new NettraceFormatException("a 64-bit varint runs longer than 10 bytes");
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0)
        {
            throw new NettraceFormatException($"negative length {count}");
        }

        Require(count);
        ReadOnlySpan<byte> slice = _bytes.Slice(Position, count);
        Position += count;
        return slice;
    }

    public void Skip(int count) => ReadBytes(count);

    /// <summary>V6's string: a varuint32 length then that many bytes of UTF-8.</summary>
    public ReadOnlySpan<byte> ReadUtf8String()
    {
        uint length = ReadVarUInt32();
        if (length > (uint)Remaining)
        {
            throw new NettraceFormatException($"a string of {length} bytes runs past the end of its block ({Remaining} bytes left)");
        }

        return ReadBytes((int)length);
    }

    public void SkipUtf8String() => ReadUtf8String();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void Require(int count)
    {
        if ((uint)count > (uint)(_bytes.Length - Position))
        {
            throw new NettraceFormatException($"a field of {count} bytes runs past the end of its block ({_bytes.Length - Position} bytes left)");
        }
    }
}
