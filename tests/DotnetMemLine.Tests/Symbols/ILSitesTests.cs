using DotnetMemLine.Symbols;

namespace DotnetMemLine.Tests.Symbols;

[TestClass]
public sealed class ILSitesTests
{
    [TestMethod]
    [DataRow("System.Byte[]", "Byte[]")]
    [DataRow("System.Int32[][]", "Int32[][]")]
    [DataRow("System.Int32[,]", "Int32[,]")]
    [DataRow("System.Collections.Generic.List`1[System.Int32]", "List")]
    [DataRow("System.Collections.Generic.List`1[System.String][]", "List[]")]
    [DataRow("System.Collections.Generic.Dictionary`2[System.String,System.Collections.Generic.List`1[System.Int32]]", "Dictionary")]
    [DataRow("Ns.Outer+Inner", "Inner")]
    [DataRow("Ns.Program+<>c__DisplayClass2_0", "<>c__DisplayClass2_0")]
    [DataRow("Ns.Program+<Produce>d__3", "<Produce>d__3")]
    [DataRow("System.Linq.Enumerable+SelectManySingleSelectorIterator`2[System.__Canon,System.__Canon]", "SelectManySingleSelectorIterator")]
    [DataRow("String", "String")]
    public void TypeKey_OfARuntimeName_MatchesWhatILNames(string runtimeName, string key) =>
        Assert.AreEqual(key, ILSites.TypeKey(runtimeName));

    [TestMethod]
    [DataRow("System.Linq.Enumerable+DistinctIterator`1[System.String]", "Enumerable")]
    [DataRow("System.Text.RegularExpressions.Regex+Outer+Inner", "Outer")]
    [DataRow("System.Collections.Generic.List`1[Ns.Outer+Inner]", "")]
    [DataRow("System.String", "")]
    [DataRow("Ns.Program+<>c__DisplayClass2_0", "")]
    [DataRow("Ns.Program+<Produce>d__3", "")]
    public void OuterTypeKey_OfANestedType_IsItsDeclaringTypes(string runtimeName, string key) =>
        Assert.AreEqual(key, ILSites.OuterTypeKey(runtimeName));

    [TestMethod]
    [DataRow("Entry[System.Int32,System.Collections.Generic.List`1[System.Int32]][]", "Int32,List")]
    [DataRow("Entry[System.Int32][]", "Int32")]
    [DataRow("System.Collections.Generic.Dictionary`2[System.String,System.Int32[]]", "String,Int32[]")]
    [DataRow("System.Collections.Generic.List`1[[System.Int32, System.Private.CoreLib]]", "Int32")]
    [DataRow("System.Collections.Generic.List`1[System.String][,]", "String")]
    [DataRow("System.Int32[]", "")]
    [DataRow("System.String", "")]
    public void TypeArgumentKeys_OfARuntimeName_AreJoinedAsCallSitesJoinThem(string runtimeName, string keys) =>
        Assert.AreEqual(keys, ILSites.TypeArgumentKeys(runtimeName));

    [TestMethod]
    [DataRow("Byte[]", "Byte[]", true)]
    [DataRow("Byte[]", "Int32[]", false)]
    [DataRow("?[]", "Byte[]", true)]
    [DataRow("?[]", "List[]", true)]
    [DataRow("?[]", "Int32[][]", true)]
    [DataRow("?[]", "List", false)]
    [DataRow("?[][]", "Int32[]", false)]
    [DataRow("?", "Int32", true)]
    [DataRow("?", "", false)]
    public void KeyMatches_AGenericParameterStandsForAnyType(string siteKey, string allocatedKey, bool matches) =>
        Assert.AreEqual(matches, ILSites.KeyMatches(siteKey, allocatedKey));
}
