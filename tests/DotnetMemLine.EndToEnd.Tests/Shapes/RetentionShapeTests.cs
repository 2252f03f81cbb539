using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// `--retention`: the tool walks the live target's heap with ClrMD and names, for each line that keeps memory alive, the
/// roots that hold it: after `collect`'s final full GC, and under `run` with the program held at its exit by the tool's
/// startup hook. The lifetimes shape's cache keeps its blocks in a static list (<c>LifetimesShape.s_blocks</c>) and its
/// large buffers in another (<c>s_buffers</c>); its chunked twin keeps nothing.
/// </summary>
[TestClass]
public sealed class RetentionShapeTests
{
    private const string BlocksLine = "s_blocks.Add(new byte[BlockLength])";
    private const string BuffersLine = "s_buffers.Add(new byte[BufferLength])";

    private static ShapeRecording s_collect = null!;
    private static ShapeRecording s_run = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_collect = await ShapeRecording.CollectAsync("lifetimes", ["--retention"], "LifetimesShape.CacheAll", "LifetimesShape.CacheChunked");
        s_run = await ShapeRecording.RunAsync("lifetimes", ["--retention"], "LifetimesShape.CacheAll", "LifetimesShape.CacheChunked");
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        s_collect?.Dispose();
        s_run?.Dispose();
    }

    [TestMethod]
    public void TheCachingLines_AreHeldByTheStaticListsTheTargetUses()
    {
        foreach (ShapeRecording recording in new[] { s_collect, s_run })
        {
            JsonElement cacheAll = recording.Method(0);
            AssertHeldBy(recording, ShapeAssert.LineWithText(recording, cacheAll, BlocksLine), "static ShapesTarget.Shapes.LifetimesShape.s_blocks -> List<byte[]> -> byte[][] -> byte[]");
            AssertHeldBy(recording, ShapeAssert.LineWithText(recording, cacheAll, BuffersLine), "static ShapesTarget.Shapes.LifetimesShape.s_buffers -> List<byte[]> -> byte[][] -> byte[]");
        }
    }

    [TestMethod]
    public void Run_LiveAtEnd_IsWhatTheWalkFoundReachable_TheCachesContents()
    {
        // No full GC can end run's recording: the walk at the program's exit tells which sampled objects are alive,
        // those allocated after the last GC included, so Live at end is what the static lists hold.
        JsonElement cacheAll = s_run.Method(0);
        Assert.IsTrue(cacheAll.GetProperty("notes").EnumerateArray().Any(n => n.GetString()!.StartsWith("Live at end is what was still reachable", StringComparison.Ordinal)), s_run.Where);
        ShapeAssert.LiveMatchesTruth(s_run, ShapeAssert.LineWithText(s_run, cacheAll, BlocksLine), "liveAtEnd", s_run.Truth.Facts["lifetimes.blocks.kept"]);
        ShapeAssert.LiveMatchesTruth(s_run, ShapeAssert.LineWithText(s_run, cacheAll, BuffersLine), "liveAtEnd", s_run.Truth.Facts["lifetimes.buffers.kept"]);
        JsonElement chunk = ShapeAssert.LineWithText(s_run, s_run.Method(1), "chunk.Add(new byte[BlockLength])");
        Assert.AreEqual(JsonValueKind.Null, chunk.GetProperty("liveAtEndBytes").ValueKind, s_run.Where);
    }

    [TestMethod]
    public void Run_HoldsTheProgramAtItsExit_ForTheWalk_ThenLetsItExit()
    {
        Assert.Contains("the program reached its exit, held there for the heap walk", s_run.Tool.StandardError, s_run.Where);
        Assert.AreEqual(JsonValueKind.Null, s_run.Report.RootElement.GetProperty("retention").GetProperty("problem").ValueKind, s_run.Where);
    }

    [TestMethod]
    public void TheWalk_FoundTheSampledObjects_AndSaysHowLongTheTargetWasSuspended()
    {
        JsonElement retention = s_collect.Report.RootElement.GetProperty("retention");
        Assert.AreEqual(JsonValueKind.Null, retention.GetProperty("problem").ValueKind, s_collect.Where);
        int sought = retention.GetProperty("objectsSought").GetInt32();
        int found = retention.GetProperty("objectsFound").GetInt32();
        Assert.IsGreaterThan(100, sought, s_collect.Where);
        Assert.IsGreaterThanOrEqualTo(0.95 * sought, found, s_collect.Where);
        double suspended = retention.GetProperty("suspendedSeconds").GetDouble();
        Assert.IsTrue(suspended is > 0 and < 60, $"suspended {suspended} s\n{s_collect.Where}");
    }

    [TestMethod]
    public void ALineThatKeepsNothing_HasNoRetentionPath()
    {
        JsonElement chunk = ShapeAssert.LineWithText(s_collect, s_collect.Method(1), "chunk.Add(new byte[BlockLength])");
        Assert.AreEqual(0, chunk.GetProperty("retainedBy").GetArrayLength(), s_collect.Where);
    }

    /// <summary>Most of what the line keeps alive at the end is held by that path.</summary>
    private static void AssertHeldBy(ShapeRecording recording, JsonElement line, string expectedPath)
    {
        double live = line.GetProperty("liveAtEndBytes").GetDouble();
        JsonElement[] paths = [.. line.GetProperty("retainedBy").EnumerateArray()];
        string described = string.Join("\n", paths.Select(p => $"{p.GetProperty("bytes").GetDouble():N0} by {p.GetProperty("path").GetString()}"));
        JsonElement? top = paths.Length > 0 ? paths[0] : null;
        Assert.AreEqual(expectedPath, top?.GetProperty("path").GetString(), $"{described}\n{recording.Where}");
        Assert.IsGreaterThanOrEqualTo(0.95 * live, top!.Value.GetProperty("bytes").GetDouble(), $"live at end {live:N0}\n{described}\n{recording.Where}");
    }
}
