using DotnetMemLine.Attribution;
using DotnetMemLine.Decoding;
using DotnetMemLine.Symbols;
using static DotnetMemLine.Tests.Symbols.SymbolTestSupport;

namespace DotnetMemLine.Tests.Attribution;

[TestClass]
public sealed class FrameLinesTests
{
    private static readonly TracedMethod[] Methods = [new(TestModulePath, Token("Simple"), "LineFixture.Simple(int32)")];

    [TestMethod]
    public void AFrame_IsTheLineOfTheCallBeforeItsReturnAddress()
    {
        int allocLine = Marker("line", "SimpleAlloc");
        int returnLine = Marker("line", "SimpleReturn");
        int returnStatement = SequencePoints(Methods[0].Token).First(p => !p.IsHidden && p.StartLine == returnLine).Offset;
        using var symbols = new SymbolCache([]);
        var lines = new FrameLines(new FakeAllocationTrace(Methods), symbols);

        // FakeAllocationTrace's map is exact (native offset = IL offset); a frame's return address is one byte past its instruction.
        Assert.AreEqual(returnLine, lines.LineOf(FakeAllocationTrace.Frame(0, returnStatement))?.Line);
        Assert.AreEqual(allocLine, lines.LineOf(FakeAllocationTrace.Frame(0, returnStatement - 1))?.Line, "the last instruction of the line before");
        Assert.AreEqual(FixtureSourcePath, lines.LineOf(FakeAllocationTrace.Frame(0, returnStatement))?.FilePath);
    }

    [TestMethod]
    public void FramesWithoutAMap_OrOutsideTheTrace_HaveNoLine()
    {
        using var symbols = new SymbolCache([]);
        var lines = new FrameLines(new FakeAllocationTrace(Methods), symbols);

        Assert.IsNull(lines.LineOf(FakeAllocationTrace.Frame(0, -1)), "code without an IL map");
        Assert.IsNull(lines.LineOf(new StackFrame(5, 99, 1)), "ids the trace does not have");
    }

    [TestMethod]
    [DataRow(new[] { 0, 10, 20 }, new[] { -2, 4, 9 }, 5, 0)]   // the prolog: the first statement
    [DataRow(new[] { 0, 10, 20 }, new[] { -2, 4, 9 }, 11, 4)]  // the call ends in the range that starts at 10
    [DataRow(new[] { 0, 10, 20 }, new[] { -2, 4, 9 }, 10, 0)]  // a call that ends a range belongs to it
    [DataRow(new[] { 0, 10, 10, 20 }, new[] { -2, 4, 6, -1 }, 15, 6)] // an empty range: the code goes on from the last entry
    [DataRow(new[] { 0, 10, 20 }, new[] { -2, 4, -1 }, 25, -1)] // no mapping
    public void ILOffsetOfCall_ReadsTheMapAtTheCallInstruction(int[] native, int[] il, int returnOffset, int expected)
    {
        var code = new CompiledCode { MethodId = 0, Size = 30, NativeOffsets = native, ILOffsets = il };

        Assert.AreEqual(expected, FrameLines.ILOffsetOfCall(code, returnOffset));
    }
}
