using DotnetMemLine.Symbols;
using static DotnetMemLine.Tests.Symbols.SymbolTestSupport;

namespace DotnetMemLine.Tests.Symbols;

/// <summary>
/// A trace of another build than the one at the module's path (an older build, or a trace from another machine): with
/// <c>--symbols</c> pointing at a copy of the build the trace ran, that copy's module and PDB answer for the module's path.
/// </summary>
[TestClass]
public sealed class SymbolCacheTests
{
    private static Guid TestBuild()
    {
        Assert.IsTrue(ModuleSymbols.TryOpen(TestModulePath, [], out var symbols, out var reason), reason);
        using (symbols)
        {
            return symbols.BuildId ?? throw new AssertFailedException("the test module's PDB has an id");
        }
    }

    [TestMethod]
    public void TryOpen_AnotherBuildAtThePath_ReadsTheCopyOfTheTracedBuild()
    {
        using var here = NewTempDirectory();
        using var kept = NewTempDirectory();
        // At the path: another assembly under the module's name, whose own PDB is found (a rebuild, as far as ids go).
        string modulePath = Path.Combine(here.Path, Path.GetFileName(TestModulePath));
        File.Copy(typeof(ModuleSymbols).Assembly.Location, modulePath);
        CopyModuleWithoutPdbPath(kept.Path);
        File.Copy(TestPdbPath, Path.Combine(kept.Path, Path.GetFileName(TestPdbPath)));

        using var cache = new SymbolCache([kept.Path]);
        cache.ExpectBuilds(new Dictionary<string, Guid> { [modulePath] = TestBuild() });

        ModuleSymbols symbols = cache.Open(modulePath);
        Assert.IsTrue(symbols.IsCopy);
        Assert.AreEqual(modulePath, symbols.ModulePath);
        Assert.AreEqual(TestBuild(), symbols.BuildId);
        Assert.IsNotNull(symbols.GetMethodSpan(Token("Simple")), "the copy's PDB maps the traced build's tokens");
        MethodIdentity simple = cache.MethodsOfCopy(modulePath)!.Single(m => m.Token == Token("Simple"));
        Assert.AreEqual("Simple", simple.MethodName);
        Assert.AreEqual(modulePath, simple.ModulePath, "the methods are named by the module's path, as the trace names them");
    }

    [TestMethod]
    public void TryOpen_ModuleMissingHere_ReadsTheCopy()
    {
        using var kept = NewTempDirectory();
        CopyModuleWithoutPdbPath(kept.Path);
        File.Copy(TestPdbPath, Path.Combine(kept.Path, Path.GetFileName(TestPdbPath)));
        string elsewhere = Path.Combine("/nonexistent-build-machine", "app", Path.GetFileName(TestModulePath));

        using var cache = new SymbolCache([kept.Path]);
        cache.ExpectBuilds(new Dictionary<string, Guid> { [elsewhere] = TestBuild() });

        Assert.IsTrue(cache.TryOpen(elsewhere) is { IsCopy: true } symbols && symbols.BuildId == TestBuild());
    }

    [TestMethod]
    public void TryOpen_TheTracedBuildAtThePath_IsReadThere()
    {
        using var kept = NewTempDirectory();
        CopyModuleWithoutPdbPath(kept.Path);
        File.Copy(TestPdbPath, Path.Combine(kept.Path, Path.GetFileName(TestPdbPath)));

        using var cache = new SymbolCache([kept.Path]);
        cache.ExpectBuilds(new Dictionary<string, Guid> { [TestModulePath] = TestBuild() });

        Assert.IsFalse(cache.Open(TestModulePath).IsCopy);
        Assert.IsNull(cache.MethodsOfCopy(TestModulePath));
    }

    [TestMethod]
    public void TryOpen_NoCopyOfTheTracedBuild_KeepsTheModuleHere()
    {
        using var kept = NewTempDirectory();
        using var cache = new SymbolCache([kept.Path]);
        cache.ExpectBuilds(new Dictionary<string, Guid> { [TestModulePath] = Guid.NewGuid() });

        ModuleSymbols symbols = cache.Open(TestModulePath);
        Assert.IsFalse(symbols.IsCopy, "the analysis then refuses the trace, naming both builds");
        Assert.AreEqual(TestBuild(), symbols.BuildId);
    }
}
