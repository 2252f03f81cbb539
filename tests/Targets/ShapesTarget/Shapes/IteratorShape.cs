namespace ShapesTarget.Shapes;

/// <summary>
/// An iterator and an async iterator: their code runs in a compiler-generated MoveNext, resumed by
/// each step of the consumer's loop. Lines holding a yield return or an await are not checked.
/// </summary>
public static class IteratorShape
{
    private const int BlockLength = 64 * 1_024;

    public static void Run(int rounds)
    {
        long length = 0;
        foreach (var block in ProduceBlocks(rounds))
        {
            length += block.Length;
        }

        Sink.Keep(length);
        Sink.Keep(ConsumeAsync(rounds).GetAwaiter().GetResult());
    }

    public static IEnumerable<byte[]> ProduceBlocks(int rounds)
    {
        TruthMark mark;
        for (var round = 0; round < rounds; round++)
        {
            mark = Truth.Mark();
            var block = Blocks.Make(64, BlockLength);
            Truth.Record(mark);
            yield return block;
            mark = Truth.Mark();
            var text = new string('i', 2 * Blocks.MiB);
            Truth.Record(mark);
            Sink.Keep(text);
        }
    }

    public static async IAsyncEnumerable<long[]> StreamBlocksAsync(int rounds)
    {
        TruthMark mark;
        for (var round = 0; round < rounds; round++)
        {
            mark = Truth.Mark();
            var block = Blocks.MakeArraysOf((long)round, 512, 1_024);
            Truth.Record(mark);
            await Task.Yield();
            mark = Truth.Mark();
            var texts = Blocks.MakeStrings(2_048, 1_024);
            Truth.Record(mark);
            Sink.Keep(texts);
            yield return block;
        }
    }

    private static async Task<long> ConsumeAsync(int rounds)
    {
        long length = 0;
        await foreach (var block in StreamBlocksAsync(rounds))
        {
            length += block.Length;
        }

        return length;
    }
}
