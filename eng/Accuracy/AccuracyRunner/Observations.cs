using System.Text.Json;

namespace AccuracyRunner;

/// <summary>How a run's trace was recorded.</summary>
internal enum RecordingMode
{
    /// <summary><c>dotnet-memline run</c>: the .NET 10 AllocationSampled event (randomized sampling).</summary>
    Sampling,

    /// <summary>dotnet-trace without the AllocationSampling keyword, then <c>dotnet-memline analyze</c>: AllocationTick.</summary>
    AllocationTick,
}

/// <summary>One checked line in one run: its exact truth and what the tool printed for it.</summary>
/// <param name="EstimateBytes">Null when the line had no samples (the tool then prints no figures).</param>
/// <param name="LowConfidence">The line's <c>lowConfidence</c> flag, or null when the JSON has no such field.</param>
internal sealed record LineObservation(
    RecordingMode Mode,
    int Run,
    string Method,
    int Line,
    string Label,
    long TruthBytes,
    double? EstimateBytes,
    double? LowBytes,
    double? HighBytes,
    long Samples,
    bool? LowConfidence)
{
    public string Key => $"{Method}:{Line}";

    /// <summary>(estimate - truth) / truth; a line without samples counts as an estimate of 0.</summary>
    public double RelativeError => ((EstimateBytes ?? 0) - TruthBytes) / TruthBytes;

    /// <summary>Whether the printed 95% interval holds the truth; a line without samples has no interval.</summary>
    public bool Covered => LowBytes is double low && HighBytes is double high && low <= TruthBytes && TruthBytes <= high;
}

/// <summary>One profiled method in one run: the truth of its checked lines and the method's own <c>total</c>.</summary>
/// <param name="TruthBytes">Sum of the exact truth over the method's checked lines.</param>
/// <param name="SamplesOnUncheckedLines">Samples the tool charged to lines without truth (should be 0: only checked lines allocate).</param>
internal sealed record MethodObservation(
    RecordingMode Mode,
    int Run,
    string Method,
    long TruthBytes,
    double? TotalBytes,
    double? TotalLowBytes,
    double? TotalHighBytes,
    long TotalSamples,
    long SamplesOnUncheckedLines,
    long UnattributedSamples)
{
    public double RelativeError => ((TotalBytes ?? 0) - TruthBytes) / TruthBytes;

    public bool Covered => TotalLowBytes is double low && TotalHighBytes is double high && low <= TruthBytes && TruthBytes <= high;
}

/// <summary>Everything one run produced.</summary>
internal sealed record RunObservation(
    RecordingMode Mode,
    int Run,
    TimeSpan Elapsed,
    long AllocationSamples,
    long DroppedEvents,
    bool EstimatorBiased,
    IReadOnlyList<LineObservation> Lines,
    IReadOnlyList<MethodObservation> Methods)
{
    public long TruthBytes => Lines.Sum(l => l.TruthBytes);

    /// <summary>Sum of the checked lines' estimates (a line without samples counts as 0).</summary>
    public double SumOfLineEstimates => Lines.Sum(l => l.EstimateBytes ?? 0);

    /// <summary>Sum of the methods' <c>total</c> estimates.</summary>
    public double SumOfMethodTotals => Methods.Sum(m => m.TotalBytes ?? 0);
}

/// <summary>Pairs the tool's <c>--format json</c> report with the truth file the target wrote.</summary>
internal static class ObservationReader
{
    public static RunObservation Read(RecordingMode mode, int run, TimeSpan elapsed, string reportJson, string truthPath)
    {
        var truthByMethod = ReadTruth(truthPath)
            .GroupBy(t => t.Method)
            .ToDictionary(g => g.Key, g => g.ToDictionary(t => t.Line, t => t.Bytes));

        using JsonDocument document = JsonDocument.Parse(reportJson);
        JsonElement root = document.RootElement;
        var lines = new List<LineObservation>();
        var methods = new List<MethodObservation>();
        foreach (JsonElement method in root.GetProperty("methods").EnumerateArray())
        {
            string name = ShortName(method.GetProperty("name").GetString()!);
            if (!truthByMethod.Remove(name, out Dictionary<int, long>? truthByLine))
            {
                throw new InvalidDataException($"run {run}: the report has method {name}, which the truth file does not");
            }

            long samplesOnUncheckedLines = 0;
            foreach (JsonElement line in method.GetProperty("lines").EnumerateArray())
            {
                int number = line.GetProperty("line").GetInt32();
                long samples = line.GetProperty("samples").GetInt64();
                if (!truthByLine.TryGetValue(number, out long truth))
                {
                    samplesOnUncheckedLines += samples;
                    continue;
                }

                lines.Add(new LineObservation(
                    mode,
                    run,
                    name,
                    number,
                    LabelOf(line),
                    truth,
                    NullableDouble(line, "allocatedBytes"),
                    NullableDouble(line, "allocatedBytesLow"),
                    NullableDouble(line, "allocatedBytesHigh"),
                    samples,
                    line.TryGetProperty("lowConfidence", out JsonElement flag) && flag.ValueKind is JsonValueKind.True or JsonValueKind.False
                        ? flag.GetBoolean()
                        : null));
                truthByLine.Remove(number);
            }

            if (truthByLine.Count > 0)
            {
                throw new InvalidDataException($"run {run}: the report for {name} has no row for truth lines {string.Join(", ", truthByLine.Keys)}");
            }

            JsonElement total = method.GetProperty("total");
            bool hasTotal = total.ValueKind == JsonValueKind.Object;
            methods.Add(new MethodObservation(
                mode,
                run,
                name,
                lines.Where(l => l.Method == name).Sum(l => l.TruthBytes),
                hasTotal ? total.GetProperty("allocatedBytes").GetDouble() : null,
                hasTotal ? total.GetProperty("allocatedBytesLow").GetDouble() : null,
                hasTotal ? total.GetProperty("allocatedBytesHigh").GetDouble() : null,
                hasTotal ? total.GetProperty("samples").GetInt64() : 0,
                samplesOnUncheckedLines,
                method.GetProperty("unattributedSamples").GetInt64()));
        }

        if (truthByMethod.Count > 0)
        {
            throw new InvalidDataException($"run {run}: the report has no table for {string.Join(", ", truthByMethod.Keys)}");
        }

        return new RunObservation(
            mode,
            run,
            elapsed,
            root.GetProperty("allocationSamples").GetInt64(),
            root.GetProperty("droppedEvents").GetInt64(),
            root.GetProperty("estimatorBiased").GetBoolean(),
            lines,
            methods);
    }

    private static List<(string Method, int Line, long Bytes)> ReadTruth(string path)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.GetProperty("lines").EnumerateArray().Select(l => (
            l.GetProperty("method").GetString()!,
            l.GetProperty("line").GetInt32(),
            l.GetProperty("bytes").GetInt64()))];
    }

    /// <summary>"AccuracyTarget.Workload.ParallelBody(int)" -> "ParallelBody", the name the truth file uses.</summary>
    private static string ShortName(string fullName)
    {
        int parameters = fullName.IndexOf('(', StringComparison.Ordinal);
        string withoutParameters = parameters < 0 ? fullName : fullName[..parameters];
        return withoutParameters[(withoutParameters.LastIndexOf('.') + 1)..];
    }

    /// <summary>The comment that ends a checked line in Workload.cs names its pattern.</summary>
    private static string LabelOf(JsonElement line)
    {
        string? text = line.GetProperty("text").GetString();
        int comment = text?.LastIndexOf("//", StringComparison.Ordinal) ?? -1;
        return comment < 0 ? "" : text![(comment + 2)..].Trim();
    }

    private static double? NullableDouble(JsonElement element, string property)
    {
        JsonElement value = element.GetProperty(property);
        return value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();
    }
}
