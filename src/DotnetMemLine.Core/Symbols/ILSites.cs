using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace DotnetMemLine.Symbols;

/// <summary>What an IL instruction that can be on a stack under an allocation does.</summary>
public enum ILSiteKind : byte
{
    /// <summary><c>call</c>: a direct call.</summary>
    Call,

    /// <summary><c>callvirt</c>: a virtual or interface call (the runtime may call an override).</summary>
    CallVirt,

    /// <summary><c>calli</c>: a call through a function pointer (any method).</summary>
    CallIndirect,

    /// <summary><c>newobj</c>: allocates an object (or a string) and calls its constructor.</summary>
    NewObject,

    /// <summary><c>newarr</c>: allocates an array through an allocation helper, calls nothing else.</summary>
    NewArray,

    /// <summary><c>box</c>: allocates a boxed value through an allocation helper.</summary>
    Box,

    /// <summary><c>throw</c> / <c>rethrow</c>: the runtime's exception dispatch allocates while the frame waits here.</summary>
    Throw,

    /// <summary><c>ldsfld</c>/<c>stsfld</c>/<c>ldsflda</c>: may run the field's type's static constructor first.</summary>
    StaticField,

    /// <summary><c>ldftn</c>/<c>ldvirtftn</c>: a delegate to the method is made here; the JIT may inline the method where the delegate is invoked.</summary>
    LoadFunction,
}

/// <summary>
/// One instruction of a method body that a frame can be stopped at when an allocation happens: a call,
/// an allocation, a throw, or a static field access that may run a static constructor.
/// </summary>
/// <param name="Offset">Its IL offset.</param>
/// <param name="TypeKey">
/// For an allocation, the allocated type; for a call or field access, the target's declaring type; as
/// <see cref="ILSites.TypeKey(string)"/> spells it ("Byte[]", "List", "&lt;&gt;c__DisplayClass2_0").
/// </param>
/// <param name="MethodName">The called method's name (".ctor" for <c>newobj</c>); empty for the other kinds.</param>
/// <param name="ArrayLength">For <c>newarr</c> right after a constant (<c>ldc.i4 N</c>), N; otherwise -1.</param>
/// <param name="TargetToken">For a call, <c>newobj</c> or <c>ldftn</c> of a method defined in the same module, its MethodDef token; otherwise 0.</param>
/// <param name="NeverInlined">For a call or <c>newobj</c>, the target is a method of the same module marked <c>NoInlining</c>: the JIT never puts its body here.</param>
/// <param name="BoxesStruct">
/// For <c>box</c>, the type is a struct (not a primitive type nor an enum, as far as can be told from here),
/// which unoptimized code boxes through the runtime's <c>CastHelpers.Box</c>.
/// </param>
/// <param name="ParameterCount">For a call, <c>newobj</c> or <c>ldftn</c>, the target's parameter count (<c>this</c> not counted); -1 when unknown.</param>
/// <param name="GenericOverStruct">For a call, the target is another module's generic code instantiated over a struct (see <see cref="ILSites"/>): unoptimized code may box through CastHelpers.Box.</param>
/// <param name="Kind">What the instruction is.</param>
/// <param name="ReturnTypeKey">For a call, the type it returns, spelled as <paramref name="TypeKey"/>; empty when void or unknown.</param>
/// <param name="CallToken">For a call or <c>newobj</c>, the metadata token of its target as the IL writes it (a member reference or method specification for another module's method); 0 otherwise.</param>
/// <param name="TypeArguments">
/// For a call or <c>newobj</c> of a generic type's or generic method's instantiation, the keys of its type arguments, the
/// type's then the method's, joined by commas ("Order" for <c>new List&lt;Order&gt;(...)</c> and for <c>ToList&lt;Order&gt;</c>); empty otherwise.
/// </param>
/// <param name="ConstrainedToken">For a <c>callvirt</c> after <c>constrained.</c>, that prefix's type token (a struct's own method runs); 0 otherwise.</param>
public readonly record struct ILSite(int Offset, ILSiteKind Kind, string TypeKey, string MethodName, int ArrayLength = -1, int TargetToken = 0, bool NeverInlined = false, bool BoxesStruct = false, int ParameterCount = -1, bool GenericOverStruct = false, string ReturnTypeKey = "", int CallToken = 0, string TypeArguments = "", int ConstrainedToken = 0)
{
    /// <summary>A call of some kind (call, callvirt, calli, or the constructor call of newobj).</summary>
    public bool IsCall => Kind is ILSiteKind.Call or ILSiteKind.CallVirt or ILSiteKind.CallIndirect or ILSiteKind.NewObject;

    /// <summary>Calls a delegate's Invoke: whatever was made into the delegate runs.</summary>
    public bool InvokesDelegate => Kind == ILSiteKind.CallVirt && MethodName == "Invoke";

    /// <summary>Allocates a closure: C# creates it where the scope of the captured variables starts.</summary>
    public bool CreatesDisplayClass => Kind == ILSiteKind.NewObject && TypeKey.StartsWith("<>c__DisplayClass", StringComparison.Ordinal);
}

/// <summary>A try block with a catch handler (a filter's code counts as the handler's): IL offsets, ends exclusive.</summary>
public readonly record struct CatchRegion(int TryStart, int TryEnd, int HandlerStart, int HandlerEnd);

/// <summary>
/// The type arguments a generic method body runs with, as type keys: the declaring type's (<c>!0</c>) and the
/// method's own (<c>!!0</c>). Reading another module's <c>List&lt;T&gt;</c> constructor for a call of
/// <c>new List&lt;Order&gt;(...)</c>, its <c>new T[count]</c> is an <c>Order[]</c>.
/// </summary>
public sealed record GenericArguments(ImmutableArray<string> OfType, ImmutableArray<string> OfMethod)
{
    /// <summary>The key of generic parameter <paramref name="index"/> of the type or the method; <see cref="ILSites.AnyType"/> when unknown.</summary>
    public string KeyOf(bool ofMethod, int index)
    {
        ImmutableArray<string> arguments = ofMethod ? OfMethod : OfType;
        return !arguments.IsDefault && index >= 0 && index < arguments.Length && arguments[index].Length > 0 ? arguments[index] : ILSites.AnyType;
    }
}

/// <summary>A branch instruction: control may go from it to <paramref name="Target"/> instead of the next instruction.</summary>
/// <param name="Offset">The IL offset of the branch.</param>
/// <param name="End">The IL offset right after it, where its fall-through (for a conditional branch) starts.</param>
/// <param name="Target">The IL offset it branches to (one entry per target of a <c>switch</c>).</param>
/// <param name="Unconditional">Whether it always branches (<c>br</c>, <c>leave</c>): the code after it is not reached from it.</param>
public readonly record struct ILBranch(int Offset, int End, int Target, bool Unconditional = false);

/// <summary>
/// Reads a method body's IL into its <see cref="ILSite"/>s, in IL order. Names are reduced to a
/// comparable key that runtime events' type names reduce to as well (namespace, nesting and generic
/// arguments dropped; array ranks kept), because the JIT's events and the IL spell types differently.
/// </summary>
public static class ILSites
{
    // Operand types of every IL opcode from the framework's own table, indexed by the opcode's value
    // (one-byte opcodes at 0..255, 0xFE-prefixed ones at 256..511).
    private static readonly OperandType?[] OperandTypes = BuildOperandTable();

    /// <summary>The sites of <paramref name="body"/>; stops (keeping what it read) at bytes that are not valid IL.</summary>
    /// <param name="metadata">The metadata of the body's module.</param>
    /// <param name="body">The method body.</param>
    /// <param name="generic">The type arguments the body runs with, when known: its allocations of generic parameters get their keys.</param>
    public static ImmutableArray<ILSite> Read(MetadataReader metadata, MethodBodyBlock body, GenericArguments? generic = null)
    {
        var sites = ImmutableArray.CreateBuilder<ILSite>();
        var il = body.GetILReader();
        int lastConstant = -1;
        int lastConstantEnd = -1;
        int constrained = 0, constrainedEnd = -1;
        while (il.RemainingBytes > 0)
        {
            int offset = il.Offset;
            if (!TryReadOpcode(ref il, out int code, out OperandType operand))
            {
                break; // not valid IL: stop rather than misread the rest
            }

            if (operand == OperandType.InlineSwitch)
            {
                if (!TrySkipSwitchTargets(ref il))
                {
                    break;
                }

                continue;
            }

            switch (code)
            {
                case 0x28 or 0x6F or 0x73 or 0x29: // call, callvirt, newobj, calli
                    {
                        ILSite site = CallSite(metadata, offset, code, il.ReadInt32());
                        sites.Add(code == 0x6F && constrainedEnd == offset ? site with { ConstrainedToken = constrained } : site);
                        break;
                    }

                case 256 + 0x16: // constrained. T: the callvirt after it runs T's own method when T is a struct
                    constrained = il.ReadInt32();
                    constrainedEnd = il.Offset;
                    break;
                case 256 + 0x06 or 256 + 0x07: // ldftn, ldvirtftn
                    {
                        int token = il.ReadInt32();
                        (string type, string method) = MethodTarget(metadata, token);
                        sites.Add(new ILSite(offset, ILSiteKind.LoadFunction, type, method, TargetToken: DefinitionToken(metadata, token), ParameterCount: SignatureOf(metadata, token).ParameterCount));
                        break;
                    }

                case 0x8D: // newarr
                    {
                        string element = TypeKeyOf(metadata, il.ReadInt32(), generic);
                        int length = lastConstantEnd == offset ? lastConstant : -1;
                        sites.Add(new ILSite(offset, ILSiteKind.NewArray, element + "[]", "", length));
                        break;
                    }

                case 0x8C: // box
                    {
                        int token = il.ReadInt32();
                        sites.Add(new ILSite(offset, ILSiteKind.Box, TypeKeyOf(metadata, token, generic), "", BoxesStruct: IsStruct(metadata, token)));
                        break;
                    }

                case 0x7A or 256 + 0x1A: // throw, rethrow
                    sites.Add(new ILSite(offset, ILSiteKind.Throw, "", ""));
                    break;
                case 0x7E or 0x80 or 0x7F: // ldsfld, stsfld, ldsflda
                    sites.Add(new ILSite(offset, ILSiteKind.StaticField, FieldTypeKey(metadata, il.ReadInt32()), ""));
                    break;
                case >= 0x16 and <= 0x1E: // ldc.i4.0 .. ldc.i4.8
                    lastConstant = code - 0x16;
                    lastConstantEnd = il.Offset;
                    break;
                case 0x1F: // ldc.i4.s
                    lastConstant = il.ReadSByte();
                    lastConstantEnd = il.Offset;
                    break;
                case 0x20: // ldc.i4
                    lastConstant = il.ReadInt32();
                    lastConstantEnd = il.Offset;
                    break;
                default:
                    Skip(ref il, operand);
                    break;
            }
        }

        return sites.ToImmutable();
    }

    /// <summary>
    /// The next instruction's opcode (0xFE-prefixed ones as 256 + the second byte) and operand type, its fixed-size
    /// operand still to read. False at bytes that are not valid IL or an operand cut short.
    /// </summary>
    private static bool TryReadOpcode(ref BlobReader il, out int code, out OperandType operand)
    {
        operand = default;
        code = il.ReadByte();
        if (code == 0xFE)
        {
            if (il.RemainingBytes == 0)
            {
                return false;
            }

            code = 256 + il.ReadByte();
        }

        if (OperandTypes[code] is not { } known || il.RemainingBytes < FixedOperandSize(known))
        {
            return false;
        }

        operand = known;
        return true;
    }

    /// <summary>Reads past a <c>switch</c>'s targets (its count read first); false when they are cut short.</summary>
    private static bool TrySkipSwitchTargets(ref BlobReader il)
    {
        uint targets = il.ReadUInt32();
        if (il.RemainingBytes < 4L * targets)
        {
            return false;
        }

        il.Offset += 4 * (int)targets;
        return true;
    }

    /// <summary>A <c>call</c>, <c>callvirt</c>, <c>newobj</c> or <c>calli</c> (<paramref name="code"/>) of <paramref name="token"/>.</summary>
    private static ILSite CallSite(MetadataReader metadata, int offset, int code, int token)
    {
        if (code == 0x29)
        {
            return new ILSite(offset, ILSiteKind.CallIndirect, "", "");
        }

        (string type, string method) = MethodTarget(metadata, token);
        ILSiteKind kind = code switch { 0x28 => ILSiteKind.Call, 0x6F => ILSiteKind.CallVirt, _ => ILSiteKind.NewObject };
        int definition = DefinitionToken(metadata, token);
        (int parameterCount, string returnTypeKey) = SignatureOf(metadata, token);
        return new ILSite(offset, kind, type, method, TargetToken: definition, NeverInlined: IsNoInlining(metadata, definition), ParameterCount: parameterCount,
            GenericOverStruct: definition == 0 && IsGenericOverStruct(metadata, token), ReturnTypeKey: returnTypeKey, CallToken: token, TypeArguments: TypeArgumentsOf(metadata, token));
    }

    /// <summary>The keys of a call target's type arguments (its declaring type's, then its own), joined by commas; empty when it has none or they cannot be read.</summary>
    private static string TypeArgumentsOf(MetadataReader metadata, int token)
    {
        try
        {
            var keys = new List<string>();
            EntityHandle handle = MetadataTokens.EntityHandle(token);
            BlobReader methodArguments = default;
            if (handle.Kind == HandleKind.MethodSpecification)
            {
                MethodSpecification specification = metadata.GetMethodSpecification((MethodSpecificationHandle)handle);
                methodArguments = metadata.GetBlobReader(specification.Signature);
                handle = specification.Method;
            }

            if (handle.Kind == HandleKind.MemberReference && metadata.GetMemberReference((MemberReferenceHandle)handle).Parent is { Kind: HandleKind.TypeSpecification } parent)
            {
                BlobReader type = metadata.GetBlobReader(metadata.GetTypeSpecification((TypeSpecificationHandle)parent).Signature);
                if (type.ReadSignatureTypeCode() == SignatureTypeCode.GenericTypeInstance)
                {
                    type.ReadSignatureTypeCode(); // class or valuetype
                    type.ReadTypeHandle();
                    AddArgumentKeys(metadata, ref type, keys);
                }
            }

            if (methodArguments.Length > 0 && methodArguments.ReadByte() == 0x0A)
            {
                AddArgumentKeys(metadata, ref methodArguments, keys);
            }

            return string.Join(',', keys);
        }
        catch (Exception ex) when (ex is BadImageFormatException or ArgumentException or InvalidCastException)
        {
            return "";
        }
    }

    private static void AddArgumentKeys(MetadataReader metadata, ref BlobReader blob, List<string> keys)
    {
        int count = blob.ReadCompressedInteger();
        for (int i = 0; i < count; i++)
        {
            keys.Add(KeyOfSignature(metadata, ref blob, depth: 0));
        }
    }

    /// <summary>
    /// The branches of <paramref name="body"/> (<c>br</c>, the conditional branches, <c>leave</c>,
    /// <c>switch</c>), in IL order; stops (keeping what it read) at bytes that are not valid IL.
    /// </summary>
    public static ImmutableArray<ILBranch> ReadBranches(MethodBodyBlock body)
    {
        var branches = ImmutableArray.CreateBuilder<ILBranch>();
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            int offset = il.Offset;
            if (!TryReadOpcode(ref il, out int code, out OperandType operand))
            {
                break;
            }

            bool unconditional = code is 0x2B or 0x38 or 0xDD or 0xDE; // br.s, br, leave, leave.s

            switch (operand)
            {
                case OperandType.ShortInlineBrTarget:
                    {
                        int delta = il.ReadSByte();
                        branches.Add(new ILBranch(offset, il.Offset, il.Offset + delta, unconditional));
                        break;
                    }

                case OperandType.InlineBrTarget:
                    {
                        int delta = il.ReadInt32();
                        branches.Add(new ILBranch(offset, il.Offset, il.Offset + delta, unconditional));
                        break;
                    }

                case OperandType.InlineSwitch:
                    {
                        uint count = il.ReadUInt32();
                        if (il.RemainingBytes < 4L * count)
                        {
                            return branches.ToImmutable();
                        }

                        int end = il.Offset + (4 * (int)count);
                        for (int i = 0; i < count; i++)
                        {
                            branches.Add(new ILBranch(offset, end, end + il.ReadInt32()));
                        }

                        break;
                    }

                default:
                    Skip(ref il, operand);
                    break;
            }
        }

        return branches.ToImmutable();
    }

    /// <summary>
    /// The key of a generic parameter (<c>T</c>, <c>!!0</c>): the IL does not say what the runtime allocates for
    /// <c>new T[n]</c> or <c>box T</c>; <see cref="KeyMatches"/> lets it stand for any type.
    /// </summary>
    public const string AnyType = "?";

    /// <summary>
    /// Whether an allocation site's type key (<paramref name="siteKey"/>, possibly holding <see cref="AnyType"/>
    /// as in "?[]") can be the type the runtime reported (<paramref name="allocatedKey"/>).
    /// </summary>
    public static bool KeyMatches(string siteKey, string allocatedKey)
    {
        if (siteKey == allocatedKey)
        {
            return true;
        }

        // "?" then the array suffixes the site adds around the parameter: the runtime's name ends with them.
        return siteKey.StartsWith(AnyType, StringComparison.Ordinal)
            && allocatedKey.Length > siteKey.Length - 1
            && allocatedKey.EndsWith(siteKey.AsSpan(1), StringComparison.Ordinal);
    }

    /// <summary>
    /// The key of the type a nested type is declared in ("Enumerable" for
    /// <c>System.Linq.Enumerable+DistinctIterator`1[System.String]</c>); empty for a type that is not nested, an
    /// array, or a compiler-generated type (a closure or state machine is its method's, not its outer type's).
    /// </summary>
    public static string OuterTypeKey(string runtimeName)
    {
        ReadOnlySpan<char> name = runtimeName.AsSpan().Trim();
        int arguments = name.IndexOf('[');
        if (arguments >= 0)
        {
            name = name[..arguments]; // generic arguments (which may name nested types of their own), or an array
        }

        int plus = name.LastIndexOf('+');
        return plus <= 0 || name[(plus + 1)..].StartsWith("<") ? "" : TypeKey(name[..plus].ToString());
    }

    /// <summary>
    /// A type name as sites and frames are compared by: the simple name, without namespace, outer types or generic arity.
    /// The runtime's events write "System.Byte[]" ("Byte[]"), "System.Collections.Generic.List`1[System.Int32]" ("List"),
    /// "Ns.Outer+Inner" ("Inner").
    /// </summary>
    public static string TypeKey(string runtimeName)
    {
        ReadOnlySpan<char> name = WithoutArrayRanks(runtimeName.AsSpan().Trim(), out string arraySuffix);

        int tick = name.IndexOf('`');
        if (tick >= 0)
        {
            name = name[..tick];
        }

        int generic = name.IndexOf('[');
        if (generic >= 0)
        {
            name = name[..generic];
        }

        int last = name.LastIndexOfAny('.', '+');
        // A compiler-generated name may contain dots inside its angle brackets only in odd cases; keep it whole then.
        if (last >= 0 && name.LastIndexOf('>') < last)
        {
            name = name[(last + 1)..];
        }
        else if (name.IndexOf('<') is int angle and > 0 && name[..angle].LastIndexOfAny('.', '+') is int separator and >= 0)
        {
            name = name[(separator + 1)..];
        }

        return name.ToString() + arraySuffix;
    }

    /// <summary>
    /// The keys of a runtime type name's generic arguments, an array's element type's for an array, joined by commas as
    /// <see cref="ILSite.TypeArguments"/> joins them: "Int32,List" for a Dictionary's
    /// <c>Entry[System.Int32,System.Collections.Generic.List`1[System.Int32]][]</c> (the runtime names a nested type of a
    /// generic type with the outer type's arguments); empty when it has none.
    /// </summary>
    public static string TypeArgumentKeys(string runtimeName)
    {
        ReadOnlySpan<char> name = WithoutArrayRanks(runtimeName.AsSpan().Trim(), out _);
        int start = name.IndexOf('[');
        if (start < 0 || name[^1] != ']')
        {
            return "";
        }

        var keys = new List<string>();
        int depth = 0, argumentStart = start + 1;
        for (int i = start + 1; i < name.Length - 1; i++)
        {
            depth += name[i] == '[' ? 1 : name[i] == ']' ? -1 : 0;
            if (depth == 0 && name[i] == ',')
            {
                keys.Add(ArgumentKey(name[argumentStart..i]));
                argumentStart = i + 1;
            }
        }

        keys.Add(ArgumentKey(name[argumentStart..^1]));
        return string.Join(',', keys);
    }

    /// <summary>A runtime type name without its array ranks ("[]", "[,]"), which come back as <paramref name="arraySuffix"/>.</summary>
    private static ReadOnlySpan<char> WithoutArrayRanks(ReadOnlySpan<char> name, out string arraySuffix)
    {
        arraySuffix = "";
        while (name.Length >= 2 && name[^1] == ']')
        {
            int open = name.LastIndexOf('[');
            if (open < 0 || name[(open + 1)..^1].ContainsAnyExcept(','))
            {
                break; // generic arguments, not an array rank
            }

            arraySuffix = name[open..].ToString() + arraySuffix;
            name = name[..open];
        }

        return name;
    }

    /// <summary>One generic argument's key; an assembly-qualified one comes in brackets: <c>[System.Int32, System.Private.CoreLib]</c>.</summary>
    private static string ArgumentKey(ReadOnlySpan<char> argument)
    {
        argument = argument.Trim();
        if (argument.Length >= 2 && argument[0] == '[' && argument[^1] == ']')
        {
            argument = argument[1..^1];
            int comma = argument.IndexOf(", ", StringComparison.Ordinal);
            argument = comma > 0 && argument.LastIndexOf(']') < comma ? argument[..comma] : argument;
        }

        return TypeKey(argument.ToString());
    }

    /// <summary>
    /// The size of an array of <paramref name="length"/> elements of the <c>newarr</c> type <paramref name="arrayTypeKey"/>
    /// on a 64-bit runtime (header, method table, length; rounded up to 8 bytes), or -1 when the element's size is unknown.
    /// </summary>
    public static long ArraySize(string arrayTypeKey, int length)
    {
        if (length < 0 || !arrayTypeKey.EndsWith("[]", StringComparison.Ordinal))
        {
            return -1;
        }

        string element = arrayTypeKey[..^2];
        int elementSize = element switch
        {
            "Byte" or "SByte" or "Boolean" => 1,
            "Char" or "Int16" or "UInt16" => 2,
            "Int32" or "UInt32" or "Single" => 4,
            "Int64" or "UInt64" or "Double" or "IntPtr" or "UIntPtr" => 8,
            "String" or "Object" => 8,
            _ when element.EndsWith(']') => 8, // an array of arrays holds references
            _ => -1,
        };
        return elementSize < 0 ? -1 : (24 + ((long)length * elementSize) + 7) / 8 * 8;
    }

    private static bool IsNoInlining(MetadataReader metadata, int definitionToken)
    {
        if (definitionToken == 0)
        {
            return false;
        }

        try
        {
            var handle = (MethodDefinitionHandle)MetadataTokens.EntityHandle(definitionToken);
            return (metadata.GetMethodDefinition(handle).ImplAttributes & System.Reflection.MethodImplAttributes.NoInlining) != 0;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private static int DefinitionToken(MetadataReader metadata, int token)
    {
        try
        {
            EntityHandle handle = MetadataTokens.EntityHandle(token);
            if (handle.Kind == HandleKind.MethodSpecification)
            {
                handle = metadata.GetMethodSpecification((MethodSpecificationHandle)handle).Method;
            }

            return handle.Kind switch
            {
                HandleKind.MethodDefinition => MetadataTokens.GetToken(handle),
                HandleKind.MemberReference => OwnMethodOf(metadata, (MemberReferenceHandle)handle),
                _ => 0,
            };
        }
        catch (BadImageFormatException)
        {
            return 0;
        }
    }

    /// <summary>
    /// The method definition of this module a member reference names: a method of one of its own generic types
    /// (<c>LruCache&lt;int, byte[]&gt;.get_Keys</c>) is called through a reference on the instantiation, whose signature
    /// is written in the type's own parameters as the definition's is. 0 for another module's method.
    /// </summary>
    private static int OwnMethodOf(MetadataReader metadata, MemberReferenceHandle handle)
    {
        MemberReference reference = metadata.GetMemberReference(handle);
        TypeDefinitionHandle type = OwnTypeOf(metadata, reference.Parent);
        if (type.IsNil || reference.GetKind() != MemberReferenceKind.Method)
        {
            return 0;
        }

        BlobReader signature = metadata.GetBlobReader(reference.Signature);
        foreach (MethodDefinitionHandle method in metadata.GetTypeDefinition(type).GetMethods())
        {
            MethodDefinition definition = metadata.GetMethodDefinition(method);
            if (metadata.StringComparer.Equals(definition.Name, metadata.GetString(reference.Name))
                && metadata.GetBlobReader(definition.Signature) is var candidate && candidate.Length == signature.Length
                && BlobsEqual(signature, candidate))
            {
                return MetadataTokens.GetToken(method);
            }
        }

        return 0;
    }

    private static bool BlobsEqual(BlobReader left, BlobReader right)
    {
        while (left.RemainingBytes > 0)
        {
            if (left.ReadByte() != right.ReadByte())
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The type definition of this module a type handle in its metadata names (a generic instantiation's definition); nil for another module's.</summary>
    internal static TypeDefinitionHandle OwnTypeOf(MetadataReader metadata, EntityHandle type)
    {
        if (type.Kind == HandleKind.TypeDefinition)
        {
            return (TypeDefinitionHandle)type;
        }

        if (type.Kind != HandleKind.TypeSpecification)
        {
            return default;
        }

        BlobReader blob = metadata.GetBlobReader(metadata.GetTypeSpecification((TypeSpecificationHandle)type).Signature);
        if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance)
        {
            return default;
        }

        blob.ReadByte(); // class or valuetype
        EntityHandle definition = blob.ReadTypeHandle();
        return definition.Kind == HandleKind.TypeDefinition ? (TypeDefinitionHandle)definition : default;
    }

    /// <summary>A method token's parameter count (<c>this</c> not counted); -1 when unreadable.</summary>
    internal static int ParameterCountOf(MetadataReader metadata, int token) => SignatureOf(metadata, token).ParameterCount;

    /// <summary>
    /// A method token's parameter count (<c>this</c> not counted; -1 when unreadable) and the key of the type it
    /// returns ("List" for <c>Enumerable.ToList</c>; empty when void, a generic parameter, or unreadable).
    /// </summary>
    private static (int ParameterCount, string ReturnTypeKey) SignatureOf(MetadataReader metadata, int token)
    {
        try
        {
            EntityHandle handle = MetadataTokens.EntityHandle(token);
            BlobHandle signature;
            switch (handle.Kind)
            {
                case HandleKind.MethodDefinition:
                    signature = metadata.GetMethodDefinition((MethodDefinitionHandle)handle).Signature;
                    break;
                case HandleKind.MemberReference:
                    signature = metadata.GetMemberReference((MemberReferenceHandle)handle).Signature;
                    break;
                case HandleKind.MethodSpecification:
                    return SignatureOf(metadata, MetadataTokens.GetToken(metadata.GetMethodSpecification((MethodSpecificationHandle)handle).Method));
                default:
                    return (-1, "");
            }

            BlobReader blob = metadata.GetBlobReader(signature);
            SignatureHeader header = blob.ReadSignatureHeader();
            if (header.Kind != SignatureKind.Method)
            {
                return (-1, "");
            }

            if (header.IsGeneric)
            {
                blob.ReadCompressedInteger();
            }

            int parameterCount = blob.ReadCompressedInteger();
            string returned = KeyOfSignature(metadata, ref blob, depth: 0);
            return (parameterCount, returned is "Void" or AnyType ? "" : returned);
        }
        catch (Exception ex) when (ex is BadImageFormatException or ArgumentException or InvalidCastException)
        {
            return (-1, "");
        }
    }

    private static (string Type, string Method) MethodTarget(MetadataReader metadata, int token)
    {
        try
        {
            EntityHandle handle = MetadataTokens.EntityHandle(token);
            switch (handle.Kind)
            {
                case HandleKind.MethodDefinition:
                    var definition = metadata.GetMethodDefinition((MethodDefinitionHandle)handle);
                    return (TypeKeyOf(metadata, definition.GetDeclaringType()), metadata.GetString(definition.Name));
                case HandleKind.MemberReference:
                    var reference = metadata.GetMemberReference((MemberReferenceHandle)handle);
                    return (TypeKeyOf(metadata, reference.Parent), metadata.GetString(reference.Name));
                case HandleKind.MethodSpecification:
                    return MethodTarget(metadata, MetadataTokens.GetToken(metadata.GetMethodSpecification((MethodSpecificationHandle)handle).Method));
                default:
                    return ("", "");
            }
        }
        catch (BadImageFormatException)
        {
            return ("", "");
        }
    }

    private static string FieldTypeKey(MetadataReader metadata, int token)
    {
        try
        {
            EntityHandle handle = MetadataTokens.EntityHandle(token);
            return handle.Kind switch
            {
                HandleKind.FieldDefinition => TypeKeyOf(metadata, metadata.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType()),
                HandleKind.MemberReference => TypeKeyOf(metadata, metadata.GetMemberReference((MemberReferenceHandle)handle).Parent),
                _ => "",
            };
        }
        catch (BadImageFormatException)
        {
            return "";
        }
    }

    private static readonly HashSet<string> PrimitiveNames =
        ["Boolean", "Char", "SByte", "Byte", "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64", "Single", "Double", "IntPtr", "UIntPtr"];

    /// <summary>
    /// Whether a boxed type is a struct rather than a primitive type or an enum: a type of this module by its
    /// base type; a type of another by name (a primitive) or, for the shared framework's, by loading it; a
    /// generic instantiation is a struct. Unknown (another module of the application) counts as a struct.
    /// </summary>
    private static bool IsStruct(MetadataReader metadata, int token)
    {
        try
        {
            EntityHandle handle = MetadataTokens.EntityHandle(token);
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    EntityHandle baseType = metadata.GetTypeDefinition((TypeDefinitionHandle)handle).BaseType;
                    return !(baseType.Kind == HandleKind.TypeReference && metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)baseType).Name) == "Enum");
                case HandleKind.TypeReference:
                    TypeReference reference = metadata.GetTypeReference((TypeReferenceHandle)handle);
                    string name = metadata.GetString(reference.Name);
                    string ns = metadata.GetString(reference.Namespace);
                    if (ns == "System" && PrimitiveNames.Contains(name))
                    {
                        return false;
                    }

                    // Names come from an untrusted file: only a plain name is looked up (never one that names an assembly).
                    if (!(ns + name).All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
                    {
                        return true;
                    }

                    return Type.GetType($"{ns}.{name}", throwOnError: false) is not { IsEnum: true };
                case HandleKind.TypeSpecification:
                    return true;
                default:
                    return false;
            }
        }
        catch (Exception ex) when (ex is BadImageFormatException or ArgumentException or InvalidCastException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether a call's target is another module's generic method or a method of a generic type instantiated
    /// over a struct that is not a primitive type or an enum (<c>AppendFormatted&lt;decimal&gt;</c>,
    /// <c>List&lt;Point&gt;.Add</c>): no precompiled code exists for most of those, so the runtime compiles them
    /// at tier 0 first, and that code boxes such structs through CastHelpers.Box.
    /// </summary>
    private static bool IsGenericOverStruct(MetadataReader metadata, int token)
    {
        try
        {
            EntityHandle handle = MetadataTokens.EntityHandle(token);
            if (handle.Kind == HandleKind.MethodSpecification)
            {
                MethodSpecification specification = metadata.GetMethodSpecification((MethodSpecificationHandle)handle);
                BlobReader blob = metadata.GetBlobReader(specification.Signature);
                if (blob.ReadByte() == 0x0A && AnyStructArgument(metadata, ref blob, blob.ReadCompressedInteger(), depth: 0))
                {
                    return true;
                }

                handle = specification.Method;
            }

            if (handle.Kind == HandleKind.MemberReference && metadata.GetMemberReference((MemberReferenceHandle)handle).Parent is { Kind: HandleKind.TypeSpecification } parent)
            {
                BlobReader blob = metadata.GetBlobReader(metadata.GetTypeSpecification((TypeSpecificationHandle)parent).Signature);
                return StructOrOverStruct(metadata, ref blob, depth: 0) != false;
            }

            return false;
        }
        catch (Exception ex) when (ex is BadImageFormatException or ArgumentException or InvalidCastException)
        {
            return false;
        }
    }

    private static bool AnyStructArgument(MetadataReader metadata, ref BlobReader blob, int count, int depth)
    {
        for (int i = 0; i < count; i++)
        {
            if (StructOrOverStruct(metadata, ref blob, depth) is not false)
            {
                return true; // a struct, or a type that could not be read past (conservatively: no further arguments read)
            }
        }

        return false;
    }

    /// <summary>
    /// Reads one type of a signature: true for a struct other than a primitive or an enum, or a generic type with
    /// such an argument; false for anything else; null when it cannot be read (then nothing after it can be).
    /// </summary>
    private static bool? StructOrOverStruct(MetadataReader metadata, ref BlobReader blob, int depth)
    {
        if (depth > 8)
        {
            return null;
        }

        // ReadSignatureTypeCode reads CLASS (0x12) and VALUETYPE (0x11) alike as TypeHandle: the raw byte tells them apart.
        const byte ValueTypeCode = 0x11;
        byte raw = blob.ReadByte();
        blob.Offset--;
        SignatureTypeCode code = blob.ReadSignatureTypeCode();
        switch (code)
        {
            case SignatureTypeCode.GenericTypeInstance:
                bool isValueType = blob.ReadByte() == ValueTypeCode;
                blob.ReadTypeHandle();
                return isValueType || AnyStructArgument(metadata, ref blob, blob.ReadCompressedInteger(), depth + 1);
            case SignatureTypeCode.TypeHandle:
                EntityHandle type = blob.ReadTypeHandle();
                return raw == ValueTypeCode && IsStruct(metadata, MetadataTokens.GetToken(type));
            case SignatureTypeCode.SZArray or SignatureTypeCode.Pointer or SignatureTypeCode.ByReference or SignatureTypeCode.Pinned:
                return StructOrOverStruct(metadata, ref blob, depth + 1) is null ? null : false;
            case SignatureTypeCode.GenericTypeParameter or SignatureTypeCode.GenericMethodParameter:
                blob.ReadCompressedInteger();
                return false;
            case SignatureTypeCode.Array or SignatureTypeCode.FunctionPointer or SignatureTypeCode.OptionalModifier or SignatureTypeCode.RequiredModifier or SignatureTypeCode.Invalid:
                return null;
            default:
                return false; // a primitive type, string, object
        }
    }

    private static string TypeKeyOf(MetadataReader metadata, int token, GenericArguments? generic = null)
    {
        try
        {
            return TypeKeyOf(metadata, MetadataTokens.EntityHandle(token), generic);
        }
        catch (ArgumentException)
        {
            return "";
        }
    }

    /// <summary>The key of a type definition, reference or specification (generic parameters substituted from <paramref name="generic"/>); empty when unreadable.</summary>
    internal static string TypeKeyOf(MetadataReader metadata, EntityHandle handle, GenericArguments? generic = null)
    {
        try
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    return KeyOfName(metadata.GetString(metadata.GetTypeDefinition((TypeDefinitionHandle)handle).Name));
                case HandleKind.TypeReference:
                    return KeyOfName(metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)handle).Name));
                case HandleKind.TypeSpecification:
                    var blob = metadata.GetBlobReader(metadata.GetTypeSpecification((TypeSpecificationHandle)handle).Signature);
                    return KeyOfSignature(metadata, ref blob, depth: 0, generic);
                default:
                    return "";
            }
        }
        catch (BadImageFormatException)
        {
            return "";
        }
    }

    private static string KeyOfName(string metadataName)
    {
        int tick = metadataName.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? metadataName : metadataName[..tick];
    }

    /// <summary>Reads one type of a signature and returns its key (generic parameters substituted from <paramref name="generic"/>).</summary>
    internal static string KeyOfSignature(MetadataReader metadata, ref BlobReader blob, int depth, GenericArguments? generic = null)
    {
        if (depth > 8)
        {
            return "";
        }

        SignatureTypeCode code = blob.ReadSignatureTypeCode();
        switch (code)
        {
            case SignatureTypeCode.GenericTypeInstance:
                blob.ReadSignatureTypeCode(); // class or valuetype
                return TypeKeyOf(metadata, blob.ReadTypeHandle());
            case SignatureTypeCode.TypeHandle:
                return TypeKeyOf(metadata, blob.ReadTypeHandle());
            case SignatureTypeCode.SZArray:
                return KeyOfSignature(metadata, ref blob, depth + 1, generic) + "[]";
            case SignatureTypeCode.Array:
                string element = KeyOfSignature(metadata, ref blob, depth + 1, generic);
                int rank = blob.ReadCompressedInteger();
                return element + "[" + new string(',', Math.Max(0, rank - 1)) + "]";
            case SignatureTypeCode.GenericTypeParameter or SignatureTypeCode.GenericMethodParameter:
                int index = blob.ReadCompressedInteger();
                return generic?.KeyOf(code == SignatureTypeCode.GenericMethodParameter, index) ?? AnyType;
            default:
                return PrimitiveName(code);
        }
    }

    private static string PrimitiveName(SignatureTypeCode code) => code switch
    {
        SignatureTypeCode.Boolean => "Boolean",
        SignatureTypeCode.Char => "Char",
        SignatureTypeCode.SByte => "SByte",
        SignatureTypeCode.Byte => "Byte",
        SignatureTypeCode.Int16 => "Int16",
        SignatureTypeCode.UInt16 => "UInt16",
        SignatureTypeCode.Int32 => "Int32",
        SignatureTypeCode.UInt32 => "UInt32",
        SignatureTypeCode.Int64 => "Int64",
        SignatureTypeCode.UInt64 => "UInt64",
        SignatureTypeCode.Single => "Single",
        SignatureTypeCode.Double => "Double",
        SignatureTypeCode.IntPtr => "IntPtr",
        SignatureTypeCode.UIntPtr => "UIntPtr",
        SignatureTypeCode.Object => "Object",
        SignatureTypeCode.String => "String",
        _ => "",
    };

    // The operand's size before anything is read; a switch's is its count (the targets follow).
    private static int FixedOperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };

    private static void Skip(ref BlobReader il, OperandType operand) => il.Offset += FixedOperandSize(operand);

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
