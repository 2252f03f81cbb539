using System.Reflection.PortableExecutable;
using DotnetMemLine.Symbols;
using EmbeddedPdbSample;
using static DotnetMemLine.Tests.Symbols.SymbolTestSupport;

namespace DotnetMemLine.Tests.Symbols;

[TestClass]
public sealed class PdbLocationTests
{
    [TestMethod]
    public void TryOpen_FollowsTheCodeViewPathFirst()
    {
        using var temp = NewTempDirectory();
        var copy = Path.Combine(temp.Path, Path.GetFileName(TestModulePath));
        File.Copy(TestModulePath, copy);

        Assert.IsTrue(ModuleSymbols.TryOpen(copy, [], out var symbols, out var reason), reason);
        using (symbols)
        {
            Assert.AreEqual(CodeViewPath(TestModulePath), symbols.PdbPath);
            Assert.AreEqual(copy, symbols.ModulePath);
        }
    }

    [TestMethod]
    public void TryOpen_FindsThePdbNextToTheModule()
    {
        using var temp = NewTempDirectory();
        var module = CopyModuleWithoutPdbPath(temp.Path);
        var pdb = Path.Combine(temp.Path, Path.GetFileName(TestPdbPath));
        File.Copy(TestPdbPath, pdb);

        Assert.IsTrue(ModuleSymbols.TryOpen(module, [], out var symbols, out var reason), reason);
        using (symbols)
        {
            Assert.AreEqual(pdb, symbols.PdbPath);
            Assert.IsNotNull(symbols.GetMethodSpan(Token("Simple")));
        }
    }

    [TestMethod]
    public void TryOpen_WithoutAnyPdb_SaysWhereItLooked()
    {
        using var temp = NewTempDirectory();
        using var symbolDirectory = NewTempDirectory();
        var module = CopyModuleWithoutPdbPath(temp.Path);

        Assert.IsFalse(ModuleSymbols.TryOpen(module, [symbolDirectory.Path], out var symbols, out var reason));
        Assert.IsNull(symbols);
        Assert.StartsWith("no PDB for DotnetMemLine.Tests.dll (looked for an embedded PDB, ", reason);
        Assert.Contains("next to the module", reason);
        Assert.EndsWith($"and in: {symbolDirectory.Path})", reason);
        Assert.DoesNotContain("\n", reason);
    }

    [TestMethod]
    public void TryOpen_FindsThePdbInASymbolsDirectory()
    {
        using var temp = NewTempDirectory();
        using var empty = NewTempDirectory();
        using var symbolDirectory = NewTempDirectory();
        var module = CopyModuleWithoutPdbPath(temp.Path);
        var pdb = Path.Combine(symbolDirectory.Path, Path.GetFileName(TestPdbPath));
        File.Copy(TestPdbPath, pdb);

        Assert.IsTrue(ModuleSymbols.TryOpen(module, [empty.Path, symbolDirectory.Path], out var symbols, out var reason), reason);
        using (symbols)
        {
            Assert.AreEqual(pdb, symbols.PdbPath);
        }
    }

    [TestMethod]
    public void TryOpen_RejectsThePdbOfAnotherBuild()
    {
        using var temp = NewTempDirectory();
        var module = CopyModuleWithoutPdbPath(temp.Path);
        var corePdb = Path.ChangeExtension(typeof(ModuleSymbols).Assembly.Location, ".pdb");
        var impostor = Path.Combine(temp.Path, Path.GetFileName(TestPdbPath));
        File.Copy(corePdb, impostor);

        Assert.IsFalse(ModuleSymbols.TryOpen(module, [], out _, out var reason));
        Assert.StartsWith($"no usable PDB for DotnetMemLine.Tests.dll: {impostor}: PDB id mismatch", reason);
    }

    [TestMethod]
    public void TryOpen_RejectsAWindowsPdb()
    {
        using var temp = NewTempDirectory();
        var module = CopyModuleWithoutPdbPath(temp.Path);
        var windowsPdb = Path.Combine(temp.Path, Path.GetFileName(TestPdbPath));
        File.WriteAllBytes(windowsPdb, [.. "Microsoft C/C++ MSF 7.00\r\n\u001aDS\0\0\0"u8, .. new byte[64]]);

        Assert.IsFalse(ModuleSymbols.TryOpen(module, [], out _, out var reason));
        Assert.Contains($"{windowsPdb}: not a portable PDB", reason);
    }

    [TestMethod]
    public void TryOpen_ReadsAnEmbeddedPdb()
    {
        var module = typeof(Greeter).Assembly.Location;
        Assert.IsFalse(File.Exists(Path.ChangeExtension(module, ".pdb")), "the sample must ship without a PDB file");

        Assert.IsTrue(ModuleSymbols.TryOpen(module, [], out var symbols, out var reason), reason);
        using (symbols)
        {
            Assert.AreEqual("(embedded)", symbols.PdbPath);
            var line = symbols.FindLine(typeof(Greeter).GetMethod(nameof(Greeter.Greet))!.MetadataToken, 0);
            Assert.IsNotNull(line);
            Assert.AreEqual("Greeter.cs", Path.GetFileName(line.Value.FilePath));
            Assert.AreEqual(Marker(line.Value.FilePath, "line", "Greeting"), line.Value.Line);
            Assert.IsTrue(symbols.SourceMatchesPdb(line.Value.FilePath));
        }
    }

    [TestMethod]
    public void TryOpen_OfAFileThatIsNotAnAssembly_SaysSo()
    {
        using var temp = NewTempDirectory();
        var notAssembly = Path.Combine(temp.Path, "notes.dll");
        File.WriteAllText(notAssembly, "just text");

        Assert.IsFalse(ModuleSymbols.TryOpen(notAssembly, [], out _, out var reason));
        Assert.StartsWith("cannot read notes.dll: ", reason);
        Assert.IsFalse(ModuleSymbols.TryOpen(Path.Combine(temp.Path, "missing.dll"), [], out _, out reason));
        Assert.StartsWith("cannot read missing.dll: ", reason);
    }

    private static string CodeViewPath(string modulePath)
    {
        using var pe = new PEReader(File.OpenRead(modulePath));
        var entry = pe.ReadDebugDirectory().Single(e => e.Type == DebugDirectoryEntryType.CodeView);
        return pe.ReadCodeViewDebugDirectoryData(entry).Path;
    }
}
