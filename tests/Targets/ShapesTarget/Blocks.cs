using System.Runtime.CompilerServices;

namespace ShapesTarget;

/// <summary>
/// Allocating helpers the shapes call, never inlined: their allocations happen in a callee frame
/// and belong to the calling line. Every object escapes through <see cref="Sink"/>, so the tier-1
/// JIT cannot delete it.
/// </summary>
internal static class Blocks
{
    /// <summary>
    /// One mebibyte, the unit the shapes size their lines in. A round of a shape allocates about
    /// four of these per checked line.
    /// </summary>
    public const int MiB = 1_024 * 1_024;

    /// <summary><paramref name="count"/> byte arrays of <paramref name="length"/>; returns the last.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static byte[] Make(int count, int length)
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

    /// <summary><paramref name="count"/> arrays of <typeparamref name="T"/>; returns the last.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T[] MakeArraysOf<T>(T fill, int count, int length)
    {
        var array = Array.Empty<T>();
        for (var i = 0; i < count; i++)
        {
            array = new T[length];
            array[i % length] = fill;
            Sink.Keep(array);
        }

        return array;
    }

    /// <summary><paramref name="count"/> strings of about <paramref name="length"/> characters; returns the last.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string MakeStrings(int count, int length)
    {
        var text = string.Empty;
        for (var i = 0; i < count; i++)
        {
            text = new string((char)('a' + (i % 26)), length);
            Sink.Keep(text);
        }

        return text;
    }
}
