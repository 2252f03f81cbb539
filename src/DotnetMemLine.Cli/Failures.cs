namespace DotnetMemLine.Cli;

// Both switches list every kind and every remedy with no catch-all arm, so that a new one fails the build
// (CS8509) instead of exiting 1 or losing its advice; values outside the enums cannot reach them (CS8524).
#pragma warning disable CS8524

/// <summary>How the CLI reports the core's failures: the exit code of each kind, and each remedy in the CLI's words.</summary>
internal static class Failures
{
    public static ExitCode ExitCodeOf(FailureKind kind) => kind switch
    {
        FailureKind.ProcessNotFound => ExitCode.ProcessNotFound,
        FailureKind.NotADotnetProcess => ExitCode.NotADotnetProcess,
        FailureKind.PermissionDenied => ExitCode.PermissionDenied,
        FailureKind.MethodNotFound => ExitCode.MethodNotFound,
        FailureKind.MethodAmbiguous => ExitCode.MethodAmbiguous,
        FailureKind.TraceUnreadable => ExitCode.TraceUnreadable,
        FailureKind.TraceIncomplete => ExitCode.TraceIncomplete,
        FailureKind.SymbolsMissing => ExitCode.SymbolsMissing,
        FailureKind.OutputNotWritable => ExitCode.OutputNotWritable,
        FailureKind.TargetFailedToStart => ExitCode.TargetFailedToStart,
        FailureKind.BuildFailed => ExitCode.BuildFailed,
        FailureKind.TracesDoNotMatch => ExitCode.TracesDoNotMatch,
    };

    /// <summary>The failure's message and what to do about it, with this CLI's options and commands.</summary>
    public static string Describe(MemLineException failure) => failure.Message + failure.Remedy switch
    {
        Remedy.ListProcesses => " (see dotnet-memline ps)",
        Remedy.ChooseProcessById => "; pick one with -p",
        Remedy.BuildWithPdbsOrPointAtThem => "; build with portable PDBs or pass --symbols <dir>",
        Remedy.PointAtTheBuildThatRan => "; pass --symbols <dir> with a copy of that build's output (its .dll and .pdb)",
        Remedy.RebuildOrPointAtAnIntactPdb => "; rebuild the module, or pass an intact PDB with --symbols <dir>",
        Remedy.UpdateTheTool => "; update dotnet-memline",
        Remedy.None => "",
    };
}

/// <summary>A command line the parser accepted but the command cannot run as given: exit code 2, the message alone.</summary>
internal sealed class UsageException(string message) : Exception(message);
