using System;
using System.Diagnostics;
using System.IO;
using System.Threading;

/// <summary>
/// Loaded by the runtime before <c>Main</c> (DOTNET_STARTUP_HOOKS) when <c>dotnet-memline run</c> launches a program:
/// with <c>--retention</c>, when the program exits normally, holds it in its ProcessExit event until dotnet-memline has
/// walked its heap for what still holds each line's objects. It never holds the program longer than dotnet-memline
/// lives, nor longer than ten minutes.
/// </summary>
internal static class StartupHook
{
    private const string SignalVariable = "DOTNET_MEMLINE_EXIT_SIGNAL";
    private const string ToolProcessVariable = "DOTNET_MEMLINE_TOOL_PID";
    private static readonly TimeSpan MostHeld = TimeSpan.FromMinutes(10);

    public static void Initialize()
    {
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
