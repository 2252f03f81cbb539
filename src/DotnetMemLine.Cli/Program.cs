using System.CommandLine;
using DotnetMemLine.Cli;
using DotnetMemLine.Cli.Commands;

var root = new RootCommand("dotnet-memline: per-source-line memory allocation tables for .NET methods, from the runtime's allocation sampling.")
{
    CollectCommand.Create(),
    RunCommand.Create(),
    AnalyzeCommand.Create(),
    DiffCommand.Create(),
    PsCommand.Create(),
    CommonOptions.Verbose,
};

// Ctrl+C and SIGTERM are handled by StopSignal (they must stop a session cleanly, not kill us), so
// System.CommandLine is told not to handle process termination itself.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
return await CommandRunner.InvokeAsync(root, args, invocation).ConfigureAwait(false);
