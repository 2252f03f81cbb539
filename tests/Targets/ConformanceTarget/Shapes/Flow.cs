namespace ConformanceTarget.Shapes;

/// <summary>Statements that steer: using, try/catch/finally, throw, switch, loops with allocating headers.</summary>
internal static partial class Flow
{
    private static readonly string[] Words = ["alpha", "beta", "gamma", "delta", "epsilon"];

    [Conformance("flow")]
    public static void UsingStatements()
    {
        using var stream = new MemoryStream(64_000);
        using (var writer = new StreamWriter(stream, leaveOpen: true))
        {
            writer.Write(new string('w', 2_000));
        }

        var bytes = stream.ToArray();
        Sink.Keep(bytes);
    }

    [Conformance("flow")]
    public static void TryCatchFinally()
    {
        var before = new byte[10_000];
        try
        {
            var inside = new byte[20_000];
            Sink.Keep(inside);
            throw new InvalidOperationException("conformance");
        }
        catch (InvalidOperationException error)
        {
            var message = error.Message + " caught";
            Sink.Keep(message);
        }
        finally
        {
            var cleanup = new byte[30_000];
            Sink.Keep(cleanup);
        }

        Sink.Keep(before);
    }

    [Conformance("flow")]
    public static void ThrowFromACallee()
    {
        var attempts = new List<string>(10);
        try
        {
            Fail(Words[0]);
        }
        catch (ArgumentException error)
        {
            attempts.Add(error.ParamName ?? "none");
        }

        Sink.Keep(attempts);
    }

    [Conformance("flow")]
    public static void SwitchExpressionAndStatement()
    {
        var kind = Words.Length % 3;
        var shape = kind switch { 0 => new byte[10], 1 => new byte[20_000], _ => new byte[30] };
        object value = kind;
        var description = value switch { int n when n > 1 => new string('d', 500), int => "one", _ => "other" };
        switch (kind)
        {
            case 2:
                Sink.Keep(new int[4_000]);
                break;
            default:
                Sink.Keep(new int[1]);
                break;
        }

        Sink.Keep(shape);
        Sink.Keep(description);
    }

    [Conformance("flow")]
    public static void LoopConditionAndIncrementAllocate()
    {
        var total = 0;
        for (var i = 0; i < Limit(new int[100]); i += Step(new byte[200]))
        {
            total += i;
        }

        var queue = new Queue<string>(Words);
        while (queue.Count > 0 && queue.Dequeue().ToUpperInvariant().Length > 0)
        {
            total++;
        }

        Sink.Keep(total);
    }

    [Conformance("flow")]
    public static void ForeachOverAnEnumerable()
    {
        var lengths = new List<int>();
        foreach (var word in Repeat(Words, 20))
        {
            var upper = word.ToUpperInvariant();
            lengths.Add(upper.Length);
        }

        foreach (var number in lengths)
        {
            Sink.Keep(number);
        }

        Sink.Keep(lengths);
    }

    [Conformance("flow")]
    public static void DoWhileAndBreakContinue()
    {
        var collected = new List<string>();
        var i = 0;
        do
        {
            i++;
            if (i % 2 == 0)
            {
                continue;
            }

            collected.Add(new string('c', i * 10));
            if (i > 40)
            {
                break;
            }
        }
        while (i < 100);
        Sink.Keep(collected);
    }

    [Conformance("flow")]
    public static void LockAndNestedBlocks()
    {
        var gate = new object();
        lock (gate)
        {
            var inside = new byte[5_000];
            Sink.Keep(inside);
        }

        if (Words.Length > 3)
        {
            var nested = new List<byte[]> { new byte[1_000], new byte[2_000] };
            Sink.Keep(nested);
        }
        else
        {
            Sink.Keep(new byte[1]);
        }
    }

    private static int Limit(int[] scratch) => scratch.Length;

    private static int Step(byte[] scratch) => scratch.Length / 20;

    private static void Fail(string name) => throw new ArgumentException("bad " + name, name);

    private static IEnumerable<string> Repeat(string[] items, int times)
    {
        for (var t = 0; t < times; t++)
        {
            foreach (var item in items)
            {
                yield return item + t.ToString();
            }
        }
    }
}
