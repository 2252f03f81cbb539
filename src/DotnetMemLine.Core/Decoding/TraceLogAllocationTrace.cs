using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace DotnetMemLine.Decoding;

/// <summary>
/// Reads a .nettrace: TraceEvent's <see cref="TraceLog"/> rebuilds each event's stack of return
/// addresses, and <see cref="MethodCodeMap"/> resolves each address to a method and an IL offset,
/// per compiled code version.
/// </summary>
/// <remarks>
/// TraceLog converts the trace to a temporary .etlx file first; it is deleted on dispose.
/// Its own address-to-IL resolution is not used: it looks up the return address itself, which for
/// a call that ends a statement lands on the next statement's line.
/// Nothing outside this folder sees a TraceEvent type.
/// </remarks>
public sealed class TraceLogAllocationTrace : IAllocationTrace
{
    private const int NotResolvedYet = -2;
    private const int NotManagedCode = -1;

    private readonly TraceLog _log;
    private readonly string _etlxPath;
    private readonly MethodCodeMap _code;
    private readonly List<TracedMethod> _methods = [];
    private readonly Dictionary<(string Module, int Token), int> _methodIdByKey = [];

    // Per TraceLog code address: the method id and IL offset it resolves to, computed on first use.
    private readonly int[] _methodIdByAddress;
    private readonly int[] _ilOffsetByAddress;
    private readonly int[] _nextStatementILOffsetByAddress;

    private TraceLogAllocationTrace(TraceLog log, string etlxPath, MethodCodeMap code, TraceSummary summary)
    {
        _log = log;
        _etlxPath = etlxPath;
        _code = code;
        // Precompiled code without an IL map cannot be placed on lines; the analysis says so per method.
        var precompiled = code.Versions.Where(v => v.IsPrecompiled && v.NativeOffsets.Length == 0).Select(v => (v.ModulePath, v.Token)).ToHashSet();
        var optimizedBeforeSession = code.Versions.Where(v => v.IsOptimized && v.CompiledBeforeSession).Select(v => (v.ModulePath, v.Token)).ToHashSet();
        foreach (MethodCodeMap.CodeVersion version in code.Versions)
        {
            var key = (version.ModulePath, version.Token);
            MethodIdOf(version, precompiled.Contains(key), optimizedBeforeSession.Contains(key));
        }

        Inlinings = [.. code.Inlinings.Select(i => new InliningEvent(i.InlineeType, i.InlineeName, i.InlineeSignature, i.InlinerType, i.InlinerName, MethodIdOf(i.Compiled)))];

        _methodIdByAddress = new int[log.CodeAddresses.Count];
        _ilOffsetByAddress = new int[log.CodeAddresses.Count];
        _nextStatementILOffsetByAddress = new int[log.CodeAddresses.Count];
        Array.Fill(_methodIdByAddress, NotResolvedYet);
        Summary = summary;
    }

    public TraceSummary Summary { get; }

    public IReadOnlyList<TracedMethod> Methods => _methods;

    public IReadOnlyList<InliningEvent> Inlinings { get; }

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
        MethodCodeMap code;
        try
        {
            var options = new TraceLogOptions { ContinueOnError = true, ConversionLog = TextWriter.Null };
            TraceLog.CreateFromEventPipeDataFile(tracePath, etlxPath, options);
            log = new TraceLog(etlxPath);
            code = MethodCodeMap.Read(tracePath);
        }
        catch (Exception ex) when (ex is not MemLineException)
        {
            TryDelete(etlxPath);
            throw new MemLineException(ExitCode.TraceUnreadable, $"not a readable .nettrace file: {tracePath} ({FirstLine(ex.Message)})", ex);
        }

        try
        {
            return new TraceLogAllocationTrace(log, etlxPath, code, Summarize(log, code, tracePath));
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
        var frozenSegments = new List<(ulong Start, ulong End)>();
        long seen = 0;
        foreach (TraceEvent ev in _log.Events)
        {
            if ((++seen & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            switch (ev)
            {
                case AllocationSampledTraceData sampled when Summary.EventKind == AllocationEventKind.AllocationSampled:
                    CollectFrames(ev, frames);
                    visitor.OnAllocation(
                        new AllocationRecord(ev.TimeStampRelativeMSec, ev.ThreadID, sampled.ObjectSize, sampled.SampledByteOffset, 0),
                        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(frames));
                    break;
                case GCCreateSegmentTraceData segment when segment.Type == GCSegmentType.ReadOnlyHeap:
                    frozenSegments.Add((segment.Address, segment.Address + segment.Size));
                    break;
                case GCSampledObjectAllocationTraceData exact when Summary.EventKind == AllocationEventKind.Exact && !IsFrozen(exact.Address, frozenSegments):
                    CollectFrames(ev, frames);
                    visitor.OnAllocation(
                        new AllocationRecord(ev.TimeStampRelativeMSec, ev.ThreadID, ExactSize(exact), 0, 0, exact.ObjectCountForTypeSample),
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

    /// <summary>
    /// True for an object on the frozen (read-only) heap: string literals and Type objects the
    /// runtime creates once and never collects. They are not GC-heap allocations, so exact mode
    /// leaves them out, as GC.GetAllocatedBytesForCurrentThread and AllocationSampled do.
    /// </summary>
    private static bool IsFrozen(ulong address, List<(ulong Start, ulong End)> frozenSegments)
    {
        foreach ((ulong start, ulong end) in frozenSegments)
        {
            if (address >= start && address < end)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The bytes an exact-mode event stands for. The runtime reports an object's size unaligned (a
    /// 48-character string: 118 bytes), but the heap hands out sizes rounded up to the pointer size
    /// (120), and that is what the program pays and GC.GetAllocatedBytesForCurrentThread counts.
    /// A batch of several objects (only when one of the two keywords was off) carries only the sum
    /// of their unaligned sizes, so it is taken as it is.
    /// </summary>
    private static long ExactSize(GCSampledObjectAllocationTraceData exact)
    {
        long size = exact.TotalSizeForTypeSample;
        long alignment = exact.PointerSize;
        return exact.ObjectCountForTypeSample == 1 && alignment > 0
            ? (size + alignment - 1) / alignment * alignment
            : size;
    }

    private static long HeapSize(GCHeapStatsTraceData heap) =>
        heap.GenerationSize0 + heap.GenerationSize1 + heap.GenerationSize2 + heap.GenerationSize3 + heap.GenerationSize4;

    private void CollectFrames(TraceEvent ev, List<StackFrame> frames)
    {
        frames.Clear();
        CallStackIndex stack = ev.CallStackIndex();
        TraceCallStacks stacks = _log.CallStacks;
        while (stack != CallStackIndex.Invalid)
        {
            int address = (int)stacks.CodeAddressIndex(stack);
            if (_methodIdByAddress[address] == NotResolvedYet)
            {
                Resolve(address);
            }

            if (_methodIdByAddress[address] != NotManagedCode)
            {
                frames.Add(new StackFrame(_methodIdByAddress[address], _ilOffsetByAddress[address], _nextStatementILOffsetByAddress[address]));
            }

            stack = stacks.Caller(stack);
        }
    }

    private void Resolve(int address)
    {
        ulong returnAddress = _log.CodeAddresses.Address((CodeAddressIndex)address);
        if (_code.TryResolve(returnAddress, out MethodCodeMap.CodeVersion? version, out int ilOffset, out int nextStatementILOffset))
        {
            _methodIdByAddress[address] = MethodIdOf(version!);
            _ilOffsetByAddress[address] = ilOffset;
            _nextStatementILOffsetByAddress[address] = nextStatementILOffset;
        }
        else
        {
            _methodIdByAddress[address] = NotManagedCode;
        }
    }

    /// <summary>All code versions of one method (same module and token) share one id.</summary>
    private int MethodIdOf(MethodCodeMap.CodeVersion version, bool runsPrecompiledCode = false, bool hasOptimizedCodeFromBeforeSession = false)
    {
        var key = (version.ModulePath, version.Token);
        if (!_methodIdByKey.TryGetValue(key, out int id))
        {
            id = _methods.Count;
            _methods.Add(new TracedMethod(version.ModulePath, version.Token, version.Name, runsPrecompiledCode, hasOptimizedCodeFromBeforeSession));
            _methodIdByKey[key] = id;
        }

        return id;
    }

    private static TraceSummary Summarize(TraceLog log, MethodCodeMap code, string tracePath)
    {
        MethodCodeMap.AllocationEventCounts counts = code.AllocationEvents;

        // Exact events win: a trace that has them was recorded for exact figures. (Exact mode
        // records AllocationTick too, with the GC keyword at level 5.)
        (AllocationEventKind kind, long events) = counts switch
        {
            { Exact: > 0 } => (AllocationEventKind.Exact, counts.Exact),
            { Sampled: > 0 } => (AllocationEventKind.AllocationSampled, counts.Sampled),
            { Ticks: > 0 } => (AllocationEventKind.AllocationTick, counts.Ticks),
            _ => (AllocationEventKind.None, 0L),
        };
        return new TraceSummary(
            tracePath,
            Math.Max(0, log.SessionDuration.TotalSeconds),
            events,
            log.EventsLost,
            kind,
            kind != AllocationEventKind.None && AnyAllocationHasAStack(log),
            kind == AllocationEventKind.Exact ? counts.ExactBatched : 0,
            counts.Rundown > 0);
    }

    /// <summary>Stops at the first allocation event with a stack: normally one of the first events.</summary>
    private static bool AnyAllocationHasAStack(TraceLog log)
    {
        foreach (TraceEvent ev in log.Events)
        {
            if (ev is AllocationSampledTraceData or GCAllocationTickTraceData or GCSampledObjectAllocationTraceData && ev.CallStackIndex() != CallStackIndex.Invalid)
            {
                return true;
            }
        }

        return false;
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
