using System.Runtime.CompilerServices;
using System.Text;

namespace AccuracyTarget;

/// <summary>
/// Helpers the checked lines call: each allocates in its own frame (never inlined), so the
/// profiler must charge the allocation to the calling line through the stack. Every object
/// escapes through <see cref="Sink"/>. Sizes are x64: object 24 B, byte[n] 24 + n B rounded up to
/// 8, int[n] 24 + 4n B, string of n chars 22 + 2n B rounded up to 8.
/// </summary>
public static class Allocate
{
    /// <summary><paramref name="count"/> (at least one) plain objects of 24 B.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static object Objects(int count)
    {
        object last = new object();
        Sink.Keep(last);
        for (int i = 1; i < count; i++)
        {
            last = new object();
            Sink.Keep(last);
        }

        return last;
    }

    /// <summary><paramref name="count"/> arrays of <paramref name="length"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static byte[] ByteArrays(int count, int length)
    {
        byte[] last = [];
        for (int i = 0; i < count; i++)
        {
            last = new byte[length];
            last[i % length] = (byte)i;
            Sink.Keep(last);
        }

        return last;
    }

    /// <summary>
    /// <paramref name="count"/> lists grown one item at a time to <paramref name="items"/> items:
    /// the list object and every backing array it outgrows (int[4], int[8], … doubling).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static List<int> GrowingLists(int count, int items)
    {
        var last = new List<int>();
        for (int i = 0; i < count; i++)
        {
            last = [];
            for (int item = 0; item < items; item++)
            {
                last.Add(item);
            }

            Sink.Keep(last);
        }

        return last;
    }

    /// <summary><paramref name="count"/> strings of 0 to 199 characters, lengths varying with <paramref name="seed"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string Strings(int count, int seed)
    {
        string last = "";
        for (int i = 0; i < count; i++)
        {
            last = new string((char)('a' + (i % 26)), ((seed * 7) + (i * 31)) % 200);
            Sink.Keep(last);
        }

        return last;
    }

    /// <summary>A comma-separated line of numbers built with a StringBuilder: its chunks, then the string.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string NumberLine(int seed)
    {
        var builder = new StringBuilder();
        int numbers = 20 + (seed % 60);
        for (int i = 0; i < numbers; i++)
        {
            builder.Append(seed + i).Append(',');
        }

        return builder.ToString();
    }

    /// <summary>A dictionary with <paramref name="entries"/> entries: the dictionary, its buckets and entries arrays.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Dictionary<int, int> SmallDictionary(int entries)
    {
        var dictionary = new Dictionary<int, int>();
        for (int i = 0; i < entries; i++)
        {
            dictionary[i] = i;
        }

        return dictionary;
    }
}
