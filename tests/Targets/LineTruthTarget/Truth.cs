using System.Runtime.CompilerServices;
using System.Text.Json;

namespace LineTruthTarget;

/// <summary>
/// Exact bytes allocated per (method, source line), measured with the thread's own allocation
/// counter. Mark and Record allocate nothing, so a measured line holds only its own allocations.
/// </summary>
public static class Truth
{
    // Workload.cs is far shorter than this; Record refuses lines past it rather than growing,
    // because growing would allocate in the middle of a measurement.
    private const int LineSlots = 256;

    private static readonly string[] MethodNames =
    [
        nameof(Workload.AllocateKnownAmounts),
        nameof(Workload.AllocateUnrelated),
    ];

    // Flat [method slot x line] table, allocated once so recording never allocates.
    private static readonly long[] BytesByMethodAndLine = new long[MethodNames.Length * LineSlots];

    public static long Mark() => GC.GetAllocatedBytesForCurrentThread();

    public static void Record(long mark, [CallerLineNumber] int line = 0, [CallerMemberName] string method = "")
    {
        // Read the counter before anything else so nothing below can leak into the measurement.
        var allocated = GC.GetAllocatedBytesForCurrentThread() - mark;
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(line, LineSlots);
        BytesByMethodAndLine[(SlotOf(method) * LineSlots) + line] += allocated;
    }

    public static void Reset() => Array.Clear(BytesByMethodAndLine);

    /// <summary>Writes {"lines":[{"method":…,"line":…,"bytes":…},…]} for every line that allocated.</summary>
    public static void WriteJson(string path)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartArray("lines");
        for (var slot = 0; slot < MethodNames.Length; slot++)
        {
            for (var line = 0; line < LineSlots; line++)
            {
                var bytes = BytesByMethodAndLine[(slot * LineSlots) + line];
                if (bytes > 0)
                {
                    writer.WriteStartObject();
                    writer.WriteString("method", MethodNames[slot]);
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
        for (var slot = 0; slot < MethodNames.Length; slot++)
        {
            if (string.Equals(MethodNames[slot], method, StringComparison.Ordinal))
            {
                return slot;
            }
        }
        throw new ArgumentException("No truth slot for this method; add it to Truth.MethodNames.", nameof(method));
    }
}
