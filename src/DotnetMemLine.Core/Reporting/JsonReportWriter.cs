using System.Text.Json;

namespace DotnetMemLine.Reporting;

/// <summary>
/// Writes the report as JSON. The shape is a stable contract (docs/json-schema.md): fields are
/// only ever added, and <c>schemaVersion</c> changes when a field's meaning does.
/// </summary>
public sealed class JsonReportWriter : IReportRenderer
{
    private static readonly JsonWriterOptions Options = new() { Indented = true };

    public string FormatName => "json";

    public string Description => "the schema in docs/json-schema.md";

    public bool IsForPrograms => true;

    public void Render(ProfileReport report, TextWriter output) => output.Write(Write(report));

    private static string Write(ProfileReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", report.SchemaVersion);
            json.WriteString("tracePath", report.TracePath);
            json.WriteNumber("durationSeconds", Math.Round(report.DurationSeconds, 3));
            json.WriteNumber("allocationSamples", report.AllocationSamples);
            json.WriteNumber("droppedEvents", report.DroppedEvents);
            json.WriteNumber("droppedEventFraction", Math.Round(report.DroppedEventFraction, 6));
            json.WriteBoolean("incomplete", report.Incomplete);
            json.WriteString("estimator", report.Estimator);
            json.WriteBoolean("estimatorBiased", report.EstimatorBiased);
            json.WriteBoolean("exact", report.Exact);
            json.WriteStartArray("methods");
            foreach (MethodReport method in report.Methods)
            {
                WriteMethod(json, method, report.Incomplete);
            }

            json.WriteEndArray();
            json.WriteStartArray("warnings");
            foreach (ReportNote warning in report.Warnings)
            {
                json.WriteStringValue(NoteWording.English(warning));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteMethod(Utf8JsonWriter json, MethodReport method, bool incomplete)
    {
        json.WriteStartObject();
        json.WriteString("name", method.Name);
        json.WriteString("sourceFile", method.SourceFile);
        WriteEstimate(json, "total", method.TotalAllocated, incomplete);
        WriteNullableNumber(json, "peakHeapBytes", method.PeakHeapBytes);
        json.WriteNumber("unattributedSamples", method.UnattributedSamples);
        json.WriteStartArray("notes");
        foreach (ReportNote note in method.Notes)
        {
            json.WriteStringValue(NoteWording.English(note));
        }

        json.WriteEndArray();
        json.WriteStartArray("inlinedInto");
        foreach (InliningSite site in method.InlinedInto)
        {
            json.WriteStartObject();
            json.WriteString("method", site.Method);
            json.WriteString("inlinee", site.Inlinee);
            json.WriteString("sourceFile", site.SourceFile);
            WriteNullableNumber(json, "line", site.Line);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("lines");
        foreach (LineReport line in method.Lines)
        {
            json.WriteStartObject();
            json.WriteNumber("line", line.Line);
            json.WriteString("text", line.Text);
            WriteNullableNumber(json, "allocatedBytes", line.Allocated?.Bytes);
            WriteNullableNumber(json, "allocatedBytesLow", line.Allocated?.LowBytes);
            WriteNullableNumber(json, "allocatedBytesHigh", line.Allocated?.HighBytes);
            json.WriteNumber("samples", line.Allocated?.Samples ?? 0);
            WriteNullableNumber(json, "objects", line.Allocated?.Objects);
            json.WriteBoolean("lowConfidence", line.Allocated?.LowConfidence ?? false);
            json.WriteBoolean("incomplete", incomplete && line.Allocated is not null);
            WriteNullableNumber(json, "peakHeapBytes", line.PeakHeapBytes);
            WriteNullableNumber(json, "sharedBytes", line.SharedPart?.Bytes);
            json.WriteStartArray("sharedWith");
            foreach (int other in line.SharedWith)
            {
                json.WriteNumberValue(other);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteEstimate(Utf8JsonWriter json, string name, EstimateReport? estimate, bool incomplete)
    {
        if (estimate is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteNumber("allocatedBytes", Math.Round(estimate.Bytes));
        json.WriteNumber("allocatedBytesLow", Math.Round(estimate.LowBytes));
        json.WriteNumber("allocatedBytesHigh", Math.Round(estimate.HighBytes));
        json.WriteNumber("samples", estimate.Samples);
        WriteNullableNumber(json, "objects", estimate.Objects);
        json.WriteBoolean("lowConfidence", estimate.LowConfidence);
        json.WriteBoolean("incomplete", incomplete);
        json.WriteEndObject();
    }

    private static void WriteNullableNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is double v)
        {
            json.WriteNumber(name, Math.Round(v));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
