using DotnetMemLine.Collection;

namespace DotnetMemLine.Tests.Collection;

[TestClass]
public sealed class DurationParserTests
{
    [TestMethod]
    [DataRow("30", 30.0)]
    [DataRow("1.5", 1.5)]
    [DataRow("01:30", 90.0)]
    [DataRow("00:00:01:30", 90.0)]
    [DataRow("1:00:00:00", 86400.0)]
    public void Parses_SecondsAndClockForms(string text, double expectedSeconds)
    {
        Assert.IsTrue(DurationParser.TryParse(text, out TimeSpan duration));
        Assert.AreEqual(expectedSeconds, duration.TotalSeconds, 1e-9);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("abc")]
    [DataRow("0")]
    [DataRow("-5")]
    [DataRow("1:2:3:4:5")]
    [DataRow("00:xx")]
    public void Rejects_InvalidText(string text) => Assert.IsFalse(DurationParser.TryParse(text, out _));
}
