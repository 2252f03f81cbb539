using Microsoft.Diagnostics.Runtime;

namespace DotnetMemLine.Collection;

/// <summary>
/// Reads which managed modules a live process has loaded, through ClrMD, without suspending it.
/// <c>collect</c> uses it to check --method names in about a second, before a long recording.
/// </summary>
public static class LoadedModules
{
    /// <summary>The loaded modules' file paths, or null when the process cannot be inspected.</summary>
    public static IReadOnlyList<string>? TryRead(int processId)
    {
        try
        {
            using DataTarget target = DataTarget.AttachToProcess(processId, suspend: false);
            ClrInfo? clr = target.ClrVersions.FirstOrDefault();
            if (clr is null)
            {
                return null;
            }

            using ClrRuntime runtime = ClrRuntimes.Create(clr);
            return [.. runtime.EnumerateModules()
                .Select(m => m.Name)
                .Where(name => !string.IsNullOrEmpty(name))
                .Select(name => name!)
                .Distinct(StringComparer.Ordinal)];
        }
        catch (Exception ex) when (ex is ClrDiagnosticsException or InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
