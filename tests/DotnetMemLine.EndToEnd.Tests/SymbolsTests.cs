using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>A target whose PDB is missing: a clear failure, and --symbols as the remedy.</summary>
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

        ProcessResult result = await RunningProcess.RunToolToSuccessAsync("analyze", trace, "--method", "AllocateKnownAmounts", "--symbols", symbols);
        Assert.Contains("Truth.Record(", result.StandardOutput);
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
