using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace DotnetMemLine.Symbols;

/// <summary>
/// The methods a user can name with --method, read from module metadata alone (no PDB needed).
/// Left out: methods without an IL body (abstract, extern, interface, delegate Invoke) since they never run
/// code of their own, and compiler-generated ones (lambdas, local functions, state machines, display classes,
/// record members, auto-property accessors) except the top-level-statements entry point <c>&lt;Main&gt;$</c>
/// and local functions (<c>&lt;Outer&gt;g__Name|0_0</c>, named Name or Outer.Name), which are user code: a
/// file-based app's helpers are local functions of its top-level statements.
/// </summary>
public static class MethodCatalog
{
    internal const string TopLevelMainName = "<Main>$";

    /// <summary>Reads the catalog of a .dll/.exe; throws <see cref="BadImageFormatException"/> when it is not a .NET assembly.</summary>
    /// <param name="modulePath">The module file.</param>
    /// <param name="mayMatch">Keeps only the methods whose metadata name passes (<see cref="MethodMatcher.MayMatch"/>); null for all.</param>
    public static IReadOnlyList<MethodIdentity> Read(string modulePath, Func<string, bool>? mayMatch = null)
    {
        using var stream = File.OpenRead(modulePath);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            throw new BadImageFormatException($"{Path.GetFileName(modulePath)} is not a .NET assembly (no metadata)", modulePath);
        }

        return Read(pe.GetMetadataReader(), modulePath, mayMatch);
    }

    /// <summary>Like <see cref="Read(string, Func{string, bool})"/>, with a one-line reason instead of an exception.</summary>
    public static bool TryRead(string modulePath, [NotNullWhen(true)] out IReadOnlyList<MethodIdentity>? methods, [NotNullWhen(false)] out string? failureReason, Func<string, bool>? mayMatch = null)
    {
        try
        {
            methods = Read(modulePath, mayMatch);
            failureReason = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
        {
            methods = null;
            failureReason = $"cannot read methods of {Path.GetFileName(modulePath)}: {e.Message}";
            return false;
        }
    }

    internal static IReadOnlyList<MethodIdentity> Read(MetadataReader reader, string modulePath, Func<string, bool>? mayMatch = null)
    {
        var methods = new List<MethodIdentity>();
        foreach (var typeHandle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(typeHandle);
            (string Namespace, string Name, ImmutableArray<string> Parameters)? typeNames = null;
            foreach (var methodHandle in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(methodHandle);
                var name = reader.GetString(method.Name);
                if (method.RelativeVirtualAddress == 0
                    || (mayMatch is not null && !mayMatch(name))
                    || (name != TopLevelMainName && !MethodIdentity.TryParseLocalFunction(name, out _, out _) && (name.StartsWith('<') || IsCompilerGenerated(reader, method))))
                {
                    continue;
                }

                // The type's names only for a type with a method kept: the framework's catalogs are read for a few names.
                if (typeNames is null)
                {
                    if (!TryGetTypeNames(reader, type, out string ns, out string typeName))
                    {
                        break;
                    }

                    typeNames = (ns, typeName, GenericParameterNames(reader, type.GetGenericParameters()));
                }

                var parameters = FormatParameters(reader, method, typeNames.Value.Parameters);
                methods.Add(new MethodIdentity(typeNames.Value.Namespace, typeNames.Value.Name, name, parameters, MetadataTokens.GetToken(methodHandle), modulePath));
            }
        }

        return methods;
    }

    /// <summary>Namespace and '.'-joined nested type name; false for compiler-generated types and &lt;Module&gt;.</summary>
    internal static bool TryGetTypeNames(MetadataReader reader, TypeDefinition type, out string ns, out string typeName)
    {
        var names = new List<string>();
        var current = type;
        while (true)
        {
            var name = reader.GetString(current.Name);
            if (name.StartsWith('<'))
            {
                ns = typeName = string.Empty;
                return false;
            }

            names.Add(SignatureTypeNames.ShortName(name));
            var declaring = current.GetDeclaringType();
            if (declaring.IsNil)
            {
                break;
            }

            current = reader.GetTypeDefinition(declaring);
        }

        names.Reverse();
        ns = reader.GetString(current.Namespace);
        typeName = string.Join('.', names);
        return true;
    }

    internal static string FormatParameters(MetadataReader reader, MethodDefinition method, ImmutableArray<string> typeParameters)
    {
        var context = new SignatureTypeNames.GenericNames(typeParameters, GenericParameterNames(reader, method.GetGenericParameters()));
        MethodSignature<string> signature;
        try
        {
            signature = method.DecodeSignature(SignatureTypeNames.Instance, context);
        }
        catch (BadImageFormatException)
        {
            return "(?)";
        }

        var types = signature.ParameterTypes.ToArray();
        foreach (var parameterHandle in method.GetParameters())
        {
            // out/in live in the Param table (in only becomes a signature modifier on virtual methods); sequence 0 is the return value.
            var parameter = reader.GetParameter(parameterHandle);
            var index = parameter.SequenceNumber - 1;
            if (index < 0 || index >= types.Length || !types[index].StartsWith("ref ", StringComparison.Ordinal))
            {
                continue;
            }

            var direction = parameter.Attributes & (ParameterAttributes.Out | ParameterAttributes.In);
            if (direction is ParameterAttributes.Out or ParameterAttributes.In)
            {
                types[index] = (direction == ParameterAttributes.Out ? "out " : "in ") + types[index]["ref ".Length..];
            }
        }

        return "(" + string.Join(", ", types) + ")";
    }

    // Record members, auto-property accessors and the like: nothing a user would profile, only noise in suggestions.
    private static bool IsCompilerGenerated(MetadataReader reader, MethodDefinition method) =>
        MetadataAttributes.Has(reader, method.GetCustomAttributes(), "System.Runtime.CompilerServices", "CompilerGeneratedAttribute");

    private static ImmutableArray<string> GenericParameterNames(MetadataReader reader, GenericParameterHandleCollection handles)
    {
        var names = ImmutableArray.CreateBuilder<string>(handles.Count);
        foreach (var handle in handles)
        {
            names.Add(reader.GetString(reader.GetGenericParameter(handle).Name));
        }

        return names.MoveToImmutable();
    }
}
