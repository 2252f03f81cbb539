using System.Text;

namespace ConformanceTarget.Shapes;

/// <summary>Everyday statements on consecutive lines, each allocating something different.</summary>
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

    private static string[] Tokenize(string document) => document.Split(' ');
}
