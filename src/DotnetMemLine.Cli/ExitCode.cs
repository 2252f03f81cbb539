namespace DotnetMemLine.Cli;

/// <summary>
/// Process exit codes. Each kind of failure has its own code so scripts can tell them apart;
/// README.md and docs/troubleshooting.md list them.
/// </summary>
internal enum ExitCode
{
    Success = 0,
    UnexpectedError = 1,
    UsageError = 2,
    ProcessNotFound = 3,
    NotADotnetProcess = 4,
    MethodNotFound = 5,
    MethodAmbiguous = 6,
    TraceUnreadable = 7,
    SymbolsMissing = 8,
    OutputNotWritable = 9,
    TargetFailedToStart = 10,
    TraceIncomplete = 11,

    /// <summary>A second Ctrl+C (or SIGTERM) while a recording stopped, or one during the analysis, ended the command at once; the trace written so far is kept.</summary>
    Aborted = 12,

    /// <summary>The process belongs to another user: its diagnostics socket refused the connection.</summary>
    PermissionDenied = 13,

    /// <summary>A memory budget (<c>--fail-if</c>, <c>--budgets</c>) was broken, or could not be judged.</summary>
    BudgetBroken = 14,

    /// <summary>The project or file-based app given to <c>run</c> did not build (<c>dotnet run</c>, <c>app.cs</c>).</summary>
    BuildFailed = 15,

    /// <summary>Traces given to <c>analyze</c> together cannot be added up: recorded in different modes, or of different builds of a module.</summary>
    TracesDoNotMatch = 16,
}
