using System.Text;

namespace DotnetMemLine.Reporting;

/// <summary>
/// Text bound for a terminal, made harmless: names and paths from traces and PDBs, and lines of source
/// files, are untrusted, and a control character among them could move the cursor, recolour the screen or
/// hide text (an escape sequence; a bidirectional override reordering what is shown).
/// </summary>
public static class TerminalText
{
    private const char Replacement = '\uFFFD';

    /// <summary>
    /// The text with every control character replaced by U+FFFD, except line feeds and tabs (and a carriage
    /// return right before a line feed), and with Unicode's bidirectional embedding, override and isolate
    /// characters replaced too, and halves of surrogate pairs that stand alone (invalid UTF-16).
    /// </summary>
    public static string Clean(string text)
    {
        int first = 0;
        while (first < text.Length && !IsUnsafe(text, first))
        {
            first++;
        }

        if (first == text.Length)
        {
            return text;
        }

        var clean = new StringBuilder(text.Length);
        clean.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            clean.Append(IsUnsafe(text, i) ? Replacement : text[i]);
        }

        return clean.ToString();
    }

    private static bool IsUnsafe(string text, int index)
    {
        char c = text[index];
        return c switch
        {
            '\n' or '\t' => false,
            '\r' => index + 1 >= text.Length || text[index + 1] != '\n',
            < ' ' or '\u007F' => true,
            >= '\u0080' and <= '\u009F' => true, // C1 controls, CSI among them
            >= '\u202A' and <= '\u202E' => true, // bidirectional embeddings and overrides
            >= '\u2066' and <= '\u2069' => true, // bidirectional isolates
            >= '\uD800' and <= '\uDBFF' => index + 1 >= text.Length || !char.IsLowSurrogate(text[index + 1]), // a lone high surrogate
            >= '\uDC00' and <= '\uDFFF' => index == 0 || !char.IsHighSurrogate(text[index - 1]), // a lone low surrogate
            _ => false,
        };
    }
}
