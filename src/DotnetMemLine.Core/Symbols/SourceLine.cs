namespace DotnetMemLine.Symbols;

/// <summary>A 1-based line in a source document, as named by the PDB.</summary>
public readonly record struct SourceLine(string FilePath, int Line);
