using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>
/// What the trace says about where a selected method's code ran when its own frames cannot tell the
/// whole story: the callers the JIT inlined it into (its frames vanish there), no compiled code at all,
/// or precompiled ReadyToRun code that has no IL map.
/// </summary>
internal static class CodeWhereabouts
{
    /// <summary>
    /// Each caller (and call line) the JIT inlined the method into during the session, and each caller
    /// of the code written inside it (its state machine's MoveNext, its lambdas and local functions):
    /// PGO inlines an iterator's MoveNext into the loop consuming it, and a lambda into the LINQ
    /// operator calling it, and that code then has no frame of its own.
    /// </summary>
    public static IReadOnlyList<InliningSite> FindInliningSites(
        MethodIdentity method,
        ModuleSymbols methodSymbols,
        IAllocationTrace trace,
        Func<string, ModuleSymbols?> trySymbolsOf)
    {
        List<InlineTarget> targets = TargetsOf(method, methodSymbols);
        var sites = new List<InliningSite>();
        var seen = new HashSet<(int CompiledMethodId, string Inliner, string Inlinee)>();
        foreach (InliningEvent inlining in trace.Inlinings)
        {
            string inlineeType = TypeNames.Normalize(inlining.InlineeType);
            InlineTarget? target = targets.FirstOrDefault(t => t.MethodName == inlining.InlineeName && t.TypeName == inlineeType
                && (t.ParameterCount is null || t.ParameterCount == CountParameters(ParameterListOf(inlining.InlineeSignature))));
            if (target is null || !seen.Add((inlining.CompiledMethodId, inlining.InlinerType + "::" + inlining.InlinerName, target.Description)))
            {
                continue;
            }

            TracedMethod caller = trace.Methods[inlining.CompiledMethodId];
            ModuleSymbols? symbols = trySymbolsOf(caller.ModulePath);
            IReadOnlyList<int> lines = symbols?.FindCallLines(caller.Token, target.TypeName, target.MethodName) ?? [];
            if (lines.Count == 0 && symbols is not null)
            {
                // Inlined into a method that was itself inlined into the caller: the caller calls that one.
                lines = symbols.FindCallLines(caller.Token, TypeNames.Normalize(inlining.InlinerType), inlining.InlinerName);
            }

            string? file = symbols?.GetMethodSpan(caller.Token)?.FilePath;
            if (lines.Count == 0)
            {
                sites.Add(new InliningSite(caller.TraceName, file, null) { Inlinee = target.Description });
            }

            foreach (int line in lines)
            {
                sites.Add(new InliningSite(caller.TraceName, file, line) { Inlinee = target.Description });
            }
        }

        return [.. sites.Distinct()];
    }

    /// <summary>
    /// For a trace that started after the code ran for a while (<c>collect</c>): the callers whose
    /// optimized code was compiled before the session, into which the JIT may have inlined the method
    /// without the trace saying so. Null when there is nothing to say.
    /// </summary>
    public static InlinedBeforeSessionNote? InliningBeforeTheSession(MethodIdentity method, ModuleSymbols methodSymbols, IAllocationTrace trace, bool hasSamples)
    {
        string typeName = TypeNameOf(method);
        var callerTokens = methodSymbols.FindCallers(typeName, method.MethodName).ToHashSet();
        var callers = trace.Methods
            .Where(m => m.HasOptimizedCodeFromBeforeSession && m.ModulePath == method.ModulePath && callerTokens.Contains(m.Token))
            .Select(m => (m.TraceName, Lines: methodSymbols.FindCallLines(m.Token, typeName, method.MethodName)))
            .Select(c => c.Lines.Count == 0 ? c.TraceName : $"{c.TraceName} (line {string.Join(", ", c.Lines)})")
            .Distinct()
            .ToList();
        bool anyBeforeSession = trace.Methods.Any(m => m.HasOptimizedCodeFromBeforeSession);
        bool hasDelegateCode = methodSymbols.GetNestedCodeTokens(method.Token).Any(t => !methodSymbols.TryGetStateMachineKickoff(t, out _));
        bool lambdasMayBeInlined = anyBeforeSession && hasDelegateCode;
        return callers.Count > 0 || lambdasMayBeInlined || (!hasSamples && anyBeforeSession)
            ? new InlinedBeforeSessionNote(method.MethodName, hasSamples, [.. callers.Take(5)], lambdasMayBeInlined)
            : null;
    }

    private static string TypeNameOf(MethodIdentity method) =>
        method.Namespace.Length == 0 ? method.TypeName : $"{method.Namespace}.{method.TypeName}";

    // The method itself (matched with its parameter count, overloads share a name) and the code written in it.
    private static List<InlineTarget> TargetsOf(MethodIdentity method, ModuleSymbols symbols)
    {
        var targets = new List<InlineTarget> { new(TypeNameOf(method), method.MethodName, CountParameters(method.Parameters), method.MethodName) };
        foreach (int nested in symbols.GetNestedCodeTokens(method.Token))
        {
            if (symbols.GetDefinitionName(nested) is not { } name)
            {
                continue;
            }

            string description = symbols.TryGetStateMachineKickoff(nested, out _)
                ? $"the body of {method.MethodName} (its state machine's MoveNext)"
                : $"the lambda or local function at line {symbols.GetMethodSpan(nested)?.FirstLine}";
            targets.Add(new InlineTarget(name.TypeName, name.MethodName, null, description));
        }

        return targets;
    }

    private sealed record InlineTarget(string TypeName, string MethodName, int? ParameterCount, string Description);

    // "unsigned int8[]  (int32,class System.String)" -> "(int32,class System.String)"
    private static string ParameterListOf(string runtimeSignature)
    {
        int open = runtimeSignature.IndexOf('(', StringComparison.Ordinal);
        return open < 0 ? "()" : runtimeSignature[open..];
    }

    private static int CountParameters(string parameterList)
    {
        string inner = parameterList.Trim();
        if (inner.StartsWith('(') && inner.EndsWith(')'))
        {
            inner = inner[1..^1];
        }

        if (inner.Trim().Length == 0)
        {
            return 0;
        }

        int count = 1, depth = 0;
        foreach (char c in inner)
        {
            switch (c)
            {
                case '<' or '[' or '(':
                    depth++;
                    break;
                case '>' or ']' or ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    count++;
                    break;
            }
        }

        return count;
    }
}
