using System.Runtime.InteropServices;

namespace DotnetMemLine.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT) and SIGTERM into cancellation tokens. The first signal stops a recording
/// cleanly (<see cref="Token"/>): the session is ended, the runtime writes its rundown and the trace
/// stays valid. A second signal aborts (<see cref="AbortToken"/>): nothing more is waited for, the
/// trace written so far is kept and the command exits with <see cref="ExitCode.Aborted"/>.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly PosixSignalRegistration? _sigint;
    private readonly PosixSignalRegistration? _sigterm;
    private int _signals;

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

    /// <summary>The second one: stop now.</summary>
    public CancellationToken AbortToken => _abort.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigint?.Dispose();
        _sigterm?.Dispose();
        _stop.Dispose();
        _abort.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // we exit on our own terms, with the trace flushed
        Request();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        Request();
    }

    private void Request()
    {
        try
        {
            if (Interlocked.Increment(ref _signals) == 1)
            {
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
