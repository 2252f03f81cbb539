using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DotnetMemLine.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Signals sent straight with kill(2), with no `kill` process in between, so that two can follow
/// each other within microseconds; and whether the tests run as root.
/// </summary>
internal static class Posix
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public static bool IsRoot => geteuid() == 0;

    public static void Signal(Process process, int signal)
    {
        if (kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint geteuid();
}
