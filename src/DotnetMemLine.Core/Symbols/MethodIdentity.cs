namespace DotnetMemLine.Symbols;

/// <summary>
/// A method definition as a user would name it: <paramref name="TypeName"/> joins nested types with '.',
/// <paramref name="Parameters"/> is a C#-like list such as "(int, string)".
/// </summary>
public sealed record MethodIdentity(string Namespace, string TypeName, string MethodName, string Parameters, int Token, string ModulePath)
{
    /// <summary>"Ns.Type.Method", or "Type.Method" for a type in the global namespace.</summary>
    public string FullName => Namespace.Length == 0 ? $"{TypeName}.{MethodName}" : $"{Namespace}.{TypeName}.{MethodName}";

    /// <summary>The full name with its parameter list, to tell overloads apart in messages.</summary>
    public string DisplayName => UserFullName + Parameters;

    /// <summary>
    /// The full name as C# spells it: a local function as Type.Outer.Name, top-level statements as Program.Main
    /// (<see cref="FullName"/> keeps the metadata name).
    /// </summary>
    public string UserFullName
    {
        get
        {
            string owner = Namespace.Length == 0 ? TypeName : $"{Namespace}.{TypeName}";
            return TryParseLocalFunction(MethodName, out string outer, out string local) ? $"{owner}.{outer}.{local}"
                : MethodName == MethodCatalog.TopLevelMainName ? $"{owner}.Main"
                : FullName;
        }
    }

    /// <summary>
    /// A local function's metadata name, <c>&lt;Outer&gt;g__Name|0_0</c>, as the containing method's and its own
    /// name (<c>Main</c> for top-level statements' <c>&lt;Main&gt;$</c>).
    /// </summary>
    public static bool TryParseLocalFunction(string metadataName, out string outer, out string local)
    {
        outer = local = "";
        int marker = metadataName.LastIndexOf(">g__", StringComparison.Ordinal);
        int bar = metadataName.IndexOf('|', Math.Max(marker, 0));
        if (!metadataName.StartsWith('<') || marker < 2 || bar < 0 || bar <= marker + 4)
        {
            return false;
        }

        outer = metadataName[1..marker] is var name && name == MethodCatalog.TopLevelMainName ? "Main" : metadataName[1..marker];
        local = metadataName[(marker + 4)..bar];
        return true;
    }
}
