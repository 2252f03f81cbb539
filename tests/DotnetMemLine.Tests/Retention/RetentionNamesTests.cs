using DotnetMemLine.Reporting;
using DotnetMemLine.Retention;
using DotnetMemLine.Tests.Reporting;

namespace DotnetMemLine.Tests.Retention;

[TestClass]
public sealed class RetentionNamesTests
{
    [TestMethod]
    [DataRow("System.Collections.Generic.List<System.Single[]>", "List<float[]>")]
    [DataRow("System.Byte[][]", "byte[][]")]
    [DataRow("System.Collections.Generic.Dictionary<System.String, MyApp.Cache.Entry>", "Dictionary<string, MyApp.Cache.Entry>")]
    [DataRow("MyApp.System.Thing", "MyApp.System.Thing")]
    [DataRow("MyApp.String", "MyApp.String")]
    [DataRow("System.Object[]", "object[]")]
    public void FrameworkNamespacesGo_AndPrimitivesAreKeywords(string clrName, string expected) =>
        Assert.AreEqual(expected, CSharpNames.TypeName(clrName));

    [TestMethod]
    public void TheTable_SaysWhoHoldsEachLine_AndHowLongTheProgramWasSuspended()
    {
        ProfileReport report = ReportFixtures.TwoLineReport();
        var findings = new HeapRetention.Findings(
            new RetentionSummary(0.25, 120, 118),
            new Dictionary<(int, int), IReadOnlyList<RetentionPath>> { [(0, 12)] = [new RetentionPath("static App.Cache.s_vectors -> List<float[]> -> float[][] -> float[]", 398_458_880, 117)] },
            new Dictionary<(int, int), double> { [(0, 12)] = 1_048_576 },
            new Dictionary<(int, int), double> { [(0, 12)] = 2_097_152 });

        string text = new TextTableRenderer().RenderToString(RetentionReport.With(report, findings));

        StringAssert.Contains(text, "Retention: heap walked with ClrMD, the program suspended 0.25 s; 118 of the 120 sampled objects sought found at their address");
        StringAssert.Contains(text, "line 12: 380.0 MiB held by static App.Cache.s_vectors -> List<float[]> -> float[][] -> float[]");
        StringAssert.Contains(text, "line 12: 1.0 MiB held by other paths");
        StringAssert.Contains(text, "line 12: 2.0 MiB not found held: moved or freed since the last GC");
    }
}
