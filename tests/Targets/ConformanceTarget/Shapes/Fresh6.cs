using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConformanceTarget.Shapes;

/// <summary>
/// A sixth generalization check, written as application code: sorting with comparison lambdas, a regex replace with a
/// match evaluator, enums formatted and parsed, a stream reader over text, System.Text.Json with options and a
/// document, a SortedDictionary and a BitArray, Guid and TimeSpan text, StringBuilder.AppendJoin and AppendFormat, an
/// interface's default method, an iterator local function, and nullable values.
/// </summary>
internal static partial class Fresh6
{
    private static readonly string[] Cities = ["Utrecht", "Bologna", "Lyon", "Malmo", "Sevilla", "Krakow", "Graz", "Debrecen", "Porto", "Gent"];
    private static readonly Shipment[] Shipments = BuildShipments(800);
    private static readonly string Template = BuildTemplate(300);
    private static readonly string CsvText = BuildCsvText(500);
    private static readonly int?[] Scores = [.. Enumerable.Range(0, 2_000).Select(i => i % 7 == 0 ? (int?)null : i % 100)];
    private static readonly Regex Placeholder = new(@"\{(\w+)\}", RegexOptions.CultureInvariant);
    private static readonly JsonSerializerOptions CamelCase = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    [Conformance("fresh6")]
    public static void SortShipmentsSeveralWays()
    {
        var byWeight = Shipments.ToList();
        byWeight.Sort((a, b) => a.Weight.CompareTo(b.Weight));
        var byCity = Shipments.ToArray();
        Array.Sort(byCity, (a, b) => string.CompareOrdinal(a.City, b.City));
        var ranked = Shipments.OrderByDescending(s => s.Weight).ThenBy(s => s.Id).Select((s, rank) => $"{rank + 1}. #{s.Id} {s.City}").ToList();
        Sink.Keep(byWeight);
        Sink.Keep(byCity);
        Sink.Keep(ranked);
    }

    [Conformance("fresh6")]
    public static void FillATemplate()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = "Ada", ["city"] = "Gent", ["count"] = "42" };
        var filled = Placeholder.Replace(Template, match => values.TryGetValue(match.Groups[1].Value, out var value) ? value : match.Value);
        var lengths = Placeholder.Matches(Template).Select(match => match.Value.Length).ToArray();
        var upper = filled.ToUpperInvariant();
        Sink.Keep(lengths);
        Sink.Keep(upper);
    }

    [Conformance("fresh6")]
    public static void FormatAndParseEnums()
    {
        var names = Shipments.Select(s => s.Status.ToString()).ToArray();
        var parsed = names.Select(name => Enum.Parse<ShipmentStatus>(name)).ToList();
        var counts = parsed.GroupBy(status => status).ToDictionary(group => group.Key, group => group.Count());
        var summary = string.Join(", ", counts.Select(pair => pair.Key + "=" + pair.Value.ToString(CultureInfo.InvariantCulture)));
        Sink.Keep(summary);
    }

    [Conformance("fresh6")]
    public static void ReadCsvWithAStreamReader()
    {
        using var reader = new StringReader(CsvText);
        var header = reader.ReadLine();
        var rows = new List<string[]>();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            rows.Add(line.Split(','));
        }

        var totals = rows.GroupBy(row => row[1]).Select(group => (City: group.Key, Total: group.Sum(row => int.Parse(row[2], CultureInfo.InvariantCulture)))).ToList();
        Sink.Keep(header!);
        Sink.Keep(totals);
    }

    [Conformance("fresh6")]
    public static void SerializeWithJsonOptions()
    {
        var batch = Shipments.Take(120).ToArray();
        var json = JsonSerializer.Serialize(batch, CamelCase);
        using var document = JsonDocument.Parse(json);
        var ids = document.RootElement.EnumerateArray().Select(element => element.GetProperty("id").GetInt32()).ToList();
        var restored = JsonSerializer.Deserialize<Shipment[]>(json, CamelCase);
        Sink.Keep(ids);
        Sink.Keep(restored!);
    }

    [Conformance("fresh6")]
    public static void IndexWithSortedCollections()
    {
        var byCity = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var shipment in Shipments)
        {
            if (!byCity.TryGetValue(shipment.City, out var ids))
            {
                ids = [];
                byCity.Add(shipment.City, ids);
            }

            ids.Add(shipment.Id);
        }

        var heavy = new BitArray(Shipments.Length);
        for (var i = 0; i < Shipments.Length; i++)
        {
            heavy[i] = Shipments[i].Weight > 40;
        }

        var listing = byCity.Select(pair => pair.Key + ": " + pair.Value.Count.ToString(CultureInfo.InvariantCulture)).ToArray();
        Sink.Keep(heavy);
        Sink.Keep(listing);
    }

    [Conformance("fresh6")]
    public static void StampRecordsWithIdsAndDurations()
    {
        var stamps = new List<string>(Shipments.Length);
        foreach (var shipment in Shipments)
        {
            var id = new Guid(shipment.Id, 7, 11, 1, 2, 3, 4, 5, 6, 7, 8);
            var eta = TimeSpan.FromMinutes(shipment.Weight * 13);
            stamps.Add(id.ToString("N") + " " + eta.ToString(@"hh\:mm", CultureInfo.InvariantCulture));
        }

        var longest = stamps.MaxBy(stamp => stamp.Length);
        Sink.Keep(stamps);
        Sink.Keep(longest!);
    }

    [Conformance("fresh6")]
    public static void BuildAManifestWithAppendJoin()
    {
        var manifest = new StringBuilder();
        foreach (var group in Shipments.GroupBy(s => s.City))
        {
            manifest.AppendFormat(CultureInfo.InvariantCulture, "{0,-10} {1,4} parcels ", group.Key, group.Count());
            manifest.AppendJoin(';', group.Select(s => s.Id));
            manifest.AppendLine();
        }

        var text = manifest.ToString();
        var lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Sink.Keep(lines);
    }

    [Conformance("fresh6")]
    public static void DescribeThroughAnInterface()
    {
        IDescribable[] items = [.. Shipments.Take(300).Select(s => (IDescribable)new Parcel(s.Id, s.City))];
        var plain = items.Select(item => item.Describe()).ToList();
        var labelled = items.Select(item => item.Label("parcel")).ToList();
        var total = plain.Sum(text => text.Length) + labelled.Sum(text => text.Length);
        Sink.Keep(total);
    }

    [Conformance("fresh6")]
    public static void AverageNullableScores()
    {
        var present = Scores.Where(score => score.HasValue).Select(score => score!.Value).ToArray();
        var buckets = Scores.GroupBy(score => score is null ? "missing" : score < 50 ? "low" : "high").ToDictionary(group => group.Key, group => group.Count());
        var windows = Windows(present, 50).ToList();
        Sink.Keep(buckets);
        Sink.Keep(windows);

        static IEnumerable<double> Windows(int[] values, int size)
        {
            for (var start = 0; start + size <= values.Length; start += size)
            {
                yield return values.AsSpan(start, size).ToArray().Average();
            }
        }
    }

    private static Shipment[] BuildShipments(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Shipment(i, Cities[i % Cities.Length], (i * 37 % 90) + 1, (ShipmentStatus)(i % 4)))];

    private static string BuildTemplate(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => i % 3 == 0 ? "Dear {name}, " : i % 3 == 1 ? "your {count} parcels reach {city} soon. " : "{unknown} stays. "));

    private static string BuildCsvText(int count) =>
        "id,city,weight\n" + string.Join('\n', Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture) + "," + Cities[i % Cities.Length] + "," + ((i * 37 % 90) + 1).ToString(CultureInfo.InvariantCulture)));

    internal enum ShipmentStatus
    {
        Created,
        Packed,
        Shipped,
        Delivered,
    }

    internal sealed record Shipment(int Id, string City, int Weight, ShipmentStatus Status);

    internal interface IDescribable
    {
        string Describe();

        string Label(string kind) => kind + ": " + Describe();
    }

    internal sealed class Parcel(int id, string city) : IDescribable
    {
        public string Describe() => "#" + id.ToString(CultureInfo.InvariantCulture) + " to " + city;
    }
}
