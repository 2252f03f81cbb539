using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace DotnetMemLine.Symbols;

/// <summary>
/// Source-line information for one module from its portable PDB: IL offset to line, and the span of a
/// method from signature to closing brace. Lookups are cached per method and safe to call from several threads.
/// </summary>
public sealed partial class ModuleSymbols : IDisposable
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
    private readonly ConcurrentDictionary<int, int> _owners = new();
    private readonly Lazy<List<(int Token, MethodSourceSpan Span)>> _writtenMethodSpans;
    private readonly Lazy<int[]> _generatedMethodTokens;
    private readonly Dictionary<DocumentHandle, string> _documentNames = []; // filled once: each sequence point names its document
    private readonly ConcurrentDictionary<int, (ImmutableArray<ILSite> Sites, int ILSize)> _bodies = new();
    private readonly ConcurrentDictionary<int, ImmutableArray<ILBranch>> _branches = new();
    private readonly ConcurrentDictionary<int, CalleeFacts?> _calleeFacts = new();
    private readonly ConcurrentDictionary<(int Constrained, int Call), CalleeFacts?> _constrainedCalleeFacts = new();
    private readonly ConcurrentDictionary<int, ImmutableArray<int>> _overrides = new();
    private readonly ConcurrentDictionary<int, ImmutableArray<CatchRegion>> _catchRegions = new();
    private readonly ConcurrentDictionary<string, SourceRead> _sources = new(StringComparer.Ordinal);

    private ModuleSymbols(string modulePath, string moduleFile, string pdbPath, PEReader module, MetadataReaderProvider pdbProvider)
    {
        ModulePath = modulePath;
        IsCopy = moduleFile != modulePath;
        PdbPath = pdbPath;
        _module = module;
        _metadata = module.GetMetadataReader();
        _pdbProvider = pdbProvider;
        _pdb = pdbProvider.GetMetadataReader();

        _stateMachines = new Lazy<StateMachines>(() => StateMachines.Read(_pdb), LazyThreadSafetyMode.ExecutionAndPublication);
        _writtenMethodSpans = new(ReadWrittenMethodSpans, LazyThreadSafetyMode.ExecutionAndPublication);
        _generatedMethodTokens = new(ReadGeneratedMethodTokens, LazyThreadSafetyMode.ExecutionAndPublication);

        foreach (var handle in _pdb.Documents)
        {
            string name = _pdb.GetString(_pdb.GetDocument(handle).Name);
            _documentsByPath.TryAdd(name, handle);
            _documentNames[handle] = name;
        }
    }

    /// <summary>The .dll/.exe these symbols describe.</summary>
    public string ModulePath { get; }

    /// <summary>Whether the module was read from a copy of another build kept elsewhere, not from <see cref="ModulePath"/>.</summary>
    public bool IsCopy { get; }

    /// <summary>Where the PDB was found, or "(embedded)".</summary>
    public string PdbPath { get; }

    /// <summary>
    /// The build the PDB describes: the GUID part of its id, which the runtime's module events carry as ManagedPdbSignature
    /// (<see cref="Decoding.IAllocationTrace.ModuleBuilds"/>); null when the PDB has none.
    /// </summary>
    public Guid? BuildId => _pdb.DebugMetadataHeader is { Id.Length: >= 16 } header ? new Guid(header.Id.AsSpan(0, 16)) : null;

    /// <summary>
    /// Opens the module and finds its portable PDB: embedded, at the CodeView path, next to the module, then
    /// in each of <paramref name="symbolDirectories"/>. A PDB whose id differs from the module's is rejected.
    /// <paramref name="moduleFile"/> is a copy of the module read instead of the file at <paramref name="modulePath"/>
    /// (another build of it kept elsewhere); the symbols still answer for <paramref name="modulePath"/>.
    /// </summary>
    public static bool TryOpen(string modulePath, IReadOnlyList<string> symbolDirectories, [NotNullWhen(true)] out ModuleSymbols? symbols, [NotNullWhen(false)] out string? failureReason, string? moduleFile = null)
    {
        ArgumentNullException.ThrowIfNull(modulePath);
        ArgumentNullException.ThrowIfNull(symbolDirectories);
        symbols = null;
        var fileName = Path.GetFileName(modulePath);
        moduleFile ??= modulePath;

        PEReader module;
        try
        {
            // The PEReader owns the stream and maps the file lazily; disposing it closes the file.
            module = new PEReader(File.OpenRead(moduleFile));
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

            if (!PdbLocator.TryLocate(module, moduleFile, symbolDirectories, out var pdb, out var pdbPath, out failureReason))
            {
                module.Dispose();
                return false;
            }

            try
            {
                symbols = new ModuleSymbols(modulePath, moduleFile, pdbPath, module, pdb);
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

    /// <summary>The module's methods as --method can name them (see <see cref="MethodCatalog"/>).</summary>
    public IReadOnlyList<MethodIdentity> EnumerateMethods() => MethodCatalog.Read(_metadata, ModulePath);

    /// <inheritdoc/>
    public void Dispose()
    {
        _pdbProvider.Dispose();
        _module.Dispose();
    }
}
