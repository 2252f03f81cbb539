using System.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;

namespace DotnetMemLine.Collection;

/// <summary>A .NET process that publishes a diagnostics endpoint.</summary>
/// <param name="Name">The application's name: the .dll's name for <c>dotnet app.dll</c>, else the executable's.</param>
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
                IReadOnlyList<string> commandLine = ReadCommandLine(pid);
                result.Add(new DotnetProcessInfo(pid, ApplicationName(process.ProcessName, commandLine), commandLine.Count > 0 ? string.Join(' ', commandLine) : process.ProcessName));
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
            0 => throw new MemLineException(ExitCode.ProcessNotFound, $"no .NET process named '{name}' (see dotnet-memline ps)"),
            _ => throw new MemLineException(ExitCode.ProcessNotFound,
                $"{matches.Count} .NET processes are named '{name}' ({string.Join(", ", matches.Select(m => m.ProcessId))}); pick one with -p"),
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
    private static IReadOnlyList<string> ReadCommandLine(int processId)
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
            throw new MemLineException(ExitCode.ProcessNotFound, $"no process with id {processId}");
        }

        if (!DiagnosticsClient.GetPublishedProcesses().Contains(processId))
        {
            throw new MemLineException(ExitCode.NotADotnetProcess,
                $"process {processId} ({name}) is not a .NET process, or its diagnostics are disabled (DOTNET_EnableDiagnostics=0), or it runs in another TMPDIR or container");
        }

        return new DiagnosticsClient(processId);
    }
}
