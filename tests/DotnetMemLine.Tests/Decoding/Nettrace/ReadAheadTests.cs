using DotnetMemLine.Decoding.Nettrace;

namespace DotnetMemLine.Tests.Decoding.Nettrace;

/// <summary>The read-ahead a pass reads the file through: every byte where the file has it, held buffers left alone.</summary>
[TestClass]
public sealed class ReadAheadTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void EveryRequestGetsTheFilesBytes_AndHeldBuffersAreNotReadInto()
    {
        var random = new Random(17);
        byte[] file = new byte[20_000];
        random.NextBytes(file);
        string path = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"{TestContext.TestName}-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, file);
        try
        {
            const int start = 13;
            using var reader = new ReadAhead(path, start, new ReadAheadSizes(HeadRoom: 32, ChunkSize: 100));
            byte[] buffer = reader.FirstBuffer;
            int position = 0, end = 0;
            long bufferFileOffset = start;
            var held = new List<(byte[] Buffer, int Offset, long FileOffset, int Length)>();
            int joined = 0;

            // Blocks of 1 to 250 bytes: shorter and longer than the room before a chunk, and than a chunk.
            while (true)
            {
                int count = random.Next(1, 251);
                if (!reader.Refill(ref buffer, ref position, ref end, ref bufferFileOffset, count) && end - position < count)
                {
                    break;
                }

                long fileOffset = bufferFileOffset + position;
                CollectionAssert.AreEqual(file.AsSpan((int)fileOffset, count).ToArray(), buffer.AsSpan(position, count).ToArray(), $"at file offset {fileOffset}");
                joined += buffer.Length != 132 ? 1 : 0;
                if (random.Next(3) == 0)
                {
                    reader.Hold(buffer);
                    held.Add((buffer, position, fileOffset, count));
                }

                if (random.Next(10) == 0)
                {
                    foreach ((byte[] b, int offset, long at, int length) in held)
                    {
                        CollectionAssert.AreEqual(file.AsSpan((int)at, length).ToArray(), b.AsSpan(offset, length).ToArray(), $"held bytes of file offset {at} were overwritten");
                    }

                    reader.ReleaseHeld();
                    held.Clear();
                }

                position += count;
            }

            Assert.AreEqual(file.Length, bufferFileOffset + end, "read to the end of the file");
            Assert.IsGreaterThan(10, joined, "blocks longer than the room were joined");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
