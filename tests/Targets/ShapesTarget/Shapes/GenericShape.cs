using System.Runtime.CompilerServices;

namespace ShapesTarget.Shapes;

/// <summary>
/// A generic method and a method of a generic type, each run with reference-type arguments (one
/// body of shared canonical code for all of them) and value-type arguments (a specialized body per
/// type). The lines are the same source lines whatever the body; their truth adds up all of them.
/// </summary>
public static class GenericShape
{
    public static void Run(int rounds)
    {
        var point = new Point3(1, 2, 3);
        for (var round = 0; round < rounds; round++)
        {
            // About 1 MiB per line and call: 8 KiB, 64 KiB, 32 KiB and 512 KiB arrays.
            Sink.Keep(FillArrays("text", 128, 1_024));
            Sink.Keep(FillArrays(new object(), 16, 8_192));
            Sink.Keep(FillArrays(round, 32, 8_192));
            Sink.Keep(FillArrays(point, 2, 21_845));

            // About 2 MiB per line and call, in 32 KiB arrays.
            Sink.Keep(new Pool<string>("seed").Rent(64, 4_096));
            Sink.Keep(new Pool<Point3>(point).Rent(64, 1_365));

            // About 4 MiB per call, in 64 KiB arrays.
            Sink.Keep(Fill(round, 64, 16_384));
        }
    }

    /// <summary>Each checked line allocates <paramref name="count"/> arrays of <paramref name="length"/> T.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long FillArrays<T>(T value, int count, int length)
    {
        TruthMark mark;
        long filled = 0;
        for (var i = 0; i < count; i++)
        {
            mark = Truth.Mark();
            var array = new T[length];
            Truth.Record(mark);
            Sink.Keep(array);
            array[i % length] = value;
            filled += array.Length;
        }

        mark = Truth.Mark();
        var arrays = Blocks.MakeArraysOf(value, count, length);
        Truth.Record(mark);
        Sink.Keep(arrays);
        return filled;
    }

    /// <summary>
    /// Named like System.Array.Fill (which it calls) and System.Span&lt;T&gt;.Fill: a bare <c>--method Fill</c>
    /// still means this one, the only Fill in the application's code.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long Fill<T>(T value, int count, int length)
    {
        long filled = 0;
        for (var i = 0; i < count; i++)
        {
            var mark = Truth.Mark();
            var array = new T[length];
            Truth.Record(mark);
            Sink.Keep(array);
            Array.Fill(array, value);
            filled += array.Length;
        }

        return filled;
    }
}

/// <summary>A 24-byte value type: its arrays are specialized code, and big ones land on the large object heap.</summary>
public readonly record struct Point3(long X, long Y, long Z);

/// <summary>A generic type whose method is shared canonical code for reference T and specialized for value T.</summary>
public sealed class Pool<T>(T seed)
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public long Rent(int count, int length)
    {
        TruthMark mark;
        long rented = 0;
        for (var i = 0; i < count; i++)
        {
            mark = Truth.Mark();
            var slab = new T[length];
            Truth.Record(mark);
            slab[0] = seed;
            Sink.Keep(slab);
            rented += slab.Length;
        }

        mark = Truth.Mark();
        var slabs = Blocks.MakeArraysOf(seed, count, length);
        Truth.Record(mark);
        Sink.Keep(slabs);
        return rented;
    }
}
