using System.Globalization;
using System.Net;
using System.Reflection.PortableExecutable;

namespace DotnetMemLine.Symbols;

/// <summary>
/// Where PDBs that are not on this machine may be downloaded from: symbol servers, asked in order, and the local cache
/// the downloads are kept in. Libraries from NuGet usually ship their PDBs to a symbol server (.snupkg) rather than in
/// the package; the framework's are on Microsoft's.
/// </summary>
/// <param name="Servers">Base addresses, asked in order.</param>
/// <param name="CacheDirectory">Where downloaded PDBs are kept, laid out as the servers' keys.</param>
public sealed record SymbolServerOptions(IReadOnlyList<string> Servers, string CacheDirectory)
{
    /// <summary>Replaces the default servers: addresses separated by ';' (empty: none), as _NT_SYMBOL_PATH does for debuggers.</summary>
    public const string ServersVariable = "DOTNET_MEMLINE_SYMBOL_SERVERS";

    /// <summary>NuGet.org's symbol server and Microsoft's, asked unless disabled, or those of <see cref="ServersVariable"/>.</summary>
    public static IReadOnlyList<string> Defaults =>
        Environment.GetEnvironmentVariable(ServersVariable) is { } configured
            ? configured.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : ["https://symbols.nuget.org/download/symbols", "https://msdl.microsoft.com/download/symbols"];

    /// <summary>How long one request may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>What is being done, for the status line (downloads take seconds); null to say nothing.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>The cache without <c>--symbol-cache</c>: $XDG_CACHE_HOME/dotnet-memline/symbols (~/.cache/... on Linux).</summary>
    public static string DefaultCacheDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string root = !string.IsNullOrEmpty(xdg) ? xdg
            : OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Path.Combine(string.IsNullOrEmpty(home) ? Path.GetTempPath() : home, ".cache");
        return Path.Combine(root, "dotnet-memline", "symbols");
    }
}

/// <summary>
/// Fetches a module's portable PDB by the Simple Symbol Query Protocol that NuGet's, Microsoft's and every
/// SymStore-layout server speak: <c>GET {server}/{pdb name}/{PDB id as 32 hex digits}FFFFFFFF/{pdb name}</c>, with the
/// <c>SymbolChecksum</c> header the module's PdbChecksum entries give (NuGet's server requires it).
/// </summary>
public static class SymbolServerClient
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All });

    /// <summary>
    /// The key of the module's portable PDB (lower case, as the protocol has it), the PDB's file name as the module names
    /// it, and the checksums to send; null when the module names no portable PDB.
    /// </summary>
    public static (string Key, string FileName, IReadOnlyList<string> Checksums)? KeyOf(string modulePath)
    {
        try
        {
            using var module = new PEReader(File.OpenRead(modulePath));
            string? key = null;
            string fileName = "";
            var checksums = new List<string>();
            foreach (DebugDirectoryEntry entry in module.ReadDebugDirectory())
            {
                if (entry.Type == DebugDirectoryEntryType.CodeView && entry.MinorVersion == 0x504d && key is null)
                {
                    CodeViewDebugDirectoryData codeView = module.ReadCodeViewDebugDirectoryData(entry);
                    fileName = FileName(codeView.Path);
                    string name = fileName.ToLowerInvariant();
                    key = $"{name}/{codeView.Guid.ToString("N", CultureInfo.InvariantCulture)}ffffffff/{name}";
                }
                else if (entry.Type == DebugDirectoryEntryType.PdbChecksum)
                {
                    PdbChecksumDebugDirectoryData checksum = module.ReadPdbChecksumDebugDirectoryData(entry);
                    checksums.Add($"{checksum.AlgorithmName}:{Convert.ToHexString(checksum.Checksum.AsSpan())}");
                }
            }

            return key is null ? null : (key, fileName, checksums);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// The folder holding the module's PDB: from the cache, or downloaded into it from the first server that has it.
    /// Null when none has it; <paramref name="problem"/> then says what the servers answered.
    /// </summary>
    public static string? TryFetch(string modulePath, SymbolServerOptions options, CancellationToken cancellationToken, out string? problem)
    {
        problem = null;
        if (KeyOf(modulePath) is not { } wanted)
        {
            problem = "the module names no portable PDB to look up";
            return null;
        }

        // Kept under the key's folders with the name the module gives it, which is what the PDB search looks for.
        string cached = Path.Combine(options.CacheDirectory, Path.GetDirectoryName(wanted.Key.Replace('/', Path.DirectorySeparatorChar))!, wanted.FileName);
        if (File.Exists(cached))
        {
            return Path.GetDirectoryName(cached);
        }

        var answers = new List<string>();
        foreach (string server in options.Servers)
        {
            string url = server.TrimEnd('/') + "/" + wanted.Key;
            options.Log?.Invoke($"Looking for the PDB of {Path.GetFileName(modulePath)} on {server}");
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                if (wanted.Checksums.Count > 0)
                {
                    request.Headers.TryAddWithoutValidation("SymbolChecksum", string.Join(";", wanted.Checksums));
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.RequestTimeout);
                using HttpResponseMessage response = Http.Send(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (!response.IsSuccessStatusCode)
                {
                    answers.Add($"{server}: {(int)response.StatusCode} {response.ReasonPhrase}");
                    continue;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
                string partial = cached + ".partial-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
                using (Stream body = response.Content.ReadAsStream(timeout.Token))
                using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write))
                {
                    body.CopyTo(file);
                }

                File.Move(partial, cached, overwrite: true);
                options.Log?.Invoke($"Downloaded the PDB of {Path.GetFileName(modulePath)} from {server} into {Path.GetDirectoryName(cached)}");
                return Path.GetDirectoryName(cached);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                answers.Add($"{server}: no answer within {options.RequestTimeout.TotalSeconds:F0} s");
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or UnauthorizedAccessException or InvalidOperationException or UriFormatException)
            {
                answers.Add($"{server}: {ex.Message}");
            }
        }

        problem = answers.Count == 0 ? "no symbol server to ask" : "no symbol server gave it (" + string.Join("; ", answers) + ")";
        return null;
    }

    private static string FileName(string path)
    {
        int cut = path.LastIndexOfAny(['/', '\\']);
        return cut < 0 ? path : path[(cut + 1)..];
    }
}
