using System.Runtime.CompilerServices;

namespace ShapesTarget.Shapes;

/// <summary>
/// Members a user selects by more than a plain method name: overloads (by parameter list), an
/// instance constructor (".ctor" or the type's own name), a get-only property with a body (by
/// accessor or property name), and a method of a nested type that shares its name with another.
/// The selected members are never inlined into the driver (a test of inlining has its own shape).
/// </summary>
public static class OverloadCtorPropertyShape
{
    private const int BlockLength = 64 * 1_024;

    public static void Run(int rounds)
    {
        for (var round = 0; round < rounds; round++)
        {
            Sink.Keep(Report.Render(64));
            Sink.Keep(Report.Render(64, "label"));
            var widget = new Widget(64);
            Sink.Keep(widget.Payload);
            Sink.Keep(Outer.Build(64));
            Sink.Keep(Outer.Inner.Build(64));
        }
    }

    /// <summary>Two overloads of one name, each with its own checked lines.</summary>
    public static class Report
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static long Render(int count)
        {
            var mark = Truth.Mark();
            var block = Blocks.Make(count, BlockLength);
            Truth.Record(mark);
            return block.Length;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static long Render(int count, string label)
        {
            var mark = Truth.Mark();
            var block = Blocks.Make(2 * count, BlockLength / 2);
            Truth.Record(mark);
            mark = Truth.Mark();
            var text = Blocks.MakeStrings(32 * count, label.Length * 200);
            Truth.Record(mark);
            return block.Length + text.Length;
        }
    }

    /// <summary>One instance constructor, and a get-only property whose getter has a body.</summary>
    public sealed class Widget
    {
        private readonly int _count;
        private readonly byte[] _buffer;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public Widget(int count)
        {
            _count = count;
            var mark = Truth.Mark();
            _buffer = Blocks.Make(count, BlockLength);
            Truth.Record(mark);
        }

        public byte[] Payload
        {
            [MethodImpl(MethodImplOptions.NoInlining)]
            get
            {
                var mark = Truth.Mark();
                var payload = Blocks.MakeArraysOf(_buffer[0], _count, BlockLength);
                Truth.Record(mark);
                return payload;
            }
        }
    }

    /// <summary>Outer.Build and Outer.Inner.Build: only the nested type's name tells them apart.</summary>
    public static class Outer
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static byte[] Build(int count)
        {
            var mark = Truth.Mark();
            var built = Blocks.Make(count / 2, 2 * BlockLength);
            Truth.Record(mark);
            return built;
        }

        public static class Inner
        {
            [MethodImpl(MethodImplOptions.NoInlining)]
            public static string Build(int count)
            {
                var mark = Truth.Mark();
                var built = Blocks.MakeStrings(32 * count, 1_000);
                Truth.Record(mark);
                return built;
            }
        }
    }
}
