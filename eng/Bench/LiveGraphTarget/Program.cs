using System.Diagnostics;

// Benchmark target of eng/gc-every-cost.sh: keeps two million small linked objects alive (a graph every full GC must
// mark), then churns short-lived garbage for five seconds and prints how much work it did.
var kept = new List<Node>(2_000_000);
for (int i = 0; i < 2_000_000; i++)
{
    kept.Add(new Node { Next = i > 0 ? kept[i - 1] : null, Payload = new byte[16] });
}

long work = 0;
var clock = Stopwatch.StartNew();
while (clock.Elapsed.TotalSeconds < 5)
{
    work += Churn();
}

Console.WriteLine($"work {work / 100} in {clock.ElapsedMilliseconds} ms, kept {kept.Count}, gen2 GCs {GC.CollectionCount(2)}");

static int Churn()
{
    var strings = new List<string>();
    for (int i = 0; i < 100; i++)
    {
        strings.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    return strings.Count;
}

internal sealed class Node
{
    public Node? Next { get; set; }

    public byte[]? Payload { get; set; }
}
