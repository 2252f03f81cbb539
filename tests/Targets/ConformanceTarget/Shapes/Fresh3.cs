using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace ConformanceTarget.Shapes;

/// <summary>
/// A third generalization check, written without knowing how the profiler maps code to lines, the way
/// an application developer writes it: an inventory reorder report, access-log parsing with spans, a
/// streamed CSV export, a markdown converter, search links, a formula evaluator, a terrain grid, an LRU
/// cache, a firmware encoder, event sourcing with records, settings validation with strategy objects,
/// product-title clean-up, course rosters with LINQ and an async playlist sync. Neighbouring lines
/// allocate clearly different amounts; several allocate tens of kilobytes a call so the sampled runs
/// check them too.
/// </summary>
internal static partial class Fresh3
{
    private static readonly string[] Warehouses = ["Rotterdam", "Leipzig", "Lyon", "Porto", "Gdansk", "Bologna", "Tampere"];

    private static readonly string[] Adjectives =
    [
        "Deluxe", "compact", "Heavy-Duty", "ergonomic", "Vintage", "cordless", "Foldable", "stainless", "Premium", "eco",
        "Wireless", "Rustic", "modular", "Outdoor", "Quiet",
    ];

    private static readonly string[] Nouns =
    [
        "Desk Lamp", "garden hose", "Coffee Table", "drill", "Bookshelf", "kettle", "Office Chair", "blender", "Rain Jacket",
        "tent", "Bike Lock", "speaker", "Picnic Set", "toaster", "Wall Clock", "backpack",
    ];

    private static readonly string[] Cities = ["Ghent", "Utrecht", "Aarhus", "Graz", "Brno", "Turku", "Bergen", "Cork", "Tartu", "Split", "Ljubljana"];
    private static readonly string[] Surnames = ["Vermeulen", "de Jong", "Nielsen", "Huber", "Dvořák", "Virtanen", "Berg", "Walsh", "Tamm", "Horvat", "Novak"];
    private static readonly string[] Artists = ["The Lighthouse Keepers", "Mira Solace", "Northbound", "Echo Harbor", "Velvet Static", "Juniper & Ash"];
    private static readonly string[] ApiRoutes = ["/api/orders", "/api/customers", "/api/invoices", "/api/products", "/health", "/api/search"];

    private static readonly InventoryItem[] Inventory = BuildInventory(1_800);
    private static readonly string AccessLog = BuildAccessLog(900);
    private static readonly Account[] Accounts = BuildAccounts(700);
    private static readonly string MarkdownText = BuildMarkdown(45);
    private static readonly SearchRequest[] Searches = BuildSearches(220);
    private static readonly string[] Formulas = BuildFormulas(300);
    private static readonly double[][] HeightMap = BuildHeightMap(64);
    private static readonly int[] ThumbnailRequests = BuildThumbnailRequests(1_500);
    private static readonly byte[] Firmware = BuildFirmware(6_144);
    private static readonly LedgerEvent[] Events = BuildEvents(1_600);
    private static readonly ServiceOptions[] ServiceConfigs = BuildServiceConfigs(500);
    private static readonly string[] RawTitles = BuildRawTitles(1_200);
    private static readonly Course[] Courses = BuildCourses(45);
    private static readonly Enrollment[] Enrollments = BuildEnrollments(2_000);
    private static readonly Track[] Tracks = BuildTracks(1_500);
    private static readonly Regex LinkPattern = new(@"\[([^\]]+)\]\(([^)\s]+)\)", RegexOptions.CultureInvariant);
    private static readonly Regex BoldPattern = new(@"\*\*(.+?)\*\*", RegexOptions.CultureInvariant);
    private static readonly Regex CodePattern = new(@"`([^`]+)`", RegexOptions.CultureInvariant);

    [Conformance("fresh3")]
    public static void BuildReorderReport()
    {
        var belowPoint = Inventory.Where(item => item.OnHand < item.ReorderPoint).ToList();
        var byWarehouse = belowPoint.GroupBy(item => item.Warehouse).OrderBy(group => group.Key, StringComparer.Ordinal).ToArray();
        var report = new StringBuilder(1_024);
        foreach (var warehouse in byWarehouse)
        {
            report.Append("== ").Append(warehouse.Key).Append(" (").Append(warehouse.Count()).AppendLine(" items) ==");
            foreach (var item in warehouse.OrderBy(i => i.LeadDays).ThenBy(i => i.Sku, StringComparer.Ordinal))
            {
                var quantity = (item.ReorderPoint * 2) - item.OnHand;
                report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{item.Sku,-10} {item.Name,-30} {quantity,5} x {item.UnitCost,8:F2} = {quantity * item.UnitCost,10:F2}"));
            }
        }

        var text = report.ToString();
        var urgent = belowPoint.Where(item => item.OnHand == 0).Select(item => item.Sku + " (" + item.Warehouse + ", " + item.LeadDays.ToString(CultureInfo.InvariantCulture) + " days)").ToArray();
        var totalCost = belowPoint.Sum(item => ((item.ReorderPoint * 2) - item.OnHand) * item.UnitCost);
        Sink.Keep(text);
        Sink.Keep(urgent);
        Sink.Keep((long)totalCost);
    }

    [Conformance("fresh3")]
    public static void SummarizeAccessLog()
    {
        var hitsByRoute = new Dictionary<string, int>(StringComparer.Ordinal);
        var bytesByStatus = new SortedDictionary<int, long>();
        var slowRequests = new List<string>();
        var remaining = AccessLog.AsSpan();
        while (!remaining.IsEmpty)
        {
            var end = remaining.IndexOf('\n');
            var line = end < 0 ? remaining : remaining[..end];
            remaining = end < 0 ? ReadOnlySpan<char>.Empty : remaining[(end + 1)..];
            var requestStart = line.IndexOf('"') + 1;
            var requestLength = line[requestStart..].IndexOf('"');
            var request = line.Slice(requestStart, requestLength);
            var path = request[(request.IndexOf(' ') + 1)..request.LastIndexOf(' ')];
            var queryStart = path.IndexOf('?');
            var route = (queryStart < 0 ? path : path[..queryStart]).ToString();
            hitsByRoute[route] = hitsByRoute.GetValueOrDefault(route) + 1;
            var fields = line[(requestStart + requestLength + 2)..];
            var status = int.Parse(fields[..3], CultureInfo.InvariantCulture);
            var sizeEnd = fields[4..].IndexOf(' ') + 4;
            var size = long.Parse(fields[4..sizeEnd], CultureInfo.InvariantCulture);
            var seconds = double.Parse(fields[(sizeEnd + 1)..], CultureInfo.InvariantCulture);
            bytesByStatus[status] = bytesByStatus.GetValueOrDefault(status) + size;
            if (seconds > 0.8)
            {
                slowRequests.Add(string.Concat(route, " took ", seconds.ToString("F3", CultureInfo.InvariantCulture), "s"));
            }
        }

        var topRoutes = hitsByRoute.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).Take(15).Select(pair => pair.Key + " " + pair.Value.ToString(CultureInfo.InvariantCulture)).ToList();
        var slowReport = string.Join('\n', slowRequests);
        Sink.Keep(topRoutes);
        Sink.Keep(bytesByStatus);
        Sink.Keep(slowReport);
    }

    [Conformance("fresh3")]
    public static IEnumerable<string> StreamAccountsAsCsv()
    {
        yield return "id,name,city,balance,notes";
        var batch = new StringBuilder(8_192);
        foreach (var account in Accounts)
        {
            batch.Append(account.Id).Append(',');
            batch.Append(EscapeCsv(account.Name)).Append(',').Append(EscapeCsv(account.City)).Append(',');
            batch.Append(account.Balance.ToString("F2", CultureInfo.InvariantCulture)).Append(',');
            batch.AppendLine(EscapeCsv(account.Notes));
            if (batch.Length > 6_000)
            {
                yield return batch.ToString();
                batch.Clear();
            }
        }

        var footer = string.Create(CultureInfo.InvariantCulture, $"# {Accounts.Length} accounts, total balance {Accounts.Sum(a => a.Balance):F2}");
        yield return batch.Append(footer).ToString();
    }

    [Conformance("fresh3")]
    public static void RenderMarkdownNotes()
    {
        var lines = MarkdownText.Split('\n');
        var html = new StringBuilder(MarkdownText.Length * 2);
        var inList = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("- ", StringComparison.Ordinal))
            {
                if (!inList)
                {
                    html.AppendLine("<ul>");
                    inList = true;
                }

                html.Append("<li>").Append(RenderInline(line[2..])).AppendLine("</li>");
                continue;
            }

            if (inList)
            {
                html.AppendLine("</ul>");
                inList = false;
            }

            if (line.StartsWith('#'))
            {
                var level = line.IndexOf(' ');
                html.Append("<h").Append(level).Append('>').Append(RenderInline(line[(level + 1)..])).Append("</h").Append(level).AppendLine(">");
            }
            else if (line.Length > 0)
            {
                html.Append("<p>").Append(RenderInline(line)).AppendLine("</p>");
            }
        }

        var page = html.ToString();
        var outline = lines.Where(line => line.StartsWith('#')).Select(line => line.TrimStart('#', ' ')).ToList();
        Sink.Keep(page);
        Sink.Keep(outline);
    }

    [Conformance("fresh3")]
    public static void BuildSearchLinks()
    {
        var links = new List<string>(Searches.Length);
        foreach (var search in Searches)
        {
            var url = new StringBuilder("https://shop.example.com/search/", 192);
            url.Append(search.Category).Append("?q=").Append(Uri.EscapeDataString(search.Text));
            url.Append("&page=").Append(search.Page).Append("&sort=").Append(SortKey(search.Sort));
            foreach (var (name, value) in search.Filters)
            {
                url.Append('&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            }

            links.Add(url.ToString());
        }

        var parameters = links.Select(link => link[(link.IndexOf('?') + 1)..].Split('&')).ToArray();
        var filters = parameters.SelectMany(pairs => pairs.Skip(3)).Select(pair => Uri.UnescapeDataString(pair)).ToHashSet(StringComparer.Ordinal);
        var perCategory = links.GroupBy(link => link[32..link.IndexOf('?')]).ToDictionary(group => group.Key, group => group.Count());
        Sink.Keep(filters);
        Sink.Keep(perCategory);
    }

    [Conformance("fresh3")]
    public static void EvaluateSpreadsheetFormulas()
    {
        var values = new Dictionary<string, double>(Formulas.Length, StringComparer.Ordinal);
        var failures = new List<string>();
        foreach (var formula in Formulas)
        {
            var tokens = Tokenize(formula);
            var postfix = ToPostfix(tokens);
            if (postfix.Count == 0)
            {
                failures.Add("empty formula at " + values.Count.ToString(CultureInfo.InvariantCulture));
                continue;
            }

            values[formula] = EvaluatePostfix(postfix);
        }

        var listing = string.Join(Environment.NewLine, values.Select(pair => pair.Key + " = " + pair.Value.ToString("G6", CultureInfo.InvariantCulture)));
        Sink.Keep(listing);
        Sink.Keep(failures);
    }

    [Conformance("fresh3")]
    public static void SmoothTerrainGrid()
    {
        var size = HeightMap.Length;
        var smoothed = new double[size][];
        for (var row = 0; row < size; row++)
        {
            smoothed[row] = new double[size];
            for (var col = 0; col < size; col++)
            {
                smoothed[row][col] = Average(row, col);
            }
        }

        var transposed = Enumerable.Range(0, size).Select(col => smoothed.Select(row => row[col]).ToArray()).ToArray();
        var product = MultiplyMatrices(smoothed, transposed);
        var seaLevel = smoothed.SelectMany(row => row).Average();
        var peaks = Enumerable.Range(0, size * size).Where(cell => smoothed[cell / size][cell % size] > seaLevel * 1.2).Select(cell => (Row: cell / size, Col: cell % size)).ToList();
        var picture = string.Join('\n', smoothed.Select(row => new string(Array.ConvertAll(row, height => height > seaLevel ? '^' : '~'))));
        Sink.Keep(product);
        Sink.Keep(peaks);
        Sink.Keep(picture);

        double Average(int row, int col)
        {
            var sum = 0.0;
            var count = 0;
            for (var r = Math.Max(0, row - 1); r <= Math.Min(size - 1, row + 1); r++)
            {
                for (var c = Math.Max(0, col - 1); c <= Math.Min(size - 1, col + 1); c++)
                {
                    sum += HeightMap[r][c];
                    count++;
                }
            }

            return sum / count;
        }
    }

    [Conformance("fresh3")]
    public static void ServeThumbnailsFromCache()
    {
        var cache = new LruCache<int, byte[]>(96);
        var misses = 0;
        foreach (var imageId in ThumbnailRequests)
        {
            if (cache.TryGet(imageId, out var thumbnail))
            {
                continue;
            }

            thumbnail = RenderThumbnail(imageId);
            cache.Add(imageId, thumbnail);
            misses++;
        }

        var retained = cache.Keys.ToArray();
        var sizes = cache.Values.Select(image => FormatSize(image.Length)).ToList();
        var summary = string.Create(CultureInfo.InvariantCulture, $"{misses} misses of {ThumbnailRequests.Length} requests, {cache.Evictions} evictions");
        Sink.Keep(cache);
        Sink.Keep(retained);
        Sink.Keep(sizes);
        Sink.Keep(summary);
    }

    [Conformance("fresh3")]
    public static void EncodeFirmwareImage()
    {
        var hex = Convert.ToHexString(Firmware);
        var records = new List<string>(Firmware.Length / 16);
        for (var offset = 0; offset < Firmware.Length; offset += 16)
        {
            var checksum = Checksum(Firmware.AsSpan(offset, 16), offset);
            records.Add(string.Create(CultureInfo.InvariantCulture, $":10{offset & 0xFFFF:X4}00{hex.AsSpan(offset * 2, 32)}{checksum:X2}"));
        }

        var bits = new StringBuilder(768 * 9);
        foreach (var value in Firmware.AsSpan(0, 768))
        {
            bits.Append(Convert.ToString(value, 2).PadLeft(8, '0')).Append(' ');
        }

        var image = string.Join('\n', records);
        var decoded = Convert.FromHexString(hex);
        var base64 = Convert.ToBase64String(decoded, Base64FormattingOptions.InsertLineBreaks);
        var dump = bits.ToString();
        Sink.Keep(image);
        Sink.Keep(base64);
        Sink.Keep(dump);

        static byte Checksum(ReadOnlySpan<byte> data, int address)
        {
            var sum = 16 + (address >> 8) + (address & 0xFF);
            foreach (var value in data)
            {
                sum += value;
            }

            return (byte)(-sum & 0xFF);
        }
    }

    [Conformance("fresh3")]
    public static void ReplayLedgerEvents()
    {
        var state = new LedgerState("ACC-7781", "open", 0m, 0, string.Empty);
        var snapshots = new List<LedgerState>();
        foreach (var change in Events)
        {
            state = change switch
            {
                FundsDeposited deposit => state with { Balance = state.Balance + deposit.Amount, Version = state.Version + 1 },
                FundsWithdrawn withdrawal => state with { Balance = state.Balance - withdrawal.Amount, Version = state.Version + 1, LastReference = withdrawal.Reference },
                AccountFrozen frozen => state with { Status = "frozen since event " + frozen.Sequence.ToString(CultureInfo.InvariantCulture) + ": " + frozen.Reason, Version = state.Version + 1 },
                _ => state with { Status = "open", Version = state.Version + 1 },
            };
            if (state.Version % 40 == 0)
            {
                snapshots.Add(state);
            }
        }

        var flagged = Events.OfType<FundsWithdrawn>().Where(w => w.Amount > 400m).Select(w => w with { Reference = w.Reference + "-REVIEW" }).ToList();
        var timeline = snapshots.Select(snapshot => $"v{snapshot.Version}: {snapshot.Status} {snapshot.Balance:F2}").ToArray();
        var latest = snapshots.Count > 0 ? snapshots[^1] with { Status = "snapshot of " + state.Status } : state;
        Sink.Keep(flagged);
        Sink.Keep(timeline);
        Sink.Keep(latest);
    }

    [Conformance("fresh3")]
    public static void ValidateServiceSettings()
    {
        IOptionsRule[] rules = [new RequiredNameRule(), new PortRule(1_024, 49_151), new EndpointRule(Uri.UriSchemeHttps), new TimeoutRule(TimeSpan.FromSeconds(90))];
        var errors = new List<ValidationError>();
        foreach (var options in ServiceConfigs)
        {
            foreach (var rule in rules)
            {
                var message = rule.Check(options);
                if (message is not null)
                {
                    errors.Add(new ValidationError(options.Name, rule.Field, message));
                }
            }
        }

        var byField = errors.GroupBy(error => error.Field).ToDictionary(group => group.Key, group => group.Select(error => error.Service).ToArray());
        var lines = errors.ConvertAll(error => $"{error.Service}/{error.Field}: {error.Message}");
        var failing = errors.Select(error => error.Service).ToHashSet(StringComparer.Ordinal);
        var valid = ServiceConfigs.Where(options => !failing.Contains(options.Name)).Select(options => options.Name).ToList();
        Sink.Keep(byField);
        Sink.Keep(lines);
        Sink.Keep(valid);
    }

    [Conformance("fresh3")]
    public static void NormalizeProductTitles()
    {
        var slugs = new List<string>(RawTitles.Length);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in RawTitles)
        {
            var lower = raw.ToLowerInvariant();
            var trimmed = lower.Trim();
            var words = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var slug = string.Join('-', words).Replace("&", "and", StringComparison.Ordinal);
            if (seen.Add(slug))
            {
                slugs.Add(slug);
            }
        }

        var titles = slugs.ConvertAll(slug => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(slug.Replace('-', ' ')));
        var catalogIndex = string.Join(';', titles);
        Sink.Keep(slugs);
        Sink.Keep(catalogIndex);
    }

    [Conformance("fresh3")]
    public static void SummarizeCourseEnrollments()
    {
        var rosters = Courses.GroupJoin(Enrollments, course => course.Code, enrollment => enrollment.CourseCode, (course, enrolled) => new Roster(course.Code, course.Title, enrolled.Select(e => e.Student).ToArray())).ToList();
        var seats = rosters.SelectMany(roster => roster.Students, (roster, student) => roster.Code + "/" + student).ToArray();
        var workload = Courses.Zip(rosters, (course, roster) => course.HoursPerWeek * roster.Students.Length).ToArray();
        var gradeSheet = Enrollments.Take(300).Aggregate(new StringBuilder(), (sheet, e) => sheet.Append(e.Student).Append(';').Append(e.CourseCode).Append(';').Append(e.Grade).AppendLine(), sheet => sheet.ToString());
        var averages = Enrollments.GroupBy(e => e.CourseCode).ToDictionary(group => group.Key, group => group.Average(e => e.Grade));
        var honourRoll = Enrollments.Where(e => e.Grade >= 9.0).Select(e => e.Student).Distinct().Order(StringComparer.Ordinal).ToList();
        Sink.Keep(seats);
        Sink.Keep(workload);
        Sink.Keep(gradeSheet);
        Sink.Keep(averages);
        Sink.Keep(honourRoll);
    }

    [Conformance("fresh3")]
    public static async Task SyncPlaylistAsync()
    {
        var onDevice = Tracks.Where(track => track.Id % 3 != 0).ToDictionary(track => track.Id);
        await Task.Yield();
        var inCloud = Tracks.Where(track => track.Id % 7 != 3).Select(track => track.Id % 5 == 0 ? track with { Title = track.Title + " (Remastered)" } : track).ToList();
        await Task.Yield();
        var toDownload = inCloud.Where(track => !onDevice.ContainsKey(track.Id)).ToList();
        var retitled = inCloud.Where(track => onDevice.TryGetValue(track.Id, out var local) && local.Title != track.Title).Select(track => track.Id).ToArray();
        var toDelete = onDevice.Keys.Except(inCloud.Select(track => track.Id)).ToList();
        await Task.Yield();
        var changeLog = string.Join('\n', toDownload.Select(track => "+ " + track.Artist + " - " + track.Title).Concat(toDelete.Select(id => "- #" + id.ToString(CultureInfo.InvariantCulture))));
        Sink.Keep(retitled);
        Sink.Keep(changeLog);
    }

    private static string EscapeCsv(string field)
    {
        if (field.AsSpan().IndexOfAny(',', '"', '\n') < 0)
        {
            return field;
        }

        return "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static string RenderInline(string text)
    {
        var encoded = WebUtility.HtmlEncode(text);
        var linked = LinkPattern.Replace(encoded, match => "<a href=\"" + match.Groups[2].Value + "\">" + match.Groups[1].Value + "</a>");
        var strong = BoldPattern.Replace(linked, match => "<strong>" + match.Groups[1].Value + "</strong>");
        return CodePattern.Replace(strong, match => "<code>" + match.Groups[1].Value + "</code>");
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var position = 0;
        while (position < text.Length)
        {
            var current = text[position];
            if (char.IsWhiteSpace(current))
            {
                position++;
                continue;
            }

            if (char.IsAsciiDigit(current) || current == '.')
            {
                var start = position;
                while (position < text.Length && (char.IsAsciiDigit(text[position]) || text[position] == '.'))
                {
                    position++;
                }

                tokens.Add(new Token(TokenKind.Number, text[start..position], double.Parse(text.AsSpan(start, position - start), CultureInfo.InvariantCulture)));
                continue;
            }

            tokens.Add(new Token(current is '(' or ')' ? TokenKind.Parenthesis : TokenKind.Operator, current.ToString(), 0));
            position++;
        }

        return tokens;
    }

    private static List<Token> ToPostfix(List<Token> tokens)
    {
        var output = new List<Token>(tokens.Count);
        var operators = new Stack<Token>();
        foreach (var token in tokens)
        {
            switch (token.Kind)
            {
                case TokenKind.Number:
                    output.Add(token);
                    break;
                case TokenKind.Operator:
                    while (operators.TryPeek(out var top) && top.Kind == TokenKind.Operator && Precedence(top.Text) >= Precedence(token.Text))
                    {
                        output.Add(operators.Pop());
                    }

                    operators.Push(token);
                    break;
                case TokenKind.Parenthesis when token.Text == "(":
                    operators.Push(token);
                    break;
                default:
                    while (operators.TryPop(out var inner) && inner.Text != "(")
                    {
                        output.Add(inner);
                    }

                    break;
            }
        }

        while (operators.TryPop(out var remaining))
        {
            output.Add(remaining);
        }

        return output;
    }

    private static int Precedence(string op) => op is "*" or "/" or "%" ? 2 : 1;

    private static double EvaluatePostfix(List<Token> postfix)
    {
        var stack = new Stack<double>();
        foreach (var token in postfix)
        {
            if (token.Kind == TokenKind.Number)
            {
                stack.Push(token.Value);
                continue;
            }

            var right = stack.Pop();
            var left = stack.Pop();
            stack.Push(token.Text switch
            {
                "+" => left + right,
                "-" => left - right,
                "*" => left * right,
                "/" => right == 0 ? double.NaN : left / right,
                _ => left % right,
            });
        }

        return stack.Pop();
    }

    private static double[][] MultiplyMatrices(double[][] left, double[][] right)
    {
        var result = new double[left.Length][];
        for (var i = 0; i < left.Length; i++)
        {
            result[i] = new double[right[0].Length];
            for (var k = 0; k < right.Length; k++)
            {
                var factor = left[i][k];
                for (var j = 0; j < right[0].Length; j++)
                {
                    result[i][j] += factor * right[k][j];
                }
            }
        }

        return result;
    }

    private static byte[] RenderThumbnail(int imageId)
    {
        var pixels = new byte[200 + ((imageId % 11) * 150)];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)((imageId * 31) + i);
        }

        return pixels;
    }

    private static string SortKey(SortOrder order) => order switch
    {
        SortOrder.PriceAscending => "price-asc",
        SortOrder.Newest => "newest",
        _ => "relevance",
    };

    private static string FormatSize(long bytes) => bytes switch
    {
        < 1_024 => bytes.ToString(CultureInfo.InvariantCulture) + " B",
        < 1_048_576 => (bytes / 1_024.0).ToString("F1", CultureInfo.InvariantCulture) + " KB",
        _ => (bytes / 1_048_576.0).ToString("F1", CultureInfo.InvariantCulture) + " MB",
    };

    private static InventoryItem[] BuildInventory(int count)
    {
        var items = new InventoryItem[count];
        for (var i = 0; i < count; i++)
        {
            var name = Adjectives[i % Adjectives.Length] + " " + Nouns[(i * 7) % Nouns.Length];
            items[i] = new InventoryItem("INV-" + i.ToString("D5", CultureInfo.InvariantCulture), name, Warehouses[(i * 3) % Warehouses.Length], (i * 13) % 60, 10 + ((i * 17) % 45), 2 + (i % 19), 1.25m + ((i * 29) % 900) / 4m);
        }

        return items;
    }

    private static string BuildAccessLog(int count)
    {
        var log = new StringBuilder();
        string[] verbs = ["GET", "GET", "POST", "GET", "PUT", "DELETE"];
        int[] statuses = [200, 200, 201, 304, 200, 404, 500, 200];
        for (var i = 0; i < count; i++)
        {
            var route = ApiRoutes[(i * 5) % ApiRoutes.Length];
            var path = i % 3 == 0 ? route : route + "/" + ((i * 37) % 23).ToString(CultureInfo.InvariantCulture);
            var query = i % 4 == 0 ? "?page=" + (i % 9).ToString(CultureInfo.InvariantCulture) + "&size=50" : string.Empty;
            log.Append(CultureInfo.InvariantCulture, $"10.0.{i % 256}.{(i * 7) % 256} - - [04/Nov/2024:09:{i % 60:D2}:{(i * 7) % 60:D2} +0000] \"{verbs[i % verbs.Length]} {path}{query} HTTP/1.1\" {statuses[(i * 3) % statuses.Length]} {(i * 997) % 48_000} {((i * 113) % 1_000) / 1_000.0:F3}");
            if (i < count - 1)
            {
                log.Append('\n');
            }
        }

        return log.ToString();
    }

    private static Account[] BuildAccounts(int count)
    {
        var accounts = new Account[count];
        for (var i = 0; i < count; i++)
        {
            var name = i % 6 == 0 ? Surnames[i % Surnames.Length] + ", " + Nouns[i % Nouns.Length] + " Ltd" : Surnames[i % Surnames.Length] + " " + Cities[(i * 3) % Cities.Length];
            var notes = (i % 4) switch
            {
                0 => "prefers \"paperless\" statements, calls after 5pm",
                1 => "net 30",
                2 => string.Empty,
                _ => "VIP since " + (2000 + (i % 24)).ToString(CultureInfo.InvariantCulture) + ", second contact: " + Surnames[(i * 5) % Surnames.Length],
            };
            accounts[i] = new Account(10_000 + i, name, Cities[i % Cities.Length], ((i * 7_919) % 250_000) / 100m - 200m, notes);
        }

        return accounts;
    }

    private static string BuildMarkdown(int sections)
    {
        var text = new StringBuilder();
        for (var i = 0; i < sections; i++)
        {
            text.Append(i % 3 == 0 ? "# " : "## ").Append("Release notes part ").Append(i).Append('\n');
            text.Append("This build fixes **").Append(Nouns[i % Nouns.Length]).Append(" sync** and updates `config.").Append(i).Append(".json`; see [issue ").Append(i * 13).Append("](https://tracker.example.com/issues/").Append(i * 13).Append(").\n");
            for (var item = 0; item < 1 + (i % 4); item++)
            {
                text.Append("- ").Append(Adjectives[(i + item) % Adjectives.Length]).Append(" mode is now `").Append(item % 2 == 0 ? "on" : "off").Append("` by default & **faster**\n");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static SearchRequest[] BuildSearches(int count)
    {
        string[] terms = ["red shoes", "café table", "usb-c hub 100W", "kids' bike", "noise cancelling headphones", "50% off sofa", "oak & walnut shelf"];
        string[] categories = ["fashion", "home", "electronics", "sports", "deals"];
        var searches = new SearchRequest[count];
        for (var i = 0; i < count; i++)
        {
            var filters = new (string Name, string Value)[1 + (i % 4)];
            for (var f = 0; f < filters.Length; f++)
            {
                filters[f] = f switch
                {
                    0 => ("price range", (10 * (i % 7)).ToString(CultureInfo.InvariantCulture) + "-" + (100 + (i % 50)).ToString(CultureInfo.InvariantCulture)),
                    1 => ("brand", Surnames[i % Surnames.Length]),
                    2 => ("city", Cities[(i * 3) % Cities.Length]),
                    _ => ("tag", Adjectives[i % Adjectives.Length] + "/" + (i % 13).ToString(CultureInfo.InvariantCulture)),
                };
            }

            searches[i] = new SearchRequest(terms[i % terms.Length] + " " + (i % 17).ToString(CultureInfo.InvariantCulture), categories[i % categories.Length], 1 + (i % 6), (SortOrder)(i % 3), filters);
        }

        return searches;
    }

    private static string[] BuildFormulas(int count)
    {
        string[] operators = ["+", "-", "*", "/", "%"];
        var formulas = new string[count];
        for (var i = 0; i < count; i++)
        {
            if (i % 50 == 49)
            {
                formulas[i] = "   ";
                continue;
            }

            var a = (i * 7 % 97).ToString(CultureInfo.InvariantCulture);
            var b = (1 + (i * 11 % 53)).ToString(CultureInfo.InvariantCulture) + ".5";
            var c = (2 + (i % 9)).ToString(CultureInfo.InvariantCulture);
            var d = (i * 3 % 41).ToString(CultureInfo.InvariantCulture);
            formulas[i] = i % 2 == 0
                ? "(" + a + " " + operators[i % 5] + " " + b + ") * " + c + " - " + d + " / (" + c + " + 1)"
                : a + " " + operators[(i + 2) % 5] + " " + b + " * (" + d + " - " + c + ") + " + (i % 100).ToString(CultureInfo.InvariantCulture);
        }

        return formulas;
    }

    private static double[][] BuildHeightMap(int size)
    {
        var map = new double[size][];
        for (var row = 0; row < size; row++)
        {
            map[row] = new double[size];
            for (var col = 0; col < size; col++)
            {
                map[row][col] = (Math.Sin(row * 0.21) * Math.Cos(col * 0.17)) + (((row * 31) + (col * 17)) % 23 / 23.0);
            }
        }

        return map;
    }

    private static int[] BuildThumbnailRequests(int count)
    {
        var requests = new int[count];
        for (var i = 0; i < count; i++)
        {
            requests[i] = i % 5 == 4 ? (i * 7_919) % 600 : ((i / 20) * 11 + (i * 3 % 40)) % 400;
        }

        return requests;
    }

    private static byte[] BuildFirmware(int length)
    {
        var image = new byte[length];
        for (var i = 0; i < length; i++)
        {
            image[i] = (byte)((i * 73) ^ (i >> 5));
        }

        return image;
    }

    private static LedgerEvent[] BuildEvents(int count)
    {
        string[] reasons = ["suspicious login from a new device", "chargeback dispute opened by the card issuer", "customer request"];
        var events = new LedgerEvent[count];
        for (var i = 0; i < count; i++)
        {
            events[i] = (i % 20) switch
            {
                < 10 => new FundsDeposited(i, 25m + ((i * 37) % 900)),
                < 16 => new FundsWithdrawn(i, 10m + ((i * 53) % 700), "W-" + i.ToString("D6", CultureInfo.InvariantCulture)),
                < 19 => new AccountFrozen(i, reasons[i % reasons.Length]),
                _ => new AccountReopened(i),
            };
        }

        return events;
    }

    private static ServiceOptions[] BuildServiceConfigs(int count)
    {
        var configs = new ServiceOptions[count];
        for (var i = 0; i < count; i++)
        {
            var endpoint = (i % 6) switch
            {
                0 => "http://svc-" + i.ToString(CultureInfo.InvariantCulture) + ".internal:8080/api",
                1 => "not a url " + i.ToString(CultureInfo.InvariantCulture),
                _ => "https://svc-" + i.ToString(CultureInfo.InvariantCulture) + ".example.com/v2/",
            };
            configs[i] = new ServiceOptions("svc-" + i.ToString("D4", CultureInfo.InvariantCulture), i % 9 == 0 ? "  " : Nouns[i % Nouns.Length] + " service", (i * 997) % 60_000, endpoint, TimeSpan.FromSeconds((i * 7) % 150));
        }

        return configs;
    }

    private static string[] BuildRawTitles(int count)
    {
        var titles = new string[count];
        for (var i = 0; i < count; i++)
        {
            var padding = new string(' ', 4 + (i % 9));
            var joiner = i % 3 == 0 ? "  &  " : "  ";
            titles[i] = padding + Adjectives[i % Adjectives.Length].ToUpperInvariant() + joiner + Nouns[(i * 5) % Nouns.Length] + " Model " + (i % 400).ToString(CultureInfo.InvariantCulture) + padding;
        }

        return titles;
    }

    private static Course[] BuildCourses(int count)
    {
        string[] subjects = ["Algebra", "Databases", "Organic Chemistry", "Medieval History", "Microeconomics", "Machine Learning", "Poetry"];
        var courses = new Course[count];
        for (var i = 0; i < count; i++)
        {
            courses[i] = new Course("C" + (100 + i).ToString(CultureInfo.InvariantCulture), subjects[i % subjects.Length] + " " + (1 + (i / subjects.Length)).ToString(CultureInfo.InvariantCulture), 2 + (i % 5), 3 + (i % 4));
        }

        return courses;
    }

    private static Enrollment[] BuildEnrollments(int count)
    {
        var enrollments = new Enrollment[count];
        for (var i = 0; i < count; i++)
        {
            var student = Surnames[(i * 7) % Surnames.Length] + "-" + (i % 650).ToString("D3", CultureInfo.InvariantCulture);
            enrollments[i] = new Enrollment(student, "C" + (100 + ((i * 13) % 45)).ToString(CultureInfo.InvariantCulture), 4.0 + ((i * 37) % 60) / 10.0);
        }

        return enrollments;
    }

    private static Track[] BuildTracks(int count)
    {
        var tracks = new Track[count];
        for (var i = 0; i < count; i++)
        {
            tracks[i] = new Track(i, Artists[i % Artists.Length], Adjectives[(i * 3) % Adjectives.Length] + " " + Nouns[(i * 7) % Nouns.Length] + " No. " + (i % 90).ToString(CultureInfo.InvariantCulture), TimeSpan.FromSeconds(120 + (i % 240)));
        }

        return tracks;
    }

    internal sealed record InventoryItem(string Sku, string Name, string Warehouse, int OnHand, int ReorderPoint, int LeadDays, decimal UnitCost);

    internal sealed record Account(int Id, string Name, string City, decimal Balance, string Notes);

    internal enum SortOrder
    {
        Relevance,
        PriceAscending,
        Newest,
    }

    internal sealed record SearchRequest(string Text, string Category, int Page, SortOrder Sort, (string Name, string Value)[] Filters);

    internal enum TokenKind
    {
        Number,
        Operator,
        Parenthesis,
    }

    internal sealed record Token(TokenKind Kind, string Text, double Value);

    internal abstract record LedgerEvent(int Sequence);

    internal sealed record FundsDeposited(int Sequence, decimal Amount) : LedgerEvent(Sequence);

    internal sealed record FundsWithdrawn(int Sequence, decimal Amount, string Reference) : LedgerEvent(Sequence);

    internal sealed record AccountFrozen(int Sequence, string Reason) : LedgerEvent(Sequence);

    internal sealed record AccountReopened(int Sequence) : LedgerEvent(Sequence);

    internal sealed record LedgerState(string Id, string Status, decimal Balance, int Version, string LastReference);

    internal sealed record ServiceOptions(string Name, string DisplayName, int Port, string Endpoint, TimeSpan Timeout);

    internal sealed record ValidationError(string Service, string Field, string Message);

    internal sealed record Course(string Code, string Title, int HoursPerWeek, int Credits);

    internal sealed record Enrollment(string Student, string CourseCode, double Grade);

    internal sealed record Roster(string Code, string Title, string[] Students);

    internal sealed record Track(int Id, string Artist, string Title, TimeSpan Length);

    internal interface IOptionsRule
    {
        string Field { get; }

        string? Check(ServiceOptions options);
    }

    internal sealed class RequiredNameRule : IOptionsRule
    {
        public string Field => "displayName";

        public string? Check(ServiceOptions options) => string.IsNullOrWhiteSpace(options.DisplayName) ? "is required" : null;
    }

    internal sealed class PortRule(int lowest, int highest) : IOptionsRule
    {
        public string Field => "port";

        public string? Check(ServiceOptions options)
            => options.Port < lowest || options.Port > highest ? string.Create(CultureInfo.InvariantCulture, $"{options.Port} is outside {lowest}-{highest}") : null;
    }

    internal sealed class EndpointRule(string scheme) : IOptionsRule
    {
        public string Field => "endpoint";

        public string? Check(ServiceOptions options)
        {
            if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri))
            {
                return "'" + options.Endpoint + "' is not an absolute URL";
            }

            return uri.Scheme == scheme ? null : "must use " + scheme + ", not " + uri.Scheme + " (" + uri.Host + ")";
        }
    }

    internal sealed class TimeoutRule(TimeSpan longest) : IOptionsRule
    {
        public string Field => "timeout";

        public string? Check(ServiceOptions options)
        {
            if (options.Timeout <= TimeSpan.Zero)
            {
                return "must be positive";
            }

            return options.Timeout > longest ? "exceeds " + longest.ToString("c", CultureInfo.InvariantCulture) + " by " + (options.Timeout - longest).TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s" : null;
        }
    }

    internal sealed class LruCache<TKey, TValue>
        where TKey : notnull
    {
        private readonly int _capacity;
        private readonly Dictionary<TKey, LinkedListNode<KeyValuePair<TKey, TValue>>> _index;
        private readonly LinkedList<KeyValuePair<TKey, TValue>> _order = new();

        public LruCache(int capacity)
        {
            _capacity = capacity;
            _index = new Dictionary<TKey, LinkedListNode<KeyValuePair<TKey, TValue>>>(capacity);
        }

        public int Evictions { get; private set; }

        public IEnumerable<TKey> Keys => _order.Select(entry => entry.Key);

        public IEnumerable<TValue> Values => _order.Select(entry => entry.Value);

        public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                value = node.Value.Value;
                return true;
            }

            value = default;
            return false;
        }

        public void Add(TKey key, TValue value)
        {
            if (_index.Count >= _capacity)
            {
                var oldest = _order.Last!;
                _order.RemoveLast();
                _index.Remove(oldest.Value.Key);
                Evictions++;
            }

            _index[key] = _order.AddFirst(new KeyValuePair<TKey, TValue>(key, value));
        }
    }
}
