using System.Globalization;

namespace DotnetMemLine.Decoding;

/// <summary>
/// Progress of a TraceEvent pass over a trace file, which TraceEvent opens and reads itself (its
/// stream is not reachable): the bytes this process has read, from the <c>rchar</c> line of
/// /proc/self/io, polled a few times per second while the pass runs. Linux only; elsewhere the
/// step reports no byte count and is shown with its elapsed time.
/// </summary>
internal sealed class ReadBytesProbe : IDisposable
{
    private const string IoPath = "/proc/self/io";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly Timer? _timer;

    private ReadBytesProbe(IProgress<AnalysisProgress> progress, AnalysisStep step, long total)
    {
        long? start = CurrentReadBytes();
        progress.Report(new AnalysisProgress(step, start is null ? -1 : 0, total));
        _timer = new Timer(
            _ =>
            {
                // Other reads (an assembly, a PDB) count too, so the figure is capped below the total.
                long done = CurrentReadBytes() is long now && start is long first ? Math.Min(now - first, total * 99 / 100) : -1;
                progress.Report(new AnalysisProgress(step, done, total));
            },
            null,
            PollInterval,
            PollInterval);
    }

    /// <summary>Reports <paramref name="step"/>'s progress until disposed; null progress does nothing.</summary>
    public static ReadBytesProbe? Start(IProgress<AnalysisProgress>? progress, AnalysisStep step, long traceBytes) =>
        progress is null ? null : new ReadBytesProbe(progress, step, traceBytes);

    public void Dispose()
    {
        // Waits for a running callback, so no report arrives after the step has ended.
        using var done = new ManualResetEvent(false);
        if (_timer!.Dispose(done))
        {
            done.WaitOne();
        }
    }

    /// <summary>The <c>rchar</c> value of a /proc/pid/io text: bytes read through read() and friends.</summary>
    internal static long? ParseReadBytes(string procIo)
    {
        foreach (string line in procIo.Split('\n'))
        {
            if (line.StartsWith("rchar:", StringComparison.Ordinal)
                && long.TryParse(line.AsSpan("rchar:".Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                return value;
            }
        }

        return null;
    }

    private static long? CurrentReadBytes()
    {
        try
        {
            return OperatingSystem.IsLinux() ? ParseReadBytes(File.ReadAllText(IoPath)) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
