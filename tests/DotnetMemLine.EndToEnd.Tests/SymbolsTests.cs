using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// Symbols that cannot be trusted: a missing PDB (a clear failure, and --symbols as the remedy), a PDB
/// of another build (refused), and a source file edited since the build (its text hidden).
/// </summary>
[TestClass]
public sealed class SymbolsTests
{
    [TestMethod]
    public async Task Run_TargetWithoutPdb_FailsWithOneLine_AndSymbolsFolderFixesIt()
    {
        using var folder = new TempFolder();
        string app = Path.Combine(folder.Path, "app");
        string symbols = Path.Combine(folder.Path, "symbols");
        Directory.CreateDirectory(app);
        Directory.CreateDirectory(symbols);
        string built = Path.GetDirectoryName(Repo.LineTruthTargetDll)!;
        foreach (string file in Directory.GetFiles(built))
        {
            string destination = file.EndsWith(".pdb", StringComparison.Ordinal) ? symbols : app;
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        // The module's debug directory names the PDB's build path (obj/...), which exists in this
        // checkout; point it elsewhere, as on a machine that only received the binaries.
        string module = Path.Combine(app, "LineTruthTarget.dll");
        byte[] image = await File.ReadAllBytesAsync(module);
        int replaced = ReplaceAll(image, "/obj/"u8, "/ob_/"u8);
        Assert.IsGreaterThan(0, replaced, "the CodeView entry's PDB path was not found");
        await File.WriteAllBytesAsync(module, image);

        string trace = folder.File("nopdb.nettrace");
        string[] run = ["run", "--method", "AllocateKnownAmounts", "-o", trace, "--", "dotnet", Path.Combine(app, "LineTruthTarget.dll"), folder.File("truth.json"), "--rounds", "1"];
        using (RunningProcess tool = RunningProcess.StartTool(run))
        {
            ToolAssert.FailsWith(await tool.WaitForExitAsync(TimeSpan.FromMinutes(3)), 8, "LineTruthTarget");
        }

        // A PDB of another build under the right name is refused (its id differs from the module's), never used.
        string impostors = Path.Combine(folder.Path, "impostors");
        Directory.CreateDirectory(impostors);
        File.Copy(Path.ChangeExtension(Repo.ShapesTargetDll, ".pdb"), Path.Combine(impostors, "LineTruthTarget.pdb"));
        using (RunningProcess tool = RunningProcess.StartTool(["analyze", trace, "--method", "AllocateKnownAmounts", "--symbols", impostors]))
        {
            ProcessResult refused = await tool.WaitForExitAsync(TimeSpan.FromMinutes(1));
            ToolAssert.FailsWith(refused, 8, "PDB id mismatch");
        }

        ProcessResult result = await RunningProcess.RunToolToSuccessAsync("analyze", trace, "--method", "AllocateKnownAmounts", "--symbols", symbols);
        Assert.Contains("var smallArrays = MakeByteArrays(SmallArrayCount, SmallArrayLength);", result.StandardOutput);
    }

    [TestMethod]
    public async Task Analyze_SourceEditedSinceTheBuild_HidesTheTextButKeepsTheLines()
    {
        // A program built here, so that its source can be edited without touching the repository.
        using var folder = new TempFolder();
        string project = Path.Combine(folder.Path, "edited");
        Directory.CreateDirectory(project);
        await File.WriteAllTextAsync(Path.Combine(project, "edited.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
            </Project>
            """);
        string source = Path.Combine(project, "Program.cs");
        await File.WriteAllTextAsync(source, """
            internal static class Program
            {
                private static object? s_kept;

                private static void Main()
                {
                    for (int i = 0; i < 20_000; i++) { s_kept = new byte[10_000]; }
                    System.GC.KeepAlive(s_kept);
                }
            }
            """);
        using (RunningProcess build = RunningProcess.Start("dotnet", ["build", project, "-c", "Release", "-o", Path.Combine(folder.Path, "bin"), "--nologo"]))
        {
            ProcessResult built = await build.WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.AreEqual(0, built.ExitCode, built.ToString());
        }

        string trace = folder.File("edited.nettrace");
        string[] analyze = ["analyze", trace, "--method", "Program.Main", "--format", "json"];
        await RunningProcess.RunToolToSuccessAsync("run", "--method", "Program.Main", "-o", trace, "--", "dotnet", Path.Combine(folder.Path, "bin", "edited.dll"));
        using JsonDocument before = JsonDocument.Parse((await RunningProcess.RunToolToSuccessAsync(analyze)).StandardOutput);

        // An edit that moves every line down: showing the file now would put wrong text next to every figure.
        await File.WriteAllTextAsync(source, "// a comment added after the build\n" + await File.ReadAllTextAsync(source));
        using JsonDocument after = JsonDocument.Parse((await RunningProcess.RunToolToSuccessAsync(analyze)).StandardOutput);

        JsonElement methodBefore = before.RootElement.GetProperty("methods")[0];
        JsonElement methodAfter = after.RootElement.GetProperty("methods")[0];
        Assert.IsTrue(methodBefore.GetProperty("lines").EnumerateArray().Any(l => l.GetProperty("text").GetString()?.Contains("new byte[10_000]", StringComparison.Ordinal) == true));
        Assert.IsTrue(methodAfter.GetProperty("lines").EnumerateArray().All(l => l.GetProperty("text").ValueKind == JsonValueKind.Null), "no line text may be shown from an edited file");
        Assert.Contains("changed since the build", methodAfter.GetProperty("notes").GetRawText());

        // Line numbers come from the PDB alone, so the figures stay on the right lines. Without a
        // trustworthy file the span shrinks to the lines the PDB knows (no signature line): fewer rows, none wrong.
        static (int Line, long Samples)[] Rows(JsonElement method, bool withSamplesOnly) =>
            [.. method.GetProperty("lines").EnumerateArray()
                .Select(l => (l.GetProperty("line").GetInt32(), l.GetProperty("samples").GetInt64()))
                .Where(r => !withSamplesOnly || r.Item2 > 0)];
        CollectionAssert.AreEqual(Rows(methodBefore, withSamplesOnly: true), Rows(methodAfter, withSamplesOnly: true));
        CollectionAssert.IsSubsetOf(Rows(methodAfter, withSamplesOnly: false).Select(r => r.Line).ToArray(), Rows(methodBefore, withSamplesOnly: false).Select(r => r.Line).ToArray());
    }

    private static int ReplaceAll(byte[] buffer, ReadOnlySpan<byte> find, ReadOnlySpan<byte> replacement)
    {
        int count = 0;
        for (int at = buffer.AsSpan().IndexOf(find); at >= 0; at = buffer.AsSpan().IndexOf(find))
        {
            replacement.CopyTo(buffer.AsSpan(at));
            count++;
        }

        return count;
    }
}
