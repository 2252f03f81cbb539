using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace DotnetMemLine.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One real recording of the shapes target (tests/Targets/ShapesTarget): the tool's JSON report, the
/// exact truth the target wrote, and the trace. The files stay on disk when a test fails (the folder
/// is named in every failure message) and are deleted on dispose otherwise.
/// </summary>
internal sealed class ShapeRecording : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly TempFolder _folder;
    private bool _keep;

    private ShapeRecording(TempFolder folder, ProcessResult tool, TruthFile truth)
    {
        _folder = folder;
        Tool = tool;
        Truth = truth;
        Report = JsonDocument.Parse(tool.StandardOutput.Length > 0 ? tool.StandardOutput : "{}"); // empty when the report went to a file (--report)
    }

    public ProcessResult Tool { get; }

    public JsonDocument Report { get; }

    public TruthFile Truth { get; }

    public string TracePath => _folder.File("shapes.nettrace");

    /// <summary>
    /// `run --method M… --format json -- dotnet ShapesTarget.dll shapes truth.json`: the session is open
    /// from the target's first instruction, so every code version of every method is in the trace.
    /// </summary>
    public static Task<ShapeRecording> RunAsync(string shapes, params string[] methods) => RunAsync(shapes, [], methods);

    /// <summary>As <see cref="RunAsync(string, string[])"/>, with more options for the tool (e.g. <c>--buffer-size 1</c>).</summary>
    public static Task<ShapeRecording> RunAsync(string shapes, IReadOnlyList<string> toolOptions, params string[] methods) =>
        RunAsync(shapes, toolOptions, environment: null, methods);

    /// <summary>As <see cref="RunAsync(string, IReadOnlyList{string}, string[])"/>, with environment variables for the tool and the target it starts.</summary>
    public static async Task<ShapeRecording> RunAsync(string shapes, IReadOnlyList<string> toolOptions, IReadOnlyDictionary<string, string>? environment, params string[] methods)
    {
        var folder = new TempFolder();
        string truthPath = folder.File("truth.json");
        List<string> arguments = ["run", .. MethodOptions(methods), .. toolOptions, "--format", "json", "-o", folder.File("shapes.nettrace"),
            "--", "dotnet", Repo.ShapesTargetDll, shapes, truthPath];
        using RunningProcess tool = RunningProcess.StartTool(arguments, environment: environment);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);
        Assert.AreEqual(0, result.ExitCode, $"dotnet-memline {string.Join(' ', arguments)}\nfiles kept in {folder.Path}\n{result}");
        return new ShapeRecording(folder, result, Infrastructure.Truth.ReadFile(truthPath));
    }

    /// <summary>
    /// `collect -p PID --method M…` on a warmed-up target (its code compiled, at its final tier, before
    /// the session starts): attach, let the target run its shapes once, then stop the session with
    /// Ctrl+C (SIGINT) while the target is still alive, as with a production process.
    /// </summary>
    public static Task<ShapeRecording> CollectAsync(string shapes, params string[] methods) => CollectAsync(shapes, [], methods);

    /// <summary>As <see cref="CollectAsync(string, string[])"/>, with more options for the tool (e.g. <c>--async</c>).</summary>
    public static Task<ShapeRecording> CollectAsync(string shapes, IReadOnlyList<string> toolOptions, params string[] methods) =>
        CollectAsync(shapes, toolOptions, targetEnvironment: null, methods);

    /// <summary>As <see cref="CollectAsync(string, IReadOnlyList{string}, string[])"/>, with environment variables for the target.</summary>
    public static async Task<ShapeRecording> CollectAsync(string shapes, IReadOnlyList<string> toolOptions, IReadOnlyDictionary<string, string>? targetEnvironment, params string[] methods)
    {
        var folder = new TempFolder();
        string truthPath = folder.File("truth.json");
        using RunningProcess target = RunningProcess.Start("dotnet", [Repo.ShapesTargetDll, shapes, truthPath, "--wait-for-go"], environment: targetEnvironment);
        await target.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Timeout);

        string pid = target.Process.Id.ToString(CultureInfo.InvariantCulture);
        List<string> arguments = ["collect", "-p", pid, .. MethodOptions(methods), .. toolOptions, .. toolOptions.Contains("--format") ? [] : new[] { "--format", "json" }, "-o", folder.File("shapes.nettrace")];
        using RunningProcess tool = RunningProcess.StartTool(arguments);
        await tool.WaitForLineAsync(l => l.StartsWith("Recording process", StringComparison.Ordinal), Timeout);
        await target.Process.StandardInput.WriteLineAsync("go");
        await target.Process.StandardInput.FlushAsync();
        await target.WaitForLineAsync(l => l == "done", Timeout);

        using (Process interrupt = Process.Start("kill", ["-INT", tool.Process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }

        ProcessResult result = await tool.WaitForExitAsync(Timeout);
        await target.Process.StandardInput.WriteLineAsync("exit");
        await target.Process.StandardInput.FlushAsync();
        ProcessResult targetResult = await target.WaitForExitAsync(Timeout);
        Assert.AreEqual(0, targetResult.ExitCode, $"files kept in {folder.Path}\n{targetResult}");
        Assert.AreEqual(0, result.ExitCode, $"dotnet-memline {string.Join(' ', arguments)}\nfiles kept in {folder.Path}\n{result}");
        Assert.Contains("stopped by the user", result.StandardError);
        return new ShapeRecording(folder, result, Infrastructure.Truth.ReadFile(truthPath));
    }

    /// <summary>The table of the <paramref name="index"/>-th --method of the recording.</summary>
    public JsonElement Method(int index) => Report.RootElement.GetProperty("methods")[index];

    /// <summary>`analyze` on this recording's trace with other --method spellings; checks it succeeded.</summary>
    public async Task<JsonDocument> AnalyzeAsync(params string[] methods)
    {
        List<string> arguments = ["analyze", TracePath, .. MethodOptions(methods), "--format", "json"];
        using RunningProcess tool = RunningProcess.StartTool(arguments);
        ProcessResult result = await tool.WaitForExitAsync(Timeout);
        if (result.ExitCode != 0)
        {
            KeepFiles();
        }

        Assert.AreEqual(0, result.ExitCode, $"dotnet-memline {string.Join(' ', arguments)}\nfiles kept in {_folder.Path}\n{result}");
        return JsonDocument.Parse(result.StandardOutput);
    }

    /// <summary>Leaves the trace and truth on disk for whoever investigates a failure.</summary>
    public void KeepFiles() => _keep = true;

    /// <summary>What a failure message says about where to look.</summary>
    public string Where => $"trace {TracePath} and truth {_folder.File("truth.json")} (kept)";

    public void Dispose()
    {
        Report.Dispose();
        if (!_keep)
        {
            _folder.Dispose();
        }
    }

    private static IEnumerable<string> MethodOptions(IEnumerable<string> methods) => methods.SelectMany(m => new[] { "--method", m });
}
