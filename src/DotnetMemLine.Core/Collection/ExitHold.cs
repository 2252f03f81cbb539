namespace DotnetMemLine.Collection;

/// <summary>
/// The tool's side of the startup hook <c>run</c> gives the program it launches (src/DotnetMemLine.ExitHook): the program
/// says through a file that it has reached its exit (its ProcessExit event), then waits there until released, so that
/// <c>--retention</c> can walk its heap. Its runtime has ended the recording by then (sessions end before ProcessExit
/// handlers run), so no GC can be asked for: the walk itself tells which objects are still reachable.
/// </summary>
public sealed class ExitHold : IDisposable
{
    /// <summary>The hook's file name, copied beside the tool.</summary>
    public const string HookFileName = "DotnetMemLine.ExitHook.dll";

    private static readonly string HookPath = Path.Combine(AppContext.BaseDirectory, HookFileName);

    private readonly string _signal;

    private ExitHold(string signal) => _signal = signal;

    /// <summary>A hold for a program about to be launched, or null when the hook is not beside the tool.</summary>
    public static ExitHold? Create() =>
        File.Exists(HookPath) ? new ExitHold(Path.Combine(Path.GetTempPath(), $"dotnet-memline-{System.Environment.ProcessId}-{Guid.NewGuid():N}.exit")) : null;

    /// <summary>Where to signal, for the hook (<see cref="LaunchEnvironment"/> adds the hook itself).</summary>
    public IReadOnlyDictionary<string, string> Environment() => new Dictionary<string, string>
    {
        ["DOTNET_MEMLINE_EXIT_SIGNAL"] = _signal,
        ["DOTNET_MEMLINE_TOOL_PID"] = System.Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The hook every program <c>run</c> launches gets (after any hooks it already has), told which diagnostic port is
    /// dotnet-memline's, so that it takes the port and itself out of what the program's child processes inherit; empty
    /// when the hook is not beside the tool.
    /// </summary>
    /// <param name="portPath">The diagnostic port the program was given.</param>
    /// <param name="existingHooks">DOTNET_STARTUP_HOOKS as the program would have had it; null for none.</param>
    public static IReadOnlyDictionary<string, string> LaunchEnvironment(string portPath, string? existingHooks) => !File.Exists(HookPath)
        ? new Dictionary<string, string>()
        : new Dictionary<string, string>
        {
            ["DOTNET_STARTUP_HOOKS"] = string.IsNullOrEmpty(existingHooks) ? HookPath : existingHooks + Path.PathSeparator + HookPath,
            ["DOTNET_MEMLINE_STARTUP_HOOKS"] = existingHooks ?? "",
            ["DOTNET_MEMLINE_PORT"] = portPath,
        };

    /// <summary>Completes when the program has reached its exit and waits to be released.</summary>
    public async Task WaitUntilExitingAsync(CancellationToken cancellationToken)
    {
        while (!File.Exists(_signal + ".exiting"))
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Lets the program finish exiting.</summary>
    public void Release()
    {
        try
        {
            File.WriteAllText(_signal + ".go", "");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The hook also stops waiting when this process is gone.
        }
    }

    /// <summary>Releases the program and removes the signal files.</summary>
    public void Dispose()
    {
        Release();
        foreach (string file in new[] { _signal + ".exiting", _signal + ".go" })
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
