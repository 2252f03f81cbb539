using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace DotnetMemLine.Symbols;

/// <summary>
/// Finds the IL offsets in a method body where it calls a given method (call, callvirt, newobj). Used
/// to say where an inlined method's code went: the JIT reports only which method received it.
/// </summary>
internal static class CallSites
{
    // Operand sizes of every IL opcode, from the framework's own opcode table, indexed by the opcode's
    // value (one-byte opcodes at 0..255, 0xFE-prefixed ones at 256..511).
    private static readonly OperandType?[] OperandTypes = BuildOperandTable();

    /// <summary>
    /// The IL offsets of the calls in <paramref name="body"/> whose target is named
    /// <paramref name="typeName"/>.<paramref name="methodName"/> (type names as <see cref="TypeNames.Normalize"/> gives them).
    /// </summary>
    public static IReadOnlyList<int> Find(MetadataReader metadata, MethodBodyBlock body, string typeName, string methodName)
    {
        var offsets = new List<int>();
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            int offset = il.Offset;
            int code = il.ReadByte();
            if (code == 0xFE)
            {
                code = 256 + il.ReadByte();
            }

            if (OperandTypes[code] is not { } operand)
            {
                return offsets; // not valid IL: stop rather than misread the rest
            }

            if (operand == OperandType.InlineMethod && code is 0x28 or 0x6F or 0x73)
            {
                var target = MetadataTokens.EntityHandle(il.ReadInt32());
                if (TryGetName(metadata, target, out string targetType, out string targetMethod)
                    && targetMethod == methodName && targetType == typeName)
                {
                    offsets.Add(offset);
                }

                continue;
            }

            Skip(ref il, operand);
        }

        return offsets;
    }

    private static void Skip(ref BlobReader il, OperandType operand)
    {
        switch (operand)
        {
            case OperandType.InlineNone:
                break;
            case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                il.Offset += 1;
                break;
            case OperandType.InlineVar:
                il.Offset += 2;
                break;
            case OperandType.InlineI8 or OperandType.InlineR:
                il.Offset += 8;
                break;
            case OperandType.InlineSwitch:
                int targets = il.ReadInt32();
                il.Offset += 4 * targets;
                break;
            default:
                il.Offset += 4;
                break;
        }
    }

    private static bool TryGetName(MetadataReader metadata, EntityHandle handle, out string typeName, out string methodName)
    {
        typeName = methodName = "";
        switch (handle.Kind)
        {
            case HandleKind.MethodDefinition:
                var definition = metadata.GetMethodDefinition((MethodDefinitionHandle)handle);
                methodName = metadata.GetString(definition.Name);
                typeName = TypeNames.OfDefinition(metadata, definition.GetDeclaringType());
                return true;
            case HandleKind.MemberReference:
                var reference = metadata.GetMemberReference((MemberReferenceHandle)handle);
                methodName = metadata.GetString(reference.Name);
                typeName = TypeNames.OfParent(metadata, reference.Parent);
                return typeName.Length > 0;
            case HandleKind.MethodSpecification:
                return TryGetName(metadata, metadata.GetMethodSpecification((MethodSpecificationHandle)handle).Method, out typeName, out methodName);
            default:
                return false;
        }
    }

    private static OperandType?[] BuildOperandTable()
    {
        var table = new OperandType?[512];
        foreach (var field in typeof(OpCodes).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        {
            if (field.GetValue(null) is OpCode opCode)
            {
                int value = (ushort)opCode.Value;
                table[opCode.Size == 1 ? value : 256 + (value & 0xFF)] = opCode.OperandType;
            }
        }

        return table;
    }
}
