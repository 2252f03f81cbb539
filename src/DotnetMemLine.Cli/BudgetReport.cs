using DotnetMemLine.Budgets;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Cli;

/// <summary>
/// Prints the budgets' verdicts, a line each on stderr, and for a CI the annotations it reads (GitHub Actions' workflow
/// commands, Azure Pipelines' logging commands); returns the exit code: 14 when a budget was broken or could not be judged.
/// </summary>
internal static class BudgetReport
{
    /// <param name="verdicts">The budgets judged.</param>
    /// <param name="stdoutIsForPrograms">Stdout carries JSON: the annotations go to stderr, which both CIs read too.</param>
    public static int Print(IReadOnlyList<BudgetVerdict> verdicts, bool stdoutIsForPrograms)
    {
        TextWriter annotations = stdoutIsForPrograms ? Console.Error : Console.Out;
        bool github = Environment.GetEnvironmentVariable("GITHUB_ACTIONS") == "true";
        bool azure = string.Equals(Environment.GetEnvironmentVariable("TF_BUILD"), "true", StringComparison.OrdinalIgnoreCase);
        foreach (BudgetVerdict verdict in verdicts)
        {
            string line = TerminalText.Clean(BudgetJudge.Describe(verdict));
            Console.Error.WriteLine(line);
            string? level = verdict.Outcome switch
            {
                BudgetOutcome.Broken or BudgetOutcome.NotJudged => "error",
                BudgetOutcome.Undecided => "warning",
                _ => null,
            };
            if (level is not null && github)
            {
                annotations.WriteLine($"::{level} title=Memory budget::{Escape(line)}");
            }

            if (level is not null && azure)
            {
                annotations.WriteLine($"##vso[task.logissue type={level}]{line.Replace(';', ',')}");
            }
        }

        Console.Error.Flush();
        annotations.Flush();
        return verdicts.Any(v => v.Outcome is BudgetOutcome.Broken or BudgetOutcome.NotJudged) ? (int)ExitCode.BudgetBroken : (int)ExitCode.Success;
    }

    // GitHub's workflow commands escape %, CR and LF in a message.
    private static string Escape(string message) => message.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);
}
