using System.Text.Json;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests.Shapes;

/// <summary>
/// `run` on a generic method and a method of a generic type, each instantiated over reference types
/// (one shared canonical body) and value types (a specialized body each): every body's samples land
/// on the same source lines. Also `--method Fill`, a name the framework has too (System.Array.Fill).
/// </summary>
[TestClass]
public sealed class GenericShapeTests
{
    private static ShapeRecording s_run = null!;

    [ClassInitialize]
    public static async Task RecordAsync(TestContext context)
    {
        _ = context;
        s_run = await ShapeRecording.RunAsync("generics", "GenericShape.FillArrays", "Pool.Rent", "Fill");
    }

    [ClassCleanup]
    public static void Cleanup() => s_run?.Dispose();

    [TestMethod]
    public void GenericMethod_SharedAndSpecializedBodies_AddUpOnItsLines()
    {
        StringAssert.Contains(s_run.Method(0).GetProperty("name").GetString(), "GenericShape.FillArrays");
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(0), "GenericShape.cs", "FillArrays", checkedLines: 2);
    }

    [TestMethod]
    public void MethodOfGenericType_SharedAndSpecializedBodies_AddUpOnItsLines()
    {
        StringAssert.Contains(s_run.Method(1).GetProperty("name").GetString(), "Rent");
        ShapeAssert.LinesMatchTruth(s_run, s_run.Method(1), "GenericShape.cs", "Rent", checkedLines: 2);
    }

    [TestMethod]
    public async Task MethodOfGenericType_SelectedWithTypeArguments_GetsTheSameTable()
    {
        using JsonDocument report = await s_run.AnalyzeAsync("Pool<T>.Rent", "GenericShape.FillArrays<T>");

        Assert.AreEqual(s_run.Method(1).GetRawText(), report.RootElement.GetProperty("methods")[0].GetRawText());
        Assert.AreEqual(s_run.Method(0).GetRawText(), report.RootElement.GetProperty("methods")[1].GetRawText());
    }

    [TestMethod]
    public void NameTheFrameworkHasToo_TakesTheApplicationsMethod_AndTheTableSaysSo()
    {
        // RunAsync checked the exit code: 0, where a name matching several methods used to fail with 6.
        JsonElement fill = s_run.Method(2);

        Assert.AreEqual("ShapesTarget.Shapes.GenericShape.Fill(T, int, int)", fill.GetProperty("name").GetString());
        string note = fill.GetProperty("notes")[0].GetString()!;
        Assert.StartsWith("--method Fill: took ShapesTarget.Shapes.GenericShape.Fill(T, int, int), the only match in the application's code (also matched: System.", note);
        Assert.Contains("System.Array.Fill(T[], T)", note);
        ShapeAssert.LinesMatchTruth(s_run, fill, "GenericShape.cs", "Fill", checkedLines: 1);
    }
}
