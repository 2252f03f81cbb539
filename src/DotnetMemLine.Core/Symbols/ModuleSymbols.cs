using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace DotnetMemLine.Symbols;

/// <summary>
/// Source-line information for one module from its portable PDB: IL offset to line, and the span of a
/// method from signature to closing brace. Lookups are cached per method and safe to call from several threads.
/// </summary>
public sealed class ModuleSymbols : IDisposable
{
    private readonly PEReader _module;
    private readonly MetadataReader _metadata;
    private readonly MetadataReaderProvider _pdbProvider;
    private readonly MetadataReader _pdb;
    private readonly Lazy<StateMachines> _stateMachines;
    private readonly Dictionary<string, DocumentHandle> _documentsByPath = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, MethodPoints> _points = new();
    private readonly ConcurrentDictionary<int, MethodSourceSpan?> _spans = new();
    private readonly ConcurrentDictionary<int, IReadOnlyList<int>> _nestedCode = new();
    private readonly ConcurrentDictionary<int, (ImmutableArray<ILSite> Sites, int ILSize)> _bodies = new();
    private readonly ConcurrentDictionary<int, ImmutableArray<ILBranch>> _branches = new();
    private readonly ConcurrentDictionary<int, ImmutableArray<CatchRegion>> _catchRegions = new();
    private readonly ConcurrentDictionary<string, string[]?> _sources = new(StringComparer.Ordinal);

    private ModuleSymbols(string modulePath, string pdbPath, PEReader module, MetadataReaderProvider pdbProvider)
    {
        ModulePath = modulePath;
        PdbPath = pdbPath;
        _module = module;
        _metadata = module.GetMetadataReader();
        _pdbProvider = pdbProvider;
        _pdb = pdbProvider.GetMetadataReader();

        _stateMachines = new Lazy<StateMachines>(() => StateMachines.Read(_pdb), LazyThreadSafetyMode.ExecutionAndPublication);

        foreach (var handle in _pdb.Documents)
        {
            _documentsByPath.TryAdd(_pdb.GetString(_pdb.GetDocument(handle).Name), handle);
        }
    }

    /// <summary>The .dll/.exe these symbols describe.</summary>
    public string ModulePath { get; }

    /// <summary>Where the PDB was found, or "(embedded)".</summary>
    public string PdbPath { get; }

    /// <summary>
    /// Opens the module and finds its portable PDB: embedded, at the CodeView path, next to the module, then
    /// in each of <paramref name="symbolDirectories"/>. A PDB whose id differs from the module's is rejected.
    /// </summary>
    public static bool TryOpen(string modulePath, IReadOnlyList<string> symbolDirectories, [NotNullWhen(true)] out ModuleSymbols? symbols, [NotNullWhen(false)] out string? failureReason)
    {
        ArgumentNullException.ThrowIfNull(modulePath);
        ArgumentNullException.ThrowIfNull(symbolDirectories);
        symbols = null;
        var fileName = Path.GetFileName(modulePath);

        PEReader module;
        try
        {
            // The PEReader owns the stream and maps the file lazily; disposing it closes the file.
            module = new PEReader(File.OpenRead(modulePath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException or ArgumentException)
        {
            failureReason = $"cannot read {fileName}: {e.Message}";
            return false;
        }

        try
        {
            if (!module.HasMetadata)
            {
                module.Dispose();
                failureReason = $"{fileName} is not a .NET assembly";
                return false;
            }

            if (!PdbLocator.TryLocate(module, modulePath, symbolDirectories, out var pdb, out var pdbPath, out failureReason))
            {
                module.Dispose();
                return false;
            }

            try
            {
                symbols = new ModuleSymbols(modulePath, pdbPath, module, pdb);
                return true;
            }
            catch (BadImageFormatException e)
            {
                // The PDB's header was accepted; its tables are read here: the PDB is the damaged file, not the module.
                pdb.Dispose();
                module.Dispose();
                failureReason = $"no usable PDB for {fileName}: {pdbPath}: a damaged portable PDB ({e.Message})";
                return false;
            }
        }
        catch (BadImageFormatException e)
        {
            module.Dispose();
            failureReason = $"cannot read {fileName}: {e.Message}";
            return false;
        }
    }

    /// <summary>True when <see cref="TryOpen"/> finds the module's PDB: the same places, the same id check.</summary>
    public static bool HasPdb(string modulePath, IReadOnlyList<string> symbolDirectories)
    {
        if (!TryOpen(modulePath, symbolDirectories, out var symbols, out _))
        {
            return false;
        }

        symbols.Dispose();
        return true;
    }

    /// <summary>
    /// The source line of an IL offset: the last visible sequence point at or before it. Offsets before the
    /// first point (the prolog, or -1 for "unknown") get the first point. Null when the method has no sequence points.
    /// </summary>
    public SourceLine? FindLine(int methodToken, int ilOffset)
    {
        var points = GetPoints(methodToken);
        if (points.IsEmpty)
        {
            return null;
        }

        var index = points.IndexAtOrBefore(ilOffset);
        return new SourceLine(points.Documents[index], points.Lines[index]);
    }

    /// <summary>
    /// The first visible line after <paramref name="ilOffset"/>, braces skipped: where a closure allocated at
    /// the entry of a scope (under a hidden sequence point) belongs. Null when no visible point follows.
    /// </summary>
    public SourceLine? FindNextLine(int methodToken, int ilOffset)
    {
        var points = GetPoints(methodToken);
        var index = Array.BinarySearch(points.Offsets, ilOffset + 1);
        index = index >= 0 ? index : ~index;
        while (index < points.Count && Array.BinarySearch(points.BraceOffsets, points.Offsets[index]) >= 0)
        {
            index++; // a Debug build's opening brace: the scope's first statement comes after it
        }

        return index < points.Count ? new SourceLine(points.Documents[index], points.Lines[index]) : null;
    }

    /// <summary>
    /// The method body's call, allocation and throw instructions (<see cref="ILSites"/>) and the length of
    /// its IL; empty for a method without a body or whose body cannot be read.
    /// </summary>
    public (ImmutableArray<ILSite> Sites, int ILSize) GetBody(int methodToken) => _bodies.GetOrAdd(methodToken, ReadBody);

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
    /// True when <paramref name="ilOffset"/> lies in compiler plumbing: the sequence point in effect there is a
    /// hidden one (state machine dispatch, the code that completes an iterator's or async method's step).
    /// <see cref="FindLine"/> still gives the preceding visible line for it.
    /// </summary>
    public bool IsInHiddenCode(int methodToken, int ilOffset)
    {
        var points = GetPoints(methodToken);
        if (points.IsEmpty || points.HiddenOffsets.Length == 0)
        {
            return false;
        }

        var hiddenIndex = Array.BinarySearch(points.HiddenOffsets, ilOffset);
        hiddenIndex = hiddenIndex >= 0 ? hiddenIndex : ~hiddenIndex - 1;
        if (hiddenIndex < 0)
        {
            return false;
        }

        var visibleIndex = Array.BinarySearch(points.Offsets, ilOffset);
        visibleIndex = visibleIndex >= 0 ? visibleIndex : ~visibleIndex - 1;
        return visibleIndex < 0 || points.HiddenOffsets[hiddenIndex] > points.Offsets[visibleIndex];
    }

    /// <summary>
    /// The lines of a method from its signature to its closing brace, or null without sequence points.
    /// For async/iterator methods either the kickoff method or its MoveNext gives the same span.
    /// </summary>
    public MethodSourceSpan? GetMethodSpan(int methodToken) => _spans.GetOrAdd(methodToken, ComputeSpan);

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

    /// <summary>
    /// True when the file at <paramref name="path"/> (a document path as given by <see cref="FindLine"/>) still
    /// has the checksum the compiler recorded, or when the PDB recorded none to compare with. False when it
    /// was edited since the build, cannot be read, or is not a document of this PDB.
    /// </summary>
    public bool SourceMatchesPdb(string path) => SourceMatchesPdb(path, path);

    /// <summary>
    /// Like <see cref="SourceMatchesPdb(string)"/> for a copy of the document found elsewhere
    /// (sources moved or checked out at another path since the build).
    /// </summary>
    public bool SourceMatchesPdb(string documentPath, string localPath)
    {
        if (!_documentsByPath.TryGetValue(documentPath, out var handle))
        {
            return false;
        }

        var document = _pdb.GetDocument(handle);
        if (document.HashAlgorithm.IsNil || document.Hash.IsNil)
        {
            return true;
        }

        var hash = _pdb.GetBlobBytes(document.Hash);
        return SourceFile.MatchesChecksum(localPath, _pdb.GetGuid(document.HashAlgorithm), hash) ?? true;
    }

    /// <summary>The module's methods as --method can name them (see <see cref="MethodCatalog"/>).</summary>
    public IReadOnlyList<MethodIdentity> EnumerateMethods() => MethodCatalog.Read(_metadata, ModulePath);

    public void Dispose()
    {
        _pdbProvider.Dispose();
        _module.Dispose();
    }

    private MethodPoints GetPoints(int methodToken) => _points.GetOrAdd(methodToken, ReadPoints);

    private MethodPoints ReadPoints(int methodToken)
    {
        if (!TryGetMethodHandle(methodToken, out var handle))
        {
            return MethodPoints.Empty;
        }

        var points = new List<(int Offset, int Line, int EndLine, string Document)>();
        var hidden = new List<int>();
        var braces = new List<int>();
        try
        {
            var info = _pdb.GetMethodDebugInformation(handle.ToDebugInformationHandle());
            foreach (var point in info.GetSequencePoints())
            {
                // Hidden points mark compiler plumbing; the offsets they cover belong to the preceding visible line.
                if (point.IsHidden)
                {
                    hidden.Add(point.Offset);
                    continue;
                }

                points.Add((point.Offset, point.StartLine, point.EndLine, _pdb.GetString(_pdb.GetDocument(point.Document).Name)));
                if (point.StartLine == point.EndLine && point.EndColumn == point.StartColumn + 1)
                {
                    braces.Add(point.Offset); // a one-character statement: a brace (Debug builds give braces points)
                }
            }
        }
        catch (BadImageFormatException)
        {
            return MethodPoints.Empty;
        }

        // Sequence points are stored in IL order already; a stable sort guards against odd producers.
        var ordered = points.OrderBy(p => p.Offset).ToArray();
        return new MethodPoints(
            ordered.Select(p => p.Offset).ToArray(),
            ordered.Select(p => p.Line).ToArray(),
            ordered.Select(p => p.EndLine).ToArray(),
            ordered.Select(p => p.Document).ToArray())
        {
            HiddenOffsets = [.. hidden.Order()],
            BraceOffsets = [.. braces.Order()],
        };
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

    private static bool AllWithin(MethodPoints points, MethodSourceSpan span)
    {
        for (var i = 0; i < points.Count; i++)
        {
            if (points.Documents[i] != span.FilePath || points.Lines[i] < span.FirstLine || points.Lines[i] > span.LastLine)
            {
                return false;
            }
        }

        return true;
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

    private MethodSourceSpan? ComputeSpan(int methodToken)
    {
        var points = GetPoints(methodToken);
        var declaringToken = methodToken;
        if (points.IsEmpty && _stateMachines.Value.MoveNextByKickoff.TryGetValue(methodToken, out var moveNext))
        {
            points = GetPoints(moveNext);
        }
        else if (_stateMachines.Value.KickoffByMoveNext.TryGetValue(methodToken, out var kickoff))
        {
            declaringToken = kickoff;
        }

        if (points.IsEmpty || !TryGetMethodHandle(declaringToken, out var declaring))
        {
            return null;
        }

        var name = _metadata.GetString(_metadata.GetMethodDefinition(declaring).Name);
        var signature = SignatureSearch.ForMethod(_metadata, declaring);
        var span = name is ".ctor" or ".cctor"
            ? ConstructorSpan(points, signature?.Pattern)
            : OrdinarySpan(points, signature?.Pattern);
        return signature is { ScanBody: true } ? ExtendToBodyEnd(span, signature.Pattern, LastLineOfGeneratedCode(name, span.FilePath)) : span;
    }

    // Lambdas and local functions of a method M are methods named "<M>…" (in its type, a display class or "<>c");
    // local functions often follow the method's last statement, further than any closing brace could.
    // Overloads share the prefix: this only widens how far the brace scan may look, not where it stops.
    private int LastLineOfGeneratedCode(string methodName, string document)
    {
        var prefix = "<" + methodName + ">";
        var last = 0;
        foreach (var methodHandle in _metadata.MethodDefinitions)
        {
            if (!_metadata.StringComparer.StartsWith(_metadata.GetMethodDefinition(methodHandle).Name, prefix))
            {
                continue;
            }

            var points = GetPoints(MetadataTokens.GetToken(methodHandle));
            for (var i = 0; i < points.Count; i++)
            {
                if (points.Documents[i] == document)
                {
                    last = Math.Max(last, points.EndLines[i]);
                }
            }
        }

        return last;
    }

    private MethodSourceSpan OrdinarySpan(MethodPoints points, Regex? signature)
    {
        var document = points.Documents[0];
        var anchor = points.Lines[0];
        var first = anchor;
        var last = anchor;
        for (var i = 0; i < points.Count; i++)
        {
            if (points.Documents[i] == document)
            {
                first = Math.Min(first, points.Lines[i]);
                last = Math.Max(last, points.EndLines[i]);
            }
        }

        if (signature is not null && GetSource(document) is { } lines && SignatureSearch.FindUpward(lines, anchor, signature) is { } declaration)
        {
            first = Math.Min(first, declaration);
        }

        return new MethodSourceSpan(document, first, last);
    }

    // Constructors start with the field initializers, which sit anywhere in the type (even in another file),
    // so only the points between the declaration and the closing brace (the last point) are the constructor's own.
    private MethodSourceSpan ConstructorSpan(MethodPoints points, Regex? signature)
    {
        var lastIndex = points.Count - 1;
        var document = points.Documents[lastIndex];
        var closing = points.EndLines[lastIndex];
        var lines = signature is null ? null : GetSource(document);

        int? declaration = null;
        var first = closing;
        for (var i = 0; i <= lastIndex; i++)
        {
            if (points.Documents[i] != document || points.Lines[i] > closing)
            {
                continue;
            }

            first = Math.Min(first, points.Lines[i]);
            // The constructor's own points find its declaration just above them; initializers above the
            // constructor can only find earlier ones, so the latest declaration found is the right one.
            if (lines is not null && SignatureSearch.FindUpward(lines, points.Lines[i], signature!) is { } found && (declaration is null || found > declaration))
            {
                declaration = found;
            }
        }

        return new MethodSourceSpan(document, declaration ?? first, closing);
    }

    // Release builds drop the sequence point on the closing brace of methods that return a value; the
    // source still has it. Only a plausible scan result is taken: at or after the last point, and close to it.
    private MethodSourceSpan ExtendToBodyEnd(MethodSourceSpan span, Regex signature, int lastGeneratedLine)
    {
        var scanLimit = Math.Max(span.LastLine, lastGeneratedLine) + SignatureSearch.MaxLinesPastLastPoint;
        // Scanning from anywhere but the declaration would find the end of some inner block instead.
        if (GetSource(span.FilePath) is not { } lines
            || span.FirstLine > lines.Length
            || !signature.IsMatch(lines[span.FirstLine - 1])
            || SignatureSearch.IsTypeDeclaration(lines[span.FirstLine - 1])
            || SignatureSearch.FindBodyEnd(lines, span.FirstLine, scanLimit) is not { } end
            || end < span.LastLine)
        {
            return span;
        }

        return span with { LastLine = end };
    }

    // Only a source file that still matches the PDB's checksum may shape a span: an edited one would
    // move the signature and closing-brace lines the table shows.
    private string[]? GetSource(string path) =>
        _sources.GetOrAdd(path, p => SourceMatchesPdb(p) && SourceFile.TryReadLines(p, out var lines) ? lines : null);

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

    /// <summary>Visible sequence points of one method, sorted by IL offset.</summary>
    private sealed class MethodPoints(int[] offsets, int[] lines, int[] endLines, string[] documents)
    {
        public static readonly MethodPoints Empty = new([], [], [], []);

        public int[] Offsets { get; } = offsets;

        /// <summary>Where hidden sequence points (compiler plumbing) start, sorted.</summary>
        public int[] HiddenOffsets { get; init; } = [];

        /// <summary>Where the visible points of a lone brace start, sorted.</summary>
        public int[] BraceOffsets { get; init; } = [];

        public int[] Lines { get; } = lines;

        /// <summary>Where each point's statement ends: a multi-line last statement still belongs to the method.</summary>
        public int[] EndLines { get; } = endLines;

        public string[] Documents { get; } = documents;

        public int Count => Offsets.Length;

        public bool IsEmpty => Offsets.Length == 0;

        public int IndexAtOrBefore(int ilOffset)
        {
            var index = Array.BinarySearch(Offsets, ilOffset);
            if (index >= 0)
            {
                // Several points may share an offset; the last one is the one in effect.
                while (index + 1 < Offsets.Length && Offsets[index + 1] == ilOffset)
                {
                    index++;
                }

                return index;
            }

            // ~index is the first point after ilOffset; the one before it is in effect (clamped to the first).
            return Math.Max(0, ~index - 1);
        }
    }
}
