namespace DotnetMemLine.EndToEnd.Tests.Infrastructure;

/// <summary>A console project written into a test's temporary folder, built there by the test (or by the tool it runs).</summary>
internal static class TestProject
{
    private const string ConsoleProject = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
        </Project>
        """;

    /// <summary>Writes <c>{name}.csproj</c> and <c>Program.cs</c> holding <paramref name="program"/>.</summary>
    public static void Write(TempFolder folder, string name, string program)
    {
        File.WriteAllText(folder.File(name + ".csproj"), ConsoleProject);
        File.WriteAllText(folder.File("Program.cs"), program);
    }
}
