using System.Buffers;
using System.Globalization;
using System.Text;

namespace ConformanceTarget.Shapes;

/// <summary>
/// A fourth generalization check, written the way an application developer writes code, with the shapes the
/// earlier groups had few of: local functions (static, capturing, recursive) beside lambdas in one method, a
/// switch statement with blocks, exception filters, records with <c>with</c>, tuple deconstruction, anonymous
/// types, closures captured in a loop, pooled buffers and spans, query syntax with <c>let</c>, a generic
/// repository of the user's own, object and collection initializers, and the collections beyond List and
/// Dictionary (HashSet, Queue, Stack, LinkedList, SortedList, PriorityQueue).
/// </summary>
internal static partial class Fresh4
{
    private static readonly string[] Streets = ["Keizersgracht", "Via Roma", "Rue Cler", "Ostra Hamngatan", "Calle Mayor", "Nowy Swiat", "Praterstrasse", "Andrassy ut"];
    private static readonly string[] Subjects = ["Login fails", "Invoice missing", "Refund request", "App crashes on start", "Password reset", "Wrong address", "Slow dashboard"];

    private static readonly string[] Addresses = BuildAddresses(900);
    private static readonly Ticket[] Tickets = BuildTickets(700);
    private static readonly Member[] Members = BuildMembers(800);
    private static readonly string[] Skus = BuildSkus(1_500, "SKU");
    private static readonly string[] MoreSkus = BuildSkus(1_500, "SKX");
    private static readonly byte[] Payload = BuildPayload(30_000);
    private static readonly ReceiptItem[] ReceiptItems = BuildReceiptItems(260);
    private static readonly string[] Queries = BuildQueries(400);
    private static readonly double[] Readings = BuildReadings(1_200);

    [Conformance("fresh4")]
    public static void PlanDeliveryRoutes()
    {
        var depot = "route-7";
        var stops = Addresses.Select((address, index) => new Stop(index, address, Distance(index))).ToList();
        var nearest = stops.OrderBy(stop => stop.Kilometres).Take(300).Select(stop => Describe(stop)).ToArray();
        var perStreet = stops.GroupBy(stop => stop.Address[..stop.Address.IndexOf(' ')]).ToDictionary(group => group.Key, group => group.Count());
        var manifest = BuildManifest(stops.Count);
        var labels = stops.ConvertAll(stop => Label(stop));
        Sink.Keep(nearest);
        Sink.Keep(manifest);
        Sink.Keep(labels);

        static double Distance(int index) => Math.Sqrt(index * 37 % 1_000);

        static string Describe(Stop stop) => string.Create(CultureInfo.InvariantCulture, $"{stop.Index:D4} {stop.Address} ({stop.Kilometres:F1} km)");

        string Label(Stop stop) => depot + ":" + stop.Index.ToString(CultureInfo.InvariantCulture) + ":" + perStreet.Count.ToString(CultureInfo.InvariantCulture);

        static char[] BuildManifest(int count)
        {
            var buffer = new char[count * 24];
            buffer.AsSpan().Fill('-');
            return buffer;
        }
    }

    [Conformance("fresh4")]
    public static void ProcessSupportTickets()
    {
        var replies = new List<string>(Tickets.Length);
        var escalations = 0;
        foreach (var ticket in Tickets)
        {
            switch (ticket.Priority)
            {
                case Priority.Low:
                    replies.Add("Thanks, we will get back to you about: " + ticket.Subject);
                    break;
                case Priority.High:
                    replies.Add(string.Format(CultureInfo.InvariantCulture, "Ticket {0} escalated to tier {1}: {2}", ticket.Id, 2, ticket.Subject));
                    escalations++;
                    break;
                default:
                    replies.Add(ticket.Subject.ToUpperInvariant());
                    break;
            }
        }

        var rejected = new List<string>();
        foreach (var ticket in Tickets.Take(40))
        {
            try
            {
                Validate(ticket.Subject);
            }
            catch (ArgumentException error) when (error.ParamName == "subject")
            {
                rejected.Add(error.Message);
            }
        }

        var summary = new int[escalations + 1];
        Sink.Keep(replies);
        Sink.Keep(rejected);
        Sink.Keep(summary);
    }

    [Conformance("fresh4")]
    public static void MergeMemberRecords()
    {
        var normalized = Members.Select(member => member with { Email = member.Email.ToLowerInvariant() }).ToArray();
        var (active, dormant) = Partition(normalized);
        var summary = new { Active = active.Count, Dormant = dormant.Count, Newest = normalized[^1].Name };
        var byDomain = normalized.ToLookup(member => member.Email[(member.Email.IndexOf('@') + 1)..]);
        var headline = summary.ToString();
        var renamed = active.Select(member => member with { Name = member.Name + " (active)" }).ToList();
        Sink.Keep(byDomain);
        Sink.Keep(headline!);
        Sink.Keep(renamed);
    }

    [Conformance("fresh4")]
    public static void WorkTheCollections()
    {
        var seen = new HashSet<string>(Skus, StringComparer.Ordinal);
        seen.UnionWith(MoreSkus);
        var queue = new Queue<int>(Enumerable.Range(0, 5_000));
        var history = new Stack<string>();
        while (queue.Count > 3_800)
        {
            history.Push("job-" + queue.Dequeue().ToString(CultureInfo.InvariantCulture));
        }

        var recent = new LinkedList<string>(history.Take(600));
        var ranked = new SortedList<int, string>(400);
        for (var i = 0; i < 400; i++)
        {
            ranked.Add((i * 7 % 400) + (i * 1_000), recent.First!.Value);
        }

        var pending = new PriorityQueue<string, int>(Skus.Select(sku => (sku, sku.Length)));
        Sink.Keep(seen);
        Sink.Keep(ranked);
        Sink.Keep(pending);
    }

    [Conformance("fresh4")]
    public static void CaptureInALoop()
    {
        var makers = new List<Func<int[]>>();
        for (var i = 0; i < 300; i++)
        {
            var size = (i % 50) + 1;
            makers.Add(() => new int[size * 10]);
        }

        var made = makers.Select(maker => maker()).ToList();
        var counter = 0;
        Func<string> next = () => "item-" + (++counter).ToString(CultureInfo.InvariantCulture);
        var names = Enumerable.Range(0, 400).Select(_ => next()).ToArray();
        var total = made.Sum(array => array.Length);
        var report = new long[total / 100];
        Sink.Keep(made);
        Sink.Keep(names);
        Sink.Keep(report);
    }

    [Conformance("fresh4")]
    public static void PoolAndSlice()
    {
        var rented = ArrayPool<byte>.Shared.Rent(64 * 1_024);
        Payload.CopyTo(rented, 0);
        Span<int> counts = stackalloc int[256];
        foreach (var value in Payload)
        {
            counts[value]++;
        }

        var hex = Convert.ToHexString(rented, 0, 4_096);
        var slice = rented.AsSpan(0, 20_000).ToArray();
        ArrayPool<byte>.Shared.Return(rented);
        var banner = string.Create(12_000, '=', (span, fill) => span.Fill(fill));
        var top = counts.ToArray().Select((count, value) => (value, count)).OrderByDescending(pair => pair.count).Take(8).ToArray();
        Sink.Keep(hex);
        Sink.Keep(slice);
        Sink.Keep(banner);
        Sink.Keep(top);
    }

    [Conformance("fresh4")]
    public static void StoreInvoicesInARepository()
    {
        var repository = new Repository<Invoice>();
        for (var i = 0; i < 500; i++)
        {
            repository.Add(new Invoice(i, "INV-" + i.ToString("D6", CultureInfo.InvariantCulture), i * 12.5));
        }

        var page = repository.Page(2, 120);
        var views = repository.Project(invoice => new InvoiceView { Number = invoice.Number, Label = invoice.Number + " / " + invoice.Amount.ToString("F2", CultureInfo.InvariantCulture) });
        IReadOnlyList<Invoice> large = repository.Where(invoice => invoice.Amount > 3_000);
        var blank = repository.CreateBlank<InvoiceView>(64);
        Sink.Keep(page);
        Sink.Keep(views);
        Sink.Keep(large);
        Sink.Keep(blank);
    }

    [Conformance("fresh4")]
    public static void FormatAReceipt()
    {
        var text = new StringBuilder();
        foreach (var item in ReceiptItems)
        {
            text.AppendLine($"{item.Name,-24}{item.Quantity,4} x {item.UnitPrice,9:F2}");
        }

        text.Insert(0, "RECEIPT\n=======\n");
        text.Replace(" x ", " * ");
        var receipt = text.ToString();
        var footer = string.Format(CultureInfo.InvariantCulture, "{0} items, total {1:F2}, paid by {2} at {3}", ReceiptItems.Length, 1_234.5, "card", "till 4");
        var padded = receipt.PadRight(receipt.Length + 4_000, '.');
        var lines = padded.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Sink.Keep(footer);
        Sink.Keep(lines);
    }

    [Conformance("fresh4")]
    public static void ParseQueryStrings()
    {
        var parameters = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var query in Queries)
        {
            foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=');
                var key = Uri.UnescapeDataString(pair[..equals]);
                if (!parameters.TryGetValue(key, out var values))
                {
                    values = new List<string>();
                    parameters.Add(key, values);
                }

                values.Add(Uri.UnescapeDataString(pair[(equals + 1)..]));
            }
        }

        var pageSizes = parameters["pageSize"].Select(int.Parse).ToArray();
        var searchTerms = string.Join(" | ", parameters["q"].Distinct(StringComparer.Ordinal));
        Sink.Keep(pageSizes);
        Sink.Keep(searchTerms);
    }

    [Conformance("fresh4")]
    public static void SnapshotAGame()
    {
        var players = Enumerable.Range(0, 64).Select(i => new Player { Name = "P" + i.ToString(CultureInfo.InvariantCulture), Position = new(i, i * 2), Inventory = { "sword", "shield" } }).ToList();
        var path = new Waypoint[2_000];
        var snapshot = new GameSnapshot(players, path) { Tick = 42, Tags = ["ranked", "eu-west", "season-9"] };
        var scoreboard = snapshot.Players.Select(player => (player.Name, Score: player.Position.X * 10)).OrderByDescending(entry => entry.Score).ToList();
        var inventories = snapshot.Players.SelectMany(player => player.Inventory).GroupBy(item => item).Select(group => $"{group.Key}: {group.Count()}").ToArray();
        Sink.Keep(snapshot);
        Sink.Keep(scoreboard);
        Sink.Keep(inventories);
    }

    [Conformance("fresh4")]
    public static void DetectAnomalies()
    {
        var window = 24;
        var averages = Readings.Select((value, index) => Average(index)).ToArray();
        var spikes = (from reading in Readings.Select((value, index) => (value, index))
                      let expected = averages[reading.index]
                      where reading.value > expected * 1.3
                      select string.Create(CultureInfo.InvariantCulture, $"spike at {reading.index}: {reading.value:F1} over {expected:F1}")).ToList();
        var smoothed = Smooth(Readings, window);
        var histogram = Histogram(smoothed, 0);
        Sink.Keep(spikes);
        Sink.Keep(histogram);

        double Average(int end)
        {
            var start = Math.Max(0, end - window);
            var slice = Readings[start..(end + 1)];
            return slice.Average();
        }

        static double[] Smooth(double[] values, int width)
        {
            var result = new double[values.Length];
            for (var i = width; i < values.Length; i++)
            {
                result[i] = (values[i] + values[i - width]) / 2;
            }

            return result;
        }

        static int[] Histogram(double[] values, int depth)
        {
            if (depth == 2)
            {
                return new int[values.Length / 4];
            }

            var counts = Histogram(values, depth + 1);
            return [.. counts, depth];
        }
    }

    private static (List<Member> Active, List<Member> Dormant) Partition(Member[] members)
    {
        var active = new List<Member>();
        var dormant = new List<Member>();
        foreach (var member in members)
        {
            (member.VisitsPerMonth > 2 ? active : dormant).Add(member);
        }

        return (active, dormant);
    }

    private static void Validate(string subject)
    {
        if (subject.Length < 14)
        {
            throw new ArgumentException("The subject '" + subject + "' is too short to route", nameof(subject));
        }
    }

    private static string[] BuildAddresses(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Streets[i % Streets.Length].Replace(' ', '-') + " " + (i % 170 + 1).ToString(CultureInfo.InvariantCulture))];

    private static Ticket[] BuildTickets(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Ticket(i, Subjects[i % Subjects.Length] + " #" + (i * 13 % 997).ToString(CultureInfo.InvariantCulture), (Priority)(i % 3)))];

    private static Member[] BuildMembers(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Member("Member " + i.ToString(CultureInfo.InvariantCulture), "User" + i.ToString(CultureInfo.InvariantCulture) + "@Example" + (i % 9).ToString(CultureInfo.InvariantCulture) + ".ORG", i % 5))];

    private static string[] BuildSkus(int count, string prefix) =>
        [.. Enumerable.Range(0, count).Select(i => prefix + "-" + (i * 7).ToString("D5", CultureInfo.InvariantCulture))];

    private static byte[] BuildPayload(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * 31 % 251))];

    private static ReceiptItem[] BuildReceiptItems(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new ReceiptItem(Subjects[i % Subjects.Length].Split(' ')[0] + " item " + i.ToString(CultureInfo.InvariantCulture), i % 7 + 1, 1.25 + (i % 40)))];

    private static string[] BuildQueries(int count) =>
        [.. Enumerable.Range(0, count).Select(i => "q=" + Uri.EscapeDataString(Subjects[i % Subjects.Length]) + "&pageSize=" + (10 + i % 5 * 10).ToString(CultureInfo.InvariantCulture) + "&sort=date%20desc&page=" + (i % 12).ToString(CultureInfo.InvariantCulture))];

    private static double[] BuildReadings(int count) => [.. Enumerable.Range(0, count).Select(i => 50 + (i * 17 % 23) + (i % 97 == 0 ? 60 : 0))];

    internal sealed record Stop(int Index, string Address, double Kilometres);

    internal enum Priority
    {
        Low,
        High,
        Normal,
    }

    internal sealed record Ticket(int Id, string Subject, Priority Priority);

    internal sealed record Member(string Name, string Email, int VisitsPerMonth);

    internal sealed record ReceiptItem(string Name, int Quantity, double UnitPrice);

    internal sealed record Invoice(int Id, string Number, double Amount);

    internal sealed class InvoiceView
    {
        public string Number { get; set; } = "";

        public string Label { get; set; } = "";
    }

    internal readonly record struct Waypoint(int X, int Y);

    internal sealed class Player
    {
        public string Name { get; set; } = "";

        public Waypoint Position { get; set; }

        public List<string> Inventory { get; } = [];
    }

    internal sealed record GameSnapshot(List<Player> Players, Waypoint[] Path)
    {
        public int Tick { get; init; }

        public string[] Tags { get; init; } = [];
    }

    /// <summary>A repository of the user's own: generic, with a <c>new()</c> constraint on one method.</summary>
    internal sealed class Repository<T>
        where T : class
    {
        private readonly List<T> _items = [];

        public void Add(T item) => _items.Add(item);

        public T[] Page(int number, int size) => [.. _items.Skip(number * size).Take(size)];

        public List<TView> Project<TView>(Func<T, TView> map) => _items.ConvertAll(item => map(item));

        public IReadOnlyList<T> Where(Func<T, bool> keep) => _items.FindAll(item => keep(item));

        public TView[] CreateBlank<TView>(int count)
            where TView : new()
        {
            var result = new TView[Math.Min(count, _items.Count)];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = new TView();
            }

            return result;
        }
    }
}
