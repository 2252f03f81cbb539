using DotnetMemLine.Attribution;
using DotnetMemLine.Collection;
using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Cli;

/// <summary>
/// <c>collect --live</c>: while the recording runs, the table (or, without <c>--method</c>, the top lines) is redrawn in
/// place every few seconds, as <c>dotnet-counters monitor</c> does. Each frame analyzes what has reached the trace
/// file so far: a copy of it, closed after its last complete block (<see cref="NettraceRepair"/>), with the snapshot of
/// the code compiled before the attach standing in for the rundown the runtime writes only at the end. A frame reads
/// the whole file again, so it takes longer as the recording grows; the final table is the usual one.
/// </summary>
internal static class LiveView
{
    private const string ClearScreen = "\u001b[H\u001b[2J";

    /// <summary>Draws a frame every <paramref name="interval"/> until <paramref name="stop"/> is cancelled.</summary>
    public static async Task RunAsync(string tracePath, string target, ReportSettings settings, TimeSpan interval, CancellationToken stop)
    {
        string folder = Directory.CreateTempSubdirectory("dotnet-memline-live-").FullName;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(interval, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                string frame = Frame(tracePath, folder, settings, stop);
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                Draw(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Live: {target}, recording for {clock.Elapsed.TotalSeconds:F0} s; redrawn every {interval.TotalSeconds:0.#} s, Ctrl+C stops and prints the final table"), frame);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The report of what the trace holds so far, as the text table, or why there is none yet.</summary>
    private static string Frame(string tracePath, string folder, ReportSettings settings, CancellationToken stop)
    {
        string copy = Path.Combine(folder, "live.nettrace");
        try
        {
            File.Copy(tracePath, copy, overwrite: true);
            string snapshot = TraceFiles.RundownSnapshotPath(tracePath);
            if (File.Exists(snapshot) && !File.Exists(TraceFiles.RundownSnapshotPath(copy)))
            {
                File.Copy(snapshot, TraceFiles.RundownSnapshotPath(copy));
            }

            _ = NettraceRepair.Repair(copy);
            using IAllocationTrace trace = AllocationTraceReader.Open(copy, progress: null, stop);
            ProfileReport report = ProfileAnalyzer.Analyze(trace, settings.Analysis, stop);
            // The copy's path and its cut-off warnings are the live view's own doing, not the trace's.
            report = report with { TracePath = tracePath, Warnings = [.. report.Warnings.Where(w => w is DroppedEventsWarning)] };
            return settings.Renderer.RenderToString(report);
        }
        catch (MemLineException ex)
        {
            return $"(nothing to show yet: {ex.Message})";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or OperationCanceledException)
        {
            return $"(nothing to show yet: {ex.Message})";
        }
    }

    /// <summary>Redraws the screen: the header, then as much of the frame as the terminal holds.</summary>
    private static void Draw(string header, string frame)
    {
        int height = Math.Max(5, SafeWindowHeight() - 2);
        string[] lines = frame.Split('\n');
        var screen = new System.Text.StringBuilder(ClearScreen);
        screen.AppendLine(header).AppendLine();
        foreach (string line in lines.Take(height - 2))
        {
            screen.AppendLine(line.TrimEnd('\r'));
        }

        if (lines.Length > height - 2)
        {
            screen.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"... {lines.Length - (height - 2)} more lines (a taller window shows them)");
        }

        Console.Out.Write(screen.ToString());
        Console.Out.Flush();
    }

    private static int SafeWindowHeight()
    {
        try
        {
            return Console.WindowHeight > 0 ? Console.WindowHeight : 50;
        }
        catch (IOException)
        {
            return 50;
        }
    }
}
