using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// `run` on a recursive method, eight frames deep. A line counts an allocation once however many
/// frames of the method run that line: the recursive-call line holds everything the deeper calls
/// allocated, once; the allocating lines add up over all frames; the total counts each allocation once.
/// </summary>
[TestClass]
public sealed class RecursionShapeTests
{
    private const string File = "RecursionShape.cs";
    private static ShapeRecording s_run = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_run = await ShapeRecording.RunAsync("recursion", "RecursionShape.Descend");
    }

    [ClassCleanup]
    public static void Cleanup() => s_run?.Dispose();

    private static int CallLine => ShapeAssert.CheckedLineOf(Repo.ShapesSource(File), "Descend(depth - 1)");

    [TestMethod]
    public void RecursiveCallLine_IncludesAllDeeperCallsOnce() =>
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(0), File, "Descend", checkedLines: 1, onlyLines: [CallLine]);

    [TestMethod]
    public void AllocatingLines_AddUpOverAllFrames()
    {
        int[] others = [.. s_run.Truth.Lines.Where(t => t.File == File && t.Method == "Descend" && t.Line != CallLine).Select(t => t.Line)];
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(0), File, "Descend", checkedLines: 2, onlyLines: others);
    }

    [TestMethod]
    public void Total_CountsEachAllocationOnce() =>
        ShapeAssert.TotalMatchesTruth(s_run, s_run.Method(0), s_run.Truth.TotalOf(File, "Descend"));
}
