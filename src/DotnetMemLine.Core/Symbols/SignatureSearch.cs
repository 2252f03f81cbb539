using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Metadata;
using System.Text.RegularExpressions;

namespace DotnetMemLine.Symbols;

/// <summary>
/// Finds a method's declaration and closing brace in its source. PDBs only know lines that have code (in Release
/// not even the braces), but a %mprun-style table runs from the signature to the closing brace.
/// </summary>
internal static partial class SignatureSearch
{
    // A signature rarely sits further than this above the first sequence point (attributes, multi-line parameter lists).
    public const int MaxLinesUp = 15;

    // Past the last sequence point only closing braces, "else" and comments remain; further means the scan went wrong.
    public const int MaxLinesPastLastPoint = 20;

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    // A declared name follows its return type (an identifier, '>', ']', '?', '*' or ')') and a space; a call follows
    // '.', '(', '=', or one of these keywords.
    private const string AfterType = @"(?<=[\w>\]?*)]\s+)(?<!\b(?:return|await|new|throw|yield|in|is|as|case|else|not|and|or|when|goto)\s+)";

    /// <summary>The 1-based line at or above <paramref name="fromLine"/> that <paramref name="signature"/> matches, or null.</summary>
    public static int? FindUpward(string[] lines, int fromLine, Regex signature)
    {
        var start = Math.Min(fromLine, lines.Length);
        for (var line = start; line >= 1 && line >= fromLine - MaxLinesUp; line--)
        {
            var text = lines[line - 1];
            var trimmed = text.TrimStart();
            if (trimmed.StartsWith("//", StringComparison.Ordinal) || trimmed.StartsWith("/*", StringComparison.Ordinal) || trimmed.StartsWith('*'))
            {
                continue;
            }

            if (signature.IsMatch(text))
            {
                return line;
            }
        }

        return null;
    }

    /// <summary>
    /// The line ending the member declared at <paramref name="signatureLine"/>: the brace closing its block body,
    /// or the ';' ending its expression body. A rough scanner (skips comments, strings, chars), so callers
    /// sanity-check the answer against the sequence points. Null when no end is found.
    /// </summary>
    public static int? FindBodyEnd(string[] lines, int signatureLine, int maxLine)
    {
        var braces = 0;
        var parens = 0;
        var expressionBody = false;
        var inBlockComment = false;
        for (var line = signatureLine; line <= Math.Min(lines.Length, maxLine); line++)
        {
            var text = lines[line - 1];
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (inBlockComment)
                {
                    if (c == '*' && i + 1 < text.Length && text[i + 1] == '/')
                    {
                        inBlockComment = false;
                        i++;
                    }

                    continue;
                }

                switch (c)
                {
                    case '/' when i + 1 < text.Length && text[i + 1] == '/':
                        i = text.Length;
                        continue;
                    case '/' when i + 1 < text.Length && text[i + 1] == '*':
                        inBlockComment = true;
                        i++;
                        continue;
                    case '"':
                        i = SkipString(text, i);
                        continue;
                    case '\'':
                        i = SkipCharLiteral(text, i);
                        continue;
                    case '(':
                        parens++;
                        continue;
                    case ')':
                        parens--;
                        continue;
                    case '=' when i + 1 < text.Length && text[i + 1] == '>' && braces == 0 && parens == 0:
                        expressionBody = true;
                        i++;
                        continue;
                    case ';' when expressionBody && braces == 0 && parens == 0:
                        return line;
                    case '{':
                        braces++;
                        continue;
                    case '}':
                        braces--;
                        if (braces == 0 && !expressionBody)
                        {
                            return line;
                        }

                        if (braces < 0)
                        {
                            return null;
                        }

                        continue;
                    default:
                        continue;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A primary constructor is declared by its type ("record Foo(int X) { ... }"): the braces after it are the
    /// type's, not a constructor body.
    /// </summary>
    public static bool IsTypeDeclaration(string line) => TypeDeclaration().IsMatch(line);

    /// <summary>
    /// What the declaration of the method looks like in C#: its name followed by '(' (optionally with type
    /// parameters), the type name for constructors, the property/event name for accessors, "this[" for
    /// indexers, "operator" for operators. Null when there is no declaration to find (lambdas, top-level statements).
    /// </summary>
    public static Signature? ForMethod(MetadataReader reader, MethodDefinitionHandle handle)
    {
        var method = reader.GetMethodDefinition(handle);
        var name = reader.GetString(method.Name);
        var type = reader.GetTypeDefinition(method.GetDeclaringType());
        var typeName = Regex.Escape(SignatureTypeNames.ShortName(reader.GetString(type.Name)));

        if (name is ".ctor" or ".cctor")
        {
            // Skip "new Foo(" so an object creation in a field initializer is not taken for the declaration.
            return new Signature(Build($@"(?<![\w.]|\bnew\s+){typeName}\s*\("), ScanBody: true);
        }

        if ((method.Attributes & MethodAttributes.SpecialName) != 0 && TryAccessorPattern(reader, type, handle, out var accessor))
        {
            // The declaration found is the property's, whose body holds the other accessors too: no body scan.
            return new Signature(accessor, ScanBody: false);
        }

        if (name.StartsWith("op_", StringComparison.Ordinal))
        {
            return new Signature(Build(@"\boperator\b"), ScanBody: true);
        }

        if (name.StartsWith('<'))
        {
            // Local functions are "<Outer>g__Name|0_0"; other generated names (lambdas, <Main>$) have no declaration line.
            var marker = name.IndexOf(">g__", StringComparison.Ordinal);
            var bar = name.IndexOf('|', StringComparison.Ordinal);
            if (marker < 0 || bar < marker)
            {
                return null;
            }

            name = name[(marker + ">g__".Length)..bar];
        }

        var escaped = Regex.Escape(name[(name.LastIndexOf('.') + 1)..]);
        var generic = @"\s*(?:<[^()]*>)?\s*\(";
        // Explicit interface implementations ("Ns.IFoo.Bar") are declared as "IFoo.Bar(".
        var declared = name.Contains('.', StringComparison.Ordinal)
            ? $@"\.\s*{escaped}{generic}"
            : $@"{AfterType}{escaped}{generic}";
        return name == "Finalize" && method.GetParameters().Count == 0
            ? new Signature(Build($@"~\s*{typeName}\s*\(|{declared}"), ScanBody: true)
            : new Signature(Build(declared), ScanBody: true);
    }

    private static bool TryAccessorPattern(MetadataReader reader, TypeDefinition type, MethodDefinitionHandle handle, [NotNullWhen(true)] out Regex? pattern)
    {
        foreach (var propertyHandle in type.GetProperties())
        {
            var property = reader.GetPropertyDefinition(propertyHandle);
            var accessors = property.GetAccessors();
            if (accessors.Getter != handle && accessors.Setter != handle && !accessors.Others.Contains(handle))
            {
                continue;
            }

            var blob = reader.GetBlobReader(property.Signature);
            _ = blob.ReadSignatureHeader();
            var isIndexer = blob.ReadCompressedInteger() > 0;
            // A property is declared as "Type Name" then '{', "=>" or the end of the line; uses in bodies are not.
            pattern = isIndexer
                ? Build($@"{AfterType}this\s*\[")
                : Build($@"(?<![\w.]){Regex.Escape(LastSegment(reader.GetString(property.Name)))}\s*(?:\{{|=>|//|$)");
            return true;
        }

        foreach (var eventHandle in type.GetEvents())
        {
            var @event = reader.GetEventDefinition(eventHandle);
            var accessors = @event.GetAccessors();
            if (accessors.Adder != handle && accessors.Remover != handle && accessors.Raiser != handle)
            {
                continue;
            }

            pattern = Build($@"\bevent\b.*\b{Regex.Escape(LastSegment(reader.GetString(@event.Name)))}\b");
            return true;
        }

        pattern = null;
        return false;
    }

    // Returns the index of the closing quote (or the line's last index for an unterminated string).
    private static int SkipString(string text, int quote)
    {
        var verbatim = quote > 0 && (text[quote - 1] == '@' || (quote > 1 && text[quote - 2] == '@'));
        for (var i = quote + 1; i < text.Length; i++)
        {
            if (!verbatim && text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                if (verbatim && i + 1 < text.Length && text[i + 1] == '"')
                {
                    i++;
                    continue;
                }

                return i;
            }
        }

        return text.Length;
    }

    private static int SkipCharLiteral(string text, int quote)
    {
        var end = text.IndexOf('\'', quote + (quote + 1 < text.Length && text[quote + 1] == '\\' ? 3 : 2));
        return end < 0 ? quote : end;
    }

    private static string LastSegment(string name) => name[(name.LastIndexOf('.') + 1)..];

    [GeneratedRegex(@"\b(?:class|struct|record|interface)\b", RegexOptions.CultureInvariant)]
    private static partial Regex TypeDeclaration();

    private static Regex Build(string pattern) => new(pattern, RegexOptions.CultureInvariant, RegexTimeout);

    /// <summary>How to find a method's declaration, and whether its body can be scanned from there to its end.</summary>
    internal sealed record Signature(Regex Pattern, bool ScanBody);
}
