using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// `run` on async Task / async ValueTask methods, an iterator and an async iterator: --method names
/// the method the user wrote, and its lines are those of the compiler's state machine (MoveNext),
/// wherever and on whichever thread it resumes. Only lines between awaits / yields are checked.
/// </summary>
[TestClass]
public sealed class AsyncAndIteratorShapeTests
{
    private static ShapeRecording s_run = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_run = await ShapeRecording.RunAsync(
            "async,iterators",
            "AsyncShape.DownloadAsync", "AsyncShape.ParseAsync", "IteratorShape.ProduceBlocks", "IteratorShape.StreamBlocksAsync");
    }

    [ClassCleanup]
    public static void Cleanup() => s_run?.Dispose();

    [TestMethod]
    public void AsyncTaskMethod_LinesBetweenAwaits_MatchTruth() =>
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(0), "AsyncShape.cs", "DownloadAsync", checkedLines: 3);

    [TestMethod]
    public void AsyncTaskMethod_Total_IsWhatItsLinesAllocated()
    {
        // Its await lines allocate a few KB (state-machine boxes) next to its lines' 768 MiB.
        ShapeAssert.TotalMatchesTruth(s_run, s_run.Method(0), SumOfLines("AsyncShape.cs", "DownloadAsync"));
    }

    [TestMethod]
    public void AsyncValueTaskMethod_LinesBetweenAwaits_MatchTruth() =>
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(1), "AsyncShape.cs", "ParseAsync", checkedLines: 2);

    [TestMethod]
    public void Iterator_LinesBetweenYields_MatchTruth() =>
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(2), "IteratorShape.cs", "ProduceBlocks", checkedLines: 2);

    [TestMethod]
    public void Iterator_Total_IsWhatItsLinesAllocated() =>
        ShapeAssert.TotalMatchesTruth(s_run, s_run.Method(2), SumOfLines("IteratorShape.cs", "ProduceBlocks"));

    [TestMethod]
    public void AsyncIterator_LinesBetweenAwaitsAndYields_MatchTruth() =>
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(3), "IteratorShape.cs", "StreamBlocksAsync", checkedLines: 2);

    private static long SumOfLines(string file, string member) =>
        s_run.Truth.Lines.Where(t => t.File == file && t.Method == member).Sum(t => t.Bytes);
}
