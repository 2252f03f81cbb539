using System.Text.RegularExpressions;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Tests.Symbols;

[TestClass]
public sealed class SignatureSearchTests
{
    [TestMethod]
    public void FindBodyEnd_MatchesTheBraceOfTheBody()
    {
        string[] lines =
        [
            "void F(string s = \"}\")",     // 1
            "{",                            // 2
            "    var a = '{';",             // 3
            "    var b = @\"\"\"}\"\"\";",  // 4
            "    /* } */ if (a) { }",       // 5
            "    // }",                     // 6
            "}",                            // 7
            "}",                            // 8
        ];

        Assert.AreEqual(7, SignatureSearch.FindBodyEnd(lines, 1, 100));
    }

    [TestMethod]
    public void FindBodyEnd_OfAnExpressionBody_IsItsSemicolon()
    {
        string[] lines =
        [
            "int F(int x) =>",
            "    Items.Select(i => { return i; })",
            "         .Sum();",
            "int G() => 1;",
        ];

        Assert.AreEqual(3, SignatureSearch.FindBodyEnd(lines, 1, 100));
    }

    [TestMethod]
    public void FindBodyEnd_GivesUpPastTheLimitOrOnUnbalancedText()
    {
        string[] lines = ["void F()", "{", "", "", "}"];

        Assert.IsNull(SignatureSearch.FindBodyEnd(lines, 1, 4));
        Assert.IsNull(SignatureSearch.FindBodyEnd(["}", "{"], 1, 10));
    }

    [TestMethod]
    public void FindUpward_SkipsCommentLinesAndStopsAfterItsRange()
    {
        var pattern = new Regex(@"\bF\(", RegexOptions.None, TimeSpan.FromSeconds(1));
        var lines = new[] { "void F()", "// F(", "{" }.Concat(Enumerable.Repeat(string.Empty, 20)).ToArray();

        Assert.AreEqual(1, SignatureSearch.FindUpward(lines, 3, pattern));
        Assert.IsNull(SignatureSearch.FindUpward(lines, 3 + SignatureSearch.MaxLinesUp, pattern));
    }

    [TestMethod]
    [DataRow("record Point(int X, int Y)", true)]
    [DataRow("public sealed class Reader(Stream stream) : IDisposable", true)]
    [DataRow("public Reader(Stream stream)", false)]
    public void IsTypeDeclaration_TellsPrimaryConstructors(string line, bool expected)
    {
        Assert.AreEqual(expected, SignatureSearch.IsTypeDeclaration(line));
    }
}
