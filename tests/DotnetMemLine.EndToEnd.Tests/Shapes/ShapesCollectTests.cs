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
            "AsyncShape.DownloadAsync", "AsyncShape.ParseAsync", "LambdaShape.QueryBlocks", "ThreadsShape.Crunch", "GenericShape.FillArrays", "Pool.Rent", "Fill");
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

    [TestMethod]
    public void Collect_NameTheFrameworkHasToo_SaysOnceBeforeRecordingWhichMethodItTook()
    {
        const string Took = "--method Fill: took ShapesTarget.Shapes.GenericShape.Fill(T, int, int), the only match in the application's code";
        string[] said = [.. s_collect.Tool.StandardError.Split('\n').Where(l => l.Contains("--method Fill", StringComparison.Ordinal))];

        Assert.HasCount(1, said, s_collect.Tool.StandardError);
        Assert.StartsWith(Took, said[0]);
        Assert.IsLessThan(
            s_collect.Tool.StandardError.IndexOf("Recording process", StringComparison.Ordinal),
            s_collect.Tool.StandardError.IndexOf(Took, StringComparison.Ordinal),
            "said before the recording starts");
        Assert.StartsWith(Took, s_collect.Method(6).GetProperty("notes")[0].GetString());
        ShapeAssert.LinesMatchTruth(s_collect, s_collect.Method(6), "GenericShape.cs", "Fill", checkedLines: 1);
    }
}
