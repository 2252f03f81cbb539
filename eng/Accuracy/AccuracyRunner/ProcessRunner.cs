using System.Diagnostics;

namespace AccuracyRunner;

/// <summary>What a finished process printed and returned.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    public string Describe(string what) =>
        $"{what} exited with code {ExitCode} after {Elapsed.TotalSeconds:0.0} s\nstderr:\n{StandardError}\nstdout:\n{Truncate(StandardOutput)}";

    private static string Truncate(string text) => text.Length <= 4_000 ? text : text[..4_000] + "\n…";
}

/// <summary>Runs a command to completion, capturing its output.</summary>
internal static class ProcessRunner
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(10);

    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var stopwatch = Stopwatch.StartNew();
        using Process process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.StandardInput.Close();
        Task<string> standardOutput = process.StandardOutput.ReadToEndAsync();
        Task<string> standardError = process.StandardError.ReadToEndAsync();

        using var timeout = new CancellationTokenSource(s_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {s_timeout.TotalMinutes} minutes");
        }

        return new ProcessResult(process.ExitCode, await standardOutput, await standardError, stopwatch.Elapsed);
    }
}
