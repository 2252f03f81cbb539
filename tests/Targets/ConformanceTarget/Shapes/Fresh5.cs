using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ConformanceTarget.Shapes;

/// <summary>
/// A fifth generalization check, written as application code with shapes the earlier groups had few of: span
/// parsing, URI escaping, DateTime keys and formatting, statistics over arrays, validation with a compiled regex and
/// caught parse errors, a generic merge of sorted sequences through an iterator of the user's own, a cache of
/// lazily built values in a ConcurrentDictionary, a tree built and walked with an explicit stack, C# events whose
/// handlers allocate, padded table text, and records holding collections copied with <c>with</c>.
/// </summary>
internal static partial class Fresh5
{
    private static readonly string[] Countries = ["NL", "IT", "FR", "SE", "ES", "PL", "AT", "HU", "DE", "PT"];
    private static readonly string[] LogLines = BuildLogLines(600);
    private static readonly (string Key, string Value)[] QueryParts = BuildQueryParts(300);
    private static readonly Sale[] Sales = BuildSales(1_000);
    private static readonly double[] Latencies = BuildLatencies(4_000);
    private static readonly string[] Inputs = BuildInputs(500);
    private static readonly int[] Evens = [.. Enumerable.Range(0, 1_500).Select(i => i * 2)];
    private static readonly int[] Odds = [.. Enumerable.Range(0, 1_500).Select(i => (i * 2) + 1)];
    private static readonly byte[] FramedHeader = BuildFramedHeader(nameLength: 3_000, payloadLength: 40_000);
    private static readonly Regex EmailPattern = new(@"^[a-z0-9.]+@[a-z0-9]+\.[a-z]{2,}$", RegexOptions.Compiled | RegexOptions.CultureInvariant);

    [Conformance("fresh5")]
    public static void ParseLogLinesWithSpans()
    {
        var errors = new List<string>();
        var durations = new int[LogLines.Length];
        for (var i = 0; i < LogLines.Length; i++)
        {
            var line = LogLines[i].AsSpan();
            var level = line[..line.IndexOf(' ')];
            var rest = line[(level.Length + 1)..];
            durations[i] = int.Parse(rest[..rest.IndexOf(' ')], CultureInfo.InvariantCulture);
            if (level.SequenceEqual("ERROR"))
            {
                errors.Add(new string(rest[(rest.IndexOf(' ') + 1)..]));
            }
        }

        var summary = $"{errors.Count} errors, slowest {durations.Max()} ms";
        Sink.Keep(errors);
        Sink.Keep(summary);
    }

    [Conformance("fresh5")]
    public static void BuildHttpQueries()
    {
        var escaped = QueryParts.Select(part => Uri.EscapeDataString(part.Key) + "=" + Uri.EscapeDataString(part.Value)).ToList();
        var query = string.Join('&', escaped);
        var builder = new UriBuilder("https", "api.example.org", 443, "/v2/search") { Query = query };
        var uri = builder.Uri;
        var pairs = uri.Query.TrimStart('?').Split('&');
        var decoded = pairs.Select(pair => Uri.UnescapeDataString(pair)).ToArray();
        Sink.Keep(uri);
        Sink.Keep(decoded);
    }

    [Conformance("fresh5")]
    public static void GroupSalesByMonth()
    {
        var byMonth = Sales.GroupBy(sale => new MonthKey(sale.Date.Year, sale.Date.Month)).ToDictionary(group => group.Key, group => group.Sum(sale => sale.Amount));
        var ordered = byMonth.OrderBy(pair => pair.Key.Year).ThenBy(pair => pair.Key.Month).ToList();
        var labels = ordered.Select(pair => new DateTime(pair.Key.Year, pair.Key.Month, 1).ToString("MMMM yyyy", CultureInfo.InvariantCulture)).ToArray();
        var report = new StringBuilder();
        foreach (var (key, total) in ordered)
        {
            report.Append(key.Year).Append('-').Append(key.Month.ToString("D2", CultureInfo.InvariantCulture)).Append(": ").AppendLine(total.ToString("C", CultureInfo.InvariantCulture));
        }

        var text = report.ToString();
        Sink.Keep(labels);
        Sink.Keep(text);
    }

    [Conformance("fresh5")]
    public static void ComputeLatencyStatistics()
    {
        var sorted = (double[])Latencies.Clone();
        Array.Sort(sorted);
        var percentiles = new[] { 50, 90, 99 }.Select(p => sorted[(int)(p / 100.0 * (sorted.Length - 1))]).ToArray();
        var buckets = new int[20];
        foreach (var latency in Latencies)
        {
            buckets[Math.Min(19, (int)(latency / 10))]++;
        }

        var deviations = Latencies.Select(latency => Math.Abs(latency - percentiles[0])).ToList();
        var line = string.Create(CultureInfo.InvariantCulture, $"p50 {percentiles[0]:F1} ms, p90 {percentiles[1]:F1} ms, p99 {percentiles[2]:F1} ms, mean deviation {deviations.Average():F2}");
        Sink.Keep(buckets);
        Sink.Keep(line);
    }

    [Conformance("fresh5")]
    public static void ValidateSignUps()
    {
        var problems = new List<string>();
        var ages = new List<int>();
        foreach (var input in Inputs)
        {
            var fields = input.Split(';');
            if (!EmailPattern.IsMatch(fields[0]))
            {
                problems.Add("invalid e-mail: " + fields[0]);
            }

            try
            {
                ages.Add(int.Parse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture));
            }
            catch (FormatException)
            {
                problems.Add($"invalid age '{fields[1]}' for {fields[0]}");
            }
        }

        var report = string.Join(Environment.NewLine, problems);
        Sink.Keep(ages);
        Sink.Keep(report);
    }

    [Conformance("fresh5")]
    public static void MergeSortedFeeds()
    {
        var merged = Merge(Evens, Odds, Comparer<int>.Default).ToList();
        var labels = Merge(Evens.Select(n => "e" + n.ToString(CultureInfo.InvariantCulture)), Odds.Select(n => "o" + n.ToString(CultureInfo.InvariantCulture)), StringComparer.Ordinal).ToArray();
        var windows = merged.Chunk(100).Select(chunk => chunk.Sum()).ToArray();
        Sink.Keep(labels);
        Sink.Keep(windows);
    }

    [Conformance("fresh5")]
    public static void CacheCountryProfiles()
    {
        var cache = new ConcurrentDictionary<string, Lazy<CountryProfile>>(StringComparer.Ordinal);
        var profiles = new List<CountryProfile>();
        foreach (var sale in Sales)
        {
            var lazy = cache.GetOrAdd(sale.Country, country => new Lazy<CountryProfile>(() => new CountryProfile(country, new string('*', 400), new int[2_000])));
            profiles.Add(lazy.Value);
        }

        var names = cache.Keys.Order(StringComparer.Ordinal).ToArray();
        Sink.Keep(profiles);
        Sink.Keep(names);
    }

    [Conformance("fresh5")]
    public static void BuildAndWalkATree()
    {
        var root = new Node("root");
        Grow(root, 0);
        var stack = new Stack<Node>();
        stack.Push(root);
        var paths = new List<string>();
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            paths.Add(node.Name + "/" + node.Children.Count.ToString(CultureInfo.InvariantCulture));
            foreach (var child in node.Children)
            {
                stack.Push(child);
            }
        }

        var leaves = paths.Count(path => path.EndsWith("/0", StringComparison.Ordinal));
        Sink.Keep(paths);
        Sink.Keep(leaves);
    }

    [Conformance("fresh5")]
    public static void RaiseOrderEvents()
    {
        var ledger = new OrderLedger();
        var audit = new List<string>();
        ledger.Placed += (_, order) => audit.Add("placed " + order.Id.ToString(CultureInfo.InvariantCulture));
        ledger.Placed += (_, order) => audit.Add(order.Country + ": " + order.Amount.ToString("F2", CultureInfo.InvariantCulture));
        foreach (var sale in Sales)
        {
            ledger.Place(sale);
        }

        var digest = string.Concat(audit.Take(200));
        Sink.Keep(digest);
    }

    [Conformance("fresh5")]
    public static void FormatAPaddedTable()
    {
        var header = "Country".PadRight(10) + "Sales".PadLeft(8) + "Total".PadLeft(14);
        var rows = Sales.GroupBy(sale => sale.Country).Select(group => group.Key.PadRight(10) + group.Count().ToString(CultureInfo.InvariantCulture).PadLeft(8) + group.Sum(sale => sale.Amount).ToString("N2", CultureInfo.InvariantCulture).PadLeft(14)).ToList();
        var rule = new string('=', header.Length);
        var table = new StringBuilder(header.Length * (rows.Count + 3));
        table.AppendLine(header).AppendLine(rule);
        rows.ForEach(row => table.AppendLine(row));
        var text = table.ToString();
        Sink.Keep(text);
    }

    [Conformance("fresh5")]
    public static void CopyRecordsWithCollections()
    {
        var basket = new Basket("basket-1", [.. Sales.Take(200).Select(sale => sale.Id)], new Dictionary<string, int>());
        var copies = new List<Basket>();
        for (var i = 0; i < 40; i++)
        {
            var copy = basket with { Name = "basket-" + i.ToString(CultureInfo.InvariantCulture), Items = [.. basket.Items, i] };
            copies.Add(copy);
        }

        var equal = copies.Count(copy => copy.Items.SequenceEqual(basket.Items));
        var totals = copies.ToDictionary(copy => copy.Name, copy => copy.Items.Length);
        Sink.Keep(totals);
        Sink.Keep(equal);
    }

    private static IEnumerable<T> Merge<T>(IEnumerable<T> first, IEnumerable<T> second, IComparer<T> comparer)
    {
        using var left = first.GetEnumerator();
        using var right = second.GetEnumerator();
        var hasLeft = left.MoveNext();
        var hasRight = right.MoveNext();
        while (hasLeft || hasRight)
        {
            if (hasLeft && (!hasRight || comparer.Compare(left.Current, right.Current) <= 0))
            {
                yield return left.Current;
                hasLeft = left.MoveNext();
            }
            else
            {
                yield return right.Current;
                hasRight = right.MoveNext();
            }
        }
    }

    private static void Grow(Node node, int depth)
    {
        if (depth == 5)
        {
            return;
        }

        for (var i = 0; i < 4; i++)
        {
            var child = new Node(node.Name + "." + i.ToString(CultureInfo.InvariantCulture));
            node.Children.Add(child);
            Grow(child, depth + 1);
        }
    }

    private static string[] BuildLogLines(int count) =>
        [.. Enumerable.Range(0, count).Select(i => (i % 7 == 0 ? "ERROR " : "INFO ") + (i * 37 % 900).ToString(CultureInfo.InvariantCulture) + " request " + i.ToString(CultureInfo.InvariantCulture) + " to /orders/" + (i * 11 % 250).ToString(CultureInfo.InvariantCulture) + " took too long")];

    private static (string Key, string Value)[] BuildQueryParts(int count) =>
        [.. Enumerable.Range(0, count).Select(i => ("filter[" + i.ToString(CultureInfo.InvariantCulture) + "]", "name eq 'Müller & Söhne " + i.ToString(CultureInfo.InvariantCulture) + "'"))];

    [Conformance("fresh5")]
    public static void ReadAFramedHeaderWithGuards()
    {
        var cursor = new FrameCursor(FramedHeader);
        if (cursor.ReadByte() != 0x5A || cursor.ReadByte() != 0xA5)
        {
            throw new InvalidDataException("the frame does not start with its marker");
        }

        var version = cursor.ReadInt32();
        var nameLength = cursor.ReadInt32();
        if (nameLength is < 0 or > 65_536)
        {
            throw new InvalidDataException($"a frame name of {nameLength} bytes");
        }

        var name = Encoding.UTF8.GetString(cursor.ReadBytes(nameLength));
        if (cursor.ReadByte() != 0x0A)
        {
            throw new InvalidDataException("the frame's name does not end with its tag");
        }

        var payload = cursor.ReadBytes(cursor.ReadInt32()).ToArray();
        Sink.Keep(new FrameHeader(version, name, payload));
    }

    private static Sale[] BuildSales(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Sale(i, new DateTime(2025, 1, 1).AddDays(i * 7 % 365), Countries[i % Countries.Length], 10 + (i * 13 % 400)))];

    private static double[] BuildLatencies(int count) => [.. Enumerable.Range(0, count).Select(i => 5 + (i * 29 % 180) + (i % 101 == 0 ? 400 : 0))];

    private static string[] BuildInputs(int count) =>
        [.. Enumerable.Range(0, count).Select(i => (i % 9 == 0 ? "Not An Email" : "user" + i.ToString(CultureInfo.InvariantCulture) + "@example.org") + ";" + (i % 11 == 0 ? "forty" : (18 + (i % 60)).ToString(CultureInfo.InvariantCulture)))];

    internal sealed record Sale(int Id, DateTime Date, string Country, double Amount);

    internal readonly record struct MonthKey(int Year, int Month);

    internal sealed record CountryProfile(string Country, string Banner, int[] Histogram);

    internal sealed record Basket(string Name, int[] Items, Dictionary<string, int> Notes);

    internal sealed class Node(string name)
    {
        public string Name { get; } = name;

        public List<Node> Children { get; } = [];
    }

    internal sealed class OrderLedger
    {
        public event EventHandler<Sale>? Placed;

        public void Place(Sale sale) => Placed?.Invoke(this, sale);
    }

    private static byte[] BuildFramedHeader(int nameLength, int payloadLength)
    {
        var frame = new List<byte> { 0x5A, 0xA5 };
        frame.AddRange(BitConverter.GetBytes(3));
        frame.AddRange(BitConverter.GetBytes(nameLength));
        frame.AddRange(Enumerable.Range(0, nameLength).Select(i => (byte)('a' + (i % 26))));
        frame.Add(0x0A);
        frame.AddRange(BitConverter.GetBytes(payloadLength));
        frame.AddRange(Enumerable.Range(0, payloadLength).Select(i => (byte)i));
        return [.. frame];
    }

    internal sealed record FrameHeader(int Version, string Name, byte[] Payload);

    /// <summary>A reader of a byte span that checks every read, as parsers do: a read past the end throws.</summary>
    internal ref struct FrameCursor(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public byte ReadByte()
        {
            Require(1);
            return _bytes[_position++];
        }

        public int ReadInt32()
        {
            Require(4);
            int value = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(_bytes[_position..]);
            _position += 4;
            return value;
        }

        public ReadOnlySpan<byte> ReadBytes(int count)
        {
            Require(count);
            ReadOnlySpan<byte> read = _bytes.Slice(_position, count);
            _position += count;
            return read;
        }

        private readonly void Require(int count)
        {
            if (count < 0 || _bytes.Length - _position < count)
            {
                throw new InvalidDataException($"{count} bytes past the end of the frame");
            }
        }
    }
}
