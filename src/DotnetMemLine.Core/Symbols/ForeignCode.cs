using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;

namespace DotnetMemLine.Symbols;

/// <summary>
/// What a call of another module's method (the framework's, a package's) can make, read from that method's
/// IL: what its own body allocates and calls, and what the methods it calls do in turn, a few levels down.
/// </summary>
/// <remarks>
/// Optimized code inlines such calls, and then their allocations and calls are made from the user's frame
/// at addresses the IL map does not tell apart (<c>matches.Count</c> evaluating a lazy regex match collection
/// in the code laid out after <c>Regex.Matches</c>). The callee's IL says which of the neighbouring calls can
/// have made what the frame was seen making.
/// </remarks>
/// <param name="Allocations">
/// Types it allocates (<c>newobj</c>, <c>newarr</c>, <c>box</c>, the runtime's string and array helpers), keys as
/// <see cref="ILSites.TypeKey"/> spells them, each with the shallowest level it is allocated at: 0 in its own IL
/// (generic arguments of the call substituted), 1 in a method it calls, and so on. Types the IL names, and arrays of a
/// generic parameter left unknown as <c>?[]</c> (<see cref="ILSites.AnyType"/>); not other objects of one.
/// </param>
/// <param name="Calls">Methods it calls (declaring type key and name), each with the shallowest level it is called at.</param>
/// <param name="Overridable">
/// Whether the method is virtual and may be overridden: a derived type's override then runs other IL (Encoding's
/// GetBytes as UTF8Encoding's), so what this IL does not make is not ruled out.
/// </param>
/// <param name="AllocationPaths">
/// For each type in <paramref name="Allocations"/> made below the method's own IL, the methods called on the way down to
/// where it is made (at most a few ways, each the shallowest to one method that makes it): code inlined into a caller
/// makes the object in the caller's own frame only if every method on one such way was inlined too.
/// </param>
/// <param name="Complete">
/// Whether every method it can reach was read (none left below the levels read or past the budget): then what it does
/// not call, it never calls.
/// </param>
public sealed record CalleeFacts(
    FrozenDictionary<string, int> Allocations,
    FrozenDictionary<(string TypeKey, string MethodName), int> Calls,
    bool Overridable = false,
    FrozenDictionary<string, ImmutableArray<ImmutableArray<(string TypeKey, string MethodName)>>>? AllocationPaths = null,
    bool Complete = false);

/// <summary>
/// Reads other modules' IL for <see cref="CalleeFacts"/>: the assemblies next to the user's module, then the
/// shared framework this tool runs on (the same major version as the .NET 10 targets it profiles; a patch
/// apart changes little of what a method calls). A call whose target cannot be found has no facts, and the
/// attribution falls back to what the IL at the call site alone says.
/// </summary>
internal static class ForeignCode
{
    /// <summary>How many levels of calls below the callee's own body are read.</summary>
    public const int LevelsBelow = 4;

    /// <summary>How many ways down to the methods that make one type are kept (<see cref="CalleeFacts.AllocationPaths"/>).</summary>
    private const int MaxPathsPerType = 8;

    /// <summary>How many methods one callee's facts may read: LINQ and the collections fan out fast.</summary>
    private const int MethodBudget = 1500;

    private static readonly ConcurrentDictionary<string, Assembly?> OpenAssemblies = new(StringComparer.OrdinalIgnoreCase);
    private static readonly ConcurrentDictionary<(string Path, int Row, string Generic), ImmutableArray<ILSite>> BodiesRead = new();
    private static readonly ConcurrentDictionary<(string Path, int Token, string Generic), List<Target>> Resolved = new();
    private static readonly ConcurrentDictionary<(string Path, int Token), int> ParameterCounts = new();

    /// <summary>
    /// The facts of the method <paramref name="callToken"/> names in <paramref name="caller"/>'s IL (a member
    /// reference or method specification); null for a method of the caller's own module, or one not found.
    /// </summary>
    /// <param name="caller">The metadata of the module whose IL makes the call.</param>
    /// <param name="callerDirectory">The directory of that module: the application's own dependencies are there.</param>
    /// <param name="callToken">The call's token, as <see cref="ILSite.CallToken"/> holds it.</param>
    public static CalleeFacts? FactsOf(MetadataReader caller, string callerDirectory, int callToken)
    {
        List<Target> targets;
        try
        {
            targets = Resolve(caller, callerDirectory, callToken, generic: null);
        }
        catch (Exception ex) when (ex is BadImageFormatException or ArgumentException or InvalidCastException or InvalidOperationException)
        {
            return null; // an unreadable reference: the call site's own IL is all there is
        }

        return targets.Count == 0 ? null : FactsOfTargets(targets);
    }

    /// <summary>
    /// The facts of what a <c>constrained. T callvirt M</c> runs when T is a struct of another module: T's own method M
    /// (<c>foreach</c> over a <c>List&lt;T&gt;</c> disposes its struct enumerator so, and that Dispose does nothing), not
    /// the interface's M, which may run anything. Null when T is not such a struct or the method is not found.
    /// </summary>
    public static CalleeFacts? FactsOfConstrained(MetadataReader caller, string callerDirectory, int constrainedToken, int callToken)
    {
        try
        {
            if (MetadataTokens.EntityHandle(callToken) is not { Kind: HandleKind.MemberReference } call)
            {
                return null;
            }

            MemberReference reference = caller.GetMemberReference((MemberReferenceHandle)call);
            (EntityHandle type, ImmutableArray<string> typeArguments) = DeclaringType(caller, MetadataTokens.EntityHandle(constrainedToken), null);
            if (FindType(caller, callerDirectory, type, null) is not (Assembly assembly, TypeDefinitionHandle typeHandle)
                || !IsStruct(assembly.Metadata, assembly.Metadata.GetTypeDefinition(typeHandle)))
            {
                return null;
            }

            List<Target> targets = MethodsOf(assembly, typeHandle, caller, reference, Arguments(typeArguments, default), explicitImplementations: true);
            return targets.Count == 0 ? null : FactsOfTargets(targets);
        }
        catch (Exception ex) when (ex is BadImageFormatException or ArgumentException or InvalidCastException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A type deriving from System.ValueType (not an enum's methods: they are not called through constrained. here).</summary>
    private static bool IsStruct(MetadataReader metadata, TypeDefinition type) => type.BaseType.Kind switch
    {
        HandleKind.TypeReference => metadata.GetTypeReference((TypeReferenceHandle)type.BaseType) is var reference
            && metadata.GetString(reference.Name) == "ValueType" && metadata.GetString(reference.Namespace) == "System",
        HandleKind.TypeDefinition => metadata.GetTypeDefinition((TypeDefinitionHandle)type.BaseType) is var definition // in CoreLib itself
            && metadata.GetString(definition.Name) == "ValueType" && metadata.GetString(definition.Namespace) == "System",
        _ => false,
    };

    /// <summary>What the methods <paramref name="targets"/> (one method, or its candidates) and those they call a few levels down make and call.</summary>
    private static CalleeFacts FactsOfTargets(List<Target> targets)
    {
        var allocations = new Dictionary<string, int>(StringComparer.Ordinal);
        var calls = new Dictionary<(string, string), int>();
        var visited = new HashSet<(string, int, string)>();
        bool complete = true;
        var reachedBy = new Dictionary<(string, int, string), ((string, int, string) Caller, (string TypeKey, string MethodName) Call)>();
        var paths = new Dictionary<string, List<ImmutableArray<(string TypeKey, string MethodName)>>>(StringComparer.Ordinal);
        void AddPath(string typeKey, Target maker)
        {
            if (!paths.TryGetValue(typeKey, out var ways))
            {
                paths[typeKey] = ways = [];
            }

            if (ways.Count < MaxPathsPerType)
            {
                var way = new List<(string, string)>();
                for (var key = maker.Key; reachedBy.TryGetValue(key, out var step); key = step.Caller)
                {
                    way.Add(step.Call);
                }

                way.Reverse();
                ways.Add([.. way]);
            }
        }

        var level = new List<Target>();
        foreach (Target target in targets)
        {
            if (visited.Add(target.Key))
            {
                level.Add(target);
            }
        }

        for (int depth = 0; depth <= LevelsBelow && level.Count > 0 && visited.Count < MethodBudget; depth++)
        {
            var next = new List<Target>();
            foreach (Target method in level)
            {
                foreach (ILSite site in BodyOf(method))
                {
                    // An array of a generic parameter the call leaves unknown (`new TOutput[n]` in a ConvertAll<TOutput> called
                    // from a generic method of the user's) is kept as "?[]": the caller may know what it is.
                    if ((site.Kind is ILSiteKind.NewArray or ILSiteKind.NewObject or ILSiteKind.Box && IsNamed(site.TypeKey))
                        || (site.Kind == ILSiteKind.NewArray && site.TypeKey.StartsWith(ILSites.AnyType, StringComparison.Ordinal)))
                    {
                        allocations.TryAdd(site.TypeKey, depth); // levels are read in order: the first is the shallowest
                        AddPath(site.TypeKey, method);
                    }

                    if (site.Kind == ILSiteKind.LoadFunction && site.MethodName.Length > 0)
                    {
                        // A method made into a delegate here runs when the delegate is invoked, maybe from code inlined
                        // into the caller's frame: Regex.Split's callback lambda, called from the user's method.
                        calls.TryAdd((site.TypeKey, site.MethodName), depth + 1);
                        continue;
                    }

                    if (!site.IsCall || site.MethodName.Length == 0)
                    {
                        continue;
                    }

                    calls.TryAdd((site.TypeKey, site.MethodName), depth);
                    if (site.Kind == ILSiteKind.NewObject && site.TypeKey == "String")
                    {
                        calls.TryAdd(("String", "Ctor"), depth); // the runtime runs new string(...) as one of String's static Ctor methods
                    }

                    if (AllocatedByHelper(method, site) is { } allocated)
                    {
                        allocations.TryAdd(allocated, depth);
                        AddPath(allocated, method);
                    }

                    if (site.CallToken == 0)
                    {
                        continue;
                    }

                    if (IsErrorPath(site))
                    {
                        // Failing code is not read, but what a throw helper calls is named: inlined, it calls that from the
                        // caller's own frame (Int32.Parse's ThrowOverflowOrFormatException calls Number.ThrowFormatException).
                        if (IsThrowHelper(site.MethodName) && depth < LevelsBelow)
                        {
                            foreach (Target thrower in ResolveQuietly(method, site.CallToken))
                            {
                                foreach (ILSite inner in BodyOf(thrower).Where(inner => inner.IsCall && inner.MethodName.Length > 0))
                                {
                                    calls.TryAdd((inner.TypeKey, inner.MethodName), depth + 1);
                                }
                            }
                        }

                        continue;
                    }

                    if (depth == LevelsBelow || visited.Count >= MethodBudget)
                    {
                        complete = false; // a call whose callee is not read
                        continue;
                    }

                    foreach (Target callee in ResolveQuietly(method, site.CallToken))
                    {

                        if (visited.Add(callee.Key))
                        {
                            reachedBy[callee.Key] = (method.Key, (site.TypeKey, site.MethodName));
                            next.Add(callee);
                        }
                    }
                }
            }

            level = next;
        }

        return new CalleeFacts(allocations.ToFrozenDictionary(StringComparer.Ordinal), calls.ToFrozenDictionary(), targets.Any(IsOverridable),
            paths.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.ToImmutableArray(), StringComparer.Ordinal), complete && level.Count == 0);
    }

    /// <summary>A virtual method that is not final, of a type that is not sealed: a derived type may run its own code for it.</summary>
    private static bool IsOverridable(Target target)
    {
        MethodDefinition definition = target.Assembly.Metadata.GetMethodDefinition(target.Handle);
        TypeAttributes declaring = target.Assembly.Metadata.GetTypeDefinition(definition.GetDeclaringType()).Attributes;
        return (definition.Attributes & MethodAttributes.Virtual) != 0 && (definition.Attributes & MethodAttributes.Final) == 0
            && (declaring & TypeAttributes.Sealed) == 0;
    }

    /// <summary>
    /// Whether a method of another module (as the trace names it: its file and token) may invoke a delegate: its IL calls
    /// a delegate's Invoke or calli, or its IL cannot be read here (then it may). Only such a method can have run a lambda
    /// that jumped to the method it is seen calling (Select's iterator, List.ForEach); Uri.ParseRemaining cannot.
    /// </summary>
    public static bool MayInvokeDelegates(string modulePath, int token, string methodName)
    {
        try
        {
            if (Open(Path.GetFileNameWithoutExtension(modulePath), Path.GetDirectoryName(modulePath) ?? "") is not { } assembly
                || MetadataTokens.EntityHandle(token) is not { Kind: HandleKind.MethodDefinition } handle
                || MetadataTokens.GetRowNumber(handle) > assembly.Metadata.MethodDefinitions.Count)
            {
                return true;
            }

            var definition = (MethodDefinitionHandle)handle;
            if (assembly.Metadata.GetString(assembly.Metadata.GetMethodDefinition(definition).Name) != methodName)
            {
                return true; // another build of the module here: its token names another method
            }

            ImmutableArray<ILSite> body = BodyOf(new Target(assembly, definition, null));
            return body.IsEmpty || body.Any(site => site.InvokesDelegate || site.Kind == ILSiteKind.CallIndirect);
        }
        catch (Exception ex) when (ex is BadImageFormatException or ArgumentException or InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>
    /// The parameter count of a method as the trace names it (its file and token; <c>this</c> not counted): what tells
    /// the overloads of one name apart (<c>String.Concat(string, string)</c> from <c>String.Concat(string, string, string,
    /// string)</c>). -1 when the module cannot be read here or its token names another method (another build).
    /// </summary>
    public static int ParameterCountOf(string modulePath, int token, string methodName) =>
        ParameterCounts.GetOrAdd((modulePath, token), _ =>
        {
            try
            {
                if (Open(Path.GetFileNameWithoutExtension(modulePath), Path.GetDirectoryName(modulePath) ?? "") is not { } assembly
                    || MetadataTokens.EntityHandle(token) is not { Kind: HandleKind.MethodDefinition } handle
                    || MetadataTokens.GetRowNumber(handle) > assembly.Metadata.MethodDefinitions.Count
                    || assembly.Metadata.GetString(assembly.Metadata.GetMethodDefinition((MethodDefinitionHandle)handle).Name) != methodName)
                {
                    return -1;
                }

                return ILSites.ParameterCountOf(assembly.Metadata, token);
            }
            catch (Exception ex) when (ex is BadImageFormatException or ArgumentException or InvalidOperationException)
            {
                return -1;
            }
        });

    /// <summary>A method of an assembly read here, with the type arguments it runs with.</summary>
    private sealed record Target(Assembly Assembly, MethodDefinitionHandle Handle, GenericArguments? Generic)
    {
        /// <summary>The method with its type arguments: what is read once.</summary>
        public (string Path, int Row, string Generic) Key { get; } = (Assembly.Path, MetadataTokens.GetRowNumber(Handle), GenericKey(Generic));
    }

    private static string GenericKey(GenericArguments? generic) =>
        generic is null ? "" : string.Join(',', generic.OfType.IsDefault ? [] : generic.OfType) + ";" + string.Join(',', generic.OfMethod.IsDefault ? [] : generic.OfMethod);

    /// <summary>An assembly file opened for its IL; kept open for the process (the framework's files do not change).</summary>
    private sealed class Assembly(string path, PEReader reader)
    {
        public string Path { get; } = path;

        public PEReader Reader { get; } = reader;

        public MetadataReader Metadata { get; } = reader.GetMetadataReader();

        private FrozenDictionary<(string Namespace, string Name), TypeDefinitionHandle>? _types;
        private FrozenDictionary<(string Namespace, string Name), string>? _forwarded;

        public FrozenDictionary<(string Namespace, string Name), TypeDefinitionHandle> Types => _types ??= Metadata.TypeDefinitions
            .Select(h => (Handle: h, Definition: Metadata.GetTypeDefinition(h)))
            .Where(t => t.Definition.GetDeclaringType().IsNil) // nested types are found through their outer type
            .GroupBy(t => (Metadata.GetString(t.Definition.Namespace), Metadata.GetString(t.Definition.Name)))
            .ToFrozenDictionary(g => g.Key, g => g.First().Handle);

        /// <summary>Types this assembly forwards to another (System.Runtime's to System.Private.CoreLib): the other's name.</summary>
        public FrozenDictionary<(string Namespace, string Name), string> Forwarded => _forwarded ??= Metadata.ExportedTypes
            .Select(h => Metadata.GetExportedType(h))
            .Where(e => e.IsForwarder && e.Implementation.Kind == HandleKind.AssemblyReference)
            .GroupBy(e => (Metadata.GetString(e.Namespace), Metadata.GetString(e.Name)))
            .ToFrozenDictionary(g => g.Key, g => Metadata.GetString(Metadata.GetAssemblyReference((AssemblyReferenceHandle)g.First().Implementation).Name));
    }

    /// <summary>The sites of a method's body with its type arguments; empty when it has none or it cannot be read.</summary>
    private static ImmutableArray<ILSite> BodyOf(Target method) =>
        BodiesRead.GetOrAdd(method.Key, _ =>
        {
            try
            {
                MethodDefinition definition = method.Assembly.Metadata.GetMethodDefinition(method.Handle);
                int rva = definition.RelativeVirtualAddress;
                ImmutableArray<ILSite> sites = rva == 0 ? [] : ILSites.Read(method.Assembly.Metadata, method.Assembly.Reader.GetMethodBody(rva), method.Generic);
                return IsIntrinsicStandIn(method.Assembly.Metadata, definition, sites) ? [] : sites;
            }
            catch (BadImageFormatException)
            {
                return [];
            }
        });

    /// <summary>
    /// Whether a body is the stand-in IL of a method the JIT implements itself: marked [Intrinsic] and ending in
    /// <c>throw new PlatformNotSupportedException()</c> (Unsafe.Add, Unsafe.As). That IL never runs; read, it would
    /// claim the exception's resource strings for every span indexer and inline array access.
    /// </summary>
    private static bool IsIntrinsicStandIn(MetadataReader metadata, MethodDefinition definition, ImmutableArray<ILSite> sites) =>
        sites.Length >= 2 && sites[^1].Kind == ILSiteKind.Throw && sites[^2] is { Kind: ILSiteKind.NewObject, TypeKey: "PlatformNotSupportedException" }
        && MetadataAttributes.Has(metadata, definition.GetCustomAttributes(), "System.Runtime.CompilerServices", "IntrinsicAttribute");

    /// <summary>
    /// The type a call of the runtime's own allocation helpers makes: strings and arrays are allocated by such calls in
    /// the framework's code (<c>FastAllocateString</c>, <c>GC.AllocateUninitializedArray&lt;T&gt;</c>), not by <c>newobj</c>.
    /// </summary>
    private static string? AllocatedByHelper(Target caller, ILSite site)
    {
        if (site.MethodName == "FastAllocateString")
        {
            return "String";
        }

        if (site.TypeKey == "GC" && site.MethodName is "AllocateUninitializedArray" or "AllocateArray"
            && ResolveQuietly(caller, site.CallToken) is [{ Generic: { } generic }, ..] && generic.KeyOf(ofMethod: true, 0) is var element && IsNamed(element))
        {
            return element + "[]";
        }

        return null;
    }

    /// <summary>A throw helper or the resource strings of an error message: what only failing code makes.</summary>
    private static bool IsErrorPath(ILSite site) =>
        IsThrowHelper(site.MethodName) || site.TypeKey is "ThrowHelper" or "SR" or "Debug" or "Environment";

    /// <summary>A method named as the framework names its throw helpers (ThrowFormatException, ThrowIfNull...).</summary>
    public static bool IsThrowHelper(string methodName) => methodName.StartsWith("Throw", StringComparison.Ordinal);

    /// <summary>A type the IL names: not a generic parameter left unknown ("?", "?[]") nor an unreadable one.</summary>
    private static bool IsNamed(string typeKey) => typeKey.Length > 0 && !typeKey.Contains('?', StringComparison.Ordinal);

    private static List<Target> ResolveQuietly(Target caller, int token) =>
        Resolved.GetOrAdd((caller.Assembly.Path, token, caller.Key.Generic), _ =>
        {
            try
            {
                return Resolve(caller.Assembly.Metadata, Path.GetDirectoryName(caller.Assembly.Path) ?? "", token, caller.Generic, caller.Assembly);
            }
            catch (Exception ex) when (ex is BadImageFormatException or ArgumentException or InvalidCastException or InvalidOperationException)
            {
                return [];
            }
        });

    /// <summary>
    /// The method definitions a call token names (the overloads of that name and arity: a member reference
    /// carries a signature, but comparing it across modules is not worth the precision here).
    /// </summary>
    /// <param name="metadata">The metadata the token belongs to.</param>
    /// <param name="directory">Where that module's own dependencies are.</param>
    /// <param name="token">A member reference, method specification, or (for <paramref name="self"/>) method definition.</param>
    /// <param name="generic">The type arguments the calling body runs with: substituted into the call's own.</param>
    /// <param name="self">The assembly <paramref name="metadata"/> is, when it is one read here (its own definitions are followed); null for the user's module.</param>
    private static List<Target> Resolve(MetadataReader metadata, string directory, int token, GenericArguments? generic, Assembly? self = null)
    {
        EntityHandle handle = MetadataTokens.EntityHandle(token);
        ImmutableArray<string> methodArguments = default;
        if (handle.Kind == HandleKind.MethodSpecification)
        {
            MethodSpecification specification = metadata.GetMethodSpecification((MethodSpecificationHandle)handle);
            BlobReader blob = metadata.GetBlobReader(specification.Signature);
            if (blob.ReadByte() == 0x0A)
            {
                methodArguments = ReadArguments(metadata, ref blob, blob.ReadCompressedInteger(), generic);
            }

            handle = specification.Method;
        }

        switch (handle.Kind)
        {
            case HandleKind.MethodDefinition when self is not null:
                var definition = (MethodDefinitionHandle)handle;
                TypeDefinitionHandle owner = metadata.GetMethodDefinition(definition).GetDeclaringType();
                // A call of the assembly's own generic type from inside it names it by definition: its arguments are the caller's.
                return [new Target(self, definition, Arguments(metadata.GetTypeDefinition(owner).GetGenericParameters().Count > 0 ? generic?.OfType ?? default : default, methodArguments))];
            case HandleKind.MemberReference:
                MemberReference reference = metadata.GetMemberReference((MemberReferenceHandle)handle);
                if (reference.GetKind() != MemberReferenceKind.Method)
                {
                    return [];
                }

                (EntityHandle type, ImmutableArray<string> typeArguments) = DeclaringType(metadata, reference.Parent, generic);
                if (FindType(metadata, directory, type, self) is not (Assembly assembly, TypeDefinitionHandle typeHandle))
                {
                    return [];
                }

                return MethodsOf(assembly, typeHandle, metadata, reference, Arguments(typeArguments, methodArguments), explicitImplementations: false);
            default:
                return [];
        }
    }

    /// <summary>
    /// The methods of a type with the name and parameters a member reference of <paramref name="referrer"/> names; with
    /// <paramref name="explicitImplementations"/>, also its explicit implementations of an interface's method of that name.
    /// </summary>
    private static List<Target> MethodsOf(Assembly assembly, TypeDefinitionHandle typeHandle, MetadataReader referrer, MemberReference reference, GenericArguments? arguments, bool explicitImplementations)
    {
        string name = referrer.GetString(reference.Name);
        MethodSignature<string> wanted = reference.DecodeMethodSignature(TypeNamesInSignatures.Instance, null);
        return [.. assembly.Metadata.GetTypeDefinition(typeHandle).GetMethods()
            .Where(m => assembly.Metadata.GetString(assembly.Metadata.GetMethodDefinition(m).Name) is var own
                && (own == name || (explicitImplementations && own.EndsWith("." + name, StringComparison.Ordinal)))
                && SameParameters(wanted, assembly.Metadata.GetMethodDefinition(m).DecodeSignature(TypeNamesInSignatures.Instance, null)))
            .Select(m => new Target(assembly, m, arguments))];
    }

    private static GenericArguments? Arguments(ImmutableArray<string> ofType, ImmutableArray<string> ofMethod) =>
        ofType.IsDefaultOrEmpty && ofMethod.IsDefaultOrEmpty ? null : new GenericArguments(ofType, ofMethod);

    private static ImmutableArray<string> ReadArguments(MetadataReader metadata, ref BlobReader blob, int count, GenericArguments? generic)
    {
        var arguments = ImmutableArray.CreateBuilder<string>(count);
        for (int i = 0; i < count; i++)
        {
            arguments.Add(ILSites.KeyOfSignature(metadata, ref blob, depth: 0, generic));
        }

        return arguments.MoveToImmutable();
    }

    /// <summary>A member reference's declaring type, and for a generic instantiation (<c>List&lt;Order&gt;</c>) its arguments' keys.</summary>
    private static (EntityHandle Type, ImmutableArray<string> Arguments) DeclaringType(MetadataReader metadata, EntityHandle parent, GenericArguments? generic)
    {
        if (parent.Kind != HandleKind.TypeSpecification)
        {
            return (parent, default);
        }

        BlobReader blob = metadata.GetBlobReader(metadata.GetTypeSpecification((TypeSpecificationHandle)parent).Signature);
        if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance)
        {
            return (default, default); // an array's methods (Get, Set, Address) are the runtime's
        }

        blob.ReadSignatureTypeCode(); // class or valuetype
        EntityHandle type = blob.ReadTypeHandle();
        return (type, ReadArguments(metadata, ref blob, blob.ReadCompressedInteger(), generic));
    }

    /// <summary>The overload a member reference names: the same generic arity and parameter types (by full name, as each module spells them).</summary>
    private static bool SameParameters(MethodSignature<string> reference, MethodSignature<string> definition) =>
        reference.GenericParameterCount == definition.GenericParameterCount && reference.ParameterTypes.SequenceEqual(definition.ParameterTypes, StringComparer.Ordinal);

    /// <summary>
    /// Spells the types of a signature by namespace and name (generic parameters by position), the same in the module
    /// that references a method as in the one that defines it: the overloads of a name told apart.
    /// </summary>
    private sealed class TypeNamesInSignatures : ISignatureTypeProvider<string, object?>
    {
        public static TypeNamesInSignatures Instance { get; } = new();

        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', Math.Max(0, shape.Rank - 1)) + "]";

        public string GetByReferenceType(string elementType) => elementType + "&";

        public string GetFunctionPointerType(MethodSignature<string> signature) => "method*";

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType + "<" + string.Join(",", typeArguments) + ">";

        public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;

        public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;

        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;

        public string GetPinnedType(string elementType) => elementType;

        public string GetPointerType(string elementType) => elementType + "*";

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            TypeDefinition type = reader.GetTypeDefinition(handle);
            TypeDefinitionHandle outer = type.GetDeclaringType();
            return (outer.IsNil ? reader.GetString(type.Namespace) + "." : GetTypeFromDefinition(reader, outer, rawTypeKind) + "/") + reader.GetString(type.Name);
        }

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            TypeReference type = reader.GetTypeReference(handle);
            return (type.ResolutionScope.Kind == HandleKind.TypeReference
                ? GetTypeFromReference(reader, (TypeReferenceHandle)type.ResolutionScope, rawTypeKind) + "/"
                : reader.GetString(type.Namespace) + ".") + reader.GetString(type.Name);
        }

        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }

    /// <summary>The assembly and definition of a type reference (forwarders followed, nested types by their outer type).</summary>
    private static (Assembly, TypeDefinitionHandle)? FindType(MetadataReader metadata, string directory, EntityHandle type, Assembly? self)
    {
        switch (type.Kind)
        {
            case HandleKind.TypeDefinition when self is not null:
                return (self, (TypeDefinitionHandle)type);
            case HandleKind.TypeReference:
                TypeReference reference = metadata.GetTypeReference((TypeReferenceHandle)type);
                string ns = metadata.GetString(reference.Namespace);
                string name = metadata.GetString(reference.Name);
                switch (reference.ResolutionScope.Kind)
                {
                    case HandleKind.AssemblyReference:
                        string assemblyName = metadata.GetString(metadata.GetAssemblyReference((AssemblyReferenceHandle)reference.ResolutionScope).Name);
                        return FindInAssembly(assemblyName, directory, ns, name, forwards: 0);
                    case HandleKind.TypeReference:
                        if (FindType(metadata, directory, reference.ResolutionScope, self) is not (Assembly outerAssembly, TypeDefinitionHandle outer))
                        {
                            return null;
                        }

                        foreach (TypeDefinitionHandle nested in outerAssembly.Metadata.GetTypeDefinition(outer).GetNestedTypes())
                        {
                            if (outerAssembly.Metadata.GetString(outerAssembly.Metadata.GetTypeDefinition(nested).Name) == name)
                            {
                                return (outerAssembly, nested);
                            }
                        }

                        return null;
                    case HandleKind.ModuleDefinition when self is not null:
                        return self.Types.TryGetValue((ns, name), out TypeDefinitionHandle own) ? (self, own) : null;
                    default:
                        return null;
                }

            default:
                return null;
        }
    }

    private static (Assembly, TypeDefinitionHandle)? FindInAssembly(string assemblyName, string directory, string ns, string name, int forwards)
    {
        if (forwards > 4 || Open(assemblyName, directory) is not { } assembly)
        {
            return null;
        }

        if (assembly.Types.TryGetValue((ns, name), out TypeDefinitionHandle handle))
        {
            return (assembly, handle);
        }

        return assembly.Forwarded.TryGetValue((ns, name), out string? target) ? FindInAssembly(target, directory, ns, name, forwards + 1) : null;
    }

    /// <summary>
    /// Opens an assembly by its simple name: from <paramref name="directory"/> (the application's own), else from
    /// the shared frameworks this tool runs on. Null when it is not there or not a readable assembly.
    /// </summary>
    private static Assembly? Open(string simpleName, string directory)
    {
        // The name comes from an untrusted file: only a plain file name is looked up.
        if (simpleName.Length == 0 || !simpleName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            return null;
        }

        foreach (string folder in (string[])[directory, .. FrameworkDirectories.Value])
        {
            if (folder.Length == 0)
            {
                continue;
            }

            string path = Path.Combine(folder, simpleName + ".dll");
            if (OpenAssemblies.TryGetValue(path, out Assembly? known))
            {
                if (known is not null)
                {
                    return known;
                }

                continue;
            }

            Assembly? opened = TryOpen(path);
            OpenAssemblies.TryAdd(path, opened);
            if (opened is not null)
            {
                return OpenAssemblies[path];
            }
        }

        return null;
    }

    private static Assembly? TryOpen(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var reader = new PEReader(File.OpenRead(path));
            if (!reader.HasMetadata)
            {
                reader.Dispose();
                return null;
            }

            return new Assembly(path, reader);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BadImageFormatException)
        {
            return null;
        }
    }

    /// <summary>This runtime's shared framework, then ASP.NET Core's of the same version when installed.</summary>
    private static readonly Lazy<string[]> FrameworkDirectories = new(() =>
    {
        string runtime = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar);
        string version = Path.GetFileName(runtime);
        string? shared = Path.GetDirectoryName(Path.GetDirectoryName(runtime));
        string aspNet = shared is null ? "" : Path.Combine(shared, "Microsoft.AspNetCore.App", version);
        return Directory.Exists(aspNet) ? [runtime, aspNet] : [runtime];
    });
}
