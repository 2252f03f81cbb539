using System.IO.Compression;
using System.Text;
using DotnetMemLine.Reporting;
using DotnetMemLine.Reporting.Pprof;

namespace DotnetMemLine.Tests.Reporting;

/// <summary>
/// The pprof encoding checked field by field with a reader of the protobuf wire format written here (the end-to-end
/// test reads the files with Go's own pprof): profile.proto's field numbers, ids from 1, the string table starting
/// with "", an inlined line before its caller's, the type as a label, values rounded to whole bytes.
/// </summary>
[TestClass]
public sealed class PprofRendererTests
{
    [TestMethod]
    public void AVarint_IsEncodedAsTheProtobufDocumentationShows()
    {
        var writer = new ProtobufWriter();
        writer.Varint(1, 150);
        using var bytes = new MemoryStream();
        writer.CopyTo(bytes);
        CollectionAssert.AreEqual(new byte[] { 0x08, 0x96, 0x01 }, bytes.ToArray());
    }

    [TestMethod]
    public void TheProfile_HasItsSamplesLocationsFunctionsAndStrings_InProfileProtosFields()
    {
        var stacks = new StackProfile(
            [new ProfiledFunction("App.Worker.Classify", "App.Worker.Classify(string[])", "/src/Worker.cs", 10), new ProfiledFunction("System.Array.ConvertAll", "System.Array.ConvertAll", null, 0)],
            [new ProfiledLocation([new ProfiledLine(0, 13), new ProfiledLine(1, 0)]), new ProfiledLocation([new ProfiledLine(0, 12)])],
            [new ProfiledSample([0, 1], Objects: 2.4, Bytes: 1_000.6, "System.Int32[]"), new ProfiledSample([1], 1, 24, "")],
            HasLiveFigures: false,
            "sampled",
            102_400);
        ProfileReport report = ReportFixtures.TwoLineReport() with { Stacks = stacks, DurationSeconds = 2 };

        var profile = Message.Parse(Gunzip(report));
        string[] strings = [.. profile.All(6).Select(f => Encoding.UTF8.GetString(f.Bytes!))];
        Assert.AreEqual("", strings[0], "the string table starts with the empty string");
        string S(long index) => strings[index];

        Assert.AreEqual("alloc_objects/count, alloc_space/bytes", string.Join(", ", profile.All(1).Select(f => Message.Parse(f.Bytes!)).Select(t => $"{S(t.Int(1))}/{S(t.Int(2))}")));
        Assert.AreEqual("alloc_space", S(profile.Int(14)));
        Assert.AreEqual("space/bytes", $"{S(Message.Parse(profile.All(11).Single().Bytes!).Int(1))}/{S(Message.Parse(profile.All(11).Single().Bytes!).Int(2))}");
        Assert.AreEqual(102_400, profile.Int(12));
        Assert.AreEqual(2_000_000_000, profile.Int(10));

        Message[] samples = [.. profile.All(2).Select(f => Message.Parse(f.Bytes!))];
        Assert.HasCount(2, samples);
        CollectionAssert.AreEqual(new long[] { 1, 2 }, samples[0].Packed(1), "location ids from 1, the allocating frame first");
        CollectionAssert.AreEqual(new long[] { 2, 1_001 }, samples[0].Packed(2), "objects and bytes, rounded");
        Message label = Message.Parse(samples[0].All(3).Single().Bytes!);
        Assert.AreEqual("type=System.Int32[]", $"{S(label.Int(1))}={S(label.Int(2))}");
        Assert.IsEmpty(samples[1].All(3), "no label when the type is unknown");

        Message[] locations = [.. profile.All(4).Select(f => Message.Parse(f.Bytes!))];
        Assert.AreEqual(1, locations[0].Int(1));
        Assert.AreEqual(1, locations[0].Int(2), "every location in the one mapping");
        string lines = string.Join(", ", locations[0].All(4).Select(f => Message.Parse(f.Bytes!)).Select(l => $"{l.Int(1)}:{l.Int(2)}"));
        Assert.AreEqual("1:13, 2:0", lines, "the inlined line first, its caller last");

        Message[] functions = [.. profile.All(5).Select(f => Message.Parse(f.Bytes!))];
        Assert.AreEqual("1 App.Worker.Classify App.Worker.Classify(string[]) /src/Worker.cs 10", $"{functions[0].Int(1)} {S(functions[0].Int(2))} {S(functions[0].Int(3))} {S(functions[0].Int(4))} {functions[0].Int(5)}");
        Message mapping = Message.Parse(profile.All(3).Single().Bytes!);
        Assert.AreEqual(1, mapping.Int(7), "has_functions: pprof looks for no binary");
    }

    [TestMethod]
    public void AReportWithoutStacks_CannotBeRendered()
    {
        using var output = new MemoryStream();
        Assert.ThrowsExactly<InvalidOperationException>(() => new PprofRenderer().Render(ReportFixtures.TwoLineReport(), output));
    }

    private static byte[] Gunzip(ProfileReport report)
    {
        using var compressed = new MemoryStream();
        new PprofRenderer().Render(report, compressed);
        compressed.Position = 0;
        using var gzip = new GZipStream(compressed, CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }

    /// <summary>A message as its fields: number, and a varint or bytes.</summary>
    private sealed record Message(List<(int Number, long Value, byte[]? Bytes)> Fields)
    {
        public IEnumerable<(int Number, long Value, byte[]? Bytes)> All(int number) => Fields.Where(f => f.Number == number);

        public long Int(int number) => All(number).Select(f => f.Value).LastOrDefault();

        public long[] Packed(int number)
        {
            byte[] bytes = All(number).Single().Bytes!;
            var values = new List<long>();
            for (int at = 0; at < bytes.Length;)
            {
                values.Add(ReadVarint(bytes, ref at));
            }

            return [.. values];
        }

        public static Message Parse(byte[] bytes)
        {
            var fields = new List<(int, long, byte[]?)>();
            for (int at = 0; at < bytes.Length;)
            {
                long tag = ReadVarint(bytes, ref at);
                int number = (int)(tag >> 3);
                switch (tag & 7)
                {
                    case 0:
                        fields.Add((number, ReadVarint(bytes, ref at), null));
                        break;
                    case 2:
                        int length = (int)ReadVarint(bytes, ref at);
                        fields.Add((number, 0, bytes[at..(at + length)]));
                        at += length;
                        break;
                    default:
                        throw new AssertFailedException($"wire type {tag & 7} of field {number} is not one profile.proto uses");
                }
            }

            return new Message(fields);
        }

        private static long ReadVarint(byte[] bytes, ref int at)
        {
            long value = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = bytes[at++];
                value |= (long)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }
    }
}
