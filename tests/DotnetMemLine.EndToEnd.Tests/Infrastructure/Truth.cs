using System.Text.Json;

namespace DotnetMemLine.EndToEnd.Tests.Infrastructure;

/// <summary>Exact bytes one line of a target allocated, measured inside it with GC.GetAllocatedBytesForCurrentThread().</summary>
internal sealed record TruthLine(string Method, int Line, long Bytes);

/// <summary>Reads the truth file a test target writes, and checks the tool's figures against it.</summary>
internal static class Truth
{
    public static IReadOnlyList<TruthLine> Read(string path)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return [.. doc.RootElement.GetProperty("lines").EnumerateArray().Select(l => new TruthLine(
            l.GetProperty("method").GetString()!,
            l.GetProperty("line").GetInt32(),
            l.GetProperty("bytes").GetInt64()))];
    }

    /// <summary>
    /// Checks each truth line against the tool's JSON: the estimate within 10% of the truth, and the
    /// truth inside the printed 95% interval widened by half its width on each side. A 95% interval
    /// misses the truth one time in twenty by design; with a dozen checked lines per run, asserting
    /// the bare interval would fail CI every other run. The widened interval spans about four
    /// standard deviations each side (one miss in 10^4). It is widened from the interval's own ends,
    /// not from the point estimate, because for large objects the (very precise) point can sit on an
    /// end of the (wider) negative-binomial interval. The accuracy suite in eng/ measures the 95%
    /// coverage itself.
    /// </summary>
    public static void AssertMatches(JsonElement report, string methodName, IEnumerable<TruthLine> truth)
    {
        JsonElement method = report.GetProperty("methods").EnumerateArray()
            .Single(m => m.GetProperty("name").GetString()!.Contains(methodName, StringComparison.Ordinal));
        var lines = method.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("line").GetInt32());
        var failures = new List<string>();
        int checkedLines = 0;
        foreach (TruthLine expected in truth.Where(t => t.Method == methodName))
        {
            checkedLines++;
            if (!lines.TryGetValue(expected.Line, out JsonElement line) || line.GetProperty("allocatedBytes").ValueKind == JsonValueKind.Null)
            {
                failures.Add($"line {expected.Line}: no estimate (truth {expected.Bytes:N0})");
                continue;
            }

            double estimate = line.GetProperty("allocatedBytes").GetDouble();
            double low = line.GetProperty("allocatedBytesLow").GetDouble();
            double high = line.GetProperty("allocatedBytesHigh").GetDouble();
            double relativeError = (estimate - expected.Bytes) / expected.Bytes;
            double halfWidth = (high - low) / 2;
            bool insideWidened = expected.Bytes >= low - halfWidth && expected.Bytes <= high + halfWidth;
            if (Math.Abs(relativeError) > 0.10 || !insideWidened || !(low <= estimate && estimate <= high))
            {
                failures.Add($"line {expected.Line}: estimate {estimate:N0} [{low:N0}, {high:N0}] vs truth {expected.Bytes:N0} ({relativeError:P1})");
            }
        }

        Assert.IsGreaterThan(0, checkedLines, $"the truth file has no lines for {methodName}");
        Assert.IsEmpty(failures, string.Join("\n", failures) + "\n" + report);
    }
}
