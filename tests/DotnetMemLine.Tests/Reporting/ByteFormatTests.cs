using DotnetMemLine.Reporting;

namespace DotnetMemLine.Tests.Reporting;

[TestClass]
public sealed class ByteFormatTests
{
    [TestMethod]
    [DataRow(0d, "0 B")]
    [DataRow(1023d, "1023 B")]
    [DataRow(1536d, "1.5 KiB")]
    [DataRow(1_258_291.2d, "1.2 MiB")]
    [DataRow(1_288_490_189d, "1.20 GiB")]
    [DataRow(4_348_654_139_146d, "3.96 TiB")]
    public void Format_PicksTheUnit(double bytes, string expected) => Assert.AreEqual(expected, ByteFormat.Format(bytes));
}
