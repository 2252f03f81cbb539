using System.Runtime.CompilerServices;

namespace ShapesTarget.Shapes;

/// <summary>
/// One method running on many threads at once: a Parallel.For and several long-running Tasks call
/// <see cref="Crunch"/> concurrently. Each thread measures its own allocations; the truth adds them up.
/// </summary>
public static class ThreadsShape
{
    private const int TaskCount = 4;
    private const int CallsPerRound = 8;

    public static void Run(int rounds)
    {
        // Half the calls on dedicated tasks, half in a Parallel.For running at the same time.
        var taskCalls = rounds * CallsPerRound / 2 / TaskCount;
        var tasks = new Task[TaskCount];
        for (var t = 0; t < TaskCount; t++)
        {
            tasks[t] = Task.Factory.StartNew(() => CallCrunch(Math.Max(taskCalls, 1)), TaskCreationOptions.LongRunning);
        }

        Parallel.For(0, Math.Max(rounds * CallsPerRound / 2, 1), _ => CallCrunch(1));
        Task.WaitAll(tasks);
    }

    /// <summary>Allocates 512 KiB per checked line and call: eight calls make a round's 4 MiB.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long Crunch(int seed)
    {
        var mark = Truth.Mark();
        var small = Blocks.Make(256, 2_048);
        Truth.Record(mark);
        mark = Truth.Mark();
        var large = new byte[512 * 1_024];
        Truth.Record(mark);
        large[seed % large.Length] = 1;
        Sink.Keep(large);
        mark = Truth.Mark();
        var text = Blocks.MakeStrings(8, 32 * 1_024);
        Truth.Record(mark);
        return small.Length + large.Length + text.Length;
    }

    private static void CallCrunch(int calls)
    {
        for (var call = 0; call < calls; call++)
        {
            var mark = Truth.Mark();
            var crunched = Crunch(call);
            Truth.RecordTotal(mark, nameof(Crunch));
            Sink.Keep(crunched);
        }
    }
}
