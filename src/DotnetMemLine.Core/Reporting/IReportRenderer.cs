namespace DotnetMemLine.Reporting;

/// <summary>
/// Turns the finished <see cref="ProfileReport"/> into one output format. A renderer reads the report and
/// nothing else: adding a format is a class implementing this and a line in <see cref="ReportRenderers"/>.
/// </summary>
public interface IReportRenderer
{
    /// <summary>The name <c>--format</c> takes (lower case): <c>text</c>, <c>json</c>.</summary>
    string FormatName { get; }

    /// <summary>One phrase for <c>--help</c>: what the format is for.</summary>
    string Description { get; }

    /// <summary>
    /// True when a program, not a person, reads the output (JSON): no progress line then while it goes to a pipe,
    /// and a launched target's own output is kept off stdout.
    /// </summary>
    bool IsForPrograms { get; }

    /// <summary>Writes the whole report to <paramref name="output"/>.</summary>
    void Render(ProfileReport report, TextWriter output);
}

/// <summary>A renderer of a binary format (pprof): written to a file or a pipe, never to a terminal.</summary>
public interface IBinaryReportRenderer : IReportRenderer
{
    /// <summary>Writes the whole report to <paramref name="output"/>.</summary>
    void Render(ProfileReport report, Stream output);
}

/// <summary>Helpers every renderer gets.</summary>
public static class ReportRendererExtensions
{
    /// <summary>The rendered report as a string (tests, and callers that post-process it).</summary>
    public static string RenderToString(this IReportRenderer renderer, ProfileReport report)
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
        renderer.Render(report, text);
        return text.ToString();
    }
}
