using System.Text.RegularExpressions;

namespace DotnetMemLine.Retention;

/// <summary>
/// Type names as a C# reader writes them in a retention path: the framework's namespaces dropped and its primitive
/// types by keyword ("List&lt;float[]&gt;" for ClrMD's "System.Collections.Generic.List&lt;System.Single[]&gt;"); the
/// program's own types keep their namespace.
/// </summary>
internal static partial class ShortTypeNames
{
    private static readonly Dictionary<string, string> Keywords = new(StringComparer.Ordinal)
    {
        ["Boolean"] = "bool", ["Byte"] = "byte", ["SByte"] = "sbyte", ["Char"] = "char", ["Int16"] = "short", ["UInt16"] = "ushort",
        ["Int32"] = "int", ["UInt32"] = "uint", ["Int64"] = "long", ["UInt64"] = "ulong", ["Single"] = "float", ["Double"] = "double",
        ["Decimal"] = "decimal", ["String"] = "string", ["Object"] = "object",
    };

    public static string Short(string clrName)
    {
        string name = FrameworkNamespace().Replace(clrName, "");
        return PrimitiveName().Replace(name, m => Keywords.TryGetValue(m.Value, out string? keyword) ? keyword : m.Value);
    }

    // "System." and its namespaces, where a type name starts (not inside "MyApp.System.X").
    [GeneratedRegex(@"(?<![\w.])System\.(?:[A-Z]\w*\.)*(?=[A-Z])")]
    private static partial Regex FrameworkNamespace();

    // A bare primitive type name left after the namespace went.
    [GeneratedRegex(@"(?<![\w.])[A-Z]\w*(?![\w.])")]
    private static partial Regex PrimitiveName();
}
