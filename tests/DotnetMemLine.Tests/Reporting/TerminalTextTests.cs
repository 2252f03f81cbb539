using DotnetMemLine.Reporting;

namespace DotnetMemLine.Tests.Reporting;

[TestClass]
public sealed class TerminalTextTests
{
    [TestMethod]
    [DataRow("var x = 1;\tcomment\n", "var x = 1;\tcomment\n")]
    [DataRow("line\r\nnext", "line\r\nnext")]
    [DataRow("red \u001b[31mtext\u001b[0m", "red \uFFFD[31mtext\uFFFD[0m")]
    [DataRow("bell\a and bare\rreturn", "bell\uFFFD and bare\uFFFDreturn")]
    [DataRow("csi \u009b31m", "csi \uFFFD31m")]
    [DataRow("if (isAdmin \u202E } \u2066 {", "if (isAdmin \uFFFD } \uFFFD {")]
    [DataRow("Program.<Main>$", "Program.<Main>$")]
    public void Clean_ReplacesControlAndBidiCharacters_KeepsLineFeedsAndTabs(string text, string expected)
    {
        Assert.AreEqual(expected, TerminalText.Clean(text));
    }

    [TestMethod]
    public void TheTextTable_ShowsNoEscapeFromASourceLineOrAMethodName()
    {
        var report = ReportFixtures.TwoLineReport();
        var method = report.Methods[0];
        report = report with
        {
            Methods =
            [
                method with
                {
                    Name = "App.\u001b]0;owned\u0007Worker.Classify()",
                    Lines = [.. method.Lines.Select(l => l.Line == 12 ? l with { Text = "        var v = 1; // \u001b[2J" } : l)],
                },
            ],
        };

        string text = TextTableRenderer.Render(report);

        Assert.DoesNotContain("\u001b", text);
        Assert.DoesNotContain("\u0007", text);
        Assert.Contains("var v = 1; // \uFFFD[2J", text);
    }
}
