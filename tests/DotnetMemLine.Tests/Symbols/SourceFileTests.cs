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
