namespace DotnetMemLine.Decoding;

/// <summary>
/// Every compiled version of every method the trace describes (tier 0, tier 1, OSR, ...): where its
/// native code is, which method it is, and its native-to-IL map, read from the JIT's method-load and
/// IL-to-native map events and from the rundown that describes code compiled before the session.
/// Resolves a stack frame's return address to (method, IL offset).
/// </summary>
internal sealed class MethodCodeMap
{
    private readonly CodeVersion[] _versionsByStart;
    private readonly ulong[] _starts;

    internal MethodCodeMap(List<CodeVersion> versions, Dictionary<long, string> modulePaths, AllocationEventCounts? counts = null, List<Inlining>? inlinings = null)
    {
        Inlinings = inlinings ?? [];
        AllocationEvents = counts ?? new AllocationEventCounts();
        _versionsByStart = [.. versions.OrderBy(v => v.Start)];
        _starts = [.. _versionsByStart.Select(v => v.Start)];
        for (int id = 0; id < _versionsByStart.Length; id++)
        {
            _versionsByStart[id].Id = id;
            _versionsByStart[id].ModulePath = modulePaths.GetValueOrDefault(_versionsByStart[id].ModuleId, "");
        }
    }

    /// <summary>Per module path, the PDB id of the build the process loaded (<see cref="IAllocationTrace.ModuleBuilds"/>).</summary>
    public IReadOnlyDictionary<string, Guid> ModuleBuilds { get; init; } = new Dictionary<string, Guid>();

    /// <summary>One compiled body of a method.</summary>
    internal sealed class CodeVersion
    {
        public required ulong Start { get; init; }

        public required uint Size { get; init; }

        public required long MethodId { get; init; }

        public required long ModuleId { get; init; }

        public required int Token { get; init; }

        /// <summary>"Ns.Type.Method", for messages.</summary>
        public required string Name { get; init; }

        /// <summary>The declaring type as the runtime names it (the method event's namespace field).</summary>
        public string TypeName { get; init; } = "";

        /// <summary>The method's own name as the runtime names it.</summary>
        public string MethodName { get; init; } = "";

        public string ModulePath { get; set; } = "";

        /// <summary>Position in <see cref="Versions"/> (by start address).</summary>
        public int Id { get; set; }

        /// <summary>ReadyToRun code from the module's image: the runtime writes no IL map for it.</summary>
        public bool IsPrecompiled { get; init; }

        /// <summary>Optimized code (tier 1, OSR, fully optimized, precompiled): code into which the JIT inlines.</summary>
        public bool IsOptimized { get; init; }

        /// <summary>Described only by the rundown: compiled before the session, so its inlining decisions are not in the trace.</summary>
        public bool CompiledBeforeSession { get; set; }

        /// <summary>Native offsets (ascending) and the IL offset each starts; empty without an IL map.</summary>
        public int[] NativeOffsets { get; set; } = [];

        public int[] ILOffsets { get; set; } = [];
    }

    public IReadOnlyList<CodeVersion> Versions => _versionsByStart;

    /// <summary>A method the JIT inlined while compiling <see cref="Compiled"/>, as its inlining event names it.</summary>
    /// <param name="IntoCompiledMethod">Inlined at a call in the compiled method's own IL (not into another inlined method).</param>
    /// <param name="Compiled">The code version being compiled.</param>
    /// <param name="InlineeName">The inlined method's name.</param>
    /// <param name="InlineeSignature">The inlined method's signature, as the runtime writes it.</param>
    /// <param name="InlineeType">The inlined method's declaring type.</param>
    /// <param name="InlinerName">The name of the method whose code received the body.</param>
    /// <param name="InlinerType">The declaring type of the method whose code received the body.</param>
    internal sealed record Inlining(string InlineeType, string InlineeName, string InlineeSignature, string InlinerType, string InlinerName, CodeVersion Compiled, bool IntoCompiledMethod = true);

    /// <summary>Every successful inlining the JIT reported (keyword JitTracing) during the session.</summary>
    public IReadOnlyList<Inlining> Inlinings { get; }

    // Counted in the same pass over the file, so that nothing reads the whole trace just to count.
    public AllocationEventCounts AllocationEvents { get; }

    /// <summary>How many allocation events of each kind the trace holds.</summary>
    internal sealed class AllocationEventCounts
    {
        public long Sampled { get; set; }

        public long Ticks { get; set; }

        /// <summary>GCSampledObjectAllocation events (exact mode).</summary>
        public long Exact { get; set; }

        /// <summary>GCSampledObjectAllocation events standing for more than one object.</summary>
        public long ExactBatched { get; set; }

        /// <summary>Counts one GCSampledObjectAllocation event standing for <paramref name="objectCount"/> objects.</summary>
        public void AddExact(int objectCount)
        {
            Exact++;
            if (objectCount > 1)
            {
                ExactBatched++;
            }
        }

        /// <summary>Rundown events (method and module descriptions written when the session ends).</summary>
        public long Rundown { get; set; }
    }

    /// <summary>A map of the given code versions (for tests); module paths come from <paramref name="modulePaths"/>.</summary>
    internal static MethodCodeMap FromVersions(IEnumerable<CodeVersion> versions, Dictionary<long, string>? modulePaths = null) =>
        new([.. versions], modulePaths ?? []);

    /// <summary>The code version holding the instruction a return address follows, and the address as an offset into it.</summary>
    /// <remarks>
    /// The byte before the return address is looked up: it is inside the call instruction, while the
    /// return address itself can be the first byte after the body (a call that ends it).
    /// </remarks>
    public bool TryFind(ulong returnAddress, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CodeVersion? version, out int returnOffset)
    {
        ulong address = returnAddress - 1;
        int index = Array.BinarySearch(_starts, address);
        if (index < 0)
        {
            index = ~index - 1;
        }

        version = null;
        returnOffset = -1;
        if (index < 0 || address - _versionsByStart[index].Start >= _versionsByStart[index].Size)
        {
            return false;
        }

        version = _versionsByStart[index];
        returnOffset = (int)(returnAddress - version.Start);
        return true;
    }
}
