using System.Diagnostics;
using System.Globalization;

// Usage: SoakTarget [threads=2] [GB/s in all=2, 0 for unpaced] [seconds=0: until killed]
// Prints "ready" once the threads run, then the measured allocation rate every 5 s.
CultureInfo inv = CultureInfo.InvariantCulture;
int threads = args.Length > 0 ? int.Parse(args[0], inv) : 2;
double gigabytesPerSecond = args.Length > 1 ? double.Parse(args[1], inv) : 2;
double seconds = args.Length > 2 ? double.Parse(args[2], inv) : 0;
using var stop = new CancellationTokenSource();
if (seconds > 0)
{
    stop.CancelAfter(TimeSpan.FromSeconds(seconds));
}

double perThread = gigabytesPerSecond * 1e9 / threads;
var workers = Enumerable.Range(0, threads)
    .Select(_ => new Thread(() => SoakTarget.Churn.AllocateShortLived(perThread, stop.Token)) { IsBackground = true })
    .ToList();
workers.ForEach(w => w.Start());
Console.WriteLine($"ready: pid {Environment.ProcessId}, {threads} allocating threads");

// The runtime's own count of allocated bytes, so the rate is measured, not the pacing's target.
var clock = Stopwatch.StartNew();
long firstBytes = GC.GetTotalAllocatedBytes(precise: true);
while (!stop.IsCancellationRequested)
{
    stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(5));
    double total = GC.GetTotalAllocatedBytes(precise: true) - firstBytes;
    Console.WriteLine(string.Create(inv, $"rate: {total / clock.Elapsed.TotalSeconds / 1e9:F2} GB/s ({total / 1e9:F1} GB in {clock.Elapsed.TotalSeconds:F0} s)"));
}

workers.ForEach(w => w.Join());
