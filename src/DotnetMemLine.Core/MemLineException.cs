namespace DotnetMemLine;

/// <summary>What went wrong, in the core's terms: the CLI turns each kind into its own process exit code.</summary>
public enum FailureKind
{
    /// <summary>No process with that id or name, or no diagnostics socket at that path.</summary>
    ProcessNotFound,
    /// <summary>The process does not answer as a .NET runtime (not .NET, diagnostics disabled, another TMPDIR).</summary>
    NotADotnetProcess,

    /// <summary>The process belongs to another user: its diagnostics socket refused the connection.</summary>
    PermissionDenied,
    /// <summary>No method matches the name.</summary>
    MethodNotFound,
    /// <summary>The name matches several methods and none is clearly the application's.</summary>
    MethodAmbiguous,
    /// <summary>The file is missing, empty, not a .nettrace, or in a format this build does not read.</summary>
    TraceUnreadable,

    /// <summary>The trace is cut short, or lacks what the analysis needs (rundown, allocation events).</summary>
    TraceIncomplete,

    /// <summary>No usable PDB: missing, or damaged.</summary>
    SymbolsMissing,
    /// <summary>The trace file cannot be created or written.</summary>
    OutputNotWritable,
    /// <summary>The program to run could not be started, or its runtime never connected.</summary>
    TargetFailedToStart,
    /// <summary>The project or file-based app given to <c>run</c> did not build.</summary>
    BuildFailed,

    /// <summary>Traces analyzed as one cannot be added up: recorded in different modes, or of different builds of a module.</summary>
    TracesDoNotMatch,
}

/// <summary>What a user can do about a failure, worded by the front end in its own terms (an option, a command).</summary>
public enum Remedy
{
    /// <summary>Nothing to suggest beyond the message.</summary>
    None,

    /// <summary>List the .NET processes (the front end's <c>ps</c>).</summary>
    ListProcesses,

    /// <summary>Several processes have the name: choose one by id.</summary>
    ChooseProcessById,

    /// <summary>The module has no PDB: build with portable PDBs, or point at a folder that has one.</summary>
    BuildWithPdbsOrPointAtThem,

    /// <summary>The trace ran another build than the one here: point at a copy of that build's output.</summary>
    PointAtTheBuildThatRan,

    /// <summary>The PDB is damaged: rebuild, or point at an intact one.</summary>
    RebuildOrPointAtAnIntactPdb,

    /// <summary>The trace's format is newer than this build reads.</summary>
    UpdateTheTool,
}

/// <summary>
/// A failure the user can act on, in one line: its <see cref="Kind"/> and, where the user can do something, the
/// <see cref="Remedy"/>. The message names what the core knows (files, processes, methods) and no command-line
/// option; the CLI prints it with the remedy in its own words and exits with the kind's code. The stack trace
/// is shown only with --verbose.
/// </summary>
public sealed class MemLineException : Exception
{
    /// <summary>A failure of that kind, with a one-line message naming what failed.</summary>
    public MemLineException(FailureKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    /// <summary>What went wrong, for the front end's exit code.</summary>
    public FailureKind Kind { get; }

    /// <summary>What the user can do, worded by the front end.</summary>
    public Remedy Remedy { get; init; }
}
