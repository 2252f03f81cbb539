using System.Text.Json;

namespace DotnetMemLine.Reporting;

/// <summary>
/// Reads a report saved with <c>--format json</c> back into the report model, as far as comparing it needs: each
/// method's name, source file, total and lines with their text and allocated figures. What it does not read (notes,
/// live figures, retention) is left empty.
/// </summary>
public static class JsonReportReader
{
    /// <summary>Reads the report at <paramref name="path"/>; throws <see cref="MemLineException"/> (<see cref="FailureKind.TraceUnreadable"/>) when it is not one.</summary>
    public static ProfileReport Read(string path)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schemaVersion", out JsonElement version) || !root.TryGetProperty("methods", out JsonElement methods))
            {
                throw new MemLineException(FailureKind.TraceUnreadable, $"{path} is JSON, but not a dotnet-memline report (no schemaVersion and methods)");
            }

            if (version.GetInt32() > ProfileReport.CurrentSchemaVersion)
            {
                throw new MemLineException(FailureKind.TraceUnreadable, $"{path} is a report of schema version {version.GetInt32()}, newer than this dotnet-memline reads ({ProfileReport.CurrentSchemaVersion})")
                {
                    Remedy = Remedy.UpdateTheTool,
                };
            }

            return new ProfileReport(
                version.GetInt32(),
                String(root, "tracePath") ?? path,
                Number(root, "durationSeconds") ?? 0,
                (long)(Number(root, "allocationSamples") ?? 0),
                (long)(Number(root, "droppedEvents") ?? 0),
                String(root, "estimator") ?? "",
                Bool(root, "estimatorBiased"),
                [.. methods.EnumerateArray().Select(ReadMethod)],
                [],
                Exact: Bool(root, "exact"));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new MemLineException(FailureKind.TraceUnreadable, $"{path} is not a dotnet-memline JSON report: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MemLineException(FailureKind.TraceUnreadable, $"cannot read {path}: {ex.Message}", ex);
        }
    }

    private static MethodReport ReadMethod(JsonElement method) => new(
        String(method, "name") ?? "",
        String(method, "sourceFile"),
        Estimate(method.GetProperty("total")),
        (long)(Number(method, "unattributedSamples") ?? 0),
        [.. method.GetProperty("lines").EnumerateArray().Select(line => new LineReport(
            line.GetProperty("line").GetInt32(),
            String(line, "text"),
            Number(line, "allocatedBytes") is double bytes
                ? new EstimateReport(bytes, Number(line, "allocatedBytesLow") ?? bytes, Number(line, "allocatedBytesHigh") ?? bytes,
                    (long)(Number(line, "samples") ?? 0), Number(line, "objects") is double objects ? (long)objects : null, Bool(line, "lowConfidence"))
                : null,
            Number(line, "peakHeapBytes") is double peak ? (long)peak : null)
        {
            PeakLive = LineFigure(line, "peakLiveBytes"),
            LiveAtEnd = LineFigure(line, "liveAtEndBytes"),
        })],
        [])
    {
        TotalPeakLive = method.TryGetProperty("peakLive", out JsonElement peakLive) ? Estimate(peakLive) : null,
        TotalLiveAtEnd = method.TryGetProperty("liveAtEnd", out JsonElement liveAtEnd) ? Estimate(liveAtEnd) : null,
    };

    // A line's live figure, written flat as name, nameLow, nameHigh.
    private static EstimateReport? LineFigure(JsonElement line, string name) =>
        Number(line, name) is double bytes ? new EstimateReport(bytes, Number(line, name + "Low") ?? bytes, Number(line, name + "High") ?? bytes, 0) : null;

    private static EstimateReport? Estimate(JsonElement figure) =>
        figure.ValueKind == JsonValueKind.Object && Number(figure, "allocatedBytes") is double bytes
            ? new EstimateReport(bytes, Number(figure, "allocatedBytesLow") ?? bytes, Number(figure, "allocatedBytesHigh") ?? bytes,
                (long)(Number(figure, "samples") ?? 0), Number(figure, "objects") is double objects ? (long)objects : null, Bool(figure, "lowConfidence"))
            : null;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static bool Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;
}
