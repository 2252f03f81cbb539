using System.Globalization;
using System.Text;
using System.Text.Json;
using DotnetMemLine.Estimation;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Comparison;

/// <summary>Renders a <see cref="MethodDiff"/>: text for people, JSON for programs (docs/json-schema.md, "diff").</summary>
public interface IDiffRenderer
{
    /// <summary>The name <c>--format</c> takes.</summary>
    string FormatName { get; }

    /// <summary>Writes the comparison.</summary>
    void Render(MethodDiff diff, TextWriter output);
}

/// <summary>The diff's formats, by the name <c>--format</c> takes.</summary>
public static class DiffRenderers
{
    /// <summary>Every format, the default first.</summary>
    public static IReadOnlyList<IDiffRenderer> All { get; } = [new DiffTextRenderer(), new DiffJsonWriter(), new DiffHtmlRenderer()];

    /// <summary>The renderer of that format name (any case), or null.</summary>
    public static IDiffRenderer? Find(string formatName) =>
        All.FirstOrDefault(r => string.Equals(r.FormatName, formatName, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The comparison as a table: each line's number in both versions, both figures, the change with its 95% interval, and
/// <c>*</c> where the change is beyond sampling noise (its interval excludes 0), so that only real changes catch the eye.
/// </summary>
public sealed class DiffTextRenderer : IDiffRenderer
{
    /// <summary>Marks a change beyond sampling noise.</summary>
    public const char ChangedMark = '*';

    /// <inheritdoc/>
    public string FormatName => "text";

    /// <inheritdoc/>
    public void Render(MethodDiff diff, TextWriter output)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append("Before:    ").Append(diff.Before.Method).Append(" in ").AppendLine(diff.Before.Source);
        text.Append("After:     ").Append(diff.After.Method).Append(" in ").AppendLine(diff.After.Source);
        text.Append("Compared:  ").AppendLine(diff.Figure switch
        {
            DiffFigure.PeakLive => "Peak live: the most of each line's allocations seen alive at one GC",
            DiffFigure.LiveAtEnd => "Live at end: what each line allocated that was still alive when the recording ended",
            _ => "Allocated: what each line allocated while it ran",
        });
        text.Append("Figures:   ").AppendLine(diff.Before.Exact && diff.After.Exact
            ? $"exact on both sides (run --exact): {ChangedMark} marks every change"
            : $"{(diff.Before.Exact || diff.After.Exact ? "sampled on one side" : "sampled")}, with 95% intervals; {ChangedMark} marks a change beyond sampling noise (its interval excludes 0)");
        text.Append(inv, $"Total:     {DiffTextRenderer.Bytes(diff.BeforeTotal)} -> {DiffTextRenderer.Bytes(diff.AfterTotal)}: {ByteFormat.Change(diff.TotalChange.Change)} {Interval(diff.TotalChange)}{(diff.TotalChange.BeyondNoise ? " " + ChangedMark : "")}").AppendLine();
        int changed = diff.ChangedLines.Count();
        text.Append(inv, $"Changed:   {changed} {(changed == 1 ? "line" : "lines")} beyond noise, {diff.Lines.Count(l => l.Kind == LineChangeKind.Added)} added, {diff.Lines.Count(l => l.Kind == LineChangeKind.Removed)} removed (lines are matched by their text)").AppendLine();
        text.AppendLine();

        string header = $"{"Old #",6}  {"New #",6}  {"Before",12}  {"After",12}  {"Change",13}   {"95% interval of the change",-28}  {"",7}  Line Contents";
        text.AppendLine(header);
        text.AppendLine(new string('=', header.Length + 20));
        foreach (LineDiff line in diff.Lines)
        {
            bool figures = line.Before is not null || line.After is not null;
            string kind = line.Kind switch { LineChangeKind.Added => "added", LineChangeKind.Removed => "removed", _ => "" };
            text.Append(inv, $"{line.BeforeLine?.ToString(inv) ?? "",6}  {line.AfterLine?.ToString(inv) ?? "",6}  {(line.Before is { } b ? ByteFormat.Format(b.Bytes) : ""),12}  {(line.After is { } a ? ByteFormat.Format(a.Bytes) : ""),12}  ");
            text.Append(inv, $"{(figures ? ByteFormat.Change(line.Change.Change) : ""),13} {(line.Change.BeyondNoise ? ChangedMark : ' ')} {(figures ? Interval(line.Change) : ""),-28}  {kind,-7}  ");
            text.Append(line.Text);
            while (text.Length > 0 && text[^1] == ' ')
            {
                text.Length--;
            }

            text.AppendLine();
        }

        output.Write(TerminalText.Clean(text.ToString()));
    }


    /// <summary>A figure as the diff prints it; "nothing" when none was observed.</summary>
    internal static string Bytes(EstimateReport? figure) => figure is null ? "nothing" : ByteFormat.Format(figure.Bytes);

    private static string Interval(ChangeEstimate change) => $"[{ByteFormat.Change(change.Low)}, {ByteFormat.Change(change.High)}]";
}

/// <summary>The comparison as JSON: both sides, the total and every line with both figures and the change.</summary>
public sealed class DiffJsonWriter : IDiffRenderer
{
    /// <inheritdoc/>
    public string FormatName => "json";

    /// <inheritdoc/>
    public void Render(MethodDiff diff, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", MethodDiff.SchemaVersion);
            json.WriteString("kind", "diff");
            json.WriteString("figure", diff.Figure switch { DiffFigure.PeakLive => "peakLive", DiffFigure.LiveAtEnd => "liveAtEnd", _ => "allocated" });
            WriteSide(json, "before", diff.Before);
            WriteSide(json, "after", diff.After);
            json.WriteStartObject("total");
            WriteFigure(json, "before", diff.BeforeTotal);
            WriteFigure(json, "after", diff.AfterTotal);
            WriteChange(json, diff.TotalChange);
            json.WriteEndObject();
            json.WriteNumber("changedLines", diff.ChangedLines.Count());
            json.WriteStartArray("lines");
            foreach (LineDiff line in diff.Lines)
            {
                json.WriteStartObject();
                WriteLineNumber(json, "beforeLine", line.BeforeLine);
                WriteLineNumber(json, "afterLine", line.AfterLine);
                json.WriteString("text", line.Text);
                json.WriteString("status", line.Kind.ToString().ToLowerInvariant());
                WriteFigure(json, "before", line.Before);
                WriteFigure(json, "after", line.After);
                WriteChange(json, line.Change);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteSide(Utf8JsonWriter json, string name, DiffSide side)
    {
        json.WriteStartObject(name);
        json.WriteString("source", side.Source);
        json.WriteString("method", side.Method);
        json.WriteBoolean("exact", side.Exact);
        json.WriteEndObject();
    }

    private static void WriteLineNumber(Utf8JsonWriter json, string name, int? line)
    {
        if (line is int number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteFigure(Utf8JsonWriter json, string name, EstimateReport? figure)
    {
        if (figure is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteNumber("allocatedBytes", Math.Round(figure.Bytes));
        json.WriteNumber("allocatedBytesLow", Math.Round(figure.LowBytes));
        json.WriteNumber("allocatedBytesHigh", Math.Round(figure.HighBytes));
        json.WriteNumber("samples", figure.Samples);
        json.WriteEndObject();
    }

    private static void WriteChange(Utf8JsonWriter json, ChangeEstimate change)
    {
        json.WriteStartObject("change");
        json.WriteNumber("bytes", Math.Round(change.Change));
        json.WriteNumber("bytesLow", Math.Round(change.Low));
        json.WriteNumber("bytesHigh", Math.Round(change.High));
        json.WriteBoolean("beyondNoise", change.BeyondNoise);
        json.WriteEndObject();
    }
}

/// <summary>
/// The comparison as one self-contained page: each line's before and after bars on one scale, the change with its
/// interval, and "changed" written (not only coloured) on the lines beyond noise. Rows carry the JSON's figures.
/// </summary>
public sealed class DiffHtmlRenderer : IDiffRenderer
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <inheritdoc/>
    public string FormatName => "html";

    /// <inheritdoc/>
    public void Render(MethodDiff diff, TextWriter output)
    {
        var html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>dotnet-memline diff</title>\n<style>");
        html.Append(HtmlReportRenderer.Style).Append(".changed td{background:#fff4d6}.mark{font-weight:700}svg.bar rect.before{fill:#9aa7b8}</style>\n</head>\n<body>\n<header><h1>dotnet-memline diff</h1>");
        html.Append("<p>Before: ").Append(HtmlReportRenderer.E(diff.Before.Method)).Append(" in ").Append(HtmlReportRenderer.E(diff.Before.Source)).Append("<br>After: ")
            .Append(HtmlReportRenderer.E(diff.After.Method)).Append(" in ").Append(HtmlReportRenderer.E(diff.After.Source)).Append("</p>");
        html.Append(Inv, $"<p>Total: {HtmlReportRenderer.E(DiffTextRenderer.Bytes(diff.BeforeTotal))} → {HtmlReportRenderer.E(DiffTextRenderer.Bytes(diff.AfterTotal))}, change {HtmlReportRenderer.E(ByteFormat.Change(diff.TotalChange.Change))} [{HtmlReportRenderer.E(ByteFormat.Change(diff.TotalChange.Low))}, {HtmlReportRenderer.E(ByteFormat.Change(diff.TotalChange.High))}]{(diff.TotalChange.BeyondNoise ? ", beyond noise" : ", within noise")}. ");
        html.Append(Inv, $"{diff.ChangedLines.Count()} lines changed beyond noise (marked \"changed\"); lines are matched by their text.</p></header>\n<main>\n");
        double scale = Math.Max(1, diff.Lines.Max(l => Math.Max(l.Before?.HighBytes ?? 0, l.After?.HighBytes ?? 0)));
        html.Append("<table class=\"lines\"><caption>Each line before (grey bar) and after (blue bar), and the change with its 95% interval</caption><thead><tr><th scope=\"col\">Old #</th><th scope=\"col\">New #</th><th scope=\"col\">Before and after</th><th scope=\"col\">Change</th><th scope=\"col\">95% interval</th><th scope=\"col\"></th><th scope=\"col\">Source</th></tr></thead><tbody>\n");
        foreach (LineDiff line in diff.Lines)
        {
            bool figures = line.Before is not null || line.After is not null;
            html.Append("<tr").Append(line.Change.BeyondNoise ? " class=\"changed\"" : "").Append(figures ? string.Create(Inv, $" tabindex=\"0\" data-change-bytes=\"{Math.Round(line.Change.Change)}\" data-beyond-noise=\"{(line.Change.BeyondNoise ? "true" : "false")}\"") : "")
                .Append(Inv, $" data-status=\"{line.Kind.ToString().ToLowerInvariant()}\"><td class=\"num\">{line.BeforeLine?.ToString(Inv)}</td><td class=\"num\">{line.AfterLine?.ToString(Inv)}</td><td class=\"fig\">");
            if (figures)
            {
                html.Append("<svg class=\"bar\" width=\"120\" height=\"14\" aria-hidden=\"true\">")
                    .Append(Inv, $"<rect class=\"before\" x=\"0\" y=\"1\" width=\"{120 * (line.Before?.Bytes ?? 0) / scale:F1}\" height=\"5\"/><rect x=\"0\" y=\"8\" width=\"{120 * (line.After?.Bytes ?? 0) / scale:F1}\" height=\"5\"/></svg> ")
                    .Append(HtmlReportRenderer.E(DiffTextRenderer.Bytes(line.Before))).Append(" → ").Append(HtmlReportRenderer.E(DiffTextRenderer.Bytes(line.After)));
            }

            html.Append("</td><td class=\"num\">").Append(figures ? HtmlReportRenderer.E(ByteFormat.Change(line.Change.Change)) : "")
                .Append("</td><td class=\"num\">").Append(figures ? HtmlReportRenderer.E($"[{ByteFormat.Change(line.Change.Low)}, {ByteFormat.Change(line.Change.High)}]") : "")
                .Append("</td><td class=\"mark\">").Append(line.Change.BeyondNoise ? "changed " : "").Append(line.Kind switch { LineChangeKind.Added => "added", LineChangeKind.Removed => "removed", _ => "" })
                .Append("</td><td class=\"src\"><code>").Append(HtmlReportRenderer.Highlight(line.Text ?? "")).Append("</code></td></tr>\n");
        }

        html.Append("</tbody></table>\n</main>\n</body>\n</html>\n");
        output.Write(html.ToString());
    }


}
