using System.Reflection.Metadata;

namespace DotnetMemLine.Symbols;

/// <summary>Custom attributes read from metadata by their type's name, without loading anything.</summary>
internal static class MetadataAttributes
{
    /// <summary>Whether <paramref name="attributes"/> hold one of the type <paramref name="ns"/>.<paramref name="name"/>, declared here or referenced.</summary>
    public static bool Has(MetadataReader reader, CustomAttributeHandleCollection attributes, string ns, string name)
    {
        foreach (CustomAttributeHandle handle in attributes)
        {
            EntityHandle constructor = reader.GetCustomAttribute(handle).Constructor;
            (StringHandle typeName, StringHandle typeNamespace) = constructor.Kind switch
            {
                HandleKind.MemberReference when reader.GetMemberReference((MemberReferenceHandle)constructor).Parent is { Kind: HandleKind.TypeReference } parent
                    => (reader.GetTypeReference((TypeReferenceHandle)parent).Name, reader.GetTypeReference((TypeReferenceHandle)parent).Namespace),
                HandleKind.MethodDefinition
                    => (reader.GetTypeDefinition(reader.GetMethodDefinition((MethodDefinitionHandle)constructor).GetDeclaringType()).Name,
                        reader.GetTypeDefinition(reader.GetMethodDefinition((MethodDefinitionHandle)constructor).GetDeclaringType()).Namespace),
                _ => (default, default),
            };
            if (!typeName.IsNil && reader.StringComparer.Equals(typeName, name) && reader.StringComparer.Equals(typeNamespace, ns))
            {
                return true;
            }
        }

        return false;
    }
}
