using System.CommandLine;
using Microsoft.Diagnostics.NETCore.Client;
using DotnetMemLine.Attribution;
using DotnetMemLine.Collection;
using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Cli;

/// <summary>Options shared by several commands; each command adds the ones it uses.</summary>
internal static class CommonOptions
{
    public static readonly Option<string[]> Method = new("--method", "-m")
    {
        Description = "Method whose every line to report, as Method, Type.Method, Namespace.Type.Method or Method(int,string); repeat for several. "
            + "Without it: the lines and methods of your code (modules with PDBs outside the shared framework) that allocated the most.",
        HelpName = "name",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<string> Format = CreateFormat();

    public static readonly Option<string?> Output = new("--output", "-o")
    {
        Description = "Trace file to write (.nettrace). Default: <process>_<yyyyMMdd_HHmmss>.nettrace in ~/.local/share/dotnet-memline/traces (the path is printed).",
        HelpName = "file",
    };

    public static readonly Option<string[]> Symbols = new("--symbols")
    {
        HelpName = "folder",
        Description = "Extra folder to search for portable PDBs; repeat for several.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static readonly Option<string[]> SymbolServer = new("--symbol-server")
    {
        HelpName = "url",
        Description = "A symbol server to fetch missing PDBs from (SSQP, as NuGet's and Microsoft's), asked before the default ones; repeat for several.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static readonly Option<bool> NoSymbolServers = new("--no-symbol-servers")
    {
        Description = "Don't ask NuGet's and Microsoft's symbol servers for a PDB that is not on this machine (servers given with --symbol-server still are).",
    };

    public static readonly Option<string?> SymbolCacheFolder = new("--symbol-cache")
    {
        HelpName = "folder",
        Description = "Where downloaded PDBs are kept. Default: ~/.cache/dotnet-memline/symbols ($XDG_CACHE_HOME).",
    };

    public static readonly Option<int> BufferSize = new("--buffer-size", "--buffersize") // dotnet-trace spells it --buffersize
    {
        HelpName = "MB",
        Description = "Size in MB of the runtime's event buffer; raise it if events are dropped.",
        DefaultValueFactory = _ => 256,
    };

    public static readonly Option<EventPipeBufferingMode> BufferingMode = new("--buffering-mode") // as dotnet-trace's
    {
        HelpName = "Drop|Block",
        Description = "How the runtime buffers events. Drop (default): the lossy buffer, dropped events are counted. Block: lossless, "
            + "a thread waits for room instead of dropping; needs .NET 11 (an older runtime is recorded with Drop, and the header says so).",
        DefaultValueFactory = _ => EventPipeBufferingMode.Drop,
        CustomParser = result => result.Tokens.Single().Value.ToUpperInvariant() switch
        {
            "DROP" or "0" => EventPipeBufferingMode.Drop,
            "BLOCK" or "1" => EventPipeBufferingMode.Block,
            _ => FailBufferingMode(result),
        },
    };

    private static EventPipeBufferingMode FailBufferingMode(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--buffering-mode must be Drop (lossy, the default) or Block (lossless, .NET 11), not '{result.Tokens.Single().Value}'");
        return EventPipeBufferingMode.Drop;
    }

    public static readonly Option<bool> Exact = new("--exact")
    {
        Description = "Record every allocation instead of sampling: exact bytes and object counts per line. "
            + "Costs about 1 us per allocation (allocation-heavy code runs up to ~25x slower); for short programs.",
    };

    public static readonly Option<bool> Async = new("--async")
    {
        Description = "Also record the TPL's causality events, so that what runs after an await that suspended, and in Task.Run, "
            + "Parallel and PLINQ work, is charged to the line that awaited or queued it. Costs await-heavy code much more than "
            + "sampling alone (an ASP.NET Core API served 2.5x fewer requests, and its trace grew 4x).",
    };

    public static readonly Option<bool> NoLifetimes = new("--no-lifetimes")
    {
        Description = "Don't follow sampled objects through the GCs (no Peak live or Live at end, and collect skips its final full GC): "
            + "a smaller trace on programs that run many compacting GCs (up to 4x smaller).",
    };

    public static readonly Option<TimeSpan?> GCEvery = new("--gc-every")
    {
        HelpName = "seconds",
        Description = "Make the program run a full GC this often while recording, in seconds (0.2): Peak live and Peak heap are then "
            + "measured at least that often, even where the runtime's own GCs are rare (after a large heap grew its budgets). "
            + "Each GC pauses the program.",
        CustomParser = SecondsAtLeast(TimeSpan.FromMilliseconds(100), "--gc-every must be seconds, at least 0.1 (each is a full GC)"),
    };

    public static readonly Option<bool> Retention = new("--retention")
    {
        Description = "After recording, walk the live program's heap (ClrMD; the program is suspended meanwhile, and under run held at its exit) "
            + "and print, for each line that keeps memory alive, the shortest paths from a GC root (a static field, a thread's stack, a handle) to its objects.",
    };

    public static readonly Option<int> Top = new("--top")
    {
        HelpName = "count",
        Description = "Without --method: how many lines and methods to list (10).",
        DefaultValueFactory = _ => ProgramReport.DefaultTop,
        CustomParser = result => int.TryParse(result.Tokens.Single().Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int top) && top > 0
            ? top
            : FailTop(result),
    };

    public static readonly Option<bool> AllCode = new("--all-code")
    {
        Description = "Without --method: count library and framework code as yours too (Just My Code off), so their methods get the self "
            + "figures of what they allocate; those without a PDB are listed by method, with no line.",
    };

    public static readonly Option<bool> Types = new("--types")
    {
        Description = "Under each line, the types it allocated and their shares (the JSON report always has them).",
    };

    public static readonly Option<string?> Report = new("--report")
    {
        HelpName = "file",
        Description = "Write the report (--format text, json, html or pprof) to this file instead of stdout.",
    };

    /// <summary>For analyze and diff, which write no trace: <c>-o</c> and <c>--output</c> name the report, as <c>--report</c> does.</summary>
    public static readonly Option<string?> ReportOrOutput = new("--report", "-o", "--output")
    {
        HelpName = "file",
        Description = "Write the report (--format text, json, html or pprof) to this file instead of stdout.",
    };

    /// <summary>The report file of --report (or, for analyze and diff, -o).</summary>
    public static string? ReportPathFrom(ParseResult parsed) =>
        (parsed.GetResult(Report) is not null ? parsed.GetValue(Report) : parsed.GetResult(ReportOrOutput) is not null ? parsed.GetValue(ReportOrOutput) : null) is { Length: > 0 } path
            ? Path.GetFullPath(path)
            : null;

    public static readonly Option<string[]> FailIf = new("--fail-if")
    {
        HelpName = "budget",
        Description = "A memory budget: \"<method>[:line N|:total] <allocated|peak-live|live-at-end> > <size>\" (e.g. \"ClassifyMessages peak-live > 200 MiB\"); "
            + "exit code 14 when the figure's 95% interval is wholly over it. Repeat for several.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static readonly Option<string?> BudgetFile = new("--budgets")
    {
        HelpName = "file",
        Description = "A file of budgets, one a line as --fail-if takes them (# starts a comment).",
    };

    /// <summary>The budgets of --fail-if and --budgets; a malformed one is a usage error.</summary>
    public static IReadOnlyList<Budgets.MemoryBudget> BudgetsFrom(ParseResult parsed)
    {
        try
        {
            var budgets = new List<Budgets.MemoryBudget>((parsed.GetValue(FailIf) ?? []).Select(Budgets.MemoryBudget.Parse));
            if (parsed.GetValue(BudgetFile) is { } file)
            {
                budgets.AddRange(Budgets.MemoryBudget.ParseFile(File.ReadAllLines(file)));
            }

            return budgets;
        }
        catch (FormatException ex)
        {
            throw new UsageException(ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the budgets file: {ex.Message}");
        }
    }

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Print details of errors, including stack traces.",
        Recursive = true,
    };

    public static readonly Option<TimeSpan?> Duration = new("--duration")
    {
        Description = "Stop recording after this long: seconds (30) or dd:hh:mm:ss (00:00:01:30).",
        CustomParser = result => DurationParser.TryParse(result.Tokens.Single().Value, out TimeSpan value)
            ? value
            : FailDuration(result),
    };

    /// <summary>Where PDBs are looked for, and the budgets judged on the report: the options every command that reads a trace shares.</summary>
    public static IReadOnlyList<Option> SymbolsAndBudgets => [Symbols, SymbolServer, NoSymbolServers, SymbolCacheFolder, FailIf, BudgetFile];

    /// <summary>Adds <paramref name="options"/> to <paramref name="command"/>.</summary>
    public static Command With(this Command command, IEnumerable<Option> options)
    {
        foreach (Option option in options)
        {
            command.Options.Add(option);
        }

        return command;
    }

    /// <summary>What every command that prints a report was asked for: the methods, where their PDBs are, the format.</summary>
    public static ReportSettings ReportSettingsFrom(ParseResult parsed)
    {
        IReportRenderer renderer = ReportRenderers.Find(parsed.GetValue(Format) ?? "") ?? ReportRenderers.Default;
        if (renderer is TextTableRenderer && parsed.GetValue(Types))
        {
            renderer = new TextTableRenderer { ShowTypes = true };
        }

        string[] servers = [.. parsed.GetValue(SymbolServer) ?? [], .. parsed.GetValue(NoSymbolServers) ? [] : SymbolServerOptions.Defaults];
        var symbolServers = new SymbolServerOptions(servers, parsed.GetValue(SymbolCacheFolder) is { Length: > 0 } cache ? Path.GetFullPath(cache) : SymbolServerOptions.DefaultCacheDirectory())
        {
            Log = Profiling.Status,
        };
        // A budget's method gets its table: the budget is judged on it.
        IReadOnlyList<Budgets.MemoryBudget> budgets = parsed.GetResult(FailIf) is null && parsed.GetResult(BudgetFile) is null ? [] : BudgetsFrom(parsed);
        string[] methods = [.. (parsed.GetValue(Method) ?? []).Concat(budgets.Where(b => b.Figure != Budgets.BudgetFigure.Change).Select(b => b.Method)).Distinct(StringComparer.Ordinal)];
        string? reportPath = ReportPathFrom(parsed);
        if (renderer is IBinaryReportRenderer)
        {
            CheckBinaryFormat(renderer, methods, reportPath, takesOutput: parsed.CommandResult.Command.Options.Contains(ReportOrOutput));
        }

        return new(new AnalysisOptions(methods, parsed.GetValue(Symbols) ?? [])
        {
            Top = parsed.GetValue(Top),
            AllCode = parsed.GetValue(AllCode),
            SymbolServers = symbolServers,
            GatherPictures = renderer is HtmlReportRenderer,
            GatherStacks = renderer is IBinaryReportRenderer,
        }, renderer)
        {
            Budgets = budgets,
            ReportPath = reportPath,
        };
    }

    /// <summary>
    /// A profile format (pprof) holds the whole program, every stack: no method tables, no budgets on them; and it is
    /// binary, so it goes to a file or a pipe, never to a terminal.
    /// </summary>
    private static void CheckBinaryFormat(IReportRenderer renderer, string[] methods, string? reportPath, bool takesOutput)
    {
        if (methods.Length > 0)
        {
            throw new UsageException($"--format {renderer.FormatName} holds every stack of the whole program: leave out --method and method budgets "
                + $"(pprof's -focus=<regex> narrows the profile to a method)");
        }

        if (reportPath is null && !Console.IsOutputRedirected)
        {
            throw new UsageException($"--format {renderer.FormatName} is binary: write it to a file with {(takesOutput ? "-o" : "--report")} <file>, or pipe it");
        }
    }

    private static Option<string> CreateFormat()
    {
        var format = new Option<string>("--format")
        {
            Description = "Output format: " + string.Join(", ", ReportRenderers.All.Select(r => $"{r.FormatName} ({r.Description})")) + ".",
            DefaultValueFactory = _ => ReportRenderers.Default.FormatName,
            HelpName = string.Join('|', ReportRenderers.Names),
        };
        format.CompletionSources.Add(ReportRenderers.Names.ToArray());
        format.Validators.Add(result =>
        {
            string value = result.GetValueOrDefault<string>() ?? "";
            if (ReportRenderers.Find(value) is null)
            {
                result.AddError($"--format must be one of {string.Join(", ", ReportRenderers.Names)}, not '{value}'");
            }
        });
        return format;
    }

    /// <summary>A parser of a duration in seconds (or dd:hh:mm:ss) of at least <paramref name="minimum"/>; <paramref name="rule"/> words the error.</summary>
    public static Func<System.CommandLine.Parsing.ArgumentResult, TimeSpan?> SecondsAtLeast(TimeSpan minimum, string rule) => result =>
    {
        string text = result.Tokens.Single().Value;
        if (DurationParser.TryParse(text, out TimeSpan value) && value >= minimum)
        {
            return value;
        }

        result.AddError($"{rule}, not '{text}'");
        return null;
    };

    private static int FailTop(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--top must be a whole number above 0, not '{result.Tokens.Single().Value}'");
        return 0;
    }

    private static TimeSpan? FailDuration(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--duration must be seconds or dd:hh:mm:ss, not '{result.Tokens.Single().Value}'");
        return null;
    }
}
