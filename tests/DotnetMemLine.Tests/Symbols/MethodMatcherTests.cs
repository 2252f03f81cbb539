using DotnetMemLine.Symbols;

namespace DotnetMemLine.Tests.Symbols;

[TestClass]
public sealed class MethodMatcherTests
{
    private static readonly MethodIdentity[] Methods =
    [
        Method("Shop.Orders", "OrderService", "PlaceOrder", "(int, string)", 1),
        Method("Shop.Orders", "OrderService", "PlaceOrder", "(Order)", 2),
        Method("Shop.Orders", "OrderService", "CancelOrder", "(int)", 3),
        Method("Shop.Billing", "InvoiceService", "PlaceOrder", "()", 4),
        Method("Shop.Billing", "InvoiceService", "Render", "(List<string>, int?)", 5),
        Method("Shop.Billing", "InvoiceService.Line", "Render", "()", 6),
        Method("Shop", "OrderServiceFactory", "Create", "()", 7),
        Method("", "Program", "<Main>$", "(string[])", 8),
        Method("Shop.Orders", "OrderService", ".ctor", "()", 9),
        Method("Shop.Orders", "orderservice", "placeorder", "()", 10),
        Method("Shop.Orders", "OrderService", "get_Total", "()", 11),
        Method("Shop.Orders", "OrderService", "set_Total", "(decimal)", 12),
        Method("Shop.Billing", "InvoiceService.Line", ".ctor", "(int)", 13),
    ];

    [TestMethod]
    [DataRow("CancelOrder", new[] { 3 }, DisplayName = "method name")]
    [DataRow("OrderService.CancelOrder", new[] { 3 }, DisplayName = "type and method")]
    [DataRow("Shop.Orders.OrderService.CancelOrder", new[] { 3 }, DisplayName = "full name")]
    [DataRow("Orders.OrderService.CancelOrder", new[] { 3 }, DisplayName = "partial namespace")]
    [DataRow("Line.Render", new[] { 6 }, DisplayName = "nested type")]
    [DataRow("InvoiceService.Line.Render", new[] { 6 }, DisplayName = "outer and nested type")]
    [DataRow("Render", new[] { 5, 6 }, DisplayName = "same name in two types")]
    [DataRow("PlaceOrder", new[] { 1, 2, 4 }, DisplayName = "overloads and namesakes all returned")]
    [DataRow("OrderService.PlaceOrder", new[] { 1, 2 }, DisplayName = "overloads of one type")]
    [DataRow("Service.CancelOrder", new int[0], DisplayName = "no match inside a segment")]
    [DataRow("Order", new int[0], DisplayName = "no match on a prefix")]
    [DataRow("Main", new[] { 8 }, DisplayName = "top-level statements as Main")]
    [DataRow("OrderService..ctor", new[] { 9 }, DisplayName = "constructor")]
    [DataRow("OrderService.OrderService()", new[] { 9 }, DisplayName = "constructor as C# names it")]
    [DataRow("Line.Line(int)", new[] { 13 }, DisplayName = "constructor of a nested type")]
    [DataRow("get_Total", new[] { 11 }, DisplayName = "property getter by its metadata name")]
    [DataRow("OrderService.Total", new[] { 11, 12 }, DisplayName = "property: both accessors")]
    [DataRow("Total.set", new[] { 12 }, DisplayName = "property setter")]
    [DataRow("Create<T>", new[] { 7 }, DisplayName = "type arguments ignored")]
    [DataRow("OrderServiceFactory<Dictionary<int, List<T>>>.Create<T>", new[] { 7 }, DisplayName = "nested type arguments of the type ignored")]
    [DataRow(" OrderService . CancelOrder ", new[] { 3 }, DisplayName = "whitespace ignored")]
    public void Match_BySuffixAtSegmentBoundaries(string pattern, int[] expectedTokens)
    {
        CollectionAssert.AreEquivalent(expectedTokens, Tokens(MethodMatcher.Match(pattern, Methods, m => m)));
    }

    [TestMethod]
    [DataRow("PlaceOrder(int,string)", new[] { 1 })]
    [DataRow("PlaceOrder( int , string )", new[] { 1 })]
    [DataRow("PlaceOrder(Int32, System.String)", new[] { 1 })]
    [DataRow("PlaceOrder(int id, string name)", new[] { 1 })]
    [DataRow("OrderService.PlaceOrder(Order)", new[] { 2 })]
    [DataRow("PlaceOrder()", new[] { 4 })]
    [DataRow("Render(List<String>, Nullable<int>)", new[] { 5 })]
    [DataRow("Render(System.Collections.Generic.List<string> lines, int? max)", new[] { 5 })]
    [DataRow("PlaceOrder(long)", new int[0])]
    public void Match_WithParameterList_PicksTheOverload(string pattern, int[] expectedTokens)
    {
        CollectionAssert.AreEquivalent(expectedTokens, Tokens(MethodMatcher.Match(pattern, Methods, m => m)));
    }

    [TestMethod]
    public void Match_PrefersCaseSensitiveMatchesAndFallsBackToIgnoringCase()
    {
        CollectionAssert.AreEquivalent(new[] { 3 }, Tokens(MethodMatcher.Match("CancelOrder", Methods, m => m)));
        CollectionAssert.AreEquivalent(new[] { 10 }, Tokens(MethodMatcher.Match("orderservice.placeorder", Methods, m => m)));
        CollectionAssert.AreEquivalent(new[] { 3 }, Tokens(MethodMatcher.Match("orderservice.cancelorder", Methods, m => m)));
    }

    [TestMethod]
    public void Match_WorksOnAnyCandidateShape()
    {
        var wrapped = Methods.Select(m => (Identity: m, Label: m.Token.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();

        var matches = MethodMatcher.Match("CancelOrder", wrapped, w => w.Identity);

        Assert.AreEqual("3", matches.Single().Label);
    }

    [TestMethod]
    public void Match_WithAnEmptyPattern_FindsNothing()
    {
        Assert.IsEmpty(MethodMatcher.Match("  ", Methods, m => m));
    }

    [TestMethod]
    public void Suggest_OffersTheClosestNamesForATypo()
    {
        var suggestions = MethodMatcher.Suggest("CancelOrdr", Methods);

        Assert.AreEqual("Shop.Orders.OrderService.CancelOrder", suggestions[0]);
        Assert.HasCount(3, suggestions);
    }

    [TestMethod]
    public void Suggest_IgnoresCaseAndListsEachNameOnce()
    {
        var suggestions = MethodMatcher.Suggest("PLACEORDR", Methods, count: 10);

        Assert.HasCount(suggestions.Distinct().Count(), suggestions);
        CollectionAssert.IsSubsetOf(
            new[] { "Shop.Orders.OrderService.PlaceOrder", "Shop.Billing.InvoiceService.PlaceOrder" },
            suggestions.Take(3).ToArray());
    }

    [TestMethod]
    public void Suggest_UsesTheTypeToBreakTies()
    {
        var suggestions = MethodMatcher.Suggest("InvoiceServise.PlaceOrder", Methods, count: 1);

        CollectionAssert.AreEqual(new[] { "Shop.Billing.InvoiceService.PlaceOrder" }, suggestions.ToArray());
    }

    [TestMethod]
    public void Suggest_RanksNamesContainingTheTypedOneFirst()
    {
        var suggestions = MethodMatcher.Suggest("Cancel", Methods, count: 1);

        CollectionAssert.AreEqual(new[] { "Shop.Orders.OrderService.CancelOrder" }, suggestions.ToArray());
    }

    [TestMethod]
    public void Suggest_RanksTheApplicationsOwnMethodsFirst_AtTheSameCloseness()
    {
        // A library's one-letter method R is inside the typed "ProcessOrdrs", which is no reason to suggest it first; and
        // at the same closeness the application's own method would come first.
        MethodIdentity library = new("LibsApp", "T", "R", "()", 0x06000100, "/app/LibsApp.dll");
        MethodIdentity own = new("Work", "Jobs", "ProcessOrders", "()", 0x06000001, "/app/Work.dll");
        var suggestions = MethodMatcher.Suggest("ProcessOrdrs", [library, own], count: 2, preferred: m => m.ModulePath == "/app/Work.dll");

        Assert.AreEqual("Work.Jobs.ProcessOrders, LibsApp.T.R", string.Join(", ", suggestions));
        MethodIdentity libraryTwin = own with { Namespace = "Lib", ModulePath = "/app/Lib.dll" };
        Assert.AreEqual("Work.Jobs.ProcessOrders", MethodMatcher.Suggest("ProcessOrdrs", [libraryTwin, own], count: 1, preferred: m => m.ModulePath == "/app/Work.dll").Single());
    }

    [TestMethod]
    public void NormalizeParameters_CanonicalizesSpellings()
    {
        Assert.AreEqual("int,string", MethodMatcher.NormalizeParameters("( Int32 count, System.String )"));
        Assert.AreEqual("int,long", MethodMatcher.NormalizeParameters("(ref int a, out Int64 b)"));
        Assert.AreEqual("Dictionary<string,List<int>>,(int,string)", MethodMatcher.NormalizeParameters("(Dictionary<string, List<int>> map, (int, string) pair)"));
        Assert.AreEqual("int[],int?", MethodMatcher.NormalizeParameters("(int [] values, int? x = null)"));
        Assert.AreEqual(string.Empty, MethodMatcher.NormalizeParameters("()"));
    }

    private static MethodIdentity Method(string ns, string type, string name, string parameters, int token) =>
        new(ns, type, name, parameters, token, "/app/Shop.dll");

    private static int[] Tokens<T>(IEnumerable<T> matches) where T : notnull =>
        matches.Select(m => m switch
        {
            MethodIdentity identity => identity.Token,
            _ => throw new InvalidOperationException(),
        }).ToArray();
}
