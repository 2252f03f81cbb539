namespace DotnetMemLine;

/// <summary>
/// The files a recording leaves, named in one place for the collector that writes them and the
/// decoder that reads them: the trace, and next to it the rundown snapshot
/// (<c>app.nettrace</c> → <c>app.rundown.nettrace</c>; see <see cref="Collection.RundownSnapshot"/>).
/// </summary>
public static class TraceFiles
{
    /// <summary>Where the rundown snapshot of the trace at <paramref name="tracePath"/> is kept.</summary>
    public static string RundownSnapshotPath(string tracePath)
    {
        string full = Path.GetFullPath(tracePath);
        string stem = full.EndsWith(".nettrace", StringComparison.OrdinalIgnoreCase) ? full[..^".nettrace".Length] : full;
        return stem + ".rundown.nettrace";
    }

    /// <summary>Where the target's resident memory, sampled while the trace was recorded, is kept (<c>app.rss.tsv</c>).</summary>
    public static string ResidentMemoryPath(string tracePath)
    {
        string full = Path.GetFullPath(tracePath);
        string stem = full.EndsWith(".nettrace", StringComparison.OrdinalIgnoreCase) ? full[..^".nettrace".Length] : full;
        return stem + ".rss.tsv";
    }

    /// <summary>
    /// A trace written to a device (<c>-o /dev/full</c>, <c>/dev/null</c>) rather than to a file: nothing
    /// to repair or keep next to it. .NET reports no file type on Unix (FileAttributes.Device is set
    /// only on Windows), so a device is told by its folder there.
    /// </summary>
    public static bool IsDevice(string path) =>
        OperatingSystem.IsWindows()
            ? File.Exists(path) && new FileInfo(path).Attributes.HasFlag(FileAttributes.Device)
            : Path.GetFullPath(path).StartsWith("/dev/", StringComparison.Ordinal);
}
