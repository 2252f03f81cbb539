using System.Runtime.CompilerServices;

namespace ShapesTarget.Shapes;

/// <summary>
/// A small method the JIT inlines: <see cref="NewBlock"/> never has a frame of its own, so its
/// allocations can only be seen on the line of <see cref="AllocateInlinedBlocks"/> that calls it.
/// The caller is compiled optimized at once (no tier 0), so the inlining happens on its first JIT.
/// </summary>
public static class InliningShape
{
    private const int BlockLength = 32 * 1_024;

    public static void Run(int rounds) => Sink.Keep(AllocateInlinedBlocks(rounds * 128));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte[] NewBlock(int length) => new byte[length];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long AllocateInlinedBlocks(int count)
    {
        long total = 0;
        for (var i = 0; i < count; i++)
        {
            var mark = Truth.Mark();
            var block = NewBlock(BlockLength);
            Truth.Record(mark);
            Sink.Keep(block);
            total += block.Length;
        }

        return total;
    }
}
