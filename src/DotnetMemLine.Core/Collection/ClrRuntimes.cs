using Microsoft.Diagnostics.Runtime;

namespace DotnetMemLine.Collection;

/// <summary>Opens a live process's runtime with ClrMD.</summary>
internal static class ClrRuntimes
{
    public static ClrRuntime Create(ClrInfo clr)
    {
        try
        {
            return clr.CreateRuntime();
        }
        catch (Exception ex) when (ex is ClrDiagnosticsException or InvalidOperationException or FileNotFoundException)
        {
            // ClrMD may not match the DAC by version on Linux; the one shipped beside the target's
            // runtime is the right one by construction.
            string? runtimeDirectory = Path.GetDirectoryName(clr.ModuleInfo.FileName);
            string dac = Path.Combine(runtimeDirectory ?? "", OperatingSystem.IsWindows() ? "mscordaccore.dll" : OperatingSystem.IsMacOS() ? "libmscordaccore.dylib" : "libmscordaccore.so");
            return clr.CreateRuntime(dac, ignoreMismatch: true);
        }
    }
}
