using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// `run` (recording from the first instruction) on methods whose code changes during the trace: a
/// method called thousands of times (tier 0, instrumented tier 0, tier 1) and a method called once
/// whose loop moves from tier-0 code to an on-stack-replacement body. Samples from every version map
/// to the same source lines.
/// </summary>
[TestClass]
public sealed class TieringShapeTests
{
    private const string File = "TieringShape.cs";
    private static ShapeRecording s_run = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_run = await ShapeRecording.RunAsync("tiering", "TieringShape.Hot", "TieringShape.LongLoop");
    }

    [ClassCleanup]
    public static void Cleanup() => s_run?.Dispose();

    [TestMethod]
    public void TheRecordingSpansSeveralCodeVersionsOfEachMethod()
    {
        // Counted inside the target from the runtime's method-load events; without this the other
        // tests of this class would prove nothing about code versions.
        Assert.IsGreaterThanOrEqualTo(2, s_run.Truth.Facts["versions.Hot"], s_run.Tool.StandardError);
        Assert.IsGreaterThanOrEqualTo(2, s_run.Truth.Facts["versions.LongLoop"], s_run.Tool.StandardError);
    }

    [TestMethod]
    public void TierZeroThenTierOne_SamplesOfEveryVersionMapToTheSameLines()
    {
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(0), File, "Hot", checkedLines: 3);
        Assert.AreEqual(0, s_run.Method(0).GetProperty("unattributedSamples").GetInt64(), ShapeAssert.Summary(s_run.Method(0)));
    }

    [TestMethod]
    public void OnStackReplacement_SamplesOfBothBodiesMapToTheSameLines()
    {
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(1), File, "LongLoop", checkedLines: 2);
        Assert.AreEqual(0, s_run.Method(1).GetProperty("unattributedSamples").GetInt64(), ShapeAssert.Summary(s_run.Method(1)));
    }
}
