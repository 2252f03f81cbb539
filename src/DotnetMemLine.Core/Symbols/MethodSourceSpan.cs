namespace DotnetMemLine.Symbols;

/// <summary>
/// The lines a method occupies in its source file, from its signature (when the source could be read)
/// to its closing brace, inclusive and 1-based: the rows of a %mprun-style table.
/// </summary>
public sealed record MethodSourceSpan(string FilePath, int FirstLine, int LastLine);
