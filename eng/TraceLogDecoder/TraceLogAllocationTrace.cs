using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace DotnetMemLine.Decoding;

/// <summary>
/// Reads a .nettrace: TraceEvent's <see cref="TraceLog"/> rebuilds each event's stack of return
/// addresses, and <see cref="MethodCodeMap"/> resolves each address to a method's compiled code version.
/// </summary>
/// <remarks>
/// TraceLog converts the trace to a temporary .etlx file first; it is deleted on dispose.
/// Its own address-to-IL resolution is not used: it looks up the return address itself, which for
/// a call that ends a statement lands on the next statement's line, and keys IL maps by method only.
/// Nothing outside this folder sees a TraceEvent type.
/// </remarks>
public sealed class TraceLogAllocationTrace : IAllocationTrace
{
    private const int NotResolvedYet = -2;
    private const int NotManagedCode = -1;

    private readonly TraceLog _log;
    private readonly string _etlxPath;
    private readonly MethodCodeMap _code;
    private readonly TracedMethodTable _methodTable;

    // Per TraceLog code address: the method id, code version and offset into it, computed on first use.
    private readonly int[] _methodIdByAddress;
    private readonly int[] _codeIdByAddress;
    private readonly int[] _returnOffsetByAddress;

    // Allocated types: index by the runtime's TypeID, names by index.
    private readonly Dictionary<ulong, int> _typeIndexById = [];
    private readonly List<string> _typeNames = [];
    private readonly BulkTypeNames _bulkTypeNames = new();

    private readonly IProgress<AnalysisProgress>? _progress;

    private TraceLogAllocationTrace(TraceLog log, string etlxPath, MethodCodeMap code, TraceSummary summary, IProgress<AnalysisProgress>? progress)
    {
        _progress = progress;
        _log = log;
        _etlxPath = etlxPath;
        _code = code;
        _methodTable = new TracedMethodTable(code);
        _methodIdByAddress = new int[log.CodeAddresses.Count];
        _codeIdByAddress = new int[log.CodeAddresses.Count];
        _returnOffsetByAddress = new int[log.CodeAddresses.Count];
        Array.Fill(_methodIdByAddress, NotResolvedYet);
        Summary = summary;
    }

    public TraceSummary Summary { get; }

    public IReadOnlyList<TracedMethod> Methods => _methodTable.Methods;

    public IReadOnlyList<CompiledCode> Code => _methodTable.Code;

    public IReadOnlyList<string> TypeNames => _typeNames;

    public IReadOnlyList<InliningEvent> Inlinings => _methodTable.Inlinings;

    /// <summary>Opens and indexes a trace file; throws <see cref="MemLineException"/> when it cannot be read.</summary>
    /// <param name="progress">Receives each step's progress (conversion, code maps, then <see cref="Replay"/>); may be null.</param>
    /// <param name="parseTimeLimit">
    /// How long reading may take before the file is declared unreadable; by default 60 s plus 2 s per
    /// MB, far more than an intact trace needs (about 0.1 s per MB).
    /// </param>
    public static TraceLogAllocationTrace Open(string tracePath, IProgress<AnalysisProgress>? progress = null, TimeSpan? parseTimeLimit = null)
    {
        tracePath = Path.GetFullPath(tracePath);
        NettraceLayout layout = TraceFileCheck.Check(tracePath);
        TimeSpan limit = parseTimeLimit ?? TimeSpan.FromSeconds(60 + (2.0 * layout.FileLength / 1_000_000));

        // A file cut short or damaged part way is read up to its last intact block: TraceEvent fails
        // on the first broken block and loses everything, while the blocks before it are sound.
        string? readProblem = TraceFileCheck.ReadProblem(layout);
        string? intactCopy = readProblem is null ? null : WriteIntactPart(tracePath, layout);

        string etlxPath = Path.Combine(Path.GetTempPath(), $"dotnet-memline-{Guid.NewGuid():N}.etlx");
        try
        {
            (TraceLog log, MethodCodeMap code) = ParseWithTimeLimit(intactCopy ?? tracePath, etlxPath, tracePath, limit, progress);
            try
            {
                TraceSummary summary = Summarize(log, code, tracePath) with { ReadProblem = readProblem };
                return new TraceLogAllocationTrace(log, etlxPath, code, summary, progress);
            }
            catch (Exception ex) when (ex is not MemLineException)
            {
                log.Dispose();
                throw Unreadable(tracePath, ex);
            }
            catch
            {
                log.Dispose();
                throw;
            }
        }
        catch
        {
            TryDelete(etlxPath);
            throw;
        }
        finally
        {
            if (intactCopy is not null)
            {
                TryDelete(intactCopy);
            }
        }
    }

    /// <summary>Copies the blocks before the first broken one, with the end-of-trace mark, to a temporary file.</summary>
    private static string WriteIntactPart(string tracePath, NettraceLayout layout)
    {
        string copy = Path.Combine(Path.GetTempPath(), $"dotnet-memline-{Guid.NewGuid():N}.nettrace");
        try
        {
            using var source = new FileStream(tracePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var target = new FileStream(copy, FileMode.CreateNew, FileAccess.Write);
            long length = layout.Blocks[^1].End;
            byte[] buffer = new byte[1 << 16];
            for (long copied = 0; copied < length;)
            {
                int read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, length - copied));
                target.Write(buffer, 0, read);
                copied += read;
            }

            target.WriteByte(1); // FastSerialization's NullReference tag: the end of the stream
            return copy;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(copy);
            throw new MemLineException(FailureKind.TraceUnreadable, $"cannot copy the readable part of {tracePath} to {Path.GetTempPath()}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Converts the trace with TraceEvent and reads its method events, on a worker thread with a time
    /// limit: TraceEvent has no cancellation, and a damaged file must never make the tool hang.
    /// </summary>
    private static (TraceLog Log, MethodCodeMap Code) ParseWithTimeLimit(string readPath, string etlxPath, string tracePath, TimeSpan limit, IProgress<AnalysisProgress>? progress)
    {
        var parse = Task.Factory.StartNew(
            () =>
            {
                var options = new TraceLogOptions { ContinueOnError = true, ConversionLog = TextWriter.Null };
                long traceBytes = new FileInfo(readPath).Length;
                using (ReadBytesProbe.Start(progress, AnalysisStep.Converting, traceBytes))
                {
                    TraceLog.CreateFromEventPipeDataFile(readPath, etlxPath, options);
                }

                var log = new TraceLog(etlxPath);
                try
                {
                    using (ReadBytesProbe.Start(progress, AnalysisStep.ReadingCode, traceBytes))
                    {
                        return (log, TraceLogCodeMap.Read(readPath));
                    }
                }
                catch
                {
                    log.Dispose();
                    throw;
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        if (!((IAsyncResult)parse).AsyncWaitHandle.WaitOne(limit))
        {
            // The abandoned parse may still finish: then its log is closed and its file deleted.
            _ = parse.ContinueWith(
                finished =>
                {
                    if (finished.IsCompletedSuccessfully)
                    {
                        finished.Result.Item1.Dispose();
                    }

                    TryDelete(etlxPath);
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
            throw new MemLineException(FailureKind.TraceUnreadable, $"reading {tracePath} did not finish within {limit.TotalSeconds:F0} s; the file is probably damaged");
        }

        return parse.IsCompletedSuccessfully ? parse.Result : throw Unreadable(tracePath, parse.Exception!.InnerException!);
    }

    private static MemLineException Unreadable(string tracePath, Exception ex) =>
        ex is MemLineException known
            ? known
            : new MemLineException(FailureKind.TraceUnreadable, $"the trace is damaged and cannot be read: {tracePath} ({FirstLine(ex.Message)})", ex);

    public void Replay(IAllocationVisitor visitor, CancellationToken cancellationToken = default)
    {
        var frames = new List<StackFrame>(64);
        var frozenSegments = new List<(ulong Start, ulong End)>();
        long seen = 0;
        long heapBefore = -1, endedGCHeapBefore = -1;
        int endedGC = -1;
        foreach (TraceEvent ev in _log.Events)
        {
            if ((++seen & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                _progress?.Report(new AnalysisProgress(AnalysisStep.Attributing, seen, _log.EventCount, InEvents: true));
            }

            switch (ev)
            {
                case AllocationSampledTraceData sampled when Summary.EventKind == AllocationEventKind.AllocationSampled:
                    EnsurePlausible(ev, sampled.ObjectSize > 0 && sampled.SampledByteOffset >= 0 && sampled.SampledByteOffset < sampled.ObjectSize);
                    CollectFrames(ev, frames);
                    visitor.OnAllocation(
                        new AllocationRecord(ev.TimeStampRelativeMSec, ev.ThreadID, sampled.ObjectSize, sampled.SampledByteOffset, 0, TypeId: TypeIdOf((ulong)sampled.TypeID, sampled.TypeName))
                        {
                            Address = sampled.Address,
                            Heap = (int)sampled.AllocationKind is >= 0 and <= 2 ? (HeapKind)(int)sampled.AllocationKind : HeapKind.Small,
                        },
                        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(frames));
                    break;
                case GCCreateSegmentTraceData segment when segment.Type == GCSegmentType.ReadOnlyHeap:
                    frozenSegments.Add((segment.Address, segment.Address + segment.Size));
                    break;
                case GCSampledObjectAllocationTraceData exact when Summary.EventKind == AllocationEventKind.Exact && !IsFrozen(exact.Address, frozenSegments):
                    EnsurePlausible(ev, exact.TotalSizeForTypeSample >= 0 && exact.ObjectCountForTypeSample > 0);
                    CollectFrames(ev, frames);
                    visitor.OnAllocation(
                        new AllocationRecord(ev.TimeStampRelativeMSec, ev.ThreadID, ExactSize(exact), 0, 0, exact.ObjectCountForTypeSample, TypeIdOf((ulong)exact.TypeID, null))
                        {
                            Address = exact.ObjectCountForTypeSample == 1 ? exact.Address : 0,
                            Heap = exact.TotalSizeForTypeSample >= 85_000 ? HeapKind.Large : HeapKind.Small,
                        },
                        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(frames));
                    break;
                case GCAllocationTickTraceData tick when Summary.EventKind == AllocationEventKind.AllocationTick:
                    EnsurePlausible(ev, tick.AllocationAmount64 >= 0 && tick.ObjectSize >= 0);
                    CollectFrames(ev, frames);
                    visitor.OnAllocation(
                        new AllocationRecord(ev.TimeStampRelativeMSec, ev.ThreadID, tick.ObjectSize, 0, tick.AllocationAmount64, TypeId: TypeIdOf((ulong)tick.TypeID, tick.TypeName)),
                        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(frames));
                    break;
                case GCPerHeapHistoryTraceData perHeap:
                    {
                        // TraceEvent 4.0 misreads this event's v3 generations: the payload is read the way the streaming decoder reads it.
                        long before = new DotnetMemLine.Decoding.Nettrace.ClrPayload(perHeap.EventData(), perHeap.Version, perHeap.PointerSize).HeapSizeBeforeGC();
                        if (before >= 0)
                        {
                            heapBefore = Math.Max(0, heapBefore) + before;
                        }

                        break;
                    }

                case GCHeapStatsTraceData heap:
                    visitor.OnGCHeapSizes(ev.TimeStampRelativeMSec, endedGC, endedGCHeapBefore, HeapSize(heap));
                    break;
                case GCStartTraceData start:
                    visitor.OnGCStart(ev.TimeStampRelativeMSec, start.Count, start.Depth, start.Type switch { Microsoft.Diagnostics.Tracing.Parsers.Clr.GCType.BackgroundGC => DotnetMemLine.Decoding.GCType.Background, Microsoft.Diagnostics.Tracing.Parsers.Clr.GCType.ForegroundGC => DotnetMemLine.Decoding.GCType.Foreground, _ => DotnetMemLine.Decoding.GCType.Blocking }, ev.ThreadID, DotnetMemLine.Decoding.Nettrace.ClrPayload.IsAllocationReason((int)start.Reason));
                    break;
                case GCEndTraceData end:
                    endedGC = end.Count;
                    endedGCHeapBefore = heapBefore;
                    heapBefore = -1;
                    visitor.OnGCEnd(ev.TimeStampRelativeMSec, end.Count, end.Depth);
                    break;
                case GCBulkSurvivingObjectRangesTraceData surviving:
                    for (int i = 0; i < surviving.Count; i++)
                    {
                        visitor.OnSurvivingRange(surviving.Values(i).RangeBase, surviving.Values(i).RangeLength);
                    }

                    break;
                case GCBulkMovedObjectRangesTraceData moved:
                    for (int i = 0; i < moved.Count; i++)
                    {
                        visitor.OnMovedRange(moved.Values(i).OldRangeBase, moved.Values(i).NewRangeBase, moved.Values(i).RangeLength);
                    }

                    break;
                case GCGenerationRangeTraceData generation:
                    visitor.OnGenerationRange(generation.Generation, generation.RangeStart, generation.RangeUsedLength);
                    break;
                case GCBulkTypeTraceData types:
                    for (int i = 0; i < types.Count; i++)
                    {
                        GCBulkTypeValues type = types.Values(i);
                        bool isArray = (type.Flags & TypeFlags.Array) != 0 && type.TypeParameterCount > 0;
                        _bulkTypeNames.Add((ulong)type.TypeID, type.TypeName, isArray ? (ulong)type.TypeParameterID(0) : 0);
                    }

                    break;
            }
        }
    }

    /// <summary>The index of an allocated type; its name from the event, or (exact mode) from the BulkType events.</summary>
    private int TypeIdOf(ulong runtimeTypeId, string? name)
    {
        if (runtimeTypeId == 0)
        {
            return -1;
        }

        if (!_typeIndexById.TryGetValue(runtimeTypeId, out int index))
        {
            index = _typeNames.Count;
            _typeNames.Add(name ?? _bulkTypeNames.NameOf(runtimeTypeId));
            _typeIndexById[runtimeTypeId] = index;
        }

        return index;
    }

    /// <summary>
    /// A damaged payload (bits flipped inside an event) still decodes, into values no runtime writes;
    /// they would make the estimates meaningless, so the trace is refused.
    /// </summary>
    private void EnsurePlausible(TraceEvent ev, bool plausible)
    {
        if (!plausible)
        {
            throw new MemLineException(FailureKind.TraceUnreadable,
                $"the trace is damaged: its {ev.EventName} event at {ev.TimeStampRelativeMSec:F1} ms carries impossible values: {Summary.TracePath}");
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
                frames.Add(new StackFrame(_methodIdByAddress[address], _codeIdByAddress[address], _returnOffsetByAddress[address]));
            }

            stack = stacks.Caller(stack);
        }
    }

    private void Resolve(int address)
    {
        ulong returnAddress = _log.CodeAddresses.Address((CodeAddressIndex)address);
        if (_code.TryFind(returnAddress, out MethodCodeMap.CodeVersion? version, out int returnOffset))
        {
            _methodIdByAddress[address] = _methodTable.IdOf(version);
            _codeIdByAddress[address] = version.Id;
            _returnOffsetByAddress[address] = returnOffset;
        }
        else
        {
            _methodIdByAddress[address] = NotManagedCode;
        }
    }

    private static TraceSummary Summarize(TraceLog log, MethodCodeMap code, string tracePath) =>
        TracedMethodTable.Summarize(code, tracePath, log.SessionDuration.TotalSeconds, log.EventsLost, log.EventCount, AnyAllocationHasAStack(log))
            with { HasSurvivalEvents = log.Events.Any(e => e is GCBulkSurvivingObjectRangesTraceData or GCBulkMovedObjectRangesTraceData), StartedUtc = log.SessionStartTime.ToUniversalTime() };

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
