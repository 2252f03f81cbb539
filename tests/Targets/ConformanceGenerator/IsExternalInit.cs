namespace System.Runtime.CompilerServices;

// netstandard2.0 lacks the type C# records need for their init accessors.
internal static class IsExternalInit
{
}
