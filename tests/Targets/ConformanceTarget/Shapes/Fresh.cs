using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConformanceTarget.Shapes;

/// <summary>
/// A generalization check: code written the way an application developer writes it (parsing,
/// reports, grouping, regular expressions, streams, JSON, small class hierarchies), not shaped
/// after the profiler. Every line allocates a clearly different amount from its neighbours.
/// </summary>
internal static partial class Fresh
{
    private static readonly string[] Customers = BuildCustomers(60);
    private static readonly string[] Products =
    [
        "espresso machine", "milk frother", "coffee grinder", "pour-over kettle", "paper filters",
        "travel mug", "ceramic cup", "tamper", "scale", "burr set", "descaler", "bean canister",
    ];

    private static readonly string[] Tags =
    [
        "dotnet", "csharp", "performance", "memory", "gc", "linq", "async", "testing",
        "profiling", "json", "regex", "streams", "collections", "strings", "records", "spans",
        "jit", "tiering", "pgo", "r2r", "debugging", "tooling", "linux", "containers",
    ];

    private static readonly string[] Vocabulary =
    [
        "The", "quick", "Brown", "fox", "jumps", "over", "the", "Lazy", "dog", "and", "Then",
        "runs", "away", "from", "a", "Farmer", "who", "keeps", "Chickens", "in", "his", "yard",
        "every", "Morning", "before", "breakfast", "is", "served", "to", "Guests",
    ];

    private static readonly char[] WordSeparators = [' ', ',', '.', '\n'];
    private static readonly Order[] Orders = BuildOrders(2_000);
    private static readonly string CsvText = BuildCsv(400);
    private static readonly string LogText = BuildLog(300);
    private static readonly Article[] Articles = BuildArticles(1_500);
    private static readonly string[] RawQuantities = BuildQuantities(40);
    private static readonly string Prose = BuildProse(3_000);
    private static readonly Regex OrderIdPattern = new(@"ORD-(\d{4})-([A-Z]{3})", RegexOptions.Compiled | RegexOptions.CultureInvariant);
    private static readonly DateTime InvoiceDate = new(2024, 3, 15);

    [Conformance("fresh")]
    public static void ParseCsvIntoRecords()
    {
        var rows = CsvText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var sales = new List<Order>();
        foreach (var row in rows)
        {
            var fields = row.Split(',');
            var sale = new Order(fields[0], decimal.Parse(fields[2], CultureInfo.InvariantCulture), int.Parse(fields[1], CultureInfo.InvariantCulture));
            sales.Add(sale);
        }

        var revenue = sales.Sum(s => s.Amount * s.Quantity);
        Sink.Keep(sales);
        Sink.Keep((long)revenue);
    }

    [Conformance("fresh")]
    public static void BuildMonthlyReport()
    {
        var report = new StringBuilder();
        report.AppendLine("Monthly sales report");
        for (var day = 0; day < 365; day++)
        {
            var order = Orders[day];
            report.Append(InvoiceDate.AddDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(';').Append(order.Customer).Append(';').AppendLine(order.Amount.ToString("F2", CultureInfo.InvariantCulture));
        }

        var text = report.ToString();
        var lines = text.Split(Environment.NewLine);
        Sink.Keep(text);
        Sink.Keep(lines);
    }

    [Conformance("fresh")]
    public static void GroupOrdersByCustomer()
    {
        var totals = Orders.GroupBy(o => o.Customer).ToDictionary(g => g.Key, g => g.Sum(o => o.Amount * o.Quantity));
        var ranking = totals.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).ToList();
        var top = ranking.Take(10).Select(pair => $"{pair.Key}={pair.Value:N2}").ToArray();
        var headline = string.Join(", ", top);
        Sink.Keep(totals);
        Sink.Keep(ranking);
        Sink.Keep(headline);
    }

    [Conformance("fresh")]
    public static void ExtractOrderIdsWithRegex()
    {
        var matches = OrderIdPattern.Matches(LogText);
        var ids = new List<string>(matches.Count);
        foreach (Match match in matches)
        {
            ids.Add(match.Groups[2].Value + "#" + match.Groups[1].Value);
        }

        var masked = OrderIdPattern.Replace(LogText, m => "ORD-****-" + m.Groups[2].Value);
        var distinct = ids.Distinct().Count();
        Sink.Keep(ids);
        Sink.Keep(masked);
        Sink.Keep(distinct);
    }

    [Conformance("fresh")]
    public static void FormatInvoice()
    {
        var customer = Customers[7];
        var header = string.Format(CultureInfo.InvariantCulture, "Invoice {0} for {1}, issued {2:yyyy-MM-dd}, due {3:yyyy-MM-dd}", 1_042, customer, InvoiceDate, InvoiceDate.AddDays(30));
        var rows = new List<string>(250);
        for (var i = 0; i < 250; i++)
        {
            rows.Add($"{i + 1,4} | {Products[i % Products.Length],-24} | {Orders[i].Quantity,3} x {Orders[i].Amount,10:N2} | {customer}");
        }

        var body = string.Join(Environment.NewLine, rows);
        var invoice = header + Environment.NewLine + body + Environment.NewLine + new string('-', 20_000);
        Sink.Keep(invoice);
    }

    [Conformance("fresh")]
    public static void IndexArticlesByTag()
    {
        var byTag = new Dictionary<string, List<Article>>(StringComparer.OrdinalIgnoreCase);
        foreach (var article in Articles)
        {
            foreach (var tag in article.Tags)
            {
                if (!byTag.TryGetValue(tag, out var bucket))
                {
                    bucket = new List<Article>();
                    byTag[tag] = bucket;
                }

                bucket.Add(article);
            }
        }

        var busiest = byTag.OrderByDescending(pair => pair.Value.Count).First().Key;
        Sink.Keep(byTag);
        Sink.Keep(busiest);
    }

    [Conformance("fresh")]
    public static void RenderNotifications()
    {
        var channels = new List<Notification> { new EmailNotification("ada@example.com"), new SmsNotification("+44 20 7946 0018"), new WebhookNotification("https://hooks.example.com/orders") };
        var rendered = new List<string>();
        foreach (var channel in channels)
        {
            rendered.Add(channel.Render(Orders[42]));
        }

        var digest = channels[2].Render(Orders[99]);
        Sink.Keep(rendered);
        Sink.Keep(digest);
    }

    [Conformance("fresh")]
    public static void FilterWithLambdaAndLocalFunction()
    {
        var amounts = Array.ConvertAll(Orders, o => o.Amount);
        var average = amounts.Average();
        var large = Orders.Where(o => o.Amount > average).Select(o => new OrderLine(o.Customer, o.Amount * o.Quantity)).ToList();
        var labels = large.ConvertAll(line => Label(line));
        var csv = ToCsv(labels);
        Sink.Keep(large);
        Sink.Keep(csv);

        static string Label(OrderLine line)
        {
            return line.Customer + " owes " + line.Total.ToString("F2", CultureInfo.InvariantCulture);
        }

        static string ToCsv(List<string> values)
        {
            var builder = new StringBuilder(values.Count * 40);
            foreach (var value in values)
            {
                builder.Append(value).Append(',');
            }

            return builder.ToString();
        }
    }

    [Conformance("fresh")]
    public static void WriteAndReadBackAStream()
    {
        using var buffer = new MemoryStream();
        using var writer = new StreamWriter(buffer, Encoding.UTF8, bufferSize: 16_384, leaveOpen: true);
        foreach (var order in Orders)
        {
            writer.WriteLine(order.Customer);
        }

        writer.Flush();
        var bytes = buffer.ToArray();
        buffer.Position = 0;
        using var reader = new StreamReader(buffer, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 4_096, leaveOpen: true);
        var text = reader.ReadToEnd();
        Sink.Keep(bytes);
        Sink.Keep(text);
    }

    [Conformance("fresh")]
    public static void JsonRoundTrip()
    {
        var batch = Orders[..300];
        var json = JsonSerializer.Serialize(batch);
        var restored = JsonSerializer.Deserialize<List<Order>>(json);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(restored);
        var count = restored?.Count ?? 0;
        Sink.Keep(json);
        Sink.Keep(bytes);
        Sink.Keep(count);
    }

    [Conformance("fresh")]
    public static void SortOrdersByAmount()
    {
        var sorted = (Order[])Orders.Clone();
        Array.Sort(sorted, (left, right) => right.Amount.CompareTo(left.Amount));
        var names = Array.ConvertAll(sorted, order => order.Customer.ToUpperInvariant());
        var amounts = new List<Order>(sorted).ConvertAll(order => order.Amount.ToString("C", CultureInfo.InvariantCulture));
        Sink.Keep(names);
        Sink.Keep(amounts);
    }

    [Conformance("fresh")]
    public static void ConcatenateInALoop()
    {
        var csv = string.Empty;
        for (var i = 0; i < 150; i++)
        {
            csv = string.Concat(csv, Customers[i % Customers.Length], ";");
        }

        var trimmed = csv.TrimEnd(';');
        var fields = trimmed.Split(';');
        var upper = string.Concat(fields.Select(f => f.ToUpperInvariant()));
        Sink.Keep(fields);
        Sink.Keep(upper);
    }

    [Conformance("fresh")]
    public static void RangeSelectToArray()
    {
        var squares = Enumerable.Range(1, 30_000).Select(i => (long)i * i).ToArray();
        var labels = Enumerable.Range(0, 800).Select(i => "row-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var positions = labels.Select((label, index) => KeyValuePair.Create(label, index)).ToDictionary();
        var multiplesOfTen = squares.Where(s => s % 10 == 0).ToList();
        Sink.Keep(squares);
        Sink.Keep(positions);
        Sink.Keep(multiplesOfTen);
    }

    [Conformance("fresh")]
    public static void ParseQuantitiesWithErrors()
    {
        var parsed = new List<int>();
        var problems = new List<string>();
        foreach (var raw in RawQuantities)
        {
            try
            {
                parsed.Add(int.Parse(raw, CultureInfo.InvariantCulture));
            }
            catch (FormatException error)
            {
                problems.Add($"'{raw}' rejected: {error.Message}");
            }
        }

        var summary = string.Join(Environment.NewLine, problems) + new string(' ', 5_000);
        Sink.Keep(parsed);
        Sink.Keep(summary);
    }

    [Conformance("fresh")]
    public static async Task LoadCustomerPageAsync()
    {
        var request = $"GET /customers?page=3&size={Customers.Length}";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Accept"] = "application/json", ["X-Trace"] = new string('t', 4_000) };
        await Task.Yield();
        var body = Encoding.UTF8.GetBytes(string.Join(",", Customers) + new string(' ', 12_000));
        var page = new List<string>(Customers.Length);
        await Task.Yield();
        foreach (var name in Customers)
        {
            page.Add(name.ToUpperInvariant() + "@" + request.Length.ToString(CultureInfo.InvariantCulture));
        }

        var rendered = string.Join("\n", page) + new string('p', 30_000);
        Sink.Keep(headers);
        Sink.Keep(body);
        Sink.Keep(rendered);
    }

    [Conformance("fresh")]
    public static void BatchesFromAnIterator()
    {
        var batches = InBatches(Orders, 128).ToList();
        var biggest = batches.MaxBy(batch => batch.Count);
        var customers = batches.SelectMany(batch => batch).Select(order => order.Customer).ToList();
        var names = string.Join(",", customers);
        Sink.Keep(batches);
        Sink.Keep(biggest!);
        Sink.Keep(names);
    }

    [Conformance("fresh")]
    public static void CountWordFrequencies()
    {
        var words = Prose.Split(WordSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            var key = word.ToLowerInvariant();
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        var common = counts.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).Take(25).Select(pair => pair.Key).ToArray();
        Sink.Keep(counts);
        Sink.Keep(common);
    }

    [Conformance("fresh")]
    public static void JoinCustomersWithOrders()
    {
        var profiles = Customers.Select((name, index) => new CustomerProfile(name, index % 5 == 0 ? "gold" : "standard")).ToList();
        var joined = profiles.Join(Orders, p => p.Name, o => o.Customer, (p, o) => new { p.Name, p.Tier, o.Amount }).ToList();
        var goldRevenue = joined.Where(row => row.Tier == "gold").Sum(row => row.Amount);
        var perTier = joined.GroupBy(row => row.Tier).Select(g => new { Tier = g.Key, Count = g.Count(), Total = g.Sum(r => r.Amount) }).ToList();
        Sink.Keep(joined);
        Sink.Keep(perTier);
        Sink.Keep((long)goldRevenue);
    }

    [Conformance("fresh")]
    public static void FillAShoppingCart()
    {
        var cart = new ShoppingCart(Customers[3]);
        for (var i = 0; i < 120; i++)
        {
            cart.Add(Products[i % Products.Length], 1 + (i % 4), 2.5m + i);
        }

        cart.ApplyCoupon("SPRING-" + InvoiceDate.Year.ToString(CultureInfo.InvariantCulture));
        var receipt = cart.PrintReceipt();
        var snapshot = cart.Items.ToArray();
        Sink.Keep(receipt);
        Sink.Keep(snapshot);
    }

    [Conformance("fresh")]
    public static void WalkADependencyGraph()
    {
        var edges = new Dictionary<int, List<int>>();
        for (var node = 0; node < 400; node++)
        {
            edges[node] = [(node * 7 + 1) % 400, (node * 13 + 5) % 400, (node + 1) % 400];
        }

        var visited = new HashSet<int>();
        var queue = new Queue<int>();
        queue.Enqueue(0);
        var order = new List<string>();
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            if (!visited.Add(current))
            {
                continue;
            }

            order.Add("node-" + current.ToString(CultureInfo.InvariantCulture));
            foreach (var next in edges[current])
            {
                queue.Enqueue(next);
            }
        }

        Sink.Keep(order);
        Sink.Keep(edges);
        Sink.Keep(visited);
    }

    private static IEnumerable<List<Order>> InBatches(IEnumerable<Order> source, int size)
    {
        var batch = new List<Order>(size);
        foreach (var item in source)
        {
            batch.Add(item);
            if (batch.Count == size)
            {
                yield return batch;
                batch = new List<Order>(size);
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private static string[] BuildCustomers(int count)
    {
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = "customer-" + i.ToString("D3", CultureInfo.InvariantCulture);
        }

        return names;
    }

    private static Order[] BuildOrders(int count)
    {
        var orders = new Order[count];
        for (var i = 0; i < count; i++)
        {
            orders[i] = new Order(Customers[(i * 7) % Customers.Length], ((i * 37) % 1_000) + 0.99m, 1 + (i % 9));
        }

        return orders;
    }

    private static string BuildCsv(int rows)
    {
        var text = new StringBuilder();
        for (var i = 0; i < rows; i++)
        {
            text.Append(string.Create(CultureInfo.InvariantCulture, $"{Customers[i % Customers.Length]},{1 + (i % 12)},{((i * 13) % 500) + 0.25m}")).Append('\n');
        }

        return text.ToString();
    }

    private static string BuildLog(int lines)
    {
        var text = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            var code = new string((char)('A' + (i % 26)), 3);
            text.Append(string.Create(CultureInfo.InvariantCulture, $"2024-03-15T10:{i % 60:D2}:00 INFO processed ORD-{1_000 + ((i * 17) % 9_000):D4}-{code} for {Customers[i % Customers.Length]} in {i % 90}ms\n"));
        }

        return text.ToString();
    }

    private static Article[] BuildArticles(int count)
    {
        var articles = new Article[count];
        for (var i = 0; i < count; i++)
        {
            articles[i] = new Article("Article " + i.ToString(CultureInfo.InvariantCulture), [Tags[i % Tags.Length], Tags[((i * 5) + 3) % Tags.Length].ToUpperInvariant(), Tags[((i * 11) + 7) % Tags.Length]]);
        }

        return articles;
    }

    private static string[] BuildQuantities(int count)
    {
        var values = new string[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = i % 4 == 3 ? "x" + i.ToString(CultureInfo.InvariantCulture) : (i * 3).ToString(CultureInfo.InvariantCulture);
        }

        return values;
    }

    private static string BuildProse(int words)
    {
        var text = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            text.Append(Vocabulary[((i * 7) + (i / 30)) % Vocabulary.Length]).Append(i % 11 == 10 ? ". " : i % 5 == 4 ? ", " : " ");
            if (i % 40 == 39)
            {
                text.Append('\n');
            }
        }

        return text.ToString();
    }

    internal sealed record Order(string Customer, decimal Amount, int Quantity);

    internal sealed record OrderLine(string Customer, decimal Total);

    internal sealed record Article(string Title, string[] Tags);

    internal sealed record CustomerProfile(string Name, string Tier);

    internal sealed record CartItem(string Product, int Quantity, decimal Price);

    internal abstract class Notification(string target)
    {
        public string Target { get; } = target;

        public abstract string Render(Order order);
    }

    internal sealed class EmailNotification(string address) : Notification(address)
    {
        public override string Render(Order order)
        {
            var html = new StringBuilder(8_192);
            html.Append("<html><body><p>Dear ").Append(order.Customer).Append(", your order to ").Append(Target).Append("</p><table>");
            for (var i = 0; i < 200; i++)
            {
                html.Append("<tr><td>").Append(i).Append("</td><td>").Append(order.Amount).Append("</td></tr>");
            }

            html.Append("</table></body></html>");
            return html.ToString();
        }
    }

    internal sealed class SmsNotification(string number) : Notification(number)
    {
        public override string Render(Order order)
            => string.Create(CultureInfo.InvariantCulture, $"To {Target}: {order.Customer}, your order of {order.Quantity} items ({order.Amount:N2}) shipped.");
    }

    internal sealed class WebhookNotification(string url) : Notification(url)
    {
        public override string Render(Order order)
        {
            var attachment = new byte[45_000];
            attachment.AsSpan().Fill((byte)order.Quantity);
            return Target + "?payload=" + Convert.ToBase64String(attachment);
        }
    }

    internal sealed class ShoppingCart(string owner)
    {
        private readonly List<CartItem> _items = new();
        private readonly List<string> _history = new();

        public IReadOnlyList<CartItem> Items => _items;

        public void Add(string product, int quantity, decimal price)
        {
            _items.Add(new CartItem(product, quantity, price));
            _history.Add(string.Create(CultureInfo.InvariantCulture, $"added {quantity} x {product} at {price}"));
        }

        public void ApplyCoupon(string code)
        {
            for (var i = 0; i < _items.Count; i++)
            {
                _items[i] = _items[i] with { Price = _items[i].Price * 0.9m };
            }

            _history.Add("coupon " + code);
        }

        public string PrintReceipt()
        {
            var receipt = new StringBuilder();
            receipt.Append("Receipt for ").AppendLine(owner);
            foreach (var item in _items)
            {
                receipt.Append(item.Product).Append(" x").Append(item.Quantity).Append(" @ ").AppendLine(item.Price.ToString("F2", CultureInfo.InvariantCulture));
            }

            receipt.AppendLine(string.Join(Environment.NewLine, _history));
            return receipt.ToString();
        }
    }
}
