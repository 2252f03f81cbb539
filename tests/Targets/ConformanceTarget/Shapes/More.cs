using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace ConformanceTarget.Shapes;

/// <summary>More everyday statement shapes: collections at work, formatting, patterns, delegates, generics.</summary>
internal static partial class More
{
    private static readonly string[] Names = ["ada", "grace", "alan", "barbara", "edsger", "donald"];

    [Conformance("more")]
    public static void StringBuilderInALoop()
    {
        var builder = new StringBuilder();
        for (var i = 0; i < 2_000; i++)
        {
            builder.Append(Names[i % Names.Length]);
        }

        var result = builder.ToString();
        Sink.Keep(result);
    }

    [Conformance("more")]
    public static void DictionaryOperations()
    {
        var index = new Dictionary<string, List<int>>();
        for (var i = 0; i < 600; i++)
        {
            var key = Names[i % Names.Length] + (i % 50).ToString(CultureInfo.InvariantCulture);
            if (!index.TryGetValue(key, out var positions))
            {
                positions = new List<int>(8);
                index[key] = positions;
            }

            positions.Add(i);
        }

        var keys = index.Keys.ToArray();
        Sink.Keep(keys);
    }

    [Conformance("more")]
    public static void ListOperations()
    {
        var list = new List<string>();
        for (var i = 0; i < 3_000; i++)
        {
            list.Add(Names[i % Names.Length]);
        }

        list.Insert(0, "first");
        list.Sort((a, b) => string.CompareOrdinal(a, b));
        var array = list.ToArray();
        var range = list.GetRange(10, 500);
        Sink.Keep(array);
        Sink.Keep(range);
    }

    // No enum formatting: the runtime caches an enum's names weakly, so the first call after a
    // collection allocates more than the next, and the twin and the plain method would differ.
    [Conformance("more")]
    public static void NumberFormatting()
    {
        var number = Names.Length * 12_345;
        var text = number.ToString(CultureInfo.InvariantCulture);
        var money = (number / 7.0).ToString("F2", CultureInfo.InvariantCulture);
        var aligned = $"{number,12:N0}|{money,-10}";
        var padded = number.ToString("D10", CultureInfo.InvariantCulture);
        var parsed = int.Parse(padded, CultureInfo.InvariantCulture);
        var hex = number.ToString("X8", CultureInfo.InvariantCulture);
        Sink.Keep(text + money + aligned + padded + hex);
        Sink.Keep((long)parsed);
    }

    [Conformance("more")]
    public static void ArrayPoolAndSpans()
    {
        var rented = ArrayPool<byte>.Shared.Rent(4_096);
        rented.AsSpan(0, 100).Fill(7);
        var copy = rented.AsSpan(0, 1_000).ToArray();
        ArrayPool<byte>.Shared.Return(rented);
        var chars = Names[1].AsSpan();
        var fromSpan = new string(chars);
        Sink.Keep(copy);
        Sink.Keep(fromSpan);
    }

    [Conformance("more")]
    public static void LazyAndNullCoalescing()
    {
        var lazy = new Lazy<int[]>(() => new int[2_000]);
        var value = lazy.Value;
        List<int>? cache = null;
        cache ??= new List<int>(1_000);
        var maybe = value.Length > 0 ? cache : null;
        var copy = maybe?.ToArray();
        Sink.Keep(value);
        Sink.Keep(copy ?? []);
    }

    [Conformance("more")]
    public static void PatternMatching()
    {
        object[] values = [1, "two", 3.0, Names, null!];
        var described = new List<string>();
        foreach (var value in values)
        {
            var text = value switch
            {
                int n => new string('i', n * 10),
                string s when s.Length > 2 => s.ToUpperInvariant(),
                string[] array => string.Join(",", array),
                null => "null",
                _ => value.ToString() ?? "",
            };
            described.Add(text);
        }

        Sink.Keep(described);
    }

    [Conformance("more")]
    public static void RecursiveLocalFunction()
    {
        var tree = Build(6);
        Sink.Keep(tree);

        static object Build(int depth)
        {
            var children = new object[depth];
            for (var i = 0; i < depth; i++)
            {
                children[i] = Build(depth - 1);
            }

            return children;
        }
    }

    [Conformance("more")]
    public static void GenericTypesAndStructArrays()
    {
        var box = new Box<int>(5);
        var pair = new Pair<string, int[]>("x", new int[300]);
        var points = new Point[2_000];
        var boxes = Enumerable.Range(0, 100).Select(i => new Box<long>(i)).ToList();
        Sink.Keep(box);
        Sink.Keep(pair);
        Sink.Keep(points);
        Sink.Keep(boxes);
    }

    [Conformance("more")]
    public static void LinqSetOperations()
    {
        var doubled = Names.Concat(Names).ToList();
        var distinct = doubled.Distinct().ToArray();
        var zipped = Names.Zip(distinct, (a, b) => a + b).ToList();
        var total = doubled.Aggregate(new StringBuilder(), (sb, name) => sb.Append(name)).ToString();
        var lookup = doubled.ToLookup(name => name[0]);
        Sink.Keep(zipped);
        Sink.Keep(total);
        Sink.Keep(lookup);
    }

    [Conformance("more")]
    public static void EncodingRoundTrip()
    {
        var text = string.Join(" ", Names);
        var bytes = Encoding.UTF8.GetBytes(text);
        var decoded = Encoding.UTF8.GetString(bytes);
        var base64 = Convert.ToBase64String(bytes);
        var back = Convert.FromBase64String(base64);
        Sink.Keep(decoded);
        Sink.Keep(back);
    }

    [Conformance("more")]
    public static void ImmutableCollections()
    {
        var array = ImmutableArray.Create(Names);
        var list = ImmutableList.CreateRange(Names);
        var added = list.Add("linus");
        var builder = ImmutableDictionary.CreateBuilder<string, int>();
        builder.Add("a", 1);
        var dictionary = builder.ToImmutable();
        Sink.Keep(array.Length);
        Sink.Keep(added);
        Sink.Keep(dictionary);
    }

    [Conformance("more")]
    public static void DelegateCombination()
    {
        var log = new List<string>();
        Action<string> handler = log.Add;
        handler += message => log.Add(message + "!");
        handler("event");
        Func<int, int[]> pick = Names.Length > 3 ? n => new int[n] : n => new int[1];
        var picked = pick(500);
        Sink.Keep(log);
        Sink.Keep(picked);
    }

    [Conformance("more")]
    public static void WhileWithBreakAndNew()
    {
        var chunks = new List<byte[]>();
        var size = 16;
        while (true)
        {
            var chunk = new byte[size];
            chunks.Add(chunk);
            size *= 2;
            if (size > 200_000)
            {
                break;
            }
        }

        Sink.Keep(chunks);
    }

    [Conformance("more")]
    public static void TupleReturningCalls()
    {
        var (head, tail) = Split(Names);
        var (count, first) = (tail.Length, head.ToUpperInvariant());
        var named = Measure(tail);
        Sink.Keep(tail);
        Sink.Keep(first + count.ToString(CultureInfo.InvariantCulture));
        Sink.Keep(named.Buffer);
    }

    [Conformance("more")]
    public static void ForeachOverDictionary()
    {
        var scores = Names.ToDictionary(name => name, name => name.Length);
        var lines = new List<string>();
        foreach (var (name, score) in scores)
        {
            lines.Add(name + "=" + score.ToString(CultureInfo.InvariantCulture));
        }

        Sink.Keep(lines);
    }

    private static (string Head, string[] Tail) Split(string[] items) => (items[0], items[1..]);

    private static (int Length, byte[] Buffer) Measure(string[] items) => (items.Length, new byte[items.Length * 1_000]);

    private sealed class Box<T>(T value)
    {
        public T Value { get; } = value;
    }

    private sealed record Pair<TFirst, TSecond>(TFirst First, TSecond Second);

    private readonly record struct Point(int X, int Y, string? Label);
}
