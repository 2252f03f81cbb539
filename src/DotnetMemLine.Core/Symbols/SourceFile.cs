using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace DotnetMemLine.Symbols;

/// <summary>Reading source files named by a PDB, and checking them against the checksum the compiler recorded.</summary>
public static class SourceFile
{
    // Algorithm ids of the portable PDB Document table (same values as the Windows PDB ones).
    internal static readonly Guid Sha1Algorithm = new("ff1816ec-aa5e-4d10-87f7-6f4963833460");
    internal static readonly Guid Sha256Algorithm = new("8829d00f-11b8-4213-878b-770e8597ac16");

    /// <summary>Source files larger than this are not read: no source file of a method is, and a device or a damaged path could be endless.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    // Opening a named pipe waits for a writer; a file on a stalled network share may not answer at all.
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Reads all lines of a source file; false when it is missing or unreadable (the report then goes on without source text).</summary>
    public static bool TryReadLines(string path, [NotNullWhen(true)] out string[]? lines) => TryReadLines(path, out lines, out _);

    /// <summary>
    /// Reads all lines of a source file, within <see cref="MaxBytes"/> and a few seconds; otherwise false and why, in a
    /// few words that follow "the source file is" ("not found", "a directory", "a binary file", "larger than 16 MiB",
    /// "not readable in time (a pipe or a device?)", "unreadable: ...").
    /// </summary>
    public static bool TryReadLines(string path, [NotNullWhen(true)] out string[]? lines, out string? problem)
    {
        lines = null;
        return TryRead(path, out byte[]? bytes, out problem) && TryDecodeLines(bytes, out lines, out problem);
    }

    /// <summary>The file's bytes, within <see cref="MaxBytes"/> and a few seconds; otherwise false and why (as <see cref="TryReadLines(string, out string[], out string)"/> says it).</summary>
    internal static bool TryRead(string path, [NotNullWhen(true)] out byte[]? bytes, out string? problem)
    {
        bytes = ReadBounded(path, out problem);
        return bytes is not null;
    }

    /// <summary>A source file's lines from its bytes; false for a binary file.</summary>
    internal static bool TryDecodeLines(byte[] bytes, [NotNullWhen(true)] out string[]? lines, out string? problem)
    {
        lines = null;
        problem = null;
        if (Array.IndexOf(bytes, (byte)0) >= 0)
        {
            problem = "a binary file";
            return false;
        }

        using var reader = new StreamReader(new MemoryStream(bytes), detectEncodingFromByteOrderMarks: true);
        var read = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            read.Add(line);
        }

        lines = [.. read];
        return true;
    }

    /// <summary>The file's bytes, at most <see cref="MaxBytes"/>, read within a few seconds; null and why otherwise.</summary>
    private static byte[]? ReadBounded(string path, out string? problem)
    {
        problem = null;
        try
        {
            if (Directory.Exists(path))
            {
                problem = "a directory";
                return null;
            }

            if (!File.Exists(path))
            {
                problem = "not found";
                return null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problem = "unreadable: " + e.Message;
            return null;
        }

        // On a thread of its own: opening a named pipe blocks until someone writes to it, and nothing can cancel that.
        Task<byte[]?> read = Task.Factory.StartNew(() => ReadUpTo(path, MaxBytes + 1), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            if (!read.Wait(ReadTimeout))
            {
                problem = "not readable in time (a pipe or a device?)";
                return null;
            }
        }
        catch (AggregateException e) when (e.InnerException is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problem = "unreadable: " + e.InnerException.Message;
            return null;
        }

        if (read.Result is not { } bytes || bytes.Length > MaxBytes)
        {
            problem = $"larger than {MaxBytes / (1024 * 1024)} MiB";
            return null;
        }

        return bytes;
    }

    private static byte[]? ReadUpTo(string path, int limit)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);
        if (stream.CanSeek && stream.Length > limit)
        {
            return null;
        }

        var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > limit - 1)
            {
                return null; // a device that never ends (/dev/zero), or a file that grew past the limit
            }
        }

        return buffer.ToArray();
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

        return ReadBounded(path, out _) is { } content && MatchesChecksum(content, hashAlgorithm, expectedHash) is true;
    }

    /// <summary>Whether <paramref name="content"/> hashes to <paramref name="expectedHash"/>; null when that cannot be told (unknown algorithm or no hash).</summary>
    internal static bool? MatchesChecksum(ReadOnlySpan<byte> content, Guid hashAlgorithm, ReadOnlySpan<byte> expectedHash)
    {
        if (expectedHash.IsEmpty || (hashAlgorithm != Sha256Algorithm && hashAlgorithm != Sha1Algorithm))
        {
            return null;
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
