namespace DotnetMemLine.Reporting;

/// <summary>The output formats, by the name <c>--format</c> takes. Register a new renderer here.</summary>
public static class ReportRenderers
{
    /// <summary>Every format, the default first.</summary>
    public static IReadOnlyList<IReportRenderer> All { get; } =
    [
        new TextTableRenderer(),
        new JsonReportWriter(),
        new HtmlReportRenderer(),
        new Pprof.PprofRenderer(),
    ];

    /// <summary>The default format: the %mprun-style tables.</summary>
    public static IReportRenderer Default => All[0];

    /// <summary>The format names, as <c>--format</c> takes them.</summary>
    public static IEnumerable<string> Names => All.Select(r => r.FormatName);

    /// <summary>The renderer of that format name (any case), or null.</summary>
    public static IReportRenderer? Find(string formatName) =>
        All.FirstOrDefault(r => string.Equals(r.FormatName, formatName, StringComparison.OrdinalIgnoreCase));
}
