namespace ConformanceTarget.Shapes;

/// <summary>Records, tuples, spans, generic/virtual/interface calls, constructors, properties, params.</summary>
internal static partial class Types
{
    [Conformance("types")]
    public static void RecordsAndWith()
    {
        var person = new Person("Ada", 36, "London");
        var older = person with { Age = 37 };
        var text = person.ToString();
        var equal = person == older;
        Sink.Keep(person);
        Sink.Keep(older);
        Sink.Keep(text);
        Sink.Keep(equal ? 1L : 0L);
    }

    [Conformance("types")]
    public static void Tuples()
    {
        var pair = (Name: "x", Data: new byte[100]);
        var boxed = (object)(1, 2);
        var reference = Tuple.Create(1, "a");
        var (name, data) = pair;
        var swapped = (data.Length, name);
        Sink.Keep(pair.Data);
        Sink.Keep(boxed);
        Sink.Keep(reference);
        Sink.Keep(swapped.Length);
    }

    [Conformance("types")]
    public static void StackallocAndSpans()
    {
        Span<byte> buffer = stackalloc byte[256];
        buffer.Fill(1);
        var slice = buffer[..16];
        var sum = 0;
        foreach (var b in slice)
        {
            sum += b;
        }

        var text = sum.ToString();
        Sink.Keep(text);
    }

    [Conformance("types")]
    public static void GenericCalls()
    {
        var strings = Make<string>(100);
        var numbers = Make<long>(2_000);
        var pair = MakePair(1, "x");
        var defaulted = Filled(7.5, 300);
        Sink.Keep(strings);
        Sink.Keep(numbers);
        Sink.Keep(pair);
        Sink.Keep(defaulted);
    }

    [Conformance("types")]
    public static void VirtualAndInterfaceCalls()
    {
        Animal animal = new Dog();
        var sound = animal.Speak();
        IShape shape = new Circle(2);
        var description = shape.Describe();
        var shapes = new IShape[] { new Circle(1), new Square(3) };
        var descriptions = shapes.Select(s => s.Describe()).ToList();
        Sink.Keep(sound);
        Sink.Keep(description);
        Sink.Keep(descriptions);
    }

    [Conformance("types")]
    public static void ConstructorsAndProperties()
    {
        var customer = new Customer("Ada");
        var orders = customer.Orders;
        customer.Name = "Lovelace " + orders.Length.ToString();
        var summary = customer.Summary;
        var catalog = new Catalog();
        Sink.Keep(customer);
        Sink.Keep(summary);
        Sink.Keep(catalog);
    }

    [Conformance("types")]
    public static void StaticConstructorAndParams()
    {
        var table = Lookup.Table;
        var total = Sum(1, 2, 3, 4, 5);
        var viaSpan = SumSpan(1, 2, 3);
        var formatted = string.Concat("a", "b", "c", "d", "e");
        Sink.Keep(table);
        Sink.Keep(total + viaSpan);
        Sink.Keep(formatted);
    }

    private static T[] Make<T>(int count) => new T[count];

    private static KeyValuePair<TKey, TValue>[] MakePair<TKey, TValue>(TKey key, TValue value) => [new(key, value)];

    private static List<T> Filled<T>(T value, int count) => Enumerable.Repeat(value, count).ToList();

    private static int Sum(params int[] values) => values.Sum();

    private static int SumSpan(params ReadOnlySpan<int> values)
    {
        var total = 0;
        foreach (var value in values)
        {
            total += value;
        }

        return total;
    }

    // No array member: printing one formats its type's name, which the runtime caches weakly, so the
    // first ToString after a collection allocates more than the next (twin and plain would differ).
    private sealed record Person(string Name, int Age, string City);

    private abstract class Animal
    {
        public abstract string Speak();
    }

    private sealed class Dog : Animal
    {
        public override string Speak() => new string('w', 64);
    }

    private interface IShape
    {
        string Describe();
    }

    private sealed class Circle(int radius) : IShape
    {
        public string Describe() => "circle " + radius.ToString();
    }

    private sealed class Square(int side) : IShape
    {
        public string Describe() => "square " + new string('s', side);
    }

    private sealed class Customer
    {
        private readonly int[] _orders;

        public Customer(string name)
        {
            Name = name;
            _orders = new int[500];
        }

        public string Name { get; set; }

        public int[] Orders => (int[])_orders.Clone();

        public string Summary => Name + " has " + _orders.Length.ToString();
    }

    private sealed class Catalog
    {
        public List<string> Items { get; } = new(300);

        public Dictionary<string, int> Index { get; } = new(200);
    }

    private static class Lookup
    {
        public static readonly int[] Table = BuildTable();

        private static int[] BuildTable() => new int[4_000];
    }
}
