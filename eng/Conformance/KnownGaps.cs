namespace DotnetMemLine.Conformance;

/// <summary>
/// Lines of the conformance shapes known to be wrong, with why (docs/accuracy.md lists them too). The
/// fast test requires each to be still wrong, so a fixed gap comes off the list.
/// Code kinds: tier0, tc0 (DOTNET_TieredCompilation=0), tier1 (after warm-up), pgo-off, osr, r2r, debug.
/// </summary>
public static class KnownGaps
{
    public static readonly KnownGap[] All =
    [
        new("Tuples", "var boxed = (object)(1, 2);", "tier0",
            "the runtime records no allocation event for boxing this ValueTuple in tier-0 code (the plain method's total counts its 24 bytes)"),
        new("LinqChainOnSeveralLines", ".ToDictionary(g => g.Key, g => g.ToList());", "tc0",
            "the JIT inlined the lambda into Enumerable.ToDictionary (another module): no frame of the lambda is left, and the table's note says lambdas may have been inlined"),
    ];
}
