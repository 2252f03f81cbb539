using System.Diagnostics;
using System.Globalization;

namespace DotnetMemLine.Collection;

/// <summary>
/// Samples the target's resident memory (VmRSS in /proc/&lt;pid&gt;/status) every 100 ms while it is recorded, as
/// memory_profiler's <c>mprof</c> does, into a file beside the trace (<see cref="TraceFiles.ResidentMemoryPath"/>): one line per
/// sample, the monotonic clock's timestamp (the trace's own clock on Linux) and the bytes. Linux only; elsewhere, or when
/// the file cannot be written, it samples nothing and the timeline goes without.
/// </summary>
public static class ResidentMemorySampler
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Samples until <paramref name="stop"/> is cancelled or the target is gone.</summary>
    public static async Task RunAsync(int processId, string tracePath, CancellationToken stop)
    {
        if (!OperatingSystem.IsLinux() || processId <= 0 || TraceFiles.IsDevice(tracePath))
        {
            return;
        }

        string status = $"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/status";
        try
        {
            await using var file = new StreamWriter(TraceFiles.ResidentMemoryPath(tracePath), append: false);
            await file.WriteLineAsync("# timestamp (the trace's clock)\tresident bytes").ConfigureAwait(false);
            while (!stop.IsCancellationRequested && ReadResidentBytes(status) is long bytes)
            {
                await file.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{Stopwatch.GetTimestamp()}\t{bytes}")).ConfigureAwait(false);
                await file.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Interval, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The trace is what matters; the timeline goes without resident memory.
        }
    }

    /// <summary>The samples of a trace's file, each as seconds from the trace's start and bytes; empty when there is none.</summary>
    public static IReadOnlyList<(double Seconds, long Bytes)> Read(string tracePath, (long Start, long Frequency) clock)
    {
        string path = TraceFiles.ResidentMemoryPath(tracePath);
        if (clock.Frequency <= 0 || !File.Exists(path))
        {
            return [];
        }

        var samples = new List<(double, long)>();
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                string[] fields = line.Split('\t');
                if (fields.Length == 2 && long.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long timestamp)
                    && long.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long bytes) && timestamp >= clock.Start)
                {
                    samples.Add(((timestamp - clock.Start) / (double)clock.Frequency, bytes));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return samples;
    }

    private static long? ReadResidentBytes(string status)
    {
        try
        {
            foreach (string line in File.ReadLines(status))
            {
                // "VmRSS:	  123456 kB"
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)
                    && long.TryParse(line["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long kilobytes))
                {
                    return kilobytes * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
