using System.Text;

namespace ConformanceTarget.Shapes;

/// <summary>Everyday statements on consecutive lines: arrays, objects, strings, collections, calls.</summary>
internal static partial class Everyday
{
    private static readonly string[] Documents = ["the quick brown fox", "jumps over the lazy dog", "and runs away"];

    [Conformance("everyday")]
    public static void ArraysObjectsStrings()
    {
        var a1 = new byte[200_000];
        var numbers = new int[50_000];
        var text = new string('x', 30_000);
        var list = new List<int>(10_000);
        var builder = new StringBuilder(20_000);
        var map = new Dictionary<int, string>(1_000);
        Sink.Keep(a1);
        Sink.Keep(numbers);
        Sink.Keep(text);
        Sink.Keep(list);
        Sink.Keep(builder);
        Sink.Keep(map);
    }

    [Conformance("everyday")]
    public static void CallThenNew()
    {
        var tokens = Documents.SelectMany(Tokenize).ToList();
        var lookup = new byte[512 * 1024];
        var utf8 = Encoding.UTF8.GetBytes(Documents[0]);
        var copy = lookup.ToArray();
        Sink.Keep(tokens);
        Sink.Keep(utf8);
        Sink.Keep(copy);
    }

    [Conformance("everyday")]
    public static void FirstAndLastStatements()
    {
        Sink.Keep(new byte[100_000]);
        var middle = new long[1_000];
        Sink.Keep(middle);
        Sink.Keep(new char[70_000]);
    }

    [Conformance("everyday")]
    public static void ConsecutiveNews()
    {
        var small = new object();
        var pair = new KeyValuePair<int, string>[16];
        var chars = new char[4_000];
        var big = new double[40_000];
        var set = new HashSet<string>(500);
        var queue = new Queue<int>(2_000);
        var stack = new Stack<string>(3_000);
        var sorted = new SortedList<int, int>(700);
        var jagged = new int[20][];
        var matrix = new int[100, 100];
        Sink.Keep(small);
        Sink.Keep(pair);
        Sink.Keep(chars);
        Sink.Keep(big);
        Sink.Keep(set);
        Sink.Keep(queue);
        Sink.Keep(stack);
        Sink.Keep(sorted);
        Sink.Keep(jagged);
        Sink.Keep(matrix);
    }

    [Conformance("everyday")]
    public static void StringInterpolationAndConcatenation()
    {
        var count = Documents.Length * 1_000;
        var name = "item" + count.ToString();
        var label = $"{name}: {count} documents, {Documents[1]}";
        var joined = string.Join("|", Documents);
        var upper = label.ToUpperInvariant();
        var parts = label.Split(' ');
        var concat = string.Concat(name, label, joined);
        var replaced = concat.Replace('i', 'I');
        var sub = replaced.Substring(3, 10);
        Sink.Keep(upper);
        Sink.Keep(parts);
        Sink.Keep(sub);
    }

    [Conformance("everyday")]
    public static void CollectionExpressions()
    {
        int[] digits = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        List<int> more = [.. digits, 10, 11, 12];
        string[] words = [.. Documents, "tail"];
        ReadOnlySpan<byte> constant = [1, 2, 3];
        Span<int> local = [4, 5, 6];
        var total = constant.Length + local.Length;
        HashSet<int> unique = [.. more, .. digits];
        Sink.Keep(digits);
        Sink.Keep(more);
        Sink.Keep(words);
        Sink.Keep(unique);
        Sink.Keep(total);
    }

    [Conformance("everyday")]
    public static void Boxing()
    {
        var number = Documents.Length + 40;
        object boxed = number;
        IComparable comparable = 3.5;
        var formatted = string.Format("{0}-{1}", number, 2.5);
        var list = new System.Collections.ArrayList { number, 7L };
        Enum day = DayOfWeek.Monday;
        Sink.Keep(boxed);
        Sink.Keep(comparable);
        Sink.Keep(formatted);
        Sink.Keep(list);
        Sink.Keep(day);
    }

    [Conformance("everyday")]
    public static void ConditionalAllocations()
    {
        var big = Documents.Length > 2;
        var buffer = big ? new byte[100_000] : new byte[10];
        var cached = s_cache ?? new List<int>(5_000);
        var text = big ? "fixed" : new string('n', 100);
        var chosen = buffer.Length > 50 ? MakeBlock(20_000) : MakeBlock(5);
        Sink.Keep(buffer);
        Sink.Keep(cached);
        Sink.Keep(text);
        Sink.Keep(chosen);
    }

    [Conformance("everyday")]
    public static void MultiLineStatements()
    {
        var merged = Merge(
            new byte[1_000],
            new byte[2_000]);
        var order = new Order
        {
            Lines = new List<string>(100),
            Notes = new string('n', 300),
        };
        var totals = new Dictionary<string, int[]>
        {
            ["a"] = new int[10],
            ["b"] = new int[20],
        };
        Sink.Keep(merged);
        Sink.Keep(order);
        Sink.Keep(totals);
    }

    [Conformance("everyday")]
    public static void ArrayResizeAndCopy()
    {
        var items = new int[1_000];
        Array.Resize(ref items, 5_000);
        var cloned = (int[])items.Clone();
        var slice = items[100..900];
        var span = items.AsSpan(10, 20).ToArray();
        Sink.Keep(items);
        Sink.Keep(cloned);
        Sink.Keep(slice);
        Sink.Keep(span);
    }

    // Never set: the ?? always builds a new list.
    private static readonly List<int>? s_cache = Environment.GetEnvironmentVariable("CONFORMANCE_NEVER_SET") is null ? null : [];

    private static string[] Tokenize(string document) => document.Split(' ');

    private static byte[] MakeBlock(int length) => new byte[length];

    private static byte[] Merge(byte[] first, byte[] second) => [.. first, .. second];

    private sealed class Order
    {
        public List<string>? Lines { get; init; }

        public string? Notes { get; init; }
    }
}
