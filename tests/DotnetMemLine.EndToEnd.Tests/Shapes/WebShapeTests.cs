using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// An ASP.NET Core minimal API handler under load (8 client loops, 512 requests), profiled with `--async`:
/// each awaiting line holds what the callee it awaited allocated after suspending (a timer, a real file read)
/// or on the thread it handed the work to (Task.Run), as the callees measured it themselves; in `run`, and in
/// `collect` attached to the warmed-up server.
/// </summary>
[TestClass]
public sealed class WebShapeTests
{
    private const string Method = "WebShape.HandleOrderAsync";
    private const string File = "WebShape.cs";

    private static readonly (string Text, string[] Callees)[] CausingLines =
    [
        ("await LoadCustomerAsync(id)", ["LoadCustomerAsync"]),
        ("await ReadHistoryAsync(s_dataPath)", ["ReadHistoryAsync"]),
        ("await Task.Run(() => Summarize(history))", ["Summarize"]),
    ];

    private static ShapeRecording s_run = null!;
    private static ShapeRecording s_collect = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_run = await ShapeRecording.RunAsync("web", ["--async"], Method);
        s_collect = await ShapeRecording.CollectAsync("web", ["--async"], Method);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        s_run?.Dispose();
        s_collect?.Dispose();
    }

    [TestMethod]
    public void Run_EachAwaitingLine_HoldsWhatItsCalleeAllocated() =>
        ShapeAssert.CausedLinesMatchTruth(s_run, s_run.Method(0), File, CausingLines);

    [TestMethod]
    public void Collect_OnTheWarmedUpServer_EachAwaitingLine_HoldsWhatItsCalleeAllocated() =>
        ShapeAssert.CausedLinesMatchTruth(s_collect, s_collect.Method(0), File, CausingLines);

    [TestMethod]
    public void Run_Total_IsWhatTheHandlerCaused_CountedOnce()
    {
        // Kestrel's and the client's own allocations are not the handler's: the total is its callees' work.
        long truth = CausingLines.Sum(l => ShapeAssert.TruthOfCallees(s_run, File, l.Callees));
        ShapeAssert.TotalMatchesTruth(s_run, s_run.Method(0), truth);
    }
}
