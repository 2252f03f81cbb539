using System.Buffers;
using System.Text;

namespace DotnetMemLine.Reporting.Pprof;

/// <summary>
/// The few protocol-buffer encodings profile.proto needs (varints, packed varints, strings, nested messages),
/// written by hand: the format is small and stable, and no protobuf runtime is worth shipping for one message.
/// Fields with their default value (0, empty) are left out, as proto3 encoders do.
/// </summary>
internal sealed class ProtobufWriter
{
    private const int VarintWire = 0;
    private const int LengthDelimitedWire = 2;

    private readonly ArrayBufferWriter<byte> _bytes = new();

    /// <summary>An int64, uint64 or bool field.</summary>
    public void Varint(int field, long value)
    {
        if (value != 0)
        {
            Tag(field, VarintWire);
            WriteVarint((ulong)value);
        }
    }

    /// <summary>A repeated integer field, packed.</summary>
    public void Packed(int field, IEnumerable<long> values)
    {
        var packed = new ProtobufWriter();
        foreach (long value in values)
        {
            packed.WriteVarint((ulong)value);
        }

        LengthDelimited(field, packed._bytes.WrittenSpan);
    }

    /// <summary>A string field; also written when empty if <paramref name="always"/> (the string table's first entry).</summary>
    public void String(int field, string value, bool always = false)
    {
        if (value.Length > 0 || always)
        {
            LengthDelimited(field, Encoding.UTF8.GetBytes(value));
        }
    }

    /// <summary>A nested message field, written by <paramref name="write"/>.</summary>
    public void Message(int field, Action<ProtobufWriter> write)
    {
        var nested = new ProtobufWriter();
        write(nested);
        LengthDelimited(field, nested._bytes.WrittenSpan);
    }

    /// <summary>Copies what was written to <paramref name="output"/>.</summary>
    public void CopyTo(Stream output) => output.Write(_bytes.WrittenSpan);

    private void LengthDelimited(int field, ReadOnlySpan<byte> bytes)
    {
        Tag(field, LengthDelimitedWire);
        WriteVarint((ulong)bytes.Length);
        _bytes.Write(bytes);
    }

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        Span<byte> span = _bytes.GetSpan(10); // a 64-bit varint takes at most 10 bytes
        int used = 0;
        while (value >= 0x80)
        {
            span[used++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[used++] = (byte)value;
        _bytes.Advance(used);
    }
}
