using System.Diagnostics.CodeAnalysis;

namespace DotnetMemLine.Tests.Symbols.Fixtures;

// Methods on known lines for the symbol tests. Markers in trailing comments ("@sig:", "@end:", "@line:") name
// the lines the tests expect; the tests read this file (found through the PDB) to turn markers into numbers.
// Moving code around here is fine, markers move with it.
[SuppressMessage("Performance", "CA1822", Justification = "Shapes of members are what is under test.")]
internal sealed class LineFixture
{
    private readonly List<int> _items = new(capacity: 4); // @line:FieldInit

    public LineFixture() // @sig:Ctor
    {
        _items.Add(1); // @line:CtorBody
    } // @end:Ctor

    public LineFixture(int first) // @sig:CtorWithArg
        : this()
    {
        _items.Add(first);
    } // @end:CtorWithArg

    [SuppressMessage("Style", "IDE0060", Justification = "An attribute between methods must not be taken for a signature.")]
    public static string Simple(int count) // @sig:Simple
    {
        var text = new string('x', count); // @line:SimpleAlloc
        return text + "!"; // @line:SimpleReturn
    } // @end:Simple

    public static List<string> MultiLine( // @sig:MultiLine
        int a,
        string b)
    {
        return [b, a.ToString(System.Globalization.CultureInfo.InvariantCulture)];
    } // @end:MultiLine

    public static int ExpressionBodied(int x) => x * 2; // @sig:ExpressionBodied @end:ExpressionBodied

    public static int WithHidden(int x) // @sig:WithHidden
    {
        var a = x + 1; // @line:BeforeHidden
#line hidden
        var b = a * 2;
#line default
        return b; // @line:AfterHidden
    } // @end:WithHidden

    public int Count // @sig:Count
    {
        get
        {
            return _items.Count;
        } // @end:Count
    }

    public int this[int index] => _items[index]; // @sig:Indexer @end:Indexer

    public static async Task<int> AsyncWork(int delay) // @sig:AsyncWork
    {
        await Task.Delay(delay).ConfigureAwait(false);
        return delay; // @line:AfterAwait
    } // @end:AsyncWork

    public static T Generic<T>(T value) // @sig:Generic
        where T : class
    {
        return value;
    } // @end:Generic

    public static int WithLocal(int x) // @sig:WithLocal
    {
        return Local(x) + WithLocal2(x);

        static int Local(int y) // @sig:Local
        {
            return y + 1;
        } // @end:Local
    } // @end:WithLocal

    // A call of the same name above the signature must not confuse the upward search.
    public static int WithLocal2(int x) => x; // @sig:WithLocal2

    public static int Overload(int x) => x;

    public static int Overload(string s) => s.Length;

    public static bool TryParse(string text, out int value) => int.TryParse(text, out value);

    public static void Many(ref int a, in long b, int? c, List<string> d, int[] e, (int, string) f, Dictionary<string, List<int>> g, int[,] h)
    {
    }

    public static List<int> WithLambdas(List<string> words) // @sig:WithLambdas
    {
        Func<string, int> measure = w => w.Length + words.Count(v => v == w); // @line:LambdaLine
        return words.Select(measure).ToList();
    } // @end:WithLambdas

    public static int CallsSimpleTwice() // @sig:CallsSimpleTwice
    {
        var first = Simple(1).Length; // @line:FirstCall
        return first + Simple(2).Length + Nested.Deep().Length; // @line:SecondCall
    } // @end:CallsSimpleTwice

    public static T[] MakeArray<T>(int length) => new T[length];

    public static object BoxIt<T>(T value) => value!;

    public static string CallsNeverInlined() => NeverInlined() + Simple(3);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static string NeverInlined() => "n";

    public static Func<int> CapturesAVariable(int seed)
    {
        var captured = seed + 1; // @line:FirstStatementOfClosureScope
        return () => captured;
    }

    public static object[] BoxesStructsAndOthers() => [(object)(1, 2), (object)3, (object)System.DayOfWeek.Monday, (object)new FixtureStruct { Value = 1 }, (object)FixtureEnum.Second];

    public struct FixtureStruct
    {
        public int Value;
    }

    public enum FixtureEnum
    {
        First,
        Second,
    }

    public static void CountUp(int[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i;
        }
    }

    internal sealed class Nested
    {
        public static string Deep() => new('y', 2);
    }

    // Holes of a decimal, an int, a framework enum, a list of a struct and a string: AppendFormatted<decimal> and
    // List<FixtureStruct>'s methods are generic code over a struct (not a primitive, not an enum).
    public static string InterpolatesHoles(decimal price, int count, System.DayOfWeek day, List<FixtureStruct> points, string name) =>
        $"{price} {count} {day} {points.Count} {name}";
}
