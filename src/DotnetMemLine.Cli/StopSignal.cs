using System.Runtime.InteropServices;

namespace DotnetMemLine.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT) and SIGTERM into cancellation tokens. The first signal during a recording
/// stops it cleanly (<see cref="Token"/>): the session is ended, the runtime writes its rundown and
/// the trace stays valid. A second signal, or any signal once the recording is over (during the
/// analysis), aborts (<see cref="AbortToken"/>): nothing more is waited for, the trace written so far
/// is kept (closed if cut off) and the command exits with <see cref="ExitCode.Aborted"/>.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly PosixSignalRegistration? _sigint;
    private readonly PosixSignalRegistration? _sigterm;
    private int _signals;
    private volatile bool _recordingOver;

    public StopSignal()
    {
        if (OperatingSystem.IsWindows())
        {
            Console.CancelKeyPress += OnCancelKeyPress;
        }
        else
        {
            _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        }
    }

    /// <summary>The first Ctrl+C or SIGTERM: stop gracefully.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The second one, or one after <see cref="RecordingEnded"/>: stop now.</summary>
    public CancellationToken AbortToken => _abort.Token;

    /// <summary>From now on a signal aborts: there is nothing left to stop gracefully.</summary>
    public void RecordingEnded() => _recordingOver = true;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigint?.Dispose();
        _sigterm?.Dispose();
        _stop.Dispose();
        _abort.Dispose();
    }

    /// <summary>What stopped the recording, for the report: "stopped by the user" (Ctrl+C) or "stopped by SIGTERM".</summary>
    public string StopReason { get; private set; } = "stopped by the user";

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // we exit on our own terms, with the trace flushed
        Request(context.Signal == PosixSignal.SIGTERM ? "stopped by SIGTERM" : "stopped by the user");
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        Request("stopped by the user");
    }

    private void Request(string reason)
    {
        try
        {
            if (Interlocked.Increment(ref _signals) == 1 && !_recordingOver)
            {
                StopReason = reason;
                Console.Error.WriteLine("Stopping the recording: the runtime describes its code, then the analysis runs (Ctrl+C again aborts, keeping the trace)");
                _stop.Cancel();
            }
            else
            {
                _abort.Cancel();
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
