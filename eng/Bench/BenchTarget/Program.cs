using System.Diagnostics;
using System.Globalization;
using BenchTarget;

// Usage: BenchTarget [--rate <bytes/s in all, 0 = unpaced>] [--threads N=1] [--ticks] [--progress]
// Prints "ready: pid N" once the workers run, then runs until killed. With --ticks it prints every
// 0.25 s one line
//   tick <seconds since the epoch> <process CPU seconds> <allocated bytes>
// from which eng/bench.sh cuts its own windows (part 1 attaches and detaches the profilers in turn
// while one target runs); with --progress it prints the rate every 5 s.
CultureInfo inv = CultureInfo.InvariantCulture;
double rate = 0;
int threads = 1;
bool ticks = false;
bool progress = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rate": rate = double.Parse(args[++i], inv); break;
        case "--threads": threads = int.Parse(args[++i], inv); break;
        case "--ticks": ticks = true; break;
        case "--progress": progress = true; break;
        default:
            Console.Error.WriteLine($"BenchTarget: unknown argument {args[i]}");
            return 2;
    }
}

double perThread = rate / threads;
for (int t = 0; t < threads; t++)
{
    int seed = t;
    var worker = new Thread(() => Worker.Run(perThread, seed)) { IsBackground = true, Name = $"bench-{t}" };
    worker.Start();
}

Console.WriteLine($"ready: pid {Environment.ProcessId}, {threads} thread(s), rate {(rate > 0 ? rate.ToString("N0", inv) + " B/s" : "unpaced")}");

// CPU time is the whole process's: every thread (the workers, the GC, and whatever the runtime does
// for an EventPipe session), read with CLOCK_PROCESS_CPUTIME_ID, the precise form of utime+stime,
// which /proc gives only in 10 ms ticks. Allocated bytes are the runtime's own count.
var clock = Stopwatch.StartNew();
long first = GC.GetTotalAllocatedBytes(precise: true);
for (long tick = 1; ; tick++)
{
    Thread.Sleep(ticks ? 250 : 5000);
    if (ticks)
    {
        double epoch = (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;
        Console.WriteLine(string.Create(inv, $"tick {epoch:F4} {ProcessCpu.Seconds():F6} {GC.GetTotalAllocatedBytes(precise: true)}"));
    }

    if (progress && (!ticks || tick % 20 == 0))
    {
        double total = GC.GetTotalAllocatedBytes(precise: true) - first;
        Console.WriteLine(string.Create(inv, $"rate: {total / clock.Elapsed.TotalSeconds / 1e9:F3} GB/s ({total / 1e9:F1} GB in {clock.Elapsed.TotalSeconds:F0} s)"));
    }
}

internal static class Worker
{
    /// <summary>Serves requests forever; paced so this thread allocates <paramref name="bytesPerSecond"/> (0: unpaced).</summary>
    public static void Run(double bytesPerSecond, int seed)
    {
        var clock = Stopwatch.StartNew();
        long start = GC.GetAllocatedBytesForCurrentThread();
        long id = seed * 1_000_000_007L;
        int sink = 0;
        while (true)
        {
            sink ^= Server.Serve(id++);
            if (bytesPerSecond > 0)
            {
                double ahead = (GC.GetAllocatedBytesForCurrentThread() - start) / bytesPerSecond - clock.Elapsed.TotalSeconds;
                if (ahead > 0.002)
                {
                    Thread.Sleep(TimeSpan.FromSeconds(ahead));
                }
            }

            if (sink == int.MinValue)
            {
                Console.WriteLine(sink);
            }
        }
    }
}

internal static partial class ProcessCpu
{
    private const int ClockProcessCpuTimeId = 2; // CLOCK_PROCESS_CPUTIME_ID on Linux

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec value);

    /// <summary>CPU time of every thread of this process so far, in seconds (nanosecond resolution).</summary>
    public static double Seconds()
    {
        if (ClockGetTime(ClockProcessCpuTimeId, out TimeSpec value) != 0)
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime.TotalSeconds;
        }

        return value.Seconds + value.Nanoseconds / 1e9;
    }
}
