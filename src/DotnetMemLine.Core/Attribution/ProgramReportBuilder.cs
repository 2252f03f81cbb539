using DotnetMemLine.Estimation;
using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>
/// Builds the whole-program view from the tallies of every method of the user's code: the lines that allocated the
/// most themselves ("self": where the memory goes), and the methods during which the most was allocated ("inclusive":
/// which method's table to read), each with both figures.
/// </summary>
internal static class ProgramReportBuilder
{
    /// <param name="methods">Every selected method: the user's code.</param>
    /// <param name="symbolsOf">Each method's PDB; null for a module without one (<c>--all-code</c>).</param>
    /// <param name="tallies">Each method's tallies.</param>
    /// <param name="everything">Every allocation of the trace.</param>
    /// <param name="inUserCode">The allocations made with the user's code on the stack.</param>
    /// <param name="estimator">How tallies become bytes.</param>
    /// <param name="typeNames">The trace's type names.</param>
    /// <param name="top">How many lines and methods to list.</param>
    /// <param name="compiledBeforeSession">Per method, whether some of its optimized code was compiled before the recording began.</param>
    public static ProgramReport Build(IReadOnlyList<MethodIdentity> methods, ModuleSymbols?[] symbolsOf, MethodLineTallies[] tallies,
        SampleTally everything, SampleTally inUserCode, EstimatorKind estimator, IReadOnlyList<string> typeNames, int top, bool[] compiledBeforeSession)
    {
        var lines = new List<HotLine>();
        var hotMethods = new List<HotMethod>();
        for (int i = 0; i < methods.Count; i++)
        {
            MethodLineTallies method = tallies[i];
            if (method.Total.Samples == 0)
            {
                continue;
            }

            ModuleSymbols? symbols = symbolsOf[i];
            MethodSourceSpan? span = symbols?.GetMethodSpan(methods[i].Token);
            EstimateReport? self = method.Self.Samples > 0 ? MethodReportBuilder.ToReport(method.Self, estimator) : null;
            hotMethods.Add(new HotMethod(methods[i].DisplayName, span?.FilePath, span?.FirstLine, self, MethodReportBuilder.ToReport(method.Total, estimator)));
            string[]? source = span is null ? null : symbols!.ReadSource(span.FilePath) is { Problem: null, ChangedSinceBuild: false } read ? read.Lines : null;
            foreach ((int line, SampleTally selfOfLine) in method.SelfByLine)
            {
                EstimateReport lineSelf = MethodReportBuilder.ToReport(selfOfLine, estimator);
                EstimateReport inclusive = method.ByLine.TryGetValue(line, out SampleTally? all) ? MethodReportBuilder.ToReport(all, estimator) : lineSelf;
                string? text = source is not null && line >= 1 && line <= source.Length ? source[line - 1].Trim() : null;
                lines.Add(new HotLine(methods[i].DisplayName, span?.FilePath, line, text, lineSelf, inclusive)
                {
                    Types = method.SelfTypesByLine.TryGetValue(line, out var types) ? MethodReportBuilder.TypesOf(types, lineSelf.Bytes, estimator, typeNames) : [],
                });
            }
        }

        return new ProgramReport(
            everything.Samples > 0 ? MethodReportBuilder.ToReport(everything, estimator) : null,
            inUserCode.Samples > 0 ? MethodReportBuilder.ToReport(inUserCode, estimator) : null,
            [.. lines.OrderByDescending(l => l.Self.Bytes).ThenBy(l => l.Method, StringComparer.Ordinal).ThenBy(l => l.Line).Take(top)],
            [.. hotMethods.OrderByDescending(m => m.Inclusive.Bytes).ThenByDescending(m => m.Self?.Bytes ?? 0).ThenBy(m => m.Name, StringComparer.Ordinal).Take(top)],
            [.. symbolsOf.OfType<ModuleSymbols>().Select(s => Path.GetFileName(s.ModulePath)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)])
        {
            Notes = Enumerable.Range(0, methods.Count).Count(i => compiledBeforeSession[i] && tallies[i].Total.Samples > 0) is int before and > 0
                ? [new ProgramInliningUnknownNote(before)]
                : [],
        };
    }
}
