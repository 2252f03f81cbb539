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

        foreach (var typeHandle in _metadata.TypeDefinitions)
        {
            var type = _metadata.GetTypeDefinition(typeHandle);
            var generatedType = IsCompilerGeneratedType(type);
            foreach (var methodHandle in type.GetMethods())
            {
                var token = MetadataTokens.GetToken(methodHandle);
                if (token == methodToken || nested.Contains(token)
                    || !(generatedType || _metadata.GetString(_metadata.GetMethodDefinition(methodHandle).Name).StartsWith('<')))
                {
                    continue;
                }

                var points = GetPoints(token);
                if (!points.IsEmpty && AllWithin(points, span))
                {
                    nested.Add(token);
                }
            }
        }

        return nested;
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
