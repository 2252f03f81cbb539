using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// An ASP.NET Core minimal API handler written as plain code (no measurement in it), its statements around
/// `await Task.Yield()` and `await Task.Delay(1)`, under load from 8 client loops: each line holds its analytic
/// size times the requests served, in `run` and in `collect` attached to the warmed-up server (tier-1 code),
/// without --async. The statement before an await keeps its bytes (not the await line).
/// </summary>
[TestClass]
public sealed class WebHandlerLinesTests
{
    private const string Method = "WebShape.CheckoutAsync";

    private static readonly (string Text, long BytesPerRequest)[] Lines =
    [
        ("var basket = new byte[200_000];", 200_024),
        ("var invoice = new string('i', 60_000);", 120_024),
        ("var receipt = new int[40_000];", 160_024),
    ];

    private static ShapeRecording s_run = null!;
    private static ShapeRecording s_collect = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_run = await ShapeRecording.RunAsync("web", [], Method);
        s_collect = await ShapeRecording.CollectAsync("web", Method);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        s_run?.Dispose();
        s_collect?.Dispose();
    }

    [TestMethod]
    public void Run_EachLine_HoldsItsSizeTimesTheRequests() => AssertLines(s_run);

    [TestMethod]
    public void Collect_OnTheWarmedUpServer_EachLine_HoldsItsSizeTimesTheRequests() => AssertLines(s_collect);

    private static void AssertLines(ShapeRecording recording)
    {
        long requests = recording.Truth.Facts["web.checkout.requests"];
        Assert.IsGreaterThan(0, requests);
        var failures = new List<string>();
        foreach ((string text, long bytesPerRequest) in Lines)
        {
            if (Infrastructure.Truth.Mismatch(ShapeAssert.LineWithText(recording, recording.Method(0), text), requests * bytesPerRequest) is { } mismatch)
            {
                failures.Add($"{text}: {mismatch}");
            }
        }

        if (failures.Count > 0)
        {
            recording.KeepFiles();
        }

        Assert.IsEmpty(failures, string.Join("\n", failures) + "\n" + recording.Where);
    }
}
