using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using DotnetMemLine.Tests.Symbols.Fixtures;

namespace DotnetMemLine.Tests.Symbols;

/// <summary>The test assembly as a symbol-test subject: its files, its fixture's markers, and doctored copies of it.</summary>
internal static partial class SymbolTestSupport
{
    public static string TestModulePath { get; } = typeof(LineFixture).Assembly.Location;

    public static string TestPdbPath { get; } = Path.ChangeExtension(TestModulePath, ".pdb");

    public static string FixtureSourcePath { get; } = ThisDirectory() is { } dir ? Path.Combine(dir, "Fixtures", "LineFixture.cs") : throw new InvalidOperationException();

    private static readonly Lazy<IReadOnlyDictionary<string, int>> MarkerLines = new(() => ReadMarkers(FixtureSourcePath));

    /// <summary>The 1-based line carrying "@kind:Name" in the fixture source.</summary>
    public static int Marker(string kind, string name) => Marker(MarkerLines.Value, kind, name);

    /// <summary>The 1-based line carrying "@kind:Name" in some other marked source file.</summary>
    public static int Marker(string sourcePath, string kind, string name) => Marker(ReadMarkers(sourcePath), kind, name);

    public static int Token(string methodName) =>
        typeof(LineFixture).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)
            .Single(m => m.Name == methodName || m.Name.Contains($"g__{methodName}|", StringComparison.Ordinal)).MetadataToken;

    /// <summary>Sequence points of a method in the test PDB, read independently of the code under test.</summary>
    public static ImmutableArray<SequencePoint> SequencePoints(int methodToken)
    {
        using var provider = MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(TestPdbPath));
        var reader = provider.GetMetadataReader();
        var handle = MetadataTokens.MethodDefinitionHandle(methodToken & 0xFFFFFF);
        return [.. reader.GetMethodDebugInformation(handle).GetSequencePoints()];
    }

    public static TempDirectory NewTempDirectory() => new();

    /// <summary>
    /// Copies the test dll into <paramref name="directory"/> with the PDB path in its CodeView entry replaced by
    /// one that does not exist, so only the places under test can supply the PDB. The PDB id is left intact.
    /// </summary>
    public static string CopyModuleWithoutPdbPath(string directory)
    {
        var bytes = File.ReadAllBytes(TestModulePath);
        using (var pe = new PEReader(ImmutableCollectionsMarshal.AsImmutableArray((byte[])bytes.Clone())))
        {
            var codeView = pe.ReadDebugDirectory().Single(e => e.Type == DebugDirectoryEntryType.CodeView);
            // CodeView data: "RSDS", 16-byte GUID, 4-byte age, then the NUL-terminated UTF-8 path.
            var start = codeView.DataPointer + 4 + 16 + 4;
            var end = Array.IndexOf(bytes, (byte)0, start);
            bytes[start] = (byte)'/';
            for (var i = start + 1; i < end; i++)
            {
                bytes[i] = (byte)'z';
            }
        }

        var copy = Path.Combine(directory, Path.GetFileName(TestModulePath));
        File.WriteAllBytes(copy, bytes);
        return copy;
    }

    private static int Marker(IReadOnlyDictionary<string, int> markers, string kind, string name) =>
        markers.TryGetValue($"{kind}:{name}", out var line) ? line : throw new InvalidOperationException($"no marker @{kind}:{name}");

    private static Dictionary<string, int> ReadMarkers(string sourcePath)
    {
        var markers = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = File.ReadAllLines(sourcePath);
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (Match match in MarkerPattern().Matches(lines[i]))
            {
                markers.Add(match.Groups[1].Value, i + 1);
            }
        }

        return markers;
    }

    private static string? ThisDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path);

    [GeneratedRegex(@"@(\w+:\w+)")]
    private static partial Regex MarkerPattern();

    internal sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = Directory.CreateTempSubdirectory("memline-symbols-").FullName;
        }

        public string Path { get; }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp directory must not fail a test.
            }
        }
    }
}
