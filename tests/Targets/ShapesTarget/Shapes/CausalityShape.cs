namespace ShapesTarget.Shapes;

/// <summary>
/// A request handler whose lines cause work they don't run themselves: awaited methods that suspend (a
/// timer, a real file read, three levels deep, <c>ConfigureAwait(false)</c>, a <c>ValueTask</c>, an
/// async iterator under <c>await foreach</c>) and finish on thread-pool
/// threads, work handed to <c>Task.Run</c>, a <c>Parallel.For</c> fan-out, a PLINQ query, a <c>Task.WhenAll</c> over
/// async items, and a thread of its own (which nothing in the trace ties to the line). HandleAsync's lines carry no measurement: each callee measures its own lines (on whatever
/// thread they run), and a line of HandleAsync is truly what the callees it caused allocated.
/// </summary>
public static class CausalityShape
{
    private const int BlockLength = 64 * 1_024;
    private static string s_dataPath = "";

    public static void Run(int rounds)
    {
        s_dataPath = Path.Combine(Path.GetTempPath(), $"causality-shape-{Environment.ProcessId}.bin");
        File.WriteAllBytes(s_dataPath, new byte[4 * 1_024 * 1_024]);
        try
        {
            Sink.Keep(HandleAsync(rounds).GetAwaiter().GetResult());
        }
        finally
        {
            File.Delete(s_dataPath);
        }
    }

    public static async Task<long> HandleAsync(int rounds)
    {
        long handled = 0;
        for (var round = 0; round < rounds; round++)
        {
            handled += await LoadAsync(round);
            handled += await ReadBackAsync(s_dataPath);
            handled += await Task.Run(() => Compress(round));
            Parallel.For(0, 8, chunk => Sink.Keep(Split(chunk)));
            handled += (await Task.WhenAll(Enumerable.Range(0, 4).Select(FetchAsync))).Sum();
            handled += await CountAsync(round);
            await foreach (long page in PagesAsync(round))
            {
                handled += page;
            }

            handled += Enumerable.Range(0, 8).AsParallel().Sum(Weigh);
            handled += IndexOnOwnThread(round);
        }

        return handled;
    }

    // Three levels of async calls; the innermost suspends on a timer, and everything after it resumes on the pool.
    private static async Task<long> LoadAsync(int round) => await ParseAsync(round) + 1;

    private static async Task<long> ParseAsync(int round)
    {
        long decoded = await DecodeAsync(round);
        TruthMark mark = Truth.Mark();
        var rows = Blocks.Make(32, BlockLength);
        Truth.Record(mark);
        return decoded + rows.Length;
    }

    private static async Task<long> DecodeAsync(int round)
    {
        await Task.Delay(1).ConfigureAwait(false);
        TruthMark mark = Truth.Mark();
        var blocks = Blocks.Make(32, BlockLength);
        Truth.Record(mark);
        return blocks.Length + round;
    }

    // A real file read: FileStream's async reads complete on the pool, and each copy is made after one.
    private static async Task<long> ReadBackAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4_096, useAsync: true);
        TruthMark mark = Truth.Mark();
        var buffer = new byte[BlockLength];
        Truth.Record(mark);
        long copied = 0;
        int read;
        while ((read = await file.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            mark = Truth.Mark();
            var copy = buffer.AsSpan(0, read).ToArray();
            Truth.Record(mark);
            copied += copy.Length;
        }

        return copied;
    }

    private static long Compress(int round)
    {
        TruthMark mark = Truth.Mark();
        var output = Blocks.Make(64, BlockLength);
        Truth.Record(mark);
        return output.Length + round;
    }

    private static byte[] Split(int chunk)
    {
        TruthMark mark = Truth.Mark();
        var part = Blocks.Make(8, BlockLength);
        Truth.Record(mark);
        return chunk == 0 ? part : [];
    }

    // A ValueTask-returning async method that suspends.
    private static async ValueTask<long> CountAsync(int round)
    {
        await Task.Delay(1);
        TruthMark mark = Truth.Mark();
        var counts = Blocks.Make(64, BlockLength);
        Truth.Record(mark);
        return counts.Length + round;
    }

    // An async iterator: each page is made after a suspension, while the consumer's `await foreach` waits.
    private static async IAsyncEnumerable<long> PagesAsync(int round)
    {
        for (var page = 0; page < 4; page++)
        {
            await Task.Yield();
            TruthMark mark = Truth.Mark();
            var rows = Blocks.Make(16, BlockLength);
            Truth.Record(mark);
            yield return rows.Length + round;
        }
    }

    // PLINQ: the query's partitions run on pool threads it queues.
    private static int Weigh(int part)
    {
        TruthMark mark = Truth.Mark();
        var weights = Blocks.Make(8, BlockLength);
        Truth.Record(mark);
        return weights.Length + part;
    }

    // A thread of its own: no TPL event ties its work to the line that started it.
    private static long IndexOnOwnThread(int round)
    {
        long indexed = 0;
        var thread = new Thread(() => indexed = Index(round));
        thread.Start();
        thread.Join();
        return indexed;
    }

    private static long Index(int round)
    {
        TruthMark mark = Truth.Mark();
        var index = Blocks.Make(64, BlockLength);
        Truth.Record(mark);
        return index.Length + round;
    }

    private static async Task<int> FetchAsync(int item)
    {
        await Task.Yield();
        TruthMark mark = Truth.Mark();
        var page = Blocks.Make(16, BlockLength);
        Truth.Record(mark);
        return page.Length + item;
    }
}
