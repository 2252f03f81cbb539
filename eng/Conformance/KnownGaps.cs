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
        // Lines after an await: each thread-pool thread that runs a continuation misses the first object of
        // each type it allocates (one object per thread and type: AwaitInsideLoops' byte[16_000] line is
        // 16,024 bytes short). The runtime's defect: SendObjectAllocatedEvent drops the event when the type is
        // new to the thread but another thread logged it first (AddTypeToGlobalCacheIfNotExists reports that
        // as a failure, eventtrace.cpp, .NET 10). The target warms the pool, so it shows only on threads
        // that start during the run.
        new("AwaitInsideLoops", "", "*", "the runtime logs no event for the first object of a type on a thread when another thread logged that type first (continuations run on thread-pool threads)"),
        new("AwaitInsideTry", "", "*", "the runtime logs no event for the first object of a type on a thread when another thread logged that type first (continuations run on thread-pool threads)"),
        new("ValueTaskShape", "", "*", "the runtime logs no event for the first object of a type on a thread when another thread logged that type first (continuations run on thread-pool threads)"),
        new("AsyncEnumerable", "", "*", "the runtime logs no event for the first object of a type on a thread when another thread logged that type first (continuations run on thread-pool threads)"),
        new("SynchronouslyCompletingAwaits", "", "*", "the runtime logs no event for the first object of a type on a thread when another thread logged that type first (continuations run on thread-pool threads)"),
        // Tier-0 code boxes through the runtime's managed CastHelpers.Box, whose objects the runtime logs only
        // in part (1,000 boxes gave 3 events); fully optimized code allocates the box itself and is right.
        new("Tuples", "var boxed = (object)(1, 2);", "*",
            "boxes made through CastHelpers.Box (tier-0 code) are logged only in part by the runtime; the report's note names the line", SometimesRight: true),
        new("DelegateCombination", "handler += message => log.Add(message + \"!\");", "*",
            "the delegate Delegate.Combine makes comes from InternalAllocNoChecks' managed fast path, logged only when it refills the allocation context (1,000 combinations: 104,152 bytes allocated, 40,576 logged): 64 bytes short per combination; the report's note names the line", SometimesRight: true),
        new("LinqChainOnSeveralLines", ".ToDictionary(g => g.Key, g => g.ToList());", "tc0",
            "the JIT inlined the lambda into Enumerable.ToDictionary (another module): no frame of the lambda is left, and the table's note says lambdas may have been inlined"),

        // The "fresh" shapes (written as an application developer would, outside the suite's habits).
        // An interpolated hole of a struct that is not a primitive (a decimal, a DateTime): the handler's
        // AppendFormatted<T> for it has no precompiled code, and its tier-0 code boxes the struct through
        // CastHelpers.Box, which the runtime does not log (1,000 interpolated decimals: 1,000 boxes missing).
        // The report's note names the line where the hole is in the method or in a method of the module it calls.
        new("FillAShoppingCart", "cart.Add(Products", "*", "ShoppingCart.Add interpolates a decimal: tier-0 AppendFormatted<decimal> boxes it unlogged; the note names the line", SometimesRight: true),
        new("BuildAnXmlDocument", "root.Add(new XElement(\"invoice\"", "*", "boxes an int and a decimal for XAttribute's and XElement's object parameters: tier-0 code boxes through CastHelpers.Box, logged in part; the note names the line", SometimesRight: true),
        new("FormatInvoice", "var header = string.Format(", "*", "boxes of DateTime in unoptimized code, logged only in part; the note names the line", SometimesRight: true),
        new("FormatInvoice", "rows.Add($\"", "*", "an interpolated decimal: tier-0 AppendFormatted<decimal> boxes it unlogged; the note names the line", SometimesRight: true),
        new("GroupOrdersByCustomer", "var top = ranking.Take(10)", "*", "an interpolated decimal in the lambda: tier-0 AppendFormatted<decimal> boxes it unlogged; the note names the line", SometimesRight: true),
        new("RenderNotifications", "rendered.Add(channel.Render(", "*",
            "an interpolated decimal in an override of a virtual method: boxed unlogged, and no note (the overrides are not followed)", SometimesRight: true),
        new("LoadCustomerPageAsync", "", "*", "the runtime logs no event for the first object of a type on a thread when another thread logged that type first (continuations run on thread-pool threads)", SometimesRight: true),
        new("BuildMonthlyReport", "report.AppendLine(\"Monthly", "tc0",
            "StringBuilder's growth is laid out in one block for this line and the loop's appends: what it calls does not tell them apart; the table marks the line ~", SometimesRight: true),
        new("BuildMonthlyReport", "report.Append(InvoiceDate", "tc0", "see the AppendLine line above", SometimesRight: true),

        // The "fresh2" shapes (written by someone who had not read the attribution rules). The same unlogged boxes of
        // interpolated structs in tier-0 formatting code, each named by the report's note; and the async thread gap.
        new("CleanUpContactList", "var banner = string.Create(", "*", "interpolated decimal and DateTime holes: tier-0 code boxes them through CastHelpers.Box, logged only in part; the note names the line", SometimesRight: true),
        new("DescribeLedger", "TransactionKind.Withdrawal => string.Create(", "tier0", "interpolated decimal and DateTime holes: tier-0 code boxes them through CastHelpers.Box, logged only in part; the note names the line", SometimesRight: true),
        new("DescribeLedger", "TransactionKind.Withdrawal => string.Create(", "debug", "interpolated decimal and DateTime holes: tier-0 code boxes them through CastHelpers.Box, logged only in part; the note names the line", SometimesRight: true),
        new("DescribeLedger", "TransactionKind.Withdrawal => string.Create(", "r2r", "interpolated decimal and DateTime holes: tier-0 code boxes them through CastHelpers.Box, logged only in part; the note names the line", SometimesRight: true),
        new("SummarizeSalesByRegion", "var labels = sorted.Values.Select(", "*", "interpolated decimal holes in a lambda: tier-0 code boxes them through CastHelpers.Box, logged only in part; the note names the line", SometimesRight: true),
        new("BuildReorderReport", "report.AppendLine(string.Create(", "*", "interpolated decimal holes: tier-0 code (and the rounds before tier 1) boxes them through CastHelpers.Box, logged only in part; the note names the line", SometimesRight: true),
        new("ReplayLedgerEvents", "var timeline = snapshots.Select(", "*", "an interpolated decimal hole in a lambda: tier-0 code (and the rounds before tier 1) boxes it through CastHelpers.Box, logged only in part; the note names the line", SometimesRight: true),
        new("StreamAccountsAsCsv", "var footer = string.Create(", "*", "an interpolated decimal hole: tier-0 code (and the rounds before tier 1) boxes it through CastHelpers.Box, logged only in part; the note names the line", SometimesRight: true),
        new("ImportInventoryAsync", "", "*", "the runtime logs no event for the first object of a type on a thread when another thread logged that type first (continuations run on thread-pool threads)", SometimesRight: true),
        new("SyncPlaylistAsync", "", "*", "the runtime logs no event for the first object of a type on a thread when another thread logged that type first (continuations run on thread-pool threads)", SometimesRight: true),
        new("JsonRoundTrip", "var restored = JsonSerializer.Deserialize", "tc0",
            "the compiler keeps `restored` on the stack (dup) for the next statement, so the JIT's map has one range for both; both call JsonSerializer; the table marks them ~", SometimesRight: true),
        new("JsonRoundTrip", "var bytes = JsonSerializer.SerializeToUtf8Bytes", "tc0", "see the line above", SometimesRight: true),

        // The fifth group (fresh5).
        new("RaiseOrderEvents", "ledger.Placed += (_, order) => audit.Add(order.Country", "*",
            "a C# event's `+=` runs Delegate.Combine, whose delegates the runtime logs only when they refill the allocation context (64 bytes short per combination); the report's note names the line", SometimesRight: true),
    ];
}
