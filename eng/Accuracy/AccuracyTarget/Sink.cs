using System.Runtime.CompilerServices;

namespace AccuracyTarget;

/// <summary>
/// Somewhere for every allocation to go. The .NET 10 tier-1 JIT deletes allocations whose results
/// are never observed; a store inside a method it may not inline is an observation it cannot see
/// through. Only the latest object is kept, so the heap stays small whatever the workload allocates.
/// </summary>
public static class Sink
{
    private static object? s_last;

    public static object? Last => Volatile.Read(ref s_last);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Keep(object value) => Volatile.Write(ref s_last, value);
}
