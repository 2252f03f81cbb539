using DotnetMemLine.Symbols;
using DotnetMemLine.Tests.Symbols.Fixtures;
using static DotnetMemLine.Tests.Symbols.SymbolTestSupport;

namespace DotnetMemLine.Tests.Symbols;

[TestClass]
public sealed class ModuleSymbolsTests
{
    private static ModuleSymbols s_symbols = null!;

    [ClassInitialize]
    public static void OpenTestModule(TestContext context)
    {
        Assert.IsTrue(ModuleSymbols.TryOpen(TestModulePath, [], out var symbols, out var reason), reason);
        s_symbols = symbols;
    }

    [ClassCleanup]
    public static void Close() => s_symbols.Dispose();

    [TestMethod]
    public void FindLine_AtEachSequencePointOffset_GivesThatPointsLine()
    {
        var token = Token(nameof(LineFixture.Simple));
        var points = SequencePoints(token);
        Assert.IsGreaterThanOrEqualTo(3, points.Length);

        foreach (var point in points)
        {
            var line = s_symbols.FindLine(token, point.Offset);
            Assert.AreEqual(new SourceLine(FixtureSourcePath, point.StartLine), line);
        }

        var alloc = points.Single(p => p.StartLine == Marker("line", "SimpleAlloc"));
        Assert.AreEqual(Marker("line", "SimpleAlloc"), s_symbols.FindLine(token, alloc.Offset)?.Line);
    }

    [TestMethod]
    public void FindLine_BetweenPoints_GivesThePrecedingPoint()
    {
        var token = Token(nameof(LineFixture.Simple));
        var points = SequencePoints(token);
        var alloc = points.Single(p => p.StartLine == Marker("line", "SimpleAlloc"));
        var next = points.First(p => p.Offset > alloc.Offset);
        Assert.IsGreaterThan(alloc.Offset + 1, next.Offset, "the allocation statement spans several IL bytes");

        Assert.AreEqual(Marker("line", "SimpleAlloc"), s_symbols.FindLine(token, alloc.Offset + 1)?.Line);
        Assert.AreEqual(Marker("line", "SimpleAlloc"), s_symbols.FindLine(token, next.Offset - 1)?.Line);
    }

    [TestMethod]
    public void FindLine_PrologAndBeyondTheEnd_ClampToFirstAndLastPoints()
    {
        var token = Token(nameof(LineFixture.Simple));
        var points = SequencePoints(token);

        Assert.AreEqual(points[0].StartLine, s_symbols.FindLine(token, -1)?.Line);
        Assert.AreEqual(Marker("sig", "Simple") + 1, s_symbols.FindLine(token, -1)?.Line, "the first point is the opening brace");
        Assert.AreEqual(Marker("end", "Simple"), s_symbols.FindLine(token, 100_000)?.Line);
    }

    [TestMethod]
    public void FindLine_InsideHiddenCode_GivesThePrecedingVisibleLine()
    {
        var token = Token(nameof(LineFixture.WithHidden));
        var hidden = SequencePoints(token).Where(p => p.IsHidden).ToList();
        Assert.IsNotEmpty(hidden, "#line hidden should produce a hidden sequence point");

        foreach (var point in hidden)
        {
            Assert.AreEqual(Marker("line", "BeforeHidden"), s_symbols.FindLine(token, point.Offset)?.Line);
        }

        var after = SequencePoints(token).Single(p => p.StartLine == Marker("line", "AfterHidden"));
        Assert.AreEqual(Marker("line", "AfterHidden"), s_symbols.FindLine(token, after.Offset)?.Line);
    }

    [TestMethod]
    public void FindLine_WithoutSequencePointsOrForNonMethodTokens_IsNull()
    {
        // The async kickoff stub has no sequence points of its own: its body is in MoveNext.
        Assert.IsNull(s_symbols.FindLine(Token(nameof(LineFixture.AsyncWork)), 0));
        Assert.IsNull(s_symbols.FindLine(typeof(LineFixture).MetadataToken, 0));
        Assert.IsNull(s_symbols.FindLine(0x06FFFFFF, 0));
        Assert.IsNull(s_symbols.FindLine(0, 0));
    }

    [TestMethod]
    public void FindLine_InAsyncMoveNext_GivesLinesOfTheAsyncMethod()
    {
        Assert.IsTrue(s_symbols.TryGetStateMachineMoveNext(Token(nameof(LineFixture.AsyncWork)), out var moveNext));
        Assert.IsTrue(s_symbols.TryGetStateMachineKickoff(moveNext, out var kickoff));
        Assert.AreEqual(Token(nameof(LineFixture.AsyncWork)), kickoff);
        Assert.IsFalse(s_symbols.TryGetStateMachineKickoff(Token(nameof(LineFixture.Simple)), out _));

        var afterAwait = SequencePoints(moveNext).Single(p => !p.IsHidden && p.StartLine == Marker("line", "AfterAwait"));
        Assert.AreEqual(Marker("line", "AfterAwait"), s_symbols.FindLine(moveNext, afterAwait.Offset)?.Line);
    }

    [TestMethod]
    [DataRow(nameof(LineFixture.Simple), "Simple", "Simple", DisplayName = "block body with an attribute above")]
    [DataRow(nameof(LineFixture.MultiLine), "MultiLine", "MultiLine", DisplayName = "parameters over several lines")]
    [DataRow(nameof(LineFixture.ExpressionBodied), "ExpressionBodied", "ExpressionBodied", DisplayName = "expression body")]
    [DataRow(nameof(LineFixture.WithHidden), "WithHidden", "WithHidden", DisplayName = "hidden code inside")]
    [DataRow(nameof(LineFixture.Generic), "Generic", "Generic", DisplayName = "generic with constraint")]
    [DataRow(nameof(LineFixture.WithLocal), "WithLocal", "WithLocal", DisplayName = "containing a local function")]
    [DataRow("Local", "Local", "Local", DisplayName = "local function")]
    [DataRow("get_Count", "Count", "Count", DisplayName = "property getter")]
    [DataRow("get_Item", "Indexer", "Indexer", DisplayName = "indexer")]
    [DataRow(nameof(LineFixture.AsyncWork), "AsyncWork", "AsyncWork", DisplayName = "async kickoff")]
    public void GetMethodSpan_RunsFromSignatureToClosingBrace(string method, string signatureMarker, string endMarker)
    {
        var span = s_symbols.GetMethodSpan(Token(method));

        Assert.AreEqual(new MethodSourceSpan(FixtureSourcePath, Marker("sig", signatureMarker), Marker("end", endMarker)), span);
    }

    [TestMethod]
    public void GetMethodSpan_OfAsyncMoveNext_IsTheAsyncMethodsSpan()
    {
        Assert.IsTrue(s_symbols.TryGetStateMachineMoveNext(Token(nameof(LineFixture.AsyncWork)), out var moveNext));

        Assert.AreEqual(new MethodSourceSpan(FixtureSourcePath, Marker("sig", "AsyncWork"), Marker("end", "AsyncWork")), s_symbols.GetMethodSpan(moveNext));
    }

    [TestMethod]
    public void GetMethodSpan_OfConstructor_LeavesOutFieldInitializers()
    {
        var constructors = typeof(LineFixture).GetConstructors().ToDictionary(c => c.GetParameters().Length, c => c.MetadataToken);
        Assert.IsTrue(SequencePoints(constructors[0]).Any(p => p.StartLine == Marker("line", "FieldInit")), "field initializers run in the constructor");

        Assert.AreEqual(new MethodSourceSpan(FixtureSourcePath, Marker("sig", "Ctor"), Marker("end", "Ctor")), s_symbols.GetMethodSpan(constructors[0]));
        Assert.AreEqual(new MethodSourceSpan(FixtureSourcePath, Marker("sig", "CtorWithArg"), Marker("end", "CtorWithArg")), s_symbols.GetMethodSpan(constructors[1]));
    }

    [TestMethod]
    public void GetMethodSpan_WithoutSequencePoints_IsNull()
    {
        Assert.IsNull(s_symbols.GetMethodSpan(0x06FFFFFF));
        Assert.IsNull(s_symbols.GetMethodSpan(typeof(LineFixture).MetadataToken));
    }

    [TestMethod]
    public void SourceMatchesPdb_ForTheUneditedFixture_IsTrue()
    {
        Assert.IsTrue(s_symbols.SourceMatchesPdb(FixtureSourcePath));
        Assert.IsFalse(s_symbols.SourceMatchesPdb(Path.Combine(Path.GetTempPath(), "not-a-document-of-this-pdb.cs")));
    }

    [TestMethod]
    public void GetNestedCodeTokens_OfAsyncMethod_IsItsMoveNext()
    {
        Assert.IsTrue(s_symbols.TryGetStateMachineMoveNext(Token(nameof(LineFixture.AsyncWork)), out var moveNext));

        CollectionAssert.AreEquivalent(new[] { moveNext }, s_symbols.GetNestedCodeTokens(Token(nameof(LineFixture.AsyncWork))).ToArray());
        Assert.IsTrue(s_symbols.IsStateMachineKickoff(Token(nameof(LineFixture.AsyncWork))));
        Assert.IsFalse(s_symbols.IsStateMachineKickoff(Token(nameof(LineFixture.Simple))));
    }

    [TestMethod]
    public void GetNestedCodeTokens_OfMethodWithLambdas_AreTheLambdasWrittenInIt_NestedOnesToo()
    {
        var lambdas = GeneratedMethodTokens("<WithLambdas>b__");
        Assert.HasCount(2, lambdas); // the outer lambda and the one inside it

        CollectionAssert.AreEquivalent(lambdas, s_symbols.GetNestedCodeTokens(Token(nameof(LineFixture.WithLambdas))).ToArray());
    }

    [TestMethod]
    public void GetNestedCodeTokens_OfMethodWithLocalFunction_IsTheLocalFunction_AndNothingOfItsNeighbours()
    {
        CollectionAssert.AreEquivalent(new[] { Token("Local") }, s_symbols.GetNestedCodeTokens(Token(nameof(LineFixture.WithLocal))).ToArray());
        Assert.IsEmpty(s_symbols.GetNestedCodeTokens(Token(nameof(LineFixture.WithLocal2))));
        Assert.IsEmpty(s_symbols.GetNestedCodeTokens(Token(nameof(LineFixture.Simple))));
    }

    // Compiler-generated methods of the fixture (in display classes or the lambda cache class) by name prefix.
    private static int[] GeneratedMethodTokens(string namePrefix) =>
        [.. typeof(LineFixture).GetNestedTypes(System.Reflection.BindingFlags.NonPublic)
            .Append(typeof(LineFixture))
            .SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly))
            .Where(m => m.Name.StartsWith(namePrefix, StringComparison.Ordinal))
            .Select(m => m.MetadataToken)];

    [TestMethod]
    public void FindCallLines_GivesEachLineThatCallsTheMethod_InSourceOrder()
    {
        const string FixtureType = "DotnetMemLine.Tests.Symbols.Fixtures.LineFixture";
        var caller = Token(nameof(LineFixture.CallsSimpleTwice));

        CollectionAssert.AreEqual(
            new[] { Marker("line", "FirstCall"), Marker("line", "SecondCall") },
            s_symbols.FindCallLines(caller, FixtureType, nameof(LineFixture.Simple)).ToArray());
        CollectionAssert.AreEqual(
            new[] { Marker("line", "SecondCall") },
            s_symbols.FindCallLines(caller, FixtureType + ".Nested", nameof(LineFixture.Nested.Deep)).ToArray());
        Assert.IsEmpty(s_symbols.FindCallLines(caller, FixtureType, nameof(LineFixture.MultiLine)));
    }

    [TestMethod]
    public void IsInHiddenCode_IsTrueOnlyWhereAHiddenSequencePointIsInEffect()
    {
        Assert.IsTrue(s_symbols.TryGetStateMachineMoveNext(Token(nameof(LineFixture.AsyncWork)), out var moveNext));
        var points = SequencePoints(moveNext);
        var hidden = points.First(p => p.IsHidden).Offset;
        var visible = points.First(p => !p.IsHidden && p.StartLine == Marker("line", "AfterAwait")).Offset;

        Assert.IsTrue(s_symbols.IsInHiddenCode(moveNext, hidden));
        Assert.IsFalse(s_symbols.IsInHiddenCode(moveNext, visible));
        Assert.IsFalse(s_symbols.IsInHiddenCode(Token(nameof(LineFixture.Simple)), 0));
    }

    [TestMethod]
    public void GetBody_ListsTheCallsAndAllocations_WithTheirTargets_InILOrder()
    {
        var simple = Token(nameof(LineFixture.Simple));
        var alloc = SequencePoints(simple).First(p => p.StartLine == Marker("line", "SimpleAlloc")).Offset;
        var ret = SequencePoints(simple).First(p => p.StartLine == Marker("line", "SimpleReturn")).Offset;

        (var sites, var ilSize) = s_symbols.GetBody(simple);

        // new string('x', count) is newobj String::.ctor; text + "!" is a call to String.Concat.
        Assert.AreEqual(new ILSite(sites[0].Offset, ILSiteKind.NewObject, "String", ".ctor", ParameterCount: 2, CallToken: sites[0].CallToken), sites[0]);
        Assert.AreEqual(0x0A, sites[0].CallToken >>> 24, "another module's constructor: a member reference");
        Assert.IsTrue(sites[0].Offset >= alloc && sites[0].Offset < ret);
        Assert.AreEqual((ILSiteKind.Call, "String", "Concat"), (sites[1].Kind, sites[1].TypeKey, sites[1].MethodName));
        Assert.IsTrue(sites[1].Offset >= ret && sites[1].Offset < ilSize);
        Assert.HasCount(2, sites);
        Assert.IsEmpty(s_symbols.GetBody(Token(nameof(LineFixture.ExpressionBodied))).Sites, "x * 2 calls nothing");
    }

    [TestMethod]
    public void GetBody_ClosureAndDelegateCreations_AreSitesOfTheirTypes()
    {
        (var sites, _) = s_symbols.GetBody(Token(nameof(LineFixture.WithLambdas)));

        Assert.IsTrue(sites[0].CreatesDisplayClass, sites[0].ToString());
        Assert.IsTrue(sites.Any(s => s.Kind == ILSiteKind.NewObject && s.TypeKey == "Func"));
        Assert.IsTrue(sites.Any(s => s.Kind == ILSiteKind.Call && s.TypeKey == "Enumerable" && s.MethodName == "ToList"));
    }

    [TestMethod]
    public void GetBody_ArraysAndBoxesOfAGenericParameter_MayBeOfAnyType()
    {
        var array = s_symbols.GetBody(Token(nameof(LineFixture.MakeArray))).Sites.Single();
        var box = s_symbols.GetBody(Token(nameof(LineFixture.BoxIt))).Sites.Single();

        Assert.AreEqual((ILSiteKind.NewArray, "?[]"), (array.Kind, array.TypeKey));
        Assert.AreEqual((ILSiteKind.Box, "?"), (box.Kind, box.TypeKey));
        Assert.IsTrue(ILSites.KeyMatches(array.TypeKey, "Byte[]"));
        Assert.IsTrue(ILSites.KeyMatches(box.TypeKey, "Int32"));
    }

    [TestMethod]
    public void GetBody_CallOfANoInliningMethod_IsMarkedNeverInlined()
    {
        var sites = s_symbols.GetBody(Token(nameof(LineFixture.CallsNeverInlined))).Sites;

        var neverInlined = sites.Single(s => s.MethodName == nameof(LineFixture.NeverInlined));
        var simple = sites.Single(s => s.MethodName == nameof(LineFixture.Simple));
        Assert.IsTrue(neverInlined.NeverInlined);
        Assert.IsFalse(simple.NeverInlined, "Simple may be inlined");
        Assert.IsFalse(sites.Single(s => s.MethodName == "Concat").NeverInlined, "a method of another module: its attributes are not read");
    }

    [TestMethod]
    public void FindNextLine_AfterAClosureCreatedAtAScopesEntry_IsTheFirstStatement_NotTheOpeningBrace()
    {
        // In a Debug build (this fixture's) the opening brace has a point of its own, after the display class.
        int token = Token(nameof(LineFixture.CapturesAVariable));
        var closure = s_symbols.GetBody(token).Sites.Single(s => s.CreatesDisplayClass);

        Assert.AreEqual(Marker("line", "FirstStatementOfClosureScope"), s_symbols.FindNextLine(token, closure.Offset)?.Line);
    }

    [TestMethod]
    public void GetBody_CallsAndFunctionLoads_CarryTheirTargetsParameterCount()
    {
        var sites = s_symbols.GetBody(Token(nameof(LineFixture.CapturesAVariable))).Sites;

        Assert.AreEqual(0, sites.Single(s => s.Kind == ILSiteKind.LoadFunction).ParameterCount, "the lambda () => captured");
        Assert.AreEqual(2, sites.Single(s => s.Kind == ILSiteKind.NewObject && s.TypeKey == "Func").ParameterCount, "a delegate's constructor takes the target and the function");
    }

    [TestMethod]
    public void GetBody_BoxOfAStruct_IsMarked_NotOfAPrimitiveOrAnEnum()
    {
        var boxes = s_symbols.GetBody(Token(nameof(LineFixture.BoxesStructsAndOthers))).Sites.Where(s => s.Kind == ILSiteKind.Box).ToList();

        Assert.HasCount(5, boxes);
        CollectionAssert.AreEqual(new[] { true, false, false, true, false }, boxes.Select(b => b.BoxesStruct).ToArray(),
            "a ValueTuple and a struct of the module are structs; an int, a framework enum and an enum of the module are not");
    }

    [TestMethod]
    public void GetBody_CallOfGenericCodeOverAStruct_IsMarked_NotOverAPrimitiveOrAnEnum()
    {
        var calls = s_symbols.GetBody(Token(nameof(LineFixture.InterpolatesHoles))).Sites.Where(s => s.IsCall).ToList();

        string[] overStruct = [.. calls.Where(c => c.GenericOverStruct).Select(c => c.TypeKey + "." + c.MethodName)];
        CollectionAssert.AreEquivalent(new[] { "DefaultInterpolatedStringHandler.AppendFormatted", "List.get_Count" }, overStruct,
            "AppendFormatted<decimal> and List<FixtureStruct>.Count; not AppendFormatted<int>, <DayOfWeek>, <int> (Count) or AppendFormatted(string)");
    }

    [TestMethod]
    public void GetBody_Calls_KnowTheTypeTheyReturn()
    {
        var calls = s_symbols.GetBody(Token(nameof(LineFixture.InterpolatesHoles))).Sites.Where(s => s.IsCall).ToList();

        Assert.AreEqual("String", calls.Single(c => c.MethodName == "ToStringAndClear").ReturnTypeKey);
        Assert.AreEqual("Int32", calls.Single(c => c.MethodName == "get_Count").ReturnTypeKey);
        Assert.IsTrue(calls.Where(c => c.MethodName == "AppendFormatted").All(c => c.ReturnTypeKey.Length == 0), "void");
    }

    [TestMethod]
    public void GetBranches_OfALoop_AreTheJumpToItsTestAndTheTestsJumpBackToTheBody()
    {
        var branches = s_symbols.GetBranches(Token(nameof(LineFixture.CountUp)));

        // C# puts a for loop's test after its body: br to the test, then the test branches back to the body's top.
        Assert.HasCount(2, branches, string.Join(", ", branches));
        (ILBranch toTest, ILBranch back) = (branches[0], branches[1]);
        Assert.IsGreaterThan(toTest.End, toTest.Target, "the jump to the test goes forwards, past the body");
        Assert.IsGreaterThan(toTest.Offset, toTest.End);
        Assert.IsTrue(back.Offset >= toTest.Target, "the test's branch is in the test");
        Assert.AreEqual(toTest.End, back.Target, "the test's branch goes back to the body's top");
        Assert.IsEmpty(s_symbols.GetBranches(Token(nameof(LineFixture.ExpressionBodied))), "x * 2 does not branch");
    }

    [TestMethod]
    [DataRow("Ns.Type", "Ns.Type")]
    [DataRow("Ns.Outer+Inner", "Ns.Outer.Inner")]
    [DataRow("Ns.Pool`1[System.__Canon]", "Ns.Pool")]
    [DataRow("Ns.Outer`1+Inner`2[System.Int32,System.__Canon]", "Ns.Outer.Inner")]
    public void TypeNames_Normalize_SpellsRuntimeNamesLikeMetadataNames(string runtimeName, string expected) =>
        Assert.AreEqual(expected, TypeNames.Normalize(runtimeName));

    [TestMethod]
    public void EnumerateMethods_ListsTheModulesMethods()
    {
        var methods = s_symbols.EnumerateMethods();

        var simple = methods.Single(m => m.FullName == "DotnetMemLine.Tests.Symbols.Fixtures.LineFixture.Simple");
        Assert.AreEqual(Token(nameof(LineFixture.Simple)), simple.Token);
        Assert.AreEqual(TestModulePath, simple.ModulePath);
    }

    [TestMethod]
    public void ACallOfAMethodOfThisModulesGenericType_NamesItsDefinition()
    {
        // `new GenericQuote<int>().Quote(3)` calls through a member reference on the instantiation GenericQuote<int>:
        // the site still names the method defined here (its body is read, as for any method of the module).
        int caller = typeof(OverrideCalls).GetMethod(nameof(OverrideCalls.QuoteOfAnInstantiation))!.MetadataToken;
        ILSite quote = s_symbols.GetBody(caller).Sites.Single(site => site.MethodName == nameof(IOverrideFixture.Quote));
        Assert.AreEqual(typeof(GenericQuote<>).GetMethod(nameof(IOverrideFixture.Quote))!.MetadataToken, quote.TargetToken);
    }

    [TestMethod]
    public void GetOverrides_OfAnInterfaceOrVirtualMethod_AreTheMethodsOfThisModuleACallMayRunInstead()
    {
        int Of(Type type) => type.GetMethod(nameof(IOverrideFixture.Quote))!.MetadataToken;

        // An interface method: its implementations, a generic one's too; a virtual method: its overrides, a level down as well.
        CollectionAssert.AreEquivalent(new[] { Of(typeof(FlatQuote)), Of(typeof(ZoneQuote)), Of(typeof(NearZoneQuote)), Of(typeof(GenericQuote<>)) }, s_symbols.GetOverrides(Of(typeof(IOverrideFixture))).ToArray());
        CollectionAssert.AreEquivalent(new[] { Of(typeof(ZoneQuote)), Of(typeof(NearZoneQuote)) }, s_symbols.GetOverrides(Of(typeof(QuoteBase))).ToArray());
        Assert.IsEmpty(s_symbols.GetOverrides(Of(typeof(NearZoneQuote))), "sealed: nothing overrides it");
        Assert.IsEmpty(s_symbols.GetOverrides(Token(nameof(LineFixture.Simple))), "not virtual");
    }
}

internal interface IOverrideFixture
{
    string Quote(int weight);
}

internal sealed class FlatQuote : IOverrideFixture
{
    public string Quote(int weight) => "flat";
}

internal abstract class QuoteBase : IOverrideFixture
{
    public abstract string Quote(int weight);
}

internal class ZoneQuote : QuoteBase
{
    public override string Quote(int weight) => "zone " + weight.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

internal sealed class NearZoneQuote : ZoneQuote
{
    public override string Quote(int weight) => "near";
}

internal sealed class GenericQuote<T> : IOverrideFixture
{
    public string Quote(int weight) => typeof(T).Name;
}

internal static class OverrideCalls
{
    public static string QuoteOfAnInstantiation() => new GenericQuote<int>().Quote(3);
}
