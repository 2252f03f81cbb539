using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// --method spellings for members that are not plain methods: an overload by parameter list, a
/// constructor (".ctor", with parameters, or the type's own name), a property getter (accessor or
/// property name), a method of a nested type. One `run`, then `analyze` of its trace per spelling:
/// the right member's table comes back (its name in the JSON) and its lines match the truth.
/// </summary>
[TestClass]
public sealed class MethodSelectionTests
{
    private const string File = "OverloadCtorPropertyShape.cs";
    private static ShapeRecording s_run = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_run = await ShapeRecording.RunAsync("members", "Render(int, string)");
    }

    [ClassCleanup]
    public static void Cleanup() => s_run?.Dispose();

    [TestMethod]
    public async Task Overloads_SelectedByParameterList_EachGetItsOwnTable()
    {
        using JsonDocument report = await s_run.AnalyzeAsync("Report.Render(int, string)", "Render(int)");

        JsonElement twoParameters = Method(report, 0);
        JsonElement oneParameter = Method(report, 1);
        Assert.EndsWith("Report.Render(int, string)", Name(twoParameters));
        Assert.EndsWith("Report.Render(int)", Name(oneParameter));
        ShapeAssert.LinesMatchTruth(s_run, twoParameters, File, "Render", checkedLines: 2);
        ShapeAssert.LinesMatchTruth(s_run, oneParameter, File, "Render", checkedLines: 1);
    }

    [TestMethod]
    [DataRow("Widget..ctor")]
    [DataRow("Widget..ctor(int)")]
    [DataRow("Widget.Widget")]
    public async Task Constructor_Selected_MatchesTruth(string spelling)
    {
        using JsonDocument report = await s_run.AnalyzeAsync(spelling);

        JsonElement constructor = Method(report, 0);
        Assert.Contains("Widget", Name(constructor));
        Assert.EndsWith("(int)", Name(constructor));
        ShapeAssert.LinesMatchTruth(s_run, constructor, File, ".ctor", checkedLines: 1);
    }

    [TestMethod]
    [DataRow("Widget.get_Payload")]
    [DataRow("Widget.Payload")]
    public async Task PropertyGetter_Selected_MatchesTruth(string spelling)
    {
        using JsonDocument report = await s_run.AnalyzeAsync(spelling);

        JsonElement getter = Method(report, 0);
        Assert.Contains("Widget", Name(getter));
        Assert.Contains("Payload", Name(getter));
        ShapeAssert.LinesMatchTruth(s_run, getter, File, "Payload", checkedLines: 1);
    }

    [TestMethod]
    public async Task NestedType_SelectedByQualifiedName_TellsItFromTheOuterTypesNamesake()
    {
        using JsonDocument report = await s_run.AnalyzeAsync("Outer.Inner.Build", "Outer.Build");

        JsonElement inner = Method(report, 0);
        JsonElement outer = Method(report, 1);
        Assert.Contains("Outer.Inner.Build(int)", Name(inner));
        Assert.Contains("Outer.Build(int)", Name(outer));
        int innerLine = ShapeAssert.CheckedLineOf(Repo.ShapesSource(File), "Blocks.MakeStrings(32 * count, 1_000)");
        int outerLine = ShapeAssert.CheckedLineOf(Repo.ShapesSource(File), "Blocks.Make(count / 2, 2 * BlockLength)");
        ShapeAssert.LinesMatchTruth(s_run, inner, File, "Build", checkedLines: 1, onlyLines: [innerLine]);
        ShapeAssert.LinesMatchTruth(s_run, outer, File, "Build", checkedLines: 1, onlyLines: [outerLine]);
    }

    private static JsonElement Method(JsonDocument report, int index) => report.RootElement.GetProperty("methods")[index];

    private static string Name(JsonElement method) => method.GetProperty("name").GetString()!;
}
