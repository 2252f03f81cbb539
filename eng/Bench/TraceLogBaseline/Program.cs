using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Diagnostics.Symbols;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Usage: TraceLogBaseline <trace.nettrace> --method <Type.Method> [--method ...] [--symbols <dir>]...
// The straightforward TraceEvent pipeline, for comparison with `dotnet-memline analyze`:
//   1. TraceLog.CreateFromEventPipeDataFile converts the trace to an .etlx file (in TMPDIR);
//   2. every AllocationSampled event's CallStack() is walked, frame by frame;
//   3. each frame of the chosen methods is resolved to a source line with SymbolReader
//      (SecurityCheck set to accept local PDBs; results cached per code address, as any real tool would);
//   4. bytes are summed per line with the weighted estimator size / (1 - q^size), q = 1 - 1/102400.
// Prints one line: baseline-result {json} with the event counts, phase times, .etlx size and the lines.
CultureInfo inv = CultureInfo.InvariantCulture;
var methods = new List<string>();
var symbolDirs = new List<string>();
for (int i = 1; i < args.Length - 1; i++)
{
    if (args[i] == "--symbols")
    {
        symbolDirs.Add(Path.GetFullPath(args[++i]));
    }
    else if (args[i] == "--method")
    {
        methods.Add(args[++i]);
    }
}

if (args.Length < 3 || methods.Count == 0)
{
    Console.Error.WriteLine("usage: TraceLogBaseline <trace.nettrace> --method <Type.Method> [--method ...] [--symbols <dir>]...");
    return 2;
}

string tracePath = Path.GetFullPath(args[0]);

var total = Stopwatch.StartNew();
string etlxPath = Path.Combine(Path.GetTempPath(), $"tracelog-baseline-{Environment.ProcessId}.etlx");
TraceLog.CreateFromEventPipeDataFile(tracePath, etlxPath, new TraceLogOptions { ContinueOnError = true });
double convertSeconds = total.Elapsed.TotalSeconds;
long etlxBytes = new FileInfo(etlxPath).Length;

const double Q = 1.0 - 1.0 / 102_400;
var lines = new SortedDictionary<int, (double Bytes, long Samples)>(); // line -> estimate (the methods share one source file here)
var lineOfAddress = new Dictionary<CodeAddressIndex, int>(); // 0: not a frame of the method / no line
var matches = new Dictionary<MethodIndex, bool>();
long allocationEvents = 0, framesWalked = 0, eventsOnMethod = 0, linesResolved = 0;
string? sourceFile = null;
var lineSet = new HashSet<int>();

using (var log = new TraceLog(etlxPath))
using (var symbols = new SymbolReader(TextWriter.Null, string.Join(";", symbolDirs)))
{
    symbols.SecurityCheck = _ => true; // the default refuses every PDB and GetSourceLine then silently returns null
    TraceCodeAddresses codeAddresses = log.CodeAddresses;
    TraceLogEventSource source = log.Events.GetSource();
    source.Clr.AllocationSampling += (AllocationSampledTraceData data) =>
    {
        allocationEvents++;
        lineSet.Clear();
        for (TraceCallStack? frame = data.CallStack(); frame is not null; frame = frame.Caller)
        {
            framesWalked++;
            CodeAddressIndex address = frame.CodeAddress.CodeAddressIndex;
            if (!lineOfAddress.TryGetValue(address, out int line))
            {
                line = 0;
                MethodIndex methodIndex = codeAddresses.MethodIndex(address);
                if (methodIndex != MethodIndex.Invalid && IsChosen(methodIndex))
                {
                    SourceLocation? location = codeAddresses.GetSourceLine(symbols, address);
                    if (location is not null)
                    {
                        line = location.LineNumber;
                        sourceFile ??= location.SourceFile?.BuildTimeFilePath;
                        linesResolved++;
                    }
                    else
                    {
                        line = -1; // the method's frame, without a line
                    }
                }

                lineOfAddress[address] = line;
            }

            if (line != 0)
            {
                lineSet.Add(line);
            }
        }

        if (lineSet.Count > 0)
        {
            eventsOnMethod++;
            double size = data.ObjectSize;
            double weighted = size / (1 - Math.Pow(Q, size));
            foreach (int line in lineSet)
            {
                lines.TryGetValue(line, out var sum);
                lines[line] = (sum.Bytes + weighted, sum.Samples + 1);
            }
        }
    };
    source.Process();
    double wall = total.Elapsed.TotalSeconds;

    bool IsChosen(MethodIndex index)
    {
        if (!matches.TryGetValue(index, out bool chosen))
        {
            string name = log.CodeAddresses.Methods.FullMethodName(index);
            int paren = name.IndexOf('(', StringComparison.Ordinal);
            string bare = paren < 0 ? name : name[..paren];
            chosen = methods.Exists(m => bare == m || bare.EndsWith("." + m, StringComparison.Ordinal));
            matches[index] = chosen;
        }

        return chosen;
    }

    var json = new StringBuilder();
    json.Append(inv, $"baseline-result {{\"events\":{log.EventCount},\"allocationEvents\":{allocationEvents},\"eventsOnMethod\":{eventsOnMethod},");
    json.Append(inv, $"\"framesWalked\":{framesWalked},\"framesPerEvent\":{(allocationEvents == 0 ? 0 : (double)framesWalked / allocationEvents):F1},\"linesResolved\":{linesResolved},");
    json.Append(inv, $"\"droppedEvents\":{log.EventsLost},\"convertSeconds\":{convertSeconds:F3},\"walkSeconds\":{wall - convertSeconds:F3},\"wallSeconds\":{wall:F3},");
    json.Append(inv, $"\"traceBytes\":{new FileInfo(tracePath).Length},\"etlxBytes\":{etlxBytes},\"sourceFile\":\"{sourceFile?.Replace("\\", "\\\\", StringComparison.Ordinal)}\",\"lines\":[");
    json.AppendJoin(',', lines.Select(l => string.Create(inv, $"{{\"line\":{l.Key},\"allocatedBytes\":{l.Value.Bytes:F0},\"samples\":{l.Value.Samples}}}")));
    json.Append("]}");
    Console.WriteLine(json.ToString());
}

File.Delete(etlxPath);
return 0;
