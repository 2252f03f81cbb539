using Microsoft.Diagnostics.NETCore.Client;

namespace DotnetMemLine.Collection;

/// <summary>Why a recording ended; shown in the report.</summary>
public enum RecordingEnd
{
    DurationElapsed,
    StoppedByUser,
    TargetExited,
}

/// <summary>What a finished recording produced.</summary>
public sealed record RecordingResult(string TracePath, long TraceBytes, RecordingEnd EndedBy, TimeSpan Elapsed);

/// <summary>
/// Streams one EventPipe session into a .nettrace file until the duration elapses, the user stops
/// it, or the target exits. Stopping asks the runtime to end the session, which makes it write the
/// rundown (the description of code compiled before the session) before the stream closes.
/// </summary>
public static class TraceRecorder
{
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(30);

    /// <param name="client">A connected diagnostics client for the target.</param>
    /// <param name="output">An open, writable file; the trace is written into it.</param>
    /// <param name="duration">Stop after this long; null records until stopped or the target exits.</param>
    /// <param name="sessionStarted">Called once the session is live (e.g. to resume a suspended target).</param>
    /// <param name="stop">Signals the user's stop request (Ctrl+C).</param>
    public static async Task<RecordingResult> RecordAsync(
        DiagnosticsClient client,
        FileStream output,
        EventPipeSessionConfiguration configuration,
        TimeSpan? duration,
        Action sessionStarted,
        CancellationToken stop)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using EventPipeSession session = await client.StartEventPipeSessionAsync(configuration, CancellationToken.None).ConfigureAwait(false);
        sessionStarted();

        Task copy = CopyUntilEndAsync(session.EventStream, output);
        Task stopRequested = Task.Delay(duration ?? Timeout.InfiniteTimeSpan, stop);
        Task first = await Task.WhenAny(copy, stopRequested).ConfigureAwait(false);

        RecordingEnd end = RecordingEnd.TargetExited;
        if (first != copy)
        {
            end = stop.IsCancellationRequested ? RecordingEnd.StoppedByUser : RecordingEnd.DurationElapsed;
            if (!await TryStopSessionAsync(session).ConfigureAwait(false))
            {
                end = RecordingEnd.TargetExited; // it exited while we were stopping
            }

            await Task.WhenAny(copy, Task.Delay(StopGracePeriod, CancellationToken.None)).ConfigureAwait(false);
        }

        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return new RecordingResult(output.Name, output.Length, end, clock.Elapsed);
    }

    private static async Task CopyUntilEndAsync(Stream events, FileStream output)
    {
        try
        {
            await events.CopyToAsync(output, 1 << 16).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The target died mid-write; everything up to here is already in the file.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static async Task<bool> TryStopSessionAsync(EventPipeSession session)
    {
        try
        {
            await Task.Run(session.Stop).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or IOException or EndOfStreamException or TimeoutException)
        {
            return false;
        }
    }
}
