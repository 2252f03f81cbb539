using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace DotnetMemLine.Symbols;

/// <summary>
/// Renders signature types the way a C# user writes them in a method pattern: keywords for primitives,
/// short names (no namespace, no arity) for everything else.
/// </summary>
internal sealed class SignatureTypeNames : ISignatureTypeProvider<string, SignatureTypeNames.GenericNames>
{
    public static readonly SignatureTypeNames Instance = new();

    private SignatureTypeNames()
    {
    }

    /// <summary>Names of the generic parameters in scope, so "!!0" prints as "T".</summary>
    internal sealed record GenericNames(ImmutableArray<string> TypeParameters, ImmutableArray<string> MethodParameters);

    public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
    {
        PrimitiveTypeCode.Boolean => "bool",
        PrimitiveTypeCode.Byte => "byte",
        PrimitiveTypeCode.SByte => "sbyte",
        PrimitiveTypeCode.Char => "char",
        PrimitiveTypeCode.Int16 => "short",
        PrimitiveTypeCode.UInt16 => "ushort",
        PrimitiveTypeCode.Int32 => "int",
        PrimitiveTypeCode.UInt32 => "uint",
        PrimitiveTypeCode.Int64 => "long",
        PrimitiveTypeCode.UInt64 => "ulong",
        PrimitiveTypeCode.Single => "float",
        PrimitiveTypeCode.Double => "double",
        PrimitiveTypeCode.IntPtr => "nint",
        PrimitiveTypeCode.UIntPtr => "nuint",
        PrimitiveTypeCode.Object => "object",
        PrimitiveTypeCode.String => "string",
        PrimitiveTypeCode.Void => "void",
        PrimitiveTypeCode.TypedReference => "TypedReference",
        _ => typeCode.ToString(),
    };

    public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
        ShortName(reader.GetString(reader.GetTypeDefinition(handle).Name));

    public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) =>
        ShortName(reader.GetString(reader.GetTypeReference(handle).Name));

    public string GetTypeFromSpecification(MetadataReader reader, GenericNames genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public string GetSZArrayType(string elementType) => elementType + "[]";

    public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";

    public string GetByReferenceType(string elementType) => "ref " + elementType;

    public string GetPointerType(string elementType) => elementType + "*";

    public string GetPinnedType(string elementType) => elementType;

    public string GetFunctionPointerType(MethodSignature<string> signature) =>
        $"delegate*<{string.Join(", ", signature.ParameterTypes.Append(signature.ReturnType))}>";

    public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments)
    {
        // C# spellings users will type: int? and (int, string) rather than Nullable<int> and ValueTuple<int, string>.
        if (genericType == "Nullable" && typeArguments.Length == 1)
        {
            return typeArguments[0] + "?";
        }

        if (genericType == "ValueTuple" && typeArguments.Length is > 1 and < 8)
        {
            return "(" + string.Join(", ", typeArguments) + ")";
        }

        return genericType + "<" + string.Join(", ", typeArguments) + ">";
    }

    public string GetGenericTypeParameter(GenericNames genericContext, int index) =>
        index < genericContext.TypeParameters.Length ? genericContext.TypeParameters[index] : "!" + index;

    public string GetGenericMethodParameter(GenericNames genericContext, int index) =>
        index < genericContext.MethodParameters.Length ? genericContext.MethodParameters[index] : "!!" + index;

    public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired)
    {
        // "in" parameters are by-refs with a required InAttribute modifier.
        if (isRequired && modifier == "InAttribute" && unmodifiedType.StartsWith("ref ", StringComparison.Ordinal))
        {
            return "in " + unmodifiedType["ref ".Length..];
        }

        return unmodifiedType;
    }

    /// <summary>"List`1" -> "List": metadata arity suffixes are noise in a user-facing name.</summary>
    internal static string ShortName(string metadataName)
    {
        var tick = metadataName.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? metadataName : metadataName[..tick];
    }
}
