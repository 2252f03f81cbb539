using System.Runtime.CompilerServices;

namespace ShapesTarget.Shapes;

/// <summary>
/// Lines that keep known amounts alive: a cache that only grows (small object heap blocks and large object heap
/// buffers, held by a static list), a chunked twin that allocates as much but holds one chunk at a time, and a
/// line whose objects die at once. What each keeps follows from the sizes (a byte[n] takes n + 24 bytes rounded
/// up to 8); the target records it as facts, per round run.
/// </summary>
public static class LifetimesShape
{
    private const int BlockLength = 32 * 1_024;
    private const int BlocksPerRound = 32;
    private const int BufferLength = 256 * 1_024;
    private const int BuffersPerRound = 2;

    private static readonly List<byte[]> s_blocks = [];
    private static readonly List<byte[]> s_buffers = [];

    public static void Run(int rounds)
    {
        int blocksBefore = s_blocks.Count, buffersBefore = s_buffers.Count;
        for (var round = 0; round < rounds; round++)
        {
            Sink.Keep(CacheAll(round));
            Sink.Keep(CacheChunked(round));
        }

        Truth.Fact("lifetimes.blocks.kept", (s_blocks.Count - blocksBefore) * ArrayBytes(BlockLength));
        Truth.Fact("lifetimes.buffers.kept", (s_buffers.Count - buffersBefore) * ArrayBytes(BufferLength));
        Truth.Fact("lifetimes.chunk", BlocksPerRound * ArrayBytes(BlockLength));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int CacheAll(int round)
    {
        for (var i = 0; i < BlocksPerRound; i++)
        {
            s_blocks.Add(new byte[BlockLength]);
        }

        for (var i = 0; i < BuffersPerRound; i++)
        {
            s_buffers.Add(new byte[BufferLength]);
        }

        var scratch = new byte[BlockLength * 4];
        Sink.Keep(scratch);
        return scratch.Length + round;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int CacheChunked(int round)
    {
        var chunk = new List<byte[]>(BlocksPerRound);
        for (var i = 0; i < BlocksPerRound; i++)
        {
            chunk.Add(new byte[BlockLength]);
        }

        return chunk.Count + round;
    }

    private static long ArrayBytes(int length) => (length + 24 + 7) / 8 * 8;
}
