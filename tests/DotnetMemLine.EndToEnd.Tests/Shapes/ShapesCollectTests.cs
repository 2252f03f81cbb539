using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// `collect` attached to a warmed-up process (every method at its final tier, compiled before the
/// session, described only by the rundown when the session stops) running the async, lambda, threads
/// and generic shapes, stopped with Ctrl+C while the process lives on.
/// </summary>
[TestClass]
public sealed class ShapesCollectTests
{
    private static ShapeRecording s_collect = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_collect = await ShapeRecording.CollectAsync(
            "async,lambdas,threads,generics",
            "AsyncShape.DownloadAsync", "AsyncShape.ParseAsync", "LambdaShape.QueryBlocks", "ThreadsShape.Crunch", "GenericShape.FillArrays", "Pool.Rent");
    }

    [ClassCleanup]
    public static void Cleanup() => s_collect?.Dispose();

    [TestMethod]
    public void Collect_AsyncMethods_LinesBetweenAwaitsMatchTruth()
    {
        ShapeAssert.LinesMatchTruth(s_collect, s_collect.Method(0), "AsyncShape.cs", "DownloadAsync", checkedLines: 3);
        ShapeAssert.LinesMatchTruth(s_collect, s_collect.Method(1), "AsyncShape.cs", "ParseAsync", checkedLines: 2);
    }

    [TestMethod]
    public void Collect_LambdasAndLocalFunctions_LinesAndTotalMatchTruth()
    {
        ShapeAssert.LinesMatchTruth(s_collect, s_collect.Method(2), "LambdaShape.cs", "QueryBlocks", checkedLines: 10);
        ShapeAssert.TotalMatchesTruth(s_collect, s_collect.Method(2), s_collect.Truth.TotalOf("LambdaShape.cs", "QueryBlocks"));
    }

    [TestMethod]
    public void Collect_ManyThreads_LinesAndTotalAddUpOverThreads()
    {
        ShapeAssert.LinesMatchTruth(s_collect, s_collect.Method(3), "ThreadsShape.cs", "Crunch", checkedLines: 3);
        ShapeAssert.TotalMatchesTruth(s_collect, s_collect.Method(3), s_collect.Truth.TotalOf("ThreadsShape.cs", "Crunch"));
    }

    [TestMethod]
    public void Collect_GenericMethod_SharedAndSpecializedBodiesAddUpOnItsLines() =>
        ShapeAssert.LinesMatchTruth(s_collect, s_collect.Method(4), "GenericShape.cs", "FillArrays", checkedLines: 2);

    [TestMethod]
    public void Collect_MethodOfGenericType_SharedAndSpecializedBodiesAddUpOnItsLines() =>
        ShapeAssert.LinesMatchTruth(s_collect, s_collect.Method(5), "GenericShape.cs", "Rent", checkedLines: 2);
}
