using System.Buffers.Binary;
using DotnetMemLine.Decoding;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;
using DotnetMemLine.Fuzzing;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// `analyze` on files that are empty, cut short, damaged, not traces at all, or from a newer format:
/// one error line and a distinct exit code, or a partial table with a warning; never a stack trace
/// or a hang. The damaged files are made from a trace recorded here with `run`.
/// </summary>
[TestClass]
public sealed class DamagedTraceTests
{
    private const string Method = "Workload.AllocateKnownAmounts";
    private const string TruncationWarning = "warning: the trace ends early (truncated?); figures cover what was read";
    private static TempFolder s_folder = null!;
    private static byte[] s_seed = null!;
    private static NettraceLayout s_layout = null!;

    [ClassInitialize]
    public static async Task RecordSeedAsync(TestContext context)
    {
        _ = context;
        s_folder = new TempFolder();
        string seedPath = s_folder.File("seed.nettrace");
        using RunningProcess tool = RunningProcess.StartTool(
            ["run", "--method", Method, "-o", seedPath, "--", "dotnet", Repo.LineTruthTargetDll, s_folder.File("truth.json"), "--rounds", "5"]);
        ProcessResult recorded = await tool.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, recorded.ExitCode, recorded.ToString());
        s_seed = await File.ReadAllBytesAsync(seedPath);
        s_layout = NettraceLayout.Read(seedPath);
        Assert.IsTrue(s_layout.IsComplete, s_layout.Problem);
    }

    [ClassCleanup]
    public static void Cleanup() => s_folder?.Dispose();

    private static async Task<ProcessResult> AnalyzeAsync(string name, byte[] bytes)
    {
        string path = s_folder.File(name);
        await File.WriteAllBytesAsync(path, bytes);
        using RunningProcess tool = RunningProcess.StartTool(["analyze", path, "--method", Method]);
        return await tool.WaitForExitAsync(TimeSpan.FromMinutes(2));
    }

    private static void AssertPartialTable(ProcessResult result, string warning)
    {
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.Contains(warning, result.StandardOutput);
        Assert.Contains("Line #", result.StandardOutput, "the part that was read still gives its table");
        Assert.DoesNotContain("error", result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
    }

    private static NettraceLayout.Block LastEventBlock => s_layout.Blocks.Last(b => b.Name == "EventBlock");

    [TestMethod]
    public async Task Empty_FailsWithTraceUnreadable() =>
        ToolAssert.FailsWith(await AnalyzeAsync("empty.nettrace", []), 7, "trace file is empty");

    [TestMethod]
    public async Task TextFile_IsNotATrace() =>
        ToolAssert.FailsWith(await AnalyzeAsync("notes.nettrace", "Method timings\nClassifyMessages 12 ms\n"u8.ToArray()), 7, "not a .nettrace file");

    [TestMethod]
    public async Task PngFile_IsNotATrace() =>
        ToolAssert.FailsWith(await AnalyzeAsync("image.nettrace", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. new byte[200]]), 7, "not a .nettrace file");

    [TestMethod]
    public async Task NewerFormatVersion_SaysToUpdate()
    {
        byte[] future = (byte[])s_seed.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(future.AsSpan((int)s_layout.VersionFieldOffset), 6);
        BinaryPrimitives.WriteInt32LittleEndian(future.AsSpan((int)s_layout.VersionFieldOffset + 4), 6);

        ToolAssert.FailsWith(await AnalyzeAsync("future.nettrace", future), 7, "a Trace object of format version 6, newer than this dotnet-memline reads");
    }

    [TestMethod]
    public async Task NewerMajorVersion_SaysToUpdate()
    {
        // A version 7 stream header (version 6's layout, a later major version) and an end-of-stream block.
        byte[] future = [.. "Nettrace"u8, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        ToolAssert.FailsWith(await AnalyzeAsync("v7.nettrace", future), 7, "nettrace format version 7, newer than this dotnet-memline reads (up to 6)");
    }

    [TestMethod]
    public async Task CutInsideTheHeader_FailsWithTraceUnreadable() =>
        ToolAssert.FailsWith(await AnalyzeAsync("cut-header.nettrace", s_seed[..20]), 7, "ends inside its header");

    [TestMethod]
    public async Task CutRightAfterTheTraceHeader_FailsWithTraceIncomplete() =>
        ToolAssert.FailsWith(await AnalyzeAsync("cut-after-header.nettrace", s_seed[..(int)s_layout.Blocks[0].End]), 11, "before any events");

    [TestMethod]
    public async Task CutInsideTheLastEventBlock_GivesTheTableOfWhatWasRead()
    {
        NettraceLayout.Block last = LastEventBlock;
        AssertPartialTable(await AnalyzeAsync("cut-events.nettrace", s_seed[..(int)((last.Start + last.End) / 2)]), TruncationWarning);
    }

    [TestMethod]
    public async Task CutBeforeTheEndMark_GivesTheTableOfWhatWasRead() =>
        AssertPartialTable(await AnalyzeAsync("cut-end.nettrace", s_seed[..^1]), TruncationWarning);

    [TestMethod]
    public async Task DamagedBlockSize_GivesTheTableOfTheBlocksBefore()
    {
        byte[] damaged = (byte[])s_seed.Clone();
        NettraceLayout.Block last = LastEventBlock;
        int size = BinaryPrimitives.ReadInt32LittleEndian(damaged.AsSpan((int)last.SizeFieldOffset));
        BinaryPrimitives.WriteInt32LittleEndian(damaged.AsSpan((int)last.SizeFieldOffset), size - 8);

        AssertPartialTable(await AnalyzeAsync("bad-size.nettrace", damaged), $"warning: the trace is damaged at byte {last.Start:N0}");
    }

    [TestMethod]
    public async Task GarbageAfterAValidSignature_FailsWithTraceUnreadable()
    {
        byte[] garbage = new byte[64 * 1024];
        new Random(7).NextBytes(garbage);
        s_seed.AsSpan(0, 32).CopyTo(garbage); // "Nettrace" and "!FastSerialization.1", then noise

        ToolAssert.FailsWith(await AnalyzeAsync("garbage.nettrace", garbage), 7, "header");
    }

    [TestMethod]
    public async Task DamagedTrace_WithVerbose_ShowsTheStackTrace()
    {
        string path = s_folder.File("verbose.nettrace");
        await File.WriteAllBytesAsync(path, s_seed[..20]);
        using RunningProcess tool = RunningProcess.StartTool(["analyze", path, "--method", Method, "--verbose"]);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(1));

        Assert.AreEqual(7, result.ExitCode, result.ToString());
        Assert.Contains("   at ", result.StandardError, "--verbose is where the details go");
    }

    [TestMethod]
    public async Task NamesCarryingEscapeSequences_ReachNoOutputRaw()
    {
        // A crafted trace: the method's type name, and then the module's file name, carry an escape sequence that
        // would clear the screen, a bidirectional override and a bell (same length, so the events stay whole).
        string typeCrafted = s_folder.File("crafted-type.nettrace");
        await File.WriteAllBytesAsync(typeCrafted, Replace(s_seed, "LineTruthTarget.Workload", "LineTruth\u001b[2J\u202E\u0007.Workload"));
        string moduleCrafted = s_folder.File("crafted-module.nettrace");
        await File.WriteAllBytesAsync(moduleCrafted, Replace(s_seed, "LineTruthTarget.dll", "LineTruth\u001b[2J\u202E\u0007.dll"));

        foreach (string[] format in new[] { Array.Empty<string>(), ["--format", "json"] })
        {
            ProcessResult table = await RunAsync(["analyze", typeCrafted, "--method", Method, .. format]);
            Assert.AreEqual(0, table.ExitCode, table.ToString());
            AssertNoRawControl(table);
            if (format.Length > 0)
            {
                using var doc = System.Text.Json.JsonDocument.Parse(table.StandardOutput);
                Assert.AreEqual(1, doc.RootElement.GetProperty("methods").GetArrayLength());
            }
        }

        // The module the trace names cannot be found: the one-line error names it, replaced visibly.
        ProcessResult missing = await RunAsync(["analyze", moduleCrafted, "--method", Method]);
        Assert.AreNotEqual(0, missing.ExitCode, missing.ToString());
        AssertNoRawControl(missing);
        Assert.Contains("LineTruth\uFFFD[2J\uFFFD\uFFFD.dll", missing.StandardError);
        Assert.DoesNotContain("   at ", missing.StandardError);

        static byte[] Replace(byte[] trace, string from, string to)
        {
            byte[] fromBytes = System.Text.Encoding.Unicode.GetBytes(from);
            byte[] toBytes = System.Text.Encoding.Unicode.GetBytes(to);
            Assert.HasCount(fromBytes.Length, toBytes);
            byte[] crafted = (byte[])trace.Clone();
            int replaced = 0;
            for (int at = crafted.AsSpan().IndexOf(fromBytes); at >= 0; at = crafted.AsSpan().IndexOf(fromBytes))
            {
                toBytes.CopyTo(crafted, at);
                replaced++;
            }

            Assert.IsGreaterThan(0, replaced, $"the trace names {from}");
            return crafted;
        }

        static async Task<ProcessResult> RunAsync(string[] arguments)
        {
            using RunningProcess tool = RunningProcess.StartTool(arguments);
            return await tool.WaitForExitAsync(TimeSpan.FromMinutes(2));
        }

        static void AssertNoRawControl(ProcessResult result)
        {
            string output = result.StandardOutput + result.StandardError;
            Assert.IsFalse(output.Any(c => c is '\u001b' or '\u0007' or '\u202E'), "no raw escape, bell or override: " + output[..Math.Min(600, output.Length)]);
        }
    }

    /// <summary>
    /// A few hundred of eng/fuzz-analyze.sh's cases, in process, with a fixed random seed, plus a cut
    /// at every object boundary: only MemLineException, within 10 s, and no temporary file left.
    /// </summary>
    [TestMethod]
    public async Task Fuzz_DamagedCopies_FailOnlyWithMemLineExceptionAndInTime()
    {
        // A private temp folder (TMPDIR is read on each Path.GetTempPath call): a leaked .etlx is ours to see.
        string? tmpdir = Environment.GetEnvironmentVariable("TMPDIR");
        using var temp = new TempFolder();
        Environment.SetEnvironmentVariable("TMPDIR", temp.Path);
        try
        {
            string casePath = s_folder.File("fuzz-case.nettrace");
            var failures = new List<string>();
            var outcomes = new Dictionary<string, int>();

            async Task CheckAsync(string description, byte[] bytes)
            {
                await File.WriteAllBytesAsync(casePath, bytes);
                FuzzResult result = FuzzAnalysis.Run(casePath, [Method], TimeSpan.FromSeconds(10));
                outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
                string[] leaked = Directory.GetFiles(temp.Path, "dotnet-memline-*");
                if (result.Failed || leaked.Length > 0)
                {
                    failures.Add($"{description}: {result.Outcome} {string.Join(", ", leaked)}\n{result.Detail}");
                }
            }

            foreach (NettraceLayout.Block block in s_layout.Blocks)
            {
                await CheckAsync($"cut at {block.Name} start {block.Start}", s_seed[..(int)block.Start]);
                await CheckAsync($"cut at {block.Name} end {block.End}", s_seed[..(int)block.End]);
            }

            var random = new Random(20261124);
            for (int i = 0; i < 250; i++)
            {
                (string description, byte[] bytes) = TraceMutator.Mutate(s_seed, s_layout, random);
                await CheckAsync($"case {i}: {description}", bytes);
            }

            Assert.IsEmpty(failures, string.Join("\n", failures));
            Assert.IsTrue(outcomes.Count >= 3, "the mutations reach several outcomes: " + string.Join(", ", outcomes));
        }
        finally
        {
            Environment.SetEnvironmentVariable("TMPDIR", tmpdir);
        }
    }
}
