namespace ShapesTarget.Shapes;

/// <summary>
/// async Task and async ValueTask methods: their code runs in a compiler-generated state machine's
/// MoveNext, first on the caller's stack, then after each await on a thread-pool thread. Only the
/// lines between awaits are checked: a line holding an await spans threads.
/// </summary>
public static class AsyncShape
{
    private const int BlockLength = 64 * 1_024;

    /// <summary>
    /// Waits for each method on the calling thread. An async caller (await DownloadAsync(...);
    /// await ParseAsync(...)) would resume inside DownloadAsync's completion, so ParseAsync's first
    /// lines would run while DownloadAsync's closing brace is on the stack, and count in its total.
    /// </summary>
    public static void Run(int rounds)
    {
        Sink.Keep(DownloadAsync(rounds).GetAwaiter().GetResult());
        Sink.Keep(ParseAsync(rounds).AsTask().GetAwaiter().GetResult());
    }

    public static async Task<long> DownloadAsync(int rounds)
    {
        TruthMark mark;
        long received = 0;
        for (var round = 0; round < rounds; round++)
        {
            mark = Truth.Mark();
            var header = Blocks.Make(64, BlockLength);
            Truth.Record(mark);
            await Task.Yield();
            mark = Truth.Mark();
            for (var i = 0; i < 64; i++) { Sink.Keep(new byte[BlockLength]); }
            Truth.Record(mark);
            received += await ChecksumAsync(header);
            mark = Truth.Mark();
            var names = Blocks.MakeStrings(1_024, 2_048);
            Truth.Record(mark);
            Sink.Keep(names);
        }

        return received;
    }

    public static async ValueTask<long> ParseAsync(int rounds)
    {
        TruthMark mark;
        long parsed = 0;
        for (var round = 0; round < rounds; round++)
        {
            mark = Truth.Mark();
            var words = Blocks.MakeStrings(2_048, 1_024);
            Truth.Record(mark);
            parsed += await CountAsync(words, yieldFirst: round % 2 == 1);
            mark = Truth.Mark();
            var tokens = Blocks.MakeArraysOf((long)round, 512, 1_024);
            Truth.Record(mark);
            Sink.Keep(tokens);
        }

        return parsed;
    }

    private static async Task<long> ChecksumAsync(byte[] data)
    {
        await Task.Yield();
        return data.Length;
    }

    // Completes synchronously on even rounds, so the line after its await runs on either thread.
    private static async ValueTask<int> CountAsync(string text, bool yieldFirst)
    {
        if (yieldFirst)
        {
            await Task.Yield();
        }

        return text.Length;
    }
}
