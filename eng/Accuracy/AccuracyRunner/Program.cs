using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace AccuracyRunner;

/// <summary>
/// The accuracy suite: profiles AccuracyTarget many times with the real tool, in both recording
/// modes, compares every checked line with the exact truth the target measured, and prints the
/// Markdown report on stdout (progress goes to stderr). Also writes report.md and every
/// observation (observations.csv) to the work folder.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (args is ["-h" or "--help"])
        {
            Console.WriteLine(SuiteOptions.Usage);
            return 0;
        }

        if (!SuiteOptions.TryParse(args, out SuiteOptions? options, out string error))
        {
            Console.Error.WriteLine($"accuracy: {error}");
            Console.Error.WriteLine(SuiteOptions.Usage);
            return 2;
        }

        var recorder = new Recorder(options);
        foreach (string built in new[] { recorder.ToolDll, recorder.TargetDll })
        {
            if (!File.Exists(built))
            {
                Console.Error.WriteLine($"accuracy: {built} is missing; run eng/accuracy.sh, which builds it");
                return 2;
            }
        }

        Directory.CreateDirectory(options.WorkFolder);
        var context = new SuiteContext(
            CommandLine(options),
            $"{Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})",
            RuntimeInformation.FrameworkDescription,
            await DescribeCommitAsync(options.RepoRoot),
            DateTimeOffset.UtcNow);

        var modes = new List<ModeResults>
        {
            await RunModeAsync(RecordingMode.Sampling, options.Runs, recorder.RecordWithSamplingAsync),
        };
        if (options.TickRuns > 0)
        {
            modes.Add(await RunModeAsync(RecordingMode.AllocationTick, options.TickRuns, recorder.RecordWithAllocationTickAsync));
        }

        string report = AccuracyReport.Render(context, modes);
        await File.WriteAllTextAsync(Path.Combine(options.WorkFolder, "report.md"), report);
        await WriteObservationsAsync(Path.Combine(options.WorkFolder, "observations.csv"), modes);
        Console.WriteLine(report);
        Console.Error.WriteLine($"accuracy: report and observations.csv written to {options.WorkFolder}");
        return modes.All(m => m.Runs.Count > 0) ? 0 : 1;
    }

    private static async Task<ModeResults> RunModeAsync(RecordingMode mode, int runs, Func<int, Task<RunObservation>> recordRun)
    {
        var observations = new List<RunObservation>();
        var failures = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        for (int run = 1; run <= runs; run++)
        {
            try
            {
                RunObservation observation = await recordRun(run);
                observations.Add(observation);
                Console.Error.WriteLine(
                    $"accuracy: {mode} run {run}/{runs}: {Statistics.Seconds(observation.Elapsed)}, {Statistics.Count(observation.AllocationSamples)} allocation events, "
                    + $"total of the checked lines {Statistics.Percent((observation.SumOfLineEstimates - observation.TruthBytes) / observation.TruthBytes, signed: true)}");
            }
            catch (Exception exception) when (exception is InvalidOperationException or InvalidDataException or TimeoutException or IOException)
            {
                failures.Add($"{mode} run {run}: {exception.Message}");
                Console.Error.WriteLine($"accuracy: {mode} run {run}/{runs} FAILED: {exception.Message}");
            }
        }

        return new ModeResults(mode, observations, stopwatch.Elapsed, failures);
    }

    private static string CommandLine(SuiteOptions options)
    {
        var command = new StringBuilder("eng/accuracy.sh --runs ").Append(options.Runs);
        if (options.TickRuns != options.Runs)
        {
            command.Append(" --tick-runs ").Append(options.TickRuns);
        }

        return command.ToString();
    }

    /// <summary>"abc1234 (branch accuracy)", with "plus uncommitted changes" when the tree is dirty.</summary>
    private static async Task<string> DescribeCommitAsync(string repoRoot)
    {
        try
        {
            ProcessResult head = await ProcessRunner.RunAsync("git", ["rev-parse", "--short", "HEAD"], repoRoot);
            ProcessResult branch = await ProcessRunner.RunAsync("git", ["rev-parse", "--abbrev-ref", "HEAD"], repoRoot);
            ProcessResult status = await ProcessRunner.RunAsync("git", ["status", "--porcelain", "--untracked-files=no"], repoRoot);
            if (head.ExitCode != 0)
            {
                return "unknown (not a git checkout)";
            }

            string dirty = status.StandardOutput.Trim().Length > 0 ? ", plus uncommitted changes" : "";
            return $"{head.StandardOutput.Trim()} (branch {branch.StandardOutput.Trim()}{dirty})";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown (git not found)";
        }
    }

    private static async Task WriteObservationsAsync(string path, IReadOnlyList<ModeResults> modes)
    {
        var csv = new StringBuilder("mode,run,method,line,truth_bytes,estimate_bytes,low_bytes,high_bytes,samples,low_confidence,label\n");
        foreach (LineObservation line in modes.SelectMany(m => m.Runs).SelectMany(r => r.Lines))
        {
            csv.AppendLine(string.Join(
                ',',
                line.Mode,
                line.Run.ToString(CultureInfo.InvariantCulture),
                line.Method,
                line.Line.ToString(CultureInfo.InvariantCulture),
                line.TruthBytes.ToString(CultureInfo.InvariantCulture),
                Number(line.EstimateBytes),
                Number(line.LowBytes),
                Number(line.HighBytes),
                line.Samples.ToString(CultureInfo.InvariantCulture),
                line.LowConfidence?.ToString() ?? "",
                "\"" + line.Label.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
        }

        await File.WriteAllTextAsync(path, csv.ToString());

        static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
    }
}
