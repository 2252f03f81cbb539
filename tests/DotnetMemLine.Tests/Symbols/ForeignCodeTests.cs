using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Tests.Symbols;

/// <summary>
/// What calls of the framework's methods can make, read from the framework's IL (<see cref="ForeignCode"/>):
/// checked on calls this test assembly's own IL makes.
/// </summary>
[TestClass]
public sealed class ForeignCodeTests
{
    [TestMethod]
    public void MayInvokeDelegates_ReadsTheFrameworksIL()
    {
        static bool Invokes(MethodInfo method) => ForeignCode.MayInvokeDelegates(method.Module.Assembly.Location, method.MetadataToken, method.Name);

        Assert.IsTrue(Invokes(typeof(List<int>).GetMethod(nameof(List<int>.ForEach))!), "List.ForEach invokes its Action");
        Assert.IsTrue(Invokes(typeof(Array).GetMethod(nameof(Array.ConvertAll))!), "Array.ConvertAll invokes its Converter");
        Assert.IsFalse(Invokes(typeof(Uri).GetMethod(nameof(Uri.UnescapeDataString), [typeof(string)])!), "Uri.UnescapeDataString invokes none");
        Assert.IsFalse(Invokes(typeof(string).GetMethod(nameof(string.Concat), [typeof(string), typeof(string)])!), "nor does String.Concat");
        Assert.IsTrue(ForeignCode.MayInvokeDelegates("/nowhere/Missing.dll", 0x06000001, "Run"), "IL not found here: it may");
        Assert.IsTrue(ForeignCode.MayInvokeDelegates(typeof(Uri).Assembly.Location, typeof(Uri).GetMethod(nameof(Uri.UnescapeDataString), [typeof(string)])!.MetadataToken, "Other"),
            "a token naming another method (another build of the module): it may");
    }

    private static ModuleSymbols s_symbols = null!;

    [ClassInitialize]
    public static void Open(TestContext context)
    {
        _ = context;
        Assert.IsTrue(ModuleSymbols.TryOpen(SymbolTestSupport.TestModulePath, [], out ModuleSymbols? symbols, out string? failure), failure);
        s_symbols = symbols;
    }

    [ClassCleanup]
    public static void Close() => s_symbols?.Dispose();

    [TestMethod]
    public void AGenericTypesConstructor_AllocatesItsTypeArgumentsArray()
    {
        // List<T>(IEnumerable<T>) runs `new T[count]`: for a List<Version>, a Version[], not any array.
        CalleeFacts facts = FactsOfCall(nameof(ForeignCalls.CopyToList), "List", ".ctor");
        Assert.AreEqual(0, facts.Allocations.GetValueOrDefault("Version[]", -1));
        Assert.IsFalse(facts.Allocations.Keys.Any(key => key.Contains('?', StringComparison.Ordinal)), string.Join(", ", facts.Allocations.Keys));
    }

    [TestMethod]
    public void AGenericMethod_AllocatesItsMethodArgumentsArray()
    {
        // Array.ConvertAll<TInput, TOutput> allocates a TOutput[]: a String[] here, never the Int32[] it reads.
        CalleeFacts facts = FactsOfCall(nameof(ForeignCalls.ConvertAll), "Array", "ConvertAll");
        Assert.AreEqual(0, facts.Allocations.GetValueOrDefault("String[]", -1));
        Assert.IsFalse(facts.Allocations.ContainsKey("Int32[]"), string.Join(", ", facts.Allocations.Keys));
    }

    [TestMethod]
    public void AnArrayOfAGenericParameterTheCallLeavesUnknown_IsKeptAsAnyArray()
    {
        // Inside a generic method, List<T>.ConvertAll<TOutput>'s List<TOutput> grows a TOutput[] of a type only the
        // method's caller knows: "?[]", which a caller's type argument can match. Its List is named.
        CalleeFacts facts = FactsOfCall(nameof(ForeignCalls.Project), "List", "ConvertAll");
        Assert.IsTrue(facts.Allocations.ContainsKey("List"), string.Join(", ", facts.Allocations.Keys));
        Assert.IsTrue(facts.Allocations.ContainsKey("?[]"), string.Join(", ", facts.Allocations.Keys));
    }

    [TestMethod]
    public void ALazyCollectionsCount_RunsTheMatching_ItsFactoryDoesNot()
    {
        // Regex.Matches makes a MatchCollection and matches nothing; its Count runs the regex, a few calls down.
        CalleeFacts matches = FactsOfCall(nameof(ForeignCalls.CountMatches), "Regex", "Matches");
        CalleeFacts count = FactsOfCall(nameof(ForeignCalls.CountMatches), "MatchCollection", "get_Count");
        Assert.AreEqual(0, matches.Allocations.GetValueOrDefault("MatchCollection", -1));
        Assert.IsFalse(matches.Allocations.ContainsKey("Match"), string.Join(", ", matches.Allocations.Keys));
        Assert.IsTrue(count.Allocations.GetValueOrDefault("Match", -1) > 0, string.Join(", ", count.Allocations));
    }

    [TestMethod]
    public void ACallThroughAFacade_IsFollowedToItsImplementation()
    {
        // The test assembly references String.ToUpperInvariant through System.Runtime, which forwards it to
        // System.Private.CoreLib; there it calls TextInfo's case change a level down.
        CalleeFacts facts = FactsOfCall(nameof(ForeignCalls.Upper), "String", "ToUpperInvariant");
        Assert.IsTrue(facts.Calls.Keys.Any(c => c.TypeKey == "TextInfo"), string.Join(", ", facts.Calls.Keys));
    }

    [TestMethod]
    public void AnOverload_IsTheOneTheCallNames_NotEveryMethodOfThatName()
    {
        // HashSet<T>() calls HashSet<T>(IEqualityComparer<T>), not HashSet<T>(IEnumerable<T>) that copies a
        // collection into new arrays: a new, empty HashSet allocates nothing but itself.
        CalleeFacts facts = FactsOfCall(nameof(ForeignCalls.EmptySet), "HashSet", ".ctor");
        Assert.IsFalse(facts.Allocations.Keys.Any(key => key.EndsWith("[]", StringComparison.Ordinal)), string.Join(", ", facts.Allocations.Keys));
    }

    [TestMethod]
    public void AVirtualMethodADerivedTypeMayOverride_IsMarkedSo_ASealedOrNonVirtualOneIsNot()
    {
        // Encoding.GetBytes(string) is virtual in an unsealed type: UTF8Encoding runs its own; Regex.Split is not virtual.
        Assert.IsTrue(FactsOfCall(nameof(ForeignCalls.BytesAndWords), "Encoding", "GetBytes").Overridable);
        Assert.IsFalse(FactsOfCall(nameof(ForeignCalls.BytesAndWords), "Regex", "Split").Overridable);
    }

    [TestMethod]
    public void AMethodMadeIntoADelegate_CountsAsACallTheCalleeMayMake()
    {
        // Regex.Split hands a static lambda of its own to the match loop, which invokes it: inlined into the user's method,
        // the lambda is called from the user's frame.
        CalleeFacts facts = FactsOfCall(nameof(ForeignCalls.BytesAndWords), "Regex", "Split");
        Assert.IsTrue(facts.Calls.Keys.Any(c => c.MethodName.StartsWith("<Split>b__", StringComparison.Ordinal)), string.Join(", ", facts.Calls.Keys));
    }

    [TestMethod]
    public void NewString_CountsAsACallOfStringsCtor_AsTheRuntimeRunsIt()
    {
        // An interpolated string's ToStringAndClear runs `new string(Text)`: in a stack, a frame of String.Ctor(ReadOnlySpan<char>).
        CalleeFacts facts = FactsOfCall(nameof(ForeignCalls.Interpolate), "DefaultInterpolatedStringHandler", "ToStringAndClear");
        Assert.IsTrue(facts.Calls.ContainsKey(("String", "Ctor")), string.Join(", ", facts.Calls.Keys));
    }

    [TestMethod]
    public void ThisModulesOwnMethod_HasNoForeignFacts()
    {
        ILSite site = SitesOf(nameof(ForeignCalls.CallsItsOwn)).Single(s => s.IsCall && s.MethodName == nameof(ForeignCalls.Upper));
        Assert.IsNull(s_symbols.GetCalleeFacts(site.CallToken));
    }

    [TestMethod]
    public void AThrowHelpersCalls_AreNamed_ItsFailingCodeIsNotRead()
    {
        // Int32.Parse, inlined with its ThrowOverflowOrFormatException, calls Number.ThrowFormatException from the caller's
        // frame (Fresh5.ValidateSignUps in fully optimized code): that call is named, though the throw helper is not read further.
        CalleeFacts facts = FactsOfCall(nameof(ForeignCalls.ParseAge), "Int32", "Parse");
        Assert.IsTrue(facts.Calls.ContainsKey(("Number", "ThrowFormatException")), string.Join(", ", facts.Calls.Keys.Where(k => k.MethodName.StartsWith("Throw", StringComparison.Ordinal))));
        Assert.IsFalse(facts.Allocations.ContainsKey("FormatException"), "what the helper builds is not read");
    }

    [TestMethod]
    public void AConstrainedCallOnAStruct_HasTheFactsOfTheStructsOwnMethod()
    {
        // foreach over a List<T> disposes its struct enumerator with `constrained. List<T>.Enumerator callvirt IDisposable.Dispose`:
        // that runs Enumerator.Dispose, which does nothing, not whatever an IDisposable may do (Fresh5.BuildAndWalkATree's
        // OSR code laid out paths.Add's list growth beside that call).
        ILSite dispose = SitesOf(nameof(ForeignCalls.SumList)).Single(s => s.IsCall && s.MethodName == "Dispose");
        Assert.AreNotEqual(0, dispose.ConstrainedToken, "the constrained. prefix is read");

        CalleeFacts? facts = s_symbols.GetConstrainedCalleeFacts(dispose.ConstrainedToken, dispose.CallToken);
        Assert.IsNotNull(facts, "List<int>.Enumerator.Dispose found in the framework");
        Assert.IsFalse(facts.Overridable);
        Assert.IsTrue(facts.Complete);
        Assert.IsEmpty(facts.Calls);
        Assert.IsTrue(s_symbols.GetCalleeFacts(dispose.CallToken) is null or { Overridable: true }, "the interface's own method may run anything");
    }

    [TestMethod]
    public void AJitIntrinsicsStandInIL_IsNotRead()
    {
        // Unsafe.Add's IL is `typeof(T).ToString(); throw new PlatformNotSupportedException();`, which never runs: the
        // JIT implements it. Read, it claimed the exception and its resource strings for every inline array access.
        CalleeFacts facts = FactsOfCall(nameof(ForeignCalls.AddToARef), "Unsafe", "Add");
        Assert.IsEmpty(facts.Allocations, string.Join(", ", facts.Allocations.Keys));
        Assert.IsEmpty(facts.Calls, string.Join(", ", facts.Calls.Keys));
    }

    private static CalleeFacts FactsOfCall(string method, string typeKey, string methodName)
    {
        ILSite site = SitesOf(method).Single(s => s.IsCall && s.TypeKey == typeKey && s.MethodName == methodName);
        Assert.AreNotEqual(0, site.CallToken);
        CalleeFacts? facts = s_symbols.GetCalleeFacts(site.CallToken);
        Assert.IsNotNull(facts, $"{typeKey}.{methodName} not found in the framework");
        return facts;
    }

    private static System.Collections.Immutable.ImmutableArray<ILSite> SitesOf(string method) =>
        s_symbols.GetBody(typeof(ForeignCalls).GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.MetadataToken).Sites;
}

/// <summary>Calls of the framework whose facts the tests read (never run).</summary>
internal static class ForeignCalls
{
    public static ref int AddToARef(ref int first, int index) => ref System.Runtime.CompilerServices.Unsafe.Add(ref first, index);

    public static List<Version> CopyToList(Version[] items) => new(items);

    public static List<TView> Project<TView>(List<string> items, Converter<string, TView> map) => items.ConvertAll(map);

    public static int ParseAge(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    public static int SumList(List<int> values)
    {
        var sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }

        return sum;
    }

    public static string[] ConvertAll(int[] values) => Array.ConvertAll(values, v => v.ToString(CultureInfo.InvariantCulture));

    public static int CountMatches(Regex pattern, string text)
    {
        MatchCollection matches = pattern.Matches(text); // as the conformance shape writes it: the collection is used again
        return matches.Count + matches.Count(m => m.Length > 1);
    }

    public static string Upper(string text) => text.ToUpperInvariant();

    public static HashSet<int> EmptySet() => [];

    public static string CallsItsOwn(string text) => Upper(text);

    public static int BytesAndWords(System.Text.Encoding encoding, Regex words, string text) => encoding.GetBytes(text).Length + words.Split(text).Length;

    public static string Interpolate(int count) => $"count {count}";
}
