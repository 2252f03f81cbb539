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
        // Lines after an await: objects the continuation allocated on a thread-pool thread are missing
        // from the trace (no drop reported); the twin measured them. Seen on threads that start during
        // the run (the target warms the pool first, which fixed AwaitInsideLoops at tier 0) and after
        // Task.Delay. Runtime side, under investigation.
        new("AwaitInsideLoops", "", "*", "allocation events of continuations on thread-pool threads missing from the trace"),
        new("AwaitInsideTry", "", "*", "allocation events of continuations on thread-pool threads missing from the trace"),
        new("ValueTaskShape", "", "*", "allocation events of continuations on thread-pool threads missing from the trace"),
        new("AsyncEnumerable", "", "*", "allocation events of continuations on thread-pool threads missing from the trace"),
        new("SynchronouslyCompletingAwaits", "", "*", "allocation events of continuations on thread-pool threads missing from the trace"),
        new("Tuples", "var boxed = (object)(1, 2);", "tier0",
            "the runtime records no allocation event for boxing this ValueTuple in tier-0 code (the plain method's total counts its 24 bytes)"),
        new("DelegateCombination", "handler += message => log.Add(message + \"!\");", "*",
            "a lambda added to a multicast delegate: its body's bytes are not charged to its line, and its line misses 64 bytes of the combination; not yet explained", SometimesRight: true),
        new("DelegateCombination", "handler(\"event\");", "*",
            "the multicast invocation line gets 40 bytes more than it allocated; not yet explained (see the line above)", SometimesRight: true),
        new("LinqChainOnSeveralLines", ".ToDictionary(g => g.Key, g => g.ToList());", "tc0",
            "the JIT inlined the lambda into Enumerable.ToDictionary (another module): no frame of the lambda is left, and the table's note says lambdas may have been inlined"),
    ];
}
