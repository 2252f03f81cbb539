using DotnetMemLine.Decoding.Nettrace;

namespace DotnetMemLine.Decoding;

/// <summary>
/// What a trace file is, told before decoding: the decoders' own failures on a file that is not a
/// trace are cryptic, and a file cut short must be reported the same way whichever decoder reads it.
/// </summary>
public static class TraceFileCheck
{
    /// <summary>
    /// Checks the file's structure before any decoder reads an event (a walk of its block headers):
    /// throws a one-line <see cref="MemLineException"/> for a file that is missing, empty, not a
    /// trace, damaged in its header or in a newer format; returns the layout otherwise.
    /// </summary>
    public static NettraceLayout Check(string tracePath)
    {
        if (!File.Exists(tracePath))
        {
            throw new MemLineException(FailureKind.TraceUnreadable, $"trace file not found: {tracePath}");
        }

        NettraceLayout layout;
        try
        {
            layout = NettraceLayout.Read(tracePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MemLineException(FailureKind.TraceUnreadable, $"cannot read the trace file {tracePath}: {ex.Message}", ex);
        }

        if (layout.FileLength == 0)
        {
            throw new MemLineException(FailureKind.TraceUnreadable, $"trace file is empty: {tracePath}");
        }

        switch (layout.Kind)
        {
            case NettraceKind.NotNettrace:
                throw new MemLineException(FailureKind.TraceUnreadable, $"not a .nettrace file (it does not start with \"Nettrace\"): {tracePath}");
            case NettraceKind.Truncated:
                throw new MemLineException(FailureKind.TraceUnreadable, $"the trace ends inside its header (truncated?): {tracePath}");
        }

        if (layout.Kind == NettraceKind.OtherContainer && layout.FormatVersion > NettraceFormat.BlockContainerVersion)
        {
            throw new MemLineException(FailureKind.TraceUnreadable,
                $"{tracePath} is in nettrace format version {layout.FormatVersion}, newer than this dotnet-memline reads (up to {NettraceFormat.BlockContainerVersion})") { Remedy = Remedy.UpdateTheTool };
        }

        bool walked = layout.Kind is NettraceKind.FastSerialization or NettraceKind.BlockContainer;
        if (walked && layout.Blocks.Count == 0)
        {
            throw new MemLineException(FailureKind.TraceUnreadable, $"the trace ends or is damaged inside its header ({layout.Problem}): {tracePath}");
        }

        if (layout.Kind == NettraceKind.FastSerialization
            && (layout.FormatVersion > NettraceLayout.NewestReadableVersion || layout.MinimumReaderVersion > NettraceLayout.NewestReadableVersion))
        {
            throw new MemLineException(FailureKind.TraceUnreadable,
                $"{tracePath} has a Trace object of format version {layout.FormatVersion}, newer than this dotnet-memline reads (up to {NettraceLayout.NewestReadableVersion})") { Remedy = Remedy.UpdateTheTool };
        }

        if (layout.Kind == NettraceKind.FastSerialization && layout.FormatVersion < 1)
        {
            throw new MemLineException(FailureKind.TraceUnreadable, $"the trace's header is damaged (format version {layout.FormatVersion}): {tracePath}");
        }

        if (walked && layout.Blocks.Count == 1 && !layout.IsComplete)
        {
            throw new MemLineException(FailureKind.TraceIncomplete,
                $"the trace {(layout.IsTruncated ? "ends" : "is damaged")} right after its header, before any events ({layout.Problem}): {tracePath}");
        }

        return layout;
    }

    /// <summary>The warning for a trace that can be read only in part (cut short, or damaged part way); null when it is whole.</summary>
    public static string? ReadProblem(NettraceLayout layout) =>
        layout.Kind is not (NettraceKind.FastSerialization or NettraceKind.BlockContainer) || layout.IsComplete
            ? null
            : layout.IsTruncated
                ? "the trace ends early (truncated?); figures cover what was read"
                : $"the trace is damaged at byte {layout.StoppedAt:N0} of {layout.FileLength:N0} ({layout.Problem}); figures cover the part before it";
}
