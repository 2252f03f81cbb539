using System.Text.Json;

namespace DotnetMemLine.EndToEnd.Tests.Infrastructure;

/// <summary>Checks of one method's table against the shapes target's truth.</summary>
internal static class ShapeAssert
{
    /// <summary>A line's byte figure, 0 when null (nothing of the line).</summary>
    public static double Bytes(JsonElement line, string field) =>
        line.GetProperty(field).ValueKind == JsonValueKind.Number ? line.GetProperty(field).GetDouble() : 0;

    /// <summary>
    /// A sampled live figure (<paramref name="field"/> "liveAtEnd" or "peakLive") against the target's truth: null when it is
    /// within 10% of it and the truth lies in its interval widened by half its width, else what is wrong.
    /// </summary>
    public static string? LiveMismatch(JsonElement line, string field, long truth)
    {
        double bytes = Bytes(line, field + "Bytes");
        double low = Bytes(line, field + "BytesLow");
        double high = Bytes(line, field + "BytesHigh");
        double halfWidth = (high - low) / 2;
        return Math.Abs(bytes - truth) / truth > 0.10 || truth < low - halfWidth || truth > high + halfWidth
            ? $"{field} {bytes:N0} [{low:N0}, {high:N0}] vs truth {truth:N0} ({(bytes - truth) / truth:P1})"
            : null;
    }

    /// <summary><see cref="LiveMismatch"/> as an assertion; the recording's files are kept when it fails.</summary>
    public static void LiveMatchesTruth(ShapeRecording recording, JsonElement line, string field, long truth)
    {
        if (LiveMismatch(line, field, truth) is { } mismatch)
        {
            recording.KeepFiles();
            Assert.Fail($"{mismatch}\n{recording.Where}");
        }
    }

    /// <summary>
    /// Every checked line the target recorded for <paramref name="member"/> of <paramref name="file"/>
    /// that lies within the table's lines (signature to closing brace) matches its truth by
    /// <see cref="Truth.Mismatch"/>, and there are exactly <paramref name="checkedLines"/> of them: a
    /// table of the wrong overload or a span cut short shows as a wrong count. With
    /// <paramref name="onlyLines"/>, only those of the lines are considered.
    /// </summary>
    public static void LinesMatchTruth(ShapeRecording recording, JsonElement method, string file, string member, int checkedLines, IReadOnlyCollection<int>? onlyLines = null)
    {
        string name = method.GetProperty("name").GetString()!;
        var lines = method.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("line").GetInt32());
        Assert.IsNotEmpty(lines, $"{name}: the table has no lines; {recording.Where}");
        int first = lines.Keys.Min();
        int last = lines.Keys.Max();

        TruthLine[] expected = [.. recording.Truth.Lines.Where(t => t.File == file && t.Method == member && t.Line >= first && t.Line <= last
            && (onlyLines is null || onlyLines.Contains(t.Line)))];
        var failures = new List<string>();
        foreach (TruthLine truth in expected)
        {
            if (!lines.TryGetValue(truth.Line, out JsonElement line))
            {
                failures.Add($"line {truth.Line}: not in the table (truth {truth.Bytes:N0})");
            }
            else if (Truth.Mismatch(line, truth.Bytes) is { } mismatch)
            {
                failures.Add($"line {truth.Line}: {mismatch}   | {line.GetProperty("text")}");
            }
        }

        if (failures.Count > 0 || expected.Length != checkedLines)
        {
            recording.KeepFiles();
        }

        Assert.HasCount(checkedLines, expected, $"{name}: expected {checkedLines} checked lines of {member} in {file} within lines {first}-{last}, truth has [{string.Join(", ", expected.Select(t => t.Line))}]; {recording.Where}");
        Assert.IsEmpty(failures, $"{name}:\n{string.Join("\n", failures)}\n{recording.Where}\n{Summary(method)}");
    }

    /// <summary>The method's total ("everything allocated while the method ran", each allocation once) matches the truth.</summary>
    public static void TotalMatchesTruth(ShapeRecording recording, JsonElement method, long truthBytes)
    {
        if (Truth.Mismatch(method.GetProperty("total"), truthBytes) is { } mismatch)
        {
            recording.KeepFiles();
            Assert.Fail($"{method.GetProperty("name").GetString()} total: {mismatch}\n{recording.Where}\n{Summary(method)}");
        }
    }

    /// <summary>
    /// Each line of <paramref name="method"/> containing one of the texts holds, within its interval, what the
    /// callees it caused measured on their own lines of <paramref name="file"/> (whatever thread they ran on).
    /// </summary>
    public static void CausedLinesMatchTruth(ShapeRecording recording, JsonElement method, string file, IEnumerable<(string Text, string[] Callees)> causingLines)
    {
        var failures = new List<string>();
        foreach ((string text, string[] callees) in causingLines)
        {
            if (Truth.Mismatch(LineWithText(recording, method, text), TruthOfCallees(recording, file, callees)) is { } mismatch)
            {
                failures.Add($"{text}: {mismatch}");
            }
        }

        if (failures.Count > 0)
        {
            recording.KeepFiles();
        }

        Assert.IsEmpty(failures, string.Join("\n", failures) + "\n" + recording.Where + "\n" + Summary(method));
    }

    /// <summary>What the named methods of <paramref name="file"/> measured on their lines, in all.</summary>
    public static long TruthOfCallees(ShapeRecording recording, string file, string[] callees) =>
        recording.Truth.Lines.Where(t => t.File == file && callees.Contains(t.Method)).Sum(t => t.Bytes);

    /// <summary>The one line of the table whose text contains <paramref name="text"/>.</summary>
    public static JsonElement LineWithText(ShapeRecording recording, JsonElement method, string text)
    {
        JsonElement[] matches = [.. method.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("text").GetString()?.Contains(text, StringComparison.Ordinal) == true)];
        Assert.HasCount(1, matches, $"lines containing '{text}'\n{recording.Where}");
        return matches[0];
    }

    /// <summary>The 1-based numbers of the lines of <paramref name="path"/> that contain <paramref name="text"/>.</summary>
    public static int[] LinesWith(string path, string text) =>
        [.. File.ReadAllLines(path).Select((line, index) => (line, index)).Where(l => l.line.Contains(text, StringComparison.Ordinal)).Select(l => l.index + 1)];

    /// <summary>The 1-based number of the only line of <paramref name="path"/> that contains <paramref name="text"/>.</summary>
    public static int LineOf(string path, string text)
    {
        int[] found = LinesWith(path, text);
        Assert.HasCount(1, found, $"'{text}' should be on exactly one line of {path}");
        return found[0];
    }

    /// <summary>
    /// The 1-based number of the only line of <paramref name="path"/> that contains
    /// <paramref name="text"/>, checked to be a measured line: <c>Truth.Mark()</c> on the line before,
    /// <c>Truth.Record…</c> on the line after, and nothing of the measurement on the line itself.
    /// </summary>
    public static int CheckedLineOf(string path, string text)
    {
        int line = LineOf(path, text);
        AssertIsCheckedLine(File.ReadAllLines(path), line, path);
        return line;
    }

    /// <summary>
    /// The checked lines measured by the lines of <paramref name="path"/> that contain
    /// <paramref name="recordText"/> (a <c>Truth.Record…</c> call): the line before each.
    /// </summary>
    public static int[] CheckedLinesRecordedBy(string path, string recordText)
    {
        string[] source = File.ReadAllLines(path);
        int[] checkedLines = [.. LinesWith(path, recordText).Select(record => record - 1)];
        foreach (int line in checkedLines)
        {
            AssertIsCheckedLine(source, line, path);
        }

        return checkedLines;
    }

    private static void AssertIsCheckedLine(string[] source, int line, string path)
    {
        Assert.IsTrue(
            line >= 2 && line < source.Length
                && source[line - 2].Contains("Truth.Mark()", StringComparison.Ordinal)
                && source[line].Contains("Truth.Record", StringComparison.Ordinal)
                && !source[line - 1].Contains("Truth.", StringComparison.Ordinal),
            $"line {line} of {path} should be plain code between Truth.Mark() and Truth.Record…");
    }

    /// <summary>The table in a few lines, for failure messages: total, then each line with samples.</summary>
    public static string Summary(JsonElement method)
    {
        IEnumerable<string> rows = method.GetProperty("lines").EnumerateArray()
            .Where(l => l.GetProperty("samples").GetInt64() > 0)
            .Select(l => $"  {l.GetProperty("line").GetInt32(),4}  {Figure(l)}  | {l.GetProperty("text")}");
        return $"{method.GetProperty("name")}: total {Figure(method.GetProperty("total"))}, unattributed samples {method.GetProperty("unattributedSamples")}, notes {method.GetProperty("notes")}\n{string.Join("\n", rows)}";
    }

    private static string Figure(JsonElement figure) =>
        figure.ValueKind != JsonValueKind.Object || figure.GetProperty("allocatedBytes").ValueKind == JsonValueKind.Null
            ? "none"
            : $"{figure.GetProperty("allocatedBytes").GetDouble():N0} [{figure.GetProperty("allocatedBytesLow").GetDouble():N0}, {figure.GetProperty("allocatedBytesHigh").GetDouble():N0}] {figure.GetProperty("samples").GetInt64():N0} samples";
}
