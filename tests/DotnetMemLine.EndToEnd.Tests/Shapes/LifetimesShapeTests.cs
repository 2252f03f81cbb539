using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// What lines keep alive, from the GC's survival and movement events: a cache that only grows (small object heap
/// blocks and large object heap buffers, held by a static list), its chunked twin (as many bytes, one chunk held at
/// a time) and a line whose objects die at once. `collect` ends its recording with a full GC, so Live at end is what
/// the program still held; `run` cannot (the program exits first), and says so.
/// </summary>
[TestClass]
public sealed class LifetimesShapeTests
{
    private static ShapeRecording s_collect = null!;
    private static ShapeRecording s_run = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_collect = await ShapeRecording.CollectAsync("lifetimes", "LifetimesShape.CacheAll", "LifetimesShape.CacheChunked");
        s_run = await ShapeRecording.RunAsync("lifetimes", "LifetimesShape.CacheAll", "LifetimesShape.CacheChunked");
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        s_collect?.Dispose();
        s_run?.Dispose();
    }

    [TestMethod]
    public void Collect_LiveAtEnd_OfEachCachingLine_IsWhatTheCacheHolds()
    {
        Assert.IsTrue(s_collect.Report.RootElement.GetProperty("followsLifetimes").GetBoolean(), s_collect.Where);
        JsonElement cacheAll = s_collect.Method(0);
        ShapeAssert.LiveMatchesTruth(s_collect, ShapeAssert.LineWithText(s_collect, cacheAll, "s_blocks.Add(new byte[BlockLength])"), "liveAtEnd", s_collect.Truth.Facts["lifetimes.blocks.kept"]);
        ShapeAssert.LiveMatchesTruth(s_collect, ShapeAssert.LineWithText(s_collect, cacheAll, "s_buffers.Add(new byte[BufferLength])"), "liveAtEnd", s_collect.Truth.Facts["lifetimes.buffers.kept"]);
        Assert.IsFalse(Notes(cacheAll).Any(n => n.Contains("no full GC ran", StringComparison.Ordinal)), s_collect.Where);
    }

    [TestMethod]
    public void Collect_WhatDiesAtOnce_IsNotLiveAtEnd()
    {
        // The scratch array and the chunks: at most the last scratch array (kept by the sink) and nothing of the chunks.
        JsonElement scratch = ShapeAssert.LineWithText(s_collect, s_collect.Method(0), "var scratch = new byte[BlockLength * 4]");
        Assert.IsLessThan(1_000_000, ShapeAssert.Bytes(scratch, "liveAtEndBytes"), s_collect.Where);
        JsonElement chunk = ShapeAssert.LineWithText(s_collect, s_collect.Method(1), "chunk.Add(new byte[BlockLength])");
        Assert.AreEqual(0, ShapeAssert.Bytes(chunk, "liveAtEndBytes"), s_collect.Where);
    }

    [TestMethod]
    public void PeakLive_SeparatesTheCacheFromItsChunkedTwin()
    {
        // Both allocate about 64 MiB of blocks; the cache holds them all at the end, the twin one 1 MiB chunk at a time.
        foreach (ShapeRecording recording in new[] { s_collect, s_run })
        {
            double chunkBytes = recording.Truth.Facts["lifetimes.chunk"];
            double cached = ShapeAssert.Bytes(ShapeAssert.LineWithText(recording, recording.Method(0), "s_blocks.Add(new byte[BlockLength])"), "peakLiveBytes");
            double chunked = ShapeAssert.Bytes(ShapeAssert.LineWithText(recording, recording.Method(1), "chunk.Add(new byte[BlockLength])"), "peakLiveBytesHigh");
            Assert.IsLessThanOrEqualTo(3 * chunkBytes, chunked, $"chunked twin's peak live {chunked:N0}\n{recording.Where}");
            Assert.IsGreaterThan(5 * chunked + chunkBytes, cached, $"cache's peak live {cached:N0}, twin's {chunked:N0}\n{recording.Where}");
        }
    }

    [TestMethod]
    public void Collect_PeakLive_OfTheCache_IsWhatItHeldAtTheFinalGC()
    {
        JsonElement line = ShapeAssert.LineWithText(s_collect, s_collect.Method(0), "s_blocks.Add(new byte[BlockLength])");
        ShapeAssert.LiveMatchesTruth(s_collect, line, "peakLive", s_collect.Truth.Facts["lifetimes.blocks.kept"]);
    }

    [TestMethod]
    public void Run_SaysNoFullGCEndedTheRecording()
    {
        Assert.IsTrue(Notes(s_run.Method(0)).Any(n => n.Contains("no full GC ran", StringComparison.Ordinal)), s_run.Where);
    }

    private static IEnumerable<string> Notes(JsonElement method) => method.GetProperty("notes").EnumerateArray().Select(n => n.GetString() ?? "");
}
