using System.Buffers.Binary;
using System.Text;

namespace DotnetMemLine.Fuzzing;

/// <summary>
/// Damages a real portable PDB the ways such files get damaged or crafted: cut short (anywhere, and at a
/// metadata stream's edge), bytes flipped anywhere or inside one stream, a stream's offset or size made
/// huge, a table's row count made huge, two stretches of the tables stream swapped, a heap overwritten
/// with control characters and invalid UTF-8 (what a crafted document path or source line would carry).
/// Shared by eng/fuzz-pdb.sh and the test in `dotnet test`.
/// </summary>
public static class PdbMutator
{
    /// <summary>A metadata stream of the PDB: its name, and where its header's offset and size fields and its bytes are.</summary>
    public sealed record MetadataStreamInfo(string Name, int HeaderAt, int Start, int Size);

    /// <summary>The PDB's metadata streams (#Pdb, #~, #Strings, #US, #GUID, #Blob), read from the metadata root; empty if unreadable.</summary>
    public static IReadOnlyList<MetadataStreamInfo> ReadStreams(byte[] pdb)
    {
        var streams = new List<MetadataStreamInfo>();
        try
        {
            if (pdb.Length < 32 || BinaryPrimitives.ReadUInt32LittleEndian(pdb) != 0x424A5342) // "BSJB"
            {
                return streams;
            }

            int versionLength = BinaryPrimitives.ReadInt32LittleEndian(pdb.AsSpan(12));
            int at = 16 + versionLength + 2; // flags
            int count = BinaryPrimitives.ReadUInt16LittleEndian(pdb.AsSpan(at));
            at += 2;
            for (int i = 0; i < count && at + 8 < pdb.Length; i++)
            {
                int header = at;
                int offset = BinaryPrimitives.ReadInt32LittleEndian(pdb.AsSpan(at));
                int size = BinaryPrimitives.ReadInt32LittleEndian(pdb.AsSpan(at + 4));
                at += 8;
                int end = Array.IndexOf(pdb, (byte)0, at);
                string name = Encoding.ASCII.GetString(pdb, at, end - at);
                at = (end + 4) & ~3; // names are padded to 4 bytes
                streams.Add(new MetadataStreamInfo(name, header, offset, size));
            }
        }
        catch (ArgumentException)
        {
            // A seed that is not a readable PDB gets the stream-blind mutations only.
        }

        return streams;
    }

    public static (string Description, byte[] Bytes) Mutate(byte[] seed, IReadOnlyList<MetadataStreamInfo> streams, Random random)
    {
        int kind = streams.Count == 0 ? random.Next(2) : random.Next(9);
        byte[] bytes = (byte[])seed.Clone();
        switch (kind)
        {
            case 0:
            {
                int at = random.Next(seed.Length);
                return ($"truncate at {at}", seed[..at]);
            }

            case 1:
            {
                int flips = 1 + random.Next(16);
                for (int i = 0; i < flips; i++)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return ($"flip {flips} bits anywhere", bytes);
            }

            case 2:
            {
                MetadataStreamInfo stream = streams[random.Next(streams.Count)];
                int at = (int)Math.Clamp((random.Next(2) == 0 ? stream.Start : stream.Start + stream.Size) + random.Next(-4, 5), 1, seed.Length - 1);
                return ($"truncate at {at} (near {stream.Name})", seed[..at]);
            }

            case 3:
            {
                MetadataStreamInfo stream = streams[random.Next(streams.Count)];
                if (stream.Size <= 0 || stream.Start + stream.Size > bytes.Length)
                {
                    goto case 1;
                }

                int flips = 1 + random.Next(32);
                for (int i = 0; i < flips; i++)
                {
                    bytes[stream.Start + random.Next(stream.Size)] ^= (byte)(1 << random.Next(8));
                }

                return ($"flip {flips} bits in {stream.Name}", bytes);
            }

            case 4:
            {
                MetadataStreamInfo stream = streams[random.Next(streams.Count)];
                bool offset = random.Next(2) == 0;
                int value = random.Next(3) switch { 0 => int.MaxValue, 1 => seed.Length + random.Next(1, 1_000), _ => -random.Next(1, 1_000) };
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(stream.HeaderAt + (offset ? 0 : 4)), value);
                return ($"{stream.Name} {(offset ? "offset" : "size")} {value}", bytes);
            }

            case 5:
            {
                // The tables stream (#~): a row count (after the 24-byte header) made huge.
                if (streams.FirstOrDefault(s => s.Name == "#~") is not { } tables || tables.Start + 24 + 4 > bytes.Length)
                {
                    goto case 1;
                }

                int rows = random.Next(1, 12);
                int at = tables.Start + 24 + 4 * random.Next(rows);
                uint value = random.Next(2) == 0 ? uint.MaxValue : (uint)random.Next(100_000, int.MaxValue);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
                return ($"#~ row count at {at} = {value}", bytes);
            }

            case 6:
            {
                // Two stretches of the tables or the #Pdb stream swapped: rows that point at the wrong things.
                MetadataStreamInfo stream = streams.Where(s => s.Name is "#~" or "#Pdb" or "#Blob").ElementAtOrDefault(random.Next(3)) ?? streams[0];
                if (stream.Size < 64 || stream.Start + stream.Size > bytes.Length)
                {
                    goto case 1;
                }

                int length = 4 + random.Next(Math.Min(64, stream.Size / 4));
                int a = stream.Start + random.Next(stream.Size - length);
                int b = stream.Start + random.Next(stream.Size - length);
                byte[] first = bytes[a..(a + length)];
                Array.Copy(bytes, b, bytes, a, length);
                Array.Copy(first, 0, bytes, b, length);
                return ($"swap {length} bytes at {a} and {b} in {stream.Name}", bytes);
            }

            case 7:
            {
                // A heap overwritten with what a crafted path or name would carry: escape sequences, NUL,
                // bidirectional overrides, invalid UTF-8.
                MetadataStreamInfo stream = streams.Where(s => s.Name is "#Strings" or "#Blob").ElementAtOrDefault(random.Next(2)) ?? streams[0];
                if (stream.Size < 8 || stream.Start + stream.Size > bytes.Length)
                {
                    goto case 1;
                }

                byte[][] payloads = [[0x1B, (byte)'[', (byte)'2', (byte)'J'], [0x00], [0xE2, 0x80, 0xAE], [0xFF, 0xFE], [0x0D], [0x1B, (byte)']', (byte)'0', (byte)';', (byte)'x', 0x07], [0xC0, 0x80]];
                int writes = 1 + random.Next(8);
                for (int i = 0; i < writes; i++)
                {
                    byte[] payload = payloads[random.Next(payloads.Length)];
                    int at = stream.Start + random.Next(Math.Max(1, stream.Size - payload.Length));
                    payload.CopyTo(bytes, at);
                }

                return ($"{writes} control or invalid sequences in {stream.Name}", bytes);
            }

            default:
            {
                // A whole stream zeroed: a PDB whose sequence points or documents are gone.
                MetadataStreamInfo stream = streams[random.Next(streams.Count)];
                if (stream.Start + stream.Size > bytes.Length || stream.Size < 0)
                {
                    goto case 1;
                }

                Array.Clear(bytes, stream.Start, stream.Size);
                return ($"{stream.Name} zeroed", bytes);
            }
        }
    }
}
