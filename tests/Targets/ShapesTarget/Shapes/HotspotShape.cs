namespace ShapesTarget.Shapes;

/// <summary>
/// A small call tree written as users write code, with no measurement in it, for the whole-program view (no
/// <c>--method</c>): a method that allocates on its own lines, in a lambda the framework calls back, through
/// framework code, and by calling a helper and an iterator of its own. What each line allocates follows from the
/// sizes (an array of n elements of s bytes takes 24 + n·s bytes rounded up to 8); the target records it as facts.
/// </summary>
public static class HotspotShape
{
    private const int IdCount = 1_024 * 1_024;
    private const int RowCount = 4_096;
    private const int IntsPerRow = 512;
    private const int ScratchLength = 4 * 1_024 * 1_024;
    private const int TotalsPerRow = 128;
    private const int BlockLength = 32 * 1_024;
    private const int BlocksPerRound = 128;

    public static void Run(int rounds)
    {
        long checksum = 0;
        for (var round = 0; round < rounds; round++)
        {
            checksum += Process(round);
        }

        Sink.Keep(checksum);
        Truth.Fact("hotspot.ids", rounds * ArrayBytes(IdCount, sizeof(int)));
        Truth.Fact("hotspot.rows", rounds * RowCount * ArrayBytes(IntsPerRow, sizeof(int)));
        Truth.Fact("hotspot.convertAll", rounds * (ArrayBytes(RowCount, sizeof(int)) + ArrayBytes(RowCount, IntPtr.Size)));
        Truth.Fact("hotspot.scratch", rounds * ArrayBytes(ScratchLength, sizeof(byte)));
        Truth.Fact("hotspot.totals", rounds * ArrayBytes(RowCount * TotalsPerRow, sizeof(long)));
        Truth.Fact("hotspot.blocks", rounds * BlocksPerRound * ArrayBytes(BlockLength, sizeof(byte)));
    }

    public static long Process(int round)
    {
        var ids = new int[IdCount];
        var rows = Array.ConvertAll(new int[RowCount],
            id => new int[IntsPerRow]);
        var scratch = GC.AllocateUninitializedArray<byte>(ScratchLength);
        long total = Sum(rows) + scratch.Length + ids.Length;
        foreach (var block in Blocks(round))
        {
            total += block.Length;
        }

        Sink.Keep(ids);
        return total;
    }

    private static long Sum(int[][] rows)
    {
        var totals = new long[rows.Length * TotalsPerRow];
        for (var row = 0; row < rows.Length; row++)
        {
            for (var column = 0; column < rows[row].Length; column++)
            {
                totals[row * TotalsPerRow + column % TotalsPerRow] += rows[row][column] + column;
            }
        }

        long sum = 0;
        foreach (var value in totals)
        {
            sum += value;
        }

        return sum;
    }

    private static IEnumerable<byte[]> Blocks(int round)
    {
        for (var i = 0; i < BlocksPerRound; i++)
        {
            yield return new byte[BlockLength];
        }
    }

    private static long ArrayBytes(long length, int elementSize) => (24 + length * elementSize + 7) / 8 * 8;
}
