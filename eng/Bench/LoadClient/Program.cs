using System.Diagnostics;
using System.Globalization;

// Usage: LoadClient <url> <concurrency> <seconds> [<warm-up seconds>]. Sends GET requests from <concurrency>
// loops for <seconds> and prints "requests=<n> seconds=<s> rps=<r> failed=<f>". With a warm-up, the loops
// first send requests for that long, not counted in those figures: the client's own start (its JIT, its
// connections) then stays out of them, which matters when client and server share the cores. The line
// then ends with " warmup_requests=<n>", the requests completed during the warm-up.
if (args.Length is not (3 or 4))
{
    Console.Error.WriteLine("usage: LoadClient <url> <concurrency> <seconds> [<warm-up seconds>]");
    return 2;
}

string url = args[0];
int concurrency = int.Parse(args[1], CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture));
var warmup = TimeSpan.FromSeconds(args.Length == 4 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 0);
var end = warmup + duration;
using var client = new HttpClient();
long requests = 0;
long failed = 0;
long warmupRequests = 0;
var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
{
    while (clock.Elapsed < end)
    {
        bool succeeded;
        try
        {
            using HttpResponseMessage response = await client.GetAsync(url);
            await response.Content.ReadAsByteArrayAsync();
            succeeded = response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            succeeded = false;
        }

        // A request counts when it completes inside the measured span.
        if (clock.Elapsed >= warmup)
        {
            Interlocked.Increment(ref succeeded ? ref requests : ref failed);
        }
        else
        {
            Interlocked.Increment(ref warmupRequests);
        }
    }
}));
double seconds = (clock.Elapsed - warmup).TotalSeconds;
string warmupPart = warmup > TimeSpan.Zero ? $" warmup_requests={warmupRequests}" : "";
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests={requests} seconds={seconds:F2} rps={requests / seconds:F1} failed={failed}{warmupPart}"));
return 0;
