namespace DotnetMemLine;

/// <summary>What went wrong, in the core's terms: the CLI turns each kind into its own process exit code.</summary>
public enum FailureKind
{
    ProcessNotFound,
    NotADotnetProcess,

    /// <summary>The process belongs to another user: its diagnostics socket refused the connection.</summary>
    PermissionDenied,
    MethodNotFound,
    MethodAmbiguous,
    TraceUnreadable,

    /// <summary>The trace is cut short, or lacks what the analysis needs (rundown, allocation events).</summary>
    TraceIncomplete,

    /// <summary>No usable PDB: missing, or damaged.</summary>
    SymbolsMissing,
    OutputNotWritable,
    TargetFailedToStart,
}

/// <summary>What a user can do about a failure, worded by the front end in its own terms (an option, a command).</summary>
public enum Remedy
{
    None,

    /// <summary>List the .NET processes (the front end's <c>ps</c>).</summary>
    ListProcesses,

    /// <summary>Several processes have the name: choose one by id.</summary>
    ChooseProcessById,

    /// <summary>The module has no PDB: build with portable PDBs, or point at a folder that has one.</summary>
    BuildWithPdbsOrPointAtThem,

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
    public MemLineException(FailureKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    public FailureKind Kind { get; }

    public Remedy Remedy { get; init; }
}
