namespace EmbeddedPdbSample;

/// <summary>Methods on known lines for the embedded-PDB and Release-shape symbol tests (see the "@" markers).</summary>
public sealed record Greeter(string Prefix) // @sig:PrimaryCtor @end:PrimaryCtor
{
    public static string Greet(string name) // @sig:Greet
    {
        var greeting = "Hello, " + name; // @line:Greeting
        return greeting;
    } // @end:Greet

    public static string Classify(int value) // @sig:Classify
    {
        if (value > 0)
        {
            return "positive { with a brace in a string";
        }
        else
        {
            // a } in a comment
            return new string('}', -value);
        }
    } // @end:Classify

    public static int Depth(int n) // @sig:Depth
    {
        return n <= 0 ? 0 : Depth(n - 1) + 1;
    } // @end:Depth

    public int PrefixLength // @sig:PrefixLength
    {
        get
        {
            return Prefix.Length + Prefix.Length;
        }
    }

    public static int WithLocalFunctions(int n) // @sig:WithLocalFunctions
    {
        var sum = Sum(n);
        return sum + Twice(sum);

        // Local functions after the return, longer than anything a closing-brace scan expects.
        static int Sum(int count)
        {
            var total = 0;
            for (var i = 0; i < count; i++)
            {
            total += Square(i + 0);
            total += Square(i + 1);
            total += Square(i + 2);
            total += Square(i + 3);
            total += Square(i + 4);
            total += Square(i + 5);
            total += Square(i + 6);
            total += Square(i + 7);
            total += Square(i + 8);
            total += Square(i + 9);
            total += Square(i + 10);
            total += Square(i + 11);
            total += Square(i + 12);
            total += Square(i + 13);
            total += Square(i + 14);
            total += Square(i + 15);
            total += Square(i + 16);
            total += Square(i + 17);
            total += Square(i + 18);
            total += Square(i + 19);
            total += Square(i + 20);
            total += Square(i + 21);
            total += Square(i + 22);
            total += Square(i + 23);
            }

            return total;
        }

        static int Square(int x) => x * x;

        static int Twice(int x) => x * 2;
    } // @end:WithLocalFunctions
}
