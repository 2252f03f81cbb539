using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// `run` on a method executing on many threads at once (a Parallel.For and four long-running
/// Tasks): each thread's samples add up to the truth summed over the threads.
/// </summary>
[TestClass]
public sealed class ThreadsShapeTests
{
    private static ShapeRecording s_run = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_run = await ShapeRecording.RunAsync("threads", "ThreadsShape.Crunch");
    }

    [ClassCleanup]
    public static void Cleanup() => s_run?.Dispose();

    [TestMethod]
    public void ConcurrentCalls_LinesAddUpOverThreads() =>
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(0), "ThreadsShape.cs", "Crunch", checkedLines: 3);

    [TestMethod]
    public void ConcurrentCalls_TotalAddsUpOverThreads() =>
        ShapeAssert.TotalMatchesTruth(s_run, s_run.Method(0), s_run.Truth.TotalOf("ThreadsShape.cs", "Crunch"));
}
