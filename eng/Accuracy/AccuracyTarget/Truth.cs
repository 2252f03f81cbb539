using System.Runtime.CompilerServices;
using System.Text.Json;

namespace AccuracyTarget;

/// <summary>
/// Exact bytes allocated per (method, source line), measured with each thread's own allocation
/// counter and summed over threads. A checked line is written as
/// <c>mark = Truth.Mark(); Sink.Keep(...); Truth.Record(mark);</c> on one source line, so the
/// truth is keyed by the line a profiler reports. Mark and Record allocate nothing.
/// </summary>
public static class Truth
{
    // Workload.cs is far shorter than this. Record refuses lines past it rather than growing the
    // table, because growing would allocate in the middle of a measurement.
    private const int LineSlots = 512;

    // The methods whose lines are checked; Record finds its caller here (by CallerMemberName).
    private static readonly string[] s_methodNames =
    [
        nameof(Workload.SizeLadder),
        nameof(Workload.Periodic),
        nameof(Workload.SharedByThreads),
        nameof(Workload.ParallelBody),
        nameof(Workload.FewSamples),
    ];

    // Flat [method slot x line] table, allocated once so recording never allocates.
    private static readonly long[] s_bytesByMethodAndLine = new long[s_methodNames.Length * LineSlots];

    public static long Mark() => GC.GetAllocatedBytesForCurrentThread();

    public static void Record(long mark, [CallerLineNumber] int line = 0, [CallerMemberName] string method = "")
    {
        // Read the counter before anything else so nothing below can leak into the measurement.
        long allocated = GC.GetAllocatedBytesForCurrentThread() - mark;
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(line, LineSlots);
        // Several threads run the same lines (SharedByThreads, ParallelBody): add atomically.
        Interlocked.Add(ref s_bytesByMethodAndLine[(SlotOf(method) * LineSlots) + line], allocated);
    }

    /// <summary>Writes {"lines":[{"method":…,"line":…,"bytes":…},…]} for every line that allocated.</summary>
    public static void WriteJson(string path)
    {
        using FileStream stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartArray("lines");
        for (int slot = 0; slot < s_methodNames.Length; slot++)
        {
            for (int line = 0; line < LineSlots; line++)
            {
                long bytes = Interlocked.Read(ref s_bytesByMethodAndLine[(slot * LineSlots) + line]);
                if (bytes != 0)
                {
                    writer.WriteStartObject();
                    writer.WriteString("method", s_methodNames[slot]);
                    writer.WriteNumber("line", line);
                    writer.WriteNumber("bytes", bytes);
                    writer.WriteEndObject();
                }
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static int SlotOf(string method)
    {
        for (int slot = 0; slot < s_methodNames.Length; slot++)
        {
            if (string.Equals(s_methodNames[slot], method, StringComparison.Ordinal))
            {
                return slot;
            }
        }

        throw new ArgumentException($"No truth slot for {method}; add it to Truth's method names.", nameof(method));
    }
}
