using DotnetMemLine.Reporting;

namespace DotnetMemLine.Tests.Reporting;

[TestClass]
public sealed class ReportRenderersTests
{
    [TestMethod]
    public void Formats_AreFoundByName_InAnyCase_AndUnknownNamesAreNot()
    {
        Assert.IsInstanceOfType<JsonReportWriter>(ReportRenderers.Find("JSON"));
        Assert.IsInstanceOfType<TextTableRenderer>(ReportRenderers.Find("text"));
        Assert.IsNull(ReportRenderers.Find("xml"));
        Assert.AreSame(ReportRenderers.Find("text"), ReportRenderers.Default);
    }

    [TestMethod]
    public void EveryRenderer_HasADistinctLowerCaseName_AndADescription()
    {
        Assert.AreEqual(ReportRenderers.All.Count, ReportRenderers.Names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        foreach (IReportRenderer renderer in ReportRenderers.All)
        {
            Assert.AreEqual(renderer.FormatName.ToLowerInvariant(), renderer.FormatName);
            Assert.IsFalse(string.IsNullOrWhiteSpace(renderer.Description), renderer.FormatName);
        }
    }

    [TestMethod]
    public void RenderToString_IsWhatTheRendererWrites()
    {
        ProfileReport report = ReportFixtures.ExactReport();
        using var writer = new StringWriter();
        new TextTableRenderer().Render(report, writer);

        Assert.AreEqual(writer.ToString(), new TextTableRenderer().RenderToString(report));
    }
}
