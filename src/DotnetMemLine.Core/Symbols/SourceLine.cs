namespace DotnetMemLine.Symbols;

/// <summary>A 1-based line in a source document, as named by the PDB.</summary>
public readonly record struct SourceLine(string FilePath, int Line);

/// <summary>A source file as read for a table: its lines, or why there are none.</summary>
/// <param name="Lines">The file's lines; null when it cannot be read or was edited since the build.</param>
/// <param name="Problem">Why it cannot be read, in a few words that follow "the source file is" ("not found", "a binary file", ...); null when it was read.</param>
/// <param name="ChangedSinceBuild">It was read, but its checksum is not the one the compiler recorded: its text would mislead.</param>
public sealed record SourceRead(string[]? Lines, string? Problem, bool ChangedSinceBuild);
