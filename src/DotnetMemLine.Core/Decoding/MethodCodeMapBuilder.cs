namespace DotnetMemLine.Decoding;

/// <summary>
/// The rules that turn the JIT's method-load, IL-to-native map, inlining and module events (and the
/// rundown's descriptions of code compiled before the session) into a <see cref="MethodCodeMap"/>.
/// Both decoders feed it: the TraceLog one from TraceEvent's parsed events, the streaming one from
/// its own payload decoding. Events must arrive in the trace's time order (per thread, file order).
/// </summary>
internal sealed class MethodCodeMapBuilder
{
    private readonly Dictionary<ulong, MethodCodeMap.CodeVersion> _versionsByStart = [];
    private readonly Dictionary<long, string> _modulePaths = [];
    private readonly Dictionary<int, MethodCodeMap.CodeVersion> _lastLoadByThread = [];
    private readonly Dictionary<int, (long MethodId, int[] Native, int[] IL)> _pendingMapByThread = [];
    private readonly List<MethodCodeMap.Inlining> _inlinings = [];
    private readonly Dictionary<int, List<InliningDecision>> _pendingInliningsByThread = [];

    /// <summary>A method load (or unload, or rundown description) event's fields that the map uses.</summary>
    /// <param name="IsPrecompiled">ReadyToRun code: the event lacks the <c>Jitted</c> flag.</param>
    /// <param name="IsOptimized">Optimized tier (optimized, tier 1, OSR, ReadyToRun, PreJIT): code into which the JIT inlines.</param>
    /// <param name="MethodId">The runtime's id of the method (its MethodDesc).</param>
    /// <param name="ModuleId">The runtime's id of its module.</param>
    /// <param name="Start">The address of the code's first byte.</param>
    /// <param name="Size">The code's size in bytes.</param>
    /// <param name="Token">The method's metadata token.</param>
    /// <param name="Namespace">The declaring type's full name, as the event gives it.</param>
    /// <param name="Name">The method's name.</param>
    internal readonly record struct MethodLoad(
        long MethodId,
        long ModuleId,
        ulong Start,
        uint Size,
        int Token,
        bool IsPrecompiled,
        bool IsOptimized,
        string Namespace,
        string Name);

    /// <summary>A <c>MethodJitInliningSucceeded</c> event's names.</summary>
    internal sealed record InliningDecision(
        string CompiledNamespace,
        string CompiledName,
        string InlinerNamespace,
        string InlinerName,
        string InlineeNamespace,
        string InlineeName,
        string InlineeSignature);

    /// <summary>Allocation events seen in the same pass; the caller counts them.</summary>
    public MethodCodeMap.AllocationEventCounts Counts { get; } = new();

    public void OnMethodLoad(int threadId, in MethodLoad load, bool fromRundown)
    {
        var version = new MethodCodeMap.CodeVersion
        {
            IsPrecompiled = load.IsPrecompiled,
            IsOptimized = load.IsOptimized,
            CompiledBeforeSession = fromRundown,
            Start = load.Start,
            Size = load.Size,
            MethodId = load.MethodId,
            ModuleId = load.ModuleId,
            Token = load.Token,
            Name = $"{load.Namespace}.{load.Name}",
            TypeName = load.Namespace,
            MethodName = load.Name,
        };

        // The same body is described again by the rundown; keep the description that has a map.
        bool knownFromSession = _versionsByStart.TryGetValue(version.Start, out MethodCodeMap.CodeVersion? known) && !known.CompiledBeforeSession;
        if (known is null || known.NativeOffsets.Length == 0)
        {
            _versionsByStart[version.Start] = version;
        }

        // A body whose load event the session saw was compiled during it, whatever the rundown says later.
        _versionsByStart[version.Start].CompiledBeforeSession &= !knownFromSession && fromRundown;

        MethodCodeMap.CodeVersion current = _versionsByStart[version.Start];
        _lastLoadByThread[threadId] = current;
        if (_pendingMapByThread.Remove(threadId, out var pending) && pending.MethodId == current.MethodId && current.NativeOffsets.Length == 0)
        {
            current.NativeOffsets = pending.Native;
            current.ILOffsets = pending.IL;
        }

        if (_pendingInliningsByThread.Remove(threadId, out var inlined))
        {
            foreach (InliningDecision inlining in inlined)
            {
                if (inlining.CompiledName == load.Name && inlining.CompiledNamespace == load.Namespace)
                {
                    bool intoCompiledMethod = inlining.InlinerName == load.Name && inlining.InlinerNamespace == load.Namespace;
                    _inlinings.Add(new MethodCodeMap.Inlining(inlining.InlineeNamespace, inlining.InlineeName, inlining.InlineeSignature, inlining.InlinerNamespace, inlining.InlinerName, current, intoCompiledMethod));
                }
            }
        }
    }

    /// <summary>
    /// The JIT reports each inlining while it compiles, before the compiled method's load event on
    /// the same thread; the events carry names only, so the load that follows says which method it was.
    /// </summary>
    public void OnInlining(int threadId, InliningDecision inlining)
    {
        if (!_pendingInliningsByThread.TryGetValue(threadId, out var pending))
        {
            pending = [];
            _pendingInliningsByThread[threadId] = pending;
        }

        pending.Add(inlining);
    }

    /// <summary>
    /// The IL map of a method's main extent (cold-code extents are left out by the caller), as parallel
    /// arrays in the event's order. The map names its method but not its code version: the runtime
    /// writes it next to the body's load event on the same thread, after it when the JIT compiles and
    /// before it in the rundown. So it goes to the preceding load if that one still lacks a map, else
    /// it waits for the next load of the same method on that thread.
    /// </summary>
    public void OnILMap(int threadId, long methodId, int[] nativeOffsets, int[] ilOffsets)
    {
        var entries = new (int Native, int IL)[nativeOffsets.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = (nativeOffsets[i], ilOffsets[i]);
        }

        // Stable: entries sharing a native offset keep the runtime's order (the last one is in effect).
        (int Native, int IL)[] sorted = [.. entries.OrderBy(e => e.Native)];
        int[] native = [.. sorted.Select(e => e.Native)];
        int[] il = [.. sorted.Select(e => e.IL)];

        if (_lastLoadByThread.TryGetValue(threadId, out MethodCodeMap.CodeVersion? version) && version.MethodId == methodId && version.NativeOffsets.Length == 0)
        {
            version.NativeOffsets = native;
            version.ILOffsets = il;
        }
        else
        {
            _pendingMapByThread[threadId] = (methodId, native, il);
        }
    }

    private readonly Dictionary<string, Guid> _moduleBuilds = new(StringComparer.Ordinal);

    /// <summary>A module the process loaded: its path, and the PDB id of its build when the event carries one.</summary>
    public void OnModule(long moduleId, string ilPath, Guid? pdbId = null)
    {
        _modulePaths[moduleId] = ilPath;
        if (pdbId is Guid id)
        {
            _moduleBuilds[ilPath] = id;
        }
    }

    public MethodCodeMap Build() => new([.. _versionsByStart.Values], _modulePaths, Counts, _inlinings) { ModuleBuilds = _moduleBuilds };
}
