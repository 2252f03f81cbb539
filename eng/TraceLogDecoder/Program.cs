using DotnetMemLine;
using DotnetMemLine.Attribution;
using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;

// TraceLogDecoder <trace.nettrace> --method <name>... [--format text|json]
// The product's analysis and renderers on the TraceLog decoder: what `dotnet-memline analyze` printed before the
// streaming decoder, for benchmarks and comparisons.
var methods = new List<string>();
string? tracePath = null;
IReportRenderer renderer = ReportRenderers.Default;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--method" or "-m" when i + 1 < args.Length:
            methods.Add(args[++i]);
            break;
        case "--format" when i + 1 < args.Length && ReportRenderers.Find(args[i + 1]) is { } format:
            renderer = format;
            i++;
            break;
        default:
            if (tracePath is not null || args[i].StartsWith('-'))
            {
                Console.Error.WriteLine($"TraceLogDecoder: unexpected argument '{args[i]}'; usage: TraceLogDecoder <trace.nettrace> --method <name>... [--format text|json]");
                return 2;
            }

            tracePath = args[i];
            break;
    }
}

if (tracePath is null || methods.Count == 0)
{
    Console.Error.WriteLine("usage: TraceLogDecoder <trace.nettrace> --method <name>... [--format text|json]");
    return 2;
}

try
{
    TraceFileCheck.Check(Path.GetFullPath(tracePath));
    using TraceLogAllocationTrace trace = TraceLogAllocationTrace.Open(Path.GetFullPath(tracePath));
    renderer.Render(ProfileAnalyzer.Analyze(trace, new AnalysisOptions(methods, [])), Console.Out);
    return 0;
}
catch (MemLineException ex)
{
    Console.Error.WriteLine($"TraceLogDecoder: error: {ex.Message}");
    return 1;
}
