using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text;

namespace DotnetMemLine.Symbols;

/// <summary>
/// Finds the portable PDB belonging to a module: embedded, at the CodeView path, next to the module,
/// then in the user's symbol directories; each file found must carry the id the module expects.
/// </summary>
internal static class PdbLocator
{
    public const string EmbeddedPdbPath = "(embedded)";

    // CodeView entries of portable PDBs carry this minor version ("PM"); anything else means a Windows PDB.
    private const ushort PortableCodeViewMinorVersion = 0x504d;

    private static readonly byte[] PortableMetadataMagic = "BSJB"u8.ToArray();
    private static readonly byte[] WindowsPdbMagic = "Microsoft C/C++ MSF 7.00\r\n"u8.ToArray();

    public static bool TryLocate(
        PEReader module,
        string modulePath,
        IReadOnlyList<string> symbolDirectories,
        [NotNullWhen(true)] out MetadataReaderProvider? pdb,
        [NotNullWhen(true)] out string? pdbPath,
        [NotNullWhen(false)] out string? failureReason)
    {
        var moduleFileName = Path.GetFileName(modulePath);
        var rejections = new List<string>();

        ImmutableArray<DebugDirectoryEntry> entries;
        try
        {
            entries = module.ReadDebugDirectory();
        }
        catch (BadImageFormatException e)
        {
            pdb = null;
            pdbPath = null;
            failureReason = $"no PDB for {moduleFileName}: its debug directory is unreadable ({e.Message})";
            return false;
        }

        var codeView = ReadCodeView(module, entries);
        if (TryEmbedded(module, entries, codeView, rejections) is { } embeddedPdb)
        {
            pdb = embeddedPdb;
            pdbPath = EmbeddedPdbPath;
            failureReason = null;
            return true;
        }

        foreach (var candidate in CandidatePaths(modulePath, codeView?.Path, symbolDirectories))
        {
            if (!File.Exists(candidate))
            {
                continue;
            }

            if (TryOpenFile(candidate, codeView, out var provider, out var rejection))
            {
                pdb = provider;
                pdbPath = candidate;
                failureReason = null;
                return true;
            }

            rejections.Add($"{candidate}: {rejection}");
        }

        pdb = null;
        pdbPath = null;
        failureReason = rejections.Count > 0
            ? $"no usable PDB for {moduleFileName}: {string.Join("; ", rejections)}"
            : $"no PDB for {moduleFileName} ({DescribeSearch(modulePath, codeView?.Path, symbolDirectories)})";
        if (codeView is { IsPortable: false })
        {
            // The usual cause on Windows: an old project still emitting full/pdb-only debug info.
            failureReason += "; the module was built with a Windows PDB, rebuild with <DebugType>portable</DebugType>";
        }

        return false;
    }

    /// <summary>The PDB embedded in the module that matches it, if any; why each embedded one was refused goes to <paramref name="rejections"/>.</summary>
    private static MetadataReaderProvider? TryEmbedded(PEReader module, ImmutableArray<DebugDirectoryEntry> entries, CodeViewInfo? codeView, List<string> rejections)
    {
        foreach (var entry in entries)
        {
            if (entry.Type != DebugDirectoryEntryType.EmbeddedPortablePdb)
            {
                continue;
            }

            try
            {
                var embedded = module.ReadEmbeddedPortablePdbDebugDirectoryData(entry);
                if (TryAccept(embedded, codeView, out var rejection))
                {
                    return embedded;
                }

                embedded.Dispose();
                rejections.Add($"embedded PDB: {rejection}");
            }
            catch (BadImageFormatException e)
            {
                rejections.Add($"embedded PDB: unreadable ({e.Message})");
            }
        }

        return null;
    }

    private static CodeViewInfo? ReadCodeView(PEReader module, ImmutableArray<DebugDirectoryEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.Type != DebugDirectoryEntryType.CodeView)
            {
                continue;
            }

            try
            {
                var data = module.ReadCodeViewDebugDirectoryData(entry);
                return new CodeViewInfo(new BlobContentId(data.Guid, entry.Stamp), data.Path, entry.MinorVersion == PortableCodeViewMinorVersion);
            }
            catch (BadImageFormatException)
            {
                // A broken CodeView entry only costs us the id check and one candidate path.
                return null;
            }
        }

        return null;
    }

    // Order matters: the first existing file that matches wins, so the most specific places come first.
    internal static IEnumerable<string> CandidatePaths(string modulePath, string? codeViewPath, IReadOnlyList<string> symbolDirectories)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var nextToModule = Path.ChangeExtension(modulePath, ".pdb");
        var moduleStem = Path.GetFileNameWithoutExtension(modulePath) + ".pdb";
        var codeViewFileName = codeViewPath is null ? null : CrossPlatformFileName(codeViewPath);

        var candidates = new List<string>();
        if (codeViewPath is not null && Path.IsPathRooted(codeViewPath))
        {
            candidates.Add(codeViewPath);
        }

        candidates.Add(nextToModule);
        foreach (var directory in symbolDirectories)
        {
            if (!string.IsNullOrEmpty(codeViewFileName))
            {
                candidates.Add(Path.Combine(directory, codeViewFileName));
            }

            candidates.Add(Path.Combine(directory, moduleStem));
        }

        foreach (var candidate in candidates)
        {
            string full;
            try
            {
                full = Path.GetFullPath(candidate);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
            {
                continue;
            }

            if (seen.Add(full))
            {
                yield return full;
            }
        }
    }

    // The CodeView path may come from a Windows build ("C:\obj\App.pdb") while we run elsewhere.
    private static string CrossPlatformFileName(string path)
    {
        var cut = path.LastIndexOfAny(['/', '\\']);
        return cut < 0 ? path : path[(cut + 1)..];
    }

    private static string DescribeSearch(string modulePath, string? codeViewPath, IReadOnlyList<string> symbolDirectories)
    {
        var places = new List<string> { "for an embedded PDB" };
        if (codeViewPath is not null && Path.IsPathRooted(codeViewPath)
            && !string.Equals(Path.GetFullPath(codeViewPath), Path.GetFullPath(Path.ChangeExtension(modulePath, ".pdb")), StringComparison.Ordinal))
        {
            places.Add($"at {codeViewPath}");
        }

        places.Add("next to the module");
        if (symbolDirectories.Count > 0)
        {
            places.Add($"in: {string.Join(", ", symbolDirectories)}");
        }

        var text = new StringBuilder("looked ");
        for (var i = 0; i < places.Count; i++)
        {
            if (i > 0)
            {
                text.Append(i == places.Count - 1 ? (places.Count > 2 ? ", and " : " and ") : ", ");
            }

            text.Append(places[i]);
        }

        return text.ToString();
    }

    private static bool TryOpenFile(string path, CodeViewInfo? codeView, [NotNullWhen(true)] out MetadataReaderProvider? provider, [NotNullWhen(false)] out string? rejection)
    {
        provider = null;
        byte[] bytes;
        try
        {
            // Read whole: PDBs are small next to the trace, and this leaves no file handle open.
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            rejection = $"unreadable ({e.Message})";
            return false;
        }

        if (!bytes.AsSpan().StartsWith(PortableMetadataMagic))
        {
            rejection = bytes.AsSpan().StartsWith(WindowsPdbMagic) ? "not a portable PDB (it is a Windows PDB)" : "not a portable PDB";
            return false;
        }

        var candidate = MetadataReaderProvider.FromPortablePdbImage(ImmutableCollectionsMarshal.AsImmutableArray(bytes));
        if (TryAccept(candidate, codeView, out rejection))
        {
            provider = candidate;
            return true;
        }

        candidate.Dispose();
        return false;
    }

    private static bool TryAccept(MetadataReaderProvider candidate, CodeViewInfo? codeView, [NotNullWhen(false)] out string? rejection)
    {
        MetadataReader reader;
        try
        {
            reader = candidate.GetMetadataReader();
        }
        catch (BadImageFormatException e)
        {
            rejection = $"a damaged portable PDB ({e.Message})"; // its signature was a portable PDB's
            return false;
        }

        if (reader.DebugMetadataHeader is not { } header)
        {
            rejection = "not a portable PDB (metadata without a PDB header)";
            return false;
        }

        if (codeView is null)
        {
            // Without the module's id any PDB could be stale; wrong lines are worse than none.
            rejection = "the module records no PDB id to verify it against";
            return false;
        }

        var id = new BlobContentId(header.Id);
        if (id != codeView.Id)
        {
            rejection = $"PDB id mismatch: the PDB is {Describe(id)}, the module expects {Describe(codeView.Id)} (built from another compilation)";
            return false;
        }

        rejection = null;
        return true;
    }

    private static string Describe(BlobContentId id) =>
        string.Create(CultureInfo.InvariantCulture, $"{id.Guid:D}-{id.Stamp:X8}");

    private sealed record CodeViewInfo(BlobContentId Id, string Path, bool IsPortable);
}
