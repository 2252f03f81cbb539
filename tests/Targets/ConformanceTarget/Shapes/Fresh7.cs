using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Xml.Linq;

namespace ConformanceTarget.Shapes;

/// <summary>
/// A seventh generalization check, written as application code with what the earlier groups lacked: reflection over a
/// type's properties, an XML document built with LINQ to XML, dates parsed and formatted exactly, a dictionary keyed by
/// tuples updated in place through CollectionsMarshal, retries around exceptions the user's own code throws, C# 13's
/// params spans, a sorted list kept by binary search, and a hex dump formatted into a stack buffer.
/// </summary>
internal static partial class Fresh7
{
    private static readonly Invoice[] Invoices = WarmCaches(BuildInvoices(300));
    private static readonly string[] Timestamps = BuildTimestamps(400);
    private static readonly (int Store, int Day, int Units)[] Sales = BuildSales(1_500);
    private static readonly int[] Arrivals = BuildArrivals(700);
    private static readonly byte[] Firmware = BuildFirmware(2_048);

    [Conformance("fresh7")]
    public static void ReflectOverProperties()
    {
        var properties = typeof(Invoice).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var header = string.Join(",", properties.Select(property => property.Name));
        var rows = new List<string>(Invoices.Length);
        foreach (var invoice in Invoices)
        {
            var values = properties.Select(property => Convert.ToString(property.GetValue(invoice), CultureInfo.InvariantCulture)).ToArray();
            rows.Add(string.Join(",", values));
        }

        var csv = header + Environment.NewLine + string.Join(Environment.NewLine, rows);
        Sink.Keep(csv);
    }

    [Conformance("fresh7")]
    public static void BuildAnXmlDocument()
    {
        var root = new XElement("invoices", new XAttribute("count", Invoices.Length));
        foreach (var invoice in Invoices.Take(120))
        {
            root.Add(new XElement("invoice", new XAttribute("number", invoice.Number), new XElement("customer", invoice.Customer), new XElement("total", invoice.Total)));
        }

        var document = new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        var text = document.ToString();
        var parsed = XDocument.Parse(text);
        var customers = parsed.Descendants("customer").Select(element => element.Value).Distinct().ToList();
        Sink.Keep(customers);
    }

    [Conformance("fresh7")]
    public static void ParseDatesAndTimes()
    {
        var parsed = new DateTime[Timestamps.Length];
        for (var i = 0; i < Timestamps.Length; i++)
        {
            parsed[i] = DateTime.ParseExact(Timestamps[i], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }

        var byDay = parsed.GroupBy(moment => moment.Date).ToDictionary(group => group.Key.ToString("ddd d MMM", CultureInfo.InvariantCulture), group => group.Count());
        var gaps = parsed.Zip(parsed.Skip(1), (earlier, later) => later - earlier).Select(gap => gap.ToString(@"d\.hh\:mm", CultureInfo.InvariantCulture)).ToList();
        var iso = parsed.Select(moment => moment.ToString("O", CultureInfo.InvariantCulture)).ToArray();
        Sink.Keep(byDay);
        Sink.Keep(gaps);
        Sink.Keep(iso);
    }

    [Conformance("fresh7")]
    public static void CountWithTupleKeys()
    {
        var unitsByStoreAndDay = new Dictionary<(int Store, int Day), int>();
        foreach (var sale in Sales)
        {
            ref var units = ref CollectionsMarshal.GetValueRefOrAddDefault(unitsByStoreAndDay, (sale.Store, sale.Day), out _);
            units += sale.Units;
        }

        var best = unitsByStoreAndDay.OrderByDescending(pair => pair.Value).Take(20).Select(pair => $"store {pair.Key.Store} day {pair.Key.Day}: {pair.Value}").ToList();
        var stores = unitsByStoreAndDay.Keys.Select(key => key.Store).ToHashSet();
        Sink.Keep(best);
        Sink.Keep(stores);
    }

    [Conformance("fresh7")]
    public static void RetryWithCaughtExceptions()
    {
        var failures = new List<string>();
        var results = new List<int>();
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                results.Add(CheckedQuota(attempt));
            }
            catch (InvalidOperationException error)
            {
                failures.Add(error.Message + " (attempt " + attempt.ToString(CultureInfo.InvariantCulture) + ")");
            }
        }

        var report = string.Join("; ", failures.Take(10));
        Sink.Keep(results);
        Sink.Keep(report);
    }

    [Conformance("fresh7")]
    public static void JoinWithParamsSpans()
    {
        var lines = new List<string>(Invoices.Length);
        foreach (var invoice in Invoices)
        {
            lines.Add(JoinFields(invoice.Number.ToString(CultureInfo.InvariantCulture), invoice.Customer, invoice.Total.ToString("F2", CultureInfo.InvariantCulture)));
        }

        var path = Path.Combine("exports", "2026", "invoices.csv");
        var joined = string.Concat(lines);
        Sink.Keep(path);
        Sink.Keep(joined);
    }

    [Conformance("fresh7")]
    public static void KeepASortedListByBinarySearch()
    {
        var sorted = new List<int>();
        foreach (var arrival in Arrivals)
        {
            var index = sorted.BinarySearch(arrival);
            sorted.Insert(index < 0 ? ~index : index, arrival);
        }

        var median = sorted[sorted.Count / 2];
        var buckets = sorted.Chunk(50).Select(chunk => new int[] { chunk[0], chunk[^1] }).ToArray();
        var summary = $"median {median}, {buckets.Length} buckets";
        Sink.Keep(buckets);
        Sink.Keep(summary);
    }

    [Conformance("fresh7")]
    public static void FormatAHexDump()
    {
        var dump = new StringBuilder(Firmware.Length * 4);
        Span<char> line = stackalloc char[48];
        for (var offset = 0; offset < Firmware.Length; offset += 16)
        {
            var written = 0;
            foreach (var value in Firmware.AsSpan(offset, 16))
            {
                value.TryFormat(line[written..], out var used, "x2", CultureInfo.InvariantCulture);
                line[written + used] = ' ';
                written += used + 1;
            }

            dump.Append(offset.ToString("x8", CultureInfo.InvariantCulture)).Append("  ").Append(new string(line[..written])).AppendLine();
        }

        var text = dump.ToString();
        Sink.Keep(text);
    }

    private static int CheckedQuota(int attempt) =>
        attempt % 3 == 0 ? throw new InvalidOperationException($"quota exceeded for tenant {attempt % 7}") : attempt * 2;

    private static string JoinFields(params ReadOnlySpan<string> fields)
    {
        var builder = new StringBuilder();
        foreach (var field in fields)
        {
            builder.Append(field).Append(';');
        }

        return builder.ToString();
    }

    internal sealed record Invoice(int Number, string Customer, decimal Total, DateTime Issued);

    /// <summary>
    /// Fills the process-wide caches the shapes would otherwise fill on their first run, in the plain method or in its
    /// twin, whichever came first (reflection's property cache of Invoice, LINQ to XML's table of names).
    /// </summary>
    private static Invoice[] WarmCaches(Invoice[] invoices)
    {
        foreach (var property in typeof(Invoice).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Sink.Keep(Convert.ToString(property.GetValue(invoices[0]), CultureInfo.InvariantCulture)!);
        }

        var names = new XElement("invoices", new XAttribute("count", 1), new XElement("invoice", new XAttribute("number", 1), new XElement("customer", "c"), new XElement("total", 1m)));
        Sink.Keep(XDocument.Parse(new XDocument(new XDeclaration("1.0", "utf-8", null), names).ToString()).Descendants("customer").Count());
        return invoices;
    }

    private static Invoice[] BuildInvoices(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Invoice(10_000 + i, "customer-" + (i % 37).ToString(CultureInfo.InvariantCulture), 12.5m + (i * 3.25m), new DateTime(2026, 1, 1).AddDays(i)))];

    private static string[] BuildTimestamps(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new DateTime(2026, 3, 1).AddMinutes(i * 97).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))];

    private static (int Store, int Day, int Units)[] BuildSales(int count) =>
        [.. Enumerable.Range(0, count).Select(i => (i % 23, i % 31, 1 + (i % 9)))];

    private static int[] BuildArrivals(int count) =>
        [.. Enumerable.Range(0, count).Select(i => (i * 7_919) % 10_007)];

    private static byte[] BuildFirmware(int length) =>
        [.. Enumerable.Range(0, length).Select(i => (byte)((i * 31) ^ (i >> 3)))];
}
