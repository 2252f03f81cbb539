using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace DotnetMemLine.Reporting;

/// <summary>
/// The report as one self-contained HTML page (styles inline, no script, nothing fetched): each method's table with a
/// bar and an error bar per line, the source highlighted, the types under each line, the notes; and the recording's
/// timeline as memory_profiler's <c>mprof plot</c> draws it, in SVG, each point titled with its time and values (shown
/// on hover, and read by screen readers). Nothing is told by colour alone: GC generations differ by shape, marks are text.
/// Each row carries its figures as data attributes, the JSON's numbers, for programs and tests.
/// </summary>
public sealed partial class HtmlReportRenderer : IReportRenderer
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "async", "await", "base", "bool", "break", "byte", "case", "catch", "char", "class", "const", "continue", "decimal", "default",
        "delegate", "do", "double", "else", "enum", "false", "finally", "float", "for", "foreach", "if", "in", "int", "interface", "internal", "is",
        "lock", "long", "namespace", "new", "null", "object", "out", "override", "private", "protected", "public", "readonly", "record", "ref",
        "return", "sealed", "short", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "using",
        "var", "virtual", "void", "when", "where", "while", "yield",
    };

    /// <inheritdoc/>
    public string FormatName => "html";

    /// <inheritdoc/>
    public string Description => "one self-contained page: the tables with bars, the timeline";

    /// <inheritdoc/>
    public bool IsForPrograms => true;

    /// <inheritdoc/>
    public void Render(ProfileReport report, TextWriter output)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n");
        html.Append("<title>dotnet-memline: ").Append(E(Path.GetFileName(report.TracePath))).Append("</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body>\n");
        html.Append("<header><h1>dotnet-memline</h1><p>").Append(E(report.TracePath)).Append(Inv, $", {report.DurationSeconds:F1} s, {report.AllocationSamples:N0} allocation {(report.Exact ? "events" : "samples")}, {report.DroppedEvents:N0} dropped events{ReportColumns.BufferingPhrase(report.Buffering)}. ")
            .Append(E(report.Estimator)).Append(".</p>");
        if (report.Methods.Count > 1)
        {
            html.Append("<nav aria-label=\"methods\"><ul>");
            for (int i = 0; i < report.Methods.Count; i++)
            {
                html.Append(Inv, $"<li><a href=\"#m{i}\">").Append(E(report.Methods[i].Name)).Append("</a></li>");
            }

            html.Append("</ul></nav>");
        }

        html.Append("</header>\n<main>\n");
        if (report.Timeline is { } timeline)
        {
            Timeline(html, report, timeline);
        }

        if (report.Program is { } program)
        {
            Program(html, program);
        }

        for (int i = 0; i < report.Methods.Count; i++)
        {
            Method(html, report, report.Methods[i], i);
        }

        if (report.Warnings.Count > 0)
        {
            html.Append("<section><h2>Warnings</h2><ul class=\"notes\">");
            foreach (ReportNote warning in report.Warnings)
            {
                html.Append("<li>").Append(E(NoteWording.English(warning))).Append("</li>");
            }

            html.Append("</ul></section>\n");
        }

        html.Append("</main>\n</body>\n</html>\n");
        output.Write(html.ToString());
    }

    private static void Method(StringBuilder html, ProfileReport report, MethodReport method, int index)
    {
        html.Append(Inv, $"<section class=\"method\" id=\"m{index}\" aria-labelledby=\"m{index}-name\">\n<h2 id=\"m{index}-name\">").Append(E(method.Name)).Append("</h2>\n<dl>");
        html.Append("<dt>Source</dt><dd>").Append(E(method.SourceFile ?? "(unknown)")).Append("</dd>");
        html.Append("<dt>Allocated while it ran</dt><dd>").Append(method.TotalAllocated is { } total ? Figure(total, report.Exact) : "nothing").Append("</dd>");
        if (method.HeapAtGCs is { } heap)
        {
            html.Append("<dt>Peak heap</dt><dd>").Append(E(ByteFormat.Format(heap.PeakBytes))).Append(Inv, $" at the largest of {heap.GCs:N0} GCs</dd>");
        }

        if (method.TotalPeakLive is { } peakLive)
        {
            html.Append("<dt>Peak live</dt><dd>").Append(Figure(peakLive, report.Exact)).Append("</dd>");
        }

        html.Append("</dl>\n");
        if (method.Notes.Count > 0)
        {
            html.Append("<ul class=\"notes\">");
            foreach (ReportNote note in method.Notes)
            {
                html.Append("<li>").Append(E(NoteWording.English(note))).Append("</li>");
            }

            html.Append("</ul>\n");
        }

        double scale = Math.Max(1, method.Lines.Max(l => l.Allocated?.HighBytes ?? 0));
        bool live = report.FollowsLifetimes;
        html.Append(Inv, $"<table class=\"lines\"><caption>Each line of {E(method.Name)}: what it allocated while it ran (the bar, with its 95% interval as the whisker){(live ? ", and the most of it alive at one GC (the thin bar under it, and the Peak live column)" : "")}</caption>\n<thead><tr><th scope=\"col\">Line</th><th scope=\"col\">Allocated</th><th scope=\"col\">{(report.Exact ? "Objects" : "95% interval")}</th><th scope=\"col\">{(report.Exact ? "Bytes" : "Samples")}</th>");
        html.Append(live ? "<th scope=\"col\">Peak live</th><th scope=\"col\">Live at end</th>" : "").Append("<th scope=\"col\">Peak heap</th><th scope=\"col\">Source</th></tr></thead>\n<tbody>\n");
        foreach (LineReport line in method.Lines)
        {
            EstimateReport? a = line.Allocated;
            html.Append(Inv, $"<tr id=\"m{index}-l{line.Line}\" data-line=\"{line.Line}\"");
            if (a is not null)
            {
                html.Append(Inv, $" tabindex=\"0\" data-allocated-bytes=\"{Math.Round(a.Bytes)}\" data-allocated-low=\"{Math.Round(a.LowBytes)}\" data-allocated-high=\"{Math.Round(a.HighBytes)}\" data-samples=\"{a.Samples}\"");
            }

            html.Append(Inv, $"><td class=\"num\">{line.Line}</td><td class=\"fig\">");
            if (a is not null)
            {
                Bar(html, a, scale, line.PeakLive);
                html.Append(E(ByteFormat.Format(a.Bytes)));
            }

            html.Append("</td><td class=\"num\">").Append(a is null ? "" : report.Exact ? (a.Objects ?? 0).ToString("N0", Inv) : E(ReportColumns.Interval(a)))
                .Append("</td><td class=\"num\">").Append(a is null ? "" : report.Exact ? a.Bytes.ToString("N0", Inv) : a.Samples.ToString("N0", Inv) + (a.LowConfidence ? " (few)" : ""));
            if (live)
            {
                html.Append("</td><td class=\"num\">").Append(line.PeakLive is { } p ? E(ByteFormat.Format(p.Bytes)) : "")
                    .Append("</td><td class=\"num\">").Append(line.LiveAtEnd is { } l ? E(ByteFormat.Format(l.Bytes)) : "");
            }

            html.Append("</td><td class=\"num\">").Append(line.PeakHeapBytes is long peak ? E(ByteFormat.Format(peak)) : "")
                .Append("</td><td class=\"src\"><code>").Append(Highlight(line.Text ?? "")).Append("</code>");
            if (line.Types.Count > 0)
            {
                html.Append("<details><summary>types</summary><ul class=\"types\">");
                foreach (TypeShare type in line.Types)
                {
                    html.Append("<li>").Append(E(type.TypeName.Length == 0 ? "(unknown type)" : CSharpNames.TypeName(CSharpNames.Readable(type.TypeName))))
                        .Append(Inv, $" {type.Share * 100:F0}%: ").Append(E(ByteFormat.Format(type.Allocated.Bytes))).Append("</li>");
                }

                html.Append("</ul></details>");
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</tbody></table>\n");
        if (method.Callees is { Bytes: > 0 } callees)
        {
            FlameGraph(html, method, callees);
        }

        html.Append("</section>\n");
    }

    /// <summary>The method's callees as an icicle (a flame graph, callers above callees): each box as wide as what was allocated under it.</summary>
    private static void FlameGraph(StringBuilder html, MethodReport method, CallTreeNode root)
    {
        const double Width = 960, Row = 18;
        var boxes = new List<(CallTreeNode Node, double X, int Depth)>();
        void Place(CallTreeNode node, double x, int depth)
        {
            boxes.Add((node, x, depth));
            double childX = x;
            foreach (CallTreeNode child in node.Children)
            {
                Place(child, childX, depth + 1);
                childX += Width * child.Bytes / root.Bytes;
            }
        }

        Place(root, 0, 0);
        int depths = boxes.Max(b => b.Depth) + 1;
        html.Append("<figure class=\"flame\"><figcaption>What ").Append(E(method.Name))
            .Append(" and the methods it called allocated, by call path: each box as wide as what was allocated under it, callers above callees. Hover a box for its figure.</figcaption>\n");
        html.Append(Inv, $"<svg viewBox=\"0 0 {Width} {depths * Row}\" role=\"img\" aria-label=\"Flame graph of what {E(method.Name)} and its callees allocated\">\n");
        foreach ((CallTreeNode node, double x, int depth) in boxes)
        {
            double width = Width * node.Bytes / root.Bytes;
            string title = string.Create(Inv, $"{node.Method}: {ByteFormat.Format(node.Bytes)} ({100 * node.Bytes / root.Bytes:F1}%)");
            html.Append(Inv, $"<g class=\"box d{depth % 4}\"><title>{E(title)}</title><rect x=\"{x:F1}\" y=\"{depth * Row:F1}\" width=\"{Math.Max(0.5, width - 1):F1}\" height=\"{Row - 2}\"/>");
            if (width > 60)
            {
                int fits = (int)((width - 8) / 6.5);
                string label = node.Method.Length <= fits ? node.Method : node.Method[..Math.Max(1, fits - 1)] + "…";
                html.Append(Inv, $"<text x=\"{x + 4:F1}\" y=\"{(depth * Row) + 12:F1}\">{E(label)}</text>");
            }

            html.Append("</g>\n");
        }

        html.Append("</svg></figure>\n");
    }

    private static void Program(StringBuilder html, ProgramReport program)
    {
        html.Append("<section id=\"program\"><h2>Top lines of your code</h2><p>Self: what each line allocated itself, or through the library and framework code it called; inclusive: while it ran.</p>\n");
        html.Append("<table class=\"lines\"><caption>The lines that allocated the most</caption><thead><tr><th scope=\"col\">Self</th><th scope=\"col\">95% interval</th><th scope=\"col\">Inclusive</th><th scope=\"col\">Where</th><th scope=\"col\">Source</th></tr></thead><tbody>\n");
        double scale = Math.Max(1, program.Lines.Count == 0 ? 1 : program.Lines.Max(l => l.Self.HighBytes));
        foreach (HotLine line in program.Lines)
        {
            html.Append(Inv, $"<tr tabindex=\"0\" data-line=\"{line.Line}\" data-self-bytes=\"{Math.Round(line.Self.Bytes)}\" data-inclusive-bytes=\"{Math.Round(line.Inclusive.Bytes)}\"><td>");
            Bar(html, line.Self, scale);
            html.Append(E(ByteFormat.Format(line.Self.Bytes))).Append("</td><td class=\"num\">").Append(E(ReportColumns.Interval(line.Self))).Append("</td><td class=\"num\">")
                .Append(E(ByteFormat.Format(line.Inclusive.Bytes))).Append("</td><td>").Append(E($"{Path.GetFileName(line.SourceFile ?? "?")}:{line.Line} in {line.Method}"))
                .Append("</td><td class=\"src\"><code>").Append(Highlight(line.Text ?? "")).Append("</code></td></tr>\n");
        }

        html.Append("</tbody></table>\n<h2>Top methods</h2><table class=\"lines\"><caption>By what was allocated while each ran</caption><thead><tr><th scope=\"col\">Inclusive</th><th scope=\"col\">Self</th><th scope=\"col\">Method</th></tr></thead><tbody>\n");
        foreach (HotMethod method in program.Methods)
        {
            html.Append("<tr><td class=\"num\">").Append(E(ByteFormat.Format(method.Inclusive.Bytes))).Append("</td><td class=\"num\">")
                .Append(method.Self is { } self ? E(ByteFormat.Format(self.Bytes)) : "").Append("</td><td>").Append(E(method.Name)).Append("</td></tr>\n");
        }

        html.Append("</tbody></table></section>\n");
    }

    /// <summary>The timeline: the GC heap before and after each GC (lines and points, shaped by generation), the allocation rate (bars), when each method ran (bands).</summary>
    private static void Timeline(StringBuilder html, ProfileReport report, RecordingTimeline timeline)
    {
        const double Width = 960, Height = 260, Left = 70, Right = 10, Top = 10, Bottom = 40;
        double duration = Math.Max(timeline.DurationSeconds, Math.Max(timeline.GCs.Count == 0 ? 0 : timeline.GCs[^1].TimeSeconds, timeline.Allocation.Count * timeline.BucketSeconds));
        duration = Math.Max(duration, 0.001);
        double heapScale = Math.Max(1, Math.Max(timeline.GCs.Count == 0 ? 1 : timeline.GCs.Max(g => Math.Max(g.HeapBeforeBytes ?? 0, g.HeapAfterBytes)),
            timeline.ResidentMemory.Count == 0 ? 1 : timeline.ResidentMemory.Max(r => r.Bytes)));
        double rateScale = Math.Max(1, timeline.Allocation.Count == 0 ? 1 : timeline.Allocation.Max());
        double X(double seconds) => Left + ((Width - Left - Right) * seconds / duration);
        double Y(double bytes, double scale) => Top + ((Height - Top - Bottom) * (1 - (bytes / scale)));

        html.Append("<section id=\"timeline\"><h2>Timeline</h2><p>The GC heap when each GC began (●, ■, ◆ for generations 0, 1, 2, on the solid line) and ended (the dashed line), the process's resident memory (the dotted line, sampled every 0.1 s while recording), the allocation rate (grey bars, right scale), and when each method ran (bands). Hover a point for its values.</p>\n");
        html.Append(Inv, $"<svg class=\"timeline\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"Timeline of the recording: {timeline.GCs.Count} GCs over {duration:F1} s\">\n");
        for (int i = 0; i < timeline.MethodSpans.Count && i < report.Methods.Count; i++)
        {
            if (timeline.MethodSpans[i] is not { } span)
            {
                continue;
            }

            html.Append(Inv, $"<rect class=\"span span{i % 4}\" x=\"{X(span.Start):F1}\" y=\"{Top}\" width=\"{Math.Max(1, X(span.End) - X(span.Start)):F1}\" height=\"{Height - Top - Bottom}\"><title>")
                .Append(E(report.Methods[i].Name)).Append(Inv, $" ran from {span.Start:F2} s to {span.End:F2} s</title></rect>\n");
        }

        for (int i = 0; i < timeline.Allocation.Count; i++)
        {
            double bytes = timeline.Allocation[i];
            double rate = bytes / timeline.BucketSeconds;
            html.Append(Inv, $"<rect class=\"rate\" x=\"{X(i * timeline.BucketSeconds):F1}\" y=\"{Y(bytes, rateScale):F1}\" width=\"{Math.Max(0.5, X(timeline.BucketSeconds) - X(0) - 0.5):F1}\" height=\"{Height - Bottom - Y(bytes, rateScale):F1}\"><title>")
                .Append(Inv, $"{i * timeline.BucketSeconds:F1} s: {E(ByteFormat.Format(rate))}/s allocated</title></rect>\n");
        }

        string before = string.Join(' ', timeline.GCs.Where(g => g.HeapBeforeBytes is not null).Select(g => string.Create(Inv, $"{X(g.TimeSeconds):F1},{Y(g.HeapBeforeBytes!.Value, heapScale):F1}")));
        string after = string.Join(' ', timeline.GCs.Select(g => string.Create(Inv, $"{X(g.TimeSeconds):F1},{Y(g.HeapAfterBytes, heapScale):F1}")));
        html.Append("<polyline class=\"heap-before\" points=\"").Append(before).Append("\"/>\n<polyline class=\"heap-after\" points=\"").Append(after).Append("\"/>\n");
        if (timeline.ResidentMemory.Count > 0)
        {
            string rss = string.Join(' ', timeline.ResidentMemory.Select(r => string.Create(Inv, $"{X(r.Seconds):F1},{Y(r.Bytes, heapScale):F1}")));
            html.Append(Inv, $"<polyline class=\"rss\" points=\"{rss}\"><title>resident memory (RSS), {timeline.ResidentMemory.Count} samples, up to {E(ByteFormat.Format(timeline.ResidentMemory.Max(r => r.Bytes)))}</title></polyline>\n");
        }

        foreach (GCPoint gc in timeline.GCs)
        {
            double x = X(gc.TimeSeconds), y = Y(gc.HeapBeforeBytes ?? gc.HeapAfterBytes, heapScale);
            string title = string.Create(Inv, $"{gc.TimeSeconds:F2} s: generation {gc.Generation} GC, heap {(gc.HeapBeforeBytes is long b ? ByteFormat.Format(b) + " before, " : "")}{ByteFormat.Format(gc.HeapAfterBytes)} after");
            string shape = gc.Generation switch
            {
                0 => string.Create(Inv, $"<circle class=\"gc gen0\" cx=\"{x:F1}\" cy=\"{y:F1}\" r=\"3.5\">"),
                1 => string.Create(Inv, $"<rect class=\"gc gen1\" x=\"{x - 3.5:F1}\" y=\"{y - 3.5:F1}\" width=\"7\" height=\"7\">"),
                _ => string.Create(Inv, $"<polygon class=\"gc gen2\" points=\"{x:F1},{y - 5:F1} {x + 5:F1},{y:F1} {x:F1},{y + 5:F1} {x - 5:F1},{y:F1}\">"),
            };
            html.Append(shape).Append("<title>").Append(E(title)).Append("</title>").Append(gc.Generation switch { 0 => "</circle>", 1 => "</rect>", _ => "</polygon>" }).Append('\n');
        }

        // Axes: time below, heap on the left, rate on the right.
        html.Append(Inv, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\"/><line class=\"axis\" x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\"/>\n");
        for (int tick = 0; tick <= 4; tick++)
        {
            double t = duration * tick / 4;
            html.Append(Inv, $"<text x=\"{X(t):F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{t:F1} s</text>");
            html.Append(Inv, $"<text x=\"{Left - 4}\" y=\"{Y(heapScale * tick / 4, heapScale) + 4:F1}\" text-anchor=\"end\">{E(ByteFormat.Format(heapScale * tick / 4))}</text>\n");
        }

        html.Append(Inv, $"<text x=\"{Width - Right}\" y=\"{Top + 10}\" text-anchor=\"end\">rate up to {E(ByteFormat.Format(rateScale / timeline.BucketSeconds))}/s</text>\n</svg>\n</section>\n");
    }

    /// <summary>A bar for the figure, to scale, with its interval as a whisker; under it a thin bar for what the line held at once (peak live), when known.</summary>
    private static void Bar(StringBuilder html, EstimateReport figure, double scale, EstimateReport? peakLive = null)
    {
        const double Width = 120;
        html.Append(Inv, $"<svg class=\"bar\" width=\"{Width}\" height=\"14\" aria-hidden=\"true\"><rect x=\"0\" y=\"1\" width=\"{Width * figure.Bytes / scale:F1}\" height=\"8\"/>");
        if (figure.HighBytes > figure.LowBytes)
        {
            html.Append(Inv, $"<line x1=\"{Width * figure.LowBytes / scale:F1}\" y1=\"5\" x2=\"{Width * figure.HighBytes / scale:F1}\" y2=\"5\"/>");
        }

        if (peakLive is not null)
        {
            html.Append(Inv, $"<rect class=\"live\" x=\"0\" y=\"11\" width=\"{Width * Math.Min(peakLive.Bytes, scale) / scale:F1}\" height=\"3\"/>");
        }

        html.Append("</svg> ");
    }

    private static string Figure(EstimateReport figure, bool exact) => exact
        ? E(string.Create(Inv, $"{ByteFormat.Format(figure.Bytes)} ({figure.Bytes:N0} B), {figure.Objects ?? 0:N0} objects"))
        : E(string.Create(Inv, $"{ByteFormat.Format(figure.Bytes)} {ReportColumns.Interval(figure)}, {figure.Samples:N0} samples"));

    /// <summary>A C# line with its keywords, strings, numbers and comments marked, the rest escaped.</summary>
    internal static string Highlight(string line)
    {
        var html = new StringBuilder();
        foreach (Match token in Token().Matches(TerminalText.Clean(line)))
        {
            string text = token.Value;
            string? kind = token.Groups["comment"].Success ? "com" : token.Groups["string"].Success ? "str" : token.Groups["number"].Success ? "lit"
                : token.Groups["word"].Success && Keywords.Contains(text) ? "kw" : null;
            html.Append(kind is null ? E(text) : $"<span class=\"{kind}\">{E(text)}</span>");
        }

        return html.ToString();
    }

    /// <summary>Text for the page: control characters dropped (strings from traces and PDBs are untrusted), HTML escaped.</summary>
    internal static string E(string text) => WebUtility.HtmlEncode(TerminalText.Clean(text));

    [GeneratedRegex("""(?<comment>//.*$)|(?<string>@?\$?"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)|(?<number>\b\d[\d_]*(?:\.\d+)?[fFdDmMlLuU]*\b)|(?<word>\b[A-Za-z_]\w*\b)|(?<other>\s+|.)""")]
    private static partial Regex Token();

    /// <summary>The page's styles, shared with the diff's page.</summary>
    internal const string Style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5em 2em;color:#1b1b1b;background:#fff}
        h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;word-break:break-all}
        table.lines{border-collapse:collapse;width:100%;margin:.6em 0}
        caption{text-align:left;color:#555;padding:.3em 0}
        th,td{padding:2px 8px;border-bottom:1px solid #e4e4e4;vertical-align:top;text-align:left}
        td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
        td.src code{white-space:pre;font:13px/1.3 ui-monospace,monospace}
        tr:focus{outline:2px solid #2463eb;outline-offset:-2px}
        svg.bar{vertical-align:middle}svg.bar rect{fill:#4a7fd4}svg.bar rect.live{fill:#b3261e}svg.bar line{stroke:#111;stroke-width:1.5}
        .kw{color:#0033b3;font-weight:600}.str{color:#067d17}.lit{color:#1750eb}.com{color:#6e6e6e;font-style:italic}
        td.fig{white-space:nowrap}
        ul.notes li{margin:.2em 0;color:#5a3d00}
        svg.timeline{width:100%;max-width:1000px;height:auto;font:11px system-ui,sans-serif}
        .rate{fill:#c9c9c9}.axis{stroke:#333}.heap-before{fill:none;stroke:#b3261e;stroke-width:1.5}
        .heap-after{fill:none;stroke:#b3261e;stroke-width:1.5;stroke-dasharray:4 3}
        .gc{fill:#b3261e;stroke:#fff}.rss{fill:none;stroke:#1f3a93;stroke-width:2;stroke-dasharray:1 3;stroke-linecap:round}.span{opacity:.18}.span0{fill:#2463eb}.span1{fill:#0b8a3e}.span2{fill:#a15c00}.span3{fill:#7a2bb5}
        details{display:inline-block;margin-left:1em}summary{cursor:pointer;color:#2463eb}
        figure.flame{margin:1em 0}figure.flame svg{width:100%;max-width:1000px;height:auto;font:11px ui-monospace,monospace}
        .box rect{stroke:#fff}.d0 rect{fill:#f2b8a0}.d1 rect{fill:#f5cf9a}.d2 rect{fill:#e9dd9c}.d3 rect{fill:#d7e3a5}
        """;
}
