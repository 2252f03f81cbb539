using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// What lines keep alive through the GCs the lifetime tracking must survive (tests/Targets/ShapesTarget/Shapes/GCKindsShape.cs):
/// blocks promoted to generation 2 by induced GCs of each generation, blocks of which part was freed before a compacting
/// generation-1 and a compacting generation-2 GC (the survivors move), large object heap buffers of which every other one
/// was freed before the large object heap was compacted, blocks allocated while background GCs ran, and a static list of
/// numbers that grew (its last backing array stays). Recorded with `collect` (sampled; its final full GC judges every
/// object) and with `run --exact` (every object; the target's own last blocking GC follows every checked line's last
/// allocation, so Live at end must equal the truth to the byte). The target runs with concurrent GC on, as applications do
/// by default (its project turns it off for the other shapes).
/// </summary>
[TestClass]
public sealed class GCKindsShapeTests
{
    private static readonly string[] Methods =
    [
        "GCKindsShape.KeepOld", "GCKindsShape.KeepAndLeaveGaps", "GCKindsShape.KeepLarge", "GCKindsShape.KeepDuringBackgroundGCs", "GCKindsShape.Grow",
    ];

    // Each checked line: the table it is in (index into Methods), its text, and the fact that says what it keeps.
    private static readonly (int Method, string Text, string Fact)[] KeepingLines =
    [
        (0, "s_old.Add(new byte[BlockLength])", "gckinds.old.kept"),
        (1, "s_moving[i] = new byte[BlockLength]", "gckinds.moving.kept"),
        (2, "s_large[i] = new byte[BufferLength]", "gckinds.large.kept"),
        (3, "s_background[i] = new byte[BlockLength]", "gckinds.background.kept"),
        (4, "s_values.Add(i)", "gckinds.values.kept"),
    ];

    private const string GapsLine = "s_gaps[i] = new byte[GapLength]";

    private static readonly Dictionary<string, string> ConcurrentGC = new(StringComparer.Ordinal) { ["DOTNET_gcConcurrent"] = "1" };

    private static ShapeRecording s_collect = null!;
    private static ShapeRecording s_exact = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_collect = await ShapeRecording.CollectAsync("gckinds", [], ConcurrentGC, Methods);
        s_exact = await ShapeRecording.RunAsync("gckinds", ["--exact"], ConcurrentGC, Methods);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        s_collect?.Dispose();
        s_exact?.Dispose();
    }

    [TestMethod]
    public void BothRecordings_RanBackgroundGCs()
    {
        foreach (ShapeRecording recording in new[] { s_collect, s_exact })
        {
            Assert.AreEqual(1, recording.Truth.Facts["gckinds.concurrent"], $"concurrent GC was off\n{recording.Where}");
            Assert.IsGreaterThanOrEqualTo(1, recording.Truth.Facts["gckinds.background.gcs"], $"no background GC ran\n{recording.Where}");
        }
    }

    [TestMethod]
    public void Collect_LiveAtEnd_OfEachKeepingLine_IsWhatItHolds()
    {
        Assert.IsTrue(s_collect.Report.RootElement.GetProperty("followsLifetimes").GetBoolean(), s_collect.Where);
        var failures = new List<string>();
        foreach ((int method, string text, string fact) in KeepingLines)
        {
            JsonElement line = ShapeAssert.LineWithText(s_collect, s_collect.Method(method), text);
            if (ShapeAssert.LiveMismatch(line, "liveAtEnd", s_collect.Truth.Facts[fact]) is { } mismatch)
            {
                failures.Add($"{text}: {mismatch}");
            }

            Assert.IsFalse(Notes(s_collect.Method(method)).Any(n => n.Contains("no full GC ran", StringComparison.Ordinal)), s_collect.Where);
        }

        if (failures.Count > 0)
        {
            s_collect.KeepFiles();
        }

        Assert.IsEmpty(failures, string.Join("\n", failures) + "\n" + s_collect.Where);
    }

    [TestMethod]
    public void Exact_LiveAtEnd_OfEachKeepingLine_EqualsTheTruthToTheByte()
    {
        Assert.IsTrue(s_exact.Report.RootElement.GetProperty("exact").GetBoolean(), s_exact.Where);
        Assert.AreEqual(0, s_exact.Report.RootElement.GetProperty("droppedEvents").GetInt64(), s_exact.Where);
        var failures = new List<string>();
        foreach ((int method, string text, string fact) in KeepingLines)
        {
            JsonElement line = ShapeAssert.LineWithText(s_exact, s_exact.Method(method), text);
            long truth = s_exact.Truth.Facts[fact];
            if (ShapeAssert.Bytes(line, "liveAtEndBytes") != truth || ShapeAssert.Bytes(line, "liveAtEndBytesLow") != truth || ShapeAssert.Bytes(line, "liveAtEndBytesHigh") != truth)
            {
                failures.Add($"{text}: live at end {ShapeAssert.Bytes(line, "liveAtEndBytes"):N0} vs truth {truth:N0}");
            }

            // The target's last blocking GC followed every line's last allocation: nothing is left unjudged.
            Assert.IsFalse(Notes(s_exact.Method(method)).Any(n => n.Contains("no full GC ran", StringComparison.Ordinal)), s_exact.Where);
        }

        if (failures.Count > 0)
        {
            s_exact.KeepFiles();
        }

        Assert.IsEmpty(failures, string.Join("\n", failures) + "\n" + s_exact.Where);
    }

    [TestMethod]
    public void WhatWasFreedBeforeTheCompactingGCs_IsNotLiveAtEnd()
    {
        // Every gap was freed before the compacting generation-1 GC, and survivors were moved onto their memory.
        foreach (ShapeRecording recording in new[] { s_collect, s_exact })
        {
            Assert.AreEqual(0, recording.Truth.Facts["gckinds.gaps.kept"]);
            JsonElement gaps = ShapeAssert.LineWithText(recording, recording.Method(1), GapsLine);
            Assert.AreEqual(0, ShapeAssert.Bytes(gaps, "liveAtEndBytes"), recording.Where);
            Assert.IsGreaterThan(0, ShapeAssert.Bytes(gaps, "peakLiveBytes"), $"the gaps were alive at some GC before they were freed\n{recording.Where}");
        }
    }

    private static IEnumerable<string> Notes(JsonElement method) => method.GetProperty("notes").EnumerateArray().Select(n => n.GetString() ?? "");
}
