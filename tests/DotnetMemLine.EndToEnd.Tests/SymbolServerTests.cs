using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// A module whose PDB is on no disk of this machine (a NuGet library's, published as a .snupkg) gets its lines from a
/// symbol server: here one served locally over HTTP, laid out as NuGet's and Microsoft's are (SSQP keys). The PDB is
/// fetched once, with the SymbolChecksum header NuGet's server requires, kept in the cache and read from there next time;
/// a server without it leaves the one-line "no PDB" error, saying what the server answered.
/// </summary>
[TestClass]
public sealed class SymbolServerTests
{
    private const string Program = """
        namespace Library;

        public static class Packer
        {
            public static int Main()
            {
                var packed = Pack(40);
                return packed.Count == 40 ? 0 : 1;
            }

            public static List<byte[]> Pack(int count)
            {
                var packed = new List<byte[]>(count);
                for (int i = 0; i < count; i++)
                {
                    packed.Add(new byte[100_000]);
                }

                return packed;
            }
        }
        """;

    private const long Block = (24 + 100_000 + 7) / 8 * 8;

    [TestMethod]
    public async Task AModuleWithoutItsPdb_GetsItsLinesFromASymbolServer_ThenFromTheCache()
    {
        using var folder = new TempFolder();
        string app = await BuildWithoutPdbAsync(folder);
        string key = PdbKey(app);
        string served = Directory.CreateDirectory(folder.File("server")).FullName;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(served, key))!);
        File.Move(folder.File("Loop.pdb.kept"), Path.Combine(served, key));
        string cache = folder.File("cache");

        using var server = new LocalSymbolServer(served);
        using (RunningProcess tool = RunningProcess.StartTool(["run", "--exact", "--method", "Packer.Pack", "--symbol-server", server.Address, "--symbol-cache", cache,
            "--format", "json", "-o", folder.File("t.nettrace"), "--", "dotnet", app]))
        {
            ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.AreEqual(0, result.ExitCode, result.ToString());
            Assert.Contains($"Downloaded the PDB of Loop.dll from {server.Address}", result.StandardError, result.ToString());
            Assert.AreEqual(40 * Block, AllocatedOnLine(result, "packed.Add(new byte[100_000]);"), result.ToString());
        }

        Assert.AreEqual("/" + key, server.Requests.Single().Path, "one request, by the SSQP key");
        Assert.StartsWith("SHA256:", server.Requests.Single().Checksum ?? "", "the SymbolChecksum header NuGet's server requires");
        Assert.IsTrue(File.Exists(Path.Combine(cache, Path.GetDirectoryName(key)!, "Loop.pdb")), "kept in the cache, under the key's folders");

        // Again, with no server at all: from the cache.
        server.Dispose();
        using (RunningProcess tool = RunningProcess.StartTool(["analyze", folder.File("t.nettrace"), "--method", "Packer.Pack", "--no-symbol-servers", "--symbol-cache", cache, "--format", "json"]))
        {
            ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(2));
            Assert.AreEqual(0, result.ExitCode, result.ToString());
            Assert.DoesNotContain("Looking for the PDB", result.StandardError, result.ToString());
            Assert.AreEqual(40 * Block, AllocatedOnLine(result, "packed.Add(new byte[100_000]);"), result.ToString());
        }
    }

    [TestMethod]
    public async Task AServerWithoutThePdb_LeavesTheNoPdbError_WithWhatItAnswered()
    {
        using var folder = new TempFolder();
        string app = await BuildWithoutPdbAsync(folder);
        using var server = new LocalSymbolServer(Directory.CreateDirectory(folder.File("empty")).FullName);
        using RunningProcess tool = RunningProcess.StartTool(["run", "--method", "Packer.Pack", "--symbol-server", server.Address, "--symbol-cache", folder.File("cache"),
            "-o", folder.File("t.nettrace"), "--", "dotnet", app]);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(3));
        ToolAssert.FailsWith(result, 8, $"no PDB for Loop.dll");
        Assert.Contains($"no symbol server gave it ({server.Address}: 404 Not Found)", result.StandardError, result.ToString());
    }

    /// <summary>Builds the program in Release, then takes its PDB away from every place the module names (kept aside as Loop.pdb.kept).</summary>
    private static async Task<string> BuildWithoutPdbAsync(TempFolder folder)
    {
        TestProject.Write(folder, "Loop", Program);
        using (RunningProcess build = RunningProcess.Start("dotnet", ["build", "-c", "Release", "-nologo"], workingDirectory: folder.Path))
        {
            ProcessResult built = await build.WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.AreEqual(0, built.ExitCode, built.ToString());
        }

        string output = Path.Combine(folder.Path, "bin", "Release", "net10.0");
        File.Move(Path.Combine(output, "Loop.pdb"), folder.File("Loop.pdb.kept"));
        File.Delete(Path.Combine(folder.Path, "obj", "Release", "net10.0", "Loop.pdb"));
        return Path.Combine(output, "Loop.dll");
    }

    /// <summary>The SSQP key of the module's portable PDB, computed here independently of the tool.</summary>
    private static string PdbKey(string modulePath)
    {
        using var module = new PEReader(File.OpenRead(modulePath));
        DebugDirectoryEntry codeView = module.ReadDebugDirectory().First(e => e.Type == DebugDirectoryEntryType.CodeView);
        CodeViewDebugDirectoryData data = module.ReadCodeViewDebugDirectoryData(codeView);
        string name = Path.GetFileName(data.Path).ToLowerInvariant();
        return $"{name}/{data.Guid.ToString("N", CultureInfo.InvariantCulture)}ffffffff/{name}";
    }

    private static long AllocatedOnLine(ProcessResult result, string text)
    {
        using JsonDocument report = JsonDocument.Parse(result.StandardOutput);
        return report.RootElement.GetProperty("methods")[0].GetProperty("lines").EnumerateArray()
            .Single(l => l.GetProperty("text").GetString()?.Trim() == text).GetProperty("allocatedBytes").GetInt64();
    }

    /// <summary>A symbol server on 127.0.0.1: files of a folder by their path, 404 for anything else; the requests it got.</summary>
    private sealed class LocalSymbolServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly string _folder;
        private readonly Task _serving;

        public LocalSymbolServer(string folder)
        {
            _folder = folder;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Address = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/";
                probe.Stop();
            }

            _listener.Prefixes.Add(Address);
            _listener.Start();
            _serving = Task.Run(ServeAsync);
        }

        public string Address { get; }

        public List<(string Path, string? Checksum)> Requests { get; } = [];

        public void Dispose()
        {
            if (_listener.IsListening)
            {
                _listener.Stop();
                _listener.Close();
                _ = _serving.Wait(TimeSpan.FromSeconds(5));
            }
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                string path = context.Request.Url!.AbsolutePath;
                lock (Requests)
                {
                    Requests.Add((path, context.Request.Headers["SymbolChecksum"]));
                }

                string file = Path.Combine(_folder, path.TrimStart('/').Replace('/', Path.DirectorySeparatorChar));
                if (File.Exists(file))
                {
                    byte[] body = await File.ReadAllBytesAsync(file);
                    context.Response.StatusCode = 200;
                    await context.Response.OutputStream.WriteAsync(body);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }

                context.Response.Close();
            }
        }
    }
}
