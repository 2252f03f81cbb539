using System.Diagnostics;
using System.Globalization;
using DotnetMemLine.EndToEnd.Tests.Infrastructure;

namespace DotnetMemLine.EndToEnd.Tests;

/// <summary>
/// `collect --live` in a real terminal: the top lines are redrawn in place while the recording runs, and Ctrl+C still
/// leaves the trace and prints the final table. The terminal is tmux, whose screen can be read back (.ci/run installs
/// it); on a machine without it, util-linux's `script` (always there) gives the tool a terminal, and the redraws are
/// read from the raw output.
/// </summary>
[TestClass]
public sealed class LiveViewTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [TestMethod]
    public async Task Live_RedrawsTheTopLines_InATerminal_AndCtrlCPrintsTheFinalTable()
    {
        using var folder = new TempFolder();
        string session = "memline-live-" + Guid.NewGuid().ToString("N")[..8];
        using RunningProcess target = RunningProcess.Start("dotnet", [Repo.ShapesTargetDll, "hotspot", folder.File("truth.json"), "--wait-for-go", "--rounds", "1000"]);
        await target.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Timeout);
        string pid = target.Process.Id.ToString(CultureInfo.InvariantCulture);
        string trace = folder.File("live.nettrace");
        string command = $"dotnet {Repo.CliDll} collect -p {pid} --live --refresh-interval 1 --top 3 -o {trace}; echo exit=$? > {folder.File("exit")}";
        if (!HasTmux())
        {
            await ThroughScriptAsync(target, command, trace, folder.File("exit"));
            return;
        }

        await Tmux("new-session", "-d", "-s", session, "-x", "220", "-y", "60", command);
        try
        {
            await Tmux("set-option", "-t", session, "remain-on-exit", "on");
            await target.Process.StandardInput.WriteLineAsync("go");
            await target.Process.StandardInput.FlushAsync();

            // Two frames with the hottest line (the lambda's arrays, twice any other line), drawn at different times of the recording.
            string first = await PaneAsync(session, p => p.Contains("Live: process", StringComparison.Ordinal) && p.Contains("id => new int[IntsPerRow]);", StringComparison.Ordinal));
            string firstClock = LiveHeader(first);
            string second = await PaneAsync(session, p => p.Contains("id => new int[IntsPerRow]);", StringComparison.Ordinal) && LiveHeader(p) is { Length: > 0 } h && h != firstClock);
            Assert.AreEqual(1, Count(second, "Live: process"), "the frame is drawn in place, not below the last one:\n" + second);

            await Tmux("send-keys", "-t", session, "C-c");
            string final = await PaneAsync(session, _ => File.Exists(folder.File("exit")));
            Assert.AreEqual("exit=0", File.ReadAllText(folder.File("exit")).Trim(), final);
            Assert.Contains("Trace saved: " + trace, final, final);
            Assert.Contains("Top lines:", final, final);
            Assert.IsTrue(new FileInfo(trace).Length > 0, final);
        }
        finally
        {
            await Tmux("kill-session", "-t", session);
            await target.Process.StandardInput.WriteLineAsync("exit");
            await target.Process.StandardInput.FlushAsync();
            if (!target.Process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                target.Process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>The same, in a terminal made by `script`: each frame starts by clearing the screen.</summary>
    private static async Task ThroughScriptAsync(RunningProcess target, string command, string trace, string exitFile)
    {
        const string Frame = "\u001b[H\u001b[2JLive: process";
        using RunningProcess terminal = RunningProcess.Start("script", ["-qfec", command, "/dev/null"]);
        try
        {
            await target.Process.StandardInput.WriteLineAsync("go");
            await target.Process.StandardInput.FlushAsync();
            var headers = new HashSet<string>(StringComparer.Ordinal);
            await terminal.WaitForLineAsync(l => l.Contains(Frame, StringComparison.Ordinal) && headers.Add(l) && headers.Count == 3, Timeout);
            await terminal.WaitForLineAsync(l => l.Contains("id => new int[IntsPerRow]);", StringComparison.Ordinal), Timeout);
            await terminal.Process.StandardInput.WriteAsync("\u0003"); // Ctrl+C, through the terminal
            await terminal.Process.StandardInput.FlushAsync();
            ProcessResult result = await terminal.WaitForExitAsync(Timeout);
            Assert.AreEqual("exit=0", File.ReadAllText(exitFile).Trim(), result.ToString());
            string afterLastFrame = result.StandardOutput[result.StandardOutput.LastIndexOf(Frame, StringComparison.Ordinal)..];
            Assert.Contains("Trace saved: " + trace, afterLastFrame, result.ToString());
            Assert.Contains("Top lines:", afterLastFrame[afterLastFrame.IndexOf("Trace saved", StringComparison.Ordinal)..], result.ToString());
        }
        finally
        {
            await target.Process.StandardInput.WriteLineAsync("exit");
            await target.Process.StandardInput.FlushAsync();
            if (!target.Process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                target.Process.Kill(entireProcessTree: true);
            }
        }
    }

    private static bool HasTmux() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(folder => File.Exists(Path.Combine(folder, "tmux")))
        && Environment.GetEnvironmentVariable("MEMLINE_TEST_NO_TMUX") != "1";

    private static string LiveHeader(string pane) =>
        pane.Split('\n').FirstOrDefault(l => l.StartsWith("Live: process", StringComparison.Ordinal)) ?? "";

    private static int Count(string text, string part) => text.Split(part).Length - 1;

    /// <summary>The visible pane once it satisfies <paramref name="ready"/>, polled.</summary>
    private static async Task<string> PaneAsync(string session, Func<string, bool> ready)
    {
        var clock = Stopwatch.StartNew();
        string pane = "";
        while (clock.Elapsed < Timeout)
        {
            pane = await Tmux("capture-pane", "-p", "-t", session);
            if (ready(pane))
            {
                return pane;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the pane never showed what was awaited; last:\n{pane}");
    }

    private static async Task<string> Tmux(params string[] arguments)
    {
        using RunningProcess tmux = RunningProcess.Start("tmux", arguments);
        ProcessResult result = await tmux.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return result.StandardOutput;
    }
}
