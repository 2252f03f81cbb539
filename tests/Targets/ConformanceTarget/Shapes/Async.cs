using System.Runtime.CompilerServices;

namespace ConformanceTarget.Shapes;

/// <summary>
/// await inside loops and try, ValueTask, IAsyncEnumerable, iterators. Lines holding an await are not
/// measured (the twin's counter is one thread's); every line between awaits is.
/// </summary>
internal static partial class Async
{
    [Conformance("async")]
    public static async Task AwaitInsideLoops()
    {
        var received = new List<byte[]>();
        for (var i = 0; i < 8; i++)
        {
            var header = new byte[4_000];
            await Task.Yield();
            var body = new byte[16_000];
            received.Add(header);
            received.Add(body);
        }

        var total = received.Sum(block => block.Length);
        Sink.Keep(total);
    }

    [Conformance("async")]
    public static async Task AwaitInsideTry()
    {
        var log = new List<string>();
        try
        {
            var before = new string('b', 2_000);
            await Task.Delay(1);
            var after = new string('a', 3_000);
            log.Add(before);
            log.Add(after);
        }
        finally
        {
            var closing = new byte[5_000];
            Sink.Keep(closing);
        }

        Sink.Keep(log);
    }

    [Conformance("async")]
    public static async ValueTask<int> ValueTaskShape()
    {
        var first = new int[3_000];
        var count = await CountAsync(first);
        var second = new int[count];
        Sink.Keep(second);
        return second.Length;
    }

    [Conformance("async")]
    public static async IAsyncEnumerable<int[]> AsyncEnumerable()
    {
        for (var i = 0; i < 5; i++)
        {
            var block = new int[2_000 + i];
            await Task.Yield();
            var tail = new int[500];
            Sink.Keep(tail);
            yield return block;
        }
    }

    [Conformance("async")]
    public static async Task SynchronouslyCompletingAwaits()
    {
        var cache = new Dictionary<int, string>();
        for (var i = 0; i < 10; i++)
        {
            var value = await LookupAsync(cache, i % 3);
            var copy = value + "!";
            Sink.Keep(copy);
        }
    }

    [Conformance("iterators")]
    public static IEnumerable<string> Iterator()
    {
        var prefix = new string('i', 200);
        for (var i = 0; i < 30; i++)
        {
            var item = prefix + i.ToString();
            yield return item;
        }

        var last = new byte[8_000];
        yield return last.Length.ToString();
    }

    [Conformance("iterators")]
    public static IEnumerable<int[]> IteratorWithFinally()
    {
        var opened = new byte[1_000];
        try
        {
            for (var i = 0; i < 10; i++)
            {
                yield return new int[100 * i];
            }
        }
        finally
        {
            var closed = new byte[2_000];
            Sink.Keep(closed);
        }

        Sink.Keep(opened);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<int> CountAsync(int[] items)
    {
        await Task.Yield();
        return items.Length;
    }

    private static ValueTask<string> LookupAsync(Dictionary<int, string> cache, int key)
    {
        if (cache.TryGetValue(key, out var found))
        {
            return new ValueTask<string>(found);
        }

        var made = new string('v', 100 + key);
        cache[key] = made;
        return new ValueTask<string>(made);
    }
}
