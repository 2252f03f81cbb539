using System.Runtime.CompilerServices;
using System.Text.Json;

namespace TestTargets;

/// <summary>
/// Exact bytes allocated per (source file, member, line), measured with the thread's own allocation
/// counter. A checked line is plain user code on a line of its own, with the measurement on the
/// lines around it:
/// <code>
/// var mark = Truth.Mark();
/// var header = Blocks.Make(64, BlockLength);   // the checked line: nothing of ours on it
/// Truth.Record(mark);
/// Sink.Keep(header);
/// </code>
/// <see cref="Record"/> keys the bytes by the line between the two calls, the line a profiler must
/// report. A call of ours on the checked line itself (the old one-line
/// <c>mark = Truth.Mark(); &lt;allocate&gt;; Truth.Record(mark);</c>) hid line-boundary errors: a
/// mapping off by one line still landed on it. Mark and Record allocate nothing (the tables are
/// allocated once), so a measured line holds only its own allocations. Safe to call from many
/// threads at once: each thread measures its own counter and the sums are added atomically.
/// </summary>
/// <remarks>
/// The member is the compiler's <see cref="CallerMemberNameAttribute"/>: the containing method for
/// lambdas, local functions and the bodies of async methods and iterators; ".ctor" for an instance
/// constructor; the property's name (not "get_X") inside a property accessor.
/// Shared as source by the test targets (linked into each project), so they all write one format:
/// <c>{"lines":[{"file","method","line","bytes"}…],"totals":[{"file","method","bytes"}…],"facts":{…}}</c>.
/// </remarks>
public static class Truth
{
    // Far more than any target's members and lines; Record refuses what does not fit rather than
    // growing, because growing would allocate in the middle of a measurement.
    private const int ScopeSlots = 128;
    private const int LineSlots = 1_024;

    // Line 0 of a scope holds the total of a whole method, measured around a call to it.
    private const int TotalLine = 0;

    private static readonly string[] Files = new string[ScopeSlots];
    private static readonly string[] Members = new string[ScopeSlots];
    private static readonly long[] BytesByScopeAndLine = new long[ScopeSlots * LineSlots];
    private static readonly Dictionary<string, long> FactValues = new(StringComparer.Ordinal);
    private static readonly Lock Claiming = new();
    private static int s_scopeCount;

    /// <summary>
    /// The thread's allocation counter and the line of this call, to pass to <see cref="Record"/>
    /// two lines below, after the checked line.
    /// </summary>
    /// <param name="line">
    /// The line of the call: <see cref="Record"/> checks that exactly one line lies between the two.
    /// It also makes each call site different, so optimized code cannot merge the marks of two lines
    /// into one call (the JIT merges identical statements that start both sides of a branch, e.g. a
    /// loop body and the code after the loop), which would blur the native-to-IL map the profiler
    /// reads. For the same reason neither method is inlined into the measured code.
    /// </param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static TruthMark Mark([CallerLineNumber] int line = 0) => new(GC.GetAllocatedBytesForCurrentThread(), line);

    /// <summary>
    /// Adds what this thread allocated since <paramref name="mark"/> to the checked line: the one line
    /// between the <see cref="Mark"/> call and this call. Throws when the two calls are not exactly
    /// two lines apart (none or several lines between them), rather than key the bytes to a line
    /// that is not the one that allocated them.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Record(TruthMark mark, [CallerLineNumber] int line = 0, [CallerMemberName] string method = "", [CallerFilePath] string file = "")
    {
        // Read the counter before anything else so nothing below can leak into the measurement.
        var allocated = GC.GetAllocatedBytesForCurrentThread() - mark.AllocatedBytes;
        Add(file, method, CheckedLine(mark, line, file), allocated);
    }

    /// <summary>
    /// <see cref="Record"/> only when <paramref name="outermost"/>: for a line that is active in several
    /// frames at once (a recursive call), whose allocations belong to it once, in its outermost frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void RecordOutermost(TruthMark mark, bool outermost, [CallerLineNumber] int line = 0, [CallerMemberName] string method = "", [CallerFilePath] string file = "")
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread() - mark.AllocatedBytes;
        var checkedLine = CheckedLine(mark, line, file);
        if (outermost)
        {
            Add(file, method, checkedLine, allocated);
        }
    }

    /// <summary>
    /// Adds what this thread allocated since <paramref name="mark"/> to the total of
    /// <paramref name="method"/>, a method of the calling file, measured around a call to it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void RecordTotal(TruthMark mark, string method, [CallerFilePath] string file = "")
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread() - mark.AllocatedBytes;
        Add(file, method, TotalLine, allocated);
    }

    /// <summary>A named number the tests may check besides the bytes (not for use inside a measurement: it allocates).</summary>
    public static void Fact(string name, long value)
    {
        lock (Claiming)
        {
            FactValues[name] = value;
        }
    }

    public static void Reset()
    {
        Array.Clear(BytesByScopeAndLine);
        lock (Claiming)
        {
            FactValues.Clear();
        }
    }

    /// <summary>Writes every line that allocated, every total, and the facts, as JSON.</summary>
    public static void WriteJson(string path)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var scopes = Volatile.Read(ref s_scopeCount);
        writer.WriteStartObject();
        writer.WriteStartArray("lines");
        for (var scope = 0; scope < scopes; scope++)
        {
            for (var line = TotalLine + 1; line < LineSlots; line++)
            {
                var bytes = Interlocked.Read(ref BytesByScopeAndLine[(scope * LineSlots) + line]);
                if (bytes > 0)
                {
                    writer.WriteStartObject();
                    writer.WriteString("file", Path.GetFileName(Files[scope]));
                    writer.WriteString("method", Members[scope]);
                    writer.WriteNumber("line", line);
                    writer.WriteNumber("bytes", bytes);
                    writer.WriteEndObject();
                }
            }
        }

        writer.WriteEndArray();
        writer.WriteStartArray("totals");
        for (var scope = 0; scope < scopes; scope++)
        {
            var bytes = Interlocked.Read(ref BytesByScopeAndLine[(scope * LineSlots) + TotalLine]);
            if (bytes > 0)
            {
                writer.WriteStartObject();
                writer.WriteString("file", Path.GetFileName(Files[scope]));
                writer.WriteString("method", Members[scope]);
                writer.WriteNumber("bytes", bytes);
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
        writer.WriteStartObject("facts");
        lock (Claiming)
        {
            foreach (var (name, value) in FactValues.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                writer.WriteNumber(name, value);
            }
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The line between a mark and its record, which must be exactly two lines apart.</summary>
    private static int CheckedLine(TruthMark mark, int recordLine, string file)
    {
        if (recordLine != mark.Line + 2)
        {
            ThrowNotOneLineApart(mark.Line, recordLine, file);
        }

        return mark.Line + 1;
    }

    // Out of line, so the measuring methods build no message (and allocate nothing) when all is well.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotOneLineApart(int markLine, int recordLine, string file) =>
        throw new InvalidOperationException(
            $"{Path.GetFileName(file)}: Truth.Mark on line {markLine} and Truth.Record on line {recordLine} must have exactly one checked line between them.");

    private static void Add(string file, string method, int line, long allocated)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(line);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(line, LineSlots);
        Interlocked.Add(ref BytesByScopeAndLine[(SlotOf(file, method) * LineSlots) + line], allocated);
    }

    // Scopes are published by incrementing the count after both names are written, so a reader that
    // sees a slot sees it complete. Only claiming a new slot takes the lock; neither path allocates.
    private static int SlotOf(string file, string method)
    {
        var slot = Find(file, method, Volatile.Read(ref s_scopeCount));
        if (slot >= 0)
        {
            return slot;
        }

        lock (Claiming)
        {
            var count = s_scopeCount;
            slot = Find(file, method, count);
            if (slot >= 0)
            {
                return slot;
            }

            if (count == ScopeSlots)
            {
                throw new InvalidOperationException("Truth has no free scope slot; raise ScopeSlots.");
            }

            Files[count] = file;
            Members[count] = method;
            Volatile.Write(ref s_scopeCount, count + 1);
            return count;
        }
    }

    private static int Find(string file, string method, int count)
    {
        for (var slot = 0; slot < count; slot++)
        {
            if (string.Equals(Members[slot], method, StringComparison.Ordinal) && string.Equals(Files[slot], file, StringComparison.Ordinal))
            {
                return slot;
            }
        }

        return -1;
    }
}

/// <summary>What <see cref="Truth.Mark"/> read: the thread's allocation counter, and the line of the call.</summary>
public readonly struct TruthMark(long allocatedBytes, int line)
{
    /// <summary>The thread's allocated bytes when the mark was taken.</summary>
    public long AllocatedBytes { get; } = allocatedBytes;

    /// <summary>The source line of the <see cref="Truth.Mark"/> call.</summary>
    public int Line { get; } = line;
}
