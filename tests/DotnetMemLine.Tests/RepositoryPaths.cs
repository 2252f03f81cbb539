using System.Runtime.CompilerServices;

namespace DotnetMemLine.Tests;

/// <summary>Where this clone's files are, found from this source file's own path (tests run in the clone they were built from).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = RootOf();

    public static string Tests => Path.Combine(Root, "tests", "DotnetMemLine.Tests");

    private static string RootOf([CallerFilePath] string thisFile = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", ".."));
}
