using DotnetMemLine.Attribution;
using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;
using DotnetMemLine.Tests.Attribution.Fixtures;
using static DotnetMemLine.Tests.Symbols.SymbolTestSupport;

namespace DotnetMemLine.Tests.Attribution;

/// <summary>
/// A --method name that matches several methods, against real modules: this test assembly (the
/// application's code: its PDB is next to it) and System.Private.CoreLib (the shared framework).
/// </summary>
[TestClass]
public sealed class MethodSelectionTests
{
    private static readonly string CoreLib = typeof(object).Assembly.Location;
    private static readonly int FillToken = typeof(Shelf).GetMethod(nameof(Shelf.Fill))!.MetadataToken;

    // The framework's methods that "Fill" matches; how many depends on the runtime's version.
    private static readonly IReadOnlyList<MethodIdentity> FrameworkFills = MethodMatcher.Match("Fill", MethodCatalog.Read(CoreLib), m => m);

    [TestMethod]
    public void OneMatchInTheApplicationsCode_AmongFrameworkMatches_IsTakenWithANote()
    {
        Assert.IsGreaterThan(1, FrameworkFills.Count, "System.Array.Fill has two overloads");

        SelectedMethod selected = MethodSelection.Resolve(["Fill"], [CoreLib, TestModulePath], "the test's modules", []).Single();

        Assert.AreEqual(TestModulePath, selected.Method.ModulePath);
        Assert.AreEqual(FillToken, selected.Method.Token);
        var note = (MethodChosenNote)selected.Notes.Single();
        Assert.AreEqual("DotnetMemLine.Tests.Attribution.Fixtures.Shelf.Fill(T[], T)", note.Chosen);
        Assert.Contains(FrameworkFills[0].DisplayName, note.OthersListed);
        StringAssert.StartsWith(NoteWording.English(note), "--method Fill: took DotnetMemLine.Tests.Attribution.Fixtures.Shelf.Fill(T[], T), the only match in the application's code (also matched: System.");
        // At most three names, the rest counted: one short line.
        Assert.HasCount(Math.Min(3, FrameworkFills.Count), note.OthersListed);
        Assert.AreEqual(Math.Max(0, FrameworkFills.Count - 3), note.OthersNotListed);
        Assert.EndsWith(FrameworkFills.Count > 3 ? $" and {FrameworkFills.Count - 3} more)" : ")", NoteWording.English(note));
        Assert.DoesNotContain("\n", NoteWording.English(note));
    }

    [TestMethod]
    public void TwoMatchesInTheApplicationsCode_FailWithExit6_ListingOnlyThem()
    {
        var ex = Assert.ThrowsExactly<MemLineException>(() => MethodSelection.Resolve(["Resize"], [CoreLib, TestModulePath], "the test's modules", []));

        Assert.AreEqual(FailureKind.MethodAmbiguous, ex.Kind);
        Assert.StartsWith("the method name 'Resize' matches ", ex.Message);
        Assert.Contains(", 2 of them in the application's code: ", ex.Message);
        Assert.Contains("DotnetMemLine.Tests.Attribution.Fixtures.FirstBuffer.Resize(T[], int)", ex.Message);
        Assert.Contains("DotnetMemLine.Tests.Attribution.Fixtures.SecondBuffer.Resize(T[], int)", ex.Message);
        Assert.DoesNotContain("System.Array.Resize", ex.Message);
        Assert.EndsWith("; name one as Type.Method or Method(parameter types)", ex.Message);
    }

    [TestMethod]
    public void OnlyFrameworkMatches_FailWithExit6_AsBefore()
    {
        var ex = Assert.ThrowsExactly<MemLineException>(() => MethodSelection.Resolve(["Array.Fill"], [CoreLib, TestModulePath], "the test's modules", []));

        Assert.AreEqual(FailureKind.MethodAmbiguous, ex.Kind);
        Assert.StartsWith("the method name 'Array.Fill' matches 2 methods: System.Array.Fill(T[], T); System.Array.Fill(T[], T, int, int); name one as", ex.Message);
    }

    [TestMethod]
    public void SingleMatch_IsTakenWithoutANote()
    {
        SelectedMethod selected = MethodSelection.Resolve(["Shelf.Fill"], [CoreLib, TestModulePath], "the test's modules", []).Single();

        Assert.AreEqual(FillToken, selected.Method.Token);
        Assert.IsEmpty(selected.Notes);
    }

    [TestMethod]
    public void ModuleWithoutAPdb_IsNotTheApplicationsCode()
    {
        using var temp = NewTempDirectory();
        string withoutPdb = CopyModuleWithoutPdbPath(temp.Path);

        SelectedMethod selected = MethodSelection.Resolve(["Fill"], [CoreLib, withoutPdb, TestModulePath], "the test's modules", []).Single();

        Assert.AreEqual(TestModulePath, selected.Method.ModulePath);
        Assert.HasCount(1, selected.Notes);
    }

    [TestMethod]
    public void ModuleWhosePdbIsFoundOnlyInASymbolsDirectory_IsTheApplicationsCode()
    {
        using var temp = NewTempDirectory();
        using var symbolDirectory = NewTempDirectory();
        string module = CopyModuleWithoutPdbPath(temp.Path);
        File.Copy(TestPdbPath, Path.Combine(symbolDirectory.Path, Path.GetFileName(TestPdbPath)));

        // Without the directory the copy is a library without PDB: nothing is the application's, as before.
        var ex = Assert.ThrowsExactly<MemLineException>(() => MethodSelection.Resolve(["Fill"], [CoreLib, module], "the test's modules", []));
        Assert.AreEqual(FailureKind.MethodAmbiguous, ex.Kind);
        Assert.StartsWith($"the method name 'Fill' matches {FrameworkFills.Count + 1} methods: DotnetMemLine.Tests.Attribution.Fixtures.Shelf.Fill(T[], T); System.", ex.Message);

        SelectedMethod selected = MethodSelection.Resolve(["Fill"], [CoreLib, module], "the test's modules", [symbolDirectory.Path]).Single();
        Assert.AreEqual(module, selected.Method.ModulePath);
    }

    [TestMethod]
    public void Analyze_NameTakenFromTheApplicationsCode_TheTableSaysSoFirst()
    {
        int arrayFill = typeof(Array).GetMethods().First(m => m.Name == nameof(Array.Fill)).MetadataToken;
        var trace = new FakeAllocationTrace(
            [
                new TracedMethod(CoreLib, arrayFill, "System.Array.Fill"),
                new TracedMethod(TestModulePath, FillToken, "DotnetMemLine.Tests.Attribution.Fixtures.Shelf.Fill"),
            ])
            .Sample(1_000, FakeAllocationTrace.Frame(0, 0), FakeAllocationTrace.Frame(1, 0));

        MethodReport report = ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["Fill"], [])).Methods.Single();

        Assert.AreEqual("DotnetMemLine.Tests.Attribution.Fixtures.Shelf.Fill(T[], T)", report.Name);
        Assert.AreEqual("DotnetMemLine.Tests.Attribution.Fixtures.Shelf.Fill(T[], T)", ((MethodChosenNote)report.Notes[0]).Chosen);
        Assert.AreEqual(1, report.TotalAllocated!.Samples);
    }
}
