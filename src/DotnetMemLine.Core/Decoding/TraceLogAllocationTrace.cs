using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace DotnetMemLine.Decoding;

/// <summary>
/// Reads a .nettrace through TraceEvent's <see cref="TraceLog"/>, which resolves stack addresses
/// to methods and IL offsets (using the JIT's method-load and IL-to-native map events, including the
/// rundown that describes code compiled before the session started).
/// </summary>
/// <remarks>
/// TraceLog converts the trace to a temporary .etlx file first; it is deleted on dispose.
/// Nothing outside this folder sees a TraceEvent type.
/// </remarks>
public sealed class TraceLogAllocationTrace : IAllocationTrace
{
    private readonly TraceLog _log;
    private readonly string _etlxPath;
    private readonly int[] _methodIdByTraceLogIndex;
    private readonly List<TracedMethod> _methods = [];

    private TraceLogAllocationTrace(TraceLog log, string etlxPath, TraceSummary summary)
    {
        _log = log;
        _etlxPath = etlxPath;
        _methodIdByTraceLogIndex = new int[log.CodeAddresses.Methods.Count];
        Array.Fill(_methodIdByTraceLogIndex, -1);
        Summary = summary;
    }

    public TraceSummary Summary { get; }

    public IReadOnlyList<TracedMethod> Methods
    {
        get
        {
            EnsureAllMethodsRegistered();
            return _methods;
        }
    }

    /// <summary>Opens and indexes a trace file; throws <see cref="MemLineException"/> when it cannot be read.</summary>
    public static TraceLogAllocationTrace Open(string tracePath)
    {
        tracePath = Path.GetFullPath(tracePath);
        if (!File.Exists(tracePath))
        {
            throw new MemLineException(ExitCode.TraceUnreadable, $"trace file not found: {tracePath}");
        }

        if (new FileInfo(tracePath).Length == 0)
        {
            throw new MemLineException(ExitCode.TraceUnreadable, $"trace file is empty: {tracePath}");
        }

        string etlxPath = Path.Combine(Path.GetTempPath(), $"dotnet-memline-{Guid.NewGuid():N}.etlx");
        TraceLog log;
        try
        {
            var options = new TraceLogOptions { ContinueOnError = true, ConversionLog = TextWriter.Null };
            TraceLog.CreateFromEventPipeDataFile(tracePath, etlxPath, options);
            log = new TraceLog(etlxPath);
        }
        catch (Exception ex) when (ex is not MemLineException)
        {
            TryDelete(etlxPath);
            throw new MemLineException(ExitCode.TraceUnreadable, $"not a readable .nettrace file: {tracePath} ({FirstLine(ex.Message)})", ex);
        }

        try
        {
            return new TraceLogAllocationTrace(log, etlxPath, Summarize(log, tracePath));
        }
        catch
        {
            log.Dispose();
            TryDelete(etlxPath);
            throw;
        }
    }

    public void Replay(IAllocationVisitor visitor, CancellationToken cancellationToken = default)
    {
        var frames = new List<StackFrame>(64);
        long seen = 0;
        foreach (TraceEvent ev in _log.Events)
        {
            if ((++seen & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            switch (ev)
            {
                case AllocationSampledTraceData sampled:
                    CollectFrames(ev, frames);
                    visitor.OnAllocation(
                        new AllocationRecord(ev.TimeStampRelativeMSec, ev.ThreadID, sampled.ObjectSize, sampled.SampledByteOffset, 0),
                        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(frames));
                    break;
                case GCAllocationTickTraceData tick when Summary.EventKind == AllocationEventKind.AllocationTick:
                    CollectFrames(ev, frames);
                    visitor.OnAllocation(
                        new AllocationRecord(ev.TimeStampRelativeMSec, ev.ThreadID, tick.ObjectSize, 0, tick.AllocationAmount64),
                        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(frames));
                    break;
                case GCHeapStatsTraceData heap:
                    visitor.OnHeapSizeAfterGC(ev.TimeStampRelativeMSec, HeapSize(heap));
                    break;
            }
        }
    }

    public void Dispose()
    {
        _log.Dispose();
        TryDelete(_etlxPath);
    }

    private static long HeapSize(GCHeapStatsTraceData heap) =>
        heap.GenerationSize0 + heap.GenerationSize1 + heap.GenerationSize2 + heap.GenerationSize3 + heap.GenerationSize4;

    private void CollectFrames(TraceEvent ev, List<StackFrame> frames)
    {
        frames.Clear();
        CallStackIndex stack = ev.CallStackIndex();
        TraceCallStacks stacks = _log.CallStacks;
        TraceCodeAddresses addresses = _log.CodeAddresses;
        while (stack != CallStackIndex.Invalid)
        {
            CodeAddressIndex address = stacks.CodeAddressIndex(stack);
            MethodIndex method = addresses.MethodIndex(address);
            if (method != MethodIndex.Invalid)
            {
                frames.Add(new StackFrame(MethodIdFor(method), addresses.ILOffset(address)));
            }

            stack = stacks.Caller(stack);
        }
    }

    private int MethodIdFor(MethodIndex method)
    {
        int id = _methodIdByTraceLogIndex[(int)method];
        if (id < 0)
        {
            id = Register(method);
        }

        return id;
    }

    private int Register(MethodIndex method)
    {
        TraceMethods methods = _log.CodeAddresses.Methods;
        ModuleFileIndex moduleIndex = methods.MethodModuleFileIndex(method);
        string modulePath = moduleIndex == ModuleFileIndex.Invalid ? "" : _log.ModuleFiles[moduleIndex].FilePath;
        int id = _methods.Count;
        _methods.Add(new TracedMethod(modulePath, methods.MethodToken(method), methods.FullMethodName(method)));
        _methodIdByTraceLogIndex[(int)method] = id;
        return id;
    }

    private void EnsureAllMethodsRegistered()
    {
        for (int i = 0; i < _methodIdByTraceLogIndex.Length; i++)
        {
            if (_methodIdByTraceLogIndex[i] < 0)
            {
                Register((MethodIndex)i);
            }
        }
    }

    private static TraceSummary Summarize(TraceLog log, string tracePath)
    {
        long sampled = 0, ticks = 0;
        bool hasStacks = false;
        foreach (TraceEvent ev in log.Events)
        {
            if (ev is AllocationSampledTraceData)
            {
                sampled++;
            }
            else if (ev is GCAllocationTickTraceData)
            {
                ticks++;
            }
            else
            {
                continue;
            }

            hasStacks |= ev.CallStackIndex() != CallStackIndex.Invalid;
        }

        AllocationEventKind kind = sampled > 0 ? AllocationEventKind.AllocationSampled
            : ticks > 0 ? AllocationEventKind.AllocationTick
            : AllocationEventKind.None;
        return new TraceSummary(
            tracePath,
            Math.Max(0, log.SessionDuration.TotalSeconds),
            kind == AllocationEventKind.AllocationTick ? ticks : sampled,
            log.EventsLost,
            kind,
            hasStacks);
    }

    private static string FirstLine(string text)
    {
        int newline = text.IndexOfAny(['\r', '\n']);
        return newline < 0 ? text : text[..newline];
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
