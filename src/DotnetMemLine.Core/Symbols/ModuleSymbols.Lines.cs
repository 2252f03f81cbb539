using System.Reflection.Metadata.Ecma335;
using System.Text.RegularExpressions;

namespace DotnetMemLine.Symbols;

/// <summary>From IL offsets to source lines: sequence points, hidden code, each method's span of source, and whether a source file is the one the PDB was built from.</summary>
public sealed partial class ModuleSymbols
{
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
    public bool SourceMatchesPdb(string documentPath, string localPath) =>
        ChecksumOf(documentPath) is { } checksum && (SourceFile.MatchesChecksum(localPath, checksum.Algorithm, checksum.Hash) ?? true);

    /// <summary>
    /// The source file at a document path, read once per analysis: its lines, or why there are none (unreadable, or
    /// edited since the build). Shared by the spans (<see cref="GetMethodSpan"/>) and the tables' line text.
    /// </summary>
    public SourceRead ReadSource(string path) => _sources.GetOrAdd(path, ReadSourceOnce);

    private SourceRead ReadSourceOnce(string path)
    {
        if (!SourceFile.TryRead(path, out byte[]? bytes, out string? problem) || !SourceFile.TryDecodeLines(bytes, out string[]? lines, out problem))
        {
            return new SourceRead(null, problem ?? "unreadable", ChangedSinceBuild: false);
        }

        bool matches = ChecksumOf(path) is { } checksum && (SourceFile.MatchesChecksum(bytes, checksum.Algorithm, checksum.Hash) ?? true);
        return matches ? new SourceRead(lines, null, ChangedSinceBuild: false) : new SourceRead(null, null, ChangedSinceBuild: true);
    }

    /// <summary>The checksum the PDB recorded for a document (empty when none); null for a path that is no document of this PDB.</summary>
    private (Guid Algorithm, byte[] Hash)? ChecksumOf(string documentPath)
    {
        if (!_documentsByPath.TryGetValue(documentPath, out var handle))
        {
            return null;
        }

        var document = _pdb.GetDocument(handle);
        return document.HashAlgorithm.IsNil || document.Hash.IsNil ? (Guid.Empty, []) : (_pdb.GetGuid(document.HashAlgorithm), _pdb.GetBlobBytes(document.Hash));
    }

    // Looked up before GetOrAdd: the method group would be a new delegate at every call (hundreds of thousands in a whole-program view).
    private MethodPoints GetPoints(int methodToken) => _points.TryGetValue(methodToken, out var points) ? points : _points.GetOrAdd(methodToken, ReadPoints);

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

                string document = _documentNames.TryGetValue(point.Document, out var name) ? name : _pdb.GetString(_pdb.GetDocument(point.Document).Name);
                points.Add((point.Offset, point.StartLine, point.EndLine, document));
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
    private string[]? GetSource(string path) => ReadSource(path).Lines;

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
