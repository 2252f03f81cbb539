using DotnetMemLine.Estimation;
using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>
/// Builds the report from one or more analyzed traces. With several (a fleet's instances), each method's tallies add up
/// line by line, so the estimates and the sample counts add and the intervals come from the combined counts; the JSON
/// keeps each trace's own figures (<see cref="ProfileReport.Traces"/>), and each trace's warnings name it.
/// </summary>
internal static class TraceCombiner
{
    /// <summary>The report of <paramref name="parts"/>; throws <see cref="MemLineException"/> when they cannot be one (different modes or builds).</summary>
    public static ProfileReport Combine(IReadOnlyList<TraceAnalysis> parts, AnalysisOptions options, SymbolCache symbols)
    {
        TraceAnalysis first = parts[0];
        EnsureTheySumUp(parts);
        if (parts.FirstOrDefault(p => p.OtherBuilds.Count > 0) is { } rebuilt)
        {
            (ModuleSymbols local, Guid ran) = rebuilt.OtherBuilds[0];
            throw new MemLineException(FailureKind.SymbolsMissing,
                $"{rebuilt.Summary.TracePath} ran another build of {Path.GetFileName(local.ModulePath)} (PDB id {ran:N}) than the one whose PDB was found ({local.PdbPath}, id {local.BuildId:N}): "
                + "its line numbers would point at other code")
            { Remedy = Remedy.PointAtTheBuildThatRan };
        }

        EstimatorKind estimator = first.Estimator;
        bool single = parts.Count == 1;
        TraceBreakdown[] breakdowns = [.. parts.Select(p => Breakdown(p, estimator, single))]; // before the first trace's tallies become the sum

        // The first trace's types keep their ids; the others' are mapped onto them by name.
        var typeNames = new List<string>(first.TypeNames);
        var typeIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < typeNames.Count; i++)
        {
            typeIds.TryAdd(typeNames[i], i);
        }

        var methods = new List<(AnalyzedMethod Method, MethodFacts? Facts)>();
        var indexByKey = new Dictionary<(string, int), int>();
        var everything = new SampleTally();
        var inSelectedCode = new SampleTally();
        foreach (TraceAnalysis part in parts)
        {
            everything.Add(part.Everything);
            inSelectedCode.Add(part.InSelectedCode);
            int[] typeMap = part == first ? [.. Enumerable.Range(0, typeNames.Count)] : [.. part.TypeNames.Select(name => IdOf(name, typeNames, typeIds))];
            foreach (AnalyzedMethod method in part.Methods)
            {
                if (!indexByKey.TryGetValue(method.Key, out int index))
                {
                    indexByKey[method.Key] = methods.Count;
                    methods.Add((method, method.Facts));
                    continue; // the first trace's tallies are the sum's start
                }

                (AnalyzedMethod sum, MethodFacts? facts) = methods[index];
                sum.Tallies.MergeFrom(method.Tallies, typeMap);
                methods[index] = (sum with { OptimizedBeforeSession = sum.OptimizedBeforeSession || method.OptimizedBeforeSession }, facts is null || method.Facts is null ? facts : facts.With(method.Facts));
            }
        }

        var tables = new List<MethodReport>();
        foreach ((AnalyzedMethod method, MethodFacts? facts) in first.WholeProgram ? [] : methods)
        {
            SortedSet<int> boxLines = [.. facts!.BoxLines, .. method.Tallies.LinesBoxingThroughHelper]; // and boxes in unoptimized code it called
            MethodReport table = MethodReportBuilder.Build(method.Method, method.Symbols!, method.Tallies, estimator, facts.RunsPrecompiledCode, boxLines, facts.HasILMaps,
                parts.All(p => p.Summary.HasAsyncCausality), typeNames, facts.DelegateLines);
            tables.Add(table with { Notes = [.. facts.Notes, .. table.Notes], InlinedInto = facts.InlinedInto, Callees = single ? method.Callees : null });
        }

        // Exact-mode events batched by the runtime (one of the two keywords was off): still sums,
        // but each batch lands on its last object's line, so neither exact nor unbiased.
        bool batched = parts.Any(p => p.Summary.BatchedExactEvents > 0);
        string described = batched
            ? "GCSampledObjectAllocation sampled per type, not every allocation: biased, see the warning"
            : AllocationEstimator.Describe(estimator);
        long dropped = parts.Sum(p => p.Summary.DroppedEvents);
        long read = parts.Sum(p => Math.Max(0, p.Summary.EventsRead));
        return new ProfileReport(
            ProfileReport.CurrentSchemaVersion,
            single ? first.Summary.TracePath : CommonFolder(parts.Select(p => p.Summary.TracePath)),
            parts.Sum(p => p.Summary.DurationSeconds),
            parts.Sum(p => p.Summary.AllocationEvents),
            dropped,
            described,
            estimator == EstimatorKind.AllocationTick || batched,
            tables,
            single ? first.Warnings : [.. parts.SelectMany(p => p.Warnings.Select(w => (ReportNote)new InTraceWarning(p.Summary.TracePath, w)))],
            Exact: estimator == EstimatorKind.Exact,
            DroppedEventFraction: single ? first.Summary.DroppedFraction : dropped <= 0 ? 0 : (double)dropped / (dropped + read),
            AsyncCausality: parts.All(p => p.Summary.HasAsyncCausality),
            FollowsLifetimes: parts.All(p => p.Summary.FollowsLifetimes))
        {
            LiveObjects = single ? first.LiveObjects : [],
            Timeline = single ? first.Timeline : null,
            Stacks = parts.All(p => p.Stacks is not null) ? StackProfileMerge.Of([.. parts.Select(p => p.Stacks!)]) : null,
            Traces = breakdowns,
            Program = first.WholeProgram
                ? ProgramReportBuilder.Build([.. methods.Select(m => m.Method.Method)], [.. methods.Select(m => m.Method.Symbols)], [.. methods.Select(m => m.Method.Tallies)],
                    everything, inSelectedCode, estimator, typeNames, options.Top, [.. methods.Select(m => m.Method.OptimizedBeforeSession)]) with { AllCode = options.AllCode }
                : null,
        };
    }

    private static int IdOf(string name, List<string> typeNames, Dictionary<string, int> typeIds)
    {
        if (!typeIds.TryGetValue(name, out int id))
        {
            id = typeNames.Count;
            typeNames.Add(name);
            typeIds[name] = id;
        }

        return id;
    }

    /// <summary>One trace's own figures, for the JSON: its recording, everything it allocated, each method's total, its warnings.</summary>
    private static TraceBreakdown Breakdown(TraceAnalysis part, EstimatorKind estimator, bool single) => new(
        part.Summary.TracePath,
        part.Summary.DurationSeconds,
        part.Summary.AllocationEvents,
        part.Summary.DroppedEvents,
        part.Everything.Samples > 0 ? MethodReportBuilder.ToReport(part.Everything, estimator) : null,
        [.. part.Methods.Where(m => !part.WholeProgram || m.Tallies.Total.Samples > 0).Select(m => new TraceMethodTotal(m.Method.DisplayName, m.Tallies.Total.Samples > 0 ? MethodReportBuilder.ToReport(m.Tallies.Total, estimator) : null))],
        [.. part.AbsentMethods.Select(m => (ReportNote)new MethodAbsentFromTraceNote(m)), .. single ? [] : part.Warnings])
    {
        StartedUtc = part.Summary.StartedUtc,
    };

    /// <summary>Traces that cannot be one: recorded in different modes (their figures are different estimates), or of different builds of a module (the same line number is other code).</summary>
    private static void EnsureTheySumUp(IReadOnlyList<TraceAnalysis> parts)
    {
        TraceAnalysis first = parts[0];
        if (parts.FirstOrDefault(p => p.Estimator != first.Estimator) is { } other)
        {
            throw new MemLineException(FailureKind.TracesDoNotMatch,
                $"{first.Summary.TracePath} and {other.Summary.TracePath} were recorded in different modes ({Mode(first.Estimator)}, {Mode(other.Estimator)}): their figures cannot be added; analyze them apart");
        }

        var builds = new Dictionary<string, (Guid Build, string Trace)>(StringComparer.Ordinal); // by file name, as methods are matched (AnalyzedMethod.Key)
        foreach (TraceAnalysis part in parts)
        {
            // Only the modules the tables read: those of the selected methods.
            foreach (string module in part.Methods.Select(m => m.Method.ModulePath).Distinct(StringComparer.Ordinal))
            {
                if (!part.ModuleBuilds.TryGetValue(module, out Guid build))
                {
                    continue;
                }

                string name = Path.GetFileName(module);
                if (builds.TryGetValue(name, out var seen) && seen.Build != build)
                {
                    throw new MemLineException(FailureKind.TracesDoNotMatch,
                        $"{seen.Trace} and {part.Summary.TracePath} ran different builds of {name} (PDB ids {seen.Build:N} and {build:N}): a line number means other code in each; analyze each build's traces apart");
                }

                builds.TryAdd(name, (build, part.Summary.TracePath));
            }
        }
    }

    private static string Mode(EstimatorKind kind) => kind switch
    {
        EstimatorKind.Exact => "exact",
        EstimatorKind.AllocationTick => "AllocationTick",
        _ => "AllocationSampled",
    };

    /// <summary>The folder all the traces are in (the deepest one common to them).</summary>
    private static string CommonFolder(IEnumerable<string> paths)
    {
        string[][] folders = [.. paths.Select(p => (Path.GetDirectoryName(Path.GetFullPath(p)) ?? "/").Split('/'))];
        int common = 0;
        while (folders.All(f => f.Length > common && f[common] == folders[0][common]))
        {
            common++;
        }

        string folder = string.Join('/', folders[0].Take(common));
        return folder.Length == 0 ? "/" : folder;
    }
}
