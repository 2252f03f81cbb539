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
}
