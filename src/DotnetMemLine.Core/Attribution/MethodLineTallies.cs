using DotnetMemLine.Decoding;
using DotnetMemLine.Estimation;

namespace DotnetMemLine.Attribution;

/// <summary>
/// The allocations of one selected method, bucketed by source line.
/// </summary>
internal sealed class MethodLineTallies
{
    public SampleTally Total { get; } = new();

    public Dictionary<int, SampleTally> ByLine { get; } = [];

    /// <summary>Per line, what it allocated by type (<see cref="IAllocationTrace.TypeNames"/> index; -1 unknown).</summary>
    public Dictionary<int, Dictionary<int, SampleTally>> TypesByLine { get; } = [];

    /// <summary>
    /// The allocations for which this method was the innermost selected code on the stack (its own, and those of the
    /// framework and library code it called), not those of selected methods it called: a profiler's "self".
    /// </summary>
    public SampleTally Self { get; } = new();

    /// <summary>Per line, its part of <see cref="Self"/>: the line was the innermost of the selected code.</summary>
    public Dictionary<int, SampleTally> SelfByLine { get; } = [];

    /// <summary>Per line, <see cref="SelfByLine"/> by type.</summary>
    public Dictionary<int, Dictionary<int, SampleTally>> SelfTypesByLine { get; } = [];

    /// <summary>Per line, the GC heap's largest size at the start of a GC that began while the line ran (see <see cref="HeapAtGCs"/>).</summary>
    public Dictionary<int, long> PeakHeapByLine { get; } = [];

    /// <summary>The GCs that began while the method ran, and the GC heap's largest size before and after one of them.</summary>
    public GCHeapTally HeapAtGCs { get; } = new();

    /// <summary>
    /// Per line, the part of its figure that the runtime's data could not separate from other lines
    /// (optimized code with one native range for several statements), and those lines.
    /// </summary>
    public Dictionary<int, (SampleTally Part, SortedSet<int> Lines)> SharedByLine { get; } = [];

    public long UnattributedSamples { get; set; }

    /// <summary>Samples charged to more than one line: a lambda or a recursive call runs inside the line that called it.</summary>
    public long SamplesOnSeveralLines { get; set; }

    /// <summary>Exact mode: the threads the method's allocations were made on.</summary>
    public int ThreadCount { get; set; }

    /// <summary>
    /// Per line, the part of its figure made by work the line handed to other threads (<c>Task.Run</c>,
    /// <c>Parallel</c>, PLINQ: the trace's causality events tie it to the line), and those threads.
    /// </summary>
    public Dictionary<int, (SampleTally Part, HashSet<int> Threads)> HandedOffByLine { get; } = [];

    /// <summary>
    /// Allocations on threads the method never ran on, while it ran (from its first sample to its last), that no
    /// causal link ties to it, and those threads: not in its lines.
    /// </summary>
    public SampleTally Elsewhere { get; } = new();

    /// <summary>How many threads <see cref="Elsewhere"/>'s allocations were made on.</summary>
    public int ElsewhereThreads { get; set; }

    /// <summary>The trace let sampled objects be followed through the GCs: the live figures below mean something.</summary>
    public bool FollowsLifetimes { get; set; }

    /// <summary>What the method allocated that survived every GC that collected it, and at least one: alive at the end.</summary>
    public SampleTally LiveAtEnd { get; } = new();

    /// <summary>
    /// Per line, the sampled objects of <see cref="LiveAtEnd"/> where they are now (moves followed), their type and estimated
    /// bytes: to find them in the live process and tell who holds them. Filled only when asked for.
    /// </summary>
    public Dictionary<int, List<(ulong Address, int TypeId, LiveSpan Span)>> LiveObjectsByLine { get; } = [];

    /// <summary>Per line, its part of <see cref="LiveAtEnd"/>.</summary>
    public Dictionary<int, SampleTally> LiveAtEndByLine { get; } = [];

    /// <summary>The most of the method's allocations seen alive at one GC: what it held at once.</summary>
    public SampleTally PeakLive { get; set; } = new();

    /// <summary>Per line, the most of its allocations seen alive at one GC.</summary>
    public Dictionary<int, SampleTally> PeakLiveByLine { get; } = [];

    /// <summary>No GC reported its survivors after the method's first allocation: what its lines held was never seen.</summary>
    public bool NoGCAfterFirstAllocation { get; set; }

    /// <summary>A full GC ran after the method's last allocation: <see cref="LiveAtEnd"/> is what the program still held, not a guess.</summary>
    public bool FullGCAfterLastAllocation { get; set; }

    /// <summary>Exact mode: the lines whose stacks include objects boxed by the runtime's CastHelpers.Box, which it logs only in part.</summary>
    public SortedSet<int> LinesBoxingThroughHelper { get; } = [];

    /// <summary>
    /// Adds what the same method allocated in another trace (another process, <c>analyze</c> of several traces): sums add,
    /// so the intervals come from the combined counts; the peaks (heap, live) are the largest one process reached, not a
    /// sum of moments that did not coincide; thread counts add, as each process has its own threads.
    /// </summary>
    /// <param name="other">The other trace's tallies of the method.</param>
    /// <param name="typeMap">The other trace's type ids in this one's numbering.</param>
    public void MergeFrom(MethodLineTallies other, int[] typeMap)
    {
        Total.Add(other.Total);
        Self.Add(other.Self);
        Elsewhere.Add(other.Elsewhere);
        LiveAtEnd.Add(other.LiveAtEnd);
        AddByLine(ByLine, other.ByLine);
        AddByLine(SelfByLine, other.SelfByLine);
        AddByLine(LiveAtEndByLine, other.LiveAtEndByLine);
        AddTypes(TypesByLine, other.TypesByLine, typeMap);
        AddTypes(SelfTypesByLine, other.SelfTypesByLine, typeMap);
        foreach ((int line, long peak) in other.PeakHeapByLine)
        {
            PeakHeapByLine[line] = Math.Max(peak, PeakHeapByLine.GetValueOrDefault(line, -1));
        }

        HeapAtGCs.AddFromOtherTrace(other.HeapAtGCs);
        foreach ((int line, (SampleTally part, SortedSet<int> lines)) in other.SharedByLine)
        {
            if (!SharedByLine.TryGetValue(line, out var shared))
            {
                shared = (new SampleTally(), []);
                SharedByLine[line] = shared;
            }

            shared.Part.Add(part);
            shared.Lines.UnionWith(lines);
        }

        foreach ((int line, (SampleTally part, HashSet<int> threads)) in other.HandedOffByLine)
        {
            if (!HandedOffByLine.TryGetValue(line, out var handedOff))
            {
                handedOff = (new SampleTally(), []);
                HandedOffByLine[line] = handedOff;
            }

            handedOff.Part.Add(part);
            // Another process's threads: only their number is reported, so each gets an id no thread of this one has.
            foreach (int _ in threads)
            {
                handedOff.Threads.Add(int.MinValue + handedOff.Threads.Count);
            }
        }

        UnattributedSamples += other.UnattributedSamples;
        SamplesOnSeveralLines += other.SamplesOnSeveralLines;
        ThreadCount += other.ThreadCount;
        ElsewhereThreads += other.ElsewhereThreads;
        FollowsLifetimes &= other.FollowsLifetimes;
        PeakLive = other.PeakLive.WeightedBytes > PeakLive.WeightedBytes ? other.PeakLive : PeakLive;
        foreach ((int line, SampleTally peak) in other.PeakLiveByLine)
        {
            if (!PeakLiveByLine.TryGetValue(line, out SampleTally? mine) || peak.WeightedBytes > mine.WeightedBytes)
            {
                PeakLiveByLine[line] = peak;
            }
        }

        NoGCAfterFirstAllocation &= other.NoGCAfterFirstAllocation;
        FullGCAfterLastAllocation &= other.FullGCAfterLastAllocation;
        LinesBoxingThroughHelper.UnionWith(other.LinesBoxingThroughHelper);
    }

    private static void AddByLine(Dictionary<int, SampleTally> into, Dictionary<int, SampleTally> from)
    {
        foreach ((int line, SampleTally tally) in from)
        {
            if (!into.TryGetValue(line, out SampleTally? mine))
            {
                mine = new SampleTally();
                into[line] = mine;
            }

            mine.Add(tally);
        }
    }

    private static void AddTypes(Dictionary<int, Dictionary<int, SampleTally>> into, Dictionary<int, Dictionary<int, SampleTally>> from, int[] typeMap)
    {
        foreach ((int line, Dictionary<int, SampleTally> types) in from)
        {
            if (!into.TryGetValue(line, out var mine))
            {
                mine = [];
                into[line] = mine;
            }

            // Two types of the other trace may have one name (and so one id here): both add to it.
            foreach ((int type, SampleTally tally) in types)
            {
                int mapped = type >= 0 && type < typeMap.Length ? typeMap[type] : -1;
                if (!mine.TryGetValue(mapped, out SampleTally? sum))
                {
                    sum = new SampleTally();
                    mine[mapped] = sum;
                }

                sum.Add(tally);
            }
        }
    }
}

/// <summary>
/// The GC heap measured at GCs: how many, and the largest size when one began and when one ended (-1: unknown).
/// Measured by the runtime (GCPerHeapHistory, GCHeapStats), not estimated, garbage included.
/// </summary>
internal sealed class GCHeapTally
{
    private readonly HashSet<int> _counted = [];
    private int _inOtherTraces;

    public int GCs => _counted.Count + _inOtherTraces;

    public long PeakBefore { get; private set; } = -1;

    public long PeakAfter { get; private set; } = -1;

    /// <summary>Counts GC number <paramref name="count"/> once, however many of the method's stacks it began under.</summary>
    public void Add(int count, long before, long after)
    {
        if (!_counted.Add(count))
        {
            return;
        }

        PeakBefore = Math.Max(PeakBefore, before);
        PeakAfter = Math.Max(PeakAfter, after);
    }

    /// <summary>Adds the GCs another trace (another process) counted: their number adds, the peaks are the larger.</summary>
    public void AddFromOtherTrace(GCHeapTally other)
    {
        _inOtherTraces += other.GCs;
        PeakBefore = Math.Max(PeakBefore, other.PeakBefore);
        PeakAfter = Math.Max(PeakAfter, other.PeakAfter);
    }
}
