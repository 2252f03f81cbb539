using DotnetMemLine.Decoding;

namespace DotnetMemLine.Tests.Decoding;

/// <summary>Return address to IL offset, on code versions with hand-made IL maps.</summary>
[TestClass]
public sealed class MethodCodeMapTests
{
    private const ulong Start = 0x10000;

    private static MethodCodeMap MapOf(int[] native, int[] il, uint size = 1000) => MethodCodeMap.FromVersions(
    [
        new MethodCodeMap.CodeVersion
        {
            Start = Start,
            Size = size,
            MethodId = 1,
            ModuleId = 1,
            Token = 0x06000001,
            Name = "Ns.Type.Method",
            NativeOffsets = native,
            ILOffsets = il,
        },
    ]);

    private static int ILAt(MethodCodeMap map, int returnOffset)
    {
        Assert.IsTrue(map.TryResolve(Start + (ulong)returnOffset, out _, out int ilOffset));
        return ilOffset;
    }

    [TestMethod]
    public void ReturnAddressAtTheNextStatementsStart_BelongsToTheCallingStatement()
    {
        // The call ends statement IL 10 at native 40; it returns to 40, where IL 20 begins.
        MethodCodeMap map = MapOf([0, 10, 40, 60], [0, 10, 20, 30]);

        int il = ILAt(map, 40);

        Assert.IsTrue(il is >= 10 and < 20, $"IL {il} is not in the calling statement [10, 20)");
    }

    [TestMethod]
    public void CoarseRangeInILOrder_IsInterpolated()
    {
        // One native range [100, 200) holds IL 10..29 (the optimizer kept no boundary inside it).
        MethodCodeMap map = MapOf([0, 100, 200], [0, 10, 30]);

        Assert.AreEqual(10, ILAt(map, 101));
        Assert.AreEqual(29, ILAt(map, 196)); // looks up 195, 95% into the range: 10 + 0.95 * 20
    }

    [TestMethod]
    public void RangeAcrossAnILJump_IsNotInterpolated()
    {
        // A loop body moved out of line: IL 71 sits between ranges of IL 71 and IL 137.
        MethodCodeMap map = MapOf([0, 50, 80, 100], [0, 71, 71, 137]);

        Assert.AreEqual(71, ILAt(map, 95));
    }

    [TestMethod]
    public void PrologEpilogAndNoMappingMarkers_FallBackToTheLastRealOffset()
    {
        MethodCodeMap map = MapOf([0, 10, 30, 50], [-2, 5, -1, -3]);

        Assert.AreEqual(5, ILAt(map, 40));
        Assert.AreEqual(-1, ILAt(map, 5)); // only the prolog before it
    }

    [TestMethod]
    public void UnmappedCodeAtTheTopOfALoop_BelongsToTheStatementAfterIt()
    {
        // The OSR body of a loop, as recorded: the loop's increment (IL 52) is laid out first, then code
        // with no mapping holding the allocation of the body's first statement (IL 7, line 10), then
        // the rest of that line from IL 18. The allocation's return address lands in the unmapped code.
        MethodCodeMap map = MapOf([0, 45, 50, 76, 82, 89, 113, 116, 121, 124], [-2, 52, -1, 18, 24, 31, 48, 52, 56, -3]);

        Assert.AreEqual(18, ILAt(map, 60));
    }

    [TestMethod]
    public void RangeBeforeABackwardJumpInIL_OffersTheNextStatementAsTheCandidate()
    {
        // A rotated loop in tier-1 shared generic code, as recorded: the loop condition's range (IL 70)
        // runs into the top of the body (IL 22); the allocation of the body's first statement returns
        // at +0x3C, inside the condition's range.
        MethodCodeMap map = MapOf([0x00, 0x23, 0x40, 0x8A, 0x9A], [-2, 70, 22, 7, -3]);

        Assert.IsTrue(map.TryResolve(Start + 0x3C, out _, out int ilOffset, out int nextStatement));
        Assert.AreEqual(70, ilOffset);
        Assert.AreEqual(22, nextStatement);

        // Only a candidate: attribution takes it only when the statement at the resolved offset calls nothing.
        Assert.IsTrue(map.TryResolve(Start + 0x50, out _, out _, out int afterBody));
        Assert.AreEqual(7, afterBody);
        Assert.IsTrue(map.TryResolve(Start + 0x30, out _, out _, out _));
        Assert.IsTrue(map.TryResolve(Start + 0x10, out _, out int prolog, out int noCandidate));
        Assert.AreEqual((-1, -1), (prolog, noCandidate));
    }

    [TestMethod]
    public void BodyWithoutILMap_ResolvesTheMethodWithANegativeOffset()
    {
        MethodCodeMap map = MapOf([], []);

        Assert.IsTrue(map.TryResolve(Start + 20, out MethodCodeMap.CodeVersion? version, out int ilOffset));
        Assert.AreEqual(0x06000001, version!.Token);
        Assert.AreEqual(-1, ilOffset);
    }

    [TestMethod]
    public void AddressOutsideEveryBody_IsNotManagedCode()
    {
        MethodCodeMap map = MapOf([0], [0], size: 100);

        Assert.IsFalse(map.TryResolve(Start + 101, out _, out _));
        Assert.IsFalse(map.TryResolve(Start, out _, out _)); // the byte before the body
    }
}
