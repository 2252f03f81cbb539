using DotnetMemLine.Decoding;

namespace DotnetMemLine.Attribution;

/// <summary>
/// The runtime methods that run, synchronously on the completing thread, the continuations of a task
/// (or a value-task source) that just completed: whoever awaited it resumes right there, on top of the
/// stack of the code that completed it (an async method's closing brace, a <c>SetResult</c> call).
/// Allocations inside such a continuation are the awaiting code's, not the completing code's.
/// </summary>
internal static class ContinuationRunners
{
    private static readonly HashSet<(string Type, string Method)> Runners =
    [
        ("System.Threading.Tasks.Task", "RunContinuations"),
        ("System.Threading.Tasks.AwaitTaskContinuation", "RunOrScheduleAction"),
        ("System.Threading.Tasks.AwaitTaskContinuation", "RunCallback"),
        ("System.Threading.Tasks.Sources.ManualResetValueTaskSourceCore`1", "InvokeContinuation"),
        ("System.Threading.Tasks.Sources.ManualResetValueTaskSourceCore`1", "SignalCompletion"),
    ];

    public static bool Runs(TracedMethod method)
    {
        string type = method.TypeName;
        int generic = type.IndexOf('[', StringComparison.Ordinal);
        return Runners.Contains((generic < 0 ? type : type[..generic], method.MethodName));
    }
}
