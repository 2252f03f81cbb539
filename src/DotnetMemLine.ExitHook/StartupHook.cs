using System;
using System.Diagnostics;
using System.IO;
using System.Threading;

/// <summary>
/// Loaded by the runtime before <c>Main</c> (DOTNET_STARTUP_HOOKS) when <c>dotnet-memline run</c> launches a program.
/// First, it takes dotnet-memline's diagnostic port and itself out of the environment the program's own child processes
/// inherit: a .NET child would otherwise connect to that port at its startup and wait there, suspended, for a resume
/// that never comes. Then, with <c>--retention</c>, when the program exits normally, it holds it in its ProcessExit
/// event until dotnet-memline has walked its heap for what still holds each line's objects. It never holds the program
/// longer than dotnet-memline lives, nor longer than ten minutes.
/// </summary>
internal static class StartupHook
{
    private const string SignalVariable = "DOTNET_MEMLINE_EXIT_SIGNAL";
    private const string ToolProcessVariable = "DOTNET_MEMLINE_TOOL_PID";
    private const string PortVariable = "DOTNET_MEMLINE_PORT";
    private const string HooksBeforeVariable = "DOTNET_MEMLINE_STARTUP_HOOKS";
    private static readonly TimeSpan MostHeld = TimeSpan.FromMinutes(10);

    public static void Initialize()
    {
        LeaveNothingToChildren();
        string? signal = Environment.GetEnvironmentVariable(SignalVariable);
        if (string.IsNullOrEmpty(signal) || !int.TryParse(Environment.GetEnvironmentVariable(ToolProcessVariable), out int toolProcess))
        {
            return;
        }

        // Processes this program starts must not inherit the hold.
        Environment.SetEnvironmentVariable(SignalVariable, null);
        Environment.SetEnvironmentVariable(ToolProcessVariable, null);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => HoldAtExit(signal!, toolProcess);
    }

    /// <summary>The environment as it was before dotnet-memline added its port and this hook.</summary>
    private static void LeaveNothingToChildren()
    {
        string? port = Environment.GetEnvironmentVariable(PortVariable);
        if (string.IsNullOrEmpty(port))
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_DiagnosticPorts") == port)
        {
            Environment.SetEnvironmentVariable("DOTNET_DiagnosticPorts", null);
        }

        string? hooksBefore = Environment.GetEnvironmentVariable(HooksBeforeVariable);
        Environment.SetEnvironmentVariable("DOTNET_STARTUP_HOOKS", string.IsNullOrEmpty(hooksBefore) ? null : hooksBefore);
        Environment.SetEnvironmentVariable(HooksBeforeVariable, null);
        Environment.SetEnvironmentVariable(PortVariable, null);
    }

    private static void HoldAtExit(string signal, int toolProcess)
    {
        try
        {
            File.WriteAllText(signal + ".exiting", "");
            var held = Stopwatch.StartNew();
            while (!File.Exists(signal + ".go") && held.Elapsed < MostHeld && IsRunning(toolProcess))
            {
                Thread.Sleep(10);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static bool IsRunning(int processId)
    {
        if (Directory.Exists("/proc"))
        {
            return Directory.Exists("/proc/" + processId);
        }

        try
        {
            using Process process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
