using DotnetMemLine.Symbols;
using DotnetMemLine.Tests.Symbols.Fixtures;
using static DotnetMemLine.Tests.Symbols.SymbolTestSupport;

namespace DotnetMemLine.Tests.Symbols;

[TestClass]
public sealed class MethodCatalogTests
{
    private const string FixtureNamespace = "DotnetMemLine.Tests.Symbols.Fixtures";

    private static readonly Lazy<IReadOnlyList<MethodIdentity>> Catalog = new(() => MethodCatalog.Read(TestModulePath));

    private static IReadOnlyList<MethodIdentity> Fixture(string methodName) =>
        [.. Catalog.Value.Where(m => m.TypeName == nameof(LineFixture) && m.MethodName == methodName)];

    [TestMethod]
    public void Read_GivesNamespaceTypeNameTokenAndModule()
    {
        var simple = Fixture(nameof(LineFixture.Simple)).Single();

        Assert.AreEqual(new MethodIdentity(FixtureNamespace, nameof(LineFixture), "Simple", "(int)", Token(nameof(LineFixture.Simple)), TestModulePath), simple);
        Assert.AreEqual($"{FixtureNamespace}.LineFixture.Simple", simple.FullName);
        Assert.AreEqual($"{FixtureNamespace}.LineFixture.Simple(int)", simple.DisplayName);
    }

    [TestMethod]
    public void Read_JoinsNestedTypesWithDots()
    {
        var deep = Catalog.Value.Single(m => m.MethodName == nameof(LineFixture.Nested.Deep));

        Assert.AreEqual("LineFixture.Nested", deep.TypeName);
        Assert.AreEqual($"{FixtureNamespace}.LineFixture.Nested.Deep", deep.FullName);
    }

    [TestMethod]
    [DataRow(nameof(LineFixture.TryParse), "(string, out int)")]
    [DataRow(nameof(LineFixture.Generic), "(T)")]
    [DataRow(nameof(LineFixture.MultiLine), "(int, string)")]
    [DataRow(nameof(LineFixture.Many), "(ref int, in long, int?, List<string>, int[], (int, string), Dictionary<string, List<int>>, int[,])")]
    [DataRow("get_Count", "()")]
    public void Read_FormatsParametersTheWayCSharpSpellsThem(string method, string parameters)
    {
        Assert.AreEqual(parameters, Fixture(method).Single().Parameters);
    }

    [TestMethod]
    public void Read_ListsConstructorsAndOverloads()
    {
        CollectionAssert.AreEquivalent(new[] { "()", "(int)" }, Fixture(".ctor").Select(m => m.Parameters).ToArray());
        CollectionAssert.AreEquivalent(new[] { "(int)", "(string)" }, Fixture(nameof(LineFixture.Overload)).Select(m => m.Parameters).ToArray());
    }

    [TestMethod]
    public void Read_LeavesOutCompilerGeneratedMethods_ButNotLocalFunctions()
    {
        Assert.IsFalse(Catalog.Value.Any(m => m.TypeName.Contains('<', StringComparison.Ordinal)
            || (m.MethodName.StartsWith('<') && !MethodIdentity.TryParseLocalFunction(m.MethodName, out _, out _))));
        Assert.AreEqual(1, Fixture(nameof(LineFixture.AsyncWork)).Count, "the async method itself stays");
    }

    [TestMethod]
    public void Read_ListsLocalFunctions_NamedAsCSharpDoes()
    {
        var local = Catalog.Value.Single(m => m.TypeName == nameof(LineFixture) && m.MethodName.Contains("g__Local|", StringComparison.Ordinal));

        Assert.AreEqual($"{FixtureNamespace}.LineFixture.WithLocal.Local(int)", local.DisplayName);
        Assert.HasCount(1, MethodMatcher.Match("Local", Catalog.Value, m => m), "by its own name");
        Assert.HasCount(1, MethodMatcher.Match("LineFixture.WithLocal.Local(int)", Catalog.Value, m => m), "and under its containing method's");
        CollectionAssert.Contains(MethodMatcher.Suggest("Locl", Catalog.Value).ToArray(), $"{FixtureNamespace}.LineFixture.WithLocal.Local", "suggested as C# spells it");
    }

    [TestMethod]
    public void TryRead_OfANonAssembly_GivesAReason()
    {
        using var temp = NewTempDirectory();
        var path = Path.Combine(temp.Path, "text.dll");
        File.WriteAllText(path, "not a PE file");

        Assert.IsFalse(MethodCatalog.TryRead(path, out var methods, out var reason));
        Assert.IsNull(methods);
        Assert.StartsWith("cannot read methods of text.dll: ", reason);
        Assert.IsTrue(MethodCatalog.TryRead(TestModulePath, out methods, out _));
        Assert.IsNotEmpty(methods);
    }

    [TestMethod]
    [DataRow("Fill")]
    [DataRow("Array.Fill(T[], T)")]
    [DataRow("List.List")]
    [DataRow("List..ctor")]
    [DataRow("Count.get")]
    [DataRow("count.GET")]
    [DataRow("List.Count")]
    [DataRow("tostring")]
    [DataRow("IEnumerable.GetEnumerator")]
    [DataRow("Dictionary<TKey, TValue>.TryAdd")]
    [DataRow("LineFixture.Local")]
    [DataRow("Simple")]
    [DataRow("Main")]
    public void Read_KeepingOnlyNamesThatMayMatch_FindsTheSameMatches(string pattern)
    {
        // The framework's catalog is read for the --method names only: whatever form the name takes (a constructor by
        // its type, an accessor, a local function, another case), it must match what the whole catalog matches.
        string coreLib = typeof(object).Assembly.Location;
        foreach (string module in new[] { coreLib, TestModulePath })
        {
            IReadOnlyList<MethodIdentity> all = MethodCatalog.Read(module);
            IReadOnlyList<MethodIdentity> kept = MethodCatalog.Read(module, MethodMatcher.MayMatch([pattern]));

            CollectionAssert.AreEqual(
                MethodMatcher.Match(pattern, all, m => m).ToList(),
                MethodMatcher.Match(pattern, kept, m => m).ToList(),
                $"{pattern} in {Path.GetFileName(module)}");
            Assert.IsTrue(kept.Count < all.Count / 4, $"{pattern} in {Path.GetFileName(module)}: {kept.Count} of {all.Count} kept");
        }
    }
}
