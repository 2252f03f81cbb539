using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;

namespace DotnetMemLine.Collection;

/// <summary>
/// Starts a program suspended at its first instruction: its runtime connects to a diagnostic port we
/// listen on and waits there until we resume it, so the session sees every allocation.
/// </summary>
public sealed class TargetLauncher : IAsyncDisposable
{
    private readonly DiagnosticsClientConnector _connector;
    private readonly string _portPath;

    private TargetLauncher(Process process, DiagnosticsClientConnector connector, string portPath)
    {
        Process = process;
        _connector = connector;
        _portPath = portPath;
    }

    /// <summary>The started program.</summary>
    public Process Process { get; }

    /// <summary>The diagnostics client connected to the program's runtime, which waits to be resumed.</summary>
    public DiagnosticsClient Client => _connector.Instance;

    /// <param name="redirectStandardOutput">True to pass the program's stdout to our stderr (keeps JSON on stdout clean).</param>
    /// <param name="cancellationToken">Cancels the wait for the program's runtime to connect.</param>
    /// <param name="command">The program and its arguments.</param>
    /// <param name="exitHold">Hold the program at its exit (<see cref="ExitHold"/>); null for none.</param>
    /// <param name="environment">Variables to set for the program; null for none.</param>
    /// <param name="showOutput">False to discard the program's stdout and stderr (<c>--show-child-io false</c>).</param>
    public static async Task<TargetLauncher> StartAsync(IReadOnlyList<string> command, bool redirectStandardOutput, CancellationToken cancellationToken, ExitHold? exitHold = null,
        IReadOnlyDictionary<string, string>? environment = null, bool showOutput = true)
    {
        string portPath = Path.Combine(Path.GetTempPath(), $"dotnet-memline-{Environment.ProcessId}-{Guid.NewGuid():N}.socket");
        redirectStandardOutput |= !showOutput;
        var startInfo = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = redirectStandardOutput, RedirectStandardError = !showOutput };
        foreach (string argument in command.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach ((string variable, string value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[variable] = value;
        }

        // The runtime connects to this port at startup and suspends until ResumeRuntime. The hook takes the port out of
        // what the program's own children inherit: they would wait on it for a resume that never comes.
        startInfo.Environment["DOTNET_DiagnosticPorts"] = portPath;
        string? hooks = startInfo.Environment.TryGetValue("DOTNET_STARTUP_HOOKS", out string? existing) ? existing : null;
        foreach ((string variable, string value) in ExitHold.LaunchEnvironment(portPath, hooks).Concat(exitHold?.Environment() ?? new Dictionary<string, string>()))
        {
            startInfo.Environment[variable] = value;
        }

        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<DiagnosticsClientConnector> connecting = DiagnosticsClientConnector.FromDiagnosticPort(portPath, connectTimeout.Token);
        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new MemLineException(FailureKind.TargetFailedToStart, $"could not start {command[0]}");
        }
        catch (Win32Exception ex)
        {
            connectTimeout.Cancel();
            await IgnoreFailure(connecting).ConfigureAwait(false);
            throw new MemLineException(FailureKind.TargetFailedToStart, $"could not start {command[0]}: {ex.Message}", ex);
        }

        if (redirectStandardOutput)
        {
            _ = process.StandardOutput.BaseStream.CopyToAsync(showOutput ? Console.OpenStandardError() : Stream.Null, CancellationToken.None);
        }

        if (!showOutput)
        {
            _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
        }

        // Either the runtime connects, or the program exits first (not .NET, or failed to start).
        Task exited = process.WaitForExitAsync(cancellationToken);
        Task first = await Task.WhenAny(connecting, exited).ConfigureAwait(false);
        if (first != connecting)
        {
            connectTimeout.Cancel();
            await IgnoreFailure(connecting).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new MemLineException(FailureKind.TargetFailedToStart,
                $"{command[0]} exited with code {process.ExitCode} before its .NET runtime connected (is it a .NET program?)");
        }

        return new TargetLauncher(process, await connecting.ConfigureAwait(false), portPath);
    }

    /// <summary>Closes the diagnostics connection; the program is left running.</summary>
    public async ValueTask DisposeAsync()
    {
        await _connector.DisposeAsync().ConfigureAwait(false);
        Process.Dispose();
        try
        {
            File.Delete(_portPath);
        }
        catch (IOException)
        {
        }
    }

    private static async Task IgnoreFailure(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or TimeoutException)
        {
        }
    }
}
