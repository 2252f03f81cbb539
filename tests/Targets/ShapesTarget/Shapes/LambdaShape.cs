using System.Runtime.CompilerServices;

namespace ShapesTarget.Shapes;

/// <summary>
/// Lambdas and local functions written in one method, nested ones too. Their bodies compile to
/// separate methods (on a closure class or a static one), but they are lines of
/// <see cref="QueryBlocks"/>: a lambda line's allocations belong to it, and also to the line of
/// QueryBlocks that ran the query, so the same bytes are checked on several lines at once.
/// </summary>
/// <remarks>
/// Lambdas and local functions are marked NoInlining: optimized code may otherwise inline a local
/// function into its caller, or a lambda into LINQ's loop (guarded devirtualization), and then it has
/// no frame of its own. The inlining shape covers inlined code.
/// </remarks>
public static class LambdaShape
{
    private const int BlockLength = 64 * 1_024;

    public static void Run(int rounds)
    {
        var mark = Truth.Mark();
        var count = QueryBlocks(rounds);
        Truth.RecordTotal(mark, nameof(QueryBlocks));
        Sink.Keep(count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long QueryBlocks(int rounds)
    {
        long count = 0;
        var length = BlockLength; // captured: the lambda below lives on a closure object
        Func<int, byte[]> makeBlock = [MethodImpl(MethodImplOptions.NoInlining)] (i) =>
        {
            var m = Truth.Mark();
            var block = new byte[length + (i % 8)];
            Truth.Record(m);
            return Sink.Pass(block);
        };
        Func<int, string[]> makeLabels = [MethodImpl(MethodImplOptions.NoInlining)] (labelCount) =>
        {
            Func<int, string> label = [MethodImpl(MethodImplOptions.NoInlining)] (i) =>
            {
                var m = Truth.Mark();
                var text = new string('l', 1_000 + (i % 8));
                Truth.Record(m);
                return Sink.Pass(text);
            };
            var m = Truth.Mark();
            var labels = Enumerable.Range(0, labelCount).Select(label).ToArray();
            Truth.Record(m);
            return labels;
        };
        for (var round = 0; round < rounds; round++)
        {
            var mark = Truth.Mark();
            var blocks = Enumerable.Range(0, 64).Select(makeBlock).ToList();
            Truth.Record(mark);
            mark = Truth.Mark();
            var labels = makeLabels(2_048);
            Truth.Record(mark);
            Sink.Keep(labels);
            mark = Truth.Mark();
            var squares = Squares(512);
            Truth.Record(mark);
            Sink.Keep(squares);
            mark = Truth.Mark();
            var chunks = Chunks(32);
            Truth.Record(mark);
            Sink.Keep(chunks);
            count += blocks.Count;
        }

        return count;

        [MethodImpl(MethodImplOptions.NoInlining)]
        static long[] Squares(int count)
        {
            var m = Truth.Mark();
            var squares = Blocks.MakeArraysOf((long)count, count, 1_024);
            Truth.Record(m);
            return squares;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        byte[][] Chunks(int count)
        {
            Func<int, byte[]> chunk = [MethodImpl(MethodImplOptions.NoInlining)] (i) =>
            {
                var m = Truth.Mark();
                var bytes = Blocks.Make(1, 2 * length);
                Truth.Record(m);
                return bytes;
            };
            var m = Truth.Mark();
            var chunks = Enumerable.Range(0, count).Select(chunk).ToArray();
            Truth.Record(m);
            return chunks;
        }
    }
}
