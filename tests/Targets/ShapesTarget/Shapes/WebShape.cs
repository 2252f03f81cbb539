using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ShapesTarget.Shapes;

/// <summary>
/// An ASP.NET Core minimal API handler under load: 8 client loops send requests back to back, and each
/// request's handler awaits a timer, a real file read and Task.Run work, each in a callee that measures
/// its own lines, on whatever thread Kestrel and the pool run them. The handler's lines carry no measurement.
/// The server starts once per process (on a free port) and serves every round. A second handler,
/// <see cref="CheckoutAsync"/>, is written as plain code around its awaits: its lines' truth is their
/// analytic sizes times the requests it served (the fact "web.checkout.requests").
/// </summary>
public static class WebShape
{
    private const int BlockLength = 32 * 1_024;
    private const int Clients = 8;
    private static readonly Lazy<(WebApplication App, HttpClient Client)> Server = new(Start);
    private static string s_dataPath = "";

    /// <summary>What each line of <see cref="CheckoutAsync"/> allocates per request (arrays and strings of constant length).</summary>
    public const int BasketBytes = 200_024, InvoiceBytes = 120_024, ReceiptBytes = 160_024;

    public static void Run(int rounds)
    {
        (_, HttpClient client) = Server.Value;
        int requests = rounds * Clients;
        int next = 0;
        int checkouts = 0;
        Task.WaitAll([.. Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= requests)
            {
                using HttpResponseMessage response = await client.GetAsync("/orders/7");
                response.EnsureSuccessStatusCode();
                Sink.Keep(await response.Content.ReadAsByteArrayAsync());
                using HttpResponseMessage checkout = await client.GetAsync("/checkout/7");
                checkout.EnsureSuccessStatusCode();
                Interlocked.Increment(ref checkouts);
            }
        }))]);
        Truth.Fact("web.checkout.requests", checkouts);
    }

    public static async Task<IResult> CheckoutAsync(int id)
    {
        var basket = new byte[200_000];
        await Task.Yield();
        var invoice = new string('i', 60_000);
        await Task.Delay(1);
        var receipt = new int[40_000];
        Sink.Keep(basket);
        Sink.Keep(invoice);
        Sink.Keep(receipt);
        return Results.Text($"{id}: {basket.Length + invoice.Length + receipt.Length}");
    }

    public static async Task<IResult> HandleOrderAsync(int id)
    {
        long customer = await LoadCustomerAsync(id);
        long history = await ReadHistoryAsync(s_dataPath);
        long summary = await Task.Run(() => Summarize(history));
        return Results.Text($"{id}: {customer + history + summary}");
    }

    private static async Task<long> LoadCustomerAsync(int id)
    {
        await Task.Delay(1);
        TruthMark mark = Truth.Mark();
        var record = Blocks.Make(16, BlockLength);
        Truth.Record(mark);
        return record.Length + id;
    }

    private static async Task<long> ReadHistoryAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4_096, useAsync: true);
        TruthMark mark = Truth.Mark();
        var buffer = new byte[BlockLength];
        Truth.Record(mark);
        long read = 0;
        int n;
        while ((n = await file.ReadAsync(buffer)) > 0)
        {
            mark = Truth.Mark();
            var copy = buffer.AsSpan(0, n).ToArray();
            Truth.Record(mark);
            read += copy.Length;
        }

        return read;
    }

    private static long Summarize(long history)
    {
        TruthMark mark = Truth.Mark();
        var totals = Blocks.Make(16, BlockLength);
        Truth.Record(mark);
        return totals.Length + history;
    }

    private static (WebApplication, HttpClient) Start()
    {
        s_dataPath = Path.Combine(Path.GetTempPath(), $"web-shape-{Environment.ProcessId}.bin");
        File.WriteAllBytes(s_dataPath, new byte[16 * BlockLength]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(s_dataPath);

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        app.MapGet("/orders/{id:int}", HandleOrderAsync);
        app.MapGet("/checkout/{id:int}", CheckoutAsync);
        app.StartAsync().GetAwaiter().GetResult();
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        return (app, client);
    }
}
