using DotnetMemLine.Reporting;

namespace DotnetMemLine.Tests.Reporting;

[TestClass]
public sealed class CSharpNamesTests
{
    [TestMethod]
    [DataRow("System.Linq.Enumerable+<WhereIterator>d__350`1[System.__Canon].MoveNext", "Enumerable.WhereIterator<T> (its state machine)")]
    [DataRow("ShapesTarget.Shapes.Caller.Run", "ShapesTarget.Shapes.Caller.Run")]
    [DataRow("App.Work+<>c.<Process>b__3_0", "a lambda in App.Work.Process")]
    [DataRow("App.Work+<>c__DisplayClass3_0.<Process>b__0", "a lambda in App.Work.Process")]
    [DataRow("App.Work.<Process>g__Parse|3_0", "local function Parse in App.Work.Process")]
    [DataRow("App.Cache`2[System.__Canon,System.Int32].Get", "App.Cache<T1, System.Int32>.Get")]
    [DataRow("App.Handler+<HandleAsync>d__4.MoveNext", "App.Handler.HandleAsync (its state machine)")]
    public void RuntimeNames_ReadAsCSharp(string runtimeName, string expected) =>
        Assert.AreEqual(expected, CSharpNames.Readable(runtimeName));
}
