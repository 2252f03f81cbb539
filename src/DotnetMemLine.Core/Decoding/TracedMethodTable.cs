namespace DotnetMemLine.Decoding;

/// <summary>
/// The method table both decoders expose: one <see cref="TracedMethod"/> per method (module + token)
/// with code in the <see cref="MethodCodeMap"/>, in the map's order, and the inlining events naming
/// them; plus the rules that turn the map's event counts into a <see cref="TraceSummary"/>.
/// </summary>
internal sealed class TracedMethodTable
{
    private readonly List<TracedMethod> _methods = [];
    private readonly Dictionary<(string Module, int Token), int> _methodIdByKey = [];

    public TracedMethodTable(MethodCodeMap code)
    {
        // Precompiled code without an IL map cannot be placed on lines; the analysis says so per method.
        var precompiled = code.Versions.Where(v => v.IsPrecompiled && v.NativeOffsets.Length == 0).Select(v => (v.ModulePath, v.Token)).ToHashSet();
        var optimizedBeforeSession = code.Versions.Where(v => v.IsOptimized && v.CompiledBeforeSession).Select(v => (v.ModulePath, v.Token)).ToHashSet();
        foreach (MethodCodeMap.CodeVersion version in code.Versions)
        {
            var key = (version.ModulePath, version.Token);
            IdOf(version, precompiled.Contains(key), optimizedBeforeSession.Contains(key));
        }

        Inlinings = [.. code.Inlinings.Select(i => new InliningEvent(i.InlineeType, i.InlineeName, i.InlineeSignature, i.InlinerType, i.InlinerName, IdOf(i.Compiled)))];

        // What each body's own IL calls were replaced by: known for bodies compiled during the session when the
        // trace has the JIT's inlining events (a trace without the JitTracing keyword has none at all), and
        // for unoptimized code, into which the JIT inlines nothing.
        var inlinedInto = code.Inlinings.Where(i => i.IntoCompiledMethod).ToLookup(i => i.Compiled.Id, i => (i.InlineeType, i.InlineeName));
        bool inliningsRecorded = code.Inlinings.Count > 0;
        Code = [.. code.Versions.Select(v => new CompiledCode
        {
            MethodId = IdOf(v),
            Size = (int)v.Size,
            NativeOffsets = v.NativeOffsets,
            ILOffsets = v.ILOffsets,
            IsOptimized = v.IsOptimized,
            InlinedMethods = !v.IsOptimized ? []
                : v.CompiledBeforeSession || !inliningsRecorded ? null
                : [.. inlinedInto[v.Id].Distinct()],
        })];
    }

    public IReadOnlyList<TracedMethod> Methods => _methods;

    /// <summary>Every code version of the map, in the map's order (<see cref="MethodCodeMap.CodeVersion.Id"/>).</summary>
    public IReadOnlyList<CompiledCode> Code { get; }

    public IReadOnlyList<InliningEvent> Inlinings { get; }

    /// <summary>All code versions of one method (same module and token) share one id.</summary>
    public int IdOf(MethodCodeMap.CodeVersion version, bool runsPrecompiledCode = false, bool hasOptimizedCodeFromBeforeSession = false)
    {
        var key = (version.ModulePath, version.Token);
        if (!_methodIdByKey.TryGetValue(key, out int id))
        {
            id = _methods.Count;
            _methods.Add(new TracedMethod(version.ModulePath, version.Token, version.Name, runsPrecompiledCode, hasOptimizedCodeFromBeforeSession)
            {
                TypeName = version.TypeName,
                MethodName = version.MethodName,
            });
            _methodIdByKey[key] = id;
        }

        return id;
    }

    /// <summary>The summary of a trace whose code map (and allocation event counts) is <paramref name="code"/>.</summary>
    public static TraceSummary Summarize(MethodCodeMap code, string tracePath, double durationSeconds, long droppedEvents, long eventsRead, bool anyAllocationHasAStack, string? readProblem = null)
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
            Math.Max(0, durationSeconds),
            events,
            droppedEvents,
            kind,
            kind != AllocationEventKind.None && anyAllocationHasAStack,
            kind == AllocationEventKind.Exact ? counts.ExactBatched : 0,
            eventsRead,
            readProblem,
            HasRundown: counts.Rundown > 0);
    }
}
