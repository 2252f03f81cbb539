using System.Text.Json;

namespace DotnetMemLine.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Exact bytes one line of a target allocated, measured inside it with GC.GetAllocatedBytesForCurrentThread().
/// <paramref name="Method"/> is the compiler's caller member name (".ctor" for a constructor, the property
/// name inside an accessor, the containing method inside a lambda or local function); <paramref name="File"/>
/// is the source file's name.
/// </summary>
internal sealed record TruthLine(string Method, int Line, long Bytes, string File = "");

/// <summary>Exact bytes allocated during calls to a method, measured around the calls.</summary>
internal sealed record TruthTotal(string File, string Method, long Bytes);

/// <summary>Everything a test target's truth file holds.</summary>
internal sealed record TruthFile(IReadOnlyList<TruthLine> Lines, IReadOnlyList<TruthTotal> Totals, IReadOnlyDictionary<string, long> Facts)
{
    /// <summary>The total of <paramref name="method"/> in <paramref name="file"/>; fails the test if the target recorded none.</summary>
    public long TotalOf(string file, string method) =>
        Totals.SingleOrDefault(t => t.File == file && t.Method == method)?.Bytes
        ?? throw new AssertFailedException($"the truth file has no total for {method} in {file}");
}

/// <summary>Reads the truth file a test target writes, and checks the tool's figures against it.</summary>
internal static class Truth
{
    public static IReadOnlyList<TruthLine> Read(string path) => ReadFile(path).Lines;

    public static TruthFile ReadFile(string path)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = doc.RootElement;
        TruthLine[] lines = [.. root.GetProperty("lines").EnumerateArray().Select(l => new TruthLine(
            l.GetProperty("method").GetString()!,
            l.GetProperty("line").GetInt32(),
            l.GetProperty("bytes").GetInt64(),
            l.TryGetProperty("file", out JsonElement file) ? file.GetString()! : ""))];
        TruthTotal[] totals = root.TryGetProperty("totals", out JsonElement t)
            ? [.. t.EnumerateArray().Select(e => new TruthTotal(e.GetProperty("file").GetString()!, e.GetProperty("method").GetString()!, e.GetProperty("bytes").GetInt64()))]
            : [];
        Dictionary<string, long> facts = root.TryGetProperty("facts", out JsonElement f)
            ? f.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal)
            : [];
        return new TruthFile(lines, totals, facts);
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
            if (!lines.TryGetValue(expected.Line, out JsonElement line))
            {
                failures.Add($"line {expected.Line}: no estimate (truth {expected.Bytes:N0})");
                continue;
            }

            if (Mismatch(line, expected.Bytes) is { } mismatch)
            {
                failures.Add($"line {expected.Line}: {mismatch}");
            }
        }

        Assert.IsGreaterThan(0, checkedLines, $"the truth file has no lines for {methodName}");
        Assert.IsEmpty(failures, string.Join("\n", failures) + "\n" + report);
    }

    /// <summary>
    /// Why a figure of the tool's JSON (a line or a method total: allocatedBytes, allocatedBytesLow,
    /// allocatedBytesHigh) does not match <paramref name="truthBytes"/> by the criterion of
    /// <see cref="AssertMatches"/>; null when it matches.
    /// </summary>
    public static string? Mismatch(JsonElement figure, long truthBytes)
    {
        if (figure.ValueKind != JsonValueKind.Object
            || !figure.TryGetProperty("allocatedBytes", out JsonElement allocated)
            || allocated.ValueKind == JsonValueKind.Null)
        {
            return $"no estimate (truth {truthBytes:N0})";
        }

        double estimate = allocated.GetDouble();
        double low = figure.GetProperty("allocatedBytesLow").GetDouble();
        double high = figure.GetProperty("allocatedBytesHigh").GetDouble();
        double relativeError = (estimate - truthBytes) / truthBytes;
        double halfWidth = (high - low) / 2;
        bool insideWidened = truthBytes >= low - halfWidth && truthBytes <= high + halfWidth;
        return Math.Abs(relativeError) > 0.10 || !insideWidened || !(low <= estimate && estimate <= high)
            ? $"estimate {estimate:N0} [{low:N0}, {high:N0}] vs truth {truthBytes:N0} ({relativeError:P1})"
            : null;
    }
}
