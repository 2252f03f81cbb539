using System.Diagnostics;
using System.Globalization;
using BenchTarget;

// Usage: BenchTarget [--rate <bytes/s in all, 0 = unpaced>] [--threads N=1] [--warmup s=2]
//                    [--start-file <path>] [--window s=0] [--progress]
// Prints "ready: pid N" once the workers run. With --window > 0: after the warm-up (and, with
// --start-file, once that file exists) measures for --window seconds, prints one line
//   bench-result {"rateTarget":...,"wallSeconds":...,"allocatedBytes":...,"cpuSeconds":...,...}
// and exits. With --window 0 it runs until killed (printing the rate every 5 s with --progress).
CultureInfo inv = CultureInfo.InvariantCulture;
double rate = 0;
int threads = 1;
double warmup = 2;
double window = 0;
string? startFile = null;
bool progress = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rate": rate = double.Parse(args[++i], inv); break;
        case "--threads": threads = int.Parse(args[++i], inv); break;
        case "--warmup": warmup = double.Parse(args[++i], inv); break;
        case "--window": window = double.Parse(args[++i], inv); break;
        case "--start-file": startFile = args[++i]; break;
        case "--progress": progress = true; break;
        default:
            Console.Error.WriteLine($"BenchTarget: unknown argument {args[i]}");
            return 2;
    }
}

long[] requests = new long[threads * 16]; // one counter per thread, 128 bytes apart
double perThread = rate / threads;
for (int t = 0; t < threads; t++)
{
    int index = t * 16;
    var worker = new Thread(() => Worker.Run(perThread, ref requests[index], index)) { IsBackground = true, Name = $"bench-{t}" };
    worker.Start();
}

Console.WriteLine($"ready: pid {Environment.ProcessId}, {threads} thread(s), rate {(rate > 0 ? rate.ToString("N0", inv) + " B/s" : "unpaced")}");
Thread.Sleep(TimeSpan.FromSeconds(warmup));
if (startFile is not null)
{
    while (!File.Exists(startFile))
    {
        Thread.Sleep(20);
    }
}

if (window <= 0)
{
    var clock = Stopwatch.StartNew();
    long first = GC.GetTotalAllocatedBytes(precise: true);
    while (true)
    {
        Thread.Sleep(5000);
        if (progress)
        {
            double total = GC.GetTotalAllocatedBytes(precise: true) - first;
            Console.WriteLine(string.Create(inv, $"rate: {total / clock.Elapsed.TotalSeconds / 1e9:F3} GB/s ({total / 1e9:F1} GB in {clock.Elapsed.TotalSeconds:F0} s)"));
        }
    }
}

// The window: wall time, the whole process's CPU time (every thread: the workers, the GC, and
// whatever the runtime does for an EventPipe session; CLOCK_PROCESS_CPUTIME_ID, the precise form of
// utime+stime, which /proc gives only in 10 ms ticks), and the runtime's own count of allocated bytes.
var measure = Snapshot.Take(requests);
Thread.Sleep(TimeSpan.FromSeconds(window));
var end = Snapshot.Take(requests);
double wall = end.Wall - measure.Wall;
double cpu = end.Cpu - measure.Cpu;
long allocated = end.Allocated - measure.Allocated;
Console.WriteLine(string.Create(inv,
    $"bench-result {{\"rateTarget\":{rate:F0},\"threads\":{threads},\"wallSeconds\":{wall:F4},\"allocatedBytes\":{allocated},\"cpuSeconds\":{cpu:F4},\"requests\":{end.Requests - measure.Requests},\"gen0\":{end.Gen0 - measure.Gen0},\"gen1\":{end.Gen1 - measure.Gen1},\"gen2\":{end.Gen2 - measure.Gen2},\"gbPerSecond\":{allocated / wall / 1e9:F4},\"cpuSecondsPerGB\":{cpu / (allocated / 1e9):F5}}}"));
Console.Out.Flush();
return 0;

internal readonly record struct Snapshot(double Wall, double Cpu, long Allocated, long Requests, int Gen0, int Gen1, int Gen2)
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static Snapshot Take(long[] requests)
    {
        long done = 0;
        for (int i = 0; i < requests.Length; i += 16)
        {
            done += Volatile.Read(ref requests[i]);
        }

        return new Snapshot(Clock.Elapsed.TotalSeconds, ProcessCpu.Seconds(), GC.GetTotalAllocatedBytes(precise: true), done,
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
    }
}

internal static class Worker
{
    /// <summary>Serves requests forever; paced so this thread allocates <paramref name="bytesPerSecond"/> (0: unpaced).</summary>
    public static void Run(double bytesPerSecond, ref long requests, int seed)
    {
        var clock = Stopwatch.StartNew();
        long start = GC.GetAllocatedBytesForCurrentThread();
        long id = seed * 1_000_000_007L;
        int sink = 0;
        while (true)
        {
            sink ^= Server.Serve(id++);
            Volatile.Write(ref requests, requests + 1);
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
