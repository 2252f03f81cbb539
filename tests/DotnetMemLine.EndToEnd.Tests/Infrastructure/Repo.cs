namespace DotnetMemLine.EndToEnd.Tests.Infrastructure;

/// <summary>Where the built tool and test targets are, for the configuration these tests were built in.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: read from this assembly's own output folder (bin/CONFIG/net10.0).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string CliDll => Built("src/DotnetMemLine.Cli", "dotnet-memline.dll");

    public static string LineTruthTargetDll => Built("tests/Targets/LineTruthTarget", "LineTruthTarget.dll");

    public static string ShapesTargetDll => Built("tests/Targets/ShapesTarget", "ShapesTarget.dll");

    public static string ConformanceTargetDll => Built("tests/Targets/ConformanceTarget", "ConformanceTarget.dll");

    public static string SampleDll => Built("samples/MessageClassifier", "MessageClassifier.dll");

    /// <summary>A source file of the line-truth target, whose line numbers the tests look up by text.</summary>
    public static string LineTruthSource(string fileName) => Path.Combine(Root, "tests", "Targets", "LineTruthTarget", fileName);

    /// <summary>A source file of the shapes target, whose line numbers the tests look up by text.</summary>
    public static string ShapesSource(string fileName) => Path.Combine(Root, "tests", "Targets", "ShapesTarget", "Shapes", fileName);

    private static string Built(string projectFolder, string fileName)
    {
        string path = Path.Combine(Root, projectFolder, "bin", Configuration, "net10.0", fileName);
        return File.Exists(path) ? path : throw new FileNotFoundException($"not built: {path}");
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DotnetMemLine.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DotnetMemLine.sln not found above " + AppContext.BaseDirectory);
    }
}
