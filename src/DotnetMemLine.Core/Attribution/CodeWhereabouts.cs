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
    /// <summary>Each caller (and call line) the method was inlined into during the session.</summary>
    public static IReadOnlyList<InliningSite> FindInliningSites(
        MethodIdentity method,
        IAllocationTrace trace,
        Func<string, ModuleSymbols?> trySymbolsOf)
    {
        string typeName = method.Namespace.Length == 0 ? method.TypeName : $"{method.Namespace}.{method.TypeName}";
        int parameterCount = CountParameters(method.Parameters);
        var sites = new List<InliningSite>();
        var seen = new HashSet<(int CompiledMethodId, string Inliner)>();
        foreach (InliningEvent inlining in trace.Inlinings)
        {
            if (inlining.InlineeName != method.MethodName
                || TypeNames.Normalize(inlining.InlineeType) != typeName
                || CountParameters(ParameterListOf(inlining.InlineeSignature)) != parameterCount
                || !seen.Add((inlining.CompiledMethodId, inlining.InlinerType + "::" + inlining.InlinerName)))
            {
                continue;
            }

            TracedMethod caller = trace.Methods[inlining.CompiledMethodId];
            ModuleSymbols? symbols = trySymbolsOf(caller.ModulePath);
            IReadOnlyList<int> lines = symbols?.FindCallLines(caller.Token, typeName, method.MethodName) ?? [];
            if (lines.Count == 0 && symbols is not null)
            {
                // Inlined into a method that was itself inlined into the caller: the caller calls that one.
                lines = symbols.FindCallLines(caller.Token, TypeNames.Normalize(inlining.InlinerType), inlining.InlinerName);
            }

            string? file = symbols?.GetMethodSpan(caller.Token)?.FilePath;
            if (lines.Count == 0)
            {
                sites.Add(new InliningSite(caller.TraceName, file, null));
            }

            foreach (int line in lines)
            {
                sites.Add(new InliningSite(caller.TraceName, file, line));
            }
        }

        return [.. sites.Distinct()];
    }

    public static string Describe(MethodIdentity method, InliningSite site) => site.Line is int line
        ? $"{method.MethodName} was inlined into {site.Method} at line {line}; its allocations are counted on that line of {site.Method}"
        : $"{method.MethodName} was inlined into {site.Method}; its allocations there are counted in {site.Method}";

    public static string NoCompiledCode(MethodIdentity method) =>
        $"{method.MethodName} has no compiled code of its own in this trace: it did not run while the session recorded, "
        + "or the JIT had inlined it into its callers before the session started (the JIT reports inlining only as it compiles; "
        + "`dotnet-memline run` records it from the start)";

    public static string PrecompiledCode(MethodIdentity method, long samples) =>
        $"{samples:N0} samples ran in ReadyToRun (precompiled) code of {Path.GetFileName(method.ModulePath)}, for which the runtime records no IL-to-native map, "
        + $"so they are counted only in the total; to see their lines, start the target with DOTNET_ReadyToRunExcludeList={Path.GetFileNameWithoutExtension(method.ModulePath)} "
        + "(the runtime then JIT-compiles that assembly; with `run`, set it in dotnet-memline's environment and the target inherits it)";

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
