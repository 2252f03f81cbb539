using DotnetMemLine.Attribution;
using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;
using DotnetMemLine.Tests.Attribution;
using static DotnetMemLine.Tests.Symbols.SymbolTestSupport;

namespace DotnetMemLine.Tests.Reporting;

/// <summary>
/// The text table and the JSON, byte for byte, for reports built by hand and for reports the analysis makes of
/// traces whose stacks are known (frames of this test assembly, as in <see cref="ProfileAnalyzerTests"/>). A change
/// to how the report is built or rendered that changes a byte fails here; when the change is meant, regenerate
/// with <c>MEMLINE_UPDATE_GOLDEN=1 dotnet test</c> and review the diff of Reporting/Golden.
/// </summary>
[TestClass]
public sealed class GoldenReportTests
{
    private const long Size = 1_000_000;
    private const string FixtureType = "DotnetMemLine.Tests.Symbols.Fixtures.LineFixture";

    private static readonly TracedMethod[] Methods =
    [
        new(TestModulePath, Token("Simple"), FixtureType + ".Simple(int32)"),
        new(TestModulePath, Token("MultiLine"), FixtureType + ".MultiLine(int32,string)"),
    ];

    private static int AllocLine => Marker("line", "SimpleAlloc");

    private static int ReturnLine => Marker("line", "SimpleReturn");

    private static StackFrame At(int line) =>
        FakeAllocationTrace.Frame(0, SequencePoints(Methods[0].Token).First(p => !p.IsHidden && p.StartLine == line).Offset + 1);

    private static StackFrame InCallee => FakeAllocationTrace.Frame(1, 0);

    [TestMethod]
    public void SampledReport_WithANote() => Check("sampled-two-lines", ReportFixtures.TwoLineReport([new SourceUnreadableNote("/src/Worker.cs", "not found")]));

    [TestMethod]
    public void ExactReport() => Check("exact", ReportFixtures.ExactReport());

    [TestMethod]
    public void IncompleteReport_WithSharedLines_InliningSites_AndAMethodWithoutSource()
    {
        ProfileReport sampled = ReportFixtures.TwoLineReport();
        MethodReport method = sampled.Methods[0];
        LineReport shared = method.Lines[2] with { SharedPart = new EstimateReport(500_000_000, 450_000_000, 550_000_000, 5_000), SharedWith = [13, 14] };
        var report = sampled with
        {
            DroppedEvents = 250,
            DroppedEventFraction = 0.02,
            Methods =
            [
                method with { Lines = [.. method.Lines.Select(l => l.Line == 12 ? shared : l)], InlinedInto = [new InliningSite("App.Program.Main", "/src/Program.cs", 7) { Inlinee = "Classify" }] },
                new MethodReport("App.Worker.Unseen()", null, null, UnattributedSamples: 3, [], [new UnplacedSamplesNote(3, TraceHasMaps: false)]),
            ],
            Warnings = [new DroppedEventsWarning(250, 0.02), new TraceReadWarning("the trace ends inside a block")],
        };

        Check("incomplete-shared", report);
    }

    [TestMethod]
    public void AnalyzedSampledTrace_WithRecursion_Peak_AndDroppedEvents()
    {
        var trace = new FakeAllocationTrace(Methods) { DroppedEvents = 2 }
            .GC(heapBytesAfter: 40_000_000)
            .Sample(Size, At(AllocLine))
            .Sample(Size, InCallee, At(ReturnLine))
            .Sample(Size, At(AllocLine), At(ReturnLine), At(ReturnLine))
            .GC(heapBytesAfter: 30_000_000, heapBytesBefore: 45_000_000)
            .Sample(Size * 3, At(AllocLine))
            .Sample(Size, FakeAllocationTrace.Frame(0, -1));

        Check("analyzed-sampled", ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["LineFixture.Simple"], [])));
    }

    [TestMethod]
    public void AnalyzedProgram_WithoutMethod_ListsTheHotLinesAndMethods()
    {
        var trace = new FakeAllocationTrace(Methods)
            .Sample(Size, At(AllocLine))
            .Sample(Size, InCallee, At(ReturnLine))
            .Sample(Size * 3, At(AllocLine))
            .Sample(Size, FakeAllocationTrace.Frame(0, -1));

        ProfileReport report = ProfileAnalyzer.Analyze(trace, new AnalysisOptions([], []));
        Check("analyzed-program", report);
        CheckFile("analyzed-program-types.txt", new TextTableRenderer { ShowTypes = true }.RenderToString(report));
    }

    [TestMethod]
    public void AnalyzedExactTrace_WithBatchedEvents_AndInlining()
    {
        TracedMethod[] methods = [.. Methods, new(TestModulePath, Token("CallsSimpleTwice"), FixtureType + ".CallsSimpleTwice()")];
        var trace = new FakeAllocationTrace(methods, AllocationEventKind.Exact) { BatchedExactEvents = 1 }
            .GC(heapBytesAfter: 1_000_000)
            .Objects(1_048, 1, At(AllocLine))
            .Objects(960, 40, InCallee, At(AllocLine))
            .Objects(96, 3, At(ReturnLine))
            .GC(heapBytesAfter: 900_000, heapBytesBefore: 1_200_000);
        trace.Inlinings.Add(new InliningEvent(FixtureType, "Simple", "class System.String  (int32)", FixtureType, "CallsSimpleTwice", 2));

        Check("analyzed-exact", ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["LineFixture.Simple"], [])));
    }

    [TestMethod]
    public void AnalyzedTraceWithoutRundown_AndAMethodWithoutCode()
    {
        var trace = new FakeAllocationTrace([Methods[0], Methods[1] with { RunsPrecompiledCode = true }]) { HasRundown = false }
            .Sample(Size, At(AllocLine))
            .Tick(Size, FakeAllocationTrace.Frame(1, -1));

        Check("analyzed-no-rundown", ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["LineFixture.Simple", "LineFixture.MultiLine"], [])));
    }

    private static void Check(string name, ProfileReport report)
    {
        CheckFile($"{name}.txt", new TextTableRenderer().RenderToString(report));
        CheckFile($"{name}.json", new JsonReportWriter().RenderToString(report));
    }

    private static void CheckFile(string fileName, string actual)
    {
        // Paths of this clone (the fixture's source file) are written as <repo>, so the files hold on any machine.
        actual = actual.Replace(RepositoryPaths.Root, "<repo>", StringComparison.Ordinal).Replace("\r\n", "\n", StringComparison.Ordinal);
        string path = Path.Combine(GoldenDirectory(), fileName);
        if (Environment.GetEnvironmentVariable("MEMLINE_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.IsTrue(File.Exists(path), $"no golden file {path}: run with MEMLINE_UPDATE_GOLDEN=1 to write it");
        string expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (expected != actual)
        {
            int at = Enumerable.Range(0, Math.Min(expected.Length, actual.Length)).FirstOrDefault(i => expected[i] != actual[i], Math.Min(expected.Length, actual.Length));
            int lineNumber = expected.AsSpan(0, Math.Min(at, expected.Length)).Count('\n') + 1;
            Assert.Fail($"{fileName} differs from its golden file at line {lineNumber}:\nexpected: {LineAt(expected, at)}\nactual:   {LineAt(actual, at)}\n(MEMLINE_UPDATE_GOLDEN=1 rewrites the golden files when the change is meant)");
        }
    }

    private static string LineAt(string text, int index)
    {
        index = Math.Min(index, text.Length);
        int start = text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        int end = text.IndexOf('\n', index);
        return text[start..(end < 0 ? text.Length : end)];
    }

    private static string GoldenDirectory() => Path.Combine(RepositoryPaths.Tests, "Reporting", "Golden");
}
