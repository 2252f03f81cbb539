using System.Runtime.InteropServices;

namespace DotnetMemLine.Cli;

/// <summary>
/// Turns Ctrl+C and SIGTERM into a cancellation token, so a recording stops cleanly: the session is
/// ended, the runtime writes its rundown and the trace stays valid. A second Ctrl+C exits at once.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration? _sigterm;
    private int _presses;

    public StopSignal()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        if (!OperatingSystem.IsWindows())
        {
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                Request();
            });
        }
    }

    public CancellationToken Token => _stop.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigterm?.Dispose();
        _stop.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        // First press: stop gracefully. Second press: let the runtime terminate us.
        e.Cancel = Interlocked.Increment(ref _presses) == 1;
        Request();
    }

    private void Request()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
