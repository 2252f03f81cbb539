using System.Reflection.Metadata;
using System.Text;

namespace DotnetMemLine.Symbols;

/// <summary>
/// One spelling for a type's name across metadata and runtime events: namespace and nested types joined
/// with '.', without generic arity or arguments ("Ns.Outer.Pool" for "Ns.Outer+Pool`1[System.__Canon]";
/// "Ns.Work.&lt;Produce&gt;d__3" for a state machine).
/// </summary>
internal static class TypeNames
{
    /// <summary>Normalizes a name as the runtime's events write it.</summary>
    public static string Normalize(string runtimeName)
    {
        var result = new StringBuilder(runtimeName.Length);
        int depth = 0;
        bool skippingArity = false;
        foreach (char c in runtimeName)
        {
            switch (c)
            {
                // Only brackets: '<' and '>' belong to compiler-generated names (<Produce>d__3, <>c).
                case '[':
                    depth++;
                    break;
                case ']':
                    depth--;
                    break;
                case '`' when depth == 0:
                    skippingArity = true;
                    break;
                case '+' or '.' when depth == 0:
                    skippingArity = false;
                    result.Append('.');
                    break;
                default:
                    if (depth == 0 && !(skippingArity && char.IsAsciiDigit(c)))
                    {
                        skippingArity = false;
                        result.Append(c);
                    }

                    break;
            }
        }

        return result.ToString();
    }

    public static string OfDefinition(MetadataReader metadata, TypeDefinitionHandle handle)
    {
        var type = metadata.GetTypeDefinition(handle);
        string name = SignatureTypeNames.ShortName(metadata.GetString(type.Name));
        var declaring = type.GetDeclaringType();
        if (!declaring.IsNil)
        {
            return OfDefinition(metadata, declaring) + "." + name;
        }

        string ns = metadata.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    /// <summary>The type a member reference belongs to; empty for parents that are not types.</summary>
    public static string OfParent(MetadataReader metadata, EntityHandle parent) => parent.Kind switch
    {
        HandleKind.TypeDefinition => OfDefinition(metadata, (TypeDefinitionHandle)parent),
        HandleKind.TypeReference => OfReference(metadata, (TypeReferenceHandle)parent),
        HandleKind.TypeSpecification => OfSpecification(metadata, (TypeSpecificationHandle)parent),
        _ => "",
    };

    private static string OfReference(MetadataReader metadata, TypeReferenceHandle handle)
    {
        var type = metadata.GetTypeReference(handle);
        string name = SignatureTypeNames.ShortName(metadata.GetString(type.Name));
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            return OfReference(metadata, (TypeReferenceHandle)type.ResolutionScope) + "." + name;
        }

        string ns = metadata.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    // A generic instantiation (Pool<int>) as a member's parent: its generic type definition's name.
    private static string OfSpecification(MetadataReader metadata, TypeSpecificationHandle handle)
    {
        var blob = metadata.GetBlobReader(metadata.GetTypeSpecification(handle).Signature);
        if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance)
        {
            return "";
        }

        blob.ReadSignatureTypeCode(); // class or valuetype
        var generic = blob.ReadTypeHandle();
        return OfParent(metadata, generic);
    }
}
