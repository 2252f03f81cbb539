using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// `run` on a method whose body declares lambdas and local functions (nested ones too). Their lines
/// are lines of the method; an allocation in a lambda shows on the lambda's line and on every line
/// of the method that was running it (the query, the call), each once; the total counts it once.
/// </summary>
[TestClass]
public sealed class LambdaShapeTests
{
    private const string File = "LambdaShape.cs";
    private const string Member = "QueryBlocks";
    private static ShapeRecording s_run = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_run = await ShapeRecording.RunAsync("lambdas", "LambdaShape.QueryBlocks");
    }

    [ClassCleanup]
    public static void Cleanup() => s_run?.Dispose();

    /// <summary>The checked lines of QueryBlocks's own loop (they measure with "mark"; lambdas and local functions with "m").</summary>
    private static int[] OwnLines => ShapeAssert.CheckedLinesRecordedBy(Repo.ShapesSource(File), "Truth.Record(mark);");

    [TestMethod]
    public void LinesInsideLambdasAndLocalFunctions_IncludingNestedOnes_MatchTruth()
    {
        int[] inside = [.. s_run.Truth.Lines.Where(t => t.File == File && t.Method == Member).Select(t => t.Line).Except(OwnLines)];
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(0), File, Member, checkedLines: 6, onlyLines: inside);
    }

    [TestMethod]
    public void LinesRunningLambdasAndLocalFunctions_IncludeTheirAllocations() =>
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(0), File, Member, checkedLines: 4, onlyLines: OwnLines);

    [TestMethod]
    public void Total_CountsEachAllocationOnce()
    {
        // The lines overlap (about 2.5 GiB summed over lines); the method allocated 1 GiB.
        ShapeAssert.TotalMatchesTruth(s_run, s_run.Method(0), s_run.Truth.TotalOf(File, Member));
    }
}
