using DotnetMemLine.EndToEnd.Tests.Infrastructure;

[assembly: DoNotParallelize] // Each test starts real processes; on 2 cores they must not compete for CPU.

namespace DotnetMemLine.EndToEnd.Tests;

[TestClass]
public static class EndToEndAssembly
{
    /// <summary>Restores the pinned dotnet-trace (.config/dotnet-tools.json), used to record peer traces.</summary>
    [AssemblyInitialize]
    public static async Task RestoreToolsAsync(TestContext context)
    {
        _ = context;
        using RunningProcess restore = RunningProcess.Start("dotnet", ["tool", "restore"], Repo.Root);
        ProcessResult result = await restore.WaitForExitAsync(TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
    }
}
