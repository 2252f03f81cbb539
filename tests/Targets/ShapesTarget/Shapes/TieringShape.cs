using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ShapesTarget.Shapes;

/// <summary>
/// Methods whose code changes while they run. <see cref="Hot"/> has no loop and is called thousands
/// of times: its first calls run tier-0 code, later ones (instrumented and) tier-1 code.
/// <see cref="LongLoop"/> is called once and loops: it starts in tier-0 code and moves to an
/// on-stack-replacement body in the middle of its loop. The versions compiled are counted from the
/// runtime's own events and written as facts ("versions.Hot", "versions.LongLoop").
/// </summary>
public static class TieringShape
{
    // The runtime promotes a method after 30 counted calls, so the first 29 certainly run tier-0 code.
    private const int Tier0Calls = 29;
    private const int FinalTier = 4; // MethodFlags tier code of optimized tier-1 code
    private static readonly TimeSpan VersionWait = TimeSpan.FromSeconds(10);

    public static void Run(int rounds)
    {
        using var listener = new CodeVersionListener(nameof(Hot), nameof(LongLoop));

        // Almost half of Hot's bytes in certainly tier-0 calls: 29 calls of rounds/16 MiB per line
        // (116 MiB at 64 rounds, against 128 MiB in the tier-1 calls below).
        var tier0Length = Math.Max(rounds * Blocks.MiB / 16, 1_024);
        for (var call = 0; call < Tier0Calls; call++)
        {
            Sink.Keep(Hot(tier0Length));
        }

        // Then small calls, pausing now and then so the background compiler gets a core, until the
        // tier-1 body is in (instrumented tier-0 code comes between); then rounds * 32 calls of 192 KiB.
        var clock = Stopwatch.StartNew();
        for (var call = 1; !listener.TiersOf(nameof(Hot)).Contains(FinalTier) && clock.Elapsed < VersionWait; call++)
        {
            Sink.Keep(Hot(1_024));
            if (call % 16 == 0)
            {
                Thread.Sleep(1);
            }
        }

        for (var call = 0; call < rounds * 32; call++)
        {
            Sink.Keep(Hot(64 * 1_024));
        }

        Sink.Keep(LongLoop(rounds * 512));

        clock.Restart();
        while (listener.VersionsOf(nameof(LongLoop)) < 2 && clock.Elapsed < VersionWait)
        {
            Thread.Sleep(10);
        }

        Truth.Fact("versions." + nameof(Hot), listener.VersionsOf(nameof(Hot)));
        Truth.Fact("versions." + nameof(LongLoop), listener.VersionsOf(nameof(LongLoop)));
        Console.Error.WriteLine($"code versions (tier codes): Hot [{string.Join(",", listener.TiersOf(nameof(Hot)))}], LongLoop [{string.Join(",", listener.TiersOf(nameof(LongLoop)))}]");
    }

    /// <summary>
    /// No loop, so no on-stack replacement: only call counting moves it to tier 1. Never inlined:
    /// the driver's loop gets an optimized (OSR) body that would otherwise absorb it and stop its calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long Hot(int length)
    {
        var mark = Truth.Mark();
        var block = new byte[length];
        Truth.Record(mark);
        Sink.Keep(block);
        mark = Truth.Mark();
        var blocks = Blocks.Make(length / 1_024, 1_000);
        Truth.Record(mark);
        mark = Truth.Mark();
        var text = new string('h', length / 2);
        Truth.Record(mark);
        Sink.Keep(text);
        return block.Length + blocks.Length + text.Length;
    }

    /// <summary>
    /// Called once; its loop starts in tier-0 code and continues in an OSR body (the runtime
    /// switches after about 10,000 iterations; the default 64 rounds make 32,768).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long LongLoop(int iterations)
    {
        long sum = 0;
        for (var i = 0; i < iterations; i++)
        {
            var mark = Truth.Mark();
            var block = new byte[8 * 1_024];
            Truth.Record(mark);
            Sink.Keep(block);
            mark = Truth.Mark();
            var blocks = Blocks.Make(2, 4_000);
            Truth.Record(mark);
            sum += block.Length + blocks.Length;
        }

        return sum;
    }
}
