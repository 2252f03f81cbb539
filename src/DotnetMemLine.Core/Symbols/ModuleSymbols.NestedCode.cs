using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace DotnetMemLine.Symbols;

/// <summary>The code the compiler writes for a method: state machines, lambdas, local functions, and which method each belongs to.</summary>
public sealed partial class ModuleSymbols
{
    /// <summary>For a state machine's MoveNext (async, iterator), the token of the method the user wrote.</summary>
    public bool TryGetStateMachineKickoff(int moveNextToken, out int kickoffToken) =>
        _stateMachines.Value.KickoffByMoveNext.TryGetValue(moveNextToken, out kickoffToken);

    /// <summary>For an async/iterator method, the token of the MoveNext that holds its body.</summary>
    public bool TryGetStateMachineMoveNext(int kickoffToken, out int moveNextToken) =>
        _stateMachines.Value.MoveNextByKickoff.TryGetValue(kickoffToken, out moveNextToken);

    /// <summary>
    /// The compiler-generated methods whose code the user wrote inside this method: the MoveNext of its
    /// state machine (async, iterator, async iterator) and every lambda, local function and nested state
    /// machine whose statements all lie within the method's source span. They are matched by position, not by
    /// their generated names, because the span is exact where names are not (overloads share a name).
    /// </summary>
    public IReadOnlyList<int> GetNestedCodeTokens(int methodToken) => _nestedCode.GetOrAdd(methodToken, ComputeNestedCode);

    /// <summary>
    /// True for a method whose body the compiler moved elsewhere (the kickoff of an async method or iterator):
    /// it has no statements of its own, only the code that creates and starts the state machine.
    /// </summary>
    public bool IsStateMachineKickoff(int methodToken) => _stateMachines.Value.MoveNextByKickoff.ContainsKey(methodToken);

    /// <summary>
    /// The method the user wrote whose code <paramref name="methodToken"/> is: itself for an ordinary method; for a state
    /// machine's MoveNext, the async or iterator method; for a lambda or local function, the method whose source span
    /// holds all its statements (the same rule as <see cref="GetNestedCodeTokens"/>, read the other way). A generated
    /// method that no written method holds (a field initializer's lambda) is its own owner. Local functions and top-level
    /// statements count as written methods here, as in <see cref="MethodCatalog"/>: a file-based app's helpers are local functions.
    /// </summary>
    public int GetOwnerToken(int methodToken) => _owners.GetOrAdd(methodToken, ComputeOwner);

    /// <summary>The lambdas and local functions of this module (methods named <c>&lt;Outer&gt;…</c>), by token.</summary>
    public IEnumerable<int> GetLambdaTokens()
    {
        foreach (var methodHandle in _metadata.MethodDefinitions)
        {
            if (_metadata.StringComparer.StartsWith(_metadata.GetMethodDefinition(methodHandle).Name, "<"))
            {
                yield return MetadataTokens.GetToken(methodHandle);
            }
        }
    }

    private int ComputeOwner(int methodToken)
    {
        if (_stateMachines.Value.KickoffByMoveNext.TryGetValue(methodToken, out var kickoff))
        {
            return GetOwnerToken(kickoff); // an async lambda's MoveNext belongs to the lambda's owner
        }

        if (!TryGetMethodHandle(methodToken, out var handle) || !IsGenerated(handle))
        {
            return methodToken;
        }

        var points = GetPoints(methodToken);
        if (points.IsEmpty)
        {
            return methodToken;
        }

        var owner = methodToken;
        var ownerLines = int.MaxValue;
        foreach ((var token, var span) in _writtenMethodSpans.Value)
        {
            var lines = span.LastLine - span.FirstLine;
            if (lines < ownerLines && AllWithin(points, span))
            {
                owner = token;
                ownerLines = lines;
            }
        }

        return owner;
    }

    // Local functions and top-level statements are written code with generated names: they own their lambdas.
    private bool IsGenerated(MethodDefinitionHandle handle)
    {
        var method = _metadata.GetMethodDefinition(handle);
        var name = _metadata.GetString(method.Name);
        if (name == MethodCatalog.TopLevelMainName || MethodIdentity.TryParseLocalFunction(name, out _, out _))
        {
            return false;
        }

        return name.StartsWith('<') || IsCompilerGeneratedType(_metadata.GetTypeDefinition(method.GetDeclaringType()));
    }

    // The span of every method the user wrote, read once for the owners of generated code.
    private List<(int Token, MethodSourceSpan Span)> ReadWrittenMethodSpans()
    {
        var spans = new List<(int, MethodSourceSpan)>();
        foreach (var methodHandle in _metadata.MethodDefinitions)
        {
            var token = MetadataTokens.GetToken(methodHandle);
            if (!IsGenerated(methodHandle) && GetMethodSpan(token) is { } span)
            {
                spans.Add((token, span));
            }
        }

        return spans;
    }

    private IReadOnlyList<int> ComputeNestedCode(int methodToken)
    {
        var nested = new List<int>();
        if (_stateMachines.Value.MoveNextByKickoff.TryGetValue(methodToken, out var moveNext))
        {
            nested.Add(moveNext);
        }

        if (GetMethodSpan(methodToken) is not { } span)
        {
            return nested;
        }

        foreach (var token in _generatedMethodTokens.Value)
        {
            if (token == methodToken || nested.Contains(token))
            {
                continue;
            }

            var points = GetPoints(token);
            if (!points.IsEmpty && AllWithin(points, span))
            {
                nested.Add(token);
            }
        }

        return nested;
    }

    // The methods code may be nested in: those of compiler-generated types and those with generated names, in metadata
    // order. Read once: every method's nested code is looked for among them.
    private int[] ReadGeneratedMethodTokens()
    {
        var tokens = new List<int>();
        foreach (var typeHandle in _metadata.TypeDefinitions)
        {
            var type = _metadata.GetTypeDefinition(typeHandle);
            var generatedType = IsCompilerGeneratedType(type);
            foreach (var methodHandle in type.GetMethods())
            {
                if (generatedType || _metadata.GetString(_metadata.GetMethodDefinition(methodHandle).Name).StartsWith('<'))
                {
                    tokens.Add(MetadataTokens.GetToken(methodHandle));
                }
            }
        }

        return [.. tokens];
    }

    // Display classes (<>c__DisplayClass0_0), the lambda cache class (<>c) and state machines (<Run>d__3),
    // or a type nested in one of them.
    private bool IsCompilerGeneratedType(TypeDefinition type)
    {
        while (true)
        {
            if (_metadata.GetString(type.Name).StartsWith('<'))
            {
                return true;
            }

            var declaring = type.GetDeclaringType();
            if (declaring.IsNil)
            {
                return false;
            }

            type = _metadata.GetTypeDefinition(declaring);
        }
    }

    /// <summary>
    /// Async and iterator bodies live in a generated MoveNext; the PDB links each one to the method the user
    /// wrote. Only per-method lookups exist, so both directions are built in one pass on first use.
    /// </summary>
    private sealed record StateMachines(Dictionary<int, int> KickoffByMoveNext, Dictionary<int, int> MoveNextByKickoff)
    {
        public static StateMachines Read(MetadataReader pdb)
        {
            var kickoffByMoveNext = new Dictionary<int, int>();
            var moveNextByKickoff = new Dictionary<int, int>();
            foreach (var handle in pdb.MethodDebugInformation)
            {
                MethodDefinitionHandle kickoff;
                try
                {
                    kickoff = pdb.GetMethodDebugInformation(handle).GetStateMachineKickoffMethod();
                }
                catch (BadImageFormatException)
                {
                    continue;
                }

                if (!kickoff.IsNil)
                {
                    var moveNext = MetadataTokens.GetToken(handle.ToDefinitionHandle());
                    kickoffByMoveNext[moveNext] = MetadataTokens.GetToken(kickoff);
                    moveNextByKickoff[MetadataTokens.GetToken(kickoff)] = moveNext;
                }
            }

            return new StateMachines(kickoffByMoveNext, moveNextByKickoff);
        }
    }
}
