using System.Runtime.CompilerServices;

namespace ConformanceTarget;

/// <summary>
/// What the twins measure: the bytes each line of the running shape allocated on its thread, charged
/// as the profiler charges them. Within one run of a body a span is charged what the thread allocated
/// during it less what the spans inside it were charged (the twin passes that in: its
/// <c>__charged</c>); across bodies a line includes what the bodies it called allocated, and a
/// span is not charged at all when its line is still running in an outer body (one allocation counts
/// once per line). Nothing here allocates.
/// </summary>
internal static class TwinTruth
{
    public const int MaxLines = 4_096;
    private const int MaxDepth = 1_024;

    private static long[] s_bytes = new long[ShapeRegistry.All.Length * MaxLines];

    // The spans running on this thread, outermost first: their lines and the body runs they are in.
    [ThreadStatic]
    private static int[]? t_lines;
    [ThreadStatic]
    private static long[]? t_bodies;
    // What parts of a span (switch arms, <see cref="Part"/>) charged to their own lines, for the span to take out.
    [ThreadStatic]
    private static long[]? t_parts;
    [ThreadStatic]
    private static int t_depth;
    [ThreadStatic]
    private static long t_nextBody;

    // The counter as last read by any span on this thread: what a block's closure cost is measured from.
    [ThreadStatic]
    private static long t_lastReading;

    /// <summary>The shape whose lines are being charged (set by the runner); -1 charges nothing.</summary>
    public static int CurrentShape { get; set; } = -1;

    /// <summary>Prepares this thread's span stack (it allocates, so not inside a span).</summary>
    public static void PrepareThread()
    {
        t_lines ??= new int[MaxDepth];
        t_bodies ??= new long[MaxDepth];
        t_parts ??= new long[MaxDepth];

        // The first touch of a thread's statics allocates their storage.
        t_depth += 0;
        t_nextBody += 0;
        t_lastReading = GC.GetAllocatedBytesForCurrentThread();
    }

    /// <summary>A new identity for one run of a body.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long Body() => ++t_nextBody;

    /// <param name="charged">What the body's spans have been charged so far.</param>
    /// <param name="body">The body run the span is in (<see cref="Body"/>); 0 for an expression body, a run of its own.</param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Mark Begin(long charged, long body, int line)
    {
        // A thread-pool thread running the rest of an async shape gets its stack before the counter is read.
        if (t_lines is null)
        {
            PrepareThread();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        t_lastReading = allocated;
        var depth = t_depth;
        if (t_lines is { } lines && t_bodies is { } bodies && t_parts is { } parts && depth < MaxDepth)
        {
            lines[depth] = line;
            bodies[depth] = body;
            parts[depth] = 0;
            t_depth = depth + 1;
        }

        return new Mark(allocated, charged);
    }

    /// <summary>Charges the span to <paramref name="line"/>; returns the body's new charged amount.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long End(Mark mark, long charged, long body, int line)
    {
        var now = GC.GetAllocatedBytesForCurrentThread();
        t_lastReading = now;
        var span = now - mark.Allocated;
        var depth = Pop(body, line);
        var parts = depth >= 0 && t_parts is { } charges ? charges[depth] : 0;
        Charge(body, line, depth, span - (charged - mark.Charged) - parts);
        return mark.Charged + span;
    }

    /// <summary>Charges the whole span to <paramref name="line"/> and hands <paramref name="value"/> through.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T Whole<T>(Mark mark, T value, long body, int line)
    {
        var now = GC.GetAllocatedBytesForCurrentThread();
        t_lastReading = now;
        Charge(body, line, Pop(body, line), now - mark.Allocated);
        return value;
    }

    /// <summary>
    /// As <see cref="Whole"/>, for a part of a statement on a line of its own (a switch expression's
    /// arm): the statement's span, in the same body, then leaves it out of its own line.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T Part<T>(Mark mark, T value, long body, int line)
    {
        var now = GC.GetAllocatedBytesForCurrentThread();
        t_lastReading = now;
        var span = now - mark.Allocated;
        var depth = Pop(body, line);
        Charge(body, line, depth, span);
        if (t_bodies is { } bodies && t_parts is { } parts)
        {
            for (var i = depth - 1; i >= 0; i--)
            {
                if (bodies[i] == body)
                {
                    parts[i] += span;
                    break;
                }
            }
        }

        return value;
    }

    /// <summary>
    /// At the start of a block whose locals a lambda captures: charges what was allocated since the
    /// last span ended (the closure object the block was entered with) to the block's first line.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long Entry(long charged, long body, int line)
    {
        var now = GC.GetAllocatedBytesForCurrentThread();
        var closure = now - t_lastReading;
        t_lastReading = now;
        Begin(charged, body, line);
        Charge(body, line, Pop(body, line), closure);
        return charged + closure;
    }

    /// <summary>Starts a twin's measurement: nothing before this is its closure's.</summary>
    public static void Touch() => t_lastReading = GC.GetAllocatedBytesForCurrentThread();

    public static long BytesOf(int shape, int line) => Interlocked.Read(ref s_bytes[(shape * MaxLines) + line]);

    public static void Reset() => Array.Clear(s_bytes);

    // Ends a span: its own entry is the topmost with its line and body (entries above it are spans an
    // exception skipped the end of); returns that entry's depth, -1 when not found.
    private static int Pop(long body, int line)
    {
        var depth = t_depth - 1;
        if (t_lines is { } lines && t_bodies is { } bodies)
        {
            while (depth >= 0 && (lines[depth] != line || bodies[depth] != body))
            {
                depth--;
            }

            t_depth = Math.Max(depth, 0);
        }

        return depth;
    }

    private static void Charge(long body, int line, int depth, long bytes)
    {
        var shape = CurrentShape;
        if (shape >= 0 && !RunningOutside(line, body, depth))
        {
            Interlocked.Add(ref s_bytes[(shape * MaxLines) + line], bytes);
        }
    }

    private static bool RunningOutside(int line, long body, int depth)
    {
        if (t_lines is not { } lines || t_bodies is not { } bodies)
        {
            return false;
        }

        for (var i = 0; i < depth; i++)
        {
            if (lines[i] == line && (bodies[i] != body || body == 0))
            {
                return true;
            }
        }

        return false;
    }

    // Two longs: returned in registers. A larger struct goes through a return buffer, and tier-0
    // code then allocates the next statement's new object before calling Begin (seen).
    public readonly record struct Mark(long Allocated, long Charged);
}
