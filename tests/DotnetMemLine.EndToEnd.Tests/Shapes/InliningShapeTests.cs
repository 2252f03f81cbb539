using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// `run` on a small AggressiveInlining method called from a method compiled optimized at once
/// (AggressiveOptimization), so it is inlined from the first compilation and never has a frame:
/// its table says where it went, and the caller's call line carries its allocations.
/// </summary>
[TestClass]
public sealed class InliningShapeTests
{
    private const string File = "InliningShape.cs";
    private const string Caller = "AllocateInlinedBlocks";
    private static ShapeRecording s_run = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_run = await ShapeRecording.RunAsync("inlining", "InliningShape.NewBlock", "InliningShape." + Caller);
    }

    [ClassCleanup]
    public static void Cleanup() => s_run?.Dispose();

    private static int CallLine => ShapeAssert.CheckedLineOf(Repo.ShapesSource(File), "NewBlock(BlockLength)");

    [TestMethod]
    public void InlinedMethod_NoteSaysWhereItWasInlined()
    {
        string[] notes = [.. s_run.Method(0).GetProperty("notes").EnumerateArray().Select(n => n.GetString()!)];
        string context = $"notes: [{string.Join(" | ", notes)}]; {s_run.Where}";
        Assert.IsTrue(
            notes.Any(n => n.Contains("NewBlock was inlined into", StringComparison.Ordinal)
                && n.Contains(Caller, StringComparison.Ordinal)
                && n.Contains($"at line {CallLine}", StringComparison.Ordinal)),
            $"expected a note \"NewBlock was inlined into …{Caller}… at line {CallLine}; …\"; {context}");
    }

    [TestMethod]
    public void InlinedMethod_JsonListsTheCallSite()
    {
        JsonElement method = s_run.Method(0);
        Assert.IsTrue(method.TryGetProperty("inlinedInto", out JsonElement inlinedInto), $"no methods[].inlinedInto in {method}");
        Assert.AreEqual(JsonValueKind.Array, inlinedInto.ValueKind, inlinedInto.ToString());
        Assert.IsTrue(
            inlinedInto.EnumerateArray().Any(site => site.GetProperty("method").GetString()!.Contains(Caller, StringComparison.Ordinal)
                && site.GetProperty("line").GetInt32() == CallLine),
            $"expected {{\"method\": \"…{Caller}…\", \"line\": {CallLine}}} in {inlinedInto}");
    }

    [TestMethod]
    public void Caller_CountsTheInlinedAllocationsOnTheCallLine() =>
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(1), File, Caller, checkedLines: 1, onlyLines: [CallLine]);
}
