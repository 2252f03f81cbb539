using DotnetMemLine.Symbols;
using EmbeddedPdbSample;
using static DotnetMemLine.Tests.Symbols.SymbolTestSupport;

namespace DotnetMemLine.Tests.Symbols;

/// <summary>
/// Spans in an optimized build, where the PDB has no points on opening braces, nor on closing braces of methods
/// returning a value: the signature and the closing brace must come from the source text.
/// </summary>
[TestClass]
public sealed class ReleaseShapeTests
{
    private static ModuleSymbols s_symbols = null!;

    [ClassInitialize]
    public static void OpenSample(TestContext context)
    {
        Assert.IsTrue(ModuleSymbols.TryOpen(typeof(Greeter).Assembly.Location, [], out var symbols, out var reason), reason);
        s_symbols = symbols;
    }

    [ClassCleanup]
    public static void Close() => s_symbols.Dispose();

    [TestMethod]
    [DataRow(nameof(Greeter.Greet), DisplayName = "plain method")]
    [DataRow(nameof(Greeter.Classify), DisplayName = "ends in if/else, braces in strings, comments and chars")]
    [DataRow(nameof(Greeter.Depth), DisplayName = "first statement calls the method itself")]
    [DataRow(nameof(Greeter.WithLocalFunctions), DisplayName = "long local functions after the return")]
    public void GetMethodSpan_RunsFromSignatureToClosingBrace(string method)
    {
        var span = s_symbols.GetMethodSpan(typeof(Greeter).GetMethod(method)!.MetadataToken);

        Assert.IsNotNull(span);
        Assert.AreEqual(Marker(span.FilePath, "sig", method), span.FirstLine);
        Assert.AreEqual(Marker(span.FilePath, "end", method), span.LastLine);
    }

    [TestMethod]
    public void LocalFunctionsAfterTheReturn_AreNestedInTheirMethod()
    {
        var method = typeof(Greeter).GetMethod(nameof(Greeter.WithLocalFunctions))!.MetadataToken;

        var nested = s_symbols.GetNestedCodeTokens(method);

        Assert.HasCount(3, nested, "Sum, Square and Twice");
    }

    [TestMethod]
    public void TheSampleReallyLacksClosingBracePoints()
    {
        var span = s_symbols.GetMethodSpan(typeof(Greeter).GetMethod(nameof(Greeter.Greet))!.MetadataToken)!;

        Assert.AreNotEqual(Marker(span.FilePath, "end", nameof(Greeter.Greet)), s_symbols.FindLine(typeof(Greeter).GetMethod(nameof(Greeter.Greet))!.MetadataToken, 100_000)?.Line);
    }

    [TestMethod]
    public void GetMethodSpan_OfAGetterUsingOtherProperties_StartsAtItsOwnProperty()
    {
        var getter = typeof(Greeter).GetProperty(nameof(Greeter.PrefixLength))!.GetMethod!.MetadataToken;

        var span = s_symbols.GetMethodSpan(getter);

        Assert.IsNotNull(span);
        Assert.AreEqual(Marker(span.FilePath, "sig", nameof(Greeter.PrefixLength)), span.FirstLine);
    }

    [TestMethod]
    public void GetMethodSpan_OfAPrimaryConstructor_IsTheTypeDeclarationLineOnly()
    {
        var constructor = typeof(Greeter).GetConstructor([typeof(string)])!.MetadataToken;

        var span = s_symbols.GetMethodSpan(constructor);

        Assert.IsNotNull(span);
        Assert.AreEqual(Marker(span.FilePath, "sig", "PrimaryCtor"), span.FirstLine);
        Assert.AreEqual(Marker(span.FilePath, "end", "PrimaryCtor"), span.LastLine);
    }
}
