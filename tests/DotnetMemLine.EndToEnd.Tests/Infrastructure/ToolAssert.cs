namespace DotnetMemLine.EndToEnd.Tests.Infrastructure;

/// <summary>Checks on how the tool fails: its exit code, and one readable error line on stderr.</summary>
internal static class ToolAssert
{
    private const string ErrorPrefix = "dotnet-memline: error: ";

    /// <summary>
    /// The failure is one line starting with "dotnet-memline: error:", with no stack trace. Commands
    /// that recorded before failing (run) may also have printed their status lines ("Trace saved: ...").
    /// </summary>
    public static void FailsWith(ProcessResult result, int expectedExitCode, string expectedText)
    {
        Assert.AreEqual(expectedExitCode, result.ExitCode, result.ToString());
        string[] errorLines = [.. result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith(ErrorPrefix, StringComparison.Ordinal))];
        Assert.HasCount(1, errorLines, "expected exactly one error line on stderr:\n" + result.StandardError);
        Assert.Contains(expectedText, errorLines[0]);
        Assert.DoesNotContain("   at ", result.StandardError, "a stack trace leaked to the user");
        Assert.DoesNotContain("Unhandled exception", result.StandardError, "an exception leaked to the user");
    }
}
