using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace DotnetMemLine.Symbols;

/// <summary>The module's IL read for attribution: call and allocation sites, branches, catch regions, and who calls whom.</summary>
public sealed partial class ModuleSymbols
{
    /// <summary>
    /// The method body's call, allocation and throw instructions (<see cref="ILSites"/>) and the length of
    /// its IL; empty for a method without a body or whose body cannot be read.
    /// </summary>
    public (ImmutableArray<ILSite> Sites, int ILSize) GetBody(int methodToken) => _bodies.GetOrAdd(methodToken, ReadBody);

    /// <summary>
    /// What the other module's method a call site names (<see cref="ILSite.CallToken"/>) allocates and calls, read from
    /// its IL (<see cref="ForeignCode"/>); null for this module's own methods and for one that cannot be found.
    /// </summary>
    public CalleeFacts? GetCalleeFacts(int callToken) =>
        callToken == 0 ? null : _calleeFacts.GetOrAdd(callToken, token => ForeignCode.FactsOf(_metadata, Path.GetDirectoryName(Path.GetFullPath(ModulePath)) ?? "", token));

    /// <summary>The facts of a <c>constrained.</c> call (<see cref="ForeignCode.FactsOfConstrained"/>); null when its struct's own method is not known.</summary>
    public CalleeFacts? GetConstrainedCalleeFacts(int constrainedToken, int callToken) =>
        constrainedToken == 0 || callToken == 0 ? null
            : _constrainedCalleeFacts.GetOrAdd((constrainedToken, callToken), key => ForeignCode.FactsOfConstrained(_metadata, Path.GetDirectoryName(Path.GetFullPath(ModulePath)) ?? "", key.Constrained, key.Call));

    /// <summary>The method body's branch instructions (<see cref="ILSites.ReadBranches"/>); empty for a method without a readable body.</summary>
    public ImmutableArray<ILBranch> GetBranches(int methodToken) => _branches.GetOrAdd(methodToken, ReadBranches);

    private ImmutableArray<ILBranch> ReadBranches(int methodToken)
    {
        if (!TryGetMethodHandle(methodToken, out var handle) || _metadata.GetMethodDefinition(handle).RelativeVirtualAddress is var rva && rva == 0)
        {
            return [];
        }

        try
        {
            return ILSites.ReadBranches(_module.GetMethodBody(rva));
        }
        catch (BadImageFormatException)
        {
            return [];
        }
    }

    /// <summary>The method body's try blocks that have a catch (or filter) handler; empty for a method without a readable body.</summary>
    public ImmutableArray<CatchRegion> GetCatchRegions(int methodToken) => _catchRegions.GetOrAdd(methodToken, ReadCatchRegions);

    private ImmutableArray<CatchRegion> ReadCatchRegions(int methodToken)
    {
        if (!TryGetMethodHandle(methodToken, out var handle) || _metadata.GetMethodDefinition(handle).RelativeVirtualAddress is var rva && rva == 0)
        {
            return [];
        }

        try
        {
            return [.. _module.GetMethodBody(rva).ExceptionRegions
                .Where(r => r.Kind is ExceptionRegionKind.Catch or ExceptionRegionKind.Filter)
                .Select(r => new CatchRegion(r.TryOffset, r.TryOffset + r.TryLength, r.Kind == ExceptionRegionKind.Filter ? r.FilterOffset : r.HandlerOffset, r.HandlerOffset + r.HandlerLength))];
        }
        catch (BadImageFormatException)
        {
            return [];
        }
    }

    private (ImmutableArray<ILSite> Sites, int ILSize) ReadBody(int methodToken)
    {
        if (!TryGetMethodHandle(methodToken, out var handle) || _metadata.GetMethodDefinition(handle).RelativeVirtualAddress is var rva && rva == 0)
        {
            return ([], 0);
        }

        try
        {
            var body = _module.GetMethodBody(rva);
            return (ILSites.Read(_metadata, body), body.Size);
        }
        catch (BadImageFormatException)
        {
            return ([], 0);
        }
    }

    /// <summary>
    /// The methods of this module that a call of the virtual or interface method <paramref name="methodToken"/> may run
    /// instead of its own body: implementations of an interface method and overrides of a virtual one, in types that
    /// implement the interface or derive from the declaring type (same name and parameter count). Tier-1 code inlines
    /// one of them where the call is (guarded devirtualization). Empty for a method that is not virtual.
    /// </summary>
    public ImmutableArray<int> GetOverrides(int methodToken) => _overrides.GetOrAdd(methodToken, ReadOverrides);

    private ImmutableArray<int> ReadOverrides(int methodToken)
    {
        if (!TryGetMethodHandle(methodToken, out var handle))
        {
            return [];
        }

        MethodDefinition method = _metadata.GetMethodDefinition(handle);
        if ((method.Attributes & System.Reflection.MethodAttributes.Virtual) == 0)
        {
            return [];
        }

        TypeDefinitionHandle declaring = method.GetDeclaringType();
        StringHandle name = method.Name;
        int parameters = method.GetParameters().Count;
        var found = new List<int>();
        foreach (TypeDefinitionHandle typeHandle in _metadata.TypeDefinitions)
        {
            if (typeHandle == declaring || !RunsMethodsOf(typeHandle, declaring))
            {
                continue;
            }

            foreach (MethodDefinitionHandle candidate in _metadata.GetTypeDefinition(typeHandle).GetMethods())
            {
                MethodDefinition definition = _metadata.GetMethodDefinition(candidate);
                if ((definition.Attributes & System.Reflection.MethodAttributes.Virtual) != 0 && definition.RelativeVirtualAddress != 0
                    && _metadata.StringComparer.Equals(name, _metadata.GetString(definition.Name)) && definition.GetParameters().Count == parameters)
                {
                    found.Add(MetadataTokens.GetToken(candidate));
                }
            }
        }

        return [.. found];
    }

    /// <summary>Whether <paramref name="type"/> implements the interface <paramref name="target"/> or derives from the class, a few levels up.</summary>
    private bool RunsMethodsOf(TypeDefinitionHandle type, TypeDefinitionHandle target)
    {
        for (int depth = 0; depth < 8 && !type.IsNil; depth++)
        {
            TypeDefinition definition = _metadata.GetTypeDefinition(type);
            if (definition.GetInterfaceImplementations().Any(i => ILSites.OwnTypeOf(_metadata, _metadata.GetInterfaceImplementation(i).Interface) == target)
                || ILSites.OwnTypeOf(_metadata, definition.BaseType) == target)
            {
                return true;
            }

            type = ILSites.OwnTypeOf(_metadata, definition.BaseType);
        }

        return false;
    }

    /// <summary>A method's declaring type (as <see cref="TypeNames"/> spells it) and name, or null for a token that is not a method here.</summary>
    public (string TypeName, string MethodName)? GetDefinitionName(int methodToken)
    {
        if (!TryGetMethodHandle(methodToken, out var handle))
        {
            return null;
        }

        var method = _metadata.GetMethodDefinition(handle);
        return (TypeNames.OfDefinition(_metadata, method.GetDeclaringType()), _metadata.GetString(method.Name));
    }

    /// <summary>The methods of this module whose IL calls <paramref name="typeName"/>.<paramref name="methodName"/> directly.</summary>
    public IReadOnlyList<int> FindCallers(string typeName, string methodName)
    {
        var callers = new List<int>();
        foreach (var handle in _metadata.MethodDefinitions)
        {
            var rva = _metadata.GetMethodDefinition(handle).RelativeVirtualAddress;
            if (rva == 0)
            {
                continue;
            }

            try
            {
                if (CallSites.Find(_metadata, _module.GetMethodBody(rva), typeName, methodName).Count > 0)
                {
                    callers.Add(MetadataTokens.GetToken(handle));
                }
            }
            catch (BadImageFormatException)
            {
                // An unreadable body calls nothing we can show.
            }
        }

        return callers;
    }

    /// <summary>
    /// The source lines where the method <paramref name="callerToken"/> calls <paramref name="typeName"/>.<paramref name="methodName"/>
    /// (type name as <see cref="TypeNames.Normalize"/> spells it), in source order.
    /// </summary>
    public IReadOnlyList<int> FindCallLines(int callerToken, string typeName, string methodName)
    {
        if (!TryGetMethodHandle(callerToken, out var handle) || _metadata.GetMethodDefinition(handle).RelativeVirtualAddress is var rva && rva == 0)
        {
            return [];
        }

        try
        {
            var body = _module.GetMethodBody(rva);
            return [.. CallSites.Find(_metadata, body, typeName, methodName)
                .Select(offset => FindLine(callerToken, offset)?.Line ?? 0)
                .Where(line => line > 0)
                .Distinct()
                .Order()];
        }
        catch (BadImageFormatException)
        {
            return [];
        }
    }

    private bool TryGetMethodHandle(int methodToken, out MethodDefinitionHandle handle)
    {
        var row = methodToken & 0x00FFFFFF;
        if ((methodToken >>> 24) != (int)TableIndex.MethodDef || row < 1 || row > _metadata.MethodDefinitions.Count || row > _pdb.MethodDebugInformation.Count)
        {
            handle = default;
            return false;
        }

        handle = MetadataTokens.MethodDefinitionHandle(row);
        return true;
    }
}
