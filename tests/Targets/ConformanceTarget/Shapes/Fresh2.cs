using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConformanceTarget.Shapes;

/// <summary>
/// A second generalization check, written after "fresh" the way an application developer writes
/// code (a catalog, contacts, an audit trail, a job scheduler, payroll, shipping, loyalty points,
/// settings export, text tokenizing, e-mail clean-up, a ledger, currencies), not shaped after the
/// profiler's mapping. Neighbouring lines allocate clearly different amounts; a few allocate tens of
/// kilobytes a call so the sampled runs check them too.
/// </summary>
internal static partial class Fresh2
{
    private static readonly string[] Categories =
    [
        "books", "garden", "kitchen", "toys", "music", "outdoor", "office", "pets", "sports", "tools", "baby", "games",
    ];

    private static readonly string[] FirstNames =
    [
        "Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn", "Rowan", "Skyler",
        "Harper", "Emerson", "Finley", "Dakota",
    ];

    private static readonly string[] LastNames =
    [
        "Smith", "Nguyen", "Garcia", "Okafor", "Kowalski", "Haddad", "Lindqvist", "Moreau", "Tanaka", "Silva",
        "O'Brien", "Schmidt", "Novak", "Rossi", "Jensen", "Costa", "Petrov", "Murphy", "Ivanova", "Chen",
    ];

    private static readonly string[] Regions = ["north", "south", "east", "west", "central", "islands", "overseas"];
    private static readonly string[] Domains = ["example.com", "contoso.org", "fabrikam.net", "mail.test", "corp.example"];
    private static readonly string[] Currencies = ["EUR", "USD", "GBP", "JPY", "CHF", "SEK", "NOK", "PLN", "CZK"];
    private static readonly decimal[] Rates = [1.00m, 1.08m, 0.85m, 161.2m, 0.96m, 11.4m, 11.6m, 4.31m, 25.1m];

    private static readonly string[][] Permissions =
    [
        ["read"],
        ["read", "write"],
        ["read", "write", "delete"],
        ["admin", "read", "write", "delete", "audit"],
    ];

    private static readonly DateTime Today = new(2024, 11, 4, 9, 30, 0);
    private static readonly Product[] Catalog = BuildCatalog(1_500);
    private static readonly string ContactsText = BuildContacts(700);
    private static readonly Job[] Jobs = BuildJobs(900);
    private static readonly Employee[] Employees = BuildEmployees(1_200);
    private static readonly Sale[] Sales = BuildSales(3_000);
    private static readonly Shipment[] Shipments = BuildShipments(500);
    private static readonly Dictionary<string, string> Settings = BuildSettings(400);
    private static readonly string Story = BuildStory(1_200);
    private static readonly string[] Emails = BuildEmails(1_800);
    private static readonly Transaction[] Ledger = BuildLedger(600);
    private static readonly decimal[] Amounts = BuildAmounts(4_000);
    private static readonly Regex SentenceBreak = new(@"(?<=[.!?])\s+", RegexOptions.CultureInvariant);
    private static readonly Regex WordBreak = new(@"\W+", RegexOptions.CultureInvariant);
    private static readonly Regex WordStart = new(@"\b[a-z]", RegexOptions.CultureInvariant);
    private static readonly Regex Number = new(@"\d+", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);

    [Conformance("fresh2")]
    public static void ProjectCatalogWithLinq()
    {
        var inStock = Catalog.Where(p => p.Stock > 0).ToList();
        var summaries = Catalog.Select(p => new { p.Sku, p.Category, Gross = p.Price * 1.2m }).ToArray();
        var stockBySku = Catalog.Select(p => (p.Sku, p.Stock)).ToDictionary(pair => pair.Sku, pair => pair.Stock);
        var categories = Catalog.Select(p => p.Category).ToHashSet(StringComparer.Ordinal);
        var lowStock = Catalog.Select(p => p.Stock).Where(stock => stock < 25).Order().ToArray();
        var skus = inStock.Select(p => p.Sku.ToLowerInvariant()).ToArray();
        Sink.Keep(summaries);
        Sink.Keep(stockBySku);
        Sink.Keep(categories);
        Sink.Keep(lowStock);
        Sink.Keep(skus);
    }

    [Conformance("fresh2")]
    public static void CleanUpContactList()
    {
        var records = ContactsText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var phones = new List<string>();
        foreach (var record in records)
        {
            var parts = record.Split('|');
            var digits = parts[2].Replace("-", string.Empty).Replace(" ", string.Empty);
            var area = digits.Substring(0, 3);
            phones.Add($"({area}) {digits[3..]}");
        }

        var directory = string.Join(Environment.NewLine, phones);
        var banner = string.Create(CultureInfo.InvariantCulture, $"{phones.Count:N0} contacts, {directory.Length / 1024.0:F1} KB, exported {Today:yyyy-MM-dd HH:mm}");
        Sink.Keep(directory);
        Sink.Keep(banner);
    }

    [Conformance("fresh2")]
    public static void WriteAuditTrail()
    {
        var log = new StringBuilder(256);
        for (var i = 0; i < 300; i++)
        {
            log.AppendFormat(CultureInfo.InvariantCulture, "{0:D5} {1,-10} {2:F3}ms ", i, FirstNames[i % FirstNames.Length], i * 0.37);
            log.AppendJoin(", ", Permissions[i % Permissions.Length].Select(permission => permission.ToUpperInvariant())).AppendLine();
        }

        var text = log.ToString();
        var lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        var admins = lines.Where(line => line.Contains("admin", StringComparison.Ordinal)).ToList();
        Sink.Keep(lines);
        Sink.Keep(admins);
    }

    [Conformance("fresh2")]
    public static void ScheduleJobs()
    {
        var pending = new PriorityQueue<Job, int>();
        foreach (var job in Jobs)
        {
            pending.Enqueue(job, job.Priority);
        }

        var ready = new Queue<Job>();
        var undo = new Stack<string>();
        while (pending.TryDequeue(out var next, out var priority))
        {
            ready.Enqueue(next);
            undo.Push(next.Name + ":" + priority.ToString(CultureInfo.InvariantCulture));
        }

        var firstBatch = ready.Take(50).Select(job => job.Name).ToArray();
        Sink.Keep(ready);
        Sink.Keep(undo);
        Sink.Keep(firstBatch);
    }

    [Conformance("fresh2")]
    public static void SortAndSearchEmployees()
    {
        var staff = new List<Employee>(Employees);
        staff.Sort((left, right) => left.Salary.CompareTo(right.Salary));
        var salaries = staff.ConvertAll(employee => employee.Salary);
        var index = salaries.BinarySearch(75_000m);
        var names = staff.ConvertAll(employee => employee.LastName + ", " + employee.FirstName);
        names.Sort(StringComparer.OrdinalIgnoreCase);
        var position = names.BinarySearch("Smith, Alex", StringComparer.OrdinalIgnoreCase);
        var badges = names.GetRange(0, 200).ConvertAll(name => new Badge(name, name.GetHashCode(StringComparison.Ordinal) & 0xFFFF));
        Sink.Keep(salaries);
        Sink.Keep(badges);
        Sink.Keep(index + position);
    }

    [Conformance("fresh2")]
    public static void SummarizeSalesByRegion()
    {
        var byRegion = Sales.GroupBy(s => s.Region).Select(g => new RegionSummary(g.Key, g.Count(), g.Sum(s => s.Amount), g.Max(s => s.Amount))).ToList();
        var sorted = new SortedDictionary<string, RegionSummary>(StringComparer.Ordinal);
        foreach (var summary in byRegion)
        {
            sorted[summary.Region] = summary;
        }

        var monthly = Sales.GroupBy(s => s.Month).ToDictionary(g => g.Key, g => g.Select(s => s.Amount).ToArray());
        var labels = sorted.Values.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Region}: {s.Total:N0} over {s.Count} sales")).ToList();
        Sink.Keep(sorted);
        Sink.Keep(monthly);
        Sink.Keep(labels);
    }

    [Conformance("fresh2")]
    public static void QuoteShipments()
    {
        var rules = new List<IPricingRule> { CreateRule("weight"), CreateRule("distance"), CreateRule("flat") };
        var quotes = new List<Quote>(Shipments.Length);
        foreach (var shipment in Shipments)
        {
            var rule = rules[shipment.Id % rules.Count];
            var quote = rule.Price(shipment);
            quotes.Add(quote.Price > 150m ? quote with { Price = Math.Round(quote.Price * 0.95m, 2) } : quote);
        }

        var express = quotes.Where(q => q.Shipment is ExpressShipment).ToList();
        var heavier = Shipments.OfType<StandardShipment>().Select(s => s with { Weight = s.Weight * 1.1 }).ToArray();
        Sink.Keep(express);
        Sink.Keep(heavier);
    }

    [Conformance("fresh2")]
    public static void CalculateLoyaltyPoints()
    {
        var multiplier = 3;
        var bonusThreshold = 400m;
        var points = Sales.Select(s => Points(s.Amount) * multiplier).ToArray();
        var bonuses = Sales.Where(s => s.Amount > bonusThreshold).Select(s => Describe(s, multiplier)).ToList();
        var total = points.Sum(p => (long)p);
        var statement = FormatStatement(bonuses, total);
        Sink.Keep(points);
        Sink.Keep(statement);

        static int Points(decimal amount)
        {
            return (int)(amount / 10m);
        }

        static string Describe(Sale sale, int factor)
        {
            return sale.Customer + " earned " + (Points(sale.Amount) * factor).ToString(CultureInfo.InvariantCulture) + " bonus points in month " + sale.Month.ToString(CultureInfo.InvariantCulture);
        }

        static string FormatStatement(List<string> lines, long sum)
        {
            var builder = new StringBuilder(lines.Count * 120);
            builder.AppendJoin('\n', lines);
            builder.Append("\ntotal: ").Append(sum);
            return builder.ToString();
        }
    }

    [Conformance("fresh2")]
    public static void ExportSettings()
    {
        var snapshot = new Dictionary<string, string>(Settings, StringComparer.Ordinal);
        var utf8 = JsonSerializer.SerializeToUtf8Bytes(snapshot);
        var encoded = Convert.ToBase64String(utf8);
        var decoded = Convert.FromBase64String(encoded);
        var text = Encoding.UTF8.GetString(decoded);
        var restored = JsonSerializer.Deserialize<Dictionary<string, string>>(text);
        Sink.Keep(encoded);
        Sink.Keep(restored!);
    }

    [Conformance("fresh2")]
    public static void TokenizeAStory()
    {
        var sentences = SentenceBreak.Split(Story);
        var words = WordBreak.Split(Story);
        var capitalized = WordStart.Replace(Story, match => match.Value.ToUpperInvariant());
        var numbers = Number.Matches(Story).Select(match => int.Parse(match.Value, CultureInfo.InvariantCulture)).ToList();
        var longest = sentences.MaxBy(sentence => sentence.Length);
        Sink.Keep(words);
        Sink.Keep(capitalized);
        Sink.Keep(numbers);
        Sink.Keep(longest!);
    }

    [Conformance("fresh2")]
    public static void DeduplicateEmails()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var duplicates = new List<string>();
        foreach (var email in Emails)
        {
            if (!seen.Add(email))
            {
                duplicates.Add(email.ToLowerInvariant() + " (seen before)");
            }
        }

        var byDomain = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var email in seen)
        {
            var domain = email[(email.IndexOf('@') + 1)..];
            if (!byDomain.TryGetValue(domain, out var list))
            {
                list = [];
                byDomain.Add(domain, list);
            }

            list.Add(email);
        }

        var ranking = byDomain.Select(pair => (Domain: pair.Key, Count: pair.Value.Count)).OrderByDescending(entry => entry.Count).ToArray();
        Sink.Keep(duplicates);
        Sink.Keep(ranking);
    }

    [Conformance("fresh2")]
    public static void DescribeLedger()
    {
        var lines = new List<string>(Ledger.Length);
        foreach (var entry in Ledger)
        {
            var line = entry.Kind switch
            {
                TransactionKind.Deposit => "deposit of " + entry.Amount.ToString("F2", CultureInfo.InvariantCulture),
                TransactionKind.Withdrawal => string.Create(CultureInfo.InvariantCulture, $"withdrawal of {entry.Amount:N2} from account {entry.Account} on {Today:dddd, dd MMMM yyyy}"),
                TransactionKind.Transfer => string.Concat("transfer ", entry.Account, " -> ", entry.Counterparty),
                _ => new string('?', 600),
            };
            lines.Add(line);
        }

        var statement = string.Join('\n', lines);
        Sink.Keep(statement);
    }

    [Conformance("fresh2")]
    public static void ConvertCurrencies()
    {
        var rates = Currencies.Zip(Rates, (code, rate) => new ExchangeRate(code, rate)).ToList();
        var batches = Amounts.Chunk(64).Select(chunk => chunk.Sum()).ToArray();
        var byRegion = Sales.ToLookup(s => s.Region, s => s.Amount);
        var converted = Amounts.Select((amount, i) => (Amount: amount * rates[i % rates.Count].Rate, Code: rates[i % rates.Count].Code)).ToList();
        var perCode = converted.GroupBy(c => c.Code, c => c.Amount).ToDictionary(g => g.Key, g => g.Sum());
        Sink.Keep(batches);
        Sink.Keep(byRegion);
        Sink.Keep(converted);
        Sink.Keep(perCode);
    }

    [Conformance("fresh2")]
    public static async Task ImportInventoryAsync()
    {
        var manifest = string.Join('\n', Catalog.Select(p => p.Sku + ";" + p.Stock.ToString(CultureInfo.InvariantCulture)));
        await Task.Yield();
        var rows = manifest.Split('\n');
        var bySku = new Dictionary<string, int>(rows.Length, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var cut = row.IndexOf(';');
            bySku[row[..cut]] = int.Parse(row.AsSpan(cut + 1), CultureInfo.InvariantCulture);
        }

        await Task.Yield();
        var payload = Encoding.UTF8.GetBytes(manifest);
        var checksum = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(payload));
        Sink.Keep(bySku);
        Sink.Keep(payload);
        Sink.Keep(checksum);
    }

    private static IPricingRule CreateRule(string kind) => kind switch
    {
        "weight" => new WeightRule(4.5m),
        "distance" => new DistanceRule(new Dictionary<string, decimal> { ["Lisbon"] = 12m, ["Oslo"] = 30m, ["Osaka"] = 55m }),
        _ => new FlatRule(9.99m),
    };

    private static Product[] BuildCatalog(int count)
    {
        var products = new Product[count];
        for (var i = 0; i < count; i++)
        {
            products[i] = new Product("SKU-" + i.ToString("D5", CultureInfo.InvariantCulture), Categories[(i * 5) % Categories.Length], 3.5m + ((i * 31) % 400), (i * 17) % 90);
        }

        return products;
    }

    private static string BuildContacts(int count)
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append(FirstNames[i % FirstNames.Length]).Append('|').Append(LastNames[(i * 3) % LastNames.Length]).Append('|')
                .Append(string.Create(CultureInfo.InvariantCulture, $"{200 + (i % 700):D3} {i * 7 % 1000:D3}-{i * 13 % 10000:D4}")).Append('\n');
        }

        return text.ToString();
    }

    private static Job[] BuildJobs(int count)
    {
        var jobs = new Job[count];
        for (var i = 0; i < count; i++)
        {
            jobs[i] = new Job("job-" + i.ToString(CultureInfo.InvariantCulture), (i * 37) % 100, TimeSpan.FromSeconds(i % 60));
        }

        return jobs;
    }

    private static Employee[] BuildEmployees(int count)
    {
        var employees = new Employee[count];
        for (var i = 0; i < count; i++)
        {
            employees[i] = new Employee(FirstNames[(i * 7) % FirstNames.Length], LastNames[(i * 11) % LastNames.Length], 30_000m + ((i * 7_919) % 90_000));
        }

        return employees;
    }

    private static Sale[] BuildSales(int count)
    {
        var sales = new Sale[count];
        for (var i = 0; i < count; i++)
        {
            sales[i] = new Sale(FirstNames[i % FirstNames.Length] + " " + LastNames[(i * 3) % LastNames.Length], Regions[(i * 3) % Regions.Length], 1 + (i % 12), 5m + ((i * 53) % 700));
        }

        return sales;
    }

    private static Shipment[] BuildShipments(int count)
    {
        string[] destinations = ["Lisbon", "Oslo", "Osaka", "Lima", "Cairo"];
        var shipments = new Shipment[count];
        for (var i = 0; i < count; i++)
        {
            shipments[i] = i % 4 == 0
                ? new ExpressShipment(i, destinations[i % destinations.Length], 0.5 + (i % 30), Today.AddHours(i % 72))
                : new StandardShipment(i, destinations[i % destinations.Length], 1.0 + (i % 50), i % 3 == 0);
        }

        return shipments;
    }

    private static Dictionary<string, string> BuildSettings(int count)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            settings["feature." + Categories[i % Categories.Length] + "." + i.ToString(CultureInfo.InvariantCulture)] = i % 3 == 0 ? "enabled" : "https://config.example.com/values/" + i.ToString("X6", CultureInfo.InvariantCulture);
        }

        return settings;
    }

    private static string BuildStory(int words)
    {
        string[] vocabulary = ["once", "upon", "a", "time", "there", "were", "42", "dragons", "and", "7", "knights", "who", "rode", "north", "for", "365", "days"];
        var text = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            text.Append(vocabulary[((i * 5) + (i / 17)) % vocabulary.Length]);
            text.Append(i % 13 == 12 ? ". " : i % 29 == 28 ? "! " : " ");
        }

        return text.ToString();
    }

    private static string[] BuildEmails(int count)
    {
        var emails = new string[count];
        for (var i = 0; i < count; i++)
        {
            var person = (i * 7) % (count * 2 / 3);
            var name = FirstNames[person % FirstNames.Length] + "." + LastNames[person % LastNames.Length] + person.ToString(CultureInfo.InvariantCulture);
            emails[i] = (i % 5 == 0 ? name.ToUpperInvariant() : name) + "@" + Domains[person % Domains.Length];
        }

        return emails;
    }

    private static Transaction[] BuildLedger(int count)
    {
        var ledger = new Transaction[count];
        for (var i = 0; i < count; i++)
        {
            ledger[i] = new Transaction((TransactionKind)(i % 4), "ACC-" + (i % 50).ToString("D4", CultureInfo.InvariantCulture), "ACC-" + ((i * 7) % 50).ToString("D4", CultureInfo.InvariantCulture), 10m + ((i * 97) % 5_000));
        }

        return ledger;
    }

    private static decimal[] BuildAmounts(int count)
    {
        var amounts = new decimal[count];
        for (var i = 0; i < count; i++)
        {
            amounts[i] = 1m + ((i * 61) % 1_000) / 4m;
        }

        return amounts;
    }

    internal sealed record Product(string Sku, string Category, decimal Price, int Stock);

    internal sealed record Job(string Name, int Priority, TimeSpan Estimate);

    internal sealed record Employee(string FirstName, string LastName, decimal Salary);

    internal sealed record Badge(string Name, int Code);

    internal sealed record Sale(string Customer, string Region, int Month, decimal Amount);

    internal sealed record RegionSummary(string Region, int Count, decimal Total, decimal Largest);

    internal sealed record ExchangeRate(string Code, decimal Rate);

    internal sealed record Transaction(TransactionKind Kind, string Account, string Counterparty, decimal Amount);

    internal enum TransactionKind
    {
        Deposit,
        Withdrawal,
        Transfer,
        Fee,
    }

    internal abstract record Shipment(int Id, string Destination, double Weight);

    internal sealed record StandardShipment(int Id, string Destination, double Weight, bool Insured) : Shipment(Id, Destination, Weight);

    internal sealed record ExpressShipment(int Id, string Destination, double Weight, DateTime Deadline) : Shipment(Id, Destination, Weight);

    internal sealed record Quote(Shipment Shipment, decimal Price, string Note);

    internal interface IPricingRule
    {
        string Name { get; }

        Quote Price(Shipment shipment);
    }

    internal sealed class WeightRule(decimal perKilogram) : IPricingRule
    {
        public string Name => "weight";

        public Quote Price(Shipment shipment) => new(shipment, perKilogram * (decimal)shipment.Weight, string.Empty);
    }

    internal sealed class DistanceRule(Dictionary<string, decimal> zones) : IPricingRule
    {
        public string Name => "distance";

        public Quote Price(Shipment shipment)
        {
            var zone = zones.GetValueOrDefault(shipment.Destination, 80m);
            var price = zone * (decimal)shipment.Weight;
            return new Quote(shipment, price, "zone " + zone.ToString(CultureInfo.InvariantCulture) + " to " + shipment.Destination);
        }
    }

    internal sealed class FlatRule(decimal fee) : IPricingRule
    {
        public string Name => "flat";

        public Quote Price(Shipment shipment) => new(shipment, fee, shipment is ExpressShipment express ? "express by " + express.Deadline.ToString("u", CultureInfo.InvariantCulture) : "standard");
    }
}
