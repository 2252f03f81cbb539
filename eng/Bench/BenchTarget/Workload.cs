using System.Runtime.CompilerServices;

namespace BenchTarget;

/// <summary>A request's state as it travels down the pipeline (a class: handlers keep references to it).</summary>
public sealed class RequestContext(long id)
{
    public long Id { get; } = id;
    public int Checksum { get; set; }
}

/// <summary>A small per-level record the router allocates (a 40-byte object).</summary>
public sealed record RouteEntry(long RequestId, int Depth, string Name);

/// <summary>
/// The live set: a fixed number of slots, each overwritten at a pseudo-random moment, so objects
/// survive a while (some into gen 1 and gen 2) and the heap stays bounded. Stores make every
/// allocation escape, so the JIT cannot remove it.
/// </summary>
public static class LiveSet
{
    private const int Slots = 16 * 1024;      // at ~1 KB on average: ~16 MB live
    private const int LargeSlots = 8;         // 8 x 128 KB on the LOH
    private static readonly object?[] Small = new object?[Slots];
    private static readonly object?[] Large = new object?[LargeSlots];

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Keep(object value, long key) => Small[(int)(unchecked((ulong)key * 0x9E3779B97F4A7C15UL) >> 50) & (Slots - 1)] = value;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void KeepLarge(object value, long key) => Large[(int)(key & (LargeSlots - 1))] = value;
}

/// <summary>
/// One request goes Server.Serve -> Router.Route -> Middleware&lt;T&gt;.Invoke -> Handler.Handle ->
/// Router.Route ... (three distinct methods per level, one of them generic, no async), then a leaf
/// that allocates the bulk. With <see cref="Levels"/> = 6 a leaf allocation has about 24 managed
/// frames under it: Main/worker (3) + Serve + 3 x 6 + leaf (2).
/// Per request: ~6 small objects and strings per level, a 1-8 KB array at the leaf, and every 1024th
/// request a 128 KB array (LOH). About 14 KB per request on average.
/// </summary>
public static class Server
{
    public const int Levels = 6;

    /// <summary>The method eng/bench.sh reports on (it is on every allocation's stack).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Serve(long requestId)
    {
        var context = new RequestContext(requestId);
        LiveSet.Keep(context, requestId);
        int result = Router.Route(context, Levels);
        return result ^ context.Checksum;
    }
}

public static class Router
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Route(RequestContext context, int depth)
    {
        var entry = new RouteEntry(context.Id, depth, "route");
        LiveSet.Keep(entry, context.Id * 31 + depth);
        if (depth == 0)
        {
            return Leaf.Complete(context);
        }

        return (depth & 1) == 0
            ? Middleware<RouteEntry>.Invoke(context, entry, depth)
            : Middleware<long>.Invoke(context, context.Id, depth);
    }
}

public static class Middleware<T>
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Invoke(RequestContext context, T state, int depth)
    {
        // A small generic list per level: the array under it is sized by T (shared or specialized code).
        var items = new List<T>(4) { state, state };
        LiveSet.Keep(items, context.Id * 37 + depth);
        return Handler.Handle(context, items.Count, depth);
    }
}

public static class Handler
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Handle(RequestContext context, int count, int depth)
    {
        string label = string.Concat("h", depth.ToString(System.Globalization.CultureInfo.InvariantCulture), "-", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        LiveSet.Keep(label, context.Id * 41 + depth);
        var buffer = new int[8 + (int)(context.Id & 15)];
        buffer[0] = label.Length;
        LiveSet.Keep(buffer, context.Id * 43 + depth);
        context.Checksum += buffer[0];
        return Router.Route(context, depth - 1);
    }
}

public static class Leaf
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Complete(RequestContext context)
    {
        byte[] payload = MakePayload(1024 + (int)(context.Id % 8) * 1024);
        LiveSet.Keep(payload, context.Id * 47);
        if ((context.Id & 1023) == 0)
        {
            double[] large = MakeLarge(16 * 1024); // 128 KB: large object heap
            LiveSet.KeepLarge(large, context.Id >> 8);
        }

        return payload.Length;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] MakePayload(int length)
    {
        var bytes = new byte[length];
        bytes[0] = (byte)length;
        return bytes;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double[] MakeLarge(int length)
    {
        var values = new double[length];
        values[^1] = length;
        return values;
    }
}
