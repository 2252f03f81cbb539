namespace DotnetMemLine.Symbols;

/// <summary>
/// One open <see cref="ModuleSymbols"/> per module for a whole analysis, shared by every consumer that maps frames
/// to lines; a module without a usable PDB is tried once and its failure remembered. Safe to share between the threads
/// that analyze several traces at once (a <see cref="ModuleSymbols"/> is read-only once open).
/// </summary>
/// <param name="symbolDirectories">Folders to search for PDBs (<c>--symbols</c>).</param>
/// <param name="servers">Symbol servers for the PDBs of the modules a user named a method of; null for none.</param>
public sealed class SymbolCache(IReadOnlyList<string> symbolDirectories, SymbolServerOptions? servers = null) : IDisposable
{
    private readonly Dictionary<string, ModuleSymbols> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _failures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Guid> _tracedBuilds = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>
    /// The symbols of a module the user named a method of; throws <see cref="MemLineException"/> (<see cref="FailureKind.SymbolsMissing"/>)
    /// saying why when it has no usable PDB. A PDB that is nowhere on this machine is fetched from the symbol servers: only
    /// here, for what the user asked to see, never for every module a stack passes through.
    /// </summary>
    public ModuleSymbols Open(string modulePath)
    {
        lock (_lock)
        {
            return OpenLocked(modulePath);
        }
    }

    private ModuleSymbols OpenLocked(string modulePath)
    {
        ModuleSymbols? symbols = TryOpen(modulePath, out string? failure);
        if (symbols is null && servers is not null && failure!.StartsWith("no PDB for", StringComparison.Ordinal))
        {
            if (SymbolServerClient.TryFetch(modulePath, servers, CancellationToken.None, out string? problem) is { } folder
                && ModuleSymbols.TryOpen(modulePath, [.. symbolDirectories, folder], out symbols, out _))
            {
                _failures.Remove(modulePath);
                _open[modulePath] = symbols;
                return symbols;
            }

            failure = $"{failure}; {problem ?? "the PDB downloaded is not the module's"}";
        }

        return symbols ?? throw new MemLineException(FailureKind.SymbolsMissing, failure!)
        {
            Remedy = failure!.Contains("damaged", StringComparison.Ordinal) ? Remedy.RebuildOrPointAtAnIntactPdb : Remedy.BuildWithPdbsOrPointAtThem,
        };
    }

    /// <summary>
    /// The builds a trace ran (module path to PDB id): a module whose file here is another build, or is missing, is looked
    /// for by name in the symbol folders, and the copy of the build the trace ran is read instead (a trace of an older
    /// build, or from another machine, with that build's output passed as <c>--symbols</c>).
    /// </summary>
    public void ExpectBuilds(IReadOnlyDictionary<string, Guid> builds)
    {
        lock (_lock)
        {
            foreach ((string modulePath, Guid build) in builds)
            {
                _tracedBuilds.TryAdd(modulePath, build);
            }
        }
    }

    /// <summary>
    /// The methods of a module read from the copy of the build the trace ran (<see cref="ExpectBuilds"/>); null when the
    /// module is read from its own path.
    /// </summary>
    public IReadOnlyList<MethodIdentity>? MethodsOfCopy(string modulePath)
    {
        lock (_lock)
        {
            return _tracedBuilds.ContainsKey(modulePath) && TryOpen(modulePath, out _) is { IsCopy: true } copy ? copy.EnumerateMethods() : null;
        }
    }

    /// <summary>"the PDB a.pdb", "the PDBs a.pdb, b.pdb", or "a PDB" when none was opened yet.</summary>
    public string DescribeOpened()
    {
        lock (_lock)
        {
            return _open.Count switch
            {
                0 => "a PDB",
                1 => $"the PDB {_open.Values.First().PdbPath}",
                _ => $"one of the PDBs {string.Join(", ", _open.Values.Select(s => s.PdbPath))}",
            };
        }
    }

    /// <summary>The module's symbols, or null when it has no readable PDB (a framework module, say).</summary>
    public ModuleSymbols? TryOpen(string modulePath)
    {
        lock (_lock)
        {
            return TryOpen(modulePath, out _);
        }
    }

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

        bool opened = ModuleSymbols.TryOpen(modulePath, symbolDirectories, out ModuleSymbols? symbols, out failure);
        if (_tracedBuilds.TryGetValue(modulePath, out Guid traced) && symbols?.BuildId != traced && CopyOfBuild(modulePath, traced) is { } copy)
        {
            symbols?.Dispose();
            (symbols, opened, failure) = (copy, true, null);
        }

        if (!opened)
        {
            _failures[modulePath] = failure!;
            return null;
        }

        _open[modulePath] = symbols!;
        return symbols;
    }

    /// <summary>A copy of the module in a symbol folder whose PDB is the build <paramref name="build"/>; null when there is none.</summary>
    private ModuleSymbols? CopyOfBuild(string modulePath, Guid build)
    {
        foreach (string folder in symbolDirectories)
        {
            string copy = Path.Combine(folder, Path.GetFileName(modulePath));
            if (File.Exists(copy) && ModuleSymbols.TryOpen(modulePath, symbolDirectories, out ModuleSymbols? symbols, out _, moduleFile: copy))
            {
                if (symbols.BuildId == build)
                {
                    return symbols;
                }

                symbols.Dispose();
            }
        }

        return null;
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
