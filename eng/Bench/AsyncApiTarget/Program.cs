using System.Text.Json;

// Usage: AsyncApiTarget <port>. Prints "Listening <port>" once it serves (port 0: a free port the system
// picks, and the line gives it); GET /report/{n} builds a report of n orders from a data file read
// asynchronously on every request. SIGTERM stops it (and deletes the data file).
int port = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5080;
string dataPath = Path.Combine(Path.GetTempPath(), $"asyncapi-{Environment.ProcessId}.csv");
await File.WriteAllLinesAsync(dataPath, Enumerable.Range(0, 2_000).Select(i => $"{i},customer-{i % 97},{i * 3.25:F2}"));

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
var app = builder.Build();
app.MapGet("/report/{n:int}", (int n, CancellationToken cancellationToken) => Reports.BuildAsync(dataPath, n, cancellationToken));
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"Listening {new Uri(app.Urls.First()).Port}"));
app.Lifetime.ApplicationStopped.Register(() => File.Delete(dataPath));
await app.RunAsync();

internal sealed record Order(int Id, string Customer, decimal Amount);

internal static class Reports
{
    public static async Task<IResult> BuildAsync(string dataPath, int count, CancellationToken cancellationToken)
    {
        List<Order> orders = await LoadOrdersAsync(dataPath, count, cancellationToken);
        using var buffer = new MemoryStream();
        await JsonSerializer.SerializeAsync(buffer, orders, cancellationToken: cancellationToken);
        return Results.Bytes(buffer.ToArray(), "application/json");
    }

    private static async Task<List<Order>> LoadOrdersAsync(string dataPath, int count, CancellationToken cancellationToken)
    {
        var orders = new List<Order>(count);
        await foreach (string line in ReadLinesAsync(dataPath, cancellationToken))
        {
            if (orders.Count == count)
            {
                break;
            }

            string[] fields = line.Split(',');
            orders.Add(new Order(int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), fields[1], decimal.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture)));
        }

        return orders;
    }

    private static async IAsyncEnumerable<string> ReadLinesAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            yield return line;
        }
    }
}
