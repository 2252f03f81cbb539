using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Comparison;

/// <summary>Finds the table a method name means among a report's tables, matching as <c>--method</c> matches.</summary>
public static class TableLookup
{
    /// <summary>The one table <paramref name="method"/> names; throws <see cref="MemLineException"/> when none or several do.</summary>
    /// <param name="report">The report whose tables are searched.</param>
    /// <param name="method">The name, as <c>--method</c> takes it.</param>
    /// <param name="source">The report's trace or file, for messages.</param>
    public static MethodReport Find(ProfileReport report, string method, string source)
    {
        var names = report.Methods.Select((m, i) => (Identity: NameOnly(m.Name), Index: i)).ToList();
        IReadOnlyList<(MethodIdentity Identity, int Index)> matches = MethodMatcher.Match(method, names, n => n.Identity);
        return matches.Count switch
        {
            1 => report.Methods[matches[0].Index],
            0 => throw new MemLineException(FailureKind.MethodNotFound,
                $"{source} has no table of '{method}' (it has {(report.Methods.Count == 0 ? "none" : string.Join(", ", report.Methods.Select(m => m.Name)))})"),
            _ => throw new MemLineException(FailureKind.MethodAmbiguous, $"'{method}' matches several tables of {source}: {string.Join(", ", matches.Select(m => report.Methods[m.Index].Name))}"),
        };
    }

    // A table's name (Ns.Type.Method(int, string)) as a method identity, for the matcher.
    private static MethodIdentity NameOnly(string name)
    {
        int open = name.IndexOf('(', StringComparison.Ordinal);
        string full = open < 0 ? name : name[..open];
        string parameters = open < 0 ? "()" : name[open..];
        int method = full.LastIndexOf('.');
        int type = method > 0 ? full.LastIndexOf('.', method - 1) : -1;
        return new MethodIdentity(type > 0 ? full[..type] : "", method > 0 ? full[(type + 1)..method] : "", full[(method + 1)..], parameters, 0, "");
    }
}
