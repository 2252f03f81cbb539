using System.Text.RegularExpressions;

namespace DotnetMemLine.Reporting;

/// <summary>
/// A runtime method name (<c>System.Linq.Enumerable+&lt;WhereIterator&gt;d__350`1[System.__Canon].MoveNext</c>) as a C#
/// reader writes it in a note (<c>Enumerable.WhereIterator&lt;T&gt; (its state machine)</c>): nested types with '.', generic
/// arity and shared-code arguments as type parameters, compiler-generated classes named for the code they hold, the
/// framework's namespaces dropped. For notes only; JSON keeps the runtime's names.
/// </summary>
public static partial class CSharpNames
{
    private static readonly Dictionary<string, string> Keywords = new(StringComparer.Ordinal)
    {
        ["Boolean"] = "bool", ["Byte"] = "byte", ["SByte"] = "sbyte", ["Char"] = "char", ["Int16"] = "short", ["UInt16"] = "ushort",
        ["Int32"] = "int", ["UInt32"] = "uint", ["Int64"] = "long", ["UInt64"] = "ulong", ["Single"] = "float", ["Double"] = "double",
        ["Decimal"] = "decimal", ["String"] = "string", ["Object"] = "object",
    };

    /// <summary>
    /// A type as ClrMD names it (<c>System.Collections.Generic.List&lt;System.Single[]&gt;</c>) as a C# reader writes it in a
    /// retention path (<c>List&lt;float[]&gt;</c>): the framework's namespaces dropped, its primitive types by keyword; the
    /// program's own types keep their namespace.
    /// </summary>
    public static string TypeName(string clrName)
    {
        string name = TypeNamespace().Replace(clrName, "");
        return PrimitiveName().Replace(name, m => Keywords.TryGetValue(m.Value, out string? keyword) ? keyword : m.Value);
    }

    /// <summary>The name as a C# reader writes it.</summary>
    public static string Readable(string runtimeName)
    {
        string name = Generics().Replace(runtimeName, m => "<" + TypeArguments(m) + ">");
        name = name.Replace('+', '.');
        name = StateMachine().Replace(name, m => m.Groups["method"].Value + m.Groups["generic"].Value + " (its state machine)");
        name = LocalFunction().Replace(name, m => $"local function {m.Groups["local"].Value} in {m.Groups["type"].Value}.{m.Groups["method"].Value}");
        name = Lambda().Replace(name, m => $"a lambda in {m.Groups["type"].Value}.{m.Groups["method"].Value}");
        return FrameworkNamespace().Replace(name, "");
    }

    private static string TypeArguments(Match generic)
    {
        int arity = int.Parse(generic.Groups["arity"].Value, System.Globalization.CultureInfo.InvariantCulture);
        string[] given = generic.Groups["args"].Success ? generic.Groups["args"].Value.Split(',') : [];
        return string.Join(", ", Enumerable.Range(0, arity).Select(i =>
            i < given.Length && given[i].Trim() is { Length: > 0 } arg && arg != "System.__Canon"
                ? arg
                : arity == 1 ? "T" : $"T{i + 1}"));
    }

    // `1 or `2[System.__Canon,System.Int32] (one level of arguments: enough for shared code's names).
    [GeneratedRegex(@"`(?<arity>\d+)(?:\[(?<args>[^\[\]]*)\])?")]
    private static partial Regex Generics();

    // <Method>d__12 or <Method>d__12<T>, then .MoveNext: an iterator's or an async method's state machine.
    [GeneratedRegex(@"<(?<method>[^<>]+)>d__\d+(?<generic><[^<>]*>)?(?:\.MoveNext)?")]
    private static partial Regex StateMachine();

    // <Method>g__Local|3_0: a local function.
    [GeneratedRegex(@"(?<type>[\w.]+?)(?:\.<>c(?:__DisplayClass[\d_]+)?)?\.<(?<method>[^<>]+)>g__(?<local>[^|]+)\|[\d_]+")]
    private static partial Regex LocalFunction();

    // <>c.<Method>b__3_0 or <>c__DisplayClass3_0.<Method>b__0: a lambda (its closure class dropped).
    [GeneratedRegex(@"(?<type>[\w.]+?)\.<>c(?:__DisplayClass[\d_]+)?\.<(?<method>[^<>]+)>b__[\d_]+")]
    private static partial Regex Lambda();

    // "System." and its namespaces before a method's type (in a method name, a type is followed by '.').
    [GeneratedRegex(@"(?<![\w.])System\.(?:[A-Z]\w*\.)*(?=[A-Z]\w*\.)")]
    private static partial Regex FrameworkNamespace();

    // "System." and its namespaces where a type name starts (not inside "MyApp.System.X").
    [GeneratedRegex(@"(?<![\w.])System\.(?:[A-Z]\w*\.)*(?=[A-Z])")]
    private static partial Regex TypeNamespace();

    // A bare primitive type name left after the namespace went.
    [GeneratedRegex(@"(?<![\w.])[A-Z]\w*(?![\w.])")]
    private static partial Regex PrimitiveName();
}
