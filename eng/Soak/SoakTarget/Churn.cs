using System.Diagnostics;

namespace SoakTarget;

public static class Churn
{
    // Bytes one batch of the loop below allocates: 1000 x (byte[64..304] + int[256] + long[1024]) with headers, about 9.5 MB.
    private const long BatchBytes = 1000L * ((24 + 184) + (24 + 1024) + (24 + 8192));

    // Every array is stored here (and overwritten soon after), so it escapes to the heap and dies young.
    private static readonly object[] Keep = new object[256];

    /// <summary>
    /// The method eng/soak.sh profiles: arrays of a few sizes that die young. Paced to
    /// <paramref name="bytesPerSecond"/> (0: as fast as it can, tens of GB/s on a laptop, which
    /// would make a trace of tens of MB per second).
    /// </summary>
    public static void AllocateShortLived(double bytesPerSecond, CancellationToken stop)
    {
        int slot = Environment.CurrentManagedThreadId % 8 * 32;
        var clock = Stopwatch.StartNew();
        long allocated = 0;
        while (!stop.IsCancellationRequested)
        {
            for (int i = 0; i < 1000; i++)
            {
                Keep[slot + (i & 31)] = new byte[64 + (i & 15) * 16];
                Keep[slot + ((i + 1) & 31)] = new int[256];
                Keep[slot + ((i + 2) & 31)] = new long[1024];
            }

            allocated += BatchBytes;
            if (bytesPerSecond > 0)
            {
                double ahead = allocated / bytesPerSecond - clock.Elapsed.TotalSeconds;
                if (ahead > 0.001)
                {
                    Thread.Sleep(TimeSpan.FromSeconds(ahead));
                }
            }
        }
    }
}
