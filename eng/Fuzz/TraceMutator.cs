using System.Buffers.Binary;
using DotnetMemLine.Decoding;

namespace DotnetMemLine.Fuzzing;

/// <summary>
/// Damages a real .nettrace the ways real files get damaged: cut short (anywhere, and exactly at or
/// near an object boundary), bytes flipped, a block repeated or lost, a block's size field wrong,
/// a newer format version. Shared by eng/fuzz-analyze.sh and the fuzz test in `dotnet test`.
/// </summary>
public static class TraceMutator
{
    public static (string Description, byte[] Bytes) Mutate(byte[] seed, NettraceLayout layout, Random random)
    {
        IReadOnlyList<NettraceLayout.Block> blocks = layout.Blocks;
        int kind = random.Next(9);
        switch (kind)
        {
            case 0:
            {
                int at = random.Next(seed.Length);
                return ($"truncate at {at}", seed[..at]);
            }

            case 1:
            {
                // At an object's start or end, or a few bytes either side: the parser's state changes there.
                NettraceLayout.Block block = blocks[random.Next(blocks.Count)];
                long edge = random.Next(2) == 0 ? block.Start : block.End;
                int at = (int)Math.Clamp(edge + random.Next(-8, 9), 0, seed.Length - 1);
                return ($"truncate at {at} (near {block.Name} edge {edge})", seed[..at]);
            }

            case 2:
            {
                byte[] bytes = (byte[])seed.Clone();
                int flips = 1 + random.Next(16);
                for (int i = 0; i < flips; i++)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return ($"{flips} bit flips", bytes);
            }

            case 3:
            {
                byte[] bytes = (byte[])seed.Clone();
                int at = random.Next(bytes.Length);
                int count = Math.Min(1 + random.Next(64), bytes.Length - at);
                random.NextBytes(bytes.AsSpan(at, count));
                return ($"{count} random bytes at {at}", bytes);
            }

            case 4:
            {
                NettraceLayout.Block block = blocks[1 + random.Next(blocks.Count - 1)];
                byte[] copy = seed[(int)block.Start..(int)block.End];
                return ($"duplicate {block.Name} at {block.Start}", [.. seed[..(int)block.End], .. copy, .. seed[(int)block.End..]]);
            }

            case 5:
            {
                NettraceLayout.Block block = blocks[1 + random.Next(blocks.Count - 1)];
                return ($"remove {block.Name} at {block.Start}", [.. seed[..(int)block.Start], .. seed[(int)block.End..]]);
            }

            case 6:
            {
                byte[] bytes = (byte[])seed.Clone();
                NettraceLayout.Block block = blocks[1 + random.Next(blocks.Count - 1)];
                Span<byte> field = bytes.AsSpan((int)block.SizeFieldOffset, 4);
                int size = BinaryPrimitives.ReadInt32LittleEndian(field);
                int damaged = random.Next(5) switch
                {
                    0 => 0,
                    1 => -1 - random.Next(1000),
                    2 => int.MaxValue - random.Next(1000),
                    3 => size + random.Next(-16, 17),
                    _ => random.Next(),
                };
                BinaryPrimitives.WriteInt32LittleEndian(field, damaged);
                return ($"{block.Name} at {block.Start}: size {size} -> {damaged}", bytes);
            }

            case 7:
            {
                // Swap two blocks: their contents stay valid but the order (metadata before events) breaks.
                NettraceLayout.Block a = blocks[1 + random.Next(blocks.Count - 1)];
                NettraceLayout.Block b = blocks[1 + random.Next(blocks.Count - 1)];
                if (a.Start > b.Start)
                {
                    (a, b) = (b, a);
                }

                if (a == b)
                {
                    return ($"unchanged (swap {a.Name} with itself)", seed);
                }

                return ($"swap {a.Name} at {a.Start} with {b.Name} at {b.Start}",
                    [.. seed[..(int)a.Start], .. seed[(int)b.Start..(int)b.End], .. seed[(int)a.End..(int)b.Start], .. seed[(int)a.Start..(int)a.End], .. seed[(int)b.End..]]);
            }

            default:
            {
                byte[] bytes = (byte[])seed.Clone();
                int version = random.Next(2) == 0 ? layout.FormatVersion + 1 + random.Next(3) : random.Next();
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan((int)layout.VersionFieldOffset, 4), version);
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan((int)layout.VersionFieldOffset + 4, 4), version);
                return ($"format version {version}", bytes);
            }
        }
    }
}
