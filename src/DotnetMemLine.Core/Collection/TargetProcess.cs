using System.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;

namespace DotnetMemLine.Collection;

/// <summary>A .NET process that publishes a diagnostics endpoint.</summary>
/// <param name="Name">The application's name: the .dll's name for <c>dotnet app.dll</c>, else the executable's.</param>
/// <param name="CommandLine">Its command line, as /proc tells it.</param>
/// <param name="ProcessId">Its process id.</param>
public sealed record DotnetProcessInfo(int ProcessId, string Name, string CommandLine);

/// <summary>Finding and connecting to running .NET processes.</summary>
public static class TargetProcess
{
    /// <summary>The .NET processes that can be attached to, like <c>dotnet-trace ps</c>.</summary>
    public static IReadOnlyList<DotnetProcessInfo> List()
    {
        var result = new List<DotnetProcessInfo>();
        foreach (int pid in DiagnosticsClient.GetPublishedProcesses().Distinct().Order())
        {
            if (pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                using Process process = Process.GetProcessById(pid);
                string[] commandLine = ReadCommandLine(pid);
                if (commandLine.Length == 0 && Directory.Exists($"/proc/{pid}"))
                {
                    // A kernel thread: a dead program's diagnostic socket left in /tmp, its process id reused since.
                    continue;
                }

                result.Add(new DotnetProcessInfo(pid, ApplicationName(process.ProcessName, commandLine), commandLine.Length > 0 ? string.Join(' ', commandLine) : process.ProcessName));
            }
            catch (ArgumentException)
            {
                // Exited between the listing and the lookup.
            }
            catch (InvalidOperationException)
            {
            }
        }

        return result;
    }

    /// <summary>The single .NET process with this name (without extension), or a clear failure.</summary>
    public static int FindByName(string name)
    {
        var matches = List().Where(p => string.Equals(p.Name, name, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0].ProcessId,
            0 => throw new MemLineException(FailureKind.ProcessNotFound, $"no .NET process named '{name}'") { Remedy = Remedy.ListProcesses },
            _ => throw new MemLineException(FailureKind.ProcessNotFound,
                $"{matches.Count} .NET processes are named '{name}' ({string.Join(", ", matches.Select(m => m.ProcessId))})") { Remedy = Remedy.ChooseProcessById },
        };
    }

    /// <summary>The application's name as users know it: for a framework-dependent app run as <c>dotnet app.dll</c>, "app".</summary>
    public static string ApplicationName(int processId)
    {
        using Process process = Process.GetProcessById(processId);
        return ApplicationName(process.ProcessName, ReadCommandLine(processId));
    }

    private static string ApplicationName(string processName, IReadOnlyList<string> commandLine)
    {
        string? dll = commandLine.Skip(1).FirstOrDefault(a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        return dll is not null && processName == "dotnet" ? Path.GetFileNameWithoutExtension(dll) : processName;
    }

    /// <summary>The process's arguments (Linux /proc); empty where that is not available.</summary>
    private static string[] ReadCommandLine(int processId)
    {
        try
        {
            string raw = File.ReadAllText($"/proc/{processId}/cmdline");
            return raw.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Connects to a running process, failing with a one-line reason when it cannot be profiled.</summary>
    public static DiagnosticsClient Connect(int processId)
    {
        string name;
        try
        {
            using Process process = Process.GetProcessById(processId);
            name = process.ProcessName;
        }
        catch (ArgumentException)
        {
            throw new MemLineException(FailureKind.ProcessNotFound, $"no process with id {processId}");
        }

        if (!DiagnosticsClient.GetPublishedProcesses().Contains(processId))
        {
            throw new MemLineException(FailureKind.NotADotnetProcess,
                $"process {processId} ({name}) is not a .NET process, or its diagnostics are disabled (DOTNET_EnableDiagnostics=0), or it runs in another TMPDIR or container");
        }

        var client = new DiagnosticsClient(processId);
        try
        {
            Probe(client, processId);
        }
        catch (MemLineException ex) when (ex.Kind == FailureKind.NotADotnetProcess)
        {
            // A socket of this pid that nobody answers on: a runtime killed with SIGKILL leaves its
            // socket behind, and the pid has since been given to this process.
            throw new MemLineException(FailureKind.NotADotnetProcess,
                $"process {processId} ({name}) is not a .NET process: the diagnostics socket published for its id does not answer (left behind by an earlier process with the same id, or its runtime has shut down)", ex);
        }

        return client;
    }

    /// <summary>
    /// Connects through an explicit diagnostics socket (<c>--diagnostic-port</c>): the target's
    /// <c>dotnet-diagnostic-&lt;pid&gt;-&lt;key&gt;-socket</c>, found in its TMPDIR or mounted from a
    /// container. Returns the process id the socket's name gives when that process is visible here, else 0.
    /// </summary>
    public static (DiagnosticsClient Client, int ProcessId) ConnectThroughPort(string socketPath)
    {
        string fullPath = Path.GetFullPath(socketPath);
        if (!File.Exists(fullPath))
        {
            throw new MemLineException(FailureKind.ProcessNotFound,
                $"no diagnostics socket at {fullPath} (a .NET process publishes /tmp/dotnet-diagnostic-<pid>-<key>-socket in its own TMPDIR)");
        }

        DiagnosticsClientConnector connector;
        try
        {
            // "connect": we dial the socket the runtime listens on (the default would listen for it).
            connector = DiagnosticsClientConnector.FromDiagnosticPort(fullPath + ",connect", CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (MapAttachFailure(ex, 0, fullPath) is { } mapped)
        {
            throw mapped;
        }

        int processId = ProcessIdOfSocket(fullPath);
        Probe(connector.Instance, processId, fullPath);
        return (connector.Instance, processId);
    }

    /// <summary>The pid in a socket named dotnet-diagnostic-&lt;pid&gt;-&lt;key&gt;-socket, when that process exists here; else 0.</summary>
    public static int ProcessIdOfSocket(string socketPath)
    {
        string[] parts = Path.GetFileName(socketPath).Split('-');
        if (parts.Length >= 4 && parts[0] == "dotnet" && parts[1] == "diagnostic"
            && int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)
            && Directory.Exists($"/proc/{pid}"))
        {
            return pid;
        }

        return 0;
    }

    /// <summary>Runs an attach step, turning the ways it fails into one-line errors with their exit codes.</summary>
    public static async Task<T> MapAttachFailures<T>(int processId, Func<Task<T>> attach)
    {
        try
        {
            return await attach().ConfigureAwait(false);
        }
        catch (Exception ex) when (MapAttachFailure(ex, processId) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>
    /// What an exception from connecting to a target's diagnostics socket means for the user, or null
    /// when it is none of the known cases. Permission denied (EACCES): the socket belongs to another
    /// user (the runtime creates it readable and writable by its owner only).
    /// </summary>
    public static MemLineException? MapAttachFailure(Exception exception, int processId, string? socketPath = null)
    {
        string target = processId > 0 ? $"process {processId}" : $"the process on {socketPath}";
        for (Exception? ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is UnauthorizedAccessException
                || ex is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AccessDenied })
            {
                return new MemLineException(FailureKind.PermissionDenied,
                    $"permission denied attaching to {target}: it belongs to another user; run dotnet-memline as that user (or as root)", exception);
            }

            if (ex is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused or System.Net.Sockets.SocketError.AddressNotAvailable })
            {
                return new MemLineException(FailureKind.NotADotnetProcess,
                    $"nothing listens on the diagnostics socket of {target} (the process has exited, or the socket is stale)", exception);
            }
        }

        return exception is ServerNotAvailableException or TimeoutException
            ? new MemLineException(FailureKind.NotADotnetProcess, $"{target} did not answer on its diagnostics socket ({exception.Message})", exception)
            : null;
    }

    /// <summary>One cheap request, so a socket we may not use fails now, before any file is created.</summary>
    private static void Probe(DiagnosticsClient client, int processId, string? socketPath = null)
    {
        try
        {
            _ = client.GetProcessEnvironment();
        }
        catch (Exception ex) when (MapAttachFailure(ex, processId, socketPath) is { } mapped)
        {
            throw mapped;
        }
    }
}
