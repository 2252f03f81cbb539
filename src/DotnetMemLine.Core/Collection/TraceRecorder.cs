using DotnetMemLine.Reporting;
using Microsoft.Diagnostics.NETCore.Client;

namespace DotnetMemLine.Collection;

/// <summary>Why a recording ended; shown in the report.</summary>
public enum RecordingEnd
{
    /// <summary>The requested duration elapsed.</summary>
    DurationElapsed,
    /// <summary>The user stopped it (Ctrl+C, SIGTERM).</summary>
    StoppedByUser,
    /// <summary>The target exited, which ended the session.</summary>
    TargetExited,

    /// <summary>A second Ctrl+C: the recorder stopped waiting for the session's end and kept what it had.</summary>
    Aborted,

    /// <summary>The trace file could not be written (disk full, I/O error); the session was stopped.</summary>
    OutputFailed,
}

/// <summary>What a finished recording produced.</summary>
/// <param name="TraceBytes">Bytes of the trace written to the file.</param>
/// <param name="OutputError">Why writing the trace failed, for <see cref="RecordingEnd.OutputFailed"/>.</param>
/// <param name="Elapsed">How long the recording ran.</param>
/// <param name="EndedBy">What ended the recording.</param>
/// <param name="TracePath">The trace file's full path.</param>
public sealed record RecordingResult(string TracePath, long TraceBytes, RecordingEnd EndedBy, TimeSpan Elapsed, string? OutputError = null)
{
    /// <summary>How the session buffered its events: lossless only when asked for and the target's runtime took it.</summary>
    public SessionBuffering Buffering { get; init; } = SessionBuffering.Lossy;
}

/// <summary>
/// Streams one EventPipe session into a .nettrace file until the duration elapses, the user stops
/// it, or the target exits. Stopping asks the runtime to end the session, which makes it write the
/// rundown (the description of code compiled before the session) before the stream closes.
/// </summary>
public static class TraceRecorder
{
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(30);

    private enum CopyEnd
    {
        StreamEnded,
        Aborted,
        WriteFailed,
    }

    /// <param name="client">A connected diagnostics client for the target.</param>
    /// <param name="output">An open, writable stream (the trace file); the trace is written into it.</param>
    /// <param name="outputPath">The trace file's path, for the result.</param>
    /// <param name="duration">Stop after this long; null records until stopped or the target exits.</param>
    /// <param name="sessionStarted">Called once the session is live (e.g. to resume a suspended target), with how it buffers its events.</param>
    /// <param name="stop">Signals the user's stop request (Ctrl+C): stop the session and wait for its rundown.</param>
    /// <param name="abort">Signals a second Ctrl+C: stop waiting and keep what was written (the file may end inside a block).</param>
    /// <param name="configuration">The providers, keywords and buffer size of the session.</param>
    /// <param name="gcEvery">
    /// Make the target run a full GC this often while recording (<c>--gc-every</c>): what each line holds is then seen at
    /// least that often, however large the GC's own budgets have grown; null leaves GCs to the runtime.
    /// </param>
    public static async Task<RecordingResult> RecordAsync(
        DiagnosticsClient client,
        Stream output,
        string outputPath,
        EventPipeSessionConfiguration configuration,
        TimeSpan? duration,
        Action<SessionStart> sessionStarted,
        CancellationToken stop,
        CancellationToken abort,
        TimeSpan? gcEvery = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (EventPipeSession started, SessionStart start) = await StartSessionAsync(client, configuration).ConfigureAwait(false);
        using EventPipeSession session = started;
        sessionStarted(start);

        var copier = new Copier(session.EventStream, output);
        using var stopCopying = CancellationTokenSource.CreateLinkedTokenSource(abort);
        Task<CopyEnd> copy = copier.CopyAsync(stopCopying.Token);
        Task stopRequested = Task.Delay(duration ?? Timeout.InfiniteTimeSpan, stop);
        using var stopInducing = new CancellationTokenSource();
        Task inducing = gcEvery is { } every ? InduceEveryAsync(client, every, stopInducing.Token) : Task.CompletedTask;
        Task first = await Task.WhenAny(copy, stopRequested).ConfigureAwait(false);
        stopInducing.Cancel();
        await inducing.ConfigureAwait(false);

        RecordingEnd end = RecordingEnd.TargetExited;
        if (first != copy)
        {
            end = stop.IsCancellationRequested ? RecordingEnd.StoppedByUser : RecordingEnd.DurationElapsed;
            if (configuration.Providers.Any(p => p.Name == AllocationProviders.RuntimeProvider && (p.Keywords & AllocationProviders.SurvivalKeyword) != 0))
            {
                // One full GC while the session still records: what is alive at the end is then known, not guessed.
                await InducedGC.InduceAsync(client).ConfigureAwait(false);
            }

            Task<bool> stopping = TryStopSessionAsync(session);
            await Task.WhenAny(stopping, copy, Task.Delay(StopGracePeriod, CancellationToken.None)).ConfigureAwait(false);
            if (stopping.IsCompleted && !await stopping.ConfigureAwait(false))
            {
                end = RecordingEnd.TargetExited; // it exited while we were stopping
            }

            // The rundown follows the stop request; a second Ctrl+C cancels the copy (abort).
            await Task.WhenAny(copy, Task.Delay(StopGracePeriod, CancellationToken.None)).ConfigureAwait(false);
        }

        // A runtime that never ended the stream within the grace period: keep what came (the file
        // is closed after its last complete block), and never write the file from two places.
        stopCopying.Cancel();
        CopyEnd copyEnd = await copy.ConfigureAwait(false);
        string? outputError = copier.WriteError?.Message;
        if (copyEnd == CopyEnd.WriteFailed)
        {
            // Detach: the target must not keep a session nobody reads. The rest of the stream
            // (the rundown the stop request triggers) is read and dropped so the stop can finish.
            end = RecordingEnd.OutputFailed;
            _ = DrainAsync(session.EventStream);
            await Task.WhenAny(TryStopSessionAsync(session), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false);
        }
        else if (copyEnd == CopyEnd.Aborted && abort.IsCancellationRequested)
        {
            end = RecordingEnd.Aborted;
        }

        try
        {
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // The last buffered bytes did not fit (disk full): what reached the disk stays.
            end = end == RecordingEnd.Aborted ? end : RecordingEnd.OutputFailed;
            outputError ??= ex.Message;
        }

        long written = File.Exists(outputPath) ? new FileInfo(outputPath).Length : copier.BytesWritten;
        return new RecordingResult(outputPath, written, end, clock.Elapsed, end == RecordingEnd.OutputFailed ? outputError : null) { Buffering = start.Buffering };
    }

    /// <summary>
    /// Starts the session. A lossless one (<see cref="EventPipeBufferingMode.Block"/>, IPC CollectTracing6) needs .NET 11:
    /// an older runtime answers that it does not know the command, and the session is then started again with the lossy
    /// buffer (dropped events are still counted), rather than failing a recording the user can still use.
    /// </summary>
    private static async Task<(EventPipeSession Session, SessionStart Start)> StartSessionAsync(DiagnosticsClient client, EventPipeSessionConfiguration configuration)
    {
        if (configuration.BufferingMode != EventPipeBufferingMode.Block)
        {
            return (await client.StartEventPipeSessionAsync(configuration, CancellationToken.None).ConfigureAwait(false), new SessionStart(SessionBuffering.Lossy));
        }

        SessionStart fallback;
        try
        {
            return (await client.StartEventPipeSessionAsync(configuration, CancellationToken.None).ConfigureAwait(false), new SessionStart(SessionBuffering.Lossless));
        }
        catch (UnsupportedCommandException)
        {
            fallback = new SessionStart(SessionBuffering.LosslessUnsupported);
        }
        catch (ServerErrorException e)
        {
            // A runtime that knows the command but answers this request with an error: the recording the user asked for
            // can still be had with the lossy buffer, and the note says why it is not lossless.
            fallback = new SessionStart(SessionBuffering.LosslessRefused, e.Message);
        }

        EventPipeSessionConfiguration lossy = new(
            configuration.Providers, configuration.CircularBufferSizeInMB, configuration.RundownKeyword, configuration.RequestStackwalk, EventPipeBufferingMode.Drop);
        return (await client.StartEventPipeSessionAsync(lossy, CancellationToken.None).ConfigureAwait(false), fallback);
    }

    /// <summary>Induces a full GC every <paramref name="every"/> until stopped or the target stops answering.</summary>
    private static async Task InduceEveryAsync(DiagnosticsClient client, TimeSpan every, CancellationToken stop)
    {
        while (true)
        {
            try
            {
                await Task.Delay(every, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (!await InducedGC.InduceAsync(client, stop).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private sealed class Copier(Stream events, Stream output)
    {
        public long BytesWritten { get; private set; }

        public IOException? WriteError { get; private set; }

        /// <summary>Copies the event stream into the file; read and write failures are told apart.</summary>
        public async Task<CopyEnd> CopyAsync(CancellationToken abort)
        {
            byte[] buffer = new byte[1 << 16];
            while (true)
            {
                int read;
                try
                {
                    read = await events.ReadAsync(buffer, abort).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return CopyEnd.Aborted;
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException)
                {
                    // The target died mid-write; everything up to here is already in the file.
                    return CopyEnd.StreamEnded;
                }

                if (read == 0)
                {
                    return CopyEnd.StreamEnded;
                }

                try
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), CancellationToken.None).ConfigureAwait(false);
                    BytesWritten += read;
                }
                catch (IOException ex)
                {
                    WriteError = ex;
                    return CopyEnd.WriteFailed;
                }
            }
        }
    }

    private static async Task DrainAsync(Stream events)
    {
        byte[] buffer = new byte[1 << 16];
        try
        {
            while (await events.ReadAsync(buffer).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
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
        catch (Exception ex) when (ex is ServerNotAvailableException or IOException or EndOfStreamException or TimeoutException or ObjectDisposedException)
        {
            return false;
        }
    }
}

/// <summary>How the session started: how the runtime buffers its events, and, when lossless was refused, the runtime's answer.</summary>
public readonly record struct SessionStart(SessionBuffering Buffering, string? Refusal = null);
