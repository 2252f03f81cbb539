using DotnetMemLine.Attribution;
using DotnetMemLine.Decoding;
using DotnetMemLine.Estimation;
using DotnetMemLine.Reporting;
using static DotnetMemLine.Tests.Symbols.SymbolTestSupport;

namespace DotnetMemLine.Tests.Attribution;

/// <summary>
/// Attribution on a trace whose stacks are known exactly: frames of methods of this test assembly
/// (LineFixture), at IL offsets taken from its PDB, so every expected line is known.
/// </summary>
[TestClass]
public sealed class ProfileAnalyzerTests
{
    private const int Selected = 0; // LineFixture.Simple
    private const int Callee = 1;   // LineFixture.MultiLine, standing in for anything Simple calls
    private const long Size = 1_000_000;

    private static readonly int SimpleToken = Token("Simple");
    private static readonly TracedMethod[] Methods =
    [
        new(TestModulePath, SimpleToken, "LineFixture.Simple(int32)"),
        new(TestModulePath, Token("MultiLine"), "LineFixture.MultiLine(int32,string)"),
    ];

    private static int AllocLine => Marker("line", "SimpleAlloc");

    private static int ReturnLine => Marker("line", "SimpleReturn");

    private static StackFrame At(int methodId, int line)
    {
        int token = Methods[methodId].Token;
        int ilOffset = SequencePoints(token).First(p => !p.IsHidden && p.StartLine == line).Offset;
        return FakeAllocationTrace.Frame(methodId, ilOffset + 1); // inside the statement, not at its first byte
    }

    private static MethodReport AnalyzeSimple(FakeAllocationTrace trace) =>
        ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["LineFixture.Simple"], [])).Methods.Single();

    private static LineReport Row(MethodReport report, int line) => report.Lines.Single(l => l.Line == line);

    [TestMethod]
    public void Sample_IsChargedToTheLineOfTheSelectedMethodsFrame_IncludingCallees()
    {
        var trace = new FakeAllocationTrace(Methods)
            .Sample(Size, At(Selected, AllocLine))                                // allocated on the line itself
            .Sample(Size, FakeAllocationTrace.Frame(Callee, 0), At(Selected, ReturnLine));   // allocated in a callee of the line

        MethodReport report = AnalyzeSimple(trace);

        Assert.AreEqual(1, Row(report, AllocLine).Allocated!.Samples);
        Assert.AreEqual(1, Row(report, ReturnLine).Allocated!.Samples);
        Assert.AreEqual(AllocationEstimator.SampleWeight(Size), Row(report, AllocLine).Allocated!.Bytes, 1e-6);
        Assert.AreEqual(2, report.TotalAllocated!.Samples);
    }

    [TestMethod]
    public void RecursiveMethod_IsChargedOncePerSamplePerLine_AndOnceInTheTotal()
    {
        // Simple -> (line ReturnLine) Simple -> (line ReturnLine) Simple, allocating on AllocLine:
        // the allocation happened while both lines were running, once each.
        var trace = new FakeAllocationTrace(Methods)
            .Sample(Size, At(Selected, AllocLine), At(Selected, ReturnLine), At(Selected, ReturnLine));

        MethodReport report = AnalyzeSimple(trace);

        Assert.AreEqual(1, report.TotalAllocated!.Samples);
        Assert.AreEqual(1, Row(report, AllocLine).Allocated!.Samples);
        Assert.AreEqual(1, Row(report, ReturnLine).Allocated!.Samples);
        Assert.AreEqual(1, report.Notes.OfType<NestedLinesNote>().Single().Samples, string.Join("\n", report.Notes));
    }

    [TestMethod]
    public void LambdaWrittenInTheMethod_ChargesItsOwnLine_AndTheLineThatRanIt()
    {
        int withLambdas = Token(nameof(Tests.Symbols.Fixtures.LineFixture.WithLambdas));
        int lambda = typeof(Tests.Symbols.Fixtures.LineFixture).GetNestedTypes(System.Reflection.BindingFlags.NonPublic)
            .SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly))
            .First(m => m.Name.StartsWith("<WithLambdas>b__", StringComparison.Ordinal) && SequencePoints(m.MetadataToken).Any(p => !p.IsHidden)).MetadataToken;
        TracedMethod[] methods =
        [
            new(TestModulePath, withLambdas, "LineFixture.WithLambdas"),
            new(TestModulePath, lambda, "LineFixture+<>c__DisplayClass.<WithLambdas>b__0"),
            Methods[Callee],
        ];
        int lambdaLine = Marker("line", "LambdaLine");
        int queryLine = lambdaLine + 1;
        StackFrame FrameAt(int methodId, int line) =>
            FakeAllocationTrace.Frame(methodId, SequencePoints(methods[methodId].Token).First(p => !p.IsHidden && p.StartLine == line).Offset + 1);

        // WithLambdas (ToList on queryLine) -> LINQ (stands in as Callee) -> lambda on lambdaLine, allocating.
        var trace = new FakeAllocationTrace(methods)
            .Sample(Size, FrameAt(1, lambdaLine), FakeAllocationTrace.Frame(2, 0), FrameAt(0, queryLine));

        MethodReport report = ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["WithLambdas"], [])).Methods.Single();

        Assert.AreEqual(1, report.TotalAllocated!.Samples);
        Assert.AreEqual(1, Row(report, lambdaLine).Allocated!.Samples);
        Assert.AreEqual(1, Row(report, queryLine).Allocated!.Samples);
    }

    [TestMethod]
    public void MethodInlinedIntoACaller_SaysWhereItsAllocationsWent()
    {
        const string FixtureType = "DotnetMemLine.Tests.Symbols.Fixtures.LineFixture";
        TracedMethod[] methods = [new(TestModulePath, Token(nameof(Tests.Symbols.Fixtures.LineFixture.CallsSimpleTwice)), FixtureType + ".CallsSimpleTwice")];
        var trace = new FakeAllocationTrace(methods);
        trace.Inlinings.Add(new InliningEvent(FixtureType, "Simple", "class System.String  (int32)", FixtureType, "CallsSimpleTwice", 0));
        trace.Inlinings.Add(new InliningEvent(FixtureType, "Simple", "class System.String  (int32,int32)", FixtureType, "CallsSimpleTwice", 0)); // another overload

        MethodReport report = AnalyzeSimple(trace);

        CollectionAssert.AreEqual(
            new[] { Marker("line", "FirstCall"), Marker("line", "SecondCall") },
            report.InlinedInto.Select(s => s.Line).ToArray());
        Assert.AreEqual(new InliningSite($"{FixtureType}.CallsSimpleTwice", FixtureSourcePath, Marker("line", "FirstCall")) { Inlinee = "Simple" }, ((InlinedIntoNote)report.Notes[0]).Site);
    }

    [TestMethod]
    public void StateMachineOfTheMethod_InlinedIntoACaller_IsNamedInTheNote()
    {
        const string FixtureType = "DotnetMemLine.Tests.Symbols.Fixtures.LineFixture";
        string stateMachine = typeof(Tests.Symbols.Fixtures.LineFixture).GetNestedTypes(System.Reflection.BindingFlags.NonPublic)
            .Single(t => t.Name.StartsWith("<AsyncWork>d__", StringComparison.Ordinal)).Name;
        TracedMethod[] methods =
        [
            new(TestModulePath, Token(nameof(Tests.Symbols.Fixtures.LineFixture.AsyncWork)), FixtureType + ".AsyncWork"),
            new(TestModulePath, SimpleToken, FixtureType + ".Simple"),
        ];
        var trace = new FakeAllocationTrace(methods);
        trace.Inlinings.Add(new InliningEvent(FixtureType + "+" + stateMachine, "MoveNext", "void  ()", FixtureType, "Simple", 1));

        MethodReport report = ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["AsyncWork"], [])).Methods.Single();

        InliningSite site = report.InlinedInto.Single();
        Assert.AreEqual("the body of AsyncWork (its state machine's MoveNext)", site.Inlinee);
        Assert.IsNull(site.Line); // Simple does not call MoveNext directly
        Assert.AreEqual(site, ((InlinedIntoNote)report.Notes[0]).Site);
    }

    [TestMethod]
    public void CallersCompiledBeforeTheSession_AreNamed_SinceInliningIntoThemIsNotInTheTrace()
    {
        const string FixtureType = "DotnetMemLine.Tests.Symbols.Fixtures.LineFixture";
        TracedMethod[] methods =
        [
            new(TestModulePath, SimpleToken, FixtureType + ".Simple"),
            new(TestModulePath, Token(nameof(Tests.Symbols.Fixtures.LineFixture.CallsSimpleTwice)), FixtureType + ".CallsSimpleTwice", HasOptimizedCodeFromBeforeSession: true),
        ];
        var trace = new FakeAllocationTrace(methods).Sample(Size, At(Selected, AllocLine));

        MethodReport report = AnalyzeSimple(trace);

        InlinedBeforeSessionNote note = report.Notes.OfType<InlinedBeforeSessionNote>().Single();
        Assert.AreEqual($"{FixtureType}.CallsSimpleTwice (line {Marker("line", "FirstCall")}, {Marker("line", "SecondCall")})", note.Callers.Single());
        Assert.IsTrue(note.HasSamples);
    }

    [TestMethod]
    public void MethodWithoutCompiledCodeOrInlining_SaysItMayHaveBeenInlinedBeforeTheSession()
    {
        var trace = new FakeAllocationTrace([Methods[Callee]]);

        MethodReport report = ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["LineFixture.Simple"], [])).Methods.Single();

        Assert.IsNull(report.TotalAllocated);
        Assert.AreEqual("Simple", report.Notes.OfType<NoCompiledCodeNote>().Single().MethodName, string.Join("\n", report.Notes));
    }

    [TestMethod]
    public void SamplesInPrecompiledCode_GetTheReadyToRunWorkaround()
    {
        TracedMethod[] methods = [Methods[Selected] with { RunsPrecompiledCode = true }];
        var trace = new FakeAllocationTrace(methods).Sample(Size, FakeAllocationTrace.Frame(0, -1));

        MethodReport report = AnalyzeSimple(trace);

        Assert.AreEqual(1, report.UnattributedSamples);
        PrecompiledCodeNote note = report.Notes.OfType<PrecompiledCodeNote>().Single();
        Assert.AreEqual(Path.GetFileNameWithoutExtension(TestModulePath), note.AssemblyName);
        Assert.Contains("DOTNET_ReadyToRunExcludeList=" + note.AssemblyName, NoteWording.English(note));
    }

    [TestMethod]
    public void AsyncMethod_BodyLinesComeFromMoveNext_AndTheKickoffChargesTheDeclarationOnlyForItsOwnAllocations()
    {
        int kickoff = Token(nameof(Tests.Symbols.Fixtures.LineFixture.AsyncWork));
        System.Reflection.MethodInfo moveNextMethod = typeof(Tests.Symbols.Fixtures.LineFixture).GetNestedTypes(System.Reflection.BindingFlags.NonPublic)
            .Single(t => t.Name.StartsWith("<AsyncWork>d__", StringComparison.Ordinal))
            .GetMethod("MoveNext", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)!;
        TracedMethod[] methods =
        [
            new(TestModulePath, kickoff, "LineFixture.AsyncWork"),
            new(TestModulePath, moveNextMethod.MetadataToken, "LineFixture+<AsyncWork>d__.MoveNext"),
            Methods[Callee], // stands in for AsyncMethodBuilderCore.Start
        ];
        int afterAwait = Marker("line", "AfterAwait");
        int declaration = Marker("sig", "AsyncWork");
        int afterAwaitOffset = SequencePoints(moveNextMethod.MetadataToken).First(p => !p.IsHidden && p.StartLine == afterAwait).Offset + 1;

        var trace = new FakeAllocationTrace(methods)
            .Sample(Size, FakeAllocationTrace.Frame(1, afterAwaitOffset), FakeAllocationTrace.Frame(2, 0), FakeAllocationTrace.Frame(0, 5)) // the body, started by the kickoff
            .Sample(Size, FakeAllocationTrace.Frame(0, 5));                                                             // the kickoff itself

        MethodReport report = ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["AsyncWork"], [])).Methods.Single();

        Assert.AreEqual(2, report.TotalAllocated!.Samples);
        Assert.AreEqual(1, Row(report, afterAwait).Allocated!.Samples);
        Assert.AreEqual(1, Row(report, declaration).Allocated!.Samples);
        Assert.AreEqual(0, report.UnattributedSamples);
    }

    [TestMethod]
    public void ContinuationRunByTheCompletingMethod_IsNotItsCost()
    {
        // Simple completes a task on ReturnLine; the runtime runs the awaiting code's continuation right
        // there, which allocates. Only Simple's own allocation is Simple's.
        TracedMethod[] methods =
        [
            .. Methods,
            new(TestModulePath, Token("ExpressionBodied"), "System.Threading.Tasks.Task.RunContinuations") { TypeName = "System.Threading.Tasks.Task", MethodName = "RunContinuations" },
        ];
        var trace = new FakeAllocationTrace(methods)
            .Sample(Size, FakeAllocationTrace.Frame(Callee, 0), FakeAllocationTrace.Frame(2, 0), At(Selected, ReturnLine))
            .Sample(Size, At(Selected, AllocLine));

        MethodReport report = AnalyzeSimple(trace);

        Assert.AreEqual(1, report.TotalAllocated!.Samples);
        Assert.IsNull(Row(report, ReturnLine).Allocated);
    }

    [TestMethod]
    public void SamplesOutsideTheMethod_AreNotCharged()
    {
        var trace = new FakeAllocationTrace(Methods)
            .Sample(Size, FakeAllocationTrace.Frame(Callee, 0))
            .Sample(Size, At(Selected, AllocLine));

        MethodReport report = AnalyzeSimple(trace);

        Assert.AreEqual(1, report.TotalAllocated!.Samples);
    }

    [TestMethod]
    public void FrameWithoutILOffset_CountsInTheTotalOnly_AndTheTableSaysSo()
    {
        var trace = new FakeAllocationTrace(Methods)
            .Sample(Size, FakeAllocationTrace.Frame(Selected, -1));

        MethodReport report = AnalyzeSimple(trace);

        Assert.AreEqual(1, report.UnattributedSamples);
        Assert.IsTrue(report.Lines.All(l => l.Allocated is null));
        Assert.AreEqual("unplaced-samples", report.Notes.OfType<UnplacedSamplesNote>().Single().Code, "the fake trace has maps for the method, not for the frame's code");
    }

    [TestMethod]
    public void Table_SpansSignatureToClosingBrace_WithSourceText()
    {
        MethodReport report = AnalyzeSimple(new FakeAllocationTrace(Methods).Sample(Size, At(Selected, AllocLine)));

        Assert.AreEqual(Marker("sig", "Simple"), report.Lines[0].Line);
        Assert.AreEqual(Marker("end", "Simple"), report.Lines[^1].Line);
        Assert.AreEqual(FixtureSourcePath, report.SourceFile);
        StringAssert.Contains(Row(report, AllocLine).Text, "new string('x', count)");
    }

    [TestMethod]
    public void PeakHeap_IsTheHeapMeasuredAtTheGCsThatBeganWhileTheLineRan()
    {
        var trace = new FakeAllocationTrace(Methods)
            .GC(heapBytesBefore: 90_000_000, heapBytesAfter: 10_000_000)   // before the method ran: not its
            .Sample(Size, At(Selected, ReturnLine))
            .GC(heapBytesBefore: 60_000_000, heapBytesAfter: 50_000_000)   // began while the return line ran
            .Sample(Size, At(Selected, AllocLine))
            .GC(heapBytesBefore: 80_000_000, heapBytesAfter: 20_000_000)   // while the allocating line ran
            .Sample(Size, FakeAllocationTrace.Frame(Callee, 0))             // the thread left the method
            .GC(heapBytesBefore: 95_000_000, heapBytesAfter: 5_000_000);

        MethodReport report = AnalyzeSimple(trace);

        Assert.AreEqual(60_000_000, Row(report, ReturnLine).PeakHeapBytes);
        Assert.AreEqual(80_000_000, Row(report, AllocLine).PeakHeapBytes);
        Assert.AreEqual(new GCHeapReport(2, 80_000_000, 50_000_000), report.HeapAtGCs);
        Assert.AreEqual(80_000_000, report.PeakHeapBytes);
    }

    [TestMethod]
    public void PeakHeap_CountsAGCAskedForFromAnotherThread_UnderWhatTheAllocatingThreadsWereRunning()
    {
        var trace = new FakeAllocationTrace(Methods)
            .Sample(Size, At(Selected, AllocLine))
            .GC(heapBytesBefore: 70_000_000, heapBytesAfter: 40_000_000, askedOnThread: 9)  // --gc-every's session thread
            .Sample(Size, FakeAllocationTrace.Frame(Callee, 0))
            .GC(heapBytesBefore: 99_000_000, heapBytesAfter: 9_000_000, askedOnThread: 9); // thread 1 had left the method

        MethodReport report = AnalyzeSimple(trace);

        Assert.AreEqual(new GCHeapReport(1, 70_000_000, 40_000_000), report.HeapAtGCs);
        Assert.AreEqual(70_000_000, Row(report, AllocLine).PeakHeapBytes);
    }

    [TestMethod]
    public void PeakHeap_WithoutTheSizesBeforeAGC_IsTheSizeAfter_AndBlankWhenNoGCBeganWhileTheMethodRan()
    {
        MethodReport measuredAfter = AnalyzeSimple(new FakeAllocationTrace(Methods)
            .Sample(Size, At(Selected, AllocLine))
            .GC(heapBytesAfter: 30_000_000));
        Assert.AreEqual(new GCHeapReport(1, null, 30_000_000), measuredAfter.HeapAtGCs);
        Assert.AreEqual(30_000_000, Row(measuredAfter, AllocLine).PeakHeapBytes);

        MethodReport noGC = AnalyzeSimple(new FakeAllocationTrace(Methods)
            .GC(heapBytesBefore: 40_000_000, heapBytesAfter: 30_000_000)
            .Sample(Size, At(Selected, AllocLine)));
        Assert.IsNull(noGC.HeapAtGCs);
        Assert.IsNull(Row(noGC, AllocLine).PeakHeapBytes);
    }

    [TestMethod]
    public void AllocationTickTrace_SumsTickAmounts_AndIsMarkedBiased()
    {
        var trace = new FakeAllocationTrace(Methods, AllocationEventKind.AllocationTick)
            .Tick(100_000, At(Selected, AllocLine))
            .Tick(105_000, At(Selected, AllocLine));

        ProfileReport report = ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["Simple"], []));

        Assert.IsTrue(report.EstimatorBiased);
        StringAssert.Contains(report.Estimator, "biased");
        Assert.AreEqual(205_000, Row(report.Methods[0], AllocLine).Allocated!.Bytes, 1e-6);
    }

    [TestMethod]
    public void ExactTrace_SumsBytesAndObjectsPerLine_WithoutInterval()
    {
        var trace = new FakeAllocationTrace(Methods, AllocationEventKind.Exact)
            .GC(heapBytesAfter: 1_000_000)
            .Objects(1_048, 1, At(Selected, AllocLine))
            .Objects(1_048, 1, FakeAllocationTrace.Frame(Callee, 0), At(Selected, AllocLine))
            .Objects(96, 3, At(Selected, ReturnLine))
            .Objects(24, 1, FakeAllocationTrace.Frame(Callee, 0)); // outside the method

        ProfileReport report = ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["Simple"], []));
        MethodReport method = report.Methods.Single();

        Assert.IsTrue(report.Exact);
        Assert.IsFalse(report.EstimatorBiased);
        StringAssert.StartsWith(report.Estimator, "exact");
        Assert.AreEqual(new EstimateReport(2_096, 2_096, 2_096, 2, Objects: 2, LowConfidence: false), Row(method, AllocLine).Allocated);
        Assert.AreEqual(new EstimateReport(96, 96, 96, 1, Objects: 3, LowConfidence: false), Row(method, ReturnLine).Allocated);
        Assert.AreEqual(new EstimateReport(2_192, 2_192, 2_192, 3, Objects: 5, LowConfidence: false), method.TotalAllocated);
        Assert.IsNull(method.PeakHeapBytes, "the only GC began before the method ran");
    }

    [TestMethod]
    public void ExactTraceWithBatchedEvents_SaysItIsNotExact()
    {
        var trace = new FakeAllocationTrace(Methods, AllocationEventKind.Exact) { BatchedExactEvents = 1 }
            .Objects(960, 40, At(Selected, AllocLine));

        ProfileReport report = ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["Simple"], []));

        Assert.IsTrue(report.EstimatorBiased);
        StringAssert.Contains(report.Estimator, "not every allocation");
        Assert.AreEqual(1, report.Warnings.OfType<BatchedExactEventsWarning>().Single().BatchedEvents);
        Assert.AreEqual(40L, Row(report.Methods[0], AllocLine).Allocated!.Objects);
    }

    [TestMethod]
    public void DroppedEvents_MarkTheReportIncomplete_WithTheLostShare_AndScaleNothing()
    {
        FakeAllocationTrace Build(long dropped) => new FakeAllocationTrace(Methods) { DroppedEvents = dropped }
            .Sample(Size, At(Selected, AllocLine))
            .Sample(Size, At(Selected, AllocLine))
            .Sample(Size, At(Selected, ReturnLine));

        ProfileReport complete = ProfileAnalyzer.Analyze(Build(0), new AnalysisOptions(["Simple"], []));
        ProfileReport lossy = ProfileAnalyzer.Analyze(Build(1), new AnalysisOptions(["Simple"], []));

        Assert.IsFalse(complete.Incomplete);
        Assert.IsEmpty(complete.Warnings);
        Assert.IsTrue(lossy.Incomplete);
        Assert.AreEqual(0.25, lossy.DroppedEventFraction, 1e-12, "1 lost of 1 + 3 events");
        var warning = (DroppedEventsWarning)lossy.Warnings.Single();
        Assert.AreEqual(new DroppedEventsWarning(1, 0.25), warning);
        Assert.AreEqual(NoteSeverity.Warning, warning.Severity);
        StringAssert.Contains(NoteWording.English(warning), "dropped 1 events (25% of the trace's events)");
        // The figures are the samples that arrived, unscaled: identical to the same trace without drops.
        Assert.AreEqual(complete.Methods[0].TotalAllocated, lossy.Methods[0].TotalAllocated);
        Assert.AreEqual(Row(complete.Methods[0], AllocLine).Allocated, Row(lossy.Methods[0], AllocLine).Allocated);
    }

    [TestMethod]
    public void TraceWithoutRundown_StillGivesItsTable_WithAWarning()
    {
        var trace = new FakeAllocationTrace(Methods) { HasRundown = false }.Sample(Size, At(Selected, AllocLine));

        ProfileReport report = ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["Simple"], []));

        Assert.AreEqual(1, Row(report.Methods[0], AllocLine).Allocated!.Samples);
        Assert.IsInstanceOfType<NoRundownWarning>(report.Warnings.Single());
    }

    [TestMethod]
    public void TraceWithoutRundown_MethodNotFound_SaysTheRundownIsMissing()
    {
        var trace = new FakeAllocationTrace(Methods) { HasRundown = false }.Sample(Size, At(Selected, AllocLine));

        var ex = Assert.ThrowsExactly<MemLineException>(() => ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["NoSuchMethodAnywhere"], [])));

        Assert.AreEqual(FailureKind.TraceIncomplete, ex.Kind);
        StringAssert.Contains(ex.Message, "no method matches");
        StringAssert.Contains(ex.Message, "cut off before its rundown");
    }

    [TestMethod]
    public void TraceWithoutRundown_MethodOfAnUnknownModule_SaysOnlyTheRundownNamesIt()
    {
        // Without the rundown, a method compiled during the session has no module: it was loaded before.
        TracedMethod[] moduleless = [new("", SimpleToken, "LineFixture.Simple")];
        var trace = new FakeAllocationTrace(moduleless) { HasRundown = false }.Sample(Size, FakeAllocationTrace.Frame(0, 1));

        var ex = Assert.ThrowsExactly<MemLineException>(() => ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["LineFixture.Simple"], [])));

        Assert.AreEqual(FailureKind.TraceIncomplete, ex.Kind);
        StringAssert.Contains(ex.Message, "LineFixture.Simple is in the trace, but not which module it is in");
    }

    [TestMethod]
    public void TraceWithoutRundownOrEvents_SaysItWasCutOff()
    {
        var trace = new FakeAllocationTrace(Methods, AllocationEventKind.None) { HasRundown = false };

        var ex = Assert.ThrowsExactly<MemLineException>(() => ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["Simple"], [])));

        Assert.AreEqual(FailureKind.TraceIncomplete, ex.Kind);
        StringAssert.Contains(ex.Message, "the recording was cut off before any reached the file");
    }

    [TestMethod]
    public void DroppedShare_NeverRoundsARealLossToZero()
    {
        Assert.AreEqual("under 0.1%", NoteWording.Percent(1e-6));
        Assert.AreEqual("12.5%", NoteWording.Percent(0.125));
        Assert.AreEqual(0.0, new TraceSummary("/t", 1, 10, 0, AllocationEventKind.AllocationSampled, true, EventsRead: 10).DroppedFraction);
        Assert.AreEqual(0.5, new TraceSummary("/t", 1, 10, 10, AllocationEventKind.AllocationSampled, true, EventsRead: 10).DroppedFraction);
    }

    [TestMethod]
    public void FewSamples_AreFlaggedLowConfidence_OnTheLineAndTheTotal()
    {
        var trace = new FakeAllocationTrace(Methods);
        for (int i = 0; i < 101; i++)
        {
            trace.Sample(Size, At(Selected, i < 100 ? AllocLine : ReturnLine));
        }

        MethodReport report = AnalyzeSimple(trace);

        Assert.IsFalse(Row(report, AllocLine).Allocated!.LowConfidence, "100 samples");
        Assert.IsTrue(Row(report, ReturnLine).Allocated!.LowConfidence, "1 sample");
        Assert.IsFalse(report.TotalAllocated!.LowConfidence, "101 samples");
        Assert.IsNull(report.TotalAllocated!.Objects, "sampling does not count objects");
    }

    [TestMethod]
    public void TraceWithoutAllocationEvents_IsRefusedWithWhatToRecord()
    {
        var trace = new FakeAllocationTrace(Methods, AllocationEventKind.None);

        MemLineException error = Assert.ThrowsExactly<MemLineException>(() => ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["Simple"], [])));

        Assert.AreEqual(FailureKind.TraceIncomplete, error.Kind);
        StringAssert.Contains(error.Message, "0x80000000000");
    }

    [TestMethod]
    public void TraceWithoutAllocationEvents_RecordedByTheTool_SaysTheProgramAllocatedNothing()
    {
        // collect and run record with the allocation keywords on: no events means an idle program, not a missing keyword.
        var trace = new FakeAllocationTrace(Methods, AllocationEventKind.None);

        MemLineException error = Assert.ThrowsExactly<MemLineException>(
            () => ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["Simple"], []) { RecordedWithAllocationEvents = true }));

        Assert.AreEqual(FailureKind.TraceIncomplete, error.Kind);
        StringAssert.StartsWith(error.Message, "the program allocated nothing while it was recorded");
        Assert.DoesNotContain("0x80000000000", error.Message);
    }

    [TestMethod]
    public void UnknownMethod_IsRefusedWithTheClosestNames()
    {
        var trace = new FakeAllocationTrace(Methods).Sample(Size, At(Selected, AllocLine));

        MemLineException error = Assert.ThrowsExactly<MemLineException>(() => ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["LineFixture.Simpel"], [])));

        Assert.AreEqual(FailureKind.MethodNotFound, error.Kind);
        StringAssert.Contains(error.Message, "LineFixture.Simple");
    }

    [TestMethod]
    public void MethodWhoseModuleIsNotOnThisMachine_IsReportedAsSuch()
    {
        TracedMethod[] methods = [new("/nowhere/App.dll", 0x06000001, "App.Worker.Classify")];
        var trace = new FakeAllocationTrace(methods).Sample(Size, FakeAllocationTrace.Frame(0, 0));

        MemLineException error = Assert.ThrowsExactly<MemLineException>(() => ProfileAnalyzer.Analyze(trace, new AnalysisOptions(["Worker.Classify"], [])));

        Assert.AreEqual(FailureKind.SymbolsMissing, error.Kind);
        StringAssert.Contains(error.Message, "/nowhere/App.dll is not on this machine");
    }
}
