using System.Text;
using static AccuracyRunner.Statistics;

namespace AccuracyRunner;

/// <summary>Where and how the suite ran, for the report's header.</summary>
internal sealed record SuiteContext(string Command, string Machine, string Runtime, string Commit, DateTimeOffset Started);

/// <summary>All runs of one recording mode and how long they took.</summary>
internal sealed record ModeResults(RecordingMode Mode, IReadOnlyList<RunObservation> Runs, TimeSpan Elapsed, IReadOnlyList<string> Failures);

/// <summary>
/// Turns the observations into the Markdown report (docs/accuracy.md quotes it): the goals and
/// whether they were met, then total, per-sample-count-group, per-line and per-method tables.
/// </summary>
internal static class AccuracyReport
{
    /// <summary>The total of the checked lines should be within this of the truth in every run.</summary>
    public const double TotalGoal = 0.02;

    /// <summary>Every line with at least <see cref="LineGoalMinimumSamples"/> samples should be within this of its truth.</summary>
    public const double LineGoal = 0.06;

    public const long LineGoalMinimumSamples = 1_000;

    /// <summary>The 95% intervals should hold the truth at least this often.</summary>
    public const double CoverageGoal = 0.90;

    /// <summary>Lines with fewer samples than this should be flagged <c>lowConfidence</c>.</summary>
    public const long LowConfidenceBelow = 100;

    private static readonly SampleGroup[] s_groups =
    [
        new("< 100", 0, 99),
        new("100–999", 100, 999),
        new("≥ 1,000", 1_000, long.MaxValue),
    ];

    public static string Render(SuiteContext context, IReadOnlyList<ModeResults> modes)
    {
        var report = new StringBuilder();
        report.AppendLine("# dotnet-memline accuracy suite: results");
        report.AppendLine();
        report.AppendLine($"- Command: `{context.Command}`");
        report.AppendLine($"- Machine: {context.Machine}");
        report.AppendLine($"- Runtime: {context.Runtime}");
        report.AppendLine($"- Commit: {context.Commit}");
        report.AppendLine($"- Started: {context.Started:yyyy-MM-dd HH:mm} UTC");
        foreach (ModeResults mode in modes)
        {
            RenderMode(report, mode);
        }

        return report.ToString();
    }

    private static void RenderMode(StringBuilder report, ModeResults results)
    {
        IReadOnlyList<RunObservation> runs = results.Runs;
        string title = results.Mode == RecordingMode.Sampling
            ? "AllocationSampled (`dotnet-memline run`)"
            : "AllocationTick (`dotnet-trace collect` without the AllocationSampling keyword, then `dotnet-memline analyze`)";
        report.AppendLine();
        report.AppendLine($"## {title}");
        report.AppendLine();
        if (runs.Count == 0)
        {
            report.AppendLine($"No successful runs ({results.Failures.Count} failed).");
            RenderFailures(report, results.Failures);
            return;
        }

        List<LineObservation> lines = [.. runs.SelectMany(r => r.Lines)];
        report.AppendLine(
            $"{runs.Count} runs in {Seconds(results.Elapsed)} ({Seconds(results.Elapsed / runs.Count)} per run, recording and analysis); "
            + $"each run: {runs[0].Lines.Count} checked lines in {runs[0].Methods.Count} methods, "
            + $"{Bytes(runs.Average(r => r.TruthBytes))} allocated on them (exact truth), "
            + $"{Count(runs.Average(r => r.AllocationSamples))} allocation events in the trace on average.");
        RenderDataQuality(report, results, lines);

        report.AppendLine();
        report.AppendLine("### Goals");
        report.AppendLine();
        RenderGoals(report, runs, lines);

        report.AppendLine();
        report.AppendLine("### Total of the checked lines, per run");
        report.AppendLine();
        RenderTotals(report, runs);

        report.AppendLine();
        report.AppendLine("### Lines, grouped by the samples the line got in that run");
        report.AppendLine();
        RenderGroups(report, lines);

        report.AppendLine();
        report.AppendLine("### Each line over all runs");
        report.AppendLine();
        RenderLines(report, lines);

        report.AppendLine();
        report.AppendLine("### Each method's `total` (everything allocated while it ran) against the sum of its lines' truth");
        report.AppendLine();
        RenderMethods(report, [.. runs.SelectMany(r => r.Methods)]);
    }

    private static void RenderDataQuality(StringBuilder report, ModeResults results, List<LineObservation> lines)
    {
        IReadOnlyList<RunObservation> runs = results.Runs;
        var notes = new List<string>();
        long dropped = runs.Sum(r => r.DroppedEvents);
        notes.Add(dropped == 0 ? "no dropped events" : $"{Count(dropped)} dropped events in total");
        int biased = runs.Count(r => r.EstimatorBiased);
        notes.Add($"`estimatorBiased` true in {biased} of {runs.Count} runs");
        long onUncheckedLines = runs.Sum(r => r.Methods.Sum(m => m.SamplesOnUncheckedLines));
        long unattributed = runs.Sum(r => r.Methods.Sum(m => m.UnattributedSamples));
        notes.Add($"{Count(onUncheckedLines)} samples charged to lines without truth and {Count(unattributed)} without a line, over all runs");
        int withoutSamples = lines.Count(l => l.EstimateBytes is null);
        if (withoutSamples > 0)
        {
            notes.Add($"{withoutSamples} line-run{(withoutSamples == 1 ? "" : "s")} had no sample at all (no figures printed; counted as an estimate of 0 outside its interval)");
        }

        if (results.Failures.Count > 0)
        {
            notes.Add($"{results.Failures.Count} runs failed and are left out (below)");
        }

        report.AppendLine();
        report.AppendLine("Data: " + string.Join("; ", notes) + ".");
        RenderFailures(report, results.Failures);
    }

    private static void RenderFailures(StringBuilder report, IReadOnlyList<string> failures)
    {
        foreach (string failure in failures)
        {
            report.AppendLine();
            report.AppendLine("```");
            report.AppendLine(failure.TrimEnd());
            report.AppendLine("```");
        }
    }

    private static void RenderGoals(StringBuilder report, IReadOnlyList<RunObservation> runs, List<LineObservation> lines)
    {
        report.AppendLine("| goal | measured | met |");
        report.AppendLine("| --- | --- | --- |");

        List<double> totals = [.. runs.Select(r => (r.SumOfLineEstimates - r.TruthBytes) / r.TruthBytes)];
        int totalsInside = totals.Count(e => Math.Abs(e) <= TotalGoal);
        report.AppendLine(
            $"| total of the checked lines within ±{Percent(TotalGoal)} of the truth | {Count(totalsInside)}/{Count(runs.Count)} runs; worst {Percent(Worst(totals), signed: true)} | {YesNo(totalsInside == runs.Count)} |");

        List<LineObservation> wellSampled = [.. lines.Where(l => l.Samples >= LineGoalMinimumSamples)];
        int wellSampledInside = wellSampled.Count(l => Math.Abs(l.RelativeError) <= LineGoal);
        report.AppendLine(
            $"| every line with ≥ {Count(LineGoalMinimumSamples)} samples within ±{Percent(LineGoal)} | {Count(wellSampledInside)}/{Count(wellSampled.Count)} line-runs; "
            + $"95th percentile {Percent(Percentile(wellSampled.Select(l => Math.Abs(l.RelativeError)), 0.95))}; worst {Percent(Worst(wellSampled.Select(l => l.RelativeError)), signed: true)} "
            + $"| {YesNo(wellSampled.Count > 0 && wellSampledInside == wellSampled.Count)} |");

        int covered = lines.Count(l => l.Covered);
        report.AppendLine(
            $"| 95% intervals hold the truth in ≥ {Percent(CoverageGoal)} of line-runs | {Share(covered, lines.Count)} | {YesNo((double)covered / lines.Count >= CoverageGoal)} |");

        // A line-run without samples prints no figures, so there is nothing to flag: leave it out.
        List<LineObservation> withFlag = [.. lines.Where(l => l.LowConfidence is not null && l.Samples > 0)];
        if (withFlag.Count == 0)
        {
            report.AppendLine($"| lines under {LowConfidenceBelow} samples flagged `lowConfidence` | this build's JSON has no `lowConfidence` field | not measured |");
        }
        else
        {
            List<LineObservation> few = [.. withFlag.Where(l => l.Samples < LowConfidenceBelow)];
            List<LineObservation> many = [.. withFlag.Where(l => l.Samples >= LowConfidenceBelow)];
            int fewFlagged = few.Count(l => l.LowConfidence == true);
            int manyFlagged = many.Count(l => l.LowConfidence == true);
            report.AppendLine(
                $"| lines under {LowConfidenceBelow} samples flagged `lowConfidence` | {Count(fewFlagged)}/{Count(few.Count)} line-runs with 1 to {LowConfidenceBelow - 1} samples flagged; {Count(manyFlagged)}/{Count(many.Count)} line-runs with more samples flagged "
                + $"| {YesNo(fewFlagged == few.Count && manyFlagged == 0 && withFlag.Count == lines.Count(l => l.Samples > 0))} |");
        }
    }

    private static void RenderTotals(StringBuilder report, IReadOnlyList<RunObservation> runs)
    {
        report.AppendLine($"| measure | median error | worst error | runs within ±{Percent(TotalGoal)} |");
        report.AppendLine("| --- | --- | --- | --- |");
        AddRow("sum of the checked lines' estimates", [.. runs.Select(r => (r.SumOfLineEstimates - r.TruthBytes) / r.TruthBytes)]);
        AddRow("sum of the methods' `total`", [.. runs.Select(r => (r.SumOfMethodTotals - r.TruthBytes) / r.TruthBytes)]);

        void AddRow(string measure, List<double> errors) => report.AppendLine(
            $"| {measure} | {Percent(Median(errors), signed: true)} | {Percent(Worst(errors), signed: true)} | {Count(errors.Count(e => Math.Abs(e) <= TotalGoal))}/{Count(errors.Count)} |");
    }

    private static void RenderGroups(StringBuilder report, List<LineObservation> lines)
    {
        bool anyFlag = lines.Any(l => l.LowConfidence is not null);
        report.AppendLine(
            $"| samples | line-runs | median \\|error\\| | 95th pct \\|error\\| | worst error | within ±{Percent(LineGoal)} | interval coverage |"
            + (anyFlag ? " flagged `lowConfidence` |" : ""));
        report.AppendLine("| --- | --- | --- | --- | --- | --- | --- |" + (anyFlag ? " --- |" : ""));
        foreach (SampleGroup group in s_groups)
        {
            AddRow(group.Name, [.. lines.Where(l => l.Samples >= group.Minimum && l.Samples <= group.Maximum)]);
        }

        AddRow("all", lines);

        void AddRow(string name, List<LineObservation> members)
        {
            if (members.Count == 0)
            {
                report.AppendLine($"| {name} | 0 | | | | | |" + (anyFlag ? " |" : ""));
                return;
            }

            List<double> absolute = [.. members.Select(l => Math.Abs(l.RelativeError))];
            report.AppendLine(
                $"| {name} | {Count(members.Count)} | {Percent(Median(absolute))} | {Percent(Percentile(absolute, 0.95))} "
                + $"| {Percent(Worst(members.Select(l => l.RelativeError)), signed: true)} "
                + $"| {Share(absolute.Count(e => e <= LineGoal), members.Count)} | {Share(members.Count(l => l.Covered), members.Count)} |"
                + (anyFlag ? $" {Share(members.Count(l => l.LowConfidence == true), members.Count(l => l.Samples > 0))} |" : ""));
        }
    }

    private static void RenderLines(StringBuilder report, List<LineObservation> lines)
    {
        report.AppendLine("| method:line | pattern | truth per run | samples (mean) | mean error ± 95% CI | median \\|error\\| | worst error | coverage |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (IGrouping<string, LineObservation> line in lines.GroupBy(l => l.Key))
        {
            List<double> errors = [.. line.Select(l => l.RelativeError)];
            (double mean, double halfWidth) = MeanWithInterval(errors);
            report.AppendLine(
                $"| {line.Key} | {line.First().Label} | {Bytes(line.Average(l => l.TruthBytes))} | {Count(line.Average(l => l.Samples))} "
                + $"| {Percent(mean, signed: true)} ± {Percent(halfWidth)} | {Percent(Median(errors.Select(Math.Abs)))} | {Percent(Worst(errors), signed: true)} "
                + $"| {Share(line.Count(l => l.Covered), line.Count())} |");
        }
    }

    private static void RenderMethods(StringBuilder report, List<MethodObservation> methods)
    {
        report.AppendLine("| method | truth per run | samples (mean) | mean error ± 95% CI | worst error | coverage | samples on lines without truth (mean) |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (IGrouping<string, MethodObservation> method in methods.GroupBy(m => m.Method))
        {
            List<double> errors = [.. method.Select(m => m.RelativeError)];
            (double mean, double halfWidth) = MeanWithInterval(errors);
            report.AppendLine(
                $"| {method.Key} | {Bytes(method.Average(m => m.TruthBytes))} | {Count(method.Average(m => m.TotalSamples))} "
                + $"| {Percent(mean, signed: true)} ± {Percent(halfWidth)} | {Percent(Worst(errors), signed: true)} "
                + $"| {Share(method.Count(m => m.Covered), method.Count())} | {method.Average(m => m.SamplesOnUncheckedLines):0.0} |");
        }
    }

    private static string YesNo(bool met) => met ? "yes" : "**no**";

    private sealed record SampleGroup(string Name, long Minimum, long Maximum);
}
