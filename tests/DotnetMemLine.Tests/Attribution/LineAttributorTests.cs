using DotnetMemLine.Attribution;
using DotnetMemLine.Decoding;

namespace DotnetMemLine.Tests.Attribution;

[TestClass]
public sealed class LineAttributorTests
{
    // Method 0 is the selected user method (code 0); method 1 is Lazy<T>'s code (code 1), into which tier 1
    // inlined the user method's lambda; method 2 is another caller of that shared code.
    private const int UserMethod = 0;
    private const int LazyMethod = 1;
    private const int OtherCaller = 2;

    [TestMethod]
    public void AnObjectAllocatedByForeignCodeThatInlinedTheMethodsLambda_CountsOnTheLambdasLineToo_OnlyUnderTheMethod()
    {
        var attributor = new LineAttributor(AllocationEventKind.Exact, [0, -1, -1], selectedCount: 1, foreignCodeInlining: new Dictionary<int, int[]> { [1] = [0] });

        // lazy.Value, under the user method: the Lazy code allocated the lambda's int[] itself.
        attributor.OnAllocation(new AllocationRecord(0, 1, 8_024, 0, 0, TypeId: 7), [new StackFrame(LazyMethod, 1, 0x10), new StackFrame(UserMethod, 0, 0x20)]);
        // The same shared Lazy code run by another caller: not the user method's.
        attributor.OnAllocation(new AllocationRecord(0, 1, 8_024, 0, 0, TypeId: 7), [new StackFrame(LazyMethod, 1, 0x10), new StackFrame(OtherCaller, 2, 0x30)]);

        IReadOnlyList<FrameKey> frames = attributor.Frames;
        Assert.HasCount(2, frames);
        FrameKey foreign = frames.Single(f => f.ForeignSelected == 0);
        Assert.AreEqual((1, 0x10, 7), (foreign.CodeId, foreign.ReturnOffset, foreign.TypeId));

        FrameLine[] lines = [.. frames.Select(f => f.ForeignSelected == 0 ? new FrameLine(95, []) : new FrameLine(96, []))];
        MethodLineTallies tallies = attributor.Charge(lines)[0];

        Assert.AreEqual(1, tallies.Total.Objects, "the other caller's object is not the method's");
        Assert.AreEqual(1, tallies.ByLine[95].Objects, "the lambda's line");
        Assert.AreEqual(1, tallies.ByLine[96].Objects, "and the line that ran it");
    }

    [TestMethod]
    public void AMethodTheLambdaJumpedTo_CalledByLibraryCode_CountsOnTheLambdasLine_OnlyUnderTheMethod()
    {
        // `large.ConvertAll(line => Label(line))` in fully optimized code: the lambda jumps to Label, Label to
        // String.Concat (method 3), so Concat's frame is called by ConvertAll's (method 1) with no frame between.
        const int ConvertAll = 1, Concat = 3;
        var attributor = new LineAttributor(AllocationEventKind.Exact, [0, -1, -1, -1], selectedCount: 1, lambdaTailCallees: new Dictionary<int, int[]> { [Concat] = [0] });

        attributor.OnAllocation(new AllocationRecord(0, 1, 64, 0, 0, TypeId: 5), [new StackFrame(Concat, 3, 0x40), new StackFrame(ConvertAll, 1, 0x10), new StackFrame(UserMethod, 0, 0x20)]);
        // The same library code run by another caller, and the method calling Concat itself: no lambda of its there.
        attributor.OnAllocation(new AllocationRecord(0, 1, 64, 0, 0, TypeId: 5), [new StackFrame(Concat, 3, 0x40), new StackFrame(ConvertAll, 1, 0x10), new StackFrame(OtherCaller, 2, 0x30)]);
        attributor.OnAllocation(new AllocationRecord(0, 1, 64, 0, 0, TypeId: 5), [new StackFrame(Concat, 3, 0x40), new StackFrame(UserMethod, 0, 0x50)]);

        FrameKey foreign = attributor.Frames.Single(f => f.ForeignSelected == 0);
        Assert.AreEqual((1, 0x10, Concat), (foreign.CodeId, foreign.ReturnOffset, foreign.ForeignCallee));
        FrameLine[] lines = [.. attributor.Frames.Select(f => f.ForeignSelected == 0 ? new FrameLine(176, []) : f.ReturnOffset == 0x20 ? new FrameLine(169, []) : new FrameLine(170, []))];
        MethodLineTallies tallies = attributor.Charge(lines)[0];

        Assert.AreEqual(2, tallies.Total.Objects, "the other caller's object is not the method's");
        Assert.AreEqual(1, tallies.ByLine[176].Objects, "the line the lambda's local function jumped from");
        Assert.AreEqual(1, tallies.ByLine[169].Objects, "and the line that ran ConvertAll");
        Assert.AreEqual(1, tallies.ByLine[170].Objects, "the method's own call of Concat: its own line only");
    }

    [TestMethod]
    public void AHelperOfTheUsersOwnModule_CallingWhatALambdaJumpsTo_IsNotRunningTheLambda()
    {
        // Fresh3.ValidateServiceSettings: `errors.ConvertAll(error => $"{error.Service}/...")`'s lambda ends in the
        // interpolation handler's calls; `rule.Check(options)` (PortRule.Check, method 4, the user's module) calls them
        // itself. Its frame is its own code, not library code that invoked the lambda.
        const int ConvertAll = 1, AppendFormatted = 3, PortRuleCheck = 4;
        var attributor = new LineAttributor(AllocationEventKind.Exact, [0, -1, -1, -1, -1], selectedCount: 1,
            lambdaTailCallees: new Dictionary<int, int[]> { [AppendFormatted] = [0] }, libraryCode: [false, true, true, true, false]);

        attributor.OnAllocation(new AllocationRecord(0, 1, 24, 0, 0, TypeId: 5), [new StackFrame(AppendFormatted, 3, 0x40), new StackFrame(PortRuleCheck, 4, 0x18), new StackFrame(UserMethod, 0, 0x20)]);
        attributor.OnAllocation(new AllocationRecord(0, 1, 24, 0, 0, TypeId: 5), [new StackFrame(AppendFormatted, 3, 0x40), new StackFrame(ConvertAll, 1, 0x10), new StackFrame(UserMethod, 0, 0x60)]);

        FrameKey foreign = attributor.Frames.Single(f => f.ForeignSelected == 0);
        Assert.AreEqual(1, foreign.CodeId, "only the library code's frame stands for the lambda");
    }

    [TestMethod]
    public void LibraryCodeThatInvokesNoDelegate_CallingWhatALambdaJumpsTo_IsNotRunningTheLambda()
    {
        // Fresh5.BuildHttpQueries: `QueryParts.Select(part => Uri.EscapeDataString(part.Key) + "=" + ...).ToList()`'s lambda
        // ends in String.Concat; Uri.EscapeDataString's UriHelper.EscapeString (method 2) and, lines later, UriBuilder.Uri's
        // Uri.ParseRemaining call String.Concat themselves. They invoke no delegate, so they ran no lambda: their strings
        // had been charged to the lambda's line as well (twice, when called under the lambda).
        const int Fill = 1, EscapeString = 2, Concat = 3;
        var attributor = new LineAttributor(AllocationEventKind.Exact, [0, -1, -1, -1], selectedCount: 1,
            lambdaTailCallees: new Dictionary<int, int[]> { [Concat] = [0] }, libraryCode: [false, true, true, true], mayInvokeDelegates: method => method == Fill);

        attributor.OnAllocation(new AllocationRecord(0, 1, 64, 0, 0, TypeId: 5), [new StackFrame(Concat, 3, 0x40), new StackFrame(EscapeString, 2, 0x18), new StackFrame(UserMethod, 0, 0x20)]);
        attributor.OnAllocation(new AllocationRecord(0, 1, 64, 0, 0, TypeId: 5), [new StackFrame(Concat, 3, 0x40), new StackFrame(Fill, 1, 0x10), new StackFrame(UserMethod, 0, 0x60)]);

        FrameKey foreign = attributor.Frames.Single(f => f.ForeignSelected == 0);
        Assert.AreEqual(1, foreign.CodeId, "only the frame of the code that invokes the delegate stands for the lambda");
    }

    [TestMethod]
    public void AnIteratorInlinedIntoTheForeachThatRunsIt_CountsOnItsOwnLine_AsAFrameOfItsOwnWould()
    {
        // HotspotShape.Process (selected 0, method 0) in tier-1 code with Blocks' MoveNext inlined into its foreach
        // (line 43): the byte[] of Blocks' `yield return new byte[BlockLength];` (selected 1, line 76) has no frame of its
        // own; an uninlined MoveNext (method 1) has one.
        const int Blocks = 1, MoveNext = 1;
        var attributor = new LineAttributor(AllocationEventKind.Exact, [0, Blocks], selectedCount: 2);
        attributor.OnAllocation(new AllocationRecord(0, 1, 32_792, 0, 0, TypeId: 3), [new StackFrame(UserMethod, 0, 0x174)]);
        attributor.OnAllocation(new AllocationRecord(0, 1, 32_792, 0, 0, TypeId: 3), [new StackFrame(MoveNext, 1, 0x20), new StackFrame(UserMethod, 2, 0x60)]);

        FrameLine[] lines = [.. attributor.Frames.Select(f => f.CodeId switch
        {
            0 => new FrameLine(43, [], InlinedElsewhere: (Blocks, 76)),
            1 => new FrameLine(76, []),
            _ => new FrameLine(43, []),
        })];
        MethodLineTallies[] tallies = attributor.Charge(lines);

        Assert.AreEqual(2, tallies[UserMethod].ByLine[43].Objects, "the foreach line ran both");
        Assert.IsFalse(tallies[UserMethod].SelfByLine.ContainsKey(43), "and allocated neither itself");
        Assert.AreEqual(2, tallies[Blocks].ByLine[76].Objects, "the iterator's line, inlined or not");
        Assert.AreEqual(2, tallies[Blocks].SelfByLine[76].Objects);
        Assert.AreEqual(2, tallies[Blocks].Total.Objects);
    }

    [TestMethod]
    public void PeakLive_IsPerLineTheGCWhereItsObjectsAliveWeighedMost_AndForTheMethodItsOwn()
    {
        // Line 10 makes A (1,000 B) and, after GC 1, C (5,000 B); line 20 makes B (3,000 B). GC 1 keeps A and B; GC 2
        // (generation 1) keeps only C; GC 3 (full) keeps nothing. Line 10 peaks at GC 2 (C), line 20 at GC 1 (B), the
        // method at GC 2 (5,000 B against 4,000 B at GC 1).
        var attributor = new LineAttributor(AllocationEventKind.Exact, [0], selectedCount: 1, followLifetimes: true);
        void Allocate(ulong address, long size, int returnOffset) =>
            attributor.OnAllocation(new AllocationRecord(0, 1, size, 0, 0, TypeId: 1) { Address = address }, [new StackFrame(UserMethod, 0, returnOffset)]);
        void GC(int count, int generation, params (ulong Start, ulong Length)[] surviving)
        {
            attributor.OnGCStart(count, count, generation, GCType.Blocking, 1, byAllocation: true);
            foreach ((ulong start, ulong length) in surviving)
            {
                attributor.OnSurvivingRange(start, length);
            }

            attributor.OnGCEnd(count, count, generation);
        }

        Allocate(0x1000, 1_000, 0x10);
        Allocate(0x2000, 3_000, 0x20);
        GC(1, 0, (0x1000, 0x2000));
        Allocate(0x5000, 5_000, 0x10);
        GC(2, 1, (0x5000, 0x2000));
        GC(3, 2);

        MethodLineTallies tallies = attributor.Charge([.. attributor.Frames.Select(f => new FrameLine(f.ReturnOffset == 0x10 ? 10 : 20, []))])[0];

        Assert.AreEqual(5_000, tallies.PeakLiveByLine[10].WeightedBytes);
        Assert.AreEqual(3_000, tallies.PeakLiveByLine[20].WeightedBytes);
        Assert.AreEqual(5_000, tallies.PeakLive.WeightedBytes);
        Assert.AreEqual(1, tallies.PeakLive.Samples);
    }

    [TestMethod]
    public void LinesWhoseStacksHoldObjectsBoxedByTheRuntimesBoxHelper_AreListed()
    {
        // Method 1 is CastHelpers.Box, called by tier-0 code of method 2 (a generic framework method), called by
        // the user method's line 40; line 41 allocates directly.
        const int boxHelper = 1;
        var attributor = new LineAttributor(AllocationEventKind.Exact, [0, -1, -1], selectedCount: 1, boxesThroughHelper: [false, true, false]);

        attributor.OnAllocation(new AllocationRecord(0, 1, 32, 0, 0, TypeId: 3), [new StackFrame(boxHelper, 1, 0x10), new StackFrame(2, 2, 0x30), new StackFrame(UserMethod, 0, 0x20)]);
        attributor.OnAllocation(new AllocationRecord(0, 1, 1_024, 0, 0, TypeId: 4), [new StackFrame(UserMethod, 0, 0x40)]);

        FrameLine[] lines = [.. attributor.Frames.Select(f => new FrameLine(f.ReturnOffset == 0x20 ? 40 : 41, []))];
        MethodLineTallies tallies = attributor.Charge(lines)[0];

        CollectionAssert.AreEqual(new[] { 40 }, tallies.LinesBoxingThroughHelper.ToArray());
    }

    [TestMethod]
    public void WorkTheMethodHandedToAnotherThread_CountsOnItsLinesAndAsHandedOff_OnceEach()
    {
        // Method 0 is the selected method (its lambda is its own code too): line 50 queues the lambda (line 51).
        // Thread 2 runs the lambda: the lambda's frame is its own, the queuing frame inherited and handed off.
        var attributor = new LineAttributor(AllocationEventKind.Exact, [0, -1], selectedCount: 1);
        StackFrame lambda = new(UserMethod, 0, 0x51), queuing = new(UserMethod, 0, 0x50), pool = new(1, 1, 0x9);
        attributor.OnAllocation(new AllocationRecord(0, 2, 1_000, 0, 0, InheritedFrom: 2, HandedOffFrom: 2), [lambda, pool, queuing]);
        // The same work run by the queuing thread itself (it picked the work item up): not handed off.
        attributor.OnAllocation(new AllocationRecord(1, 1, 300, 0, 0, InheritedFrom: 2), [lambda, pool, queuing]);

        FrameLine[] lines = [.. attributor.Frames.Select(f => new FrameLine(f.ReturnOffset == 0x50 ? 50 : 51, []))];
        MethodLineTallies tallies = attributor.Charge(lines)[0];

        Assert.AreEqual(1_300, tallies.Total.WeightedBytes);
        Assert.AreEqual(1_300, tallies.ByLine[50].WeightedBytes);
        Assert.AreEqual(1_300, tallies.ByLine[51].WeightedBytes);
        Assert.AreEqual(1_000, tallies.HandedOffByLine[50].Part.WeightedBytes);
        Assert.AreEqual(1_000, tallies.HandedOffByLine[51].Part.WeightedBytes);
        CollectionAssert.AreEqual(new[] { 2 }, tallies.HandedOffByLine[50].Threads.ToArray());
    }

    [TestMethod]
    public void AllocationsOnThreadsTheMethodNeverRanOn_WhileItRan_AreCountedElsewhere()
    {
        var attributor = new LineAttributor(AllocationEventKind.Exact, [0, -1], selectedCount: 1);
        attributor.OnAllocation(new AllocationRecord(10, 1, 100, 0, 0), [new StackFrame(UserMethod, 0, 0x40)]);
        attributor.OnAllocation(new AllocationRecord(500, 1, 100, 0, 0), [new StackFrame(UserMethod, 0, 0x40)]);
        attributor.OnAllocation(new AllocationRecord(200, 7, 4_000, 0, 0), [new StackFrame(1, 1, 0x9)]);   // a worker of its own, while it ran
        attributor.OnAllocation(new AllocationRecord(300, 1, 50, 0, 0), [new StackFrame(1, 1, 0x9)]);      // its own thread, other code
        attributor.OnAllocation(new AllocationRecord(5_000, 8, 9_000, 0, 0), [new StackFrame(1, 1, 0x9)]); // long after it ran

        MethodLineTallies tallies = attributor.Charge([.. attributor.Frames.Select(_ => new FrameLine(40, []))])[0];

        Assert.AreEqual(4_000, tallies.Elsewhere.WeightedBytes);
        Assert.AreEqual(1, tallies.ElsewhereThreads);
    }
}
