using System.CommandLine;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Cli;

/// <summary>
/// Runs the parsed command and turns failures into one line on stderr and a distinct exit code.
/// The stack trace is printed only with --verbose.
/// </summary>
internal static class CommandRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args, InvocationConfiguration invocation)
    {
        bool verbose = args.Contains("--verbose");
        if (args.Length == 0)
        {
            args = ["--help"]; // like dotnet-trace: no command shows the usage
        }

        ParseResult parsed;
        try
        {
            parsed = root.Parse(args);
        }
        catch (InvalidOperationException ex)
        {
            return Fail(ExitCode.UsageError, $"invalid command line: {ex.Message}", verbose ? ex : null);
        }

        if (parsed.Errors.Count > 0 && parsed.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parsed.Errors)
            {
                Console.Error.WriteLine($"dotnet-memline: error: {OneLine(error.Message)}");
            }

            Console.Error.WriteLine("Run 'dotnet-memline --help' or 'dotnet-memline <command> --help' for usage.");
            return (int)ExitCode.UsageError;
        }

        try
        {
            return await parsed.InvokeAsync(invocation, CancellationToken.None).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            return Fail(ExitCode.UsageError, ex.Message, verbose ? ex : null);
        }
        catch (MemLineException ex)
        {
            return Fail(Failures.ExitCodeOf(ex.Kind), Failures.Describe(ex), verbose ? ex : null);
        }
        catch (OperationCanceledException ex)
        {
            return Fail(ExitCode.UnexpectedError, "cancelled", verbose ? ex : null);
        }
        catch (Exception ex)
        {
            return Fail(ExitCode.UnexpectedError, $"unexpected error: {ex.GetType().Name}: {OneLine(ex.Message)} (run with --verbose for details)", verbose ? ex : null);
        }
    }

    public static int Fail(ExitCode code, string message, Exception? detail = null)
    {
        Console.Error.WriteLine($"dotnet-memline: error: {OneLine(message)}");
        if (detail is not null)
        {
            Console.Error.WriteLine(TerminalText.Clean(detail.ToString())); // --verbose: the stack trace, its messages made safe too
        }

        return (int)code;
    }

    // Messages may carry names from traces and PDBs: one line, and no control characters.
    private static string OneLine(string text) => TerminalText.Clean(text.ReplaceLineEndings(" "));
}
