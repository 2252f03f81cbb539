using DotnetMemLine.Estimation;
using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>Builds one method's table: every line from the signature to the closing brace.</summary>
internal static class MethodReportBuilder
{
    /// <param name="structBoxLines">Exact mode: lines whose boxes the runtime logged only in part (see ProfileAnalyzer).</param>
    /// <param name="hasILMaps">The trace has IL-to-native maps for the method's code (so a frame without a line is the PDB's doing).</param>
    public static MethodReport Build(MethodIdentity method, ModuleSymbols symbols, MethodLineTallies tallies, EstimatorKind estimator, bool runsPrecompiledCode = false, IReadOnlyCollection<int>? structBoxLines = null, bool hasILMaps = false)
    {
        var notes = new List<string>();
        MethodSourceSpan? span = symbols.GetMethodSpan(method.Token);
        string[]? source = null;
        if (span is not null)
        {
            if (!SourceFile.TryReadLines(span.FilePath, out string[]? lines, out string? problem))
            {
                notes.Add(problem == "not found"
                    ? $"source file not found: {span.FilePath}; figures are shown without line text"
                    : $"source file {span.FilePath} is {problem}; figures are shown without line text");
            }
            else if (!symbols.SourceMatchesPdb(span.FilePath))
            {
                notes.Add($"source file changed since the build: {span.FilePath}; line text is hidden so it cannot mislead");
            }
            else
            {
                source = lines;
            }
        }
        else
        {
            notes.Add("the PDB has no sequence points for this method; only lines with samples are shown");
        }

        var lineNumbers = new SortedSet<int>(tallies.ByLine.Keys);
        if (span is not null)
        {
            for (int line = span.FirstLine; line <= span.LastLine; line++)
            {
                lineNumbers.Add(line);
            }
        }

        var rows = new List<LineReport>(lineNumbers.Count);
        foreach (int line in lineNumbers)
        {
            string? text = source is not null && line >= 1 && line <= source.Length ? source[line - 1] : null;
            EstimateReport? allocated = tallies.ByLine.TryGetValue(line, out SampleTally? tally) ? ToReport(tally, estimator) : null;
            long? peak = tallies.PeakHeapByLine.TryGetValue(line, out long p) ? p : null;
            var row = new LineReport(line, text, allocated, peak);
            if (tallies.SharedByLine.TryGetValue(line, out var shared))
            {
                row = row with { SharedPart = ToReport(shared.Part, estimator), SharedWith = [.. shared.Lines] };
            }

            rows.Add(row);
        }

        if (tallies.UnattributedSamples > 0 && runsPrecompiledCode)
        {
            notes.Add(CodeWhereabouts.PrecompiledCode(method, tallies.UnattributedSamples));
        }
        else if (tallies.UnattributedSamples > 0 && hasILMaps)
        {
            // The trace has IL maps for this code: a frame outside them, or a PDB whose sequence points miss it.
            notes.Add($"{tallies.UnattributedSamples:N0} samples in this method got no line: the trace's IL-to-native maps or the PDB's sequence points did not place them (the trace has maps for this code, so a damaged PDB, or not the build's own, is the likelier cause), and they are counted only in the total");
        }
        else if (tallies.UnattributedSamples > 0)
        {
            notes.Add($"{tallies.UnattributedSamples:N0} samples in this method had no IL offset (the trace lacks IL-to-native maps, keyword 0x20000) and are counted only in the total");
        }

        if (tallies.SamplesOnSeveralLines > 0)
        {
            notes.Add($"{tallies.SamplesOnSeveralLines:N0} samples count on more than one line: code written inside a line (a lambda, a local function) or called again from it (recursion) also counts on the line that ran it, so the lines add up to more than the total");
        }

        if (estimator == EstimatorKind.Exact && tallies.ThreadCount > 1)
        {
            notes.Add($"this method allocated on {tallies.ThreadCount:N0} threads: the runtime does not log a thread's first object of a type that another thread logged first, "
                + "so each line may miss up to one object per thread and type (docs/how-it-works.md)");
        }

        if (structBoxLines is { Count: > 0 })
        {
            notes.Add($"{Plural(structBoxLines, "line")} {string.Join(", ", structBoxLines)} {(structBoxLines.Count == 1 ? "boxes" : "box")} a struct in unoptimized code (tier 0 or Debug; its own code or code it calls), which boxes through the runtime's CastHelpers.Box; "
                + $"the runtime logs only some of those objects in exact mode, so {(structBoxLines.Count == 1 ? "that line" : "those lines")} likely allocated more than shown (optimized code's boxes are all logged)");
        }

        return new MethodReport(
            method.DisplayName,
            span?.FilePath,
            tallies.Total.Samples > 0 ? ToReport(tallies.Total, estimator) : null,
            tallies.UnattributedSamples,
            rows,
            notes);
    }

    private static string Plural(IReadOnlyCollection<int> items, string noun) => items.Count == 1 ? noun : noun + "s";

    private static EstimateReport ToReport(SampleTally tally, EstimatorKind estimator)
    {
        AllocationEstimate estimate = AllocationEstimator.Estimate(tally, estimator);
        return new EstimateReport(estimate.Bytes, estimate.LowBytes, estimate.HighBytes, estimate.Samples, estimate.Objects, estimate.LowConfidence);
    }
}
