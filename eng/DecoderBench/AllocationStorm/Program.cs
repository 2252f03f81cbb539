using System.Diagnostics;
using System.Runtime.CompilerServices;

// Usage: AllocationStorm <seconds>. Allocates until the time is up on two threads, then exits.
double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10;
var clock = Stopwatch.StartNew();
Thread[] workers = [.. Enumerable.Range(0, 2).Select(i => new Thread(() => Storm.Run(clock, seconds, i)))];
foreach (Thread worker in workers)
{
    worker.Start();
}

foreach (Thread worker in workers)
{
    worker.Join();
}

Console.WriteLine($"allocated {GC.GetTotalAllocatedBytes() / (1 << 20):N0} MiB in {clock.Elapsed.TotalSeconds:F1} s");

internal static class Storm
{
    private static object? s_last;

    public static void Run(Stopwatch clock, double seconds, int seed)
    {
        var random = new Random(seed);
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 1000; i++)
            {
                Outer(random.Next(4));
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Outer(int kind)
    {
        switch (kind)
        {
            case 0:
                Keep(new byte[1024]);
                break;
            case 1:
                Keep(new int[2048]);
                break;
            case 2:
                Middle(kind);
                break;
            default:
                Keep(new string('x', 600));
                break;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Middle(int kind) => Inner(kind * 1000);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Inner(int length) => Keep(new List<long>(length));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Keep(object value) => s_last = value;
}
