using System.Runtime.CompilerServices;

namespace LineTruthTarget;

/// <summary>
/// Lines whose allocations differ by kind and size. Each checked line is plain code on a line of
/// its own, with <c>Truth.Mark()</c> on the line before and <c>Truth.Record(mark)</c> on the line
/// after (see Truth), so the truth is keyed by the line a profiler must report.
/// </summary>
/// <remarks>
/// Amounts per round (x64 object sizes), about these totals at the default 200 rounds:
/// small arrays 2,000 x byte[1024] = 2,096,000 B (419 MB); scratch buffers through a callee
/// 24 x byte[65536] = 1,573,440 B (315 MB); a large-object-heap byte[1 MiB] = 1,048,600 B (210 MB);
/// labels 5,000 x (48-char string + tag object) = 760,000 B (152 MB); unrelated method
/// 120 x byte[4096] = 494,400 B (99 MB). Helpers are never inlined so that every allocation
/// happens in a callee frame and must be attributed to the calling line.
/// </remarks>
public static class Workload
{
    private const int SmallArrayCount = 2_000;
    private const int SmallArrayLength = 1_024;
    private const int ScratchBufferCount = 24;
    private const int ScratchBufferLength = 64 * 1_024;
    private const int LargeArrayCount = 1;
    private const int LargeArrayLength = 1_024 * 1_024;
    private const int LabelCount = 5_000;
    private const int LabelLength = 48;
    private const int UnrelatedArrayCount = 120;
    private const int UnrelatedArrayLength = 4_096;

    // Preallocated so that the non-allocating line has real work to do without allocating.
    private static readonly int[] ChecksumInput = Enumerable.Range(0, 4_096).ToArray();

    public static long AllocateKnownAmounts(int rounds)
    {
        long checksum = 0;
        for (var round = 0; round < rounds; round++)
        {
            var mark = Truth.Mark();
            var smallArrays = MakeByteArrays(SmallArrayCount, SmallArrayLength);
            Truth.Record(mark);
            mark = Truth.Mark();
            var scratch = FillScratchBuffers(ScratchBufferCount);
            Truth.Record(mark);
            mark = Truth.Mark();
            var large = MakeByteArrays(LargeArrayCount, LargeArrayLength);
            Truth.Record(mark);
            mark = Truth.Mark();
            var label = MakeLabels(LabelCount);
            Truth.Record(mark);
            Sink.Keep(smallArrays);
            Sink.Keep(scratch);
            Sink.Keep(large);
            Sink.Keep(label);
            checksum = Checksum(checksum, round);
        }
        return checksum;
    }

    /// <summary>Calls the same helper as AllocateKnownAmounts, so only the stack tells them apart.</summary>
    public static void AllocateUnrelated(int rounds)
    {
        for (var round = 0; round < rounds; round++)
        {
            var mark = Truth.Mark();
            var unrelated = MakeByteArrays(UnrelatedArrayCount, UnrelatedArrayLength);
            Truth.Record(mark);
            Sink.Keep(unrelated);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] MakeByteArrays(int count, int length)
    {
        var array = Array.Empty<byte>();
        for (var i = 0; i < count; i++)
        {
            array = new byte[length];
            array[i % length] = (byte)i;
            Sink.Keep(array);
        }
        return array;
    }

    // Two frames deep: the allocation happens in NewScratchBuffer, called from here.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] FillScratchBuffers(int count)
    {
        var buffer = Array.Empty<byte>();
        for (var i = 0; i < count; i++)
        {
            buffer = NewScratchBuffer(fill: (byte)i);
            Sink.Keep(buffer);
        }
        return buffer;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] NewScratchBuffer(byte fill)
    {
        var buffer = new byte[ScratchBufferLength];
        buffer[0] = fill;
        buffer[^1] = fill;
        return buffer;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Label MakeLabels(int count)
    {
        Label? label = null;
        for (var i = 0; i < count; i++)
        {
            label = new Label(new string((char)('a' + (i % 26)), LabelLength), i);
            Sink.Keep(label);
        }
        return label ?? throw new ArgumentOutOfRangeException(nameof(count), "At least one label is needed.");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Checksum(long seed, int round)
    {
        var sum = seed;
        foreach (var value in ChecksumInput)
        {
            sum = (sum * 31) + (value ^ round);
        }
        return sum;
    }

    private sealed class Label(string text, int id)
    {
        public string Text { get; } = text;

        public int Id { get; } = id;
    }
}
