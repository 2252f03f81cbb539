using DotnetMemLine.Estimation;
using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>Builds one method's table: every line from the signature to the closing brace.</summary>
internal static class MethodReportBuilder
{
    /// <summary>Allocations on other threads while the method ran get a note from this share of its total on.</summary>
    private const double ElsewhereNoteShare = 0.05;

    /// <param name="structBoxLines">Exact mode: lines whose boxes the runtime logged only in part (see ProfileAnalyzer).</param>
    /// <param name="hasILMaps">The trace has IL-to-native maps for the method's code (so a frame without a line is the PDB's doing).</param>
    /// <param name="estimator">How the tallies become bytes and intervals.</param>
    /// <param name="method">The selected method.</param>
    /// <param name="runsPrecompiledCode">Some of the method's code in the trace is ReadyToRun code, which has no IL-to-native map.</param>
    /// <param name="symbols">The PDB of its module: its span of source and its lines.</param>
    /// <param name="tallies">The samples charged to its lines.</param>
    /// <param name="traceFollowsCausality">The trace has the TPL's causality events (<c>--async</c>).</param>
    /// <param name="typeNames">The trace's type names, for what each line allocated (<see cref="LineReport.Types"/>).</param>
    /// <param name="delegateLines">Exact mode: lines that combine or remove delegates, whose combined delegates the runtime does not log.</param>
    public static MethodReport Build(MethodIdentity method, ModuleSymbols symbols, MethodLineTallies tallies, EstimatorKind estimator, bool runsPrecompiledCode = false,
        IReadOnlyCollection<int>? structBoxLines = null, bool hasILMaps = false, bool traceFollowsCausality = false, IReadOnlyList<string>? typeNames = null,
        IReadOnlyCollection<int>? delegateLines = null)
    {
        var notes = new List<ReportNote>();
        MethodSourceSpan? span = symbols.GetMethodSpan(method.Token);
        string[]? source = span is null ? null : SourceText(span, symbols, notes);
        if (span is null)
        {
            notes.Add(new NoSequencePointsNote());
        }

        List<LineReport> rows = Rows(span, source, tallies, estimator, typeNames ?? []);
        if (tallies.UnattributedSamples > 0 && runsPrecompiledCode)
        {
            notes.Add(new PrecompiledCodeNote(tallies.UnattributedSamples, Path.GetFileName(method.ModulePath), Path.GetFileNameWithoutExtension(method.ModulePath)));
        }
        else if (tallies.UnattributedSamples > 0)
        {
            // With IL maps for this code: a frame outside them, or a PDB whose sequence points miss it.
            notes.Add(new UnplacedSamplesNote(tallies.UnattributedSamples, TraceHasMaps: hasILMaps));
        }

        if (tallies.SamplesOnSeveralLines > 0)
        {
            notes.Add(new NestedLinesNote(tallies.SamplesOnSeveralLines));
        }

        if (estimator == EstimatorKind.Exact && tallies.ThreadCount > 1)
        {
            notes.Add(new SeveralThreadsNote(tallies.ThreadCount));
        }

        if (structBoxLines is { Count: > 0 })
        {
            notes.Add(new StructBoxesNote([.. structBoxLines]));
        }

        if (delegateLines is { Count: > 0 })
        {
            notes.Add(new DelegatesCombinedNote([.. delegateLines]));
        }

        if (tallies.FollowsLifetimes && tallies.NoGCAfterFirstAllocation)
        {
            notes.Add(new NoGCWhileItHeldNote());
        }
        else if (tallies.FollowsLifetimes && tallies.LiveAtEnd.Samples > 0 && !tallies.FullGCAfterLastAllocation)
        {
            notes.Add(new NoFinalGCNote());
        }

        // Allocations elsewhere are worth a note once they are a noticeable share of what the method allocated.
        if (tallies.Elsewhere.Samples > 0 && tallies.Total.Samples > 0)
        {
            double elsewhere = AllocationEstimator.Estimate(tallies.Elsewhere, estimator).Bytes;
            if (elsewhere >= ElsewhereNoteShare * AllocationEstimator.Estimate(tallies.Total, estimator).Bytes)
            {
                notes.Add(new ElsewhereNote(elsewhere, tallies.ElsewhereThreads, traceFollowsCausality));
            }
        }

        return new MethodReport(
            method.DisplayName,
            span?.FilePath,
            tallies.Total.Samples > 0 ? ToReport(tallies.Total, estimator) : null,
            tallies.UnattributedSamples,
            rows,
            notes)
        {
            TotalPeakLive = tallies.PeakLive.Samples > 0 ? ToReport(tallies.PeakLive, estimator) : null,
            TotalLiveAtEnd = tallies.LiveAtEnd.Samples > 0 ? ToReport(tallies.LiveAtEnd, estimator) : null,
            HeapAtGCs = tallies.HeapAtGCs is { GCs: > 0 } gcs
                ? new GCHeapReport(gcs.GCs, gcs.PeakBefore >= 0 ? gcs.PeakBefore : null, Math.Max(0, gcs.PeakAfter))
                : null,
        };
    }

    /// <summary>The method's source lines, or null (and a note why) when the file cannot be read or is not the one the PDB was built from.</summary>
    private static string[]? SourceText(MethodSourceSpan span, ModuleSymbols symbols, List<ReportNote> notes)
    {
        SourceRead source = symbols.ReadSource(span.FilePath);
        if (source.Problem is { } problem)
        {
            notes.Add(new SourceUnreadableNote(span.FilePath, problem));
        }
        else if (source.ChangedSinceBuild)
        {
            notes.Add(new SourceChangedNote(span.FilePath));
        }

        return source.Lines;
    }

    /// <summary>A row for every line from the signature to the closing brace, and for any other line with samples.</summary>
    private static List<LineReport> Rows(MethodSourceSpan? span, string[]? source, MethodLineTallies tallies, EstimatorKind estimator, IReadOnlyList<string> typeNames)
    {
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
            var row = new LineReport(line, text, allocated, peak)
            {
                Types = allocated is not null && tallies.TypesByLine.TryGetValue(line, out var types) ? TypesOf(types, allocated.Bytes, estimator, typeNames) : [],
            };
            if (tallies.SharedByLine.TryGetValue(line, out var shared))
            {
                row = row with { SharedPart = ToReport(shared.Part, estimator), SharedWith = [.. shared.Lines] };
            }

            if (tallies.PeakLiveByLine.TryGetValue(line, out SampleTally? peakLive) && peakLive.Samples > 0)
            {
                row = row with { PeakLive = ToReport(peakLive, estimator) };
            }

            if (tallies.LiveAtEndByLine.TryGetValue(line, out SampleTally? liveAtEnd) && liveAtEnd.Samples > 0)
            {
                row = row with { LiveAtEnd = ToReport(liveAtEnd, estimator) };
            }

            if (tallies.HandedOffByLine.TryGetValue(line, out var handedOff))
            {
                row = row with { HandedOffPart = ToReport(handedOff.Part, estimator), HandedOffThreads = handedOff.Threads.Count };
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The types that make up a figure of <paramref name="totalBytes"/>, most bytes first, the first <see cref="TypeShare.Listed"/>.</summary>
    internal static IReadOnlyList<TypeShare> TypesOf(Dictionary<int, SampleTally> types, double totalBytes, EstimatorKind estimator, IReadOnlyList<string> typeNames) =>
        [.. types
            .Select(t => (Name: (uint)t.Key < (uint)typeNames.Count ? typeNames[t.Key] : "", Allocated: ToReport(t.Value, estimator)))
            .OrderByDescending(t => t.Allocated.Bytes)
            .Take(TypeShare.Listed)
            .Select(t => new TypeShare(t.Name, t.Allocated, totalBytes > 0 ? Math.Min(1, t.Allocated.Bytes / totalBytes) : 0))];

    internal static EstimateReport ToReport(SampleTally tally, EstimatorKind estimator)
    {
        AllocationEstimate estimate = AllocationEstimator.Estimate(tally, estimator);
        return new EstimateReport(estimate.Bytes, estimate.LowBytes, estimate.HighBytes, estimate.Samples, estimate.Objects, estimate.LowConfidence);
    }
}
