using System.Runtime.CompilerServices;

namespace ShapesTarget.Shapes;

/// <summary>
/// A recursive method. Its allocating line runs in every frame; its recursive-call line is active in
/// several frames at once, and its figure is everything the deeper calls allocated, counted once.
/// </summary>
public static class RecursionShape
{
    private const int StartDepth = 7;

    public static void Run(int rounds)
    {
        for (var round = 0; round < rounds; round++)
        {
            var mark = Truth.Mark();
            var deepest = Descend(StartDepth);
            Truth.RecordTotal(mark, nameof(Descend));
            Sink.Keep(deepest);
        }
    }

    /// <summary>Eight frames deep from StartDepth; each allocates 512 KiB before and after recursing.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static byte[] Descend(int depth)
    {
        var mark = Truth.Mark();
        var block = Blocks.Make(8, 64 * 1_024);
        Truth.Record(mark);
        if (depth == 0)
        {
            return block;
        }

        mark = Truth.Mark();
        var deeper = Descend(depth - 1);
        Truth.RecordOutermost(mark, depth == StartDepth);
        mark = Truth.Mark();
        var names = Blocks.MakeStrings(256, 1_000);
        Truth.Record(mark);
        Sink.Keep(names);
        return deeper.Length > block.Length ? deeper : block;
    }
}
