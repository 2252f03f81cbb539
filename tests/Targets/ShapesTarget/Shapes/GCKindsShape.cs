using System.Runtime;
using System.Runtime.CompilerServices;

namespace ShapesTarget.Shapes;

/// <summary>
/// Lines that keep known amounts alive through the GCs the lifetime tracking must survive: blocks promoted to
/// generation 2 by induced GCs of each generation (held by a static list that grows on the checked line),
/// blocks of which part is freed before a compacting generation-1 GC and part before a compacting generation-2
/// GC (the survivors move), large object heap buffers of which every other one is freed before a compacting
/// full GC (<see cref="GCLargeObjectHeapCompactionMode.CompactOnce"/>), blocks allocated while background GCs
/// run on another thread (and one more right after), and a static list of numbers that grows (only its last
/// backing array stays). Every GC is induced by <see cref="Run"/>, between the calls of the checked methods,
/// whose lines are plain statements. What each line keeps follows from the sizes (a byte[n] takes n + 24 bytes
/// rounded up to 8, a long[n] or a byte[][n] 8n + 24); the target records it as facts. A full blocking GC ends
/// the run, so a profiler that launched the process sees every object judged.
/// </summary>
/// <remarks>
/// The blocks are just under the large object heap's threshold, which makes a sampled estimate of what they keep
/// as precise as small objects allow; the large buffers are sampled almost surely. A background GC needs
/// concurrent GC, which this target turns off in its project file: run the shape with DOTNET_gcConcurrent=1 (the
/// "gckinds.concurrent" fact says whether it was on).
/// </remarks>
public static class GCKindsShape
{
    private const int BlockLength = 80_000;
    private const int BlocksPerRound = 21;
    private const int GapLength = 16_000;
    private const int BufferLength = 1_024 * 1_024;
    private const int BuffersPerRound = 2;
    private const int ValuesPerRound = 65_536;

    private static List<byte[]> s_old = [];
    private static byte[]?[] s_moving = [];
    private static byte[]?[] s_gaps = [];
    private static byte[]?[] s_large = [];
    private static byte[][] s_background = [];
    private static List<long> s_values = [];
    private static volatile bool s_stopBackgroundGCs;

    public static void Run(int rounds)
    {
        int blocks = rounds * BlocksPerRound;

        // 1. Promoted to generation 2: the list grows on the checked line; induced GCs of each generation follow.
        s_old = [];
        KeepOld(blocks);
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);

        // 2. Compacting GCs after freeing part of what a line kept: the gaps go first, then a quarter of the blocks
        // before a compacting generation-1 GC, another quarter before a compacting generation-2 GC.
        s_moving = new byte[2 * blocks][];
        s_gaps = new byte[2 * blocks][];
        KeepAndLeaveGaps(2 * blocks);
        Array.Clear(s_gaps);
        Free(s_moving, 4, 1);
        GC.Collect(1, GCCollectionMode.Forced, blocking: true, compacting: true);
        Free(s_moving, 4, 3);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        // ... and the large object heap compacted once after freeing every other buffer.
        s_large = new byte[rounds * BuffersPerRound][];
        KeepLarge(s_large.Length);
        Free(s_large, 2, 1);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        // 3. Background GCs, one after another on another thread while the line allocates, and one right after.
        s_background = new byte[blocks][];
        long backgroundGCsBefore = GC.GetGCMemoryInfo(GCKind.Background).Index;
        s_stopBackgroundGCs = false;
        var inducer = new Thread(InduceBackgroundGCs) { IsBackground = true, Name = "background GCs" };
        inducer.Start();
        KeepDuringBackgroundGCs(blocks);
        s_stopBackgroundGCs = true;
        inducer.Join();
        InduceBackgroundGC();
        long backgroundGCs = GC.GetGCMemoryInfo(GCKind.Background).Index - backgroundGCsBefore;

        // 4. A static list of numbers that grows: each growth replaces its backing array, the last one stays.
        s_values = [];
        Grow(rounds * ValuesPerRound);

        GC.Collect(2, GCCollectionMode.Forced, blocking: true);

        Truth.Fact("gckinds.old.kept", (s_old.Count * ArrayBytes(BlockLength)) + WordArrayBytes(s_old.Capacity));
        Truth.Fact("gckinds.moving.kept", s_moving.Count(b => b is not null) * ArrayBytes(BlockLength));
        Truth.Fact("gckinds.gaps.kept", 0);
        Truth.Fact("gckinds.large.kept", s_large.Count(b => b is not null) * ArrayBytes(BufferLength));
        Truth.Fact("gckinds.background.kept", s_background.Length * ArrayBytes(BlockLength));
        Truth.Fact("gckinds.values.kept", WordArrayBytes(s_values.Capacity));
        Truth.Fact("gckinds.background.gcs", backgroundGCs);
        Truth.Fact("gckinds.concurrent", GCSettings.LatencyMode == GCLatencyMode.Interactive ? 1 : 0);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int KeepOld(int count)
    {
        for (var i = 0; i < count; i++)
        {
            s_old.Add(new byte[BlockLength]);
        }

        return s_old.Count;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int KeepAndLeaveGaps(int count)
    {
        for (var i = 0; i < count; i++)
        {
            s_moving[i] = new byte[BlockLength];
            s_gaps[i] = new byte[GapLength];
        }

        return count;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int KeepLarge(int count)
    {
        for (var i = 0; i < count; i++)
        {
            s_large[i] = new byte[BufferLength];
        }

        return count;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int KeepDuringBackgroundGCs(int count)
    {
        for (var i = 0; i < count; i++)
        {
            s_background[i] = new byte[BlockLength];
        }

        return count;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Grow(int count)
    {
        for (var i = 0; i < count; i++)
        {
            s_values.Add(i);
        }

        return s_values.Count;
    }

    private static void Free(byte[]?[] objects, int every, int at)
    {
        for (var i = at; i < objects.Length; i += every)
        {
            objects[i] = null;
        }
    }

    private static void InduceBackgroundGCs()
    {
        while (!s_stopBackgroundGCs)
        {
            InduceBackgroundGC();
        }
    }

    /// <summary>Starts a background GC (a blocking one when concurrent GC is off) and waits until it ended.</summary>
    private static void InduceBackgroundGC()
    {
        long before = GC.GetGCMemoryInfo(GCKind.Background).Index;
        GC.Collect(2, GCCollectionMode.Forced, blocking: false);
        for (var waited = 0; waited < 1_000 && GC.GetGCMemoryInfo(GCKind.Background).Index == before && GCSettings.LatencyMode == GCLatencyMode.Interactive; waited++)
        {
            Thread.Sleep(1);
        }
    }

    private static long ArrayBytes(int length) => (length + 24 + 7) / 8 * 8;

    private static long WordArrayBytes(int length) => (8L * length) + 24;
}
