namespace DotnetMemLine.Symbols;

/// <summary>
/// One open <see cref="ModuleSymbols"/> per module for a whole analysis, shared by every consumer that maps frames
/// to lines; a module without a usable PDB is tried once and its failure remembered.
/// </summary>
public sealed class SymbolCache(IReadOnlyList<string> symbolDirectories) : IDisposable
{
    private readonly Dictionary<string, ModuleSymbols> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _failures = new(StringComparer.Ordinal);

    /// <summary>The module's symbols; throws <see cref="MemLineException"/> (<see cref="FailureKind.SymbolsMissing"/>) saying why when it has no usable PDB.</summary>
    public ModuleSymbols Open(string modulePath)
    {
        return TryOpen(modulePath, out string? failure) ?? throw new MemLineException(FailureKind.SymbolsMissing, failure!)
        {
            Remedy = failure!.Contains("damaged", StringComparison.Ordinal) ? Remedy.RebuildOrPointAtAnIntactPdb : Remedy.BuildWithPdbsOrPointAtThem,
        };
    }

    /// <summary>"the PDB a.pdb", "the PDBs a.pdb, b.pdb", or "a PDB" when none was opened yet.</summary>
    public string DescribeOpened() => _open.Count switch
    {
        0 => "a PDB",
        1 => $"the PDB {_open.Values.First().PdbPath}",
        _ => $"one of the PDBs {string.Join(", ", _open.Values.Select(s => s.PdbPath))}",
    };

    /// <summary>The module's symbols, or null when it has no readable PDB (a framework module, say).</summary>
    public ModuleSymbols? TryOpen(string modulePath) => TryOpen(modulePath, out _);

    private ModuleSymbols? TryOpen(string modulePath, out string? failure)
    {
        if (_open.TryGetValue(modulePath, out ModuleSymbols? existing))
        {
            failure = null;
            return existing;
        }

        if (_failures.TryGetValue(modulePath, out failure))
        {
            return null;
        }

        if (!ModuleSymbols.TryOpen(modulePath, symbolDirectories, out ModuleSymbols? symbols, out failure))
        {
            _failures[modulePath] = failure;
            return null;
        }

        _open[modulePath] = symbols;
        return symbols;
    }

    /// <summary>Closes every PDB and module file opened.</summary>
    public void Dispose()
    {
        foreach (ModuleSymbols symbols in _open.Values)
        {
            symbols.Dispose();
        }
    }
}
