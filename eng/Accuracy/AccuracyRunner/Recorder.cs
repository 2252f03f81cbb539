namespace AccuracyRunner;

/// <summary>
/// Runs the target once under the real tool, in either recording mode, and reads the result.
/// </summary>
internal sealed class Recorder(SuiteOptions options)
{
    /// <summary>
    /// The target's methods to profile: every method whose lines AccuracyTarget's Truth records
    /// (its method names list). The target's workload lives in the Workload class.
    /// </summary>
    public static readonly IReadOnlyList<string> Methods =
    [
        "Workload.SizeLadder",
        "Workload.Periodic",
        "Workload.SharedByThreads",
        "Workload.ParallelBody",
        "Workload.FewSamples",
    ];

    /// <summary>
    /// dotnet-trace providers for AllocationTick: GC (0x1) at Verbose, Loader (0x8), Jit (0x10) and
    /// IL-to-native maps (0x20000). Without AllocationSampling (0x80000000000): on .NET 10, enabling
    /// it silences AllocationTick.
    /// </summary>
    public const string AllocationTickProviders = "Microsoft-Windows-DotNETRuntime:0x20019:5";

    public string ToolDll { get; } = Path.Combine(options.RepoRoot, "src", "DotnetMemLine.Cli", "bin", "Release", "net10.0", "dotnet-memline.dll");

    public string TargetDll { get; } = Path.Combine(options.RepoRoot, "eng", "Accuracy", "AccuracyTarget", "bin", "Release", "net10.0", "AccuracyTarget.dll");

    /// <summary><c>dotnet-memline run --method … --format json -o trace -- dotnet AccuracyTarget.dll truth.json</c>.</summary>
    public async Task<RunObservation> RecordWithSamplingAsync(int run)
    {
        (string folder, string trace, string truth) = PrepareRunFolder(RecordingMode.Sampling, run);
        List<string> arguments = [ToolDll, "run", .. MethodArguments(), "--format", "json", "-o", trace, "--", "dotnet", TargetDll, truth];
        ProcessResult result = await ProcessRunner.RunAsync("dotnet", arguments, folder);
        EnsureSucceeded(result, $"sampling run {run}: dotnet-memline run");
        return Finish(RecordingMode.Sampling, run, result.Elapsed, result.StandardOutput, trace, truth);
    }

    /// <summary>
    /// <c>dotnet dotnet-trace collect --providers … -o trace -- dotnet AccuracyTarget.dll truth.json</c>
    /// (the dotnet-trace pinned in .config/dotnet-tools.json, so run from the repository root),
    /// then <c>dotnet-memline analyze trace --method … --format json</c>.
    /// </summary>
    public async Task<RunObservation> RecordWithAllocationTickAsync(int run)
    {
        (_, string trace, string truth) = PrepareRunFolder(RecordingMode.AllocationTick, run);
        ProcessResult recorded = await ProcessRunner.RunAsync(
            "dotnet",
            ["dotnet-trace", "collect", "--providers", AllocationTickProviders, "-o", trace, "--", "dotnet", TargetDll, truth],
            options.RepoRoot);
        EnsureSucceeded(recorded, $"AllocationTick run {run}: dotnet-trace collect");

        ProcessResult analyzed = await ProcessRunner.RunAsync(
            "dotnet",
            [ToolDll, "analyze", trace, .. MethodArguments(), "--format", "json"],
            options.RepoRoot);
        EnsureSucceeded(analyzed, $"AllocationTick run {run}: dotnet-memline analyze");
        return Finish(RecordingMode.AllocationTick, run, recorded.Elapsed + analyzed.Elapsed, analyzed.StandardOutput, trace, truth);
    }

    private static IEnumerable<string> MethodArguments() => Methods.SelectMany(m => new[] { "--method", m });

    private static void EnsureSucceeded(ProcessResult result, string what)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.Describe(what));
        }
    }

    private (string Folder, string Trace, string Truth) PrepareRunFolder(RecordingMode mode, int run)
    {
        string folder = Path.Combine(options.WorkFolder, mode == RecordingMode.Sampling ? "sampling" : "allocation-tick", $"run-{run:000}");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        return (folder, Path.Combine(folder, "trace.nettrace"), Path.Combine(folder, "truth.json"));
    }

    private RunObservation Finish(RecordingMode mode, int run, TimeSpan elapsed, string reportJson, string trace, string truth)
    {
        File.WriteAllText(Path.ChangeExtension(trace, ".json"), reportJson);
        if (!options.KeepTraces)
        {
            File.Delete(trace);
        }

        return ObservationReader.Read(mode, run, elapsed, reportJson, truth);
    }
}
