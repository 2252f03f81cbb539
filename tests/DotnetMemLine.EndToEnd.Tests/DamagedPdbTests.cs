using DotnetMemLine.EndToEnd.Tests.Infrastructure;
using DotnetMemLine.Fuzzing;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// `analyze` with a damaged or crafted PDB next to the module (a PDB from a build server, a colleague's
/// copy): a table, a table with a note or warning, or a one-line error, within a bounded time, and no raw
/// control character from the PDB in the text report. A copy of the line-truth target is recorded once;
/// each case overwrites the copy's PDB with a damaged one (eng/fuzz-pdb.sh runs thousands).
/// </summary>
[TestClass]
public sealed class DamagedPdbTests
{
    private const string Method = "Workload.AllocateKnownAmounts";

    [TestMethod]
    public async Task Fuzz_DamagedPdbs_GiveATableANoteOrAnErrorInTime_AndNoControlCharacters()
    {
        using var folder = new TempFolder();
        string target = Path.Combine(folder.Path, "target");
        CopyDirectory(Path.GetDirectoryName(Repo.LineTruthTargetDll)!, target);
        string dll = Path.Combine(target, Path.GetFileName(Repo.LineTruthTargetDll));
        string pdbPath = Path.ChangeExtension(dll, ".pdb");
        HideBuildPdb(dll);
        string trace = folder.File("seed.nettrace");
        using (RunningProcess tool = RunningProcess.StartTool(["run", "--method", Method, "-o", trace, "--", "dotnet", dll, folder.File("truth.json"), "--rounds", "2"]))
        {
            ProcessResult recorded = await tool.WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.AreEqual(0, recorded.ExitCode, recorded.ToString());
        }

        byte[] seed = await File.ReadAllBytesAsync(pdbPath);
        IReadOnlyList<PdbMutator.MetadataStreamInfo> streams = PdbMutator.ReadStreams(seed);
        Assert.IsGreaterThanOrEqualTo(5, streams.Count, "the seed is a portable PDB with its metadata streams");

        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>();
        var random = new Random(20261206);
        for (int i = 0; i < 300; i++)
        {
            (string description, byte[] bytes) = PdbMutator.Mutate(seed, streams, random);
            await File.WriteAllBytesAsync(pdbPath, bytes);
            FuzzResult result = FuzzAnalysis.Run(trace, [Method], TimeSpan.FromSeconds(10));
            outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
            if (result.Failed)
            {
                failures.Add($"case {i} ({description}): {result.Outcome}\n{result.Detail}");
            }
        }

        Assert.IsEmpty(failures, string.Join("\n", failures));
        Assert.IsGreaterThanOrEqualTo(2, outcomes.Count, "the mutations reach several outcomes: " + string.Join(", ", outcomes));
    }

    /// <summary>
    /// The module's debug directory names the PDB where the compiler wrote it (obj/...), which is looked at
    /// before the one next to the module: the copy's path is bent so that only the damaged one is found.
    /// </summary>
    private static void HideBuildPdb(string dll)
    {
        byte[] bytes = File.ReadAllBytes(dll);
        byte[] from = "/obj/"u8.ToArray();
        int at = bytes.AsSpan().IndexOf(from);
        Assert.IsGreaterThanOrEqualTo(0, at, "the module names its PDB under obj/");
        "/ob_/"u8.CopyTo(bytes.AsSpan(at));
        File.WriteAllBytes(dll, bytes);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
