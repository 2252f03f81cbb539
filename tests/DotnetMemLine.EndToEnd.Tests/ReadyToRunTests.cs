using System.Runtime.InteropServices;
using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// A method in an assembly published with ReadyToRun: its precompiled code has no IL map in the
/// trace, so the table must say so and give the workaround; with the workaround, the lines come back
/// and match the truth the target measured.
/// </summary>
[TestClass]
public sealed class ReadyToRunTests
{
    private const string Method = "Precompiled.AllocateBlocks";
    private static TempFolder s_folder = null!;
    private static string s_targetDll = null!;

    [ClassInitialize]
    public static async Task PublishReadyToRunAsync(TestContext context)
    {
        _ = context;
        s_folder = new TempFolder();
        string artifacts = s_folder.File("artifacts");
        string project = Path.Combine(Repo.Root, "tests", "Targets", "ReadyToRunTarget", "ReadyToRunTarget.csproj");
        using RunningProcess publish = RunningProcess.Start("dotnet",
        [
            "publish", project, "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "--self-contained", "false",
            "-p:PublishReadyToRun=true", "--artifacts-path", artifacts, "--nologo",
        ]);
        ProcessResult published = await publish.WaitForExitAsync(TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, published.ExitCode, published.ToString());
        s_targetDll = Directory.EnumerateFiles(Path.Combine(artifacts, "publish"), "ReadyToRunTarget.dll", SearchOption.AllDirectories).Single();
    }

    [ClassCleanup]
    public static void Cleanup() => s_folder?.Dispose();

    [TestMethod]
    public async Task PrecompiledMethod_CountsInTheTotal_AndTheNoteGivesTheWorkaround()
    {
        (JsonElement method, long truthLine, long truthBytes) = await ProfileAsync("plain", environment: null);

        string notes = method.GetProperty("notes").GetRawText();
        Assert.Contains("ReadyToRun", notes);
        Assert.Contains("DOTNET_ReadyToRunExcludeList=ReadyToRunTarget", notes);
        Assert.IsGreaterThan(0, method.GetProperty("unattributedSamples").GetInt64());
        JsonElement line = method.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("line").GetInt64() == truthLine);
        Assert.AreEqual(JsonValueKind.Null, line.GetProperty("allocatedBytes").ValueKind, "precompiled code must not be placed on a line");
        AssertWithinInterval(method.GetProperty("total"), truthBytes);
    }

    [TestMethod]
    public async Task WithTheWorkaround_TheLinesComeBack_AndMatchTheTruth()
    {
        var environment = new Dictionary<string, string> { ["DOTNET_ReadyToRunExcludeList"] = "ReadyToRunTarget" };
        (JsonElement method, long truthLine, long truthBytes) = await ProfileAsync("excluded", environment);

        Assert.DoesNotContain("ReadyToRun", method.GetProperty("notes").GetRawText());
        Assert.AreEqual(0, method.GetProperty("unattributedSamples").GetInt64());
        JsonElement line = method.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("line").GetInt64() == truthLine);
        AssertWithinInterval(line, truthBytes);
    }

    private static async Task<(JsonElement Method, long TruthLine, long TruthBytes)> ProfileAsync(string name, Dictionary<string, string>? environment)
    {
        string truthPath = s_folder.File(name + ".truth");
        using RunningProcess tool = RunningProcess.StartTool(
            ["run", "--method", Method, "--format", "json", "-o", s_folder.File(name + ".nettrace"), "--", "dotnet", s_targetDll, truthPath],
            environment: environment);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, result.ExitCode, result.ToString());

        string[] truth = File.ReadAllText(truthPath).Split(' ');
        JsonElement report = JsonDocument.Parse(result.StandardOutput).RootElement;
        return (report.GetProperty("methods")[0], long.Parse(truth[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(truth[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    // ~3,000 samples: the interval is about +-4%; widened by half its width each side as in Truth.AssertMatches.
    private static void AssertWithinInterval(JsonElement estimate, long truth)
    {
        double low = estimate.GetProperty("allocatedBytesLow").GetDouble();
        double high = estimate.GetProperty("allocatedBytesHigh").GetDouble();
        double halfWidth = (high - low) / 2;
        Assert.IsTrue(truth >= low - halfWidth && truth <= high + halfWidth, $"truth {truth:N0} outside [{low:N0}, {high:N0}] (widened by {halfWidth:N0})");
        Assert.AreEqual(truth, estimate.GetProperty("allocatedBytes").GetDouble(), truth * 0.10);
    }
}
