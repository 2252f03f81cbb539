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
}
