using System.Runtime.CompilerServices;

namespace TestTargets;

/// <summary>
/// Somewhere for workload results to go. The .NET 10 tier-1 JIT deletes allocations whose
/// results are never observed; a static store inside a method it may not inline is an
/// observation it cannot see through. Only the latest value is kept, so the heap stays small.
/// Shared as source by the test targets (linked into each project).
/// </summary>
public static class Sink
{
    private static object? lastObject;
    private static long lastValue;

    public static object? LastObject => lastObject;

    public static long LastValue => lastValue;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Keep(object value) => lastObject = value;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Keep(long value) => lastValue = value;

    /// <summary>Keeps <paramref name="value"/> and hands it back, for an allocation that is also used afterwards.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T Pass<T>(T value)
        where T : class
    {
        lastObject = value;
        return value;
    }
}
