using DotnetMemLine.Attribution;
using DotnetMemLine.Decoding;
using DotnetMemLine.Symbols;
using static DotnetMemLine.Tests.Symbols.SymbolTestSupport;

namespace DotnetMemLine.Tests.Attribution;

/// <summary>
/// A defect in the rules that place frames on IL must cost one method's precision, not the analysis: the frames of
/// the code it failed on take the line of the map entry they are stopped in, and the caller is told.
/// </summary>
[TestClass]
public sealed class FrameLineResolverFallbackTests
{
    private static readonly int AllocLine = Marker("line", "SimpleAlloc");

    /// <summary>Resolves one frame of LineFixture.Simple stopped in its allocating statement (the fake's map is exact).</summary>
    private static (FrameLine Line, List<(int MethodId, Exception Failure)> Failures) ResolveAllocatingFrame(Func<int, int?>? userMethodOf = null)
    {
        int token = Token("Simple");
        int ilOffset = SequencePoints(token).First(p => !p.IsHidden && p.StartLine == AllocLine).Offset;
        var trace = new FakeAllocationTrace([new TracedMethod(TestModulePath, token, "LineFixture.Simple(int32)")]);
        using var cache = new SymbolCache([]);
        ModuleSymbols symbols = cache.TryOpen(TestModulePath) ?? throw new AssertFailedException("the test module's PDB");
        FrameKey frame = FrameKey.Of(FakeAllocationTrace.Frame(0, ilOffset), inner: null, typeId: -1);
        var failures = new List<(int MethodId, Exception Failure)>();
        FrameLine[] lines = FrameLineResolver.Resolve([frame], [(-1, -1)], trace, _ => symbols, userMethodOf,
            onFallback: (methodId, failure) => failures.Add((methodId, failure)));
        return (lines.Single(), failures);
    }

    [TestMethod]
    public void PlacementThatThrows_GivesThePlainMapsLine_AndReportsTheMethod()
    {
        (FrameLine line, var failures) = ResolveAllocatingFrame(userMethodOf: _ => throw new InvalidOperationException("a defect in a placement rule"));

        Assert.AreEqual(AllocLine, line.Line);
        Assert.AreEqual(0, failures.Single().MethodId);
        Assert.IsInstanceOfType<InvalidOperationException>(failures.Single().Failure);
    }

    [TestMethod]
    public void PlacementThatSucceeds_ReportsNoFallback()
    {
        (FrameLine line, var failures) = ResolveAllocatingFrame();

        Assert.AreEqual(AllocLine, line.Line);
        Assert.AreEqual(0, failures.Count);
    }
}
