using System.Globalization;
using System.Text;
using DotnetMemLine.Estimation;

namespace DotnetMemLine.Reporting;

/// <summary>
/// Renders the report as %mprun-style tables: a header per method, then one row per source line.
/// Lines without observations stay blank.
/// </summary>
public sealed class TextTableRenderer : IReportRenderer
{
    /// <inheritdoc/>
    public string FormatName => "text";

    /// <inheritdoc/>
    public string Description => "the per-line tables";

    /// <inheritdoc/>
    public bool IsForPrograms => false;

    /// <summary>Under each line that allocated, the types it allocated with their shares (<c>--types</c>).</summary>
    public bool ShowTypes { get; init; }

    /// <inheritdoc/>
    public void Render(ProfileReport report, TextWriter output) => output.Write(RenderText(report));

    private string RenderText(ProfileReport report)
    {
        var text = new StringBuilder();
        if (report.Program is { } program)
        {
            RenderProgram(text, report, program);
        }

        foreach (MethodReport method in report.Methods)
        {
            RenderMethod(text, report, method);
            text.AppendLine();
        }

        foreach (ReportNote warning in report.Warnings)
        {
            text.Append("warning: ").AppendLine(NoteWording.English(warning, ReportColumns.IncompleteMark));
        }

        // Method names, paths and source lines come from the trace, the PDBs and the source files.
        return TerminalText.Clean(text.ToString());
    }

    private void RenderMethod(StringBuilder text, ProfileReport report, MethodReport method)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        text.Append("Method:    ").AppendLine(method.Name);
        text.Append("Source:    ").AppendLine(method.SourceFile ?? "(unknown)");
        RenderTraceHeader(text, report);
        if (method.TotalAllocated is EstimateReport total && report.Exact)
        {
            text.Append(inv, $"Total:     {ReportColumns.AtLeast(report)}{ByteFormat.Format(total.Bytes)} ({total.Bytes:N0} B) allocated while the method ran, {total.Objects ?? 0:N0} objects").AppendLine();
        }
        else if (method.TotalAllocated is EstimateReport estimate)
        {
            string confidence = estimate.LowConfidence ? $" (low confidence: under {AllocationEstimator.LowConfidenceSamples} samples)" : "";
            text.Append(inv, $"Total:     {ReportColumns.AtLeast(report)}{ByteFormat.Format(estimate.Bytes)} allocated while the method ran {ReportColumns.Interval(estimate)}, {estimate.Samples:N0} samples{confidence}").AppendLine();
        }
        else
        {
            text.AppendLine(report.Exact ? "Total:     no allocations while the method ran" : "Total:     no allocation samples while the method ran");
        }

        if (method.HeapAtGCs is { } heap)
        {
            string gcs = heap.GCs == 1 ? "the one GC that began while it ran" : $"the {heap.GCs:N0} GCs that began while it ran";
            text.Append("Peak heap: ").AppendLine(heap.PeakBeforeBytes is long before
                ? $"{ByteFormat.Format(before)} before a GC, {ByteFormat.Format(heap.PeakAfterBytes)} after (the largest at {gcs})"
                : $"{ByteFormat.Format(heap.PeakAfterBytes)} after a GC (the largest at {gcs})");
        }
        else if (method.TotalAllocated is not null)
        {
            text.AppendLine("Peak heap: not measured: no GC began while the method ran");
        }

        if (report.FollowsLifetimes && method.Notes.OfType<NoGCWhileItHeldNote>().Any())
        {
            text.AppendLine("Peak live: not measured: no GC ran after the method began allocating");
        }
        else if (report.FollowsLifetimes)
        {
            text.Append("Peak live: ").AppendLine(method.TotalPeakLive is { } peakLive ? $"{ByteFormat.Format(peakLive.Bytes)} {ReportColumns.Interval(peakLive)}, the most of its allocations alive at one GC" : "none of its allocations survived a GC");
            text.Append("Live end:  ").AppendLine(method.TotalLiveAtEnd is { } liveAtEnd ? $"{ByteFormat.Format(liveAtEnd.Bytes)} {ReportColumns.Interval(liveAtEnd)}, still alive when the recording ended" : "none of its allocations was alive when the recording ended");
        }

        if (report.Retention is { } retention)
        {
            text.AppendLine(retention.Problem is { } problem
                ? $"Retention: not walked: {problem}"
                : string.Create(inv, $"Retention: heap walked with ClrMD, the program suspended {retention.SuspendedSeconds:F2} s; {retention.ObjectsFound:N0} of the {retention.ObjectsSought:N0} sampled objects sought found at their address"));
        }

        foreach (ReportNote note in method.Notes)
        {
            text.Append("Note:      ").AppendLine(NoteWording.English(note, ReportColumns.IncompleteMark));
        }

        text.AppendLine();
        TableColumn[] columns = [.. ReportColumns.For(report)];
        string titles = Row(columns, c => c.Title, _ => ' ') + "Line Contents";
        text.AppendLine(titles);
        text.AppendLine(new string('=', titles.Length + 20));
        foreach (LineReport line in method.Lines)
        {
            var cell = new LineCell(report, line);
            text.Append(Row(columns, c => c.Cell(cell), c => c.Mark!(cell)));
            text.Append(line.Text);
            TrimEnd(text);
            text.AppendLine();
            if (ShowTypes && line.Types.Count > 0)
            {
                text.Append(' ', titles.Length - "Line Contents".Length).Append("  ").AppendLine(Types(line.Types));
            }
        }

        if (method.Lines.Any(l => l.Allocated is { LowConfidence: true }))
        {
            text.AppendLine();
            text.Append(inv, $"{ReportColumns.LowConfidenceMark} fewer than {AllocationEstimator.LowConfidenceSamples} samples: the estimate is rough; read its 95% interval").AppendLine();
        }

        foreach (LineReport line in method.Lines.Where(l => l.SharedPart is not null))
        {
            text.AppendLine();
            string others = string.Join(", ", line.SharedWith.Select(l => l.ToString(inv)));
            string lineWord = line.SharedWith.Count == 1 ? "line" : "lines";
            text.Append(inv, $"{ReportColumns.SharedMark} line {line.Line}: {ByteFormat.Format(line.SharedPart!.Bytes)} of it may belong to {lineWord} {others} instead: the optimized code runs them in one stretch, and what it called there does not tell them apart").AppendLine();
        }

        foreach (LineReport line in method.Lines.Where(l => l.HandedOffPart is not null))
        {
            text.AppendLine();
            string threads = line.HandedOffThreads == 1 ? "1 other thread" : $"{line.HandedOffThreads.ToString(inv)} other threads";
            text.Append(inv, $"line {line.Line}: {ReportColumns.AtLeast(report)}{ByteFormat.Format(line.Allocated?.Bytes ?? 0)}, {ByteFormat.Format(line.HandedOffPart!.Bytes)} of it on {threads}, in work the line handed off (Task.Run, Parallel, PLINQ)").AppendLine();
        }

        if (method.Lines.Any(HasRetention))
        {
            text.AppendLine();
            foreach (LineReport line in method.Lines.Where(HasRetention))
            {
                foreach (RetentionPath path in line.RetainedBy)
                {
                    text.Append(inv, $"line {line.Line}: {ByteFormat.Format(path.Bytes)} held by {path.Path}").AppendLine();
                }

                if (line.RetentionOtherPathsBytes > 0)
                {
                    text.Append(inv, $"line {line.Line}: {ByteFormat.Format(line.RetentionOtherPathsBytes)} held by other paths").AppendLine();
                }

                if (line.RetentionNotFoundBytes > 0)
                {
                    text.Append(inv, $"line {line.Line}: {ByteFormat.Format(line.RetentionNotFoundBytes)} not found held: moved or freed since the last GC").AppendLine();
                }
            }
        }

        if (report.Incomplete && method.Lines.Any(l => l.Allocated is not null))
        {
            text.AppendLine();
            text.Append(inv, $"{ReportColumns.IncompleteMark} at least: {report.DroppedEvents:N0} events were dropped, so these figures are lower bounds (see the warning)").AppendLine();
        }
    }

    private static void RenderTraceHeader(StringBuilder text, ProfileReport report)
    {
        string events = report.Exact ? "allocation events" : "allocation samples";
        string causality = report.AsyncCausality ? "; awaits and hand-offs followed (--async)" : "";
        string traces = report.Traces.Count > 1 ? $"Traces:    {report.Traces.Count} in {report.TracePath}, added up: {report.DurationSeconds:F1} s in all" : $"Trace:     {report.TracePath}, {report.DurationSeconds:F1} s";
        text.Append(CultureInfo.InvariantCulture, $"{traces}, {report.AllocationSamples:N0} {events}, {report.DroppedEvents:N0} dropped events{ReportColumns.BufferingPhrase(report.Buffering)}{causality}").AppendLine();
        text.Append("Estimator: ").AppendLine(report.Estimator);
    }

    /// <summary>
    /// The whole-program view: what the program allocated, then the lines and the methods of the user's code that
    /// allocated the most themselves, then how to see every line of one of them.
    /// </summary>
    private void RenderProgram(StringBuilder text, ProfileReport report, ProgramReport program)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        RenderTraceHeader(text, report);
        string atLeast = ReportColumns.AtLeast(report);
        if (program.Everything is not { } everything)
        {
            text.AppendLine("Program:   no allocations");
            return;
        }

        text.Append(inv, $"Program:   {atLeast}{ByteFormat.Format(everything.Bytes)} allocated {Figures(report, everything)}").AppendLine();
        string modules = program.UserModules.Count == 0 ? "none found: no module outside the shared framework has a PDB" : string.Join(", ", program.UserModules);
        double share = program.InUserCode is { } mine && everything.Bytes > 0 ? 100 * mine.Bytes / everything.Bytes : 0;
        if (program.AllCode)
        {
            text.Append("Your code: every module (--all-code): library and framework methods are listed too, with lines where their PDB is found (")
                .Append(string.Join(", ", program.UserModules)).AppendLine(")");
        }
        else
        {
            text.Append(inv, $"Your code: {atLeast}{ByteFormat.Format(program.InUserCode?.Bytes ?? 0)} ({share:F0}%) allocated while it ran; modules with PDBs outside the shared framework: {modules}").AppendLine();
        }
        if (program.Lines.Count == 0)
        {
            text.AppendLine();
            text.AppendLine("None of the allocations was made while your code ran: build it with portable PDBs (the default), or point --symbols at them.");
            return;
        }

        text.AppendLine();
        text.AppendLine("Top lines: what each line allocated itself, or through the library and framework code it called (Self), and while it ran (Inclusive)");
        string header = report.Exact
            ? $"{"Self",12}  {"Objects",12}  {"Inclusive",12}  Line"
            : $"{"Self",12}  {"95% interval",-26}  {"Samples",8}   {"Inclusive",12}  Line";
        text.AppendLine(header);
        text.AppendLine(new string('=', header.Length + 60));
        foreach (HotLine line in program.Lines)
        {
            text.Append(Cells(report, line.Self, line.Inclusive));
            text.Append(inv, $"{Path.GetFileName(line.SourceFile ?? "?")}:{line.Line} in {line.Method}").AppendLine();
            string indent = new(' ', header.Length - "Line".Length);
            if (line.Text is { Length: > 0 } source)
            {
                text.Append(indent).Append("  ").AppendLine(source);
            }

            if (ShowTypes && line.Types.Count > 0)
            {
                text.Append(indent).Append("  ").AppendLine(Types(line.Types));
            }
        }

        text.AppendLine();
        text.AppendLine("Top methods: what was allocated while each ran (Inclusive), and what each allocated itself (Self)");
        string methodHeader = header[..^"Line".Length] + "Method";
        text.AppendLine(methodHeader);
        text.AppendLine(new string('=', methodHeader.Length + 60));
        foreach (HotMethod method in program.Methods)
        {
            text.Append(method.Self is { } self ? Cells(report, self, method.Inclusive) : EmptySelf(report, method.Inclusive));
            text.AppendLine(method.Name);
        }

        foreach (ReportNote note in program.Notes)
        {
            text.AppendLine();
            text.Append("Note: ").AppendLine(NoteWording.English(note, ReportColumns.IncompleteMark));
        }

        string example = program.Lines[0].Method;
        int parameters = example.IndexOf('(', StringComparison.Ordinal);
        text.AppendLine();
        text.Append(inv, $"Every line of one method: dotnet-memline analyze {Quoted(report.TracePath)} --method {(parameters > 0 ? example[..parameters] : example)}").AppendLine();
        if (report.Incomplete)
        {
            text.Append(inv, $"{ReportColumns.IncompleteMark} at least: {report.DroppedEvents:N0} events were dropped, so these figures are lower bounds (see the warning)").AppendLine();
        }

        text.AppendLine();
    }

    private static string Quoted(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;

    /// <summary>"[low, high], N samples" for an estimate; "N objects" for exact sums.</summary>
    private static string Figures(ProfileReport report, EstimateReport estimate) => report.Exact
        ? string.Create(CultureInfo.InvariantCulture, $"({estimate.Bytes:N0} B), {estimate.Objects ?? 0:N0} objects")
        : string.Create(CultureInfo.InvariantCulture, $"{ReportColumns.Interval(estimate)}, {estimate.Samples:N0} samples");

    /// <summary>The figure cells of a row of the whole-program view, with the spaces that follow them.</summary>
    private static string Cells(ProfileReport report, EstimateReport self, EstimateReport inclusive)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        string atLeast = ReportColumns.AtLeast(report);
        string selfBytes = atLeast + ByteFormat.Format(self.Bytes);
        string inclusiveBytes = atLeast + ByteFormat.Format(inclusive.Bytes);
        return report.Exact
            ? $"{selfBytes,12}  {(self.Objects ?? 0).ToString("N0", inv),12}  {inclusiveBytes,12}  "
            : $"{selfBytes,12}  {ReportColumns.Interval(self),-26}  {self.Samples.ToString("N0", inv),8}{(self.LowConfidence ? ReportColumns.LowConfidenceMark : ' ')}  {inclusiveBytes,12}  ";
    }

    private static string EmptySelf(ProfileReport report, EstimateReport inclusive)
    {
        string inclusiveBytes = ReportColumns.AtLeast(report) + ByteFormat.Format(inclusive.Bytes);
        return report.Exact ? $"{"",12}  {"",12}  {inclusiveBytes,12}  " : $"{"",12}  {"",-26}  {"",8}   {inclusiveBytes,12}  ";
    }

    /// <summary>"float[] 92%, string 5%": what a figure is made of, as C# names the types.</summary>
    private static string Types(IReadOnlyList<TypeShare> types) =>
        string.Join(", ", types.Select(t => string.Create(CultureInfo.InvariantCulture, $"{(t.TypeName.Length == 0 ? "(unknown type)" : CSharpNames.TypeName(CSharpNames.Readable(t.TypeName)))} {t.Share * 100:F0}%")));

    private static bool HasRetention(LineReport line) => line.RetainedBy.Count > 0 || line.RetentionOtherPathsBytes > 0 || line.RetentionNotFoundBytes > 0;

    /// <summary>The cells of one row, each padded to its column's width, then its mark's place if it has one, then two spaces.</summary>
    private static string Row(IEnumerable<TableColumn> columns, Func<TableColumn, string> cell, Func<TableColumn, char> mark)
    {
        var row = new StringBuilder();
        foreach (TableColumn column in columns)
        {
            string value = cell(column);
            row.Append(column.LeftAligned ? value.PadRight(column.Width) : value.PadLeft(column.Width));
            if (column.Mark is not null)
            {
                row.Append(mark(column));
            }

            row.Append("  ");
        }

        return row.ToString();
    }

    private static void TrimEnd(StringBuilder text)
    {
        while (text.Length > 0 && text[^1] == ' ')
        {
            text.Length--;
        }
    }
}
