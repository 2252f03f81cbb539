using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace DotnetMemLine.Symbols;

/// <summary>Reading source files named by a PDB, and checking them against the checksum the compiler recorded.</summary>
public static class SourceFile
{
    // Algorithm ids of the portable PDB Document table (same values as the Windows PDB ones).
    internal static readonly Guid Sha1Algorithm = new("ff1816ec-aa5e-4d10-87f7-6f4963833460");
    internal static readonly Guid Sha256Algorithm = new("8829d00f-11b8-4213-878b-770e8597ac16");

    /// <summary>Reads all lines of a source file; false when it is missing or unreadable (the report then goes on without source text).</summary>
    public static bool TryReadLines(string path, [NotNullWhen(true)] out string[]? lines)
    {
        try
        {
            lines = File.ReadAllLines(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            lines = null;
            return false;
        }
    }

    /// <summary>
    /// Whether the file's bytes hash to <paramref name="expectedHash"/> with the given PDB hash algorithm
    /// (false for an unreadable file). Null when that cannot be told: unknown algorithm or no hash recorded.
    /// </summary>
    internal static bool? MatchesChecksum(string path, Guid hashAlgorithm, ReadOnlySpan<byte> expectedHash)
    {
        if (expectedHash.IsEmpty || (hashAlgorithm != Sha256Algorithm && hashAlgorithm != Sha1Algorithm))
        {
            return null;
        }

        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return false;
        }

        // The compiler hashes the raw bytes it read, so no decoding or newline normalization here.
        if (hashAlgorithm == Sha256Algorithm)
        {
            return SHA256.HashData(content).AsSpan().SequenceEqual(expectedHash);
        }

#pragma warning disable CA5350 // Not for security: SHA1 is what older compilers recorded in PDBs.
        return SHA1.HashData(content).AsSpan().SequenceEqual(expectedHash);
#pragma warning restore CA5350
    }
}
