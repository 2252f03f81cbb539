using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// Events the runtime drops under load. Five threads allocating about 3 GiB in a fraction of a second
/// overflow a 1 MB session buffer (--buffer-size 1): the drops are counted and shown, every figure is
/// marked a lower bound, and its interval's low end still lies below the truth. The same program with
/// the default buffer loses nothing, which is the remedy the warning gives. A lossless session
/// (<c>--buffering-mode Block</c>) with the same tiny buffer loses nothing on .NET 11; on .NET 10, which
/// does not offer it, the recording falls back to the lossy buffer and says so.
/// </summary>
[TestClass]
public sealed class DroppedEventsTests
{
    private const string Method = "ThreadsShape.Crunch";
    private static ShapeRecording s_tinyBuffer = null!;
    private static ShapeRecording s_defaultBuffer = null!;
    private static ShapeRecording s_blockAsked = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_tinyBuffer = await ShapeRecording.RunAsync("threads", ["--buffer-size", "1"], Method);
        s_defaultBuffer = await ShapeRecording.RunAsync("threads", Method);
        s_blockAsked = await ShapeRecording.RunAsync("threads", ["--buffer-size", "1", "--buffering-mode", "Block"], Method);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        s_tinyBuffer?.Dispose();
        s_defaultBuffer?.Dispose();
        s_blockAsked?.Dispose();
    }

    [TestMethod]
    public void TinyBuffer_DropsAreCountedAndMarked()
    {
        JsonElement report = s_tinyBuffer.Report.RootElement;
        long dropped = report.GetProperty("droppedEvents").GetInt64();
        double fraction = report.GetProperty("droppedEventFraction").GetDouble();

        Assert.IsGreaterThan(0L, dropped, $"a 1 MB buffer should overflow; {s_tinyBuffer.Where}");
        Assert.IsTrue(fraction is > 0 and < 1, $"dropped share {fraction}");
        Assert.IsTrue(report.GetProperty("incomplete").GetBoolean());
        Assert.IsTrue(s_tinyBuffer.Method(0).GetProperty("total").GetProperty("incomplete").GetBoolean());
        Assert.Contains($"the runtime dropped {dropped:N0} events", s_tinyBuffer.Tool.StandardError + s_tinyBuffer.Tool.StandardOutput + report.GetProperty("warnings").ToString());
    }

    [TestMethod]
    public void TinyBuffer_LowEndsStillHold()
    {
        JsonElement method = s_tinyBuffer.Method(0);
        var lines = method.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("line").GetInt32());
        TruthLine[] truth = [.. s_tinyBuffer.Truth.Lines.Where(t => t.File == "ThreadsShape.cs" && t.Method == "Crunch" && lines.ContainsKey(t.Line))];
        Assert.HasCount(3, truth);
        foreach (TruthLine line in truth)
        {
            JsonElement figure = lines[line.Line];
            Assert.IsTrue(figure.GetProperty("incomplete").GetBoolean(), $"line {line.Line} should be marked a lower bound");
            double low = figure.GetProperty("allocatedBytesLow").GetDouble();
            Assert.IsLessThanOrEqualTo((double)line.Bytes, low, $"line {line.Line}: low end {low:N0} above the truth {line.Bytes:N0}; {ShapeAssert.Summary(method)}");
        }
    }

    [TestMethod]
    public async Task TinyBuffer_TextTableMarksLowerBounds()
    {
        using RunningProcess tool = RunningProcess.StartTool(["analyze", s_tinyBuffer.TracePath, "--method", Method]);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(2));

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.MatchesRegex(@"Trace: .* [\d,]+ dropped events", result.StandardOutput, "the header counts the drops");
        Assert.Contains(">=", result.StandardOutput);
        Assert.Contains("lower bound", result.StandardOutput + result.StandardError);
    }

    [TestMethod]
    public void DefaultBuffer_NothingDropped_LinesMatchTruth()
    {
        JsonElement report = s_defaultBuffer.Report.RootElement;
        Assert.AreEqual(0L, report.GetProperty("droppedEvents").GetInt64(), s_defaultBuffer.Where);
        Assert.IsFalse(report.GetProperty("incomplete").GetBoolean());
        ShapeAssert.LinesMatchTruth(s_defaultBuffer, s_defaultBuffer.Method(0), "ThreadsShape.cs", "Crunch", checkedLines: 3);
        Assert.AreEqual("lossy", report.GetProperty("buffering").GetString(), "the default session is the lossy buffer");
    }

    [TestMethod]
    public void BlockAsked_LosslessWhereTheRuntimeOffersIt_ElseLossyAndSaid()
    {
        JsonElement report = s_blockAsked.Report.RootElement;
        string buffering = report.GetProperty("buffering").GetString()!;
        if (Environment.Version.Major >= 11)
        {
            // The target runs on the tests' runtime: CollectTracing6 is there, and a full buffer makes threads wait.
            Assert.AreEqual("lossless", buffering, s_blockAsked.Where);
            Assert.AreEqual(0L, report.GetProperty("droppedEvents").GetInt64(), s_blockAsked.Where);
            ShapeAssert.LinesMatchTruth(s_blockAsked, s_blockAsked.Method(0), "ThreadsShape.cs", "Crunch", checkedLines: 3);
            return;
        }

        Assert.AreEqual("lossy-lossless-unsupported", buffering, s_blockAsked.Where);
        Assert.Contains("--buffering-mode Block (lossless) needs .NET 11", s_blockAsked.Tool.StandardError);
        Assert.IsGreaterThan(0L, report.GetProperty("droppedEvents").GetInt64(), $"the lossy 1 MB buffer still overflows; {s_blockAsked.Where}");
    }
}
