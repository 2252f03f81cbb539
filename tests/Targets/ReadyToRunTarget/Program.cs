using System.Runtime.CompilerServices;

namespace ReadyToRunTarget;

/// <summary>
/// ReadyToRunTarget &lt;truth-output&gt;: calls Precompiled.AllocateBlocks a few times and writes the
/// exact bytes its allocating line allocated ("&lt;line&gt; &lt;bytes&gt;"), measured on the lines around it.
/// </summary>
internal static class Program
{
    // Fewer calls than the ~30 after which the tiered JIT replaces ReadyToRun code with tier-1 code:
    // every call runs the precompiled body.
    private const int Calls = 12;

    private static int Main(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: ReadyToRunTarget <truth-output>");
            return 2;
        }

        long bytes = 0;
        for (var call = 0; call < Calls; call++)
        {
            bytes += Precompiled.AllocateBlocks(blocks: 2_500);
        }

        File.WriteAllText(args[0], $"{Precompiled.AllocatingLine} {bytes}");
        Console.WriteLine("done");
        return 0;
    }
}

internal static class Precompiled
{
    public static int AllocatingLine { get; private set; }

    /// <summary>About 2,500 x 10 KB = 25 MB per call, 300 MB in all.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long AllocateBlocks(int blocks)
    {
        long total = 0;
        for (var i = 0; i < blocks; i++)
        {
            var mark = GC.GetAllocatedBytesForCurrentThread();
            var block = new byte[10_000];
            total += GC.GetAllocatedBytesForCurrentThread() - mark;
            AllocatingLine = LineHere() - 2; // the line of the allocation, plain code between the two measurements
            Keep(block);
        }
        return total;
    }

    private static object? s_kept;

    // The .NET JIT removes allocations whose result is never observed; a store it cannot see through keeps them.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Keep(object value) => s_kept = value;

    private static int LineHere([CallerLineNumber] int line = 0) => line;
}
