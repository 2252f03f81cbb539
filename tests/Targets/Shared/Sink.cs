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
    private static object? s_lastObject;
    private static long s_lastValue;

    public static object? LastObject => s_lastObject;

    public static long LastValue => s_lastValue;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Keep(object value) => s_lastObject = value;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Keep(long value) => s_lastValue = value;

    /// <summary>Keeps <paramref name="value"/> and hands it back, for an allocation that is also used afterwards.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T Pass<T>(T value)
        where T : class
    {
        s_lastObject = value;
        return value;
    }
}
