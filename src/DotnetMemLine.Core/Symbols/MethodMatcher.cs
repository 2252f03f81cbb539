using System.Text;

namespace DotnetMemLine.Symbols;

/// <summary>
/// Resolves a user's --method pattern against method identities. Pure logic: callers bring the candidates.
/// </summary>
public static partial class MethodMatcher
{
    // C# keywords for the CLR names a user may type instead ("Int32" or "System.Int32" for "int").
    private static readonly Dictionary<string, string> KeywordByClrName = new(StringComparer.Ordinal)
    {
        ["Boolean"] = "bool",
        ["Byte"] = "byte",
        ["SByte"] = "sbyte",
        ["Char"] = "char",
        ["Int16"] = "short",
        ["UInt16"] = "ushort",
        ["Int32"] = "int",
        ["UInt32"] = "uint",
        ["Int64"] = "long",
        ["UInt64"] = "ulong",
        ["Single"] = "float",
        ["Double"] = "double",
        ["Decimal"] = "decimal",
        ["IntPtr"] = "nint",
        ["UIntPtr"] = "nuint",
        ["Object"] = "object",
        ["String"] = "string",
        ["Void"] = "void",
    };

    private static readonly HashSet<string> ParameterModifiers = new(StringComparer.Ordinal) { "ref", "out", "in", "params", "this", "scoped", "readonly" };

    /// <summary>
    /// Every candidate whose "Ns.Type.Method" ends with the pattern at a '.' boundary: "Method", "Type.Method",
    /// "Ns.Type.Method", each optionally followed by a parameter list such as "(int, string)" (whitespace, namespaces
    /// and CLR vs keyword spellings do not matter). Case-sensitive matches win; only without any is case ignored.
    /// Overloads all come back: more than one result means the caller has to report the ambiguity.
    /// </summary>
    public static IReadOnlyList<T> Match<T>(string pattern, IEnumerable<T> candidates, Func<T, MethodIdentity> identity)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(identity);

        var parsed = ParsedPattern.Parse(pattern);
        if (parsed.Name.Length == 0)
        {
            return [];
        }

        var all = candidates as IReadOnlyCollection<T> ?? candidates.ToList();
        var exact = all.Where(c => parsed.Matches(identity(c), StringComparison.Ordinal)).ToList();
        return exact.Count > 0 ? exact : all.Where(c => parsed.Matches(identity(c), StringComparison.OrdinalIgnoreCase)).ToList();
    }

    /// <summary>
    /// A test on a method's metadata name that is false only when no name the method goes by (<c>ParsedPattern.NamesOf</c>)
    /// can match any of <paramref name="patterns"/>, in either case: the name holds the pattern's last segment (a
    /// method, a local function's name, a property of an accessor) or, for <c>Size.get</c>, the property's name; or it is
    /// a constructor (named by its type) or top-level statements (Main). Reading a framework module's catalog, it spares
    /// formatting the parameters of tens of thousands of methods that could not be meant.
    /// </summary>
    public static Func<string, bool> MayMatch(IEnumerable<string> patterns)
    {
        string[] needles = [.. patterns.Select(p => Needle(ParsedPattern.Parse(p).Name))];
        return name =>
        {
            if (name == ".ctor" || name == MethodCatalog.TopLevelMainName)
            {
                return true;
            }

            foreach (string needle in needles)
            {
                if (name.Contains(needle, StringComparison.OrdinalIgnoreCase))
                {
                    return true; // a loop, not Any: a lambda capturing the name would be allocated per method of the framework
                }
            }

            return false;
        };

        // What a name it may match holds: the last segment; for "Size.get", the property's name (get_Size), which also
        // holds a method named get.
        static string Needle(string name)
        {
            string[] segments = name.Split('.');
            bool accessor = segments.Length > 1 && segments[^2].Length > 0
                && (segments[^1].Equals("get", StringComparison.OrdinalIgnoreCase) || segments[^1].Equals("set", StringComparison.OrdinalIgnoreCase));
            return accessor ? segments[^2] : segments[^1];
        }
    }

    /// <summary>
    /// Up to <paramref name="count"/> full names closest to the pattern, for a "not found, did you mean" message:
    /// names containing the typed one first, then by edit distance on the method name, then on the full name.
    /// </summary>
    /// <param name="pattern">The name as the user typed it.</param>
    /// <param name="candidates">The methods to suggest from.</param>
    /// <param name="count">How many names at most.</param>
    /// <param name="preferred">Ranks these candidates (the application's own methods) before the others at the same closeness; null for none.</param>
    public static IReadOnlyList<string> Suggest(string pattern, IEnumerable<MethodIdentity> candidates, int count = 3, Func<MethodIdentity, bool>? preferred = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(candidates);

        var parsed = ParsedPattern.Parse(pattern);
        if (count <= 0 || parsed.Name.Length == 0)
        {
            return [];
        }

        var wantedMethod = parsed.Name[(parsed.Name.LastIndexOf('.') + 1)..].ToUpperInvariant();
        var wantedFull = parsed.Name.ToUpperInvariant();
        return candidates
            .Select(c => (FullName: c.UserFullName, Method: UserFacingName(c.MethodName).ToUpperInvariant(), Preferred: preferred?.Invoke(c) ?? false))
            .GroupBy(c => c.FullName, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(c => c.Preferred).First())
            .Select(c => (
                c.FullName,
                c.Preferred,
                // A name inside the typed one counts only if it is at least half of it: "R" is in every "...R..." typed.
                Contains: wantedMethod.Length > 0 && (c.Method.Contains(wantedMethod, StringComparison.Ordinal)
                    || (2 * c.Method.Length >= wantedMethod.Length && wantedMethod.Contains(c.Method, StringComparison.Ordinal))),
                MethodDistance: EditDistance(c.Method, wantedMethod),
                FullDistance: EditDistance(Tail(c.FullName.ToUpperInvariant(), wantedFull), wantedFull)))
            .OrderBy(c => c.Contains ? 0 : 1)
            .ThenBy(c => c.Preferred ? 0 : 1)
            .ThenBy(c => c.MethodDistance)
            .ThenBy(c => c.FullDistance)
            .ThenBy(c => c.FullName, StringComparer.Ordinal)
            .Take(count)
            .Select(c => c.FullName)
            .ToList();
    }

    /// <summary>Canonical form of a parameter list for comparison: "( Int32 count, System.String)" -> "int,string".</summary>
    internal static string NormalizeParameters(string parameters)
    {
        var inner = parameters.Trim();
        if (inner.StartsWith('(') && inner.EndsWith(')'))
        {
            inner = inner[1..^1];
        }

        var normalized = SplitTopLevel(inner, ',').Select(NormalizeParameter).ToList();
        return normalized is [""] ? string.Empty : string.Join(',', normalized);
    }

    // One parameter: drop modifiers and a trailing parameter name, shorten qualified names, map CLR names to keywords.
    private static string NormalizeParameter(string parameter)
    {
        var defaultValue = parameter.IndexOf('=', StringComparison.Ordinal);
        if (defaultValue >= 0)
        {
            parameter = parameter[..defaultValue];
        }

        var words = SplitTopLevel(parameter.Trim(), ' ')
            .Select(w => w.Trim())
            .Where(w => w.Length > 0 && !ParameterModifiers.Contains(w))
            .ToList();
        if (words.Count > 1 && IsIdentifier(words[^1]))
        {
            words.RemoveAt(words.Count - 1);
        }

        var type = NormalizeTypeNames(string.Concat(words));
        // Nullable<int> and int? are the same parameter type.
        if (type.StartsWith("Nullable<", StringComparison.Ordinal) && type.EndsWith('>'))
        {
            type = type["Nullable<".Length..^1] + "?";
        }

        return type;
    }

    // Replaces each dotted identifier run with its last segment, mapped to a keyword where one exists.
    private static string NormalizeTypeNames(string type)
    {
        var result = new StringBuilder(type.Length);
        var i = 0;
        while (i < type.Length)
        {
            if (!IsIdentifierStart(type[i]))
            {
                if (!char.IsWhiteSpace(type[i]))
                {
                    result.Append(type[i]);
                }

                i++;
                continue;
            }

            var start = i;
            while (i < type.Length && (IsIdentifierPart(type[i]) || (type[i] == '.' && i + 1 < type.Length && IsIdentifierStart(type[i + 1]))))
            {
                i++;
            }

            var qualified = type[start..i];
            var simple = qualified[(qualified.LastIndexOf('.') + 1)..];
            var tick = simple.IndexOf('`', StringComparison.Ordinal);
            if (tick >= 0)
            {
                simple = simple[..tick];
            }

            result.Append(KeywordByClrName.TryGetValue(simple, out var keyword) ? keyword : simple);
        }

        return result.ToString();
    }

    // Splits on a separator outside <>, (), [] so "Dictionary<int, string> map" stays one parameter.
    private static List<string> SplitTopLevel(string text, char separator)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '<' or '(' or '[':
                    depth++;
                    break;
                case '>' or ')' or ']':
                    depth--;
                    break;
                default:
                    if (text[i] == separator && depth == 0)
                    {
                        parts.Add(text[start..i].Trim());
                        start = i + 1;
                    }

                    break;
            }
        }

        parts.Add(text[start..].Trim());
        return parts;
    }

    private static bool IsIdentifier(string word) => word.Length > 0 && IsIdentifierStart(word[0]) && word.All(IsIdentifierPart);

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_' || c == '@';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '@' || c == '`';

    // Top-level statements compile to "<Main>$"; users know it as Main.
    private static string UserFacingName(string methodName) =>
        methodName == MethodCatalog.TopLevelMainName ? "Main"
        : MethodIdentity.TryParseLocalFunction(methodName, out _, out string local) ? local
        : methodName;

    // Compare a pattern with as many trailing segments of the full name as it has, so "Foo.Bar" is not penalized for the namespace.
    private static string Tail(string fullName, string pattern)
    {
        var segments = pattern.Count(c => c == '.') + 1;
        var cut = fullName.Length;
        for (var i = 0; i < segments && cut > 0; i++)
        {
            cut = fullName.LastIndexOf('.', cut - 1);
            if (cut < 0)
            {
                return fullName;
            }
        }

        return fullName[(cut + 1)..];
    }

    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    // One innermost "<...>" group after an identifier; applied until none is left, so nested ones go too.
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=[\w`])<[^<>]*>")]
    private static partial System.Text.RegularExpressions.Regex TypeArgumentGroup();

    private sealed record ParsedPattern(string Name, string? Parameters)
    {
        public static ParsedPattern Parse(string pattern)
        {
            var text = pattern.Trim();
            string? parameters = null;
            var open = text.IndexOf('(', StringComparison.Ordinal);
            if (open >= 0)
            {
                parameters = NormalizeParameters(text[open..]);
                text = text[..open];
            }

            text = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
            // "Pool<T>.Rent<U>" names the same method as "Pool.Rent": the catalog has no type parameters in names.
            for (string previous = ""; previous != text;)
            {
                previous = text;
                text = TypeArgumentGroup().Replace(text, string.Empty);
            }

            return new ParsedPattern(text, parameters);
        }

        public bool Matches(MethodIdentity method, StringComparison comparison)
        {
            if (!NamesOf(method).Any(name => EndsAtSegment(name, comparison)))
            {
                return false;
            }

            return Parameters is null || string.Equals(Parameters, NormalizeParameters(method.Parameters), comparison);
        }

        // The metadata name and the names a C# developer writes for the same method: Main for top-level
        // statements, Widget.Widget for a constructor (Widget..ctor), Widget.Size, Size.get for get_Size.
        private static IEnumerable<string> NamesOf(MethodIdentity method)
        {
            yield return method.FullName;
            string owner = method.FullName[..^method.MethodName.Length];
            switch (method.MethodName)
            {
                case MethodCatalog.TopLevelMainName:
                    yield return owner + "Main";
                    break;
                case ".ctor":
                    yield return owner + method.TypeName[(method.TypeName.LastIndexOf('.') + 1)..];
                    break;
                case var localFunction when MethodIdentity.TryParseLocalFunction(localFunction, out string outer, out string local):
                    yield return owner + local;
                    yield return owner + outer + "." + local;
                    break;
                case ['g' or 's', 'e', 't', '_', ..] accessor when accessor.Length > 4:
                    yield return owner + accessor[4..];
                    yield return owner + accessor[4..] + "." + accessor[..3];
                    break;
            }
        }

        private bool EndsAtSegment(string fullName, StringComparison comparison) =>
            fullName.EndsWith(Name, comparison)
            && (fullName.Length == Name.Length || fullName[fullName.Length - Name.Length - 1] == '.');
    }
}
