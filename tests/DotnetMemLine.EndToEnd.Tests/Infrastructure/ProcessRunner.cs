using System.Diagnostics;
using System.Text;

namespace DotnetMemLine.EndToEnd.Tests.Infrastructure;

/// <summary>The outcome of a finished process.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}

/// <summary>A started process whose output is captured line by line.</summary>
internal sealed class RunningProcess : IDisposable
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    private RunningProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => OnLine(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public static RunningProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        return new RunningProcess(Process.Start(startInfo)!);
    }

    /// <summary>
    /// Starts `dotnet dotnet-memline.dll args...`. The tests ask no symbol server on the internet for a missing PDB
    /// (DOTNET_MEMLINE_SYMBOL_SERVERS empty) unless they set the variable: they are hermetic.
    /// </summary>
    public static RunningProcess StartTool(IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var withDefaults = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        withDefaults.TryAdd("DOTNET_MEMLINE_SYMBOL_SERVERS", "");
        return Start("dotnet", new[] { Repo.CliDll }.Concat(arguments), workingDirectory, withDefaults);
    }

    /// <summary>Runs dotnet-memline to completion and checks that it succeeded.</summary>
    public static async Task<ProcessResult> RunToolToSuccessAsync(params string[] arguments)
    {
        using RunningProcess tool = StartTool(arguments);
        ProcessResult result = await tool.WaitForExitAsync(TimeSpan.FromMinutes(3)).ConfigureAwait(false);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        return result;
    }

    /// <summary>Waits for a line (stdout or stderr) that satisfies <paramref name="match"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            foreach (string line in (_stdout.ToString() + _stderr.ToString()).Split('\n'))
            {
                if (match(line.TrimEnd('\r')))
                {
                    return line;
                }
            }

            _waiters.Add((match, found));
        }

        Task winner = await Task.WhenAny(found.Task, Task.Delay(timeout), Process.WaitForExitAsync()).ConfigureAwait(false);
        return winner == found.Task
            ? await found.Task.ConfigureAwait(false)
            : throw new TimeoutException($"no matching line within {timeout} (exited: {Process.HasExited}); output so far:\n{_stdout}\n{_stderr}");
    }

    public async Task<ProcessResult> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Process.Kill(entireProcessTree: true);
            throw new TimeoutException($"process did not exit within {timeout}; output so far:\n{_stdout}\n{_stderr}");
        }

        Process.WaitForExit(); // drains the asynchronous readers
        lock (_waiters)
        {
            return new ProcessResult(Process.ExitCode, _stdout.ToString(), _stderr.ToString());
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(5_000); // reaped, so later tests listing processes do not see it
        }

        Process.Dispose();
    }

    private void OnLine(StringBuilder sink, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_waiters)
        {
            sink.AppendLine(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                waiter.Found.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }
}
