using System.Globalization;

namespace DotnetMemLine.Reporting;

/// <summary>What a figure counts: how a renderer formats it (bytes as KiB/MiB, counts with separators).</summary>
public enum ColumnUnit
{
    /// <summary>A source line number.</summary>
    Line,

    /// <summary>Source text.</summary>
    Text,

    /// <summary>Bytes.</summary>
    Bytes,

    /// <summary>A count (samples, objects).</summary>
    Count,

    /// <summary>Yes or no.</summary>
    Flag,

    /// <summary>A list of source line numbers.</summary>
    Lines,
}

/// <summary>Which tables show a column: sampled estimates, exact counts (<c>run --exact</c>), or both.</summary>
[Flags]
public enum TableKind
{
    /// <summary>Tables of sampled estimates.</summary>
    Sampled = 1,
    /// <summary>Tables of exact counts (<c>run --exact</c>).</summary>
    Exact = 2,
    /// <summary>Both kinds of table.</summary>
    Both = Sampled | Exact,
}

/// <summary>One row of a method's table, with the report it belongs to (whose mode and drops decide how figures read).</summary>
public readonly record struct LineCell(ProfileReport Report, LineReport Line);

/// <summary>A field every line carries in the machine-readable report: its JSON name, its unit and its value (null when blank).</summary>
public sealed record LineField(string JsonName, ColumnUnit Unit, Func<LineCell, object?> Value);

/// <summary>
/// A column of the text table: its title, its width (right-aligned unless <paramref name="LeftAligned"/>), which tables
/// show it, its cell, and an optional one-character mark printed right after the cell (<c>~</c>, <c>?</c>).
/// </summary>
/// <param name="Title">The column's title.</param>
/// <param name="Width">Its width in characters.</param>
/// <param name="Tables">Which tables show it.</param>
/// <param name="Cell">A row's cell.</param>
/// <param name="Mark">The mark after the cell; null for none.</param>
/// <param name="LeftAligned">Left-aligned rather than right-aligned.</param>
/// <param name="ShownWhen">Shows the column only in reports for which this is true (a figure the trace may lack); null for always.</param>
public sealed record TableColumn(string Title, int Width, TableKind Tables, Func<LineCell, string> Cell, Func<LineCell, char>? Mark = null, bool LeftAligned = false,
    Func<ProfileReport, bool>? ShownWhen = null);

/// <summary>
/// The per-line figures of the report, described once: the JSON fields in schema order and the table's columns in
/// reading order. Adding a figure is a field of <see cref="LineReport"/>, a <see cref="LineField"/> and, if the
/// table shows it, a <see cref="TableColumn"/>; every renderer picks it up from here.
/// </summary>
public static class ReportColumns
{
    /// <summary>Precedes every figure of a trace the runtime dropped events from: the figure is a lower bound.</summary>
    public const string IncompleteMark = ">=";

    /// <summary>Follows the sample count of an estimate resting on fewer than 100 samples.</summary>
    public const char LowConfidenceMark = '?';

    /// <summary>Follows the allocated figure of a line part of which may belong to other lines.</summary>
    public const char SharedMark = '~';

    /// <summary>The JSON name of a session's buffering (docs/json-schema.md, <c>buffering</c>).</summary>
    public static string BufferingName(SessionBuffering buffering) => buffering switch
    {
        SessionBuffering.Lossless => "lossless",
        SessionBuffering.LosslessUnsupported => "lossy-lossless-unsupported",
        SessionBuffering.LosslessRefused => "lossy-lossless-refused",
        _ => "lossy",
    };

    /// <summary>What follows "N dropped events" in a header: how the session buffered, when the recording told.</summary>
    public static string BufferingPhrase(SessionBuffering? buffering) => buffering switch
    {
        SessionBuffering.Lossless => " (lossless session)",
        SessionBuffering.Lossy => " (lossy buffer)",
        SessionBuffering.LosslessUnsupported => " (lossy buffer: lossless needs .NET 11)",
        SessionBuffering.LosslessRefused => " (lossy buffer: the runtime refused lossless)",
        _ => "",
    };

    /// <summary>The fields of <c>methods[].lines[]</c> in docs/json-schema.md, in order.</summary>
    public static IReadOnlyList<LineField> LineFields { get; } =
    [
        new("line", ColumnUnit.Line, c => c.Line.Line),
        new("text", ColumnUnit.Text, c => c.Line.Text),
        new("allocatedBytes", ColumnUnit.Bytes, c => c.Line.Allocated?.Bytes),
        new("allocatedBytesLow", ColumnUnit.Bytes, c => c.Line.Allocated?.LowBytes),
        new("allocatedBytesHigh", ColumnUnit.Bytes, c => c.Line.Allocated?.HighBytes),
        new("samples", ColumnUnit.Count, c => c.Line.Allocated?.Samples ?? 0),
        new("objects", ColumnUnit.Count, c => c.Line.Allocated?.Objects),
        new("lowConfidence", ColumnUnit.Flag, c => c.Line.Allocated?.LowConfidence ?? false),
        new("incomplete", ColumnUnit.Flag, c => c.Report.Incomplete && c.Line.Allocated is not null),
        new("peakHeapBytes", ColumnUnit.Bytes, c => c.Line.PeakHeapBytes),
        new("sharedBytes", ColumnUnit.Bytes, c => c.Line.SharedPart?.Bytes),
        new("sharedWith", ColumnUnit.Lines, c => c.Line.SharedWith),
        new("handedOffBytes", ColumnUnit.Bytes, c => c.Line.HandedOffPart?.Bytes),
        new("handedOffThreads", ColumnUnit.Count, c => c.Line.HandedOffThreads),
        new("peakLiveBytes", ColumnUnit.Bytes, c => c.Line.PeakLive?.Bytes),
        new("peakLiveBytesLow", ColumnUnit.Bytes, c => c.Line.PeakLive?.LowBytes),
        new("peakLiveBytesHigh", ColumnUnit.Bytes, c => c.Line.PeakLive?.HighBytes),
        new("liveAtEndBytes", ColumnUnit.Bytes, c => c.Line.LiveAtEnd?.Bytes),
        new("liveAtEndBytesLow", ColumnUnit.Bytes, c => c.Line.LiveAtEnd?.LowBytes),
        new("liveAtEndBytesHigh", ColumnUnit.Bytes, c => c.Line.LiveAtEnd?.HighBytes),
    ];

    /// <summary>The columns of the text table, left to right; the source text follows the last.</summary>
    public static IReadOnlyList<TableColumn> TableColumns { get; } =
    [
        new("Line #", 6, TableKind.Both, c => c.Line.Line.ToString(CultureInfo.InvariantCulture)),
        new("Peak heap", 12, TableKind.Both, c => c.Line.PeakHeapBytes is long peak ? ByteFormat.Format(peak) : ""),
        new("Peak live", 12, TableKind.Both, c => c.Line.PeakLive is { } p ? ByteFormat.Format(p.Bytes) : "", ShownWhen: r => r.FollowsLifetimes),
        new("Live at end", 12, TableKind.Both, c => c.Line.LiveAtEnd is { } l ? ByteFormat.Format(l.Bytes) : "", ShownWhen: r => r.FollowsLifetimes),
        new("Allocated", 12, TableKind.Both, c => c.Line.Allocated is { } a ? AtLeast(c.Report) + ByteFormat.Format(a.Bytes) : "",
            c => c.Line.SharedPart is null ? ' ' : SharedMark),
        new("95% interval", 26, TableKind.Sampled, c => c.Line.Allocated is { } a ? Interval(a) : "", LeftAligned: true),
        new("Samples", 8, TableKind.Sampled, c => c.Line.Allocated is { } a ? a.Samples.ToString("N0", CultureInfo.InvariantCulture) : "",
            c => c.Line.Allocated is { LowConfidence: true } ? LowConfidenceMark : ' '),
        new("Bytes", 14, TableKind.Exact, c => c.Line.Allocated is { } a ? a.Bytes.ToString("N0", CultureInfo.InvariantCulture) : ""),
        new("Objects", 12, TableKind.Exact, c => c.Line.Allocated?.Objects is long o ? o.ToString("N0", CultureInfo.InvariantCulture) : "", c => ' '),
    ];

    /// <summary>The table's columns for this report's mode.</summary>
    public static IEnumerable<TableColumn> For(ProfileReport report) =>
        TableColumns.Where(c => c.Tables.HasFlag(report.Exact ? TableKind.Exact : TableKind.Sampled) && (c.ShownWhen is null || c.ShownWhen(report)));

    /// <summary>The <see cref="IncompleteMark"/> when the report's figures are lower bounds.</summary>
    public static string AtLeast(ProfileReport report) => report.Incomplete ? IncompleteMark : "";

    /// <summary>An estimate's 95% interval as the table prints it: <c>[low, high]</c>.</summary>
    public static string Interval(EstimateReport estimate) =>
        $"[{ByteFormat.Format(estimate.LowBytes)}, {ByteFormat.Format(estimate.HighBytes)}]";
}
