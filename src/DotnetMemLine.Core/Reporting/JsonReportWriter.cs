using System.Text.Json;

namespace DotnetMemLine.Reporting;

/// <summary>
/// Writes the report as JSON. The shape is a stable contract (docs/json-schema.md): fields are
/// only ever added, and <c>schemaVersion</c> changes when a field's meaning does.
/// </summary>
public sealed class JsonReportWriter : IReportRenderer
{
    private static readonly JsonWriterOptions Options = new() { Indented = true };

    /// <inheritdoc/>
    public string FormatName => "json";

    /// <inheritdoc/>
    public string Description => "a stable schema, schemaVersion 1";

    /// <inheritdoc/>
    public bool IsForPrograms => true;

    /// <inheritdoc/>
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
            json.WriteBoolean("asyncCausality", report.AsyncCausality);
            json.WriteBoolean("followsLifetimes", report.FollowsLifetimes);
            if (report.Buffering is { } buffering)
            {
                json.WriteString("buffering", ReportColumns.BufferingName(buffering));
            }

            WriteRetention(json, report.Retention);
            WriteProgram(json, report);
            json.WriteStartArray("methods");
            foreach (MethodReport method in report.Methods)
            {
                WriteMethod(json, report, method);
            }

            json.WriteEndArray();
            WriteStrings(json, "warnings", report.Warnings.Select(w => NoteWording.English(w)));
            WriteTraces(json, report);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Each trace's own figures: one, or the several that the tables add up.</summary>
    private static void WriteTraces(Utf8JsonWriter json, ProfileReport report)
    {
        json.WriteStartArray("traces");
        foreach (TraceBreakdown trace in report.Traces)
        {
            json.WriteStartObject();
            json.WriteString("tracePath", trace.TracePath);
            if (trace.StartedUtc is DateTime started)
            {
                json.WriteString("startedUtc", started.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                json.WriteNull("startedUtc");
            }

            json.WriteNumber("durationSeconds", Math.Round(trace.DurationSeconds, 3));
            json.WriteNumber("allocationSamples", trace.AllocationEvents);
            json.WriteNumber("droppedEvents", trace.DroppedEvents);
            WriteEstimate(json, "everything", trace.Everything, trace.DroppedEvents > 0);
            json.WriteStartArray("methods");
            foreach (TraceMethodTotal method in trace.Methods)
            {
                json.WriteStartObject();
                json.WriteString("name", method.Name);
                WriteEstimate(json, "total", method.Allocated, trace.DroppedEvents > 0);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteStrings(json, "notes", trace.Notes.Select(n => NoteWording.English(n)));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteMethod(Utf8JsonWriter json, ProfileReport report, MethodReport method)
    {
        json.WriteStartObject();
        json.WriteString("name", method.Name);
        json.WriteString("sourceFile", method.SourceFile);
        WriteEstimate(json, "total", method.TotalAllocated, report.Incomplete);
        WriteNullableNumber(json, "peakHeapBytes", method.PeakHeapBytes);
        if (method.HeapAtGCs is { } heap)
        {
            json.WriteStartObject("gcHeap");
            json.WriteNumber("gcs", heap.GCs);
            WriteNullableNumber(json, "peakBeforeBytes", heap.PeakBeforeBytes);
            json.WriteNumber("peakAfterBytes", heap.PeakAfterBytes);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("gcHeap");
        }

        WriteEstimate(json, "peakLive", method.TotalPeakLive, report.Incomplete);
        WriteEstimate(json, "liveAtEnd", method.TotalLiveAtEnd, report.Incomplete);
        json.WriteNumber("unattributedSamples", method.UnattributedSamples);
        WriteStrings(json, "notes", method.Notes.Select(n => NoteWording.English(n)));
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
            var cell = new LineCell(report, line);
            json.WriteStartObject();
            foreach (LineField field in ReportColumns.LineFields)
            {
                json.WritePropertyName(field.JsonName);
                WriteValue(json, field.Value(cell));
            }

            WriteTypes(json, line.Types, report.Incomplete);
            if (report.Retention is not null)
            {
                WriteRetainedBy(json, line);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Without --method: the whole program's top lines and methods; null when methods were named.</summary>
    private static void WriteProgram(Utf8JsonWriter json, ProfileReport report)
    {
        if (report.Program is not { } program)
        {
            json.WriteNull("program");
            return;
        }

        json.WriteStartObject("program");
        json.WriteBoolean("allCode", program.AllCode);
        WriteEstimate(json, "everything", program.Everything, report.Incomplete);
        WriteEstimate(json, "inUserCode", program.InUserCode, report.Incomplete);
        WriteStrings(json, "userModules", program.UserModules);
        WriteStrings(json, "notes", program.Notes.Select(n => NoteWording.English(n)));
        json.WriteStartArray("lines");
        foreach (HotLine line in program.Lines)
        {
            json.WriteStartObject();
            json.WriteString("method", line.Method);
            json.WriteString("sourceFile", line.SourceFile);
            json.WriteNumber("line", line.Line);
            json.WriteString("text", line.Text);
            WriteEstimate(json, "self", line.Self, report.Incomplete);
            WriteEstimate(json, "inclusive", line.Inclusive, report.Incomplete);
            WriteTypes(json, line.Types, report.Incomplete);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("methods");
        foreach (HotMethod method in program.Methods)
        {
            json.WriteStartObject();
            json.WriteString("name", method.Name);
            json.WriteString("sourceFile", method.SourceFile);
            WriteNullableNumber(json, "firstLine", method.FirstLine);
            WriteEstimate(json, "self", method.Self, report.Incomplete);
            WriteEstimate(json, "inclusive", method.Inclusive, report.Incomplete);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary>What a figure is made of, by type, most bytes first.</summary>
    private static void WriteTypes(Utf8JsonWriter json, IReadOnlyList<TypeShare> types, bool incomplete)
    {
        json.WriteStartArray("types");
        foreach (TypeShare type in types)
        {
            json.WriteStartObject();
            json.WriteString("type", type.TypeName);
            json.WriteNumber("share", Math.Round(type.Share, 4));
            WriteEstimateFields(json, type.Allocated, incomplete, lowConfidence: false);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteRetention(Utf8JsonWriter json, RetentionSummary? retention)
    {
        if (retention is null)
        {
            json.WriteNull("retention");
            return;
        }

        json.WriteStartObject("retention");
        json.WriteNumber("suspendedSeconds", Math.Round(retention.SuspendedSeconds, 3));
        json.WriteNumber("objectsSought", retention.ObjectsSought);
        json.WriteNumber("objectsFound", retention.ObjectsFound);
        json.WriteString("problem", retention.Problem);
        json.WriteEndObject();
    }

    /// <summary>--retention: the roots that hold the line's live objects, and what of them no root was found for.</summary>
    private static void WriteRetainedBy(Utf8JsonWriter json, LineReport line)
    {
        json.WriteStartArray("retainedBy");
        foreach (RetentionPath path in line.RetainedBy)
        {
            json.WriteStartObject();
            json.WriteString("path", path.Path);
            json.WriteNumber("bytes", Math.Round(path.Bytes));
            json.WriteNumber("objects", path.Objects);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("retentionOtherPathsBytes", Math.Round(line.RetentionOtherPathsBytes));
        json.WriteNumber("retentionNotFoundBytes", Math.Round(line.RetentionNotFoundBytes));
    }

    private static void WriteEstimate(Utf8JsonWriter json, string name, EstimateReport? estimate, bool incomplete)
    {
        if (estimate is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        WriteEstimateFields(json, estimate, incomplete, lowConfidence: true);
        json.WriteEndObject();
    }

    /// <summary>An estimate's fields, in the schema's order; <paramref name="lowConfidence"/> says whether its flag is written.</summary>
    private static void WriteEstimateFields(Utf8JsonWriter json, EstimateReport estimate, bool incomplete, bool lowConfidence)
    {
        json.WriteNumber("allocatedBytes", Math.Round(estimate.Bytes));
        json.WriteNumber("allocatedBytesLow", Math.Round(estimate.LowBytes));
        json.WriteNumber("allocatedBytesHigh", Math.Round(estimate.HighBytes));
        json.WriteNumber("samples", estimate.Samples);
        WriteNullableNumber(json, "objects", estimate.Objects);
        if (lowConfidence)
        {
            json.WriteBoolean("lowConfidence", estimate.LowConfidence);
        }

        json.WriteBoolean("incomplete", incomplete);
    }

    /// <summary>A line field's value: numbers of bytes rounded to whole bytes, lists of lines as arrays.</summary>
    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string text:
                json.WriteStringValue(text);
                break;
            case bool flag:
                json.WriteBooleanValue(flag);
                break;
            case int number:
                json.WriteNumberValue(number);
                break;
            case long number:
                json.WriteNumberValue(number);
                break;
            case double number:
                json.WriteNumberValue(Math.Round(number));
                break;
            case IEnumerable<int> lines:
                json.WriteStartArray();
                foreach (int line in lines)
                {
                    json.WriteNumberValue(line);
                }

                json.WriteEndArray();
                break;
            default:
                throw new InvalidOperationException($"a line field of type {value.GetType().Name} has no JSON form");
        }
    }

    private static void WriteNullableNumber(Utf8JsonWriter json, string name, double? value)
    {
        json.WritePropertyName(name);
        WriteValue(json, value);
    }
}
