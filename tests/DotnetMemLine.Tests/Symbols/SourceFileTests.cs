using System.Security.Cryptography;
using System.Text;
using DotnetMemLine.Symbols;
using static DotnetMemLine.Tests.Symbols.SymbolTestSupport;

namespace DotnetMemLine.Tests.Symbols;

[TestClass]
public sealed class SourceFileTests
{
    [TestMethod]
    public void TryReadLines_ReadsAnExistingFileAndFailsQuietlyOtherwise()
    {
        using var temp = NewTempDirectory();
        var path = Path.Combine(temp.Path, "a.cs");
        File.WriteAllText(path, "one\ntwo\n");

        Assert.IsTrue(SourceFile.TryReadLines(path, out var lines));
        CollectionAssert.AreEqual(new[] { "one", "two" }, lines);
        Assert.IsFalse(SourceFile.TryReadLines(Path.Combine(temp.Path, "missing.cs"), out lines));
        Assert.IsNull(lines);
    }

    [TestMethod]
    public void TryReadLines_OfWhatIsNoSourceFile_SaysWhatItIs_WithoutReadingWithoutBound()
    {
        using var temp = NewTempDirectory();
        string binary = Path.Combine(temp.Path, "b.cs");
        File.WriteAllBytes(binary, [0x4D, 0x5A, 0x90, 0x00, 0x03]);
        string enormous = Path.Combine(temp.Path, "e.cs");
        using (var stream = File.Create(enormous))
        {
            stream.SetLength(SourceFile.MaxBytes + 1L); // sparse: nothing written
        }

        string endless = Path.Combine(temp.Path, "z.cs");
        File.CreateSymbolicLink(endless, "/dev/zero");

        Assert.IsFalse(SourceFile.TryReadLines(temp.Path, out _, out string? problem));
        Assert.AreEqual("a directory", problem);
        Assert.IsFalse(SourceFile.TryReadLines(binary, out _, out problem));
        Assert.AreEqual("a binary file", problem);
        Assert.IsFalse(SourceFile.TryReadLines(enormous, out _, out problem));
        Assert.AreEqual("larger than 16 MiB", problem);
        Assert.IsFalse(SourceFile.TryReadLines(endless, out _, out problem));
        Assert.AreEqual("larger than 16 MiB", problem, "a link to a device that never ends");
        Assert.IsFalse(SourceFile.TryReadLines(Path.Combine(temp.Path, "missing.cs"), out _, out problem));
        Assert.AreEqual("not found", problem);
    }

    [TestMethod]
    public void TryReadLines_OfANamedPipeNobodyWritesTo_GivesUpInAFewSeconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("mkfifo is a Linux test here");
        }

        using var temp = NewTempDirectory();
        string pipe = Path.Combine(temp.Path, "p.cs");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe]))
        {
            mkfifo.WaitForExit();
            Assert.AreEqual(0, mkfifo.ExitCode);
        }

        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        Assert.IsFalse(SourceFile.TryReadLines(pipe, out _, out string? problem));
        Assert.AreEqual("not readable in time (a pipe or a device?)", problem);
        Assert.IsLessThan(30, elapsed.Elapsed.TotalSeconds);
    }

    [TestMethod]
    public void TryReadLines_ReadsAByteOrderMark_AsNoText()
    {
        using var temp = NewTempDirectory();
        string path = Path.Combine(temp.Path, "bom.cs");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, (byte)'x', (byte)'\r', (byte)'\n', (byte)'y']);

        Assert.IsTrue(SourceFile.TryReadLines(path, out string[]? lines, out _));
        CollectionAssert.AreEqual(new[] { "x", "y" }, lines);
    }

    [TestMethod]
    public void MatchesChecksum_DetectsAnEditSinceTheHashWasTaken()
    {
        using var temp = NewTempDirectory();
        var path = Path.Combine(temp.Path, "a.cs");
        var original = Encoding.UTF8.GetBytes("class A { }\r\n");
        File.WriteAllBytes(path, original);
        var sha256 = SHA256.HashData(original);
#pragma warning disable CA5350 // Older PDBs record SHA1; the check must understand it.
        var sha1 = SHA1.HashData(original);
#pragma warning restore CA5350

        Assert.IsTrue(SourceFile.MatchesChecksum(path, SourceFile.Sha256Algorithm, sha256));
        Assert.IsTrue(SourceFile.MatchesChecksum(path, SourceFile.Sha1Algorithm, sha1));

        // Only a newline changed: still an edit, since the compiler hashed raw bytes.
        File.WriteAllText(path, "class A { }\n");
        Assert.IsFalse(SourceFile.MatchesChecksum(path, SourceFile.Sha256Algorithm, sha256));
        Assert.IsFalse(SourceFile.MatchesChecksum(path, SourceFile.Sha1Algorithm, sha1));
    }

    [TestMethod]
    public void MatchesChecksum_CannotTellWithoutAKnownHash()
    {
        using var temp = NewTempDirectory();
        var path = Path.Combine(temp.Path, "a.cs");
        File.WriteAllText(path, "x");

        Assert.IsNull(SourceFile.MatchesChecksum(path, Guid.NewGuid(), [1, 2, 3]));
        Assert.IsNull(SourceFile.MatchesChecksum(path, SourceFile.Sha256Algorithm, []));
    }

    [TestMethod]
    public void MatchesChecksum_OfAnUnreadableFile_IsFalse()
    {
        using var temp = NewTempDirectory();

        Assert.IsFalse(SourceFile.MatchesChecksum(Path.Combine(temp.Path, "gone.cs"), SourceFile.Sha256Algorithm, [1]));
    }

    [TestMethod]
    public void SourceMatchesPdb_DetectsAnEditedCopyOfADocument()
    {
        using var temp = NewTempDirectory();
        var copy = Path.Combine(temp.Path, "LineFixture.cs");
        File.Copy(FixtureSourcePath, copy);
        Assert.IsTrue(ModuleSymbols.TryOpen(TestModulePath, [], out var symbols, out var reason), reason);
        using (symbols)
        {
            Assert.IsTrue(symbols.SourceMatchesPdb(FixtureSourcePath, copy));

            File.AppendAllText(copy, "// edited after the build\n");
            Assert.IsFalse(symbols.SourceMatchesPdb(FixtureSourcePath, copy));
            Assert.IsFalse(symbols.SourceMatchesPdb(FixtureSourcePath, Path.Combine(temp.Path, "missing.cs")));
        }
    }
}
