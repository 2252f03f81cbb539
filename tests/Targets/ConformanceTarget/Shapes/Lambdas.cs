namespace ConformanceTarget.Shapes;

/// <summary>Closures, delegates, LINQ chains, query syntax, nested lambdas and local functions.</summary>
internal static partial class Lambdas
{
    private static readonly int[] Numbers = Enumerable.Range(0, 200).ToArray();

    [Conformance("lambdas")]
    public static void LambdaAndLocalFunction()
    {
        var arrays = Enumerable.Range(0, 20).Select(i => new byte[60_000]).ToList();
        var squares = Squares(1_000);
        Sink.Keep(arrays);
        Sink.Keep(squares);

        static int[] Squares(int count)
        {
            var result = new int[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = i * i;
            }

            return result;
        }
    }

    [Conformance("lambdas")]
    public static void ClosuresAndDelegates()
    {
        var factor = Numbers.Length;
        Func<int, int[]> scale = x => new int[x + factor];
        Action<int> keep = Keep;
        var results = Numbers.Select(scale).ToArray();
        keep(results.Length);
        Func<byte[]> make = () => new byte[1_000];
        var made = make();
        Sink.Keep(results);
        Sink.Keep(made);
    }

    [Conformance("lambdas")]
    public static void LinqChainOnSeveralLines()
    {
        var grouped = Numbers
            .Where(n => n % 3 == 0)
            .Select(n => new string('g', n))
            .GroupBy(s => s.Length % 10)
            .ToDictionary(g => g.Key, g => g.ToList());
        var ordered = Numbers.OrderByDescending(n => n).Take(50).ToList();
        Sink.Keep(grouped);
        Sink.Keep(ordered);
    }

    [Conformance("lambdas")]
    public static void QuerySyntax()
    {
        var query =
            from n in Numbers
            where n % 2 == 0
            let text = n.ToString()
            select new { n, text };
        var list = query.ToList();
        Sink.Keep(list);
    }

    [Conformance("lambdas")]
    public static void NestedLambdas()
    {
        var nested = Numbers.Take(30).Select(i => Enumerable.Range(0, i).Select(j => new int[j]).ToList()).ToList();
        var flat = nested.SelectMany(inner => inner.Select(array => array.Length.ToString())).ToArray();
        Sink.Keep(nested);
        Sink.Keep(flat);
    }

    [Conformance("lambdas")]
    public static void StaticLocalFunctionsAndLambdasInOneMethod()
    {
        var lengths = Numbers.Select(n => new char[n]).Sum(chars => chars.Length);
        var built = Build(lengths);
        var counted = Count(Numbers);
        Sink.Keep(built);
        Sink.Keep(counted);

        static string Build(int length)
        {
            var chars = new char[length % 5_000];
            return new string(chars);
        }

        static List<int> Count(int[] numbers)
        {
            var found = new List<int>();
            foreach (var number in numbers)
            {
                found.Add(number);
            }

            return found;
        }
    }

    [Conformance("lambdas")]
    public static void CapturingLocalFunction()
    {
        var prefix = new string('p', 100);
        var labels = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            labels.Add(Label(i));
        }

        Sink.Keep(labels);

        string Label(int index) => prefix + index.ToString();
    }

    [Conformance("lambdas")]
    public static void DelegateInvokedLater()
    {
        var actions = new List<Func<object>>();
        for (var i = 0; i < 20; i++)
        {
            var size = i * 100;
            actions.Add(() => new byte[size]);
        }

        var made = actions.Select(action => action()).ToList();
        Sink.Keep(made);
    }

    private static void Keep(int value) => Sink.Keep((long)value);
}
