using System.CommandLine;
using DotnetMemLine.Collection;

namespace DotnetMemLine.Cli.Commands;

/// <summary><c>dotnet-memline ps</c>: the .NET processes that can be attached to.</summary>
internal static class PsCommand
{
    public static Command Create()
    {
        var command = new Command("ps", "List the .NET processes that can be profiled.");
        command.SetAction(_ =>
        {
            foreach (DotnetProcessInfo process in TargetProcess.List())
            {
                Console.WriteLine($"{process.ProcessId,10}  {process.Name,-24}  {process.CommandLine}");
            }

            return (int)ExitCode.Success;
        });
        return command;
    }
}
