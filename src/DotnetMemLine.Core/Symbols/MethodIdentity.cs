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
    public string DisplayName => FullName + Parameters;
}
