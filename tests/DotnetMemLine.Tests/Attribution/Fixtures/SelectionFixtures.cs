namespace DotnetMemLine.Tests.Attribution.Fixtures;

/// <summary>
/// Application methods that share their names with framework ones (System.Array.Fill, System.Array.Resize),
/// for choosing among a name's matches. Nothing else in this assembly is called Fill or Resize.
/// </summary>
internal static class Shelf
{
    public static T[] Fill<T>(T[] array, T value)
    {
        Array.Fill(array, value);
        return array;
    }
}

/// <summary>One of two application methods named Resize.</summary>
internal static class FirstBuffer
{
    public static T[] Resize<T>(T[] array, int size) => array[..Math.Min(size, array.Length)];
}

/// <summary>The other application method named Resize.</summary>
internal static class SecondBuffer
{
    public static T[] Resize<T>(T[] array, int size) => [.. array, .. new T[Math.Max(0, size - array.Length)]];
}
