using System.Globalization;
using System.Text;

namespace DotnetMemLine.Reporting;

/// <summary>
/// Renders the report as %mprun-style tables: a header per method, then one row per source line.
/// Lines without observations stay blank.
/// </summary>
public static class TextTableRenderer
{
    private const string ColumnTitles = "Line #     Peak heap     Allocated   95% interval                 Samples   Line Contents";

    public static string Render(ProfileReport report)
    {
        var text = new StringBuilder();
        foreach (MethodReport method in report.Methods)
        {
            RenderMethod(text, report, method);
            text.AppendLine();
        }

        foreach (string warning in report.Warnings)
        {
            text.Append("warning: ").AppendLine(warning);
        }

        return text.ToString();
    }

    private static void RenderMethod(StringBuilder text, ProfileReport report, MethodReport method)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        text.Append("Method:    ").AppendLine(method.Name);
        text.Append("Source:    ").AppendLine(method.SourceFile ?? "(unknown)");
        text.Append(inv, $"Trace:     {report.TracePath}, {report.DurationSeconds:F1} s, {report.AllocationSamples:N0} allocation samples, {report.DroppedEvents:N0} dropped events").AppendLine();
        text.Append("Estimator: ").AppendLine(report.Estimator);
        if (method.TotalAllocated is EstimateReport total)
        {
            text.Append(inv, $"Total:     {ByteFormat.Format(total.Bytes)} allocated while the method ran {Interval(total)}, {total.Samples:N0} samples").AppendLine();
        }
        else
        {
            text.AppendLine("Total:     no allocation samples while the method ran");
        }

        if (method.PeakHeapBytes is long methodPeak)
        {
            text.Append("Peak heap: ").AppendLine(ByteFormat.Format(methodPeak));
        }

        foreach (string note in method.Notes)
        {
            text.Append("Note:      ").AppendLine(note);
        }

        text.AppendLine();
        text.AppendLine(ColumnTitles);
        text.AppendLine(new string('=', ColumnTitles.Length + 20));
        foreach (LineReport line in method.Lines)
        {
            string peak = line.PeakHeapBytes is long p ? ByteFormat.Format(p) : "";
            string allocated = line.Allocated is EstimateReport a ? ByteFormat.Format(a.Bytes) : "";
            string interval = line.Allocated is EstimateReport b ? Interval(b) : "";
            string samples = line.Allocated is EstimateReport c ? c.Samples.ToString("N0", inv) : "";
            text.Append(inv, $"{line.Line,6}  {peak,12}  {allocated,12}   {interval,-26}  {samples,8}   {line.Text ?? ""}");
            TrimEnd(text);
            text.AppendLine();
        }
    }

    private static string Interval(EstimateReport estimate) =>
        $"[{ByteFormat.Format(estimate.LowBytes)}, {ByteFormat.Format(estimate.HighBytes)}]";

    private static void TrimEnd(StringBuilder text)
    {
        while (text.Length > 0 && text[^1] == ' ')
        {
            text.Length--;
        }
    }
}
