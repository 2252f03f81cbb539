using System.Collections.Frozen;
using System.Collections.Immutable;
using DotnetMemLine.Attribution;
using DotnetMemLine.Decoding;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Tests.Attribution;

/// <summary>
/// Return addresses placed on IL instructions, on IL maps recorded from .NET 10 (JIT disassembly and
/// the MethodILToNativeMap events of the same method) and the IL of the methods they came from.
/// </summary>
[TestClass]
public sealed class CallSiteResolverTests
{
    // Program.Everyday (tests of issue 11), IL with its sequence points:
    //   line 14  IL_0000 ldc.i4 200000; IL_0005 newarr Byte
    //   line 15  IL_000b ... IL_001c newobj Func`2::.ctor; IL_0022 stsfld; IL_0027 call SelectMany; IL_002c call ToList
    //   line 16  IL_0032 ldc.i4 524288; IL_0037 newarr Byte
    //   line 17  IL_003d call Encoding::get_UTF8; IL_0043 callvirt Encoding::GetBytes
    //   line 18  IL_0049 ... IL_004c call Range; IL_0065 newobj Func`2::.ctor; IL_0070 call Select; IL_0075 call ToList
    //   line 19  IL_007c ... IL_0082 call String::Join
    //   line 20  IL_0089 ... IL_008e newobj List`1::.ctor
    //   line 21  IL_0095 ... IL_009a newarr Int32
    private static readonly ImmutableArray<ILSite> EverydaySites =
    [
        new(0x05, ILSiteKind.NewArray, "Byte[]", "", 200_000),
        new(0x0c, ILSiteKind.StaticField, "<>O", ""),
        new(0x1c, ILSiteKind.NewObject, "Func", ".ctor"),
        new(0x22, ILSiteKind.StaticField, "<>O", ""),
        new(0x27, ILSiteKind.Call, "Enumerable", "SelectMany"),
        new(0x2c, ILSiteKind.Call, "Enumerable", "ToList"),
        new(0x37, ILSiteKind.NewArray, "Byte[]", "", 524_288),
        new(0x3d, ILSiteKind.Call, "Encoding", "get_UTF8"),
        new(0x43, ILSiteKind.CallVirt, "Encoding", "GetBytes"),
        new(0x4c, ILSiteKind.Call, "Enumerable", "Range"),
        new(0x65, ILSiteKind.NewObject, "Func", ".ctor"),
        new(0x70, ILSiteKind.Call, "Enumerable", "Select"),
        new(0x75, ILSiteKind.Call, "Enumerable", "ToList"),
        new(0x82, ILSiteKind.Call, "String", "Join"),
        new(0x8e, ILSiteKind.NewObject, "List", ".ctor"),
        new(0x9a, ILSiteKind.NewArray, "Int32[]", "", 3_000),
    ];

    // Fully optimized (DOTNET_TieredCompilation=0) Everyday, as the event wrote it (sorted by native offset):
    // the first statement shares the prolog's range, IL 0x32 and 0x3d lost their boundaries, and
    // [0x97, 0x144) holds the rest of line 15 and lines 16-17 with no mapping at all.
    private static readonly CompiledCode OptimizedEveryday = new()
    {
        MethodId = 0,
        Size = 777,
        NativeOffsets = [0x0, 0x30, 0x7c, 0x97, 0x144, 0x1bd, 0x1fc, 0x213, 0x24a, 0x26b, 0x274, 0x27d, 0x286, 0x290, 0x29a, 0x2a4, 0x2a7, 0x2b6],
        ILOffsets = [-2, 0xb, 0x21, -1, 0x49, 0x6a, 0x7c, 0x89, 0x95, 0xa5, 0xab, 0xb1, 0xb8, 0xbf, 0xc6, 0xcb, -3, -1],
        IsOptimized = true,
        InlinedMethods = [("System.Linq.Enumerable", "SelectMany"), ("System.Text.Encoding", "get_UTF8"), ("System.Text.UTF8Encoding+UTF8EncodingSealed", "GetBytes"), ("System.Linq.Enumerable", "Range")],
    };

    private static Dictionary<int, CallSiteResolution> Resolve(CompiledCode code, ImmutableArray<ILSite> sites, params (int ReturnOffset, FrameCall Call)[] frames) =>
        new CallSiteResolver(code, sites, ilSize: 0xd2).Resolve(frames);

    [TestMethod]
    public void TwoCallsLaidOutInEachOthersRanges_GoToTheSitesTheirCallsReturnTo()
    {
        // DescribeLedger in fully optimized code: the deposit arm's `"deposit of " + amount` (IL 92, String.Concat of two
        // strings) returns at 0x2e0, in the range the map gives the transfer arm (IL 209 on); the transfer arm's
        // string.Concat of four strings (IL 242) returns at 0x36c, in the deposit arm's range (IL 38 on). Both are
        // String.Concat, but each is its method's only call of that overload, and String.Concat was not inlined: a call
        // instruction returns to one address, so each frame belongs to the site its own overload is called from.
        CompiledCode code = new()
        {
            MethodId = 0,
            Size = 1044,
            NativeOffsets = [0x0, 0x40, 0x2a0, 0x300, 0x390],
            ILOffsets = [-2, 0, 209, 38, 281],
            IsOptimized = true,
            InlinedMethods = [("System.Globalization.CultureInfo", "get_InvariantCulture"), ("System.String", "Create")],
        };
        ImmutableArray<ILSite> sites =
        [
            new(7, ILSiteKind.NewObject, "List", ".ctor", ParameterCount: 1),
            new(82, ILSiteKind.Call, "CultureInfo", "get_InvariantCulture", ParameterCount: 0),
            new(87, ILSiteKind.Call, "Decimal", "ToString", ParameterCount: 2),
            new(92, ILSiteKind.Call, "String", "Concat", ParameterCount: 2),
            new(211, ILSiteKind.Call, "String", "Create", ParameterCount: 2),
            new(242, ILSiteKind.Call, "String", "Concat", ParameterCount: 4),
            new(272, ILSiteKind.CallVirt, "List", "Add", ParameterCount: 1),
        ];

        var result = new CallSiteResolver(code, sites, ilSize: 310).Resolve([
            (0x2e0, FrameCall.Call("String", "Concat") with { ParameterCount = 2 }),
            (0x36c, FrameCall.Call("String", "Concat") with { ParameterCount = 4 })]);

        Assert.AreEqual(92, result[0x2e0].ILOffset);
        Assert.AreEqual(242, result[0x36c].ILOffset);
    }

    [TestMethod]
    public void FirstStatementInThePrologsRange_IsPlacedOnItsAllocation()
    {
        var result = Resolve(OptimizedEveryday, EverydaySites, (0x2d, FrameCall.Allocation("Byte[]")));

        Assert.AreEqual(0x05, result[0x2d].ILOffset);
        Assert.IsTrue(result[0x2d].Alternatives.IsEmpty);
    }

    [TestMethod]
    public void StatementsInOneUnmappedRange_AreToldApartByWhatEachFrameCalled()
    {
        var result = Resolve(OptimizedEveryday, EverydaySites,
            (0xc3, FrameCall.Allocation("SelectManySingleSelectorIterator")), // inlined SelectMany's allocation
            (0xfd, FrameCall.Call("SelectManySingleSelectorIterator", "ToList") with { OuterTypeKey = "Enumerable" }),
            (0x114, FrameCall.Allocation("Byte[]")),                          // new byte[512 * 1024]
            (0x2cb, FrameCall.Call("Encoding", "GetBytes")));                 // GetBytes' slow path, in cold code

        Assert.AreEqual(0x27, result[0xc3].ILOffset);
        Assert.AreEqual(0x2c, result[0xfd].ILOffset);
        Assert.AreEqual(0x37, result[0x114].ILOffset);
        Assert.AreEqual(0x43, result[0x2cb].ILOffset);
        Assert.IsTrue(result.Values.All(r => r.Alternatives.IsEmpty));
    }

    [TestMethod]
    public void InlinedConstructorsAllocation_StaysOnItsRange_NotOnALaterArrayOfTheSameType()
    {
        // new List<int>(10_000) allocates its int[10000] inside the inlined constructor, in line 20's range;
        // line 21's own int[3_000] comes next.
        var result = Resolve(OptimizedEveryday with { InlinedMethods = [("System.Collections.Generic.List`1[System.Int32]", ".ctor")] }, EverydaySites,
            (0x222, FrameCall.Allocation("List")),
            (0x23a, FrameCall.Allocation("Int32[]")),
            (0x25e, FrameCall.Allocation("Int32[]")));

        Assert.AreEqual(0x8e, result[0x222].ILOffset);
        Assert.AreEqual(0x8e, result[0x23a].ILOffset);
        Assert.AreEqual(0x9a, result[0x25e].ILOffset);
    }

    [TestMethod]
    public void CallThatEndsAStatement_BelongsToIt_NotToTheStatementItReturnsInto()
    {
        // Tier-0 code: a boundary per statement. ToList (IL 0x2c) is the last call of line 15's range; it
        // returns to 0x10f, the first byte of line 16's range.
        CompiledCode tier0 = OptimizedEveryday with
        {
            NativeOffsets = [0x0, 0x40, 0x10f, 0x130, 0x160],
            ILOffsets = [-2, 0xb, 0x32, 0x3d, 0x49],
            IsOptimized = false,
            InlinedMethods = [],
        };

        var result = Resolve(tier0, EverydaySites, (0x10f, FrameCall.Call("SelectManySingleSelectorIterator", "ToList")));

        Assert.AreEqual(0x2c, result[0x10f].ILOffset);
    }

    [TestMethod]
    public void SameCallOnTwoStatementsOfOneRange_IsPlacedByOrder()
    {
        // Two statements calling Make() share one optimized range; the earlier return address is the earlier call.
        ImmutableArray<ILSite> sites = [new(0x02, ILSiteKind.Call, "Shapes", "Make"), new(0x09, ILSiteKind.Call, "Shapes", "Make")];
        CompiledCode code = new() { MethodId = 0, Size = 100, NativeOffsets = [0, 0x10, 0x50], ILOffsets = [-2, 0, 0x10], IsOptimized = true, InlinedMethods = [] };

        var both = new CallSiteResolver(code, sites, 0x20).Resolve([(0x20, FrameCall.Call("Shapes", "Make")), (0x30, FrameCall.Call("Shapes", "Make"))]);
        var one = new CallSiteResolver(code, sites, 0x20).Resolve([(0x30, FrameCall.Call("Shapes", "Make"))]);

        Assert.AreEqual((0x02, 0x09), (both[0x20].ILOffset, both[0x30].ILOffset));
        Assert.IsTrue(both[0x20].Alternatives.IsEmpty && both[0x30].Alternatives.IsEmpty);
        Assert.AreEqual(1, one[0x30].Alternatives.Length, "seen alone, either call fits: the resolution says so");
    }

    [TestMethod]
    public void RotatedLoop_AllocationRightAfterTheConditionsRange_BelongsToTheBodysFirstStatement()
    {
        // A rotated loop in tier-1 shared generic code, as recorded: the condition's range (IL 70: i < count,
        // no call) runs into the top of the body (IL 22, whose first statement at IL 7 lost its boundary).
        ImmutableArray<ILSite> sites = [new(0x0c, ILSiteKind.NewArray, "", ""), new(0x1a, ILSiteKind.Call, "Sink", "Keep")];
        CompiledCode code = new() { MethodId = 0, Size = 0xA0, NativeOffsets = [0x00, 0x23, 0x40, 0x8A, 0x9A], ILOffsets = [-2, 70, 22, 7, -3], IsOptimized = true };

        var result = new CallSiteResolver(code, sites, 80).Resolve([(0x3C, FrameCall.Allocation(""))]);

        Assert.AreEqual(0x0c, result[0x3C].ILOffset);
    }

    [TestMethod]
    public void RotatedLoop_TheTestsRangeEndsAtItsBranch_NotAtTheStatementAfterTheLoop()
    {
        // GenericShape.FillArrays<__Canon> in tier-1 code compiled before the session, as recorded:
        //   IL 7   mark = Truth.Mark();               IL 71  i < count: blt.s IL 7 (at IL 73)
        //   IL 15  var array = new T[length];        IL 75  mark = Truth.Mark();
        //   IL 23  Truth.Record(mark); ...           IL 83  var arrays = Blocks.MakeArraysOf(value, count, length);
        // The loop test's first copy (native 0x2a, IL 71) runs into the body's top (native 0x6d is IL 23), and the
        // map has no boundary between IL 71 and IL 92: the test's IL "range" reaches over the statement after
        // the loop, whose MakeArraysOf (not inlined, but the trace cannot say so) allocates a T[] too. The test
        // ends at its branch, so the body's own new T[length] is the only site left for the array allocated at 0x69.
        ImmutableArray<ILSite> sites =
        [
            new(9, ILSiteKind.Call, "Truth", "Mark"),
            new(16, ILSiteKind.NewArray, "?[]", ""),
            new(36, ILSiteKind.Call, "Truth", "Record"),
            new(43, ILSiteKind.Call, "Sink", "Keep"),
            new(77, ILSiteKind.Call, "Truth", "Mark"),
            new(86, ILSiteKind.Call, "Blocks", "MakeArraysOf", TargetToken: 0x06000002),
            new(105, ILSiteKind.Call, "Truth", "Record"),
            new(111, ILSiteKind.Call, "Sink", "Keep"),
        ];
        ImmutableArray<ILSite> makeArraysOf = [new(12, ILSiteKind.NewArray, "?[]", "")];
        ImmutableArray<ILBranch> branches = [new(5, 7, 71), new(73, 75, 7)];
        CompiledCode code = new()
        {
            MethodId = 0,
            Size = 0x171,
            NativeOffsets = [0x0, 0x22, 0x25, 0x2a, 0x6d, 0x93, 0x9d, 0xb2, 0xbc, 0xc1, 0xfd, 0x123, 0x12c, 0x12f],
            ILOffsets = [-2, 0, 3, 71, 23, 41, 48, 59, 67, 71, 92, 110, 116, -3],
            IsOptimized = true,
            InlinedMethods = null, // compiled before the session: any call may have been inlined
        };

        var result = new CallSiteResolver(code, sites, 118, token => token == 0x06000002 ? makeArraysOf : [], branches).Resolve(
        [
            (0x69, FrameCall.Allocation("String[]", 8_216, 8_216)),
            (0xfa, FrameCall.Call("Blocks", "MakeArraysOf")),
        ]);

        Assert.AreEqual(16, result[0x69].ILOffset, "the body's new T[length], not the MakeArraysOf after the loop");
        Assert.IsTrue(result[0x69].Alternatives.IsEmpty, $"alternatives [{string.Join(", ", result[0x69].Alternatives)}]");
        Assert.AreEqual(86, result[0xfa].ILOffset, "the second copy of the test (native 0xc1) runs into the statement after the loop");
    }

    [TestMethod]
    public void NewString_IsPlacedOnItsNewobj_ThoughTheFrameCallsStringCtor()
    {
        // TieringShape.Hot in tier-0 code, as recorded (Release IL: Roslyn keeps each Truth.Mark() result on the
        // IL stack until its Truth.Record, so the statements between have no boundary of their own):
        //   IL 79  mark = Truth.Mark();                  (line 76)
        //   IL 86  var text = new string('h', length / 2); newobj String::.ctor at IL 91 (line 77)
        //   IL 97  Truth.Record(mark);                   (line 78)
        // The runtime runs newobj String::.ctor(char, int) as a call of the static String.Ctor(char, int): the
        // frame was calling "Ctor", not ".ctor". Unmatched, it fell back to the range's offset, line 76.
        ImmutableArray<ILSite> sites =
        [
            new(2, ILSiteKind.Call, "Truth", "Mark"),
            new(8, ILSiteKind.NewArray, "Byte[]", ""),
            new(26, ILSiteKind.Call, "Truth", "Record"),
            new(32, ILSiteKind.Call, "Sink", "Keep"),
            new(39, ILSiteKind.Call, "Truth", "Mark"),
            new(56, ILSiteKind.Call, "Blocks", "Make"),
            new(74, ILSiteKind.Call, "Truth", "Record"),
            new(81, ILSiteKind.Call, "Truth", "Mark"),
            new(91, ILSiteKind.NewObject, "String", ".ctor"),
            new(109, ILSiteKind.Call, "Truth", "Record"),
            new(115, ILSiteKind.Call, "Sink", "Keep"),
            new(128, ILSiteKind.CallVirt, "String", "get_Length"),
        ];
        CompiledCode tier0 = new()
        {
            MethodId = 0,
            Size = 336,
            NativeOffsets = [0x0, 0x1d, 0x6e, 0x78, 0xd4, 0x129, 0x133, 0x14a],
            ILOffsets = [-2, 0, 31, 37, 79, 114, 120, -3],
            IsOptimized = false,
            InlinedMethods = [],
        };

        var result = new CallSiteResolver(tier0, sites, 142).Resolve([(0xfe, FrameCall.Call("String", "Ctor"))]);

        Assert.AreEqual(91, result[0xfe].ILOffset);
    }

    [TestMethod]
    public void FirstTouchOfATypeThroughDotnet10sStaticsHelper_IsPlacedOnTheStaticFieldAccess()
    {
        // LambdaShape.QueryBlocks in tier-0 code, as recorded: IL 33 (line 40) reads the cached delegate of a static
        // lambda, <>c.<>9__2_1, the first touch of <>c, whose static constructor allocates <>c.<>9. On .NET 10 the
        // frame calls the managed helper StaticsHelpers.GetGCStaticBaseSlow, which names no type. Nothing in the
        // range could make that call, and the one delegate Invoke of the method (line 60, IL 137) was taken instead.
        ImmutableArray<ILSite> sites =
        [
            new(0, ILSiteKind.NewObject, "<>c__DisplayClass2_0", ".ctor"),
            new(21, ILSiteKind.LoadFunction, "<>c__DisplayClass2_0", "<QueryBlocks>b__0"),
            new(27, ILSiteKind.NewObject, "Func", ".ctor"),
            new(33, ILSiteKind.StaticField, "<>c", ""),
            new(42, ILSiteKind.StaticField, "<>c", ""),
            new(47, ILSiteKind.LoadFunction, "<>c", "<QueryBlocks>b__2_1"),
            new(53, ILSiteKind.NewObject, "Func", ".ctor"),
            new(59, ILSiteKind.StaticField, "<>c", ""),
            new(75, ILSiteKind.Call, "Truth", "Mark"),
            new(85, ILSiteKind.Call, "Enumerable", "Range"),
            new(91, ILSiteKind.Call, "Enumerable", "Select"),
            new(96, ILSiteKind.Call, "Enumerable", "ToList"),
            new(117, ILSiteKind.Call, "Truth", "Record"),
            new(124, ILSiteKind.Call, "Truth", "Mark"),
            new(137, ILSiteKind.CallVirt, "Func", "Invoke"),
            new(158, ILSiteKind.Call, "Truth", "Record"),
        ];
        CompiledCode tier0 = new()
        {
            MethodId = 0,
            Size = 1100,
            NativeOffsets = [0x0, 0x4a, 0x6d, 0x78, 0x7e, 0x89, 0xba, 0xc5, 0x114, 0x16c, 0x1ab, 0x1c4, 0x1ea, 0x23b, 0x262, 0x288],
            ILOffsets = [-2, 0, 5, 6, 9, 20, 32, 33, 42, 58, 65, 73, 82, 103, 122, 131],
            IsOptimized = false,
            InlinedMethods = [],
        };

        var result = new CallSiteResolver(tier0, sites, 290).Resolve([(0xd5, FrameCall.Call("StaticsHelpers", "GetGCStaticBaseSlow"))]);

        Assert.AreEqual(33, result[0xd5].ILOffset);
    }

    [TestMethod]
    public void UnmappedCodeAtTheTopOfALoop_BelongsToTheStatementAfterIt()
    {
        // An OSR body, as recorded: the increment (IL 52) first, then unmapped code holding the allocation
        // of the body's first statement (IL 7), then the rest of that line from IL 18.
        ImmutableArray<ILSite> sites = [new(0x0d, ILSiteKind.NewArray, "Byte[]", "", 1000), new(0x13, ILSiteKind.Call, "Sink", "Keep"), new(0x2a, ILSiteKind.NewArray, "Byte[]", "")];
        CompiledCode code = new() { MethodId = 0, Size = 130, NativeOffsets = [0, 45, 50, 76, 82, 89, 113, 116, 121, 124], ILOffsets = [-2, 52, -1, 18, 24, 31, 48, 52, 56, -3], IsOptimized = true };

        var result = new CallSiteResolver(code, sites, 60).Resolve([(60, FrameCall.Allocation("Byte[]"))]);

        Assert.AreEqual(0x0d, result[60].ILOffset);
    }

    [TestMethod]
    public void UnmappedCodeBeforeARangeOfEarlierIL_WithNoLoopBack_GoesOnWithTheStatementBeforeIt_WhenClearlyNearerIt()
    {
        // Fresh2.SummarizeSalesByRegion at tier 1, as recorded: 3.8 KB of unmapped code after a range of IL 0xb1 (inside
        // `Sales.GroupBy(s => s.Month).ToDictionary(...)`), before one of IL 0x42 (the first statement's Select); no
        // jump of the IL after 0xb1 goes back. 400 bytes in, the inlined ToDictionary enumerates the GroupBy iterator.
        ImmutableArray<ILSite> sites =
        [
            new(0x24, ILSiteKind.Call, "Enumerable", "GroupBy"),
            new(0x48, ILSiteKind.Call, "Enumerable", "Select"),
            new(0x4d, ILSiteKind.Call, "Enumerable", "ToList"),
            new(0x7c, ILSiteKind.Call, "Enumerator", "MoveNext"),
            new(0xb7, ILSiteKind.Call, "Enumerable", "GroupBy"),
            new(0xfa, ILSiteKind.Call, "Enumerable", "ToDictionary"),
            new(0x125, ILSiteKind.Call, "Enumerable", "Select"),
            new(0x12a, ILSiteKind.Call, "Enumerable", "ToList"),
        ];
        CompiledCode tier1 = Optimized(0x1cae,
            [0x0, 0x23, 0x54, 0xbe, 0xd5, 0x30f, 0x31b, 0x3bd, 0x425, 0x468, 0x471, 0x47a, 0x47a, 0x48d, 0x6e2, 0x747, 0x74e, 0x79b, 0x7cd, 0x8b7, 0x8c3, 0x8e7, 0x929, 0x93d, 0x1832, 0x1849, 0x19bc, 0x1a0b, 0x1a12, 0x1a7e, 0x1aaa, 0x1b14, 0x1b1b, 0x1b65, 0x1bad, 0x1bbd, 0x1c3d, 0x1c57, 0x1c69, 0x1c74, 0x1caa],
            [-2, 0x0, -1, 0x1e, -1, 0x5c, -1, 0x100, -1, 0x135, 0x13b, 0x140, -3, -1, 0x6d, -1, 0x6d, 0x7a, 0x6d, -1, 0x93, -1, 0xb1, -1, 0x42, -1, 0x6d, -1, 0x6d, 0x7a, 0x6d, 0x7a, -1, 0xd5, 0xf4, -1, 0x11f, -1, -2, -1, -3]);
        var moveNext = FrameCall.Call("GroupByIterator", "MoveNext") with { OuterTypeKey = "Enumerable" };
        var resolver = new CallSiteResolver(tier1, sites, ilSize: 0x140, branches: [new ILBranch(0x7c + 5, 0x7c + 7, 0x65)]);

        Dictionary<int, CallSiteResolution> result = resolver.Resolve([(0xad1, moveNext), (0x1820, moveNext)]);

        Assert.IsTrue(result[0xad1].ILOffset is 0xb7 or 0xfa, $"the second statement's GroupBy or ToDictionary, not IL 0x{result[0xad1].ILOffset:x}");
        Assert.IsTrue(result[0x1820].ILOffset is 0x24 or 0x48 or 0x4d, $"code just before the range of IL 0x42 leads into it, not IL 0x{result[0x1820].ILOffset:x}");
        Assert.IsTrue(new CallSiteResolver(tier1, sites, ilSize: 0x140).Resolve([(0xad1, moveNext)])[0xad1].ILOffset is 0x24 or 0x48 or 0x4d,
            "when the IL's jumps are not known, any may be a loop's: the code leads into the range after it");
    }

    [TestMethod]
    public void ArrayOfAnotherConstantLength_IsNotTheSite_ButAnInlinedLambdasArrayIs()
    {
        // Tier-1 code with dynamic PGO, as recorded: ToList and the Select lambda (new byte[5_000], in the
        // method's own module) inlined into line 18, that code moved into an unmapped stretch between line 15's
        // and line 17's ranges, next to line 16's new byte[512 * 1024].
        ImmutableArray<ILSite> sites = [.. EverydaySites, new(0x5f, ILSiteKind.LoadFunction, "<>c", "<Everyday>b__3_0", TargetToken: 0x06000009)];
        sites = [.. sites.OrderBy(s => s.Offset)];
        ImmutableArray<ILSite> lambda = [new(0x05, ILSiteKind.NewArray, "Byte[]", "", 5_000)];
        CompiledCode tier1 = OptimizedEveryday with
        {
            NativeOffsets = [0x0, 0x53, 0x72, 0x319, 0x336, 0x458],
            ILOffsets = [-2, 0xb, -1, 0x3d, -1, 0x49],
            InlinedMethods = null, // compiled before the session: unknown
        };

        var result = new CallSiteResolver(tier1, sites, 0xd2, token => token == 0x06000009 ? lambda : []).Resolve(
        [
            (0x264, FrameCall.Allocation("Byte[]", 5_024, 5_024)),
            (0x316, FrameCall.Allocation("Byte[]", 524_312, 524_312)),
        ]);

        Assert.AreEqual(0x5f, result[0x264].ILOffset, "the lambda's array: line 18, where the delegate is made");
        Assert.AreEqual(0x37, result[0x316].ILOffset, "line 16's own array");
    }

    [TestMethod]
    public void NoSiteNamesTheCallee_ACallOfTheRangeMayHaveTailCalledIt()
    {
        // Select or ToList may have ended by jumping to Mystery, leaving no frame of their own.
        var result = Resolve(OptimizedEveryday, EverydaySites, (0x1c0, FrameCall.Call("Unrelated", "Mystery")));

        Assert.AreEqual(0x70, result[0x1c0].ILOffset);
        CollectionAssert.AreEqual(new[] { 0x75 }, result[0x1c0].Alternatives.ToArray());
    }

    // One range (as tier-0 code keeps only stack-empty boundaries) holding three statements:
    // new byte[100]; Encoding.UTF8.GetBytes(s); lookup.ToArray(). Nothing was inlined.
    private static readonly ImmutableArray<ILSite> TailCallSites =
    [
        new(0x02, ILSiteKind.NewArray, "Byte[]", "", 100),
        new(0x08, ILSiteKind.Call, "Encoding", "get_UTF8"),
        new(0x0e, ILSiteKind.CallVirt, "Encoding", "GetBytes"),
        new(0x14, ILSiteKind.Call, "Enumerable", "ToArray"),
    ];

    private static readonly CompiledCode OneRange = new()
    {
        MethodId = 0,
        Size = 0x100,
        NativeOffsets = [0x0, 0x10, 0xf0],
        ILOffsets = [-2, 0x0, -3],
        IsOptimized = false,
        InlinedMethods = [],
    };

    [TestMethod]
    public void CalleesSeenThroughTailCalls_ArePlacedOnTheCallsThatJumpedToThem()
    {
        var result = new CallSiteResolver(OneRange, TailCallSites, ilSize: 0x20).Resolve(
        [
            (0x20, FrameCall.Allocation("Byte[]", 124, 124)),
            (0x40, FrameCall.Call("UTF8EncodingSealed", "GetBytesForSmallInput")), // GetBytes(string) jumped to it
            (0x50, FrameCall.Call("Enumerable", "ICollectionToArray")),              // ToArray jumped to it
        ]);

        Assert.AreEqual(0x02, result[0x20].ILOffset);
        CollectionAssert.AreEquivalent(new[] { 0x08, 0x0e }, result[0x40].Alternatives.Add(result[0x40].ILOffset).ToArray(), "a call between the array and ToArray: get_UTF8 or GetBytes (one line)");
        Assert.AreEqual(0x14, result[0x50].ILOffset, "a call into the callee's own type is the likelier jump");
    }

    [TestMethod]
    public void ACallMovedIntoTheStatementThatUsesItsResult_IsChargedToItsOwnStatement()
    {
        // var bytes = stream.ToArray(); Sink.Keep(bytes); optimized: the JIT substituted the ToArray
        // call into Keep's statement, after the boundary of IL 0x08 that the map keeps.
        ImmutableArray<ILSite> sites =
        [
            new(0x02, ILSiteKind.CallVirt, "MemoryStream", "ToArray"),
            new(0x0a, ILSiteKind.Call, "Sink", "Keep"),
        ];
        CompiledCode code = OneRange with { NativeOffsets = [0x0, 0x10, 0x40, 0x80], ILOffsets = [-2, 0x0, 0x08, -3], IsOptimized = true };

        var result = new CallSiteResolver(code, sites, ilSize: 0x10).Resolve([(0x50, FrameCall.Call("MemoryStream", "ToArray"))]);

        Assert.AreEqual(0x02, result[0x50].ILOffset);
    }

    [TestMethod]
    public void NewObjectsTheJitAllocatedEarly_DoNotBreakTheOrderOfTheRange()
    {
        // new string('x', n); new List<int>(n); new StringBuilder(n): fully optimized code allocated the
        // List before calling String.Ctor, and the inlined StringBuilder constructor allocated its
        // char[] through a helper no IL names.
        ImmutableArray<ILSite> sites =
        [
            new(0x02, ILSiteKind.NewObject, "String", ".ctor"),
            new(0x08, ILSiteKind.NewObject, "List", ".ctor"),
            new(0x0e, ILSiteKind.NewObject, "StringBuilder", ".ctor"),
        ];
        CompiledCode code = OneRange with { IsOptimized = true, InlinedMethods = [("System.Collections.Generic.List`1", ".ctor"), ("System.Text.StringBuilder", ".ctor")] };

        var result = new CallSiteResolver(code, sites, ilSize: 0x14).Resolve(
        [
            (0x20, FrameCall.Allocation("List", 32, 32)),
            (0x30, FrameCall.Call("String", "Ctor")),
            (0x40, FrameCall.Allocation("Int32[]", 400, 400)),
            (0x50, FrameCall.Allocation("StringBuilder", 48, 48)),
            (0x60, FrameCall.Call("GC", "AllocateNewArrayWorker")),
        ]);

        Assert.AreEqual(0x02, result[0x30].ILOffset, "new string(...) runs String.Ctor");
        Assert.AreEqual(0x08, result[0x40].ILOffset);
        Assert.AreEqual(0x0e, result[0x60].ILOffset);
    }

    [TestMethod]
    public void Tier1CodeLaidOutByProfile_AllocationOfTheArrayLineAndItsCopy_AndADevirtualizedInlinedCall()
    {
        // ConformanceTarget's Everyday.CallThenNew (Release IL), tier-1 code recorded by eng/conformance.sh:
        //   line 30  var tokens = Documents.SelectMany(Tokenize).ToList();   IL 0x00-0x2a
        //   line 31  var lookup = new byte[512 * 1024];                     IL 0x2b newarr at 0x30
        //   line 32  var utf8 = Encoding.UTF8.GetBytes(Documents[0]);       IL 0x35 (lookup still on the stack: no boundary)
        //   line 33  var copy = lookup.ToArray();                           IL 0x47
        // The blocks are placed by profile: GetBytes's inlined body (0x272) sits in the unmapped code after
        // IL 0, before the newarr's range (0x288); the inlined ToArray allocates its byte[] of the same size
        // as the newarr in the unmapped code after IL 43.
        ImmutableArray<ILSite> sites =
        [
            new(0x00, ILSiteKind.StaticField, "Everyday", ""),
            new(0x05, ILSiteKind.StaticField, "<>O", ""),
            new(0x0f, ILSiteKind.LoadFunction, "Everyday", "Tokenize"),
            new(0x15, ILSiteKind.NewObject, "Func", ".ctor"),
            new(0x1b, ILSiteKind.StaticField, "<>O", ""),
            new(0x20, ILSiteKind.Call, "Enumerable", "SelectMany"),
            new(0x25, ILSiteKind.Call, "Enumerable", "ToList"),
            new(0x30, ILSiteKind.NewArray, "Byte[]", "", 524_288),
            new(0x35, ILSiteKind.Call, "Encoding", "get_UTF8"),
            new(0x3a, ILSiteKind.StaticField, "Everyday", ""),
            new(0x41, ILSiteKind.CallVirt, "Encoding", "GetBytes"),
            new(0x47, ILSiteKind.Call, "Enumerable", "ToArray"),
            new(0x4d, ILSiteKind.Call, "Sink", "Keep"),
            new(0x53, ILSiteKind.Call, "Sink", "Keep"),
            new(0x58, ILSiteKind.Call, "Sink", "Keep"),
        ];
        CompiledCode tier1 = new()
        {
            MethodId = 0,
            Size = 1584,
            NativeOffsets = [0x0, 0x2a, 0x62, 0x288, 0x2b9, 0x451, 0x45a, 0x463, 0x463, 0x4a7, 0x4be],
            ILOffsets = [-2, 0, -1, 43, -1, 82, 88, 93, -3, 26, -1],
            IsOptimized = true,
            InlinedMethods =
            [
                ("System.Linq.Enumerable", "SelectMany"), ("System.Linq.Enumerable", "ToList"), ("System.Text.Encoding", "get_UTF8"),
                ("System.Text.UTF8Encoding+UTF8EncodingSealed", "GetBytes"), ("System.Linq.Enumerable", "ToArray"),
            ],
        };

        var result = new CallSiteResolver(tier1, sites, ilSize: 0x5e).Resolve(
        [
            (0x7c, FrameCall.Allocation("SelectManySingleSelectorIterator", 64, 64)),
            (0x241, FrameCall.Call("SelectManySingleSelectorIterator", "ToList")),
            (0x272, FrameCall.Call("UTF8EncodingSealed", "GetBytesForSmallInput")),
            (0x29c, FrameCall.Allocation("Byte[]", 524_312, 524_312)),
            (0x3e0, FrameCall.Allocation("Byte[]", 524_312, 524_312)),
        ]);

        Assert.AreEqual(0x25, result[0x241].ILOffset);
        Assert.AreEqual(0x41, result[0x272].ILOffset, "Encoding.GetBytes, devirtualized and inlined as UTF8EncodingSealed's, calls a method of that type");
        Assert.AreEqual(0x30, result[0x29c].ILOffset, "the newarr in its own mapped range");
        Assert.AreEqual(0x47, result[0x3e0].ILOffset, "the same size again, in unmapped code after it: the inlined ToArray, not the newarr a second time");
    }

    [TestMethod]
    public void RecursiveLocalFunctionInlinedIntoItself_ItsAllocationIsItsOwnNewArray_NotTheRecursiveCall()
    {
        // static object Build(int depth) { var children = new object[depth]; for (...) children[i] = Build(depth - 1); ... }
        // Tier 1 inlined one level of the recursion at IL 0x10: an Object[] allocated there is the inlined
        // body's newarr (line 134), though the call inside it may allocate one too.
        const int build = 0x06000042;
        ImmutableArray<ILSite> sites =
        [
            new(0x01, ILSiteKind.NewArray, "Object[]", ""),
            new(0x10, ILSiteKind.Call, "More", "<RecursiveLocalFunction>g__Build|8_0", TargetToken: build),
        ];
        CompiledCode code = OneRange with { IsOptimized = true, InlinedMethods = [("ConformanceTarget.Shapes.More", "<RecursiveLocalFunction>g__Build|8_0")] };
        var resolver = new CallSiteResolver(code, sites, ilSize: 0x20, sitesOf: token => token == build ? sites : []);

        Assert.AreEqual((build, 0x01), resolver.InlinedSite(0x10, FrameCall.Allocation("Object[]", 24, 64)));
    }

    [TestMethod]
    public void ALambdaMadeIntoAFunc_IsNotCalledByAnActionsOrAnotherFuncsInvoke()
    {
        // Lambdas.ClosuresAndDelegates in collect's tier-1 code (no inlining events): Numbers.Select(scale).ToArray()
        // was inlined and calls the lambda scale (x => new int[x + factor], a Func<int, int[]>) directly. The
        // Invoke of keep (an Action<int>) and of make (a Func<byte[]>) in the same stretch cannot call it.
        ImmutableArray<ILSite> sites =
        [
            new(0x10, ILSiteKind.LoadFunction, "<>c__DisplayClass2_0", "<ClosuresAndDelegates>b__0", ParameterCount: 1),
            new(0x16, ILSiteKind.NewObject, "Func", ".ctor", ParameterCount: 2),
            new(0x20, ILSiteKind.LoadFunction, "Lambdas", "Keep", ParameterCount: 1),
            new(0x26, ILSiteKind.NewObject, "Action", ".ctor", ParameterCount: 2),
            new(0x30, ILSiteKind.Call, "Enumerable", "Select", ParameterCount: 2),
            new(0x35, ILSiteKind.Call, "Enumerable", "ToArray", ParameterCount: 1),
            new(0x40, ILSiteKind.CallVirt, "Action", "Invoke", ParameterCount: 1),
            new(0x50, ILSiteKind.LoadFunction, "<>c", "<ClosuresAndDelegates>b__2_1", ParameterCount: 0),
            new(0x56, ILSiteKind.NewObject, "Func", ".ctor", ParameterCount: 2),
            new(0x60, ILSiteKind.CallVirt, "Func", "Invoke", ParameterCount: 0),
        ];
        CompiledCode code = OneRange with { IsOptimized = true, InlinedMethods = null };

        var result = new CallSiteResolver(code, sites, ilSize: 0x70).Resolve([(0x80, FrameCall.Call("<>c__DisplayClass2_0", "<ClosuresAndDelegates>b__0"))]);

        int[] places = [.. result[0x80].Alternatives.Add(result[0x80].ILOffset)];
        CollectionAssert.Contains(places, 0x35, "ToArray, inlined (line 34)");
        CollectionAssert.DoesNotContain(places, 0x40, "keep(...): an Action<int>");
        CollectionAssert.DoesNotContain(places, 0x60, "make(): a Func<byte[]>");
    }

    [TestMethod]
    public void ALambdaInlinedWhereItsDelegateIsInvoked_IsChargedToTheInvokingLine_WithTheLambdasLine()
    {
        // Func<byte[]> make = () => new byte[1_000];  var made = make();  tier 1 devirtualized make() (guarded)
        // and inlined the lambda there: the byte[] is allocated by this body, at the Invoke's place.
        const int lambda = 0x06000077;
        ImmutableArray<ILSite> sites =
        [
            new(0x10, ILSiteKind.LoadFunction, "<>c", "<ClosuresAndDelegates>b__2_1", TargetToken: lambda, ParameterCount: 0),
            new(0x16, ILSiteKind.NewObject, "Func", ".ctor", ParameterCount: 2),
            new(0x20, ILSiteKind.CallVirt, "Func", "Invoke", ParameterCount: 0),
        ];
        ImmutableArray<ILSite> lambdaSites = [new(0x01, ILSiteKind.NewArray, "Byte[]", "", 1_000)];
        CompiledCode code = OneRange with { IsOptimized = true, InlinedMethods = [("ConformanceTarget.Shapes.Lambdas+<>c", "<ClosuresAndDelegates>b__2_1")] };
        var resolver = new CallSiteResolver(code, sites, ilSize: 0x30, sitesOf: token => token == lambda ? lambdaSites : []);
        FrameCall allocation = FrameCall.Allocation("Byte[]", 1_024, 1_024);

        var result = resolver.Resolve([(0x80, allocation)]);

        Assert.AreEqual(0x20, result[0x80].ILOffset, "make(), where the lambda ran");
        Assert.AreEqual((lambda, 0x01), resolver.InlinedSite(0x20, allocation), "and the lambda's own line");
    }

    [TestMethod]
    public void ARangeEndingInAJumpOverOutOfLineCode_ContinuesAtTheJumpsTarget()
    {
        // Lambdas.ClosuresAndDelegates, collect's tier-1 code: line 33, Action<int> keep = Keep, is compiled
        // from a cached delegate: ldsfld <>O; dup; brtrue IL_0039 (line 34); pop; ldnull; ldftn Keep; newobj ...
        // The JIT moved the creation out of line (IL 39's range comes last), so IL 30's range runs on into
        // line 34's inlined Select(...).ToArray(), whose iterator it allocates there.
        ImmutableArray<ILSite> sites =
        [
            new(0x1e, ILSiteKind.StaticField, "<>O", ""),
            new(0x28, ILSiteKind.LoadFunction, "Lambdas", "Keep", ParameterCount: 1),
            new(0x2e, ILSiteKind.NewObject, "Action", ".ctor", ParameterCount: 2),
            new(0x34, ILSiteKind.StaticField, "<>O", ""),
            new(0x39, ILSiteKind.StaticField, "Lambdas", ""),
            new(0x3f, ILSiteKind.Call, "Enumerable", "Select", ParameterCount: 2),
            new(0x44, ILSiteKind.Call, "Enumerable", "ToArray", ParameterCount: 1),
            new(0x4d, ILSiteKind.CallVirt, "Action", "Invoke", ParameterCount: 1),
        ];
        ImmutableArray<ILBranch> branches = [new(0x24, 0x26, 0x39)];
        CompiledCode code = new()
        {
            MethodId = 0,
            Size = 0x3a0,
            NativeOffsets = [0x0, 0x65, 0xf7, 0x299, 0x2c3, 0x2fa, 0x32b],
            ILOffsets = [-2, 30, -1, 82, -1, 39, 51],
            IsOptimized = true,
            InlinedMethods = null,
        };

        var result = new CallSiteResolver(code, sites, 0x60, branches: branches).Resolve([(0x8a, FrameCall.Allocation("ArraySelectIterator", 48, 48))]);

        CollectionAssert.Contains(new[] { 0x3f, 0x44 }, result[0x8a].ILOffset, "Select or ToArray (line 34), not the range's own IL 30");
    }

    [TestMethod]
    public void AStringAllocatedByTheFrameItself_IsAnInlinedCallsNotANewString()
    {
        // Iterator shape, tier 1: var prefix = new string('i', 200); ... var item = prefix + i.ToString();
        // new string(...) runs String.Ctor, a frame of its own; the 424-432-byte strings this frame allocated
        // itself come from the inlined String.Concat.
        ImmutableArray<ILSite> sites =
        [
            new(0x2a, ILSiteKind.NewObject, "String", ".ctor", ParameterCount: 2),
            new(0x46, ILSiteKind.Call, "Int32", "ToString", ParameterCount: 0),
            new(0x4b, ILSiteKind.Call, "String", "Concat", ParameterCount: 2),
        ];
        CompiledCode code = OneRange with { IsOptimized = true, InlinedMethods = [("System.String", "Concat")] };

        var result = new CallSiteResolver(code, sites, ilSize: 0x60).Resolve(
        [
            (0x40, FrameCall.Call("String", "Ctor")),
            (0x80, FrameCall.Allocation("String", 424, 432)),
        ]);

        Assert.AreEqual(0x2a, result[0x40].ILOffset, "new string(...) is its call of String.Ctor");
        Assert.AreEqual(0x4b, result[0x80].ILOffset, "prefix + i.ToString()");
    }

    [TestMethod]
    public void ALocalFunctionInlinedOrTailCalled_OffersTheSitesInItThatMayHaveMadeTheCall()
    {
        // string Label(int index) => prefix + index.ToString(); called in labels.Add(Label(i)) at IL 0x1e.
        const int label = 0x06000055;
        ImmutableArray<ILSite> sites =
        [
            new(0x1e, ILSiteKind.Call, "Lambdas", "<CapturingLocalFunction>g__Label|7_0", TargetToken: label, ParameterCount: 2),
            new(0x23, ILSiteKind.CallVirt, "List", "Add", ParameterCount: 1),
        ];
        ImmutableArray<ILSite> labelSites =
        [
            new(0x07, ILSiteKind.Call, "Int32", "ToString", ParameterCount: 0),
            new(0x0c, ILSiteKind.Call, "String", "Concat", ParameterCount: 2),
        ];

        // Tier-0 caller, tier-1 Label: Label ends by jumping to Concat, so the caller's frame calls Concat.
        var tierZero = new CallSiteResolver(OneRange, sites, ilSize: 0x30, sitesOf: token => token == label ? labelSites : []);
        (int token, int[] offsets) = tierZero.InlinedSitesThatMay(0x1e, FrameCall.Call("String", "Concat"));
        Assert.AreEqual(label, token);
        CollectionAssert.AreEqual(new[] { 0x0c }, offsets);

        // Tier-1 caller with Label and Concat inlined: the string is allocated by the caller's frame; both of
        // Label's calls may have made it (they are on one line, which the caller then takes).
        CompiledCode tierOne = OneRange with { IsOptimized = true, InlinedMethods = [("ConformanceTarget.Shapes.Lambdas", "<CapturingLocalFunction>g__Label|7_0")] };
        var optimized = new CallSiteResolver(tierOne, sites, ilSize: 0x30, sitesOf: token => token == label ? labelSites : []);
        (token, offsets) = optimized.InlinedSitesThatMay(0x1e, FrameCall.Allocation("String", 224, 232));
        Assert.AreEqual(label, token);
        CollectionAssert.AreEqual(new[] { 0x07, 0x0c }, offsets);
    }

    [TestMethod]
    public void ALambdaInvokingADelegateItsEnclosingMethodMade_ChargesThatLambdaWhenInlined()
    {
        // actions.Add(() => new byte[size]); ... actions.Select(action => action()).ToList(): tier 1 inlined the
        // first lambda into the second (guarded devirtualization). The second lambda's body makes no delegate;
        // its enclosing method does.
        const int makeBytes = 0x06000081;
        ImmutableArray<ILSite> invoker = [new(0x01, ILSiteKind.CallVirt, "Func", "Invoke", ParameterCount: 0)];
        (ILSite, ILSite)[] family =
        [
            (new(0x2a, ILSiteKind.LoadFunction, "<>c__DisplayClass8_0", "<DelegateInvokedLater>b__1", TargetToken: makeBytes, ParameterCount: 0),
             new(0x30, ILSiteKind.NewObject, "Func", ".ctor", ParameterCount: 2)),
        ];
        ImmutableArray<ILSite> makeBytesSites = [new(0x07, ILSiteKind.NewArray, "Byte[]", "")];
        CompiledCode code = OneRange with { IsOptimized = true, InlinedMethods = [("ConformanceTarget.Shapes.Lambdas+<>c__DisplayClass8_0", "<DelegateInvokedLater>b__1")] };
        var resolver = new CallSiteResolver(code, invoker, ilSize: 0x07, sitesOf: token => token == makeBytes ? makeBytesSites : [], familyDelegateMakings: family);
        FrameCall allocation = FrameCall.Allocation("Byte[]", 24, 1_928);

        Assert.AreEqual(0x01, resolver.Resolve([(0x28, allocation)])[0x28].ILOffset);
        Assert.AreEqual((makeBytes, 0x07), resolver.InlinedSite(0x01, allocation));
    }

    [TestMethod]
    public void CallSeenWhereAnEventIsRaised_IsTheHandlersThatMakeIt_InLineOrder()
    {
        // Fresh5.RaiseOrderEvents: two handlers `ledger.Placed += (_, order) => audit.Add(...)`, then `ledger.Place(sale)`,
        // whose body is `Placed?.Invoke(this, sale)`. Optimized, each handler inlines List.Add and jumps to
        // AddWithResize, so the frame at Place's call (inlined, or tier-0 code calling Place, which jumped to the
        // Invoke) is seen calling AddWithResize with no handler frame between.
        const int place = 0x06000014, first = 0x06000061, second = 0x06000062;
        ImmutableArray<ILSite> sites =
        [
            new(0x19, ILSiteKind.LoadFunction, "<>c__DisplayClass17_0", "<RaiseOrderEvents>b__0", TargetToken: first, ParameterCount: 2),
            new(0x1f, ILSiteKind.NewObject, "EventHandler", ".ctor", ParameterCount: 2),
            new(0x24, ILSiteKind.CallVirt, "OrderLedger", "add_Placed", TargetToken: 0x06000012, ParameterCount: 1),
            new(0x2b, ILSiteKind.LoadFunction, "<>c__DisplayClass17_0", "<RaiseOrderEvents>b__1", TargetToken: second, ParameterCount: 2),
            new(0x31, ILSiteKind.NewObject, "EventHandler", ".ctor", ParameterCount: 2),
            new(0x36, ILSiteKind.CallVirt, "OrderLedger", "add_Placed", TargetToken: 0x06000012, ParameterCount: 1),
            new(0x4d, ILSiteKind.CallVirt, "OrderLedger", "Place", TargetToken: place, ParameterCount: 1),
        ];
        ImmutableArray<ILSite> placeSites = [new(0x0d, ILSiteKind.CallVirt, "EventHandler", "Invoke", ParameterCount: 2)];
        ImmutableArray<ILSite> handler(int concat, int add) =>
        [
            new(concat, ILSiteKind.Call, "String", "Concat", ParameterCount: 2, CallToken: 0x0A000001),
            new(add, ILSiteKind.CallVirt, "List", "Add", ParameterCount: 1, CallToken: 0x0A000002),
        ];
        var facts = new Dictionary<int, CalleeFacts> { [0x0A000001] = Facts(allocates: ["String"]), [0x0A000002] = Facts(allocates: [], calls: [("List", "AddWithResize")]) };
        (ILSite, ILSite)[] family = [.. CallSiteResolver.DelegateMakings(sites)];
        ImmutableArray<ILSite> sitesOf(int token) => token switch { place => placeSites, first => handler(0x1e, 0x23), second => handler(0x29, 0x2e), _ => [] };
        CompiledCode tierZero = OneRange with { InlinedMethods = [] };
        var resolver = new CallSiteResolver(tierZero, sites, ilSize: 0x60, sitesOf: sitesOf, familyDelegateMakings: family, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));

        CollectionAssert.AreEqual(new[] { (first, 0x23), (second, 0x2e) }, resolver.InvokedLambdaSitesMaking(0x4d, FrameCall.Call("List", "AddWithResize")),
            "either handler's audit.Add, the first subscribed first");
        Assert.AreEqual(0, resolver.InvokedLambdaSitesMaking(0x4d, FrameCall.Call("Number", "FormatFloat")).Length, "no handler calls it");
        Assert.AreEqual(0, resolver.InvokedLambdaSitesMaking(0x36, FrameCall.Call("List", "AddWithResize")).Length, "add_Placed invokes no delegate");
    }

    [TestMethod]
    public void CallOnlyInlinedBodiesCanMake_AfterForwardSubstitution_IsSharedWithThePreviousStatement()
    {
        // Flow.ForeachOverAnEnumerable at tier 1: `var upper = word.ToUpperInvariant();` (line 106, IL 0x1a)
        // was substituted into `lengths.Add(upper.Length);` (line 107, IL 0x26), whose range [0x16c, 0x19e)
        // now calls TextInfo.ChangeCaseCommon from the inlined ToUpperInvariant. Nothing in the frame tells
        // which statement's inlined call made that call, so the table must say so.
        ImmutableArray<ILSite> sites =
        [
            new(0x00, ILSiteKind.NewObject, "List", ".ctor"),
            new(0x0d, ILSiteKind.Call, "Flow", "Repeat"),
            new(0x12, ILSiteKind.CallVirt, "IEnumerable", "GetEnumerator"),
            new(0x1b, ILSiteKind.CallVirt, "IEnumerator", "get_Current"),
            new(0x20, ILSiteKind.CallVirt, "String", "ToUpperInvariant"),
            new(0x28, ILSiteKind.CallVirt, "String", "get_Length"),
            new(0x2d, ILSiteKind.CallVirt, "List", "Add"),
            new(0x33, ILSiteKind.CallVirt, "IEnumerator", "MoveNext"),
            new(0x40, ILSiteKind.CallVirt, "IDisposable", "Dispose"),
        ];
        CompiledCode tier1 = new()
        {
            MethodId = 0,
            Size = 1603,
            NativeOffsets = [0x0, 0x13, 0x33, 0x82, 0xda, 0x15c, 0x16c, 0x19e, 0x274, 0x290, 0x31a, 0x32a, 0x362, 0x538, 0x551, 0x563, 0x56a],
            ILOffsets = [-2, 0x00, 0x06, -1, 0x32, 0x1a, 0x26, 0x32, 0x26, 0x32, 0x1a, 0x26, 0x32, 0x1a, 0x26, 0x32, -1],
            IsOptimized = true,
            InlinedMethods = [("System.String", "ToUpperInvariant"), ("System.Globalization.TextInfo", "ToUpper"), ("System.Collections.Generic.List`1[System.Int32]", "Add")],
        };

        var result = new CallSiteResolver(tier1, sites, ilSize: 0x47).Resolve(
        [
            (0x175, FrameCall.Call("TextInfo", "ChangeCaseCommon")),
            (0x27d, FrameCall.Call("List", "AddWithResize")),
        ]);

        Assert.IsTrue(result[0x175].ILOffset is 0x28 or 0x2d, "the map's statement keeps the bytes");
        CollectionAssert.Contains(result[0x175].Alternatives.ToList(), 0x20, "shared with ToUpperInvariant's line");
        Assert.AreEqual(0x2d, result[0x27d].ILOffset);
        Assert.IsTrue(result[0x27d].Alternatives.IsEmpty, "List's own method is Add's, certainly");
    }

    [TestMethod]
    public void ReturnAddressSeenCallingTwoMethods_IsTheSiteThatCertainlyCallsOne()
    {
        // `var text = reader.ReadToEnd();` then `Console.WriteLine(text);` in one tier-0 range: ReadToEnd's frames
        // are seen at the return address, and so is the StringBuilder.ToString it tail-calls at its end.
        ImmutableArray<ILSite> sites =
        [
            new(0x01, ILSiteKind.CallVirt, "StreamReader", "ReadToEnd"),
            new(0x08, ILSiteKind.Call, "Console", "WriteLine"),
        ];

        var result = new CallSiteResolver(OneRange, sites, ilSize: 0x0e).Resolve(
        [
            (0xe0, FrameCall.Call("StreamReader", "ReadToEnd")),
            (0xe0, FrameCall.Call("StringBuilder", "ToString")),
        ]);

        Assert.AreEqual(0x01, result[0xe0].ILOffset);
        Assert.IsTrue(result[0xe0].Alternatives.IsEmpty);
    }

    [TestMethod]
    public void MethodOfThisModuleThatCallsNothing_CannotHaveTailCalledTheCallee()
    {
        // `var distinct = ids.Distinct().Count();` then `Sink.Keep(ids);`: Count tail-calls DistinctIterator.GetCount;
        // Sink.Keep only stores a static field.
        const int keep = 0x06000002;
        ImmutableArray<ILSite> sites =
        [
            new(0x01, ILSiteKind.Call, "Enumerable", "Distinct"),
            new(0x06, ILSiteKind.Call, "Enumerable", "Count"),
            new(0x0d, ILSiteKind.Call, "Sink", "Keep", TargetToken: keep),
        ];
        ImmutableArray<ILSite> keepSites = [new(0x01, ILSiteKind.StaticField, "Sink", "")];

        var result = new CallSiteResolver(OneRange, sites, ilSize: 0x13, sitesOf: token => token == keep ? keepSites : []).Resolve(
            [(0xe8, FrameCall.Call("DistinctIterator", "GetCount"))]);

        Assert.AreEqual(0x06, result[0xe8].ILOffset);
    }

    [TestMethod]
    public void LocalFunctionCalledByName_IsNotCalledFromAnotherModulesInlinedCode()
    {
        // Tier 1: `var labels = large.ConvertAll(line => Label(line));` (ConvertAll inlined) then
        // `var csv = ToCsv(labels);`, in unmapped code after the first line's range. ToCsv ends by tail-calling
        // StringBuilder.ToString, so both are seen at the return address; only the call of ToCsv can make both.
        const int toCsv = 0x06000010;
        const string toCsvName = "<Filter>g__ToCsv|20_5";
        ImmutableArray<ILSite> sites =
        [
            new(0x01, ILSiteKind.CallVirt, "List", "ConvertAll"),
            new(0x07, ILSiteKind.Call, "Fresh", toCsvName, TargetToken: toCsv),
        ];
        ImmutableArray<ILSite> toCsvSites =
        [
            new(0x06, ILSiteKind.NewObject, "StringBuilder", ".ctor"),
            new(0x30, ILSiteKind.CallVirt, "StringBuilder", "ToString"),
        ];
        CompiledCode tier1 = OneRange with
        {
            NativeOffsets = [0x0, 0x10, 0x40, 0xf0],
            ILOffsets = [-2, 0x0, -1, -3],
            IsOptimized = true,
            InlinedMethods = [("System.Collections.Generic.List`1[System.__Canon]", "ConvertAll")],
        };

        var resolver = new CallSiteResolver(tier1, sites, ilSize: 0x0d, sitesOf: token => token == toCsv ? toCsvSites : []);
        var result = resolver.Resolve(
        [
            (0xe0, FrameCall.Call("Fresh", toCsvName)),
            (0xe0, FrameCall.Call("StringBuilder", "ToString")),
        ]);

        Assert.AreEqual(0x07, result[0xe0].ILOffset);
        Assert.AreEqual((toCsv, 0x30), (resolver.InlinedSitesThatMay(0x07, FrameCall.Call("StringBuilder", "ToString")) is (int t, [int only]) ? (t, only) : (0, -1)),
            "the tail-called ToString is the local function's `return builder.ToString();`");
    }

    [TestMethod]
    public void UnmappedCodeAfterABlockMovedOutOfLine_IsSharedWithTheSitesElsewhereThatExplainItAsWell()
    {
        // Tier 1 (BuildMonthlyReport): `report.AppendLine("...")` (IL 0x06) has a block placed after the loop
        // (IL 0x20, the target of the loop's jump back); the unmapped code after it holds the loop's
        // StringBuilder expansions too. Both lines' appends may have called AppendWithExpansion.
        ImmutableArray<ILSite> sites =
        [
            new(0x07, ILSiteKind.CallVirt, "StringBuilder", "AppendLine"),
            new(0x12, ILSiteKind.Call, "Int32", "Parse"),
            new(0x22, ILSiteKind.CallVirt, "StringBuilder", "Append"),
        ];
        CompiledCode tier1 = OneRange with
        {
            NativeOffsets = [0x0, 0x10, 0x30, 0x60, 0x70, 0xd0, 0xf0],
            ILOffsets = [-2, 0x00, 0x20, 0x06, -1, 0x0c, -3],
            IsOptimized = true,
            InlinedMethods = [],
        };

        var result = new CallSiteResolver(tier1, sites, ilSize: 0x30, branches: [new ILBranch(0x2a, 0x2c, 0x20)])
            .Resolve([(0x80, FrameCall.Call("StringBuilder", "AppendWithExpansion"))]);

        Assert.AreEqual(0x07, result[0x80].ILOffset, "the map's statement keeps the bytes");
        CollectionAssert.AreEqual(new[] { 0x22 }, result[0x80].Alternatives.ToArray(), "shared with the loop's Append");
    }

    [TestMethod]
    public void UnmappedCallThatOnlyAnInlinedCallHereCouldMake_IsOneOfTheCallsOfThatMethodElsewhere()
    {
        // Tier 1 (JoinCustomersWithOrders): a `.ToList()` of the method was laid out in unmapped code between two
        // ranges of `Sink.Keep((long)goldRevenue);`, whose inlined decimal conversion is the only call there that
        // could make any call. The method's two calls of ToList explain it; which one, the table says it cannot tell.
        const int keep = 0x06000002;
        ImmutableArray<ILSite> sites =
        [
            new(0x05, ILSiteKind.Call, "Enumerable", "ToList"),
            new(0x0b, ILSiteKind.Call, "Enumerable", "ToList"),
            new(0x11, ILSiteKind.Call, "Decimal", "op_Explicit"),
            new(0x16, ILSiteKind.Call, "Sink", "Keep", TargetToken: keep),
        ];
        CompiledCode tier1 = OneRange with
        {
            NativeOffsets = [0x0, 0x10, 0x40, 0x50, 0x60, 0x70],
            ILOffsets = [-2, 0x00, 0x10, -1, 0x10, -3],
            IsOptimized = true,
            InlinedMethods = [("System.Decimal", "op_Explicit")],
        };

        var result = new CallSiteResolver(tier1, sites, ilSize: 0x1c, sitesOf: token => token == keep ? [new(0x01, ILSiteKind.StaticField, "Sink", "")] : [])
            .Resolve([(0x58, FrameCall.Call("IteratorSelectIterator", "ToList") with { OuterTypeKey = "Enumerable" })]);

        CollectionAssert.AreEquivalent(new[] { 0x05, 0x0b }, result[0x58].Alternatives.Add(result[0x58].ILOffset).ToArray());
    }

    [TestMethod]
    public void CallsOfACatchHandler_SeenAtTheCallThatThrew_AreTheHandlers()
    {
        // try { parsed.Add(int.Parse(raw, ...)); } catch (FormatException e) { problems.Add($"'{raw}' rejected: {e.Message}"); }
        // fully optimized: the runtime reports the frame running the catch funclet at the inlined Parse's call of
        // Number.ThrowFormatException (0x7e), so the handler's Concat and List growth are seen there too.
        ImmutableArray<ILSite> sites =
        [
            new(0x23, ILSiteKind.Call, "Int32", "Parse"),
            new(0x28, ILSiteKind.CallVirt, "List", "Add"),
            new(0x40, ILSiteKind.CallVirt, "Exception", "get_Message"),
            new(0x45, ILSiteKind.Call, "String", "Concat"),
            new(0x4a, ILSiteKind.CallVirt, "List", "Add"),
        ];
        CompiledCode optimized = OneRange with
        {
            NativeOffsets = [0x0, 0x10, 0x40, 0x90, 0xa0, 0xa8, 0xa9, 0xc0],
            ILOffsets = [-2, 0x00, 0x1b, 0x51, -3, -2, 0x2f, -3],
            IsOptimized = true,
            InlinedMethods = [("System.Int32", "Parse"), ("System.Collections.Generic.List`1[System.Int32]", "Add"), ("System.Collections.Generic.List`1[System.__Canon]", "Add")],
        };
        var resolver = new CallSiteResolver(optimized, sites, ilSize: 0x58,
            branches: [new ILBranch(0x2d, 0x2f, 0x51), new ILBranch(0x4f, 0x51, 0x51)],
            catchRegions: [new CatchRegion(0x1b, 0x2f, 0x2f, 0x51)]);

        FrameCall concat = FrameCall.Call("String", "Concat");
        FrameCall grow = FrameCall.Call("List", "AddWithResize");
        var result = resolver.Resolve(
        [
            (0x60, grow),                                             // parsed.Add growing its list: the try's own
            (0x7e, FrameCall.Call("Number", "ThrowFormatException")), // the throw
            (0x7e, concat),
            (0x7e, grow),
        ]);

        Assert.AreEqual(0x45, resolver.HandlerSites[(0x7e, concat)]);
        Assert.AreEqual(0x4a, resolver.HandlerSites[(0x7e, grow)]);
        Assert.IsFalse(resolver.HandlerSites.ContainsKey((0x60, grow)));
        Assert.AreEqual(0x28, result[0x60].ILOffset);
        Assert.IsTrue(result[0x7e].ILOffset is 0x23 or 0x28, "the throw stays in the try");
    }

    [TestMethod]
    public void CallsOfACatchHandler_SeenAtAThrowInUnmappedCode_AreTheHandlers()
    {
        // Fresh5.ValidateSignUps at tier 1 (1,959 bytes, as recorded): the inlined int.Parse (IL 83, in the try of IL 72-95)
        // calls Number.ThrowFormatException from unmapped code (0x5db-0x6a6) that the map gives to the foreach's IL 35,
        // outside the try. The catch handler's interpolation and `problems.Add(...)` growth are seen at that call too. The
        // throw helper names the try: its handler's sites are the handler's calls, the throw stays int.Parse's.
        ImmutableArray<ILSite> sites =
        [
            new(28, ILSiteKind.CallVirt, "String", "Split", CallToken: 0x0A000001),
            new(61, ILSiteKind.Call, "String", "Concat", CallToken: 0x0A000002),
            new(66, ILSiteKind.CallVirt, "List", "Add", CallToken: 0x0A000003),
            new(83, ILSiteKind.Call, "Int32", "Parse", CallToken: 0x0A000004),
            new(88, ILSiteKind.CallVirt, "List", "Add", CallToken: 0x0A000005),
            new(115, ILSiteKind.Call, "String", "Concat", CallToken: 0x0A000002),
            new(120, ILSiteKind.CallVirt, "List", "Add", CallToken: 0x0A000003),
            new(143, ILSiteKind.Call, "String", "Join", CallToken: 0x0A000006),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: ["String[]"], calls: [("String", "SplitInternal")]),
            [0x0A000002] = Facts(allocates: ["String"], calls: [("String", "FastAllocateString")]),
            [0x0A000003] = Facts(allocates: [], calls: [("List", "AddWithResize")]),
            [0x0A000004] = Facts(allocates: [], calls: [("Number", "ParseBinaryInteger"), ("Number", "ThrowOverflowOrFormatException"), ("Number", "ThrowFormatException")]),
            [0x0A000005] = Facts(allocates: [], calls: [("List", "AddWithResize")]),
            [0x0A000006] = Facts(allocates: ["String"], calls: [("String", "JoinCore")]),
        };
        CompiledCode tier1 = Optimized(1959,
            [0x0, 0x1f, 0x47, 0x4b, 0x6b, 0x6f, 0x80, 0x85, 0x8e, 0xaf, 0xb8, 0xb8, 0xce, 0xd6, 0xe3, 0x11d, 0x506, 0x50c, 0x530, 0x5c4, 0x5db, 0x6a6, 0x6c3, 0x6d9, 0x6f3, 0x6f9, 0x6fa, 0x774, 0x77c, 0x782, 0x783, 0x79f],
            [-2, 0, 5, 6, 11, 12, 18, 131, 137, 154, 159, -3, 127, 131, 22, 35, -1, 35, 51, 72, -1, 35, 51, 35, -1, -2, 96, -3, -1, -2, 35, -3]);
        var resolver = new CallSiteResolver(tier1, sites, ilSize: 160, branches: [new ILBranch(129, 131, 18)], catchRegions: [new CatchRegion(72, 95, 95, 127)],
            calleeFacts: site => facts.GetValueOrDefault(site.CallToken));

        FrameCall concat = FrameCall.Call("String", "Concat");
        FrameCall grow = FrameCall.Call("List", "AddWithResize");
        var result = resolver.Resolve([(0x698, FrameCall.Call("Number", "ThrowFormatException")), (0x698, concat), (0x698, grow)]);

        Assert.AreEqual(115, resolver.HandlerSites[(0x698, concat)]);
        Assert.AreEqual(120, resolver.HandlerSites[(0x698, grow)]);
        Assert.AreEqual(83, result[0x698].ILOffset, "the throw is int.Parse's");
    }

    [TestMethod]
    public void SeveralCallsAtOneAddressOutsideATry_WithoutAThrowHelper_AreResolved()
    {
        // A method with a catch handler, and two calls seen at one return address outside its try (dotnet-memline's own
        // analysis, profiled in exact mode): no throw helper is among them, so no try is named by one. It was an
        // "unexpected error" (a default FrameCall taken for the throw helper the calls lacked).
        ImmutableArray<ILSite> sites =
        [
            new(28, ILSiteKind.CallVirt, "String", "Split", CallToken: 0x0A000001),
            new(61, ILSiteKind.Call, "String", "Concat", CallToken: 0x0A000002),
            new(66, ILSiteKind.CallVirt, "List", "Add", CallToken: 0x0A000003),
            new(83, ILSiteKind.Call, "Int32", "Parse", CallToken: 0x0A000004),
            new(115, ILSiteKind.Call, "String", "Concat", CallToken: 0x0A000002),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000002] = Facts(allocates: ["String"], calls: [("String", "FastAllocateString")]),
            [0x0A000003] = Facts(allocates: [], calls: [("List", "AddWithResize")]),
        };
        CompiledCode optimized = Optimized(0x100, [(0x0, -2), (0x20, 0), (0x60, 35), (0x90, 72), (0xc0, 95), (0xe0, -3)]);
        var resolver = new CallSiteResolver(optimized, sites, ilSize: 160, catchRegions: [new CatchRegion(72, 95, 95, 127)],
            calleeFacts: site => facts.GetValueOrDefault(site.CallToken));

        var result = resolver.Resolve([(0x70, FrameCall.Call("String", "FastAllocateString")), (0x70, FrameCall.Call("List", "AddWithResize"))]);

        Assert.IsTrue(result[0x70].ILOffset is 61 or 66, $"the foreach's own calls, not {result[0x70].ILOffset}");
        Assert.AreEqual(0, resolver.HandlerSites.Count);
    }

    [TestMethod]
    public void ObjectOrCallOfATypeNestedInTheSitesType_IsThatSites()
    {
        // Fully optimized: `var masked = regex.Replace(text, evaluator);` then `var distinct = ids.Distinct().Count();`
        // in one range (the map kept no boundary between them). Distinct, inlined, makes Enumerable's own
        // DistinctIterator; Count calls its GetCount.
        ImmutableArray<ILSite> sites =
        [
            new(0x08, ILSiteKind.CallVirt, "Regex", "Replace"),
            new(0x0e, ILSiteKind.Call, "Enumerable", "Distinct"),
            new(0x13, ILSiteKind.Call, "Enumerable", "Count"),
        ];
        CompiledCode optimized = OneRange with { IsOptimized = true, InlinedMethods = [("System.Text.RegularExpressions.Regex", "Replace"), ("System.Linq.Enumerable", "Distinct")] };

        var result = new CallSiteResolver(optimized, sites, ilSize: 0x19).Resolve(
        [
            (0x60, FrameCall.Allocation("DistinctIterator") with { OuterTypeKey = "Enumerable" }),
            (0x80, FrameCall.Call("DistinctIterator", "GetCount") with { OuterTypeKey = "Enumerable" }),
        ]);

        Assert.AreEqual(0x0e, result[0x60].ILOffset);
        Assert.AreEqual(0x13, result[0x80].ILOffset);
    }

    [TestMethod]
    public void ConstructorOfWhatAFactoryReturns_InUnmappedCode_IsAFactorysOfAnyStatement_Nearest()
    {
        // Tier 1 (JoinCustomersWithOrders): `var joined = profiles.Join(...).ToList();` then
        // `var goldRevenue = joined.Where(...).Sum(...);` then `var perTier = ....ToList();`. Unmapped code after
        // the second statement's range runs List's constructor (enumerating the join): a ToList, which returns a
        // List, made it, of the first statement as well as of the third; the nearest one is taken, the other
        // shown as shared.
        ImmutableArray<ILSite> sites =
        [
            new(0x05, ILSiteKind.Call, "Enumerable", "Join"),
            new(0x0a, ILSiteKind.Call, "Enumerable", "ToList", ReturnTypeKey: "List"),
            new(0x12, ILSiteKind.Call, "Enumerable", "Where"),
            new(0x17, ILSiteKind.Call, "Enumerable", "Sum", ReturnTypeKey: "Decimal"),
            new(0x22, ILSiteKind.Call, "Enumerable", "GroupBy"),
            new(0x27, ILSiteKind.Call, "Enumerable", "ToList", ReturnTypeKey: "List"),
        ];
        CompiledCode tier1 = OneRange with
        {
            NativeOffsets = [0x0, 0x10, 0x30, 0x40, 0xd0, 0xf0],
            ILOffsets = [-2, 0x00, 0x10, -1, 0x2c, -3],
            IsOptimized = true,
            InlinedMethods = [("System.Linq.Enumerable", "ToList"), ("System.Linq.Enumerable", "Where"), ("System.Linq.Enumerable", "GroupBy")],
        };

        var result = new CallSiteResolver(tier1, sites, ilSize: 0x30).Resolve([(0x60, FrameCall.Call("List", ".ctor"))]);

        // The unmapped code's span (the second and third statements) holds the third's ToList only.

        Assert.AreEqual(0x0a, result[0x60].ILOffset, "the ToList nearest the unmapped code's statement");
        CollectionAssert.AreEqual(new[] { 0x27 }, result[0x60].Alternatives.ToArray());
    }

    [TestMethod]
    public void InlinedFactory_FillingWhatItReturns_IsThatFactorysCall()
    {
        // Tier 1: `var labels = ....ToArray();` then `var positions = labels.Select(...).ToDictionary();` in one
        // range; the inlined ToDictionary fills its new Dictionary (Dictionary.AddRange).
        ImmutableArray<ILSite> sites =
        [
            new(0x05, ILSiteKind.Call, "Enumerable", "Select"),
            new(0x0a, ILSiteKind.Call, "Enumerable", "ToArray", ReturnTypeKey: "?[]"),
            new(0x10, ILSiteKind.Call, "Enumerable", "Select"),
            new(0x15, ILSiteKind.Call, "Enumerable", "ToDictionary", ReturnTypeKey: "Dictionary"),
        ];
        CompiledCode tier1 = OneRange with
        {
            IsOptimized = true,
            InlinedMethods = [("System.Linq.Enumerable", "Select"), ("System.Linq.Enumerable", "ToArray"), ("System.Linq.Enumerable", "ToDictionary")],
        };

        var result = new CallSiteResolver(tier1, sites, ilSize: 0x1b).Resolve([(0x40, FrameCall.Call("Dictionary", "AddRange"))]);

        Assert.AreEqual(0x15, result[0x40].ILOffset);
        Assert.IsTrue(result[0x40].Alternatives.IsEmpty);
    }

    [TestMethod]
    public void UnmappedBlockInTheMiddleOfOneStatementsRanges_MayBeAnyStatements()
    {
        // Tier 1 (JoinCustomersWithOrders in `collect`): a block of unmapped code between two ranges of the last
        // statement, `Sink.Keep((long)goldRevenue);` (IL 0x20), runs List's constructor: the loop of an earlier
        // `.ToList()` placed there, not that statement's inlined decimal conversion.
        const int keep = 0x06000002;
        ImmutableArray<ILSite> sites =
        [
            new(0x05, ILSiteKind.Call, "Enumerable", "ToList", ReturnTypeKey: "List"),
            new(0x12, ILSiteKind.Call, "Enumerable", "ToList", ReturnTypeKey: "List"),
            new(0x21, ILSiteKind.Call, "Decimal", "op_Explicit", ReturnTypeKey: "Int64"),
            new(0x26, ILSiteKind.Call, "Sink", "Keep", TargetToken: keep),
        ];
        CompiledCode tier1 = OneRange with
        {
            NativeOffsets = [0x0, 0x10, 0x30, 0x50, 0x58, 0xc0, 0xd0],
            ILOffsets = [-2, 0x00, 0x10, 0x20, -1, 0x20, -3],
            IsOptimized = true,
            InlinedMethods = [("System.Linq.Enumerable", "ToList"), ("System.Decimal", "op_Explicit")],
        };

        var result = new CallSiteResolver(tier1, sites, ilSize: 0x2c, sitesOf: token => token == keep ? [new(0x01, ILSiteKind.StaticField, "Sink", "")] : [])
            .Resolve([(0x80, FrameCall.Call("List", ".ctor"))]);

        CollectionAssert.AreEquivalent(new[] { 0x05, 0x12 }, result[0x80].Alternatives.Add(result[0x80].ILOffset).ToArray(), "one of the ToLists, marked shared");
    }

    [TestMethod]
    public void BodyWithoutAMap_IsUnknown()
    {
        CompiledCode code = new() { MethodId = 0, Size = 100, NativeOffsets = [], ILOffsets = [] };

        var result = new CallSiteResolver(code, EverydaySites, 0xd2).Resolve([(0x10, FrameCall.Allocation("Byte[]"))]);

        Assert.AreEqual(-1, result[0x10].ILOffset);
    }

    [TestMethod]
    public void AllocationInUnmappedCode_IsTheCallWhoseOwnModulesILMakesIt()
    {
        // Fresh.SortOrdersByAmount at tier 1: `var names = Array.ConvertAll(sorted, ...)` (IL 0x54) and
        // `new List<Order>(sorted)` (IL 0x5a) share the range [0x14f, 0x187) mapped to IL 0x34 and the unmapped
        // code after it, where both inlined bodies allocate a 16,024-byte array. The framework's IL tells them
        // apart: ConvertAll<Order, string> allocates a String[], List<Order>'s constructor an Order[].
        ImmutableArray<ILSite> sites =
        [
            new(0x05, ILSiteKind.CallVirt, "Array", "Clone", CallToken: 0x0A000001),
            new(0x2f, ILSiteKind.Call, "Array", "Sort", CallToken: 0x2B000001),
            new(0x49, ILSiteKind.NewObject, "Converter", ".ctor", CallToken: 0x0A000002),
            new(0x54, ILSiteKind.Call, "Array", "ConvertAll", CallToken: 0x2B000002),
            new(0x5a, ILSiteKind.NewObject, "List", ".ctor", CallToken: 0x0A000003),
            new(0x73, ILSiteKind.NewObject, "Converter", ".ctor", CallToken: 0x0A000002),
            new(0x7e, ILSiteKind.Call, "List", "ConvertAll", CallToken: 0x2B000003),
        ];
        CompiledCode tier1 = new()
        {
            MethodId = 0,
            Size = 2480,
            NativeOffsets = [0x0, 0x3c, 0x14f, 0x187, 0x290, 0x2c4, 0x6cf],
            ILOffsets = [-2, 0x00, 0x34, -1, 0x5f, -1, 0x89],
            IsOptimized = true,
        };
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: []),
            [0x2B000002] = Facts(allocates: ["String[]"]),
            [0x0A000003] = Facts(allocates: ["Order[]"]),
        };
        FrameCall orders = FrameCall.Allocation("Order[]", 16_024, 16_024);
        FrameCall names = FrameCall.Allocation("String[]", 16_024, 16_024);
        (int, FrameCall)[] observations = [(0x177, names), (0x26a, orders)];

        var withFacts = new CallSiteResolver(tier1, sites, ilSize: 0x8f, calleeFacts: site => facts.GetValueOrDefault(site.CallToken)).Resolve(observations);
        var siteAlone = new CallSiteResolver(tier1, sites, ilSize: 0x8f).Resolve(observations);

        Assert.AreEqual(0x54, withFacts[0x177].ILOffset);
        Assert.AreEqual(0x5a, withFacts[0x26a].ILOffset);
        Assert.AreNotEqual(0x5a, siteAlone[0x26a].ILOffset, "without the framework's IL, the calls are alike");
    }

    [TestMethod]
    public void ALocalFunctionInlinedWhole_ItsCallWhoseILMakesTheCallFewestCallsDown_IsTheSite()
    {
        // Fresh2.CalculateLoyaltyPoints at tier 1: `var statement = FormatStatement(bonuses, total);` (IL 0x8e) with
        // the static local function inlined, and in it `new StringBuilder(lines.Count * 120)` (IL 0x09), whose
        // char[] GC.AllocateUninitializedArray makes through its local function AllocateNewArrayWorker, one call down.
        // `builder.Append("\ntotal: ")` (IL 0x1e) may make one too, three calls down, when the chunk grows.
        const int formatStatement = 0x06000120;
        ImmutableArray<ILSite> sites = [new(0x8e, ILSiteKind.Call, "Fresh2", "<CalculateLoyaltyPoints>g__FormatStatement|31_6", TargetToken: formatStatement, ParameterCount: 2)];
        ImmutableArray<ILSite> inner =
        [
            new(0x01, ILSiteKind.CallVirt, "List", "get_Count", CallToken: 0x0A000001),
            new(0x09, ILSiteKind.NewObject, "StringBuilder", ".ctor", CallToken: 0x0A000002),
            new(0x12, ILSiteKind.CallVirt, "StringBuilder", "AppendJoin", CallToken: 0x0A000003),
            new(0x1e, ILSiteKind.CallVirt, "StringBuilder", "Append", CallToken: 0x0A000004),
        ];
        var worker = ("GC", "<AllocateUninitializedArray>g__AllocateNewArrayWorker|77_0");
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000002] = new(FrozenDictionary<string, int>.Empty, new[] { (("GC", "AllocateUninitializedArray"), 0), (worker, 1) }.ToFrozenDictionary(p => p.Item1, p => p.Item2)),
            [0x0A000004] = new(FrozenDictionary<string, int>.Empty, new[] { (worker, 3) }.ToFrozenDictionary(p => p.Item1, p => p.Item2)),
        };
        CompiledCode code = OneRange with
        {
            IsOptimized = true,
            InlinedMethods = [("ConformanceTarget.Shapes.Fresh2", "<CalculateLoyaltyPoints>g__FormatStatement|31_6"), ("System.Text.StringBuilder", ".ctor"), ("System.Text.StringBuilder", "Append")],
        };
        var resolver = new CallSiteResolver(code, sites, ilSize: 0x98, sitesOf: token => token == formatStatement ? inner : [], calleeFacts: site => facts.GetValueOrDefault(site.CallToken));
        FrameCall call = FrameCall.Call(worker.Item1, worker.Item2);

        Assert.AreEqual((formatStatement, 0x09), resolver.InlinedSite(0x8e, call));

        // Control: with both makers as near, nothing tells them apart.
        facts[0x0A000004] = facts[0x0A000002];
        var even = new CallSiteResolver(code, sites, ilSize: 0x98, sitesOf: token => token == formatStatement ? inner : [], calleeFacts: site => facts.GetValueOrDefault(site.CallToken));
        Assert.AreEqual((0, -1), even.InlinedSite(0x8e, call));
    }

    private static readonly FrozenDictionary<(string, string), int> NoCalls = FrozenDictionary<(string, string), int>.Empty;

    /// <summary>Callee facts that allocate these types (type key, calls down) and call nothing.</summary>
    private static CalleeFacts Allocating(params (string TypeKey, int Down)[] allocations) =>
        new(allocations.ToFrozenDictionary(a => a.TypeKey, a => a.Down), NoCalls);

    /// <summary>Optimized code of one method as its IL map gives it (inlining events unknown unless set with <c>with</c>).</summary>
    private static CompiledCode Optimized(int size, int[] nativeOffsets, int[] ilOffsets) =>
        new() { MethodId = 0, Size = size, NativeOffsets = [.. nativeOffsets], ILOffsets = [.. ilOffsets], IsOptimized = true };

    /// <summary>Optimized code of a recorded map, as (native offset, IL offset) pairs.</summary>
    private static CompiledCode Optimized(int size, (int Native, int IL)[] map) => Optimized(size, [.. map.Select(m => m.Native)], [.. map.Select(m => m.IL)]);

    [TestMethod]
    public void StringChainInOneRange_TheCallInlinedDownToTheAllocationMadeTheString()
    {
        // Fresh3.NormalizeProductTitles at tier 1 (4,037 bytes of code): `var lower = raw.ToLowerInvariant();` (IL 39),
        // `var trimmed = lower.Trim();` (IL 44) and `var words = trimmed.Split(' ', ...);` (IL 52) all lie in the range
        // [0x780, 0x83a) mapped to IL 35 (the foreach). C# calls each with callvirt; all three are inlined. Each one's IL
        // makes a string a few calls down, but this code called TextInfo.ChangeCaseCommon and String.SplitInternal,
        // while Trim, TrimWhiteSpaceHelper, CreateTrimmedString and InternalSubString were inlined down to
        // FastAllocateString: the string allocated from the method's own frame at 0x7e5 is Trim's. The call of
        // SplitInternal at 0x83a is Split's, whose IL calls it; Trim, a String method too, is not a body of Split's.
        var result = NormalizeProductTitlesTier1(inliningKnown: true).Resolve(
        [
            (0x7e5, FrameCall.Allocation("String", 64, 96)),
            (0x83a, FrameCall.Call("String", "SplitInternal")),
        ]);

        Assert.AreEqual(0x2c, result[0x7e5].ILOffset, "Trim: inlined all the way down to FastAllocateString");
        Assert.AreEqual(0x34, result[0x83a].ILOffset, "Split, whose IL calls SplitInternal");
    }

    [TestMethod]
    public void StringChainInOneRange_WithoutInliningEvents_NotTheCallSeenCallingItsMaker()
    {
        // The same code under `collect`, compiled before the recording: no inlining events. The frame seen calling
        // TextInfo.ChangeCaseCommon says ToLowerInvariant's way down to its string was not inlined, so the string this
        // frame allocated itself is not ToLowerInvariant's (it had taken 147 MB of Trim's) nor Split's, whose
        // SplitInternal is seen called too.
        var result = NormalizeProductTitlesTier1(inliningKnown: false).Resolve(
        [
            (0x7e5, FrameCall.Allocation("String", 64, 96)),
            (0x7f0, FrameCall.Call("TextInfo", "ChangeCaseCommon")),
            (0x83a, FrameCall.Call("String", "SplitInternal")),
        ]);

        Assert.AreEqual(0x2c, result[0x7e5].ILOffset, "Trim");
        Assert.AreEqual(0x27, result[0x7f0].ILOffset, "ToLowerInvariant, whose IL calls ChangeCaseCommon");
    }

    /// <summary>
    /// Fresh3.NormalizeProductTitles' tier-1 code (recorded map): its foreach range holding `raw.ToLowerInvariant()`,
    /// `lower.Trim()` and `trimmed.Split(...)`, each inlined, with what their IL makes strings through; the JIT's inlining
    /// events known (`run`) or not (`collect` of code compiled before the recording).
    /// </summary>
    private static CallSiteResolver NormalizeProductTitlesTier1(bool inliningKnown)
    {
        ImmutableArray<ILSite> sites =
        [
            new(0x23, ILSiteKind.CallVirt, "IEnumerator", "MoveNext", CallToken: 0x0A000001),
            new(0x27, ILSiteKind.CallVirt, "String", "ToLowerInvariant", CallToken: 0x0A000002),
            new(0x2c, ILSiteKind.CallVirt, "String", "Trim", CallToken: 0x0A000003),
            new(0x34, ILSiteKind.CallVirt, "String", "Split", CallToken: 0x0A000004),
            new(0x3f, ILSiteKind.Call, "String", "Join", CallToken: 0x0A000005),
        ];
        CompiledCode tier1 = new()
        {
            MethodId = 0,
            Size = 4037,
            NativeOffsets = [0x0, 0x28, 0x780, 0x83a, 0x98a],
            ILOffsets = [-2, 0, 35, 59, 86],
            IsOptimized = true,
            InlinedMethods = inliningKnown
                ?
                [
                    ("System.String", "ToLowerInvariant"), ("System.Globalization.TextInfo", "ToLower"), ("System.String", "Trim"),
                    ("System.String", "TrimWhiteSpaceHelper"), ("System.String", "CreateTrimmedString"), ("System.String", "InternalSubString"),
                    ("System.String", "FastAllocateString"), ("System.String", "Split"),
                ]
                : null,
        };
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000002] = MakesStrings(wayDown: [("TextInfo", "ToLower"), ("TextInfo", "ChangeCaseCommon")]),
            [0x0A000003] = MakesStrings(wayDown: [("String", "TrimWhiteSpaceHelper"), ("String", "CreateTrimmedString"), ("String", "InternalSubString")]),
            [0x0A000004] = MakesStrings(wayDown: [("String", "SplitInternal"), ("String", "SplitWithPostProcessing"), ("String", "Substring"), ("String", "InternalSubString")]),
        };

        return new CallSiteResolver(tier1, sites, ilSize: 0xb0, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));
    }


    [TestMethod]
    public void UnmappedCallNoSiteOfItsGuessedSpanCanMake_IsTheNearestSiteWhoseILMakesIt()
    {
        // Fresh5.BuildAndWalkATree's OSR code (1,135 bytes, as recorded): `paths.Add(...)` (IL 88, line 162) has its List.Add
        // inlined; its AddWithResize call lies in the unmapped code after the range of IL 93 (the foreach of line 163), whose
        // calls (Node.Children, List.GetEnumerator, Enumerator.Current, Stack.Push) cannot call it by their IL. List.Add's
        // does, and so does Grow (IL 13, inlined one level), which adds to a node's list: the nearer one, paths.Add.
        ImmutableArray<ILSite> sites =
        [
            new(5, ILSiteKind.NewObject, "Node", ".ctor", TargetToken: 0x06000010),
            new(13, ILSiteKind.Call, "Fresh5", "Grow", TargetToken: 0x06000011),
            new(18, ILSiteKind.NewObject, "Stack", ".ctor", CallToken: 0x0A000001),
            new(26, ILSiteKind.CallVirt, "Stack", "Push", CallToken: 0x0A000002),
            new(31, ILSiteKind.NewObject, "List", ".ctor", CallToken: 0x0A000003),
            new(40, ILSiteKind.CallVirt, "Stack", "Pop", CallToken: 0x0A000004),
            new(48, ILSiteKind.CallVirt, "Node", "get_Name", TargetToken: 0x06000012),
            new(59, ILSiteKind.CallVirt, "Node", "get_Children", TargetToken: 0x06000013),
            new(64, ILSiteKind.CallVirt, "List", "get_Count", CallToken: 0x0A000005),
            new(78, ILSiteKind.Call, "Int32", "ToString", CallToken: 0x0A000006),
            new(83, ILSiteKind.Call, "String", "Concat", CallToken: 0x0A000007),
            new(88, ILSiteKind.CallVirt, "List", "Add", CallToken: 0x0A000008),
            new(94, ILSiteKind.CallVirt, "Node", "get_Children", TargetToken: 0x06000013),
            new(99, ILSiteKind.CallVirt, "List", "GetEnumerator", CallToken: 0x0A000009),
            new(110, ILSiteKind.Call, "Enumerator", "get_Current", CallToken: 0x0A00000A),
            new(120, ILSiteKind.CallVirt, "Stack", "Push", CallToken: 0x0A000002),
            new(127, ILSiteKind.Call, "Enumerator", "MoveNext", CallToken: 0x0A00000B),
            new(151, ILSiteKind.CallVirt, "Stack", "get_Count", CallToken: 0x0A00000C),
        ];
        ImmutableArray<ILSite> growBody = [new(20, ILSiteKind.CallVirt, "List", "Add", CallToken: 0x0A000008)];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000002] = Facts(allocates: [], calls: [("Stack", "PushWithResize")]) with { Complete = true },
            [0x0A000004] = Facts(allocates: [], calls: [("ThrowHelper", "ThrowForEmptyStack")]) with { Complete = true },
            [0x0A000005] = Facts(allocates: []) with { Complete = true },
            [0x0A000008] = Facts(allocates: [], calls: [("List", "AddWithResize"), ("List", "Grow")]),
            [0x0A000009] = Facts(allocates: [], calls: [("Enumerator", ".ctor")]) with { Complete = true },
            [0x0A00000A] = Facts(allocates: []) with { Complete = true },
            [0x0A00000B] = Facts(allocates: [], calls: [("Enumerator", "MoveNextRare")]) with { Complete = true },
            [0x0A00000C] = Facts(allocates: []) with { Complete = true },
        };
        CompiledCode osr = Optimized(1135,
            [0x0, 0x5f, 0x73, 0x7d, 0xa5, 0xc7, 0x27b, 0x28b, 0x30b, 0x324, 0x35f, 0x366, 0x386, 0x390, 0x397, 0x3df, 0x3ef, 0x44a, 0x453, 0x453, 0x467, 0x46d],
            [-2, 125, 150, 39, 46, -1, 93, -1, 125, 117, 125, -1, 39, -1, 159, 185, -1, 202, 208, -3, -1, -2]);

        var result = new CallSiteResolver(osr, sites, ilSize: 0xd8, sitesOf: token => token == 0x06000011 ? growBody : [],
                branches: [new ILBranch(132, 134, 110), new ILBranch(156, 158, 40)], calleeFacts: site => facts.GetValueOrDefault(site.CallToken))
            .Resolve([(0x306, FrameCall.Call("List", "AddWithResize"))]);

        Assert.AreEqual(88, result[0x306].ILOffset);
    }

    /// <summary>
    /// Facts of a call that makes a string through <paramref name="wayDown"/> (FastAllocateString at the end): at the way's
    /// length unless <paramref name="depth"/> says otherwise, with the way as its allocation path.
    /// </summary>
    private static CalleeFacts MakesStrings((string TypeKey, string MethodName)[] wayDown, int depth = -1) => new(
        new Dictionary<string, int> { ["String"] = depth >= 0 ? depth : wayDown.Length }.ToFrozenDictionary(),
        wayDown.Append(("String", "FastAllocateString")).Select((call, level) => (call, level)).ToFrozenDictionary(c => c.call, c => c.level),
        AllocationPaths: new Dictionary<string, ImmutableArray<ImmutableArray<(string TypeKey, string MethodName)>>> { ["String"] = [[.. wayDown]] }.ToFrozenDictionary());

    private static CalleeFacts Facts(string[] allocates, (string TypeKey, string MethodName)[]? calls = null) =>
        new(allocates.ToFrozenDictionary(key => key, _ => 0), (calls ?? []).ToFrozenDictionary(call => call, _ => 0));

    [TestMethod]
    public void GenericCallsAlike_AreToldApartByTheTypesAllocatedBeneath()
    {
        // Fresh.JoinCustomersWithOrders at tier 1: three `.ToList()` calls (IL 0x29, 0x95, 0x12d), each with its List
        // constructor inlined. The constructor of line 336's ToList (its join's anonymous rows) was laid out in the
        // unmapped code after the range of IL 0x9b (line 337), where only line 338's ToList is written. The
        // <>f__AnonymousType0[] arrays the list grew beneath that frame say which ToList it is.
        ImmutableArray<ILSite> sites =
        [
            new(0x24, ILSiteKind.Call, "Enumerable", "Select", TypeArguments: "String,CustomerProfile"),
            new(0x29, ILSiteKind.Call, "Enumerable", "ToList", TypeArguments: "CustomerProfile"),
            new(0x90, ILSiteKind.Call, "Enumerable", "Join", TypeArguments: "CustomerProfile,Order,String,<>f__AnonymousType0"),
            new(0x95, ILSiteKind.Call, "Enumerable", "ToList", TypeArguments: "<>f__AnonymousType0"),
            new(0xbb, ILSiteKind.Call, "Enumerable", "Where", TypeArguments: "<>f__AnonymousType0"),
            new(0x104, ILSiteKind.Call, "Enumerable", "GroupBy", TypeArguments: "<>f__AnonymousType0,String"),
            new(0x128, ILSiteKind.Call, "Enumerable", "Select", TypeArguments: "IGrouping,<>f__AnonymousType1"),
            new(0x12d, ILSiteKind.Call, "Enumerable", "ToList", TypeArguments: "<>f__AnonymousType1"),
            new(0x133, ILSiteKind.Call, "Sink", "Keep"),
        ];
        CompiledCode tier1 = new()
        {
            MethodId = 0,
            Size = 5170,
            NativeOffsets = [0x0, 0x19, 0x4e, 0x3bf, 0x3de, 0xc09, 0xc12, 0xc85],
            ILOffsets = [-2, 0x00, -1, 0x9b, -1, 0x138, 0x13d, -1],
            IsOptimized = true,
        };
        Dictionary<int, CalleeFacts> facts = new() { [0x0A000001] = Facts(allocates: ["List"], calls: [("List", ".ctor")]) };
        var resolver = new CallSiteResolver(tier1, [.. sites.Select(s => s with { CallToken = s.MethodName == "ToList" ? 0x0A000001 : 0 })], ilSize: 0x148,
            calleeFacts: site => facts.GetValueOrDefault(site.CallToken));
        FrameCall listConstructor = FrameCall.Call("List", ".ctor");

        var known = resolver.Resolve([(0x57f, listConstructor)], new Dictionary<int, HashSet<string>> { [0x57f] = ["<>f__AnonymousType0", "Object"] });
        var unknown = resolver.Resolve([(0x57f, listConstructor)]);

        Assert.AreEqual(0x95, known[0x57f].ILOffset);
        Assert.AreEqual(0x12d, unknown[0x57f].ILOffset, "without the types beneath, the ToList written after the range");
    }

    [TestMethod]
    public void ObjectOfAGenericTypeInUnmappedCode_IsTheCallsOnAnInstantiationWithItsArguments()
    {
        // Fresh.WalkADependencyGraph at tier 1 (recorded map): `edges[node] = [...]` on a Dictionary<int, List<int>> and
        // `visited.Add(current)` on a HashSet<int> both grow an `Entry[]`. The Dictionary's resize was laid out in the
        // unmapped code after the foreach's range, before the range of `queue.Dequeue()`, whose calls make no Entry[].
        // The runtime names the array `Entry[System.Int32,System.Collections.Generic.List`1[System.Int32]][]`.
        ImmutableArray<ILSite> sites =
        [
            new(0, ILSiteKind.NewObject, "Dictionary", ".ctor", TypeArguments: "Int32,List"),
            new(19, ILSiteKind.NewObject, "List", ".ctor", TypeArguments: "Int32"),
            new(102, ILSiteKind.CallVirt, "Dictionary", "set_Item", CallToken: 0x0A000001, TypeArguments: "Int32,List"),
            new(122, ILSiteKind.NewObject, "HashSet", ".ctor", TypeArguments: "Int32"),
            new(128, ILSiteKind.NewObject, "Queue", ".ctor", TypeArguments: "Int32"),
            new(136, ILSiteKind.CallVirt, "Queue", "Enqueue", TypeArguments: "Int32"),
            new(141, ILSiteKind.NewObject, "List", ".ctor", TypeArguments: "String"),
            new(150, ILSiteKind.CallVirt, "Queue", "Dequeue", TypeArguments: "Int32"),
            new(160, ILSiteKind.CallVirt, "HashSet", "Add", CallToken: 0x0A000002, TypeArguments: "Int32"),
            new(180, ILSiteKind.Call, "Int32", "ToString"),
            new(185, ILSiteKind.Call, "String", "Concat"),
            new(190, ILSiteKind.CallVirt, "List", "Add", TypeArguments: "String"),
            new(198, ILSiteKind.CallVirt, "Dictionary", "get_Item", TypeArguments: "Int32,List"),
            new(224, ILSiteKind.CallVirt, "Queue", "Enqueue", TypeArguments: "Int32"),
            new(255, ILSiteKind.CallVirt, "Queue", "get_Count", TypeArguments: "Int32"),
            new(264, ILSiteKind.Call, "Sink", "Keep"),
        ];
        (int Native, int IL)[] map =
        [
            (0x0, -2), (0x19, 5), (0x2b, 6), (0x33, 24), (0xb1, -1), (0x1dd, 107), (0x1e0, 113), (0x21f, 24), (0x239, 32), (0x2e7, -1), (0x353, 127),
            (0x365, 128), (0x385, 134), (0x3cb, 141), (0x3f4, 254), (0x3ff, 263), (0x408, 269), (0x411, 275), (0x414, -3), (0x42b, 221), (0x445, 229),
            (0x471, 221), (0x4af, -1), (0x6e8, 149), (0x6ef, 157), (0x75d, -1), (0x761, 157), (0x97a, 167), (0x99b, 195), (0x9bb, 221), (0xb61, -1),
        ];
        CompiledCode tier1 = Optimized(5173, map);
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: ["Entry[]", "Int32[]"], calls: [("Dictionary", "Resize")]),
            [0x0A000002] = Facts(allocates: ["Entry[]", "Int32[]"], calls: [("HashSet", "Resize")]),
        };
        var resolver = new CallSiteResolver(tier1, sites, ilSize: 282, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));
        FrameCall dictionaryEntries = FrameCall.Allocation("Entry[]", 192, 10_368) with { TypeArguments = ILSites.TypeArgumentKeys("Entry[System.Int32,System.Collections.Generic.List`1[System.Int32]][]") };

        CallSiteResolution resolution = resolver.Resolve([(0x4de, dictionaryEntries)])[0x4de];

        Assert.AreEqual(102, resolution.ILOffset, "edges[node] = ..., the Dictionary's");
        Assert.AreEqual(150, resolver.Resolve([(0x4de, dictionaryEntries with { TypeArguments = "" })])[0x4de].ILOffset, "without the arguments, the Dequeue of the span");
    }

    [TestMethod]
    public void RangeEndingInAJumpToTheCodeAfterIt_HoldsNoneOfTheIlBetween()
    {
        // Fresh2.DescribeLedger at tier 1 (recorded map, collect): the switch arm `Withdrawal => string.Create(...)` (IL
        // 209-220) ends with `br` to the store after the switch (IL 265), right before `lines.Add(line)` (IL 269), whose
        // range comes next. The default arm's `new string('?', 600)` (IL 251-265) is laid out elsewhere, so the String.Ctor
        // called from the arm's range is string.Create's (its interpolated string's ToStringAndClear).
        ImmutableArray<ILSite> sites =
        [
            new(87, ILSiteKind.Call, "Decimal", "ToString"),
            new(92, ILSiteKind.Call, "String", "Concat"),
            new(211, ILSiteKind.Call, "String", "Create", CallToken: 0x0A000001),
            new(242, ILSiteKind.Call, "String", "Concat"),
            new(258, ILSiteKind.NewObject, "String", ".ctor", ParameterCount: 2),
            new(272, ILSiteKind.CallVirt, "List", "Add"),
            new(293, ILSiteKind.Call, "String", "Join"),
        ];
        (int Native, int IL)[] map =
        [
            (0x0, -2), (0x36, 0), (0x75, 19), (0x78, 281), (0x85, 290), (0xb7, 303), (0xb7, -3), (0xca, -1), (0x180, 155), (0x1ce, 167), (0x225, 180),
            (0x269, -1), (0x2dd, 209), (0x314, 269), (0x345, 277), (0x348, 281), (0x355, 26), (0x367, 38), (0x38c, 104), (0x399, 111), (0x450, 125),
            (0x4c1, -1), (0x584, 125), (0x59d, -1), (0x5c5, 155), (0x5de, 167), (0x5f0, 180), (0x646, -1), (0x6e7, 251), (0x6fe, 269), (0x70f, 220), (0x720, -1),
        ];
        CompiledCode tier1 = Optimized(3218, map);
        Dictionary<int, CalleeFacts> facts = new() { [0x0A000001] = Facts(allocates: ["String"], calls: [("DefaultInterpolatedStringHandler", "ToStringAndClear"), ("String", "Ctor")]) };
        ImmutableArray<ILBranch> branches(bool unconditional) => [new(218, 220, 265, unconditional), new(249, 251, 265, unconditional), new(263, 265, 265, unconditional)];
        FrameCall stringCtor = FrameCall.Call("String", "Ctor");

        CallSiteResolution resolved = new CallSiteResolver(tier1, sites, ilSize: 310, branches: branches(unconditional: true), calleeFacts: site => facts.GetValueOrDefault(site.CallToken))
            .Resolve([(0x2f2, stringCtor)])[0x2f2];
        CallSiteResolution lostBoundary = new CallSiteResolver(tier1, sites, ilSize: 310, branches: branches(unconditional: false), calleeFacts: site => facts.GetValueOrDefault(site.CallToken))
            .Resolve([(0x2f2, stringCtor)])[0x2f2];

        Assert.AreEqual(211, resolved.ILOffset, "string.Create, in the arm's own IL");
        Assert.AreEqual(258, lostBoundary.ILOffset, "a conditional branch leaves the IL before the next range as a lost boundary");
    }

    [TestMethod]
    public void HotRangeWhoseGuardsThrowAfterTheLastEpilog_HoldsTheIlBetween()
    {
        // NettraceReader.ReadObjectType at tier 1 (recorded map, dotnet-memline profiling its own analysis): the hot path
        // runs from the version read (IL 38) to the return (IL 164) in one range, [0xbc, 0x141); each check's throw and
        // each inlined ByteCursor.Require's slow path are placed after the epilog, with the IL offsets of their statements.
        // Encoding.GetString (IL 131, inlined) called String.CreateStringFromEncoding at 0x123: line 269, not the throw
        // of line 272 (IL 151) that the cold blocks' boundaries left in the range.
        ImmutableArray<ILSite> sites =
        [
            new(1, ILSiteKind.Call, "ByteCursor", "ReadByte"), new(10, ILSiteKind.Call, "ByteCursor", "ReadByte"), new(19, ILSiteKind.Call, "ByteCursor", "ReadByte"),
            new(32, ILSiteKind.NewObject, "NettraceFormatException", ".ctor", ParameterCount: 1),
            new(39, ILSiteKind.Call, "ByteCursor", "ReadInt32"), new(45, ILSiteKind.Call, "ByteCursor", "ReadInt32"), new(52, ILSiteKind.Call, "ByteCursor", "ReadInt32"),
            new(108, ILSiteKind.Call, "DefaultInterpolatedStringHandler", "ToStringAndClear"),
            new(113, ILSiteKind.NewObject, "NettraceFormatException", ".ctor", ParameterCount: 1),
            new(119, ILSiteKind.Call, "Encoding", "get_UTF8"), new(126, ILSiteKind.Call, "ByteCursor", "ReadBytes"),
            new(131, ILSiteKind.CallVirt, "Encoding", "GetString", CallToken: 0x0A000001, ParameterCount: 1),
            new(138, ILSiteKind.Call, "ByteCursor", "ReadByte"),
            new(151, ILSiteKind.NewObject, "NettraceFormatException", ".ctor", ParameterCount: 1),
            new(159, ILSiteKind.NewObject, "ObjectType", ".ctor", ParameterCount: 3),
        ];
        (int Native, int IL)[] map =
        [
            (0x0, -2), (0x40, 0), (0x6c, 9), (0x95, 18), (0xbc, 38), (0x141, 164), (0x151, -3),
            (0x166, 0), (0x2f1, 9), (0x4b5, 18), (0x68b, 27), (0x6c7, 37), (0x6e4, 86), (0x73c, 98), (0x749, 106), (0x77d, 118), (0x7c2, 156), (0x7cb, -1),
        ];
        Dictionary<int, CalleeFacts> facts = new() { [0x0A000001] = Facts(allocates: ["String"], calls: [("String", "CreateStringFromEncoding")]) };
        FrameCall createString = FrameCall.Call("String", "CreateStringFromEncoding");
        // Its jumps, from the IL: the three tag checks and the type name's end tag check jump forward over a throw, and
        // `nameLength is < 0 or > ...` jumps over a constant (the `br.s` at 69).
        ImmutableArray<ILBranch> branches =
            [new(7, 9, 27, false), new(16, 18, 27, false), new(25, 27, 38, false), new(60, 62, 67, false), new(65, 67, 71, false), new(69, 71, 73, true), new(74, 76, 119, false), new(144, 146, 157, false)];
        CallSiteResolution Resolve(CompiledCode code) =>
            new CallSiteResolver(code, sites, ilSize: 165, branches: branches, calleeFacts: site => facts.GetValueOrDefault(site.CallToken)).Resolve([(0x123, createString)])[0x123];

        Assert.AreEqual(131, Resolve(Optimized(2001, map)).ILOffset, "GetString, in the hot range's IL");
        Assert.AreNotEqual(131, Resolve(Optimized(2001, [.. map.Where(m => m.IL != -3)])).ILOffset, "without the epilog, the boundaries after it delimit the range");
    }

    [TestMethod]
    public void PropertyOfThisModuleNotInlined_ThatEndsByCallingTheCallee_JumpedThere()
    {
        // Fresh3.ServeThumbnailsFromCache, fully optimized (recorded map): `var retained = cache.Keys.ToArray();` calls
        // LruCache.get_Keys (IL 79), `=> _order.Select(entry => entry.Key)`, which the JIT did not inline and which
        // jumped to Enumerable.Select (a tail call): the frame at 0xec is seen calling Select from the range of IL 78.
        // Not the Select written on the next line (IL 127), whose bytes are its own.
        const int keys = 0x06000010, values = 0x06000011;
        ImmutableArray<ILSite> sites =
        [
            new(55, ILSiteKind.CallVirt, "LruCache", "Add", TargetToken: 0x06000012),
            new(79, ILSiteKind.CallVirt, "LruCache", "get_Keys", TargetToken: keys),
            new(84, ILSiteKind.Call, "Enumerable", "ToArray"),
            new(91, ILSiteKind.CallVirt, "LruCache", "get_Values", TargetToken: values),
            new(116, ILSiteKind.NewObject, "Func", ".ctor"),
            new(127, ILSiteKind.Call, "Enumerable", "Select"),
            new(132, ILSiteKind.Call, "Enumerable", "ToList"),
        ];
        ImmutableArray<ILSite> selectAtTheEnd = [new(14, ILSiteKind.NewObject, "Func", ".ctor"), new(26, ILSiteKind.Call, "Enumerable", "Select")];
        (int Native, int IL)[] map =
        [
            (0x0, -2), (0x27, 0), (0x89, 8), (0x8c, 10), (0x99, 17), (0xa3, 22), (0xa6, 29), (0xba, 41), (0xc7, 50), (0xd7, 60), (0xe1, 70), (0xe3, 78),
            (0xf8, 90), (0x14e, 121), (0x18c, 138), (0x199, 145), (0x2fc, 260), (0x2fc, -3),
        ];
        CompiledCode code = Optimized(871, map) with { InlinedMethods = [("System.Linq.Enumerable", "ToArray")] };
        var resolver = new CallSiteResolver(code, sites, ilSize: 261, sitesOf: token => token is keys or values ? selectAtTheEnd : []);

        Assert.AreEqual(79, resolver.Resolve([(0xec, FrameCall.Call("Enumerable", "Select"))])[0xec].ILOffset);
    }

    [TestMethod]
    public void IteratorMethodSeenCalled_IsTheLineOfTheOnlyCallThatMakesThatIterator()
    {
        // Fresh6.AverageNullableScores under `collect` (recorded map, no inlining events): nearly all of its tier-1 code
        // is unmapped, [0x6e, 0xb4a). A frame at 0x395 calls Enumerable+GroupByIterator.MoveNext, which ToDictionary's
        // inlined loop runs through an interface; every Enumerable call of the method is as related to it by type, and
        // the first, the `.Where(...)` of the line above, took its 63 MB. Only GroupBy's IL makes a GroupByIterator.
        ImmutableArray<ILSite> sites =
        [
            new(36, ILSiteKind.Call, "Enumerable", "Where", CallToken: 0x0A000001),
            new(72, ILSiteKind.Call, "Enumerable", "Select", CallToken: 0x0A000002),
            new(77, ILSiteKind.Call, "Enumerable", "ToArray", CallToken: 0x0A000003),
            new(118, ILSiteKind.Call, "Enumerable", "GroupBy", CallToken: 0x0A000004),
            new(185, ILSiteKind.Call, "Enumerable", "ToDictionary", CallToken: 0x0A000005),
            new(198, ILSiteKind.Call, "Enumerable", "ToList", CallToken: 0x0A000006),
            new(204, ILSiteKind.Call, "Sink", "Keep", TargetToken: 0x06000001),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(["ArrayWhereIterator", "IEnumerableWhereIterator"]),
            [0x0A000002] = Facts(["ArrayWhereSelectIterator", "IEnumerableSelectIterator"]),
            [0x0A000003] = Facts(["Int32[]"]),
            [0x0A000004] = Facts(["GroupByIterator"]),
            [0x0A000005] = Facts(["Dictionary"], [("IEnumerator", "MoveNext")]),
            [0x0A000006] = Facts(["List"], [("IEnumerator", "MoveNext")]),
        };
        (int Native, int IL)[] map = [(0x0, -2), (0x32, 0), (0x6e, -1), (0xb4a, 209), (0xb53, 214), (0xb53, -3)];
        FrameCall moveNext = FrameCall.Call("GroupByIterator", "MoveNext") with { OuterTypeKey = "Enumerable" };
        var resolver = new CallSiteResolver(Optimized(7387, map), sites, ilSize: 215, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));

        Assert.AreEqual(118, resolver.Resolve([(0x395, moveNext)])[0x395].ILOffset);
    }

    [TestMethod]
    public void ToStringCalledThroughObject_ExplainsWhatItsOverrideJumpedTo()
    {
        // Fresh7.BuildAnXmlDocument at tier 1 (recorded map): `var text = document.ToString();` (IL 230, a callvirt of
        // Object::ToString) runs XNode's ToString, not inlined, which ends by jumping to XNode.GetXmlString; then
        // `XDocument.Parse(text)` (IL 235). One range holds both calls, and the frame at 0xed5 calls GetXmlString: the
        // ToString line's 119 MB, which had gone to the Parse line as both calls explained it alike.
        ImmutableArray<ILSite> sites =
        [
            new(225, ILSiteKind.NewObject, "XDocument", ".ctor", CallToken: 0x0A000001),
            new(230, ILSiteKind.CallVirt, "Object", "ToString", CallToken: 0x0A000002),
            new(235, ILSiteKind.Call, "XDocument", "Parse", CallToken: 0x0A000003, ParameterCount: 1),
            new(245, ILSiteKind.Call, "XName", "op_Implicit", CallToken: 0x0A000004),
            new(250, ILSiteKind.Call, "XContainer", "Descendants", CallToken: 0x0A000005),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000003] = Facts(["XDocument"], [("XDocument", "Parse"), ("XmlReader", "Create")]),
            [0x0A000004] = Facts(["XName"], [("XNamespace", "GetName")]),
            [0x0A000005] = Facts(["GetDescendants"], [("XContainer", "GetDescendants")]),
        };
        (int Native, int IL)[] map = [(0x0, -2), (0x16, 0), (0xe37, 192), (0xe57, 199), (0xe88, 215), (0xf5e, 306), (0xf5e, -3)];
        CompiledCode code = Optimized(5095, map) with { InlinedMethods = [("System.Xml.Linq.XDocument", ".ctor")] };
        var resolver = new CallSiteResolver(code, sites, ilSize: 307, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));

        Dictionary<int, CallSiteResolution> resolved = resolver.Resolve(
            [(0xed5, FrameCall.Call("XNode", "GetXmlString") with { ParameterCount = 1 }), (0xee0, FrameCall.Call("XDocument", "Parse") with { ParameterCount = 2 })]);

        Assert.AreEqual(230, resolved[0xed5].ILOffset, "document.ToString()");
        Assert.AreEqual(235, resolved[0xee0].ILOffset, "XDocument.Parse(text)");
    }

    [TestMethod]
    public void DevirtualizedCallOfThePreviousStatement_LaidOutPastTheBoundary_IsThatStatements()
    {
        // Fresh7.BuildAnXmlDocument fully optimized (recorded map of the Debug configuration's build): the range of IL 257,
        // `var customers = parsed.Descendants("customer")...`, begins before the calls of `var text = document.ToString();`
        // (IL 244, XNode's ToString devirtualized and inlined, calling GetXmlString) and `XDocument.Parse(text)` (IL 251),
        // whose results the JIT kept in registers. GetXmlString is the ToString line's (238 KB a run), not the Descendants
        // line's, where only an inlined XName conversion could have called it.
        ImmutableArray<ILSite> sites =
        [
            new(222, ILSiteKind.NewObject, "XDeclaration", ".ctor", CallToken: 0x0A000001),
            new(228, ILSiteKind.NewArray, "Object[]", "", ArrayLength: 1),
            new(237, ILSiteKind.NewObject, "XDocument", ".ctor", CallToken: 0x0A000002),
            new(244, ILSiteKind.CallVirt, "Object", "ToString", CallToken: 0x0A000003),
            new(251, ILSiteKind.Call, "XDocument", "Parse", CallToken: 0x0A000004, ParameterCount: 1),
            new(263, ILSiteKind.Call, "XName", "op_Implicit", CallToken: 0x0A000005),
            new(268, ILSiteKind.Call, "XContainer", "Descendants", CallToken: 0x0A000006),
            new(304, ILSiteKind.Call, "Enumerable", "Select", CallToken: 0x0A000007),
        ];
        (int Native, int IL)[] map =
        [
            (0x0, -2), (0x16, 0), (0xc1, 37), (0xf9, 42), (0xfd, 43), (0x146, 185), (0x15e, 64), (0x172, 73), (0x222, 119), (0x288, 144), (0x2fe, 174),
            (0x337, 180), (0x34c, -1), (0x36b, 203), (0x37c, 211), (0x3b0, 227), (0x3fd, 257), (0x488, 298), (0x4bc, -1), (0x502, 321), (0x518, -3),
        ];
        CompiledCode code = Optimized(1448, map) with
        {
            InlinedMethods = [("System.Xml.Linq.XNode", "ToString"), ("System.Xml.Linq.XDocument", "Parse"), ("System.Xml.Linq.XName", "op_Implicit"), ("System.Xml.Linq.XDocument", ".ctor")],
        };
        var resolver = new CallSiteResolver(code, sites, ilSize: 330, calleeFacts: _ => null);

        Dictionary<int, CallSiteResolution> resolved = resolver.Resolve(
        [
            (0x3c4, FrameCall.Allocation("Object[]", 32, 32)),
            (0x3e2, FrameCall.Allocation("XDocument", 56, 56)),
            (0x411, FrameCall.Call("XNode", "GetXmlString") with { ParameterCount = 1 }),
            (0x41c, FrameCall.Call("XDocument", "Parse") with { ParameterCount = 2 }),
            (0x43d, FrameCall.Call("XContainer", "GetDescendants") with { ParameterCount = 2 }),
        ]);

        Assert.AreEqual(244, resolved[0x411].ILOffset, "document.ToString()");
        Assert.AreEqual(251, resolved[0x41c].ILOffset, "XDocument.Parse(text)");
    }

    [TestMethod]
    public void UnmappedHotPath_DoesNotHoldTheThrowsPlacedPastTheLastEpilog()
    {
        // Fresh5.ReadAFramedHeaderWithGuards under `collect` (recorded map, no inlining events): tier-1 code left the hot
        // path unmapped from IL 53 to the return, [0xe7, 0x2e9), and placed each guard's throw past the epilog with its
        // statement's IL (0x308: IL 42, 0x357: IL 102, ..., 0x657: IL 187). The 6,024-byte string made at 0x143 is
        // GetString's, not the `$"a frame name of {nameLength} bytes"` of the throw two lines up (8 MB had gone there).
        ImmutableArray<ILSite> sites =
        [
            new(12, ILSiteKind.NewObject, "FrameCursor", ".ctor", TargetToken: 0x06000001),
            new(19, ILSiteKind.Call, "FrameCursor", "ReadByte", TargetToken: 0x06000002),
            new(47, ILSiteKind.NewObject, "InvalidDataException", ".ctor", CallToken: 0x0A000001),
            new(52, ILSiteKind.Throw, "", ""),
            new(55, ILSiteKind.Call, "FrameCursor", "ReadInt32", TargetToken: 0x06000003),
            new(97, ILSiteKind.Call, "DefaultInterpolatedStringHandler", ".ctor", CallToken: 0x0A000002),
            new(109, ILSiteKind.Call, "DefaultInterpolatedStringHandler", "AppendLiteral", CallToken: 0x0A000003),
            new(136, ILSiteKind.Call, "DefaultInterpolatedStringHandler", "ToStringAndClear", CallToken: 0x0A000004),
            new(141, ILSiteKind.NewObject, "InvalidDataException", ".ctor", CallToken: 0x0A000001),
            new(146, ILSiteKind.Throw, "", ""),
            new(147, ILSiteKind.Call, "Encoding", "get_UTF8", CallToken: 0x0A000005),
            new(155, ILSiteKind.Call, "FrameCursor", "ReadBytes", TargetToken: 0x06000004),
            new(160, ILSiteKind.CallVirt, "Encoding", "GetString", CallToken: 0x0A000006),
            new(168, ILSiteKind.Call, "FrameCursor", "ReadByte", TargetToken: 0x06000002),
            new(182, ILSiteKind.NewObject, "InvalidDataException", ".ctor", CallToken: 0x0A000001),
            new(187, ILSiteKind.Throw, "", ""),
            new(197, ILSiteKind.Call, "FrameCursor", "ReadBytes", TargetToken: 0x06000004),
            new(206, ILSiteKind.Call, "ReadOnlySpan", "ToArray", CallToken: 0x0A000007),
            new(214, ILSiteKind.NewObject, "FrameHeader", ".ctor", TargetToken: 0x06000005),
            new(219, ILSiteKind.Call, "Sink", "Keep", TargetToken: 0x06000006),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000004] = Facts(["String"], [("String", "Ctor")]),
            [0x0A000006] = Facts(["String"], [("String", "CreateStringFromEncoding")]),
            [0x0A000007] = Facts(["Byte[]"]),
        };
        (int Native, int IL)[] map =
        [
            (0x0, -2), (0x53, 0), (0x64, 17), (0x6d, 28), (0x77, 53), (0xe7, -1), (0x2e9, 219), (0x2f2, 224), (0x2f2, -3),
            (0x308, 42), (0x33a, 52), (0x357, 102), (0x3a2, 114), (0x3af, 122), (0x402, 134), (0x42a, 146), (0x433, -1), (0x657, 187), (0x660, -1),
        ];
        // The guards jump forward over their throws.
        ImmutableArray<ILBranch> branches = [new(40, 42, 53, false), new(90, 92, 147, false), new(173, 175, 192, false)];
        var resolver = new CallSiteResolver(Optimized(2044, map), sites, ilSize: 225, branches: branches, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));

        Assert.AreEqual(160, resolver.Resolve([(0x143, FrameCall.Allocation("String", 6024, 6024))])[0x143].ILOffset);
    }

    [TestMethod]
    public void WithoutInliningEvents_TheCallThatMakesTheObjectFewestCallsDown_MadeItInTheFrame()
    {
        // Fresh4.FormatAReceipt under `collect` (recorded map, no inlining events): after the range of IL 154, unmapped code
        // runs to the method's end. The 29,376-byte string made at 0x24f is `receipt.PadRight(...)`'s, whose own IL
        // allocates it, not the `string.Format(...)` before it, whose string is made three calls down (44 MB had gone to
        // that line, marked as shared); Split's SplitInternal is seen called from a frame of its own.
        ImmutableArray<ILSite> sites =
        [
            new(155, ILSiteKind.CallVirt, "Object", "ToString", CallToken: 0x0A000001),
            new(258, ILSiteKind.Call, "String", "Format", CallToken: 0x0A000002),
            new(278, ILSiteKind.CallVirt, "String", "PadRight", CallToken: 0x0A000003),
            new(286, ILSiteKind.CallVirt, "String", "Split", CallToken: 0x0A000004),
            new(292, ILSiteKind.Call, "Sink", "Keep", TargetToken: 0x06000001),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000002] = MakesStrings(depth: 3, wayDown: [("String", "FormatHelper"), ("ValueStringBuilder", "ToString"), ("String", "Ctor")]),
            [0x0A000003] = MakesStrings(depth: 0, wayDown: []),
            [0x0A000004] = MakesStrings(depth: 2, wayDown: [("String", "SplitInternal"), ("String", "InternalSubString")]),
        };
        (int Native, int IL)[] map = [(0x0, -2), (0x33, 0), (0x159, 137), (0x190, 154), (0x239, -1), (0x2e8, 297), (0x2f1, 302), (0x2f1, -3)];
        var resolver = new CallSiteResolver(Optimized(3749, map), sites, ilSize: 303, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));

        Dictionary<int, CallSiteResolution> resolved = resolver.Resolve(
            [(0x24f, FrameCall.Allocation("String", 29376, 29376)), (0x2dc, FrameCall.Call("String", "SplitInternal"))]);

        Assert.AreEqual(278, resolved[0x24f].ILOffset, "PadRight");
        Assert.AreEqual(286, resolved[0x2dc].ILOffset, "Split");
    }

    [TestMethod]
    public void ArrayOfATypeArgument_GrownByAGenericMethodsInlinedCall_IsThatCallsNear_SharedWithTheOneElsewhere()
    {
        // Fresh3.StoreInvoicesInARepository at tier 1 (recorded map): `repository.Project(invoice => new InvoiceView {...})`,
        // whose `_items.ConvertAll(item => map(item))` makes a List<InvoiceView> (an InvoiceView[] of 500) in the unmapped
        // code after the loop; ConvertAll<TOutput>'s IL names the array `TOutput[]`, unknown inside Project<TView>.
        // `repository.CreateBlank<InvoiceView>(64)`'s own `new TView[...]` is the only site that names it.
        const int page = 0x06000030, project = 0x06000031, createBlank = 0x06000033;
        ImmutableArray<ILSite> sites =
        [
            new(59, ILSiteKind.CallVirt, "Repository", "Add", TargetToken: 0x0600002f, TypeArguments: "Invoice"),
            new(83, ILSiteKind.CallVirt, "Repository", "Page", TargetToken: page, TypeArguments: "Invoice"),
            new(121, ILSiteKind.CallVirt, "Repository", "Project", TargetToken: project, TypeArguments: "Invoice,InvoiceView"),
            new(168, ILSiteKind.CallVirt, "Repository", "CreateBlank", TargetToken: createBlank, TypeArguments: "Invoice,InvoiceView"),
        ];
        ImmutableArray<ILSite> sitesOf(int token) => token switch
        {
            page => [new(12, ILSiteKind.Call, "Enumerable", "Skip", CallToken: 0x0A000001)],
            project => [new(13, ILSiteKind.CallVirt, "List", "ConvertAll", CallToken: 0x0A000002)],
            createBlank => [new(10, ILSiteKind.NewArray, "?[]", "")],
            _ => [],
        };
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: ["IListSkipTakeIterator"]),
            [0x0A000002] = Facts(allocates: ["List", "?[]"], calls: [("Converter", "Invoke")]),
        };
        (int Native, int IL)[] map =
        [
            (0x0, -2), (0x4e, 6), (0x53, 59), (0x68, 64), (0x6b, 70), (0x78, 11), (0xac, -1), (0x151, 59), (0x175, 79), (0x223, 115), (0x23a, -1),
            (0x266, 165), (0x2cc, 79), (0x368, -1), (0x36c, 79), (0x44f, -1), (0x4d6, 127), (0x543, 165), (0x57c, 179), (0x585, 185), (0x597, -3),
        ];
        var resolver = new CallSiteResolver(Optimized(1884, map), sites, ilSize: 200, sitesOf, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));

        CallSiteResolution resolution = resolver.Resolve([(0x468, FrameCall.Allocation("InvoiceView[]", 4024, 4024))])[0x468];

        Assert.AreEqual(121, resolution.ILOffset, "repository.Project(...)");
        CollectionAssert.Contains(resolution.Alternatives.ToArray(), 168, "CreateBlank's own array may be it as well");
    }

    [TestMethod]
    public void TypesBeneath_DoNotChooseAGenericCallOverOneThatIsNot()
    {
        // `Encoding.UTF8.GetBytes(s)` then `lookup.ToArray()` in one tier-0 range: a Byte[] beneath the frame names
        // ToArray<byte>'s type argument, but GetBytes makes Byte[] arrays too.
        ImmutableArray<ILSite> sites =
        [
            new(0x01, ILSiteKind.CallVirt, "Encoding", "GetBytes"),
            new(0x08, ILSiteKind.Call, "Enumerable", "ToArray", TypeArguments: "Byte"),
        ];

        var resolver = new CallSiteResolver(OneRange, sites, ilSize: 0x0e);
        (int, FrameCall)[] observed = [(0xe0, FrameCall.Call("UTF8Encoding", "GetBytesForSmallInput"))];

        var withTypes = resolver.Resolve(observed, new Dictionary<int, HashSet<string>> { [0xe0] = ["Byte"] });
        var without = resolver.Resolve(observed);

        Assert.AreEqual(without[0xe0].ILOffset, withTypes[0xe0].ILOffset);
        CollectionAssert.AreEqual(without[0xe0].Alternatives.ToList(), withTypes[0xe0].Alternatives.ToList());
        CollectionAssert.Contains(withTypes[0xe0].Alternatives.Add(withTypes[0xe0].ILOffset).ToList(), 0x01, "GetBytes stays a candidate");
    }

    [TestMethod]
    public void ACallNoSiteOfItsRangeCanMake_ByTheirIL_IsTheOneSiteElsewhereWhoseILMakesIt()
    {
        // Fresh2.DescribeLedger, fully optimized: the Deposit arm's `entry.Amount.ToString("F2", ...)` (IL 0x57) calls
        // Number.FormatDecimal from an address in the range mapped to the Transfer arm (IL 0xe2: get_Account,
        // get_Counterparty, String.Concat), none of whose IL calls it.
        ImmutableArray<ILSite> sites =
        [
            new(0x44, ILSiteKind.CallVirt, "Transaction", "get_Amount", TargetToken: 0x06000010),
            new(0x57, ILSiteKind.Call, "Decimal", "ToString", CallToken: 0x0A000001),
            new(0x5c, ILSiteKind.Call, "String", "Concat", CallToken: 0x0A000002),
            new(0xe2, ILSiteKind.CallVirt, "Transaction", "get_Account", TargetToken: 0x06000011),
            new(0xed, ILSiteKind.CallVirt, "Transaction", "get_Counterparty", TargetToken: 0x06000012),
            new(0xf2, ILSiteKind.Call, "String", "Concat", CallToken: 0x0A000003),
        ];
        CompiledCode tc0 = Optimized(0x400, [0x0, 0x23, 0x228, 0x2e2], [-2, 0x00, 0xe2, 0xfb]);
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: ["String"], calls: [("Number", "FormatDecimal")]),
            [0x0A000002] = Facts(allocates: ["String"], calls: [("String", "FastAllocateString")]),
            [0x0A000003] = Facts(allocates: ["String"], calls: [("String", "FastAllocateString")]),
        };
        ImmutableArray<ILSite> SitesOf(int token) => []; // the getters call nothing
        (int, FrameCall)[] observed = [(0x2cd, FrameCall.Call("Number", "FormatDecimal"))];

        var known = new CallSiteResolver(tc0, sites, ilSize: 0x130, SitesOf, calleeFacts: site => facts.GetValueOrDefault(site.CallToken)).Resolve(observed);
        var unknown = new CallSiteResolver(tc0, sites, ilSize: 0x130, SitesOf).Resolve(observed);

        Assert.AreEqual(0x57, known[0x2cd].ILOffset);
        Assert.IsTrue(unknown[0x2cd].ILOffset >= 0xe2, "without the framework's IL, the range's own sites are all there is");
    }

    [TestMethod]
    public void ACallOfTheCalleesOwnTypeInTheRange_ThatCannotMakeItByItsIL_YieldsToTheSiteThatNamesIt()
    {
        // Fresh2.TokenizeAStory at tier 1: `sentences` stays on the evaluation stack across four statements, so the map
        // gives IL 0 to code up to IL 0x42, including Regex.Replace's (IL 0x48) body. The two Regex.Split calls in that
        // span are of the callee's own type (a devirtualized, inlined body may call another method of it: Medium), but
        // their IL does not call Replace.
        ImmutableArray<ILSite> sites =
        [
            new(0x0a, ILSiteKind.CallVirt, "Regex", "Split", CallToken: 0x0A000001),
            new(0x19, ILSiteKind.CallVirt, "Regex", "Split", CallToken: 0x0A000001),
            new(0x48, ILSiteKind.CallVirt, "Regex", "Replace", CallToken: 0x0A000002),
        ];
        CompiledCode tier1 = Optimized(0x2000, [0x0, 0x31, 0x1c2b, 0x1c4d], [-2, 0x00, 0x42, -3]) with
        {
            InlinedMethods = [("System.Text.RegularExpressions.Regex", "Split"), ("System.Text.RegularExpressions.Regex", "Replace")],
        };
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: ["String[]"], calls: [("Regex", "RunAllMatchesWithCallback")]),
            [0x0A000002] = Facts(allocates: ["String"], calls: [("Regex", "Replace")]),
        };
        (int, FrameCall)[] observed = [(0x1350, FrameCall.Call("Regex", "Replace"))];

        var known = new CallSiteResolver(tier1, sites, ilSize: 0xc3, calleeFacts: site => facts.GetValueOrDefault(site.CallToken)).Resolve(observed);
        Assert.AreEqual(0x48, known[0x1350].ILOffset);

        // Control: a virtual method a derived type may override runs other IL, which then rules nothing out.
        facts[0x0A000001] = facts[0x0A000001] with { Overridable = true };
        var overridable = new CallSiteResolver(tier1, sites, ilSize: 0xc3, calleeFacts: site => facts.GetValueOrDefault(site.CallToken)).Resolve(observed);
        Assert.IsTrue(overridable[0x1350].ILOffset is 0x0a or 0x19, "an override's IL is not the base method's");
    }

    [TestMethod]
    public void UnmappedCodeNothingInItsRangeExplains_IsTheSitesElsewhereWhoseILMakesIt_OnwardFirst()
    {
        // Fresh2.ScheduleJobs at tier 1: unmapped code after the range of IL 0x3e (`stloc` of `new Stack<string>()`)
        // allocates the string of `undo.Push(next.Name + ":" + priority.ToString(...))` (IL 0x67, 0x6c).
        ImmutableArray<ILSite> sites =
        [
            new(0x39, ILSiteKind.NewObject, "Stack", ".ctor", CallToken: 0x0A000001),
            new(0x67, ILSiteKind.Call, "Int32", "ToString", CallToken: 0x0A000002),
            new(0x6c, ILSiteKind.Call, "String", "Concat", CallToken: 0x0A000003),
            new(0x71, ILSiteKind.CallVirt, "Stack", "Push", CallToken: 0x0A000004),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: []),
            [0x0A000002] = Facts(allocates: ["String"]),
            [0x0A000003] = Facts(allocates: ["String"]),
            [0x0A000004] = Facts(allocates: ["String[]"]),
        };
        CompiledCode tier1 = Optimized(0x1000, [0x0, 0x252, 0x27a, 0x2a2, 0x2a7, 0x409], [-2, 0x33, 0x39, 0x3e, -1, 0x3f]);
        var resolver = new CallSiteResolver(tier1, sites, ilSize: 0x78, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));
        Assert.IsTrue(resolver.Resolve([(0x374, FrameCall.Allocation("String", 40, 48))])[0x374].ILOffset is 0x67 or 0x6c);

        // Fresh2.WriteAuditTrail: unmapped code after the first half of line 106's range (IL 0x46, up to the map's
        // next boundary at 0x74) grows the StringBuilder; the AppendJoin after it (0x7f) did, not line 105's AppendFormat.
        ImmutableArray<ILSite> appends =
        [
            new(0x40, ILSiteKind.CallVirt, "StringBuilder", "AppendFormat", CallToken: 0x0A000001),
            new(0x69, ILSiteKind.LoadFunction, "<>c", "<WriteAuditTrail>b__26_1", TargetToken: 0x06000090, ParameterCount: 1),
            new(0x6f, ILSiteKind.NewObject, "Func", ".ctor", CallToken: 0x0A000002),
            new(0x7f, ILSiteKind.CallVirt, "StringBuilder", "AppendJoin", CallToken: 0x0A000003),
        ];
        var grows = Facts(allocates: ["Char[]"], calls: [("StringBuilder", "ExpandByABlock")]);
        facts = new() { [0x0A000001] = grows, [0x0A000002] = Facts(allocates: []), [0x0A000003] = grows };
        CompiledCode loop = Optimized(0x2000, [0x0, 0x93f, 0x98d, 0x17ae, 0x17c5], [-2, 0x46, -1, 0x74, -1]);
        var inLoop = new CallSiteResolver(loop, appends, ilSize: 0x90, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));
        Assert.AreEqual(0x7f, inLoop.Resolve([(0xfae, FrameCall.Call("StringBuilder", "ExpandByABlock"))])[0xfae].ILOffset);
    }

    [TestMethod]
    public void UnmappedCallOnlyCallsOfUnknownDepthNearMayMake_IsTheSitesElsewhereWhoseCalleesMakeIt()
    {
        // Fresh.BuildMonthlyReport at tier 1, as recorded: the unmapped code after a block of `report.AppendLine("...")`
        // (IL 0x06, before the loop) calls GC.AllocateUninitializedArray's worker for the loop's inlined Appends, whose
        // StringBuilder grows there. AppendLine's IL does not reach that worker in the levels read; Append's does.
        const string worker = "<AllocateUninitializedArray>g__AllocateNewArrayWorker|77_0";
        ImmutableArray<ILSite> sites =
        [
            new(0x0c, ILSiteKind.CallVirt, "StringBuilder", "AppendLine", CallToken: 0x0A000001),
            new(0x3e, ILSiteKind.CallVirt, "StringBuilder", "Append", CallToken: 0x0A000002),
            new(0x45, ILSiteKind.CallVirt, "StringBuilder", "Append", CallToken: 0x0A000002),
            new(0x50, ILSiteKind.CallVirt, "StringBuilder", "Append", CallToken: 0x0A000002),
            new(0x57, ILSiteKind.CallVirt, "StringBuilder", "Append", CallToken: 0x0A000002),
            new(0x75, ILSiteKind.CallVirt, "StringBuilder", "AppendLine", CallToken: 0x0A000001),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: [], calls: [("StringBuilder", "Append")]),
            [0x0A000002] = Facts(allocates: ["Char[]"], calls: [("StringBuilder", "AppendWithExpansion"), ("StringBuilder", "ExpandByABlock"), ("GC", worker)]),
        };
        CompiledCode tier1 = Optimized(0x9ca,
            [0x0, 0x16, 0x4f, 0xc3, 0xc6, 0xe5, 0x1c4, 0x36f, 0x372, 0x384, 0x3db, 0x422, 0x448, 0x81c, 0x823, 0x971],
            [-2, 0x00, 0x06, 0x12, 0x16, 0x1e, -1, 0x7b, 0x7f, -1, 0x1e, 0x06, -1, 0x1e, -1, 0x87]);

        var result = new CallSiteResolver(tier1, sites, ilSize: 0xa6, branches: [new ILBranch(0x7d, 0x7f, 0x1e)], calleeFacts: site => facts.GetValueOrDefault(site.CallToken))
            .Resolve([(0x546, FrameCall.Call("GC", worker)), (0x742, FrameCall.Call("StringBuilder", "AppendWithExpansion"))]);

        Assert.IsTrue(result[0x546].ILOffset is 0x3e or 0x45 or 0x50 or 0x57, $"one of the loop's Appends, not IL 0x{result[0x546].ILOffset:x}");
        Assert.AreEqual(0x0c, result[0x742].ILOffset, "a method of AppendLine's own type, which it may reach, stays where the map puts it");
    }

    [TestMethod]
    public void TheDelegateMachineryUnderAFrame_IsTheCombineThatJumpedThere_NotADelegatesInvoke()
    {
        // More.DelegateCombination at tier 0, as recorded: `handler += message => ...` (Delegate.Combine at IL 0x2f) tail-calls
        // MulticastDelegate.CombineImpl, seen from the return address of that call, in the map's range of IL 0x2f up to
        // `handler("event")` (Action.Invoke at IL 0x3e). An Invoke calls what delegates were made of, never CombineImpl.
        ImmutableArray<ILSite> sites =
        [
            new(0x24, ILSiteKind.LoadFunction, "<>c__DisplayClass13_0", "<DelegateCombination>b__0", TargetToken: 0x06000040, ParameterCount: 1),
            new(0x2a, ILSiteKind.NewObject, "Action", ".ctor"),
            new(0x2f, ILSiteKind.Call, "Delegate", "Combine"),
            new(0x3e, ILSiteKind.CallVirt, "Action", "Invoke", ParameterCount: 1),
        ];
        CompiledCode tier0 = OneRange with { NativeOffsets = [0x0, 0xaa, 0xd5, 0x118, 0x130], ILOffsets = [-2, 0x23, 0x2f, 0x43, -3], IsOptimized = false };

        var result = new CallSiteResolver(tier0, sites, ilSize: 0x48).Resolve([(0xe3, FrameCall.Call("MulticastDelegate", "CombineImpl"))]);

        Assert.AreEqual(0x2f, result[0xe3].ILOffset);
    }

    [TestMethod]
    public void ACallNamedByOneFrameAtAReturnAddress_ExplainsTheCallsItTailCalledThere_OverAnInlinedCall()
    {
        // Fresh4.MergeMemberRecords, fully optimized, as recorded: `var headline = summary.ToString();` (callvirt Object.ToString,
        // IL 0x85) is seen at one return address calling the anonymous type's ToString, and, past that method's tail call to
        // string.Format, String.FormatHelper. The inlined ToLookup of the line before (IL 0x7f) may make either, no better.
        ImmutableArray<ILSite> sites =
        [
            new(0x7f, ILSiteKind.Call, "Enumerable", "ToLookup"),
            new(0x85, ILSiteKind.CallVirt, "Object", "ToString"),
        ];
        CompiledCode optimized = Optimized(0x236,
            [0x0, 0x10, 0x65, 0xa3, 0xaf, 0xf5, 0x13d, 0x152, 0x187, 0x1cf, 0x216, 0x21f, 0x222],
            [-2, 0x00, 0x1e, 0x2f, 0x42, 0x5f, 0x79, -1, 0x8c, 0xa6, 0xbc, 0xc3, -3]) with { InlinedMethods = [("System.Linq.Enumerable", "ToLookup")] };

        var result = new CallSiteResolver(optimized, sites, ilSize: 0xc8)
            .Resolve([(0x184, FrameCall.Call("<>f__AnonymousType3", "ToString")), (0x184, FrameCall.Call("String", "FormatHelper"))]);

        Assert.AreEqual(0x85, result[0x184].ILOffset);
    }

    [TestMethod]
    public void ANewobjWhoseObjectWasSeenInItsRange_KeepsTheCallsItsConstructorMakesInUnmappedCode()
    {
        // Fresh4.WorkTheCollections, fully optimized, as recorded: `new PriorityQueue<string, int>(items)` (IL 0xe4) allocates
        // its object in the range of IL 0xd9; its inlined constructor's EnumerableHelpers.ToArray is called from the unmapped
        // code after that range. The loop's `ranked.Add(...)` before it makes no such call.
        ImmutableArray<ILSite> sites =
        [
            new(0xa2, ILSiteKind.CallVirt, "LinkedListNode", "get_Value", CallToken: 0x0A000001),
            new(0xa7, ILSiteKind.CallVirt, "SortedList", "Add", CallToken: 0x0A000002),
            new(0xdf, ILSiteKind.Call, "Enumerable", "Select", CallToken: 0x0A000003),
            new(0xe4, ILSiteKind.NewObject, "PriorityQueue", ".ctor", CallToken: 0x0A000004),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: []),
            [0x0A000002] = Facts(allocates: ["Int32[]", "String[]"], calls: [("SortedList", "EnsureCapacity")]),
            [0x0A000003] = Facts(allocates: ["IEnumerableSelectIterator"]),
            [0x0A000004] = Facts(allocates: ["PriorityQueue", "ValueTuple`2[]"], calls: [("EnumerableHelpers", "ToArray")]),
        };
        CompiledCode optimized = Optimized(0x387, [0x0, 0x247, 0x24a, 0x28a, 0x28d, 0x296, 0x2de, 0x321, 0x35e, 0x373], [-2, 0x82, 0x87, 0xac, 0xb2, 0xbb, 0xd9, -1, 0xe9, -3]);

        var result = new CallSiteResolver(optimized, sites, ilSize: 0xfc, branches: [new ILBranch(0xb0, 0xb2, 0x8c)], calleeFacts: site => facts.GetValueOrDefault(site.CallToken))
            .Resolve([(0x2ff, FrameCall.Allocation("PriorityQueue", 48, 48)), (0x339, FrameCall.Call("EnumerableHelpers", "ToArray"))]);

        Assert.AreEqual(0xe4, result[0x2ff].ILOffset);
        Assert.AreEqual(0xe4, result[0x339].ILOffset, "the constructor's call, not the loop's SortedList.Add");
    }

    [TestMethod]
    public void UnmappedCallOfAnInlinedMethodsOwnType_IsThatMethodsSite_NotANearCallNorAnotherTypesMethodOfTheSameName()
    {
        // Fresh4.ParseQueryStrings, fully optimized, as recorded: the unmapped code after the range of IL 0x22 (the inner
        // foreach, up to `pair.IndexOf('=')` at IL 0x32) calls List.AddWithResize for `values.Add(...)` (IL 0x79), whose
        // List.Add the JIT inlined. `parameters.Add(key, values)` (IL 0x62) is Dictionary's Add, which no List body runs.
        ImmutableArray<ILSite> sites =
        [
            new(0x32, ILSiteKind.CallVirt, "String", "IndexOf", CallToken: 0x0A000001),
            new(0x62, ILSiteKind.CallVirt, "Dictionary", "Add", CallToken: 0x0A000002),
            new(0x79, ILSiteKind.CallVirt, "List", "Add", CallToken: 0x0A000003),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: [], calls: [("SpanHelpers", "IndexOfChar")]),
            [0x0A000002] = Facts(allocates: ["Int32[]"], calls: [("Dictionary", "TryInsert")]),
            [0x0A000003] = Facts(allocates: [], calls: [("List", "AddWithResize"), ("List", "Grow")]),
        };
        CompiledCode optimized = Optimized(0x380,
            [0x0, 0x13, 0x3d, 0x4a, 0x5f, 0x65, 0x90, 0x97, 0xa8, 0xc3, 0xec, 0xf0, 0x148, 0x15d, 0x166, 0x171, 0x17e, 0x195, 0x205, 0x226, 0x291, 0x2c5, 0x2ed, 0x362, 0x36b, 0x36b],
            [-2, 0x0, 0xb, 0x11, 0x90, 0x15, 0x22, -1, 0x39, 0x56, 0x5b, 0x5d, -1, 0x7e, 0x84, 0x27, 0x2e, 0x39, 0x4a, 0x99, 0xb9, 0xca, -1, 0xef, 0xf4, -3]) with { InlinedMethods = [("System.String", "IndexOf"), ("System.Collections.Generic.Dictionary`2", "Add"), ("System.Collections.Generic.List`1", "Add")] };

        var result = new CallSiteResolver(optimized, sites, ilSize: 0xf8, branches: [new ILBranch(0x88, 0x8a, 0x27), new ILBranch(0x95, 0x97, 0x10)], calleeFacts: site => facts.GetValueOrDefault(site.CallToken))
            .Resolve([(0xa3, FrameCall.Call("List", "AddWithResize"))]);

        Assert.AreEqual(0x79, result[0xa3].ILOffset);
    }

    [TestMethod]
    public void UnmappedCodeRightAfterARangeWithNoLoop_GoesOnInItsOrder()
    {
        // Fresh4.FormatAReceipt at tier 1, as recorded: the map has no boundary for three statements (IL 154 to 297):
        // `string.Format(...)`'s call lies in the range of IL 154, the inlined `receipt.PadRight(...)`'s string and
        // `padded.Split(...)` in the unmapped code after it. In that order, the string is PadRight's, not Format's.
        ImmutableArray<ILSite> sites =
        [
            new(0x102, ILSiteKind.Call, "String", "Format", CallToken: 0x0A000001),
            new(0x116, ILSiteKind.CallVirt, "String", "PadRight", CallToken: 0x0A000002),
            new(0x11e, ILSiteKind.CallVirt, "String", "Split", CallToken: 0x0A000003),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: ["String"], calls: [("String", "FormatHelper")]),
            [0x0A000002] = Facts(allocates: ["String"]),
            [0x0A000003] = Facts(allocates: ["String", "String[]"], calls: [("String", "SplitInternal")]),
        };
        CompiledCode tier1 = Optimized(0x300, [0x0, 0x33, 0x6c, 0x79, 0x7c, 0x89, 0x159, 0x190, 0x239, 0x2e8, 0x2f1], [-2, 0x00, 0x06, 0x0c, 0x75, 0x7c, 0x89, 0x9a, -1, 0x129, -3]);

        var result = new CallSiteResolver(tier1, sites, ilSize: 0x130, branches: [], calleeFacts: site => facts.GetValueOrDefault(site.CallToken))
            .Resolve([(0x225, FrameCall.Call("String", "FormatHelper")), (0x24f, FrameCall.Allocation("String", 29_376, 29_376)), (0x2dc, FrameCall.Call("String", "SplitInternal"))]);

        Assert.AreEqual(0x102, result[0x225].ILOffset);
        Assert.AreEqual(0x116, result[0x24f].ILOffset, "PadRight's string, after Format's call in native order");
        Assert.AreEqual(0x11e, result[0x2dc].ILOffset);
    }

    [TestMethod]
    public void UnmappedCallOnlyCallsElsewhereMake_IsTheNearestOfThem_WhenNoneFollowsTheSpanClosely()
    {
        // Fresh4.PlanDeliveryRoutes, collected at tier 1: the unmapped code after the range of IL 64 (line 35's OrderBy chain)
        // calls List's constructor for line 34's `.ToList()` (IL 58), laid out after the next statement's first block. The
        // `stops.ConvertAll(...)` five statements on (IL 288) makes a List too; the nearer ToList is taken.
        const int toList = 0x0A000001, orderBy = 0x0A000002, convertAll = 0x0A000003;
        ImmutableArray<ILSite> sites =
        [
            new(0x3a, ILSiteKind.Call, "Enumerable", "ToList", CallToken: toList),
            new(0x60, ILSiteKind.Call, "Enumerable", "OrderBy", CallToken: orderBy),
            new(0x8e, ILSiteKind.Call, "Enumerable", "Select", CallToken: orderBy),
            new(0x120, ILSiteKind.CallVirt, "List", "ConvertAll", CallToken: convertAll),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [toList] = Facts(allocates: ["List"], calls: [("List", ".ctor")]),
            [orderBy] = Facts(allocates: ["OrderedIterator"]),
            [convertAll] = Facts(allocates: ["List"], calls: [("List", ".ctor")]),
        };
        CompiledCode tier1 = Optimized(0x1300, [0x0, 0x54, 0x6d, 0x7b, 0xb0, 0x1d1, 0x217, 0x440, 0x45b, 0x119a, 0x1206, 0x12c7, 0x12d9], [-2, 0x05, 0x06, 0x11, -1, 0x40, -1, 0x99, -1, 0x107, 0x120, 0x12b, -3]);

        var resolver = new CallSiteResolver(tier1, sites, ilSize: 0x138, branches: [], calleeFacts: site => facts.GetValueOrDefault(site.CallToken));

        Assert.AreEqual(0x3a, resolver.Resolve([(0x2a2, FrameCall.Call("List", ".ctor"))])[0x2a2].ILOffset);
    }

    [TestMethod]
    public void TheLambdasACallTakes_AreThoseMadeIntoDelegatesRightBeforeIt()
    {
        // `stops.ConvertAll(stop => Label(stop))`: ldftn of the lambda, newobj of the Converter, then the ConvertAll call.
        ImmutableArray<ILSite> sites =
        [
            new(0x10, ILSiteKind.Call, "Enumerable", "ToList"),
            new(0x15, ILSiteKind.LoadFunction, "<>c__DisplayClass11_0", "<PlanDeliveryRoutes>b__6", TargetToken: 0x06000042, ParameterCount: 1),
            new(0x1b, ILSiteKind.NewObject, "Converter", ".ctor"),
            new(0x20, ILSiteKind.CallVirt, "List", "ConvertAll"),
        ];
        var resolver = new CallSiteResolver(OneRange, sites, ilSize: 0x30);

        CollectionAssert.AreEqual(new[] { 0x06000042 }, resolver.DelegateTargetsPassedTo(0x20));
        Assert.IsEmpty(resolver.DelegateTargetsPassedTo(0x10));
    }

    [TestMethod]
    public void AnInterfaceCallTier1MayHaveDevirtualized_IsScoredByTheIL_OfTheImplementationsInThisModule()
    {
        // Fresh2.QuoteShipments, collected at tier 1: `var quote = rule.Price(shipment);` (IL 0x6a) calls
        // IPricingRule.Price; tier 1 inlined DistanceRule.Price behind a type check, whose `zone.ToString(...)` formats a
        // decimal (Number.FormatDecimal, two calls down in the framework). The unmapped code holding it follows the
        // range of line 175's `CreateRule("flat")`, whose IL makes no such call.
        const int price = 0x06000040, distancePrice = 0x06000050, flatPrice = 0x06000051, createRule = 0x06000060;
        ImmutableArray<ILSite> sites =
        [
            new(0x2b, ILSiteKind.Call, "Fresh2", "CreateRule", TargetToken: createRule, ParameterCount: 1),
            new(0x30, ILSiteKind.CallVirt, "List", "Add", CallToken: 0x0A000001),
            new(0x6a, ILSiteKind.CallVirt, "IPricingRule", "Price", TargetToken: price, ParameterCount: 1),
            new(0x90, ILSiteKind.Call, "Decimal", "op_Multiply", CallToken: 0x0A000002),
        ];
        Dictionary<int, ImmutableArray<ILSite>> bodies = new()
        {
            [createRule] = [new(0x10, ILSiteKind.NewObject, "WeightRule", ".ctor", TargetToken: 0x06000070), new(0x20, ILSiteKind.NewObject, "FlatRule", ".ctor", TargetToken: 0x06000071)],
            [distancePrice] = [new(0x30, ILSiteKind.Call, "Decimal", "ToString", CallToken: 0x0A000003), new(0x40, ILSiteKind.Call, "String", "Concat", CallToken: 0x0A000004)],
            [flatPrice] = [new(0x08, ILSiteKind.NewObject, "Quote", ".ctor", TargetToken: 0x06000072)],
        };
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: ["IPricingRule[]"]),
            [0x0A000002] = Facts(allocates: []),
            [0x0A000003] = Facts(allocates: ["String"], calls: [("Number", "FormatDecimal")]),
            [0x0A000004] = Facts(allocates: ["String"], calls: [("String", "FastAllocateString")]),
        };
        CompiledCode tier1 = Optimized(0x1200, [0x0, 0x38, 0xd6, 0xe0, 0xb00, 0xb47], [-2, 0x00, 0x2b, -1, 0x35, 0x43]);
        (int, FrameCall)[] observed = [(0xa8c, FrameCall.Call("Number", "FormatDecimal"))];
        CallSiteResolver Resolver(Func<int, ImmutableArray<int>>? overridesOf) => new(tier1, sites, ilSize: 0xa0, token => bodies.GetValueOrDefault(token, []),
            calleeFacts: site => facts.GetValueOrDefault(site.CallToken), overridesOf: overridesOf);

        Assert.AreEqual(0x6a, Resolver(token => token == price ? [distancePrice, flatPrice] : []).Resolve(observed)[0xa8c].ILOffset);
        Assert.AreNotEqual(0x6a, Resolver(overridesOf: null).Resolve(observed)[0xa8c].ILOffset, "without the implementations, the interface method has no IL to read");
    }

    [TestMethod]
    public void ALambdaCalledFromThisFrame_IsTheInlinedFrameworkCallItsDelegateWasPassedTo()
    {
        // Fresh2.SortAndSearchEmployees at tier 1: `var names = staff.ConvertAll(employee => employee.LastName + ...)`
        // (IL 0x85) with List.ConvertAll inlined, so its Converter.Invoke calls the lambda from this frame, in unmapped code
        // after the next line's range. Another ConvertAll (IL 0x5a) takes another lambda; `names.Sort(...)` (IL 0x8b)
        // takes no delegate.
        const int salary = 0x06000030, label = 0x06000031;
        ImmutableArray<ILSite> sites =
        [
            new(0x4f, ILSiteKind.LoadFunction, "<>c", "<SortAndSearchEmployees>b__28_1", TargetToken: salary, ParameterCount: 1),
            new(0x55, ILSiteKind.NewObject, "Converter", ".ctor", CallToken: 0x0A000001, ParameterCount: 2),
            new(0x5a, ILSiteKind.CallVirt, "List", "ConvertAll", CallToken: 0x0A000002),
            new(0x7a, ILSiteKind.LoadFunction, "<>c", "<SortAndSearchEmployees>b__28_2", TargetToken: label, ParameterCount: 1),
            new(0x80, ILSiteKind.NewObject, "Converter", ".ctor", CallToken: 0x0A000001, ParameterCount: 2),
            new(0x85, ILSiteKind.CallVirt, "List", "ConvertAll", CallToken: 0x0A000002),
            new(0x8b, ILSiteKind.CallVirt, "List", "Sort", CallToken: 0x0A000003),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: []),
            [0x0A000002] = Facts(allocates: ["List"], calls: [("Converter", "Invoke")]),
            [0x0A000003] = Facts(allocates: [], calls: [("ArraySortHelper", "Sort")]),
        };
        CompiledCode tier1 = Optimized(0x1400, [0x0, 0x28, 0x236, 0x2aa, 0x79a], [-2, 0x00, 0x60, -1, 0x8b]);
        var resolver = new CallSiteResolver(tier1, sites, ilSize: 0xa0, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));

        Assert.AreEqual(0x85, resolver.Resolve([(0x50a, FrameCall.Call("<>c", "<SortAndSearchEmployees>b__28_2"))])[0x50a].ILOffset);
        Assert.AreEqual(0x5a, resolver.Resolve([(0x50a, FrameCall.Call("<>c", "<SortAndSearchEmployees>b__28_1"))])[0x50a].ILOffset);
    }

    [TestMethod]
    public void ADirectCallOfAnotherTypesMethodOfTheSameName_DoesNotMakeTheCall_ButOneOfATypeNestedInItsMay()
    {
        // Fresh2.SummarizeSalesByRegion at tier 1: `foreach (var summary in byRegion)` calls List<T>.Enumerator.MoveNext
        // (IL 0x7c, a direct call); the GroupBy iterator's MoveNext the next statement's inlined ToDictionary runs is not
        // that call's. Enumerable.ToArray (a direct call too) does jump to its ArraySelectIterator's ToArray.
        ImmutableArray<ILSite> sites =
        [
            new(0x75, ILSiteKind.CallVirt, "SortedDictionary", "set_Item", CallToken: 0x0A000001),
            new(0x7c, ILSiteKind.Call, "Enumerator", "MoveNext", CallToken: 0x0A000002),
            new(0x9e, ILSiteKind.Call, "Enumerable", "GroupBy", CallToken: 0x0A000003),
            new(0xb8, ILSiteKind.Call, "Enumerable", "ToDictionary", CallToken: 0x0A000004),
            new(0xc4, ILSiteKind.Call, "Enumerable", "ToArray", CallToken: 0x0A000005),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000002] = Facts(allocates: [], calls: [("Enumerator", "MoveNextRare")]),
            [0x0A000004] = Facts(allocates: ["Dictionary"], calls: [("GroupByIterator", "MoveNext")]),
        };
        CompiledCode tier1 = Optimized(0x2000, [0x0, 0x28, 0x1100, 0x1200], [-2, 0x00, 0x7a, 0x93]);
        var resolver = new CallSiteResolver(tier1, sites, ilSize: 0xd0, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));

        Assert.AreEqual(0xb8, resolver.Resolve([(0x11bd, FrameCall.Call("GroupByIterator", "MoveNext") with { OuterTypeKey = "Enumerable" })])[0x11bd].ILOffset,
            "a List enumerator's MoveNext is not a GroupBy iterator's");
        Assert.AreEqual(0x7c, resolver.Resolve([(0x11bd, FrameCall.Call("Enumerator", "MoveNext"))])[0x11bd].ILOffset);
        Assert.AreEqual(0xc4, resolver.Resolve([(0x1f00, FrameCall.Call("ArraySelectIterator", "ToArray") with { OuterTypeKey = "Enumerable" })])[0x1f00].ILOffset);
    }

    [TestMethod]
    public void ACallTheJitDidNotInline_WhoseILReachesTheCallee_TailCalledIt_OverInlinedCallsThatCannot()
    {
        // Fresh3.NormalizeProductTitles, fully optimized: `var lower = raw.ToLowerInvariant();` (IL 0x27, inlined),
        // `var trimmed = lower.Trim();` (IL 0x2e, not inlined: it jumps to its helper, which jumps to
        // CreateTrimmedString) and `var words = trimmed.Split(' ', ...)` (IL 0x34, inlined) share one range. The frame
        // seen calling CreateTrimmedString is Trim's; the inlined calls around it cannot make that call by their IL.
        ImmutableArray<ILSite> sites =
        [
            new(0x27, ILSiteKind.CallVirt, "String", "ToLowerInvariant", CallToken: 0x0A000001),
            new(0x2e, ILSiteKind.CallVirt, "String", "Trim", CallToken: 0x0A000002),
            new(0x34, ILSiteKind.CallVirt, "String", "Split", CallToken: 0x0A000003),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: ["String"], calls: [("TextInfo", "ChangeCaseCommon")]),
            [0x0A000002] = Facts(allocates: ["String"], calls: [("String", "TrimWhiteSpaceHelper"), ("String", "CreateTrimmedString")]),
            [0x0A000003] = Facts(allocates: ["String[]"], calls: [("String", "SplitInternal")]),
        };
        CompiledCode tc0 = Optimized(0x240, [0x0, 0x91, 0xdc], [-2, 0x23, 0x3b]) with
        {
            InlinedMethods = [("System.String", "ToLowerInvariant"), ("System.String", "Split")],
        };
        var resolver = new CallSiteResolver(tc0, sites, ilSize: 0x40, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));
        Dictionary<int, CallSiteResolution> result = resolver.Resolve([
            (0xab, FrameCall.Call("TextInfo", "ChangeCaseCommon")),
            (0xb6, FrameCall.Call("String", "CreateTrimmedString")),
            (0xd0, FrameCall.Call("String", "SplitInternal"))]);

        Assert.AreEqual(0x27, result[0xab].ILOffset);
        Assert.AreEqual(0x2e, result[0xb6].ILOffset);
        Assert.AreEqual(0x34, result[0xd0].ILOffset);
    }

    [TestMethod]
    public void AnAllocationPlacedOnALambdasLdftn_IsThatLambdasOwnAllocation()
    {
        // HotspotShape.Process in OSR or tier-1 code: `Array.ConvertAll(new int[RowCount], id => new int[IntsPerRow])`
        // with ConvertAll and the lambda inlined; the resolver places the int[] on the ldftn (IL 0x23) of the lambda
        // whose IL allocates it, and that is the lambda's own line too.
        const int lambda = 0x06000099;
        ImmutableArray<ILSite> sites =
        [
            new(0x10, ILSiteKind.NewArray, "Int32[]", "", 4_096),
            new(0x23, ILSiteKind.LoadFunction, "<>c", "<Process>b__6_0", TargetToken: lambda, ParameterCount: 1),
            new(0x29, ILSiteKind.NewObject, "Converter", ".ctor", ParameterCount: 2),
            new(0x34, ILSiteKind.Call, "Array", "ConvertAll", CallToken: 0x2B000001),
        ];
        ImmutableArray<ILSite> lambdaSites = [new(0x06, ILSiteKind.NewArray, "Int32[]", "", 512)];
        var resolver = new CallSiteResolver(OneRange with { IsOptimized = true }, sites, ilSize: 0x40, sitesOf: token => token == lambda ? lambdaSites : []);

        Assert.AreEqual((lambda, 0x06), resolver.InlinedSite(0x23, FrameCall.Allocation("Int32[]", 2_072, 2_072)));
        Assert.AreEqual((0, -1), resolver.InlinedSite(0x23, FrameCall.Allocation("Byte[]", 2_072, 2_072)), "the lambda allocates no byte[]");
    }

    [TestMethod]
    public void AnAllocationAtAForeachsMoveNext_WithTheIteratorsMoveNextInlined_IsTheIteratorsOwn()
    {
        // HotspotShape.Process in tier-1 code: `foreach (var block in Blocks(round))` with Blocks, its state machine's
        // constructor, GetEnumerator and MoveNext inlined (the enumerator's type is known once Blocks is inlined). The
        // byte[] the resolver places on IEnumerator.MoveNext (IL 0x79) is the iterator's `yield return new byte[...]`.
        const int blocks = 0x0600000A, moveNext = 0x06000020;
        ImmutableArray<ILSite> sites =
        [
            new(0x58, ILSiteKind.Call, "HotspotShape", "Blocks", TargetToken: blocks, ParameterCount: 1),
            new(0x5d, ILSiteKind.CallVirt, "IEnumerable`1", "GetEnumerator", CallToken: 0x0A000010),
            new(0x6a, ILSiteKind.CallVirt, "IEnumerator`1", "get_Current", CallToken: 0x0A000011),
            new(0x79, ILSiteKind.CallVirt, "IEnumerator", "MoveNext", CallToken: 0x0A000012),
        ];
        ImmutableArray<ILSite> moveNextSites = [new(0x2a, ILSiteKind.NewArray, "Byte[]", "", 32_768)];
        CompiledCode code = OneRange with
        {
            IsOptimized = true,
            InlinedMethods = [("ShapesTarget.Shapes.HotspotShape", "Blocks"), ("ShapesTarget.Shapes.HotspotShape+<Blocks>d__10", "MoveNext")],
        };
        var resolver = new CallSiteResolver(code, sites, ilSize: 0x90, sitesOf: token => token == moveNext ? moveNextSites : [],
            iteratorMoveNextOf: token => token == blocks ? (moveNext, "<Blocks>d__10") : null);

        Assert.AreEqual((moveNext, 0x2a), resolver.InlinedSite(0x79, FrameCall.Allocation("Byte[]", 32_792, 32_792)));
        Assert.AreEqual((0, -1), resolver.InlinedSite(0x79, FrameCall.Allocation("Int32[]", 32_792, 32_792)), "the iterator allocates no int[]");

        var notInlined = new CallSiteResolver(OneRange with { IsOptimized = true, InlinedMethods = [] }, sites, ilSize: 0x90, sitesOf: token => token == moveNext ? moveNextSites : [],
            iteratorMoveNextOf: token => token == blocks ? (moveNext, "<Blocks>d__10") : null);
        Assert.AreEqual((0, -1), notInlined.InlinedSite(0x79, FrameCall.Allocation("Byte[]", 32_792, 32_792)), "MoveNext was not inlined here: it has a frame of its own");
    }

    [TestMethod]
    public void ASiteClaimedByItsOwnObject_StillMakesTheArraysOfItsInlinedConstructor_LaidOutFurtherOn()
    {
        // Types.ConstructorsAndProperties in tier-1 code (the recorded map): `var catalog = new Catalog();` (IL 51) with
        // Catalog's constructor inlined, whose `new Dictionary<string, int>(200)` makes an int[] and an Entry[] three
        // calls down. The Catalog, its List and its Dictionary are allocated in IL 44's range (the newobj claims them);
        // the two arrays come in the unmapped code after the next IL 44 range. Claiming the Catalog must not give its
        // arrays to `customer.Summary` (IL 45), which makes none.
        const int catalogCtor = 0x06000050, summary = 0x06000051;
        ImmutableArray<ILSite> sites =
        [
            new(45, ILSiteKind.CallVirt, "Customer", "get_Summary", TargetToken: summary),
            new(51, ILSiteKind.NewObject, "Catalog", ".ctor", TargetToken: catalogCtor),
            new(57, ILSiteKind.Call, "Sink", "Keep", NeverInlined: true, CallToken: 0x0A000030),
        ];
        ImmutableArray<ILSite> catalogSites =
        [
            new(0x06, ILSiteKind.NewObject, "List", ".ctor", CallToken: 0x0A000010, TypeArguments: "String"),
            new(0x16, ILSiteKind.NewObject, "Dictionary", ".ctor", CallToken: 0x0A000011, TypeArguments: "String,Int32"),
        ];
        ImmutableArray<ILSite> summarySites = [new(0x10, ILSiteKind.Call, "String", "Concat", CallToken: 0x0A000012)];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000011] = Allocating(("Int32[]", 3), ("Entry[]", 3)),
            [0x0A000012] = Allocating(("String", 1)),
        };
        CompiledCode code = Optimized(0x692, [0x0, 0x43, 0x4b0, 0x4ca, 0x533, 0x5e7, 0x5f0], [-2, 44, -1, 44, -1, 62, -3]) with
        {
            InlinedMethods = [("ConformanceTarget.Shapes.Types+Catalog", ".ctor"), ("ConformanceTarget.Shapes.Types+Customer", "get_Summary"),
                ("System.Collections.Generic.Dictionary`2", ".ctor"), ("System.Collections.Generic.List`1", ".ctor")],
        };
        (int, FrameCall)[] observations =
        [
            (0x44c, FrameCall.Allocation("Catalog", 32, 32)),
            (0x49c, FrameCall.Allocation("Dictionary", 80, 80)),
            (0x545, FrameCall.Allocation("Int32[]", 984, 984)),
            (0x55e, FrameCall.Allocation("Entry[]", 5_760, 5_760)),
        ];
        var result = new CallSiteResolver(code, sites, ilSize: 0x4c, sitesOf: token => token == catalogCtor ? catalogSites : token == summary ? summarySites : [],
            calleeFacts: site => facts.GetValueOrDefault(site.CallToken)).Resolve(observations);

        Assert.AreEqual(51, result[0x44c].ILOffset);
        Assert.AreEqual(51, result[0x545].ILOffset, "the Dictionary's buckets");
        Assert.AreEqual(51, result[0x55e].ILOffset, "and its entries");
    }

    [TestMethod]
    public void AStringInUnmappedCode_NearOnlyCallsWhoseILMakesNoString_IsTheStatementsThatMakeOne()
    {
        // Fresh2.ScheduleJobs in tier-1 code: `undo.Push(next.Name + ":" + priority.ToString(...))`'s string, laid out
        // in unmapped code after `new Stack<string>()`'s range. The constructors and queue calls near it may have been
        // inlined, but their IL (a few levels down) makes no string: the Concat and ToString of line 130 do.
        const int getPriority = 0x06000070;
        ImmutableArray<ILSite> sites =
        [
            new(0, ILSiteKind.NewObject, "PriorityQueue", ".ctor", CallToken: 0x0A000001),
            new(28, ILSiteKind.CallVirt, "Job", "get_Priority", TargetToken: getPriority),
            new(33, ILSiteKind.CallVirt, "PriorityQueue", "Enqueue", CallToken: 0x0A000002),
            new(51, ILSiteKind.NewObject, "Queue", ".ctor", CallToken: 0x0A000003),
            new(57, ILSiteKind.NewObject, "Stack", ".ctor", CallToken: 0x0A000004),
            new(68, ILSiteKind.CallVirt, "PriorityQueue", "TryDequeue", CallToken: 0x0A000005),
            new(103, ILSiteKind.Call, "Int32", "ToString", CallToken: 0x0A000006),
            new(108, ILSiteKind.Call, "String", "Concat", CallToken: 0x0A000007),
            new(113, ILSiteKind.CallVirt, "Stack", "Push", CallToken: 0x0A000008),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Allocating(("ValueTuple[]", 1)),
            [0x0A000002] = Allocating(("ValueTuple[]", 2)),
            [0x0A000003] = Allocating(),
            [0x0A000004] = Allocating(),
            [0x0A000005] = Allocating(),
            [0x0A000006] = Allocating(("String", 2)),
            [0x0A000007] = Allocating(("String", 1)),
            [0x0A000008] = Allocating(),
        };
        CompiledCode code = Optimized(0x300, [0x0, 0x20, 0x40, 0x60, 0x100, 0x140, 0x200], [-2, 51, 57, -1, 63, 75, 113]);
        FrameCall madeString = FrameCall.Allocation("String", 40, 48);
        (int, FrameCall)[] observations = [(0x44, FrameCall.Allocation("Stack", 32, 32)), (0x80, madeString)];

        var resolver = new CallSiteResolver(code, sites, ilSize: 0x7a, sitesOf: _ => [], calleeFacts: site => facts.GetValueOrDefault(site.CallToken));
        CallSiteResolution resolution = resolver.Resolve(observations)[0x80];

        CollectionAssert.Contains(new[] { 103, 108 }, resolution.ILOffset);

        // Control: a constructor whose IL may make a string keeps it near.
        facts[0x0A000004] = facts[0x0A000007];
        var maybe = new CallSiteResolver(code, sites, ilSize: 0x7a, sitesOf: _ => [], calleeFacts: site => facts.GetValueOrDefault(site.CallToken));
        Assert.AreEqual(57, maybe.Resolve(observations)[0x80].ILOffset);
    }

    [TestMethod]
    public void AnotherCopyOfAClaimedNewobjsObject_InUnmappedCodeNearNothingThatMakesIt_IsTheAppendsAfterIt()
    {
        // Fresh2.WriteAuditTrail in tier-1 code (the recorded map): `new StringBuilder(256)` (IL 5) allocates its
        // StringBuilder in IL 0's range, once, before the loop. A second StringBuilder (a chunk `log.AppendJoin(...)`
        // grew) comes in the unmapped code after IL 70's range, where no site can make one: the appends after that
        // range make it, not the constructor already seen in its own range.
        var growth = Allocating(("StringBuilder", 3), ("Char[]", 4));
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Allocating(("Char[]", 1)),
            [0x0A000002] = growth,
            [0x0A000003] = growth,
            [0x0A000004] = growth,
        };
        ImmutableArray<ILSite> sites =
        [
            new(5, ILSiteKind.NewObject, "StringBuilder", ".ctor", CallToken: 0x0A000001),
            new(64, ILSiteKind.CallVirt, "StringBuilder", "AppendFormat", CallToken: 0x0A000002),
            new(127, ILSiteKind.CallVirt, "StringBuilder", "AppendJoin", CallToken: 0x0A000003),
            new(132, ILSiteKind.CallVirt, "StringBuilder", "AppendLine", CallToken: 0x0A000004),
        ];
        CompiledCode code = Optimized(0x1f00, [0x0, 0x40, 0x79, 0x8a, 0x940, 0x98e, 0x1a1d], [-2, 0, 10, -1, 70, -1, 116]);
        (int, FrameCall)[] observations = [(0x4f, FrameCall.Allocation("StringBuilder", 48, 48)), (0xbb6, FrameCall.Allocation("StringBuilder", 48, 48))];

        var result = new CallSiteResolver(code, sites, ilSize: 0xe0, sitesOf: _ => [], calleeFacts: site => facts.GetValueOrDefault(site.CallToken)).Resolve(observations);

        Assert.AreEqual(5, result[0x4f].ILOffset);
        CollectionAssert.Contains(new[] { 127, 132 }, result[0xbb6].ILOffset);
    }

    [TestMethod]
    public void AnAllocationAfterTheEpilog_IsNotTheSiteWhoseOwnObjectOfThatTypeWasSeenInItsMappedRange()
    {
        // Fresh4.DetectAnomalies' recursive local function in fully optimized code (the recorded map):
        // `if (depth == 2) return new int[values.Length / 4];` (IL 9), `var counts = Histogram(values, depth + 1);`
        // (IL 19), `return [.. counts, depth];` (IL 32). The first block was laid out after the epilog, unmapped; the
        // map's last range before it is IL 90's, so IL 32 looked nearer. IL 32's own array is allocated in its mapped
        // range (0x3d): a newarr is one call of the allocator, so the unmapped one is IL 9's.
        ImmutableArray<ILSite> sites =
        [
            new(9, ILSiteKind.NewArray, "Int32[]", ""),
            new(19, ILSiteKind.Call, "Fresh4", "<DetectAnomalies>g__Histogram|21_7", NeverInlined: true, CallToken: 0x06000090),
            new(32, ILSiteKind.NewArray, "Int32[]", ""),
            new(41, ILSiteKind.Call, "ReadOnlySpan", ".ctor", CallToken: 0x0A000001),
            new(71, ILSiteKind.Call, "ReadOnlySpan", "CopyTo", CallToken: 0x0A000002),
        ];
        CompiledCode code = Optimized(0xb2, [0x0, 0x12, 0x17, 0x40, 0x44, 0x4c, 0x5e, 0x6b, 0x6e, 0xa5], [-2, 0, 15, 38, 46, 54, 86, 90, -3, -1]) with
        {
            InlinedMethods = [("System.ReadOnlySpan`1", ".ctor"), ("System.ReadOnlySpan`1", "CopyTo"), ("System.Buffer", "Memmove")],
        };
        (int, FrameCall)[] observations =
        [
            (0x95, FrameCall.Allocation("Int32[]", 1_224, 1_224)),
            (0x20, FrameCall.Call("Fresh4", "<DetectAnomalies>g__Histogram|21_7")),
            (0x3d, FrameCall.Allocation("Int32[]", 1_232, 1_240)),
        ];

        var result = new CallSiteResolver(code, sites, ilSize: 0x68, sitesOf: _ => []).Resolve(observations);

        Assert.AreEqual(32, result[0x3d].ILOffset);
        Assert.AreEqual(9, result[0x95].ILOffset, "the other newarr");
    }

    [TestMethod]
    public void WhatALambdaTailCalls_SeenWhereItsDelegateIsInvoked_IsTheInlinedCallItWasPassedTo()
    {
        // Fresh3.NormalizeProductTitles at tier 1 (a `run` in sampling mode): `var titles = slugs.ConvertAll(slug =>
        // CultureInfo.InvariantCulture.TextInfo.ToTitleCase(slug.Replace('-', ' ')));` (IL 149) with List.ConvertAll
        // inlined, in unmapped code after the loop's `if (seen.Add(slug))` (IL 89, HashSet.Add inlined). The lambda
        // jumps to ToTitleCase, its last call, so one return address is seen calling the lambda and calling ToTitleCase;
        // every inlined call explained the second alike, and the loop's line took 650 MB of the lambda's strings.
        const int lambda = 0x06000090;
        ImmutableArray<ILSite> sites =
        [
            new(63, ILSiteKind.Call, "String", "Join", CallToken: 0x0A000001),
            new(79, ILSiteKind.CallVirt, "String", "Replace", CallToken: 0x0A000002),
            new(89, ILSiteKind.CallVirt, "HashSet", "Add", CallToken: 0x0A000003),
            new(132, ILSiteKind.LoadFunction, "<>c", "<NormalizeProductTitles>b__36_0", TargetToken: lambda, ParameterCount: 1),
            new(138, ILSiteKind.NewObject, "Converter", ".ctor", CallToken: 0x0A000004, ParameterCount: 2),
            new(149, ILSiteKind.CallVirt, "List", "ConvertAll", CallToken: 0x0A000005),
        ];
        ImmutableArray<ILSite> lambdaSites =
        [
            new(15, ILSiteKind.CallVirt, "String", "Replace", CallToken: 0x0A000006),
            new(20, ILSiteKind.CallVirt, "TextInfo", "ToTitleCase", CallToken: 0x0A000007),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: ["String"], calls: [("String", "JoinCore")]),
            [0x0A000002] = Facts(allocates: ["String"], calls: [("String", "ReplaceCore")]),
            [0x0A000003] = Facts(allocates: ["Int32[]"], calls: [("HashSet", "Resize")]),
            [0x0A000004] = Facts(allocates: []),
            [0x0A000005] = Facts(allocates: ["List"], calls: [("Converter", "Invoke")]),
            [0x0A000006] = Facts(allocates: ["String"], calls: [("String", "ReplaceCore")]),
            [0x0A000007] = Facts(allocates: ["String"], calls: [("TextInfo", "ChangeCaseCommon")]),
        };
        CompiledCode tier1 = Optimized(0x1200, [0x0, 0x2e, 0x1a1, 0x60b, 0x622, 0x8b2, 0x8c2], [-2, 0, 86, 143, -1, 86, 35]);
        var resolver = new CallSiteResolver(tier1, sites, ilSize: 0xb0, token => token == lambda ? lambdaSites : [],
            calleeFacts: site => facts.GetValueOrDefault(site.CallToken));

        CallSiteResolution resolution = resolver.Resolve([(0x8ad, FrameCall.Call("<>c", "<NormalizeProductTitles>b__36_0")), (0x8ad, FrameCall.Call("TextInfo", "ToTitleCase"))])[0x8ad];

        Assert.AreEqual(149, resolution.ILOffset);
        Assert.IsEmpty(resolution.Alternatives);
    }

    [TestMethod]
    public void ALambdaCallingAnOverrideThroughObject_IsSeenMakingThatTypesCall()
    {
        // Fresh4.SummarizeCourseEnrollments at tier 1 (collect, recorded map): `Enrollments.Take(300).Aggregate(new
        // StringBuilder(), (sheet, e) => ..., sheet => sheet.ToString())`. The result selector jumps to the builder's
        // ToString, seen called from unmapped code after the range of IL 324, before `Enrollments.GroupBy(...)` (IL 360).
        // C# calls it through Object::ToString; that call runs StringBuilder's override.
        const int append = 0x06000070, toString = 0x06000071, key = 0x06000072;
        ImmutableArray<ILSite> sites =
        [
            new(246, ILSiteKind.Call, "Enumerable", "Take", CallToken: 0x0A000001),
            new(251, ILSiteKind.NewObject, "StringBuilder", ".ctor", CallToken: 0x0A000002),
            new(270, ILSiteKind.LoadFunction, "<>c", "<SummarizeCourseEnrollments>b__37_6", TargetToken: append, ParameterCount: 2),
            new(276, ILSiteKind.NewObject, "Func", ".ctor", CallToken: 0x0A000003, ParameterCount: 2),
            new(301, ILSiteKind.LoadFunction, "<>c", "<SummarizeCourseEnrollments>b__37_7", TargetToken: toString, ParameterCount: 1),
            new(307, ILSiteKind.NewObject, "Func", ".ctor", CallToken: 0x0A000003, ParameterCount: 2),
            new(318, ILSiteKind.Call, "Enumerable", "Aggregate", CallToken: 0x0A000004),
            new(343, ILSiteKind.LoadFunction, "<>c", "<SummarizeCourseEnrollments>b__37_8", TargetToken: key, ParameterCount: 1),
            new(349, ILSiteKind.NewObject, "Func", ".ctor", CallToken: 0x0A000003, ParameterCount: 2),
            new(360, ILSiteKind.Call, "Enumerable", "GroupBy", CallToken: 0x0A000005),
        ];
        ImmutableArray<ILSite> sitesOf(int token) => token switch
        {
            append => [new(7, ILSiteKind.CallVirt, "StringBuilder", "Append", CallToken: 0x0A000006)],
            toString => [new(1, ILSiteKind.CallVirt, "Object", "ToString", CallToken: 0x0A000007)],
            key => [new(1, ILSiteKind.CallVirt, "Enrollment", "get_CourseCode")],
            _ => [],
        };
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: ["IListSkipTakeIterator"]),
            [0x0A000002] = Facts(allocates: ["StringBuilder", "Char[]"]),
            [0x0A000003] = Facts(allocates: []),
            [0x0A000004] = Facts(allocates: [], calls: [("Func", "Invoke"), ("IEnumerable", "GetEnumerator")]),
            [0x0A000005] = Facts(allocates: ["GroupByIterator"]),
            [0x0A000006] = Facts(allocates: ["Char[]"], calls: [("StringBuilder", "ExpandByABlock")]),
            [0x0A000007] = Facts(allocates: []),
        };
        CompiledCode tier1 = Optimized(0x19e0, [0x0, 0x59, 0xb5, 0x8a6, 0x928, 0x96b, 0xffe, 0x1026, 0x1116, 0x1184], [-2, 0, -1, 236, 256, -1, 324, -1, 434, -1]);
        var resolver = new CallSiteResolver(tier1, sites, ilSize: 440, sitesOf, calleeFacts: site => facts.GetValueOrDefault(site.CallToken));

        Assert.AreEqual(318, resolver.Resolve([(0x103f, FrameCall.Call("StringBuilder", "ToString"))])[0x103f].ILOffset, "Aggregate, whose result selector ran");
    }

    [TestMethod]
    public void AnotherCopyOfAClaimedNewobjsObject_NearOnlyCallsWhoseILMakesNone_IsTheCallElsewhereWhoseILMakesIt()
    {
        // Fresh.SortOrdersByAmount at tier 1 (the recorded map): `var names = Array.ConvertAll(sorted, ...)` (IL 84), then
        // `var amounts = new List<Order>(sorted).ConvertAll(...)` (IL 90 newobj, IL 126 List.ConvertAll inlined, which
        // makes a List of its own). A List is allocated in IL 95's range, which the newobj claims, and another in the
        // unmapped code after IL 52's range, near only the inlined Array.ConvertAll, whose IL makes no List: that one is
        // List.ConvertAll's, not line 228's (136 Lists over 200 rounds were).
        ImmutableArray<ILSite> sites =
        [
            new(5, ILSiteKind.CallVirt, "Array", "Clone", CallToken: 0x0A000001),
            new(47, ILSiteKind.Call, "Array", "Sort", CallToken: 0x0A000002),
            new(84, ILSiteKind.Call, "Array", "ConvertAll", CallToken: 0x0A000003),
            new(90, ILSiteKind.NewObject, "List", ".ctor", CallToken: 0x0A000004),
            new(126, ILSiteKind.CallVirt, "List", "ConvertAll", CallToken: 0x0A000005),
            new(132, ILSiteKind.Call, "Sink", "Keep", NeverInlined: true, CallToken: 0x0A000006),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: [], calls: [("Object", "MemberwiseClone")]),
            [0x0A000002] = Facts(allocates: [], calls: [("ArraySortHelper", "Sort")]),
            [0x0A000003] = Facts(allocates: ["String[]"], calls: [("Converter", "Invoke")]),
            [0x0A000004] = Facts(allocates: ["Order[]"]),
            [0x0A000005] = Facts(allocates: ["List", "String[]"], calls: [("Converter", "Invoke")]),
            [0x0A000006] = Facts(allocates: []),
        };
        CompiledCode tier1 = Optimized(0x91b,
            [0x0, 0x3c, 0x153, 0x18a, 0x293, 0x2c7, 0x402, 0x40b, 0x41e, 0x638, 0x643, 0x6eb, 0x728, 0x774, 0x78b, 0x7e0, 0x7f7, 0x8d6, 0x8e4, 0x916],
            [-2, 0, 52, -1, 95, -1, 137, -3, -1, 0, -1, 0, 41, 78, -1, 120, -1, -2, -1, -3]);
        (int, FrameCall)[] observations =
        [
            (0x17b, FrameCall.Allocation("String[]", 16_024, 16_024)),
            (0x220, FrameCall.Allocation("List", 32, 32)),
            (0x26d, FrameCall.Allocation("Order[]", 16_024, 16_024)),
            (0x2b8, FrameCall.Allocation("List", 32, 32)),
        ];

        var result = new CallSiteResolver(tier1, sites, ilSize: 0x90, sitesOf: _ => [], calleeFacts: site => facts.GetValueOrDefault(site.CallToken)).Resolve(observations);

        // Which of the two is which the data does not say; both are line 229's.
        CollectionAssert.Contains(new[] { 90, 126 }, result[0x2b8].ILOffset);
        CollectionAssert.Contains(new[] { 90, 126 }, result[0x220].ILOffset, "not the inlined Array.ConvertAll, whose IL makes no List");
    }

    [TestMethod]
    public void ACallAfterTheEpilog_IsNotTheSiteSeenMakingThatCallInItsMappedRange()
    {
        // Fresh6.SortShipmentsSeveralWays at tier 1 (the recorded map): `var byWeight = Shipments.ToList();` (IL 5) is seen
        // calling the List constructor at 0x41, in IL 0's range; the code after the epilog (unmapped) calls it too, for the
        // `.ToList()` ending line 32 (IL 209). Both ToLists explain the call alike, and line 28 took 113 MB of line 32's.
        ImmutableArray<ILSite> sites =
        [
            new(5, ILSiteKind.Call, "Enumerable", "ToList", CallToken: 0x0A000001),
            new(43, ILSiteKind.CallVirt, "List", "Sort", CallToken: 0x0A000002),
            new(53, ILSiteKind.Call, "Enumerable", "ToArray", CallToken: 0x0A000003),
            new(91, ILSiteKind.Call, "Array", "Sort", CallToken: 0x0A000004),
            new(132, ILSiteKind.Call, "Enumerable", "OrderByDescending", CallToken: 0x0A000005),
            new(168, ILSiteKind.Call, "Enumerable", "ThenBy", CallToken: 0x0A000006),
            new(204, ILSiteKind.Call, "Enumerable", "Select", CallToken: 0x0A000007),
            new(209, ILSiteKind.Call, "Enumerable", "ToList", CallToken: 0x0A000001),
            new(215, ILSiteKind.Call, "Sink", "Keep", NeverInlined: true, CallToken: 0x0A000008),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: ["List"], calls: [("List", ".ctor")]),
            [0x0A000002] = Facts(allocates: [], calls: [("ArraySortHelper", "Sort")]),
            [0x0A000003] = Facts(allocates: ["Shipment[]"]),
            [0x0A000004] = Facts(allocates: [], calls: [("ArraySortHelper", "Sort")]),
            [0x0A000005] = Facts(allocates: ["OrderedIterator"]),
            [0x0A000006] = Facts(allocates: ["OrderedIterator"]),
            [0x0A000007] = Facts(allocates: ["SelectIterator"]),
            [0x0A000008] = Facts(allocates: []),
        };
        CompiledCode tier1 = Optimized(0x9eb,
            [0x0, 0x13, 0x41, 0x60, 0xa1, 0x124, 0x153, 0x223, 0x640, 0x649, 0x64c, 0x660, 0x692, 0x6d2, 0x6ec, 0x6f3, 0x6fa, 0x704, 0x762, 0x7ae, 0x7f7, 0x840, 0x857],
            [-2, 0, 11, -1, 48, 59, 96, -1, 220, 226, -3, -1, 48, 37, -1, 48, -1, 48, 85, 126, 162, 198, -1]);
        FrameCall listConstructor = FrameCall.Call("List", ".ctor");

        var result = new CallSiteResolver(tier1, sites, ilSize: 0xe8, sitesOf: _ => [], calleeFacts: site => facts.GetValueOrDefault(site.CallToken))
            .Resolve([(0x41, listConstructor), (0x690, listConstructor)]);

        Assert.AreEqual(5, result[0x41].ILOffset);
        Assert.AreEqual(209, result[0x690].ILOffset, "the other ToList");
    }

    [TestMethod]
    public void TwoReturnsMakingTheSameCall_ThatTwoSitesExplainAlike_AreOneEach_InILOrder_AndMarked()
    {
        // Fresh6.DescribeThroughAnInterface at tier 1 (the recorded map): `items.Select(item => item.Describe()).ToList()`
        // (IL 93) and `items.Select(item => item.Label("parcel")).ToList()` (IL 135) both call ArraySelectIterator.ToList,
        // from two return addresses in the unmapped code after the epilog. One call instruction, one return address:
        // one each, the earlier address the earlier site; which is which the data does not prove, so both stay marked.
        ImmutableArray<ILSite> sites =
        [
            new(10, ILSiteKind.Call, "Enumerable", "Take", CallToken: 0x0A000001),
            new(46, ILSiteKind.Call, "Enumerable", "Select", CallToken: 0x0A000002),
            new(51, ILSiteKind.Call, "Enumerable", "ToArray", CallToken: 0x0A000003),
            new(88, ILSiteKind.Call, "Enumerable", "Select", CallToken: 0x0A000002),
            new(93, ILSiteKind.Call, "Enumerable", "ToList", CallToken: 0x0A000004),
            new(130, ILSiteKind.Call, "Enumerable", "Select", CallToken: 0x0A000002),
            new(135, ILSiteKind.Call, "Enumerable", "ToList", CallToken: 0x0A000004),
            new(217, ILSiteKind.Call, "Sink", "Keep", NeverInlined: true, CallToken: 0x0A000005),
        ];
        Dictionary<int, CalleeFacts> facts = new()
        {
            [0x0A000001] = Facts(allocates: ["IListSkipTakeIterator"]),
            [0x0A000002] = Facts(allocates: ["ArraySelectIterator"]),
            [0x0A000003] = Facts(allocates: [], calls: [("Iterator", "ToArray")]),
            [0x0A000004] = Facts(allocates: ["List"], calls: [("Iterator", "ToList"), ("ArraySelectIterator", "ToList")]),
            [0x0A000005] = Facts(allocates: []),
        };
        CompiledCode tier1 = Optimized(0x16a5,
            [0x0, 0x22, 0xbf, 0xa71, 0xa90, 0xe8c, 0xea3, 0x115b, 0x1172, 0x11d7, 0x11ee, 0x13bb, 0x13d2, 0x15b7, 0x1600, 0x1617],
            [-2, 0, -1, 141, -1, -3, -1, 40, -1, 82, -1, 124, -1, 167, 204, -1]);
        FrameCall toList = FrameCall.Call("ArraySelectIterator", "ToList");

        var result = new CallSiteResolver(tier1, sites, ilSize: 0xe0, sitesOf: _ => [], calleeFacts: site => facts.GetValueOrDefault(site.CallToken))
            .Resolve([(0xeb0, toList), (0x10fe, toList)]);

        Assert.AreEqual((93, 135), (result[0xeb0].ILOffset, result[0x10fe].ILOffset));
        CollectionAssert.AreEqual(new[] { 135 }, result[0xeb0].Alternatives.ToArray());
        CollectionAssert.AreEqual(new[] { 93 }, result[0x10fe].Alternatives.ToArray());
    }
}
