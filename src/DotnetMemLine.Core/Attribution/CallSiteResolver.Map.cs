using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>The IL-to-native map read for placement: which IL each native range can implement, its boundaries and stretches.</summary>
internal sealed partial class CallSiteResolver
{
    /// <summary>
    /// Whether optimized code placed this range after code of later IL although nothing jumps to its IL (it is no
    /// loop's top): a rarely run block moved out of line by profile (tier 1 put <c>AppendLine</c>'s slow path
    /// after the loop that follows it). The unmapped code after such a range is more of those blocks, from
    /// anywhere in the method, not the rest of its statement.
    /// </summary>
    private bool IsMovedOutOfLine(int range)
    {
        int il = ILAt(range);
        if (!_code.IsOptimized || il < 0 || _branches.Any(b => b.Target == il))
        {
            return false;
        }

        for (int earlier = 0; earlier < range; earlier++)
        {
            if (ILAt(earlier) > il)
            {
                return true;
            }
        }

        return false;
    }

    private List<(int Start, int End)> RealRangeSpans(int range, int il)
    {
        int next = NextBoundary(il);
        int following = NextRangeILOffset(range);
        if (following == next)
        {
            return [(il, next)];
        }

        if (following > next && OnlyOutOfLineBetween(il, following))
        {
            // Every boundary between this range's IL and the IL the next range continues is code moved out of line
            // after the method's last epilog (a guard's throw, an inlined helper's slow path): the range is the rest of
            // those statements' code (ReadObjectType's hot path ran from its version read to its return in one range,
            // the throws after each check placed after the epilog).
            return [(il, following)];
        }

        if (following < 0)
        {
            // The range ends with a forward jump over the IL that follows it, and unmapped code comes next:
            // the JIT moved the fall-through out of line (a lazily created cached delegate,
            // `<>O.<0>__Keep ??= Keep`), and what follows the jump in native order is its target's code.
            foreach (ILBranch branch in _branches)
            {
                if (branch.Offset >= il && branch.End <= next && branch.Target >= next
                    && !_sites.Any(s => s.Offset >= branch.End && s.Offset < next))
                {
                    return [(il, next), (branch.Target, NextBoundary(branch.Target))];
                }
            }

            return [(il, next)];
        }

        // The range's IL ends by always jumping to the IL the next range continues, or to code without calls right before
        // it (a switch arm's jump to the store of its value after the switch): that code comes next, and the IL between
        // (the other arms) is laid out elsewhere.
        if (_branches.Any(branch => branch.Unconditional && branch.Offset >= il && branch.End <= next && branch.Target >= next && branch.Target <= following
            && !_sites.Any(s => (s.Offset >= branch.End && s.Offset < next) || (s.Offset >= branch.Target && s.Offset < following))))
        {
            return [(il, next)];
        }

        // The code jumps elsewhere in IL after this range. When a branch of the range's own IL leads to the
        // IL the next range continues (a rotated loop's test, jumping back to the body's top), the range
        // ends with that branch: the IL after it (the loop's exit, the statement after the loop, whose
        // boundary the JIT may have dropped too) is laid out somewhere else.
        int lostStart = PreviousBoundary(following);
        int end = next;
        foreach (ILBranch branch in _branches)
        {
            if (branch.Offset >= il && branch.End < next && branch.Target >= lostStart && branch.Target <= following
                && (branch.Target < il || branch.Target >= next))
            {
                end = branch.End;
                break;
            }
        }

        return WithoutOtherHandlers([(il, end), (lostStart, following)], il);
    }

    /// <summary>
    /// True when every map entry of an IL offset after <paramref name="il"/> and before <paramref name="following"/> lies
    /// after the method's last epilog (cold blocks: optimized code places them past the last return), and that IL runs
    /// straight on: no jump in it goes back (a loop) or always jumps over a boundary or out of it (the end of an if's or a
    /// switch arm's branch, whose other branches the layout may have put anywhere; a pattern's `or` jumps over a constant).
    /// </summary>
    private bool OnlyOutOfLineBetween(int il, int following)
    {
        if (!_code.IsOptimized || !_branchesKnown
            || _branches.Any(branch => branch.Offset >= il && branch.Offset < following
                && (branch.Target <= branch.Offset
                    || (branch.Unconditional && (branch.Target > following || _boundaries.Any(b => b >= branch.End && b < branch.Target))))))
        {
            return false;
        }

        int[] ils = _code.ILOffsets;
        int lastEpilog = Array.LastIndexOf(ils, Epilog);
        if (lastEpilog < 0)
        {
            return false;
        }

        for (int entry = 0; entry < ils.Length; entry++)
        {
            int offset = ils[entry];
            if (offset > il && offset < following
                && (entry < lastEpilog || _branches.Any(branch => branch.Target == offset && branch.Offset > offset)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The IL of throws that optimized code placed out of line, past the method's last epilog: from each such map entry's IL
    /// offset to the first <c>throw</c> at or after it, when no jump leads into that IL (a guard's
    /// <c>throw new InvalidDataException($"...")</c>, its message built there too). Unmapped code elsewhere does not hold it.
    /// </summary>
    private List<(int Start, int End)> ColdThrows()
    {
        int[] ils = _code.ILOffsets;
        int lastEpilog = Array.LastIndexOf(ils, Epilog);
        var cold = new List<(int Start, int End)>();
        if (!_code.IsOptimized || !_branchesKnown || lastEpilog < 0)
        {
            return cold;
        }

        for (int entry = lastEpilog + 1; entry < ils.Length; entry++)
        {
            int il = ils[entry];
            if (il >= 0 && _sites.FirstOrDefault(site => site.Kind == ILSiteKind.Throw && site.Offset >= il) is { Kind: ILSiteKind.Throw } thrown
                && !_branches.Any(branch => branch.Target > il && branch.Target <= thrown.Offset))
            {
                cold.Add((il, thrown.Offset + 1));
            }
        }

        return cold;
    }

    /// <summary>
    /// A catch handler is compiled as a funclet of its own, placed apart from the code around it: its IL is never
    /// the code that follows a range of other IL.
    /// </summary>
    private List<(int Start, int End)> WithoutOtherHandlers(List<(int Start, int End)> spans, int il)
    {
        foreach (CatchRegion region in _catchRegions)
        {
            if (il >= region.HandlerStart && il < region.HandlerEnd)
            {
                continue;
            }

            spans = [.. spans.SelectMany(span => span.End <= region.HandlerStart || span.Start >= region.HandlerEnd
                ? [span]
                : new[] { (span.Start, region.HandlerStart), (region.HandlerEnd, span.End) }.Where(part => part.Item1 < part.Item2))];
        }

        return spans;
    }

    private int NextBoundary(int il)
    {
        int index = Array.BinarySearch(_boundaries, il + 1);
        index = index >= 0 ? index : ~index;
        return index < _boundaries.Length ? _boundaries[index] : _ilSize;
    }

    private int PreviousBoundary(int il)
    {
        int index = Array.BinarySearch(_boundaries, il);
        index = (index >= 0 ? index : ~index) - 1;
        return index >= 0 ? _boundaries[index] : 0;
    }

    /// <summary>The IL offset of the range that follows <paramref name="range"/> in native order, or -1 if none or a marker.</summary>
    private int NextRangeILOffset(int range)
    {
        int[] native = _code.NativeOffsets;
        int next = range + 1;
        while (next < native.Length && native[next] == native[range])
        {
            next++;
        }

        if (next >= native.Length)
        {
            return -1;
        }

        while (next + 1 < native.Length && native[next + 1] == native[next])
        {
            next++; // the last of equal starts is in effect
        }

        return _code.ILOffsets[next];
    }

    private int ILAt(int range) => _code.ILOffsets[range];

    /// <summary>
    /// Where in its range's IL a return address probably is: unoptimized code lays out each IL
    /// instruction's code in order, so the position inside the native range says how far into the IL
    /// (tier-0 code keeps few boundaries: a foreach's Current and the next statement's call share one).
    /// Optimized code reorders, so there the map's own answer stands.
    /// </summary>
    private int Estimate(int range, int returnOffset, int fallback)
    {
        if (_code.IsOptimized || range < 0 || ILAt(range) < 0)
        {
            return fallback;
        }

        int il = ILAt(range);
        int ilEnd = NextBoundary(il);
        int nativeStart = _code.NativeOffsets[range];
        int nativeEnd = range + 1 < _code.NativeOffsets.Length ? _code.NativeOffsets[range + 1] : _code.Size;
        return nativeEnd > nativeStart && ilEnd > il
            ? il + (int)((long)(returnOffset - nativeStart) * (ilEnd - il) / (nativeEnd - nativeStart))
            : fallback;
    }

    /// <summary>The map entry in effect at <paramref name="nativeOffset"/> (the last of equal starts), or -1 before the first.</summary>
    private int RangeAt(int nativeOffset) => _code.RangeAt(nativeOffset);

    /// <summary>
    /// The map's own answer for a native offset, used when no IL site explains the call and to break ties:
    /// the IL offset of the range holding it; for a marker, the nearest real offset before it in native order
    /// (unmapped code right after a backward jump in IL, as in on-stack-replacement bodies, the one after it).
    /// </summary>
    private int MapILOffset(int range)
    {
        int[] il = _code.ILOffsets;
        if (range < 0)
        {
            return -1;
        }

        if (il[range] == Prolog)
        {
            return _boundaries.Length > 0 ? 0 : -1;
        }

        if (il[range] >= 0)
        {
            return il[range];
        }

        int previous = range - 1;
        while (previous >= 0 && il[previous] < 0)
        {
            previous--;
        }

        int next = range + 1;
        while (next < il.Length && il[next] < 0)
        {
            next++;
        }

        if (il[range] == NoMapping && next < il.Length && (previous < 0 || il[previous] > il[next]))
        {
            return il[next];
        }

        return previous >= 0 ? il[previous] : -1;
    }

    /// <summary>How many times nearer the range before it unmapped code must be to be taken for that range's statement.</summary>
    private const int ClearlyNearer = 4;

    /// <summary>
    /// The IL a native range can implement, and the stretch of code laid out in IL order it belongs to
    /// (the range itself; -1 for code out of line). A range of a real IL offset
    /// implements the IL from there to the next boundary the map has, plus, when the next range in native
    /// order jumps elsewhere in IL, the IL just before that next range's offset (a lost boundary: a rotated
    /// loop's body starts right after its condition's range), its own IL then ending at a branch of its own
    /// that leads there (the condition's jump back: the IL after it is laid out elsewhere). The prolog's range holds the method's first
    /// statements. Unmapped code continues the range before it up to the IL of the range after it; after
    /// a backward jump in IL (the top of a loop in on-stack-replacement code) it leads into the range after
    /// it; before a range of earlier IL with no such jump, it goes on with the IL after the range before it; after
    /// an epilog it is out-of-line code that may be anything.
    /// </summary>
    /// <param name="range">The map entry holding the return address.</param>
    /// <param name="returnOffset">The return address, which side of unmapped code it is nearer telling; -1 when not known.</param>
    private (List<(int Start, int End)> Spans, int Stretch) Spans(int range, int returnOffset = -1)
    {
        if (range < 0)
        {
            return ([(0, _ilSize)], -1);
        }

        int il = ILAt(range);
        if (il == Prolog)
        {
            return ([(0, _boundaries.Length > 0 ? _boundaries[0] : _ilSize)], range);
        }

        if (il >= 0)
        {
            return (RealRangeSpans(range, il), range);
        }

        int[] ils = _code.ILOffsets;
        int previous = range - 1;
        while (previous >= 0 && ils[previous] is NoMapping)
        {
            previous--;
        }

        int next = range + 1;
        while (next < ils.Length && ils[next] < 0)
        {
            next++;
        }

        bool continuesPrevious = previous >= 0 && (ils[previous] >= 0 || ils[previous] == Prolog);
        if (!continuesPrevious)
        {
            return ([(0, _ilSize)], -1);
        }

        // Unmapped code is ordered within itself, and with the range before it only where no loop may have been moved there.
        int from = ils[previous] == Prolog ? 0 : ils[previous];
        if (next >= ils.Length)
        {
            return ([(from, _ilSize)], range);
        }

        int to = ils[next];
        if (to > from)
        {
            // Right after a range whose statements have no loop up to the range after it, the unmapped code goes on in the
            // same order (FormatAReceipt: `string.Format`'s call in the range of IL 154, then the inlined `PadRight`'s
            // string and `Split`, in the unmapped code after it, as the map dropped the boundaries of their lines).
            bool continuesInOrder = previous == range - 1 && ils[previous] >= 0
                && !_branches.Any(branch => branch.Target < branch.Offset && branch.Offset >= from && branch.Offset < to);
            return ([(from, to)], continuesInOrder ? previous : range);
        }

        if (to == from)
        {
            // Between two ranges of one statement's IL: a block the JIT placed in the middle of it, from anywhere.
            return ([(0, _ilSize)], -1);
        }

        // Code going back in IL: after a backward jump (the top of a loop in on-stack-replacement code) it leads into the
        // range after it. Without one, the JIT placed the two ranges by profile, and the unmapped code between them holds
        // blocks of both statements: code clearly nearer the range before it goes on with that statement and what follows
        // it (the GroupBy and ToDictionary inlined into `Sales.GroupBy(...).ToDictionary(...)`, 400 bytes into 3.8 KB of
        // unmapped code); the rest leads into the range after it (`new List<string>(matches.Count)`, whose array and whose
        // inlined regex scan's List<Match> growth lie in the 250 bytes before the code of the foreach that follows it).
        bool loopsBack = !_branchesKnown || _branches.Any(branch => branch.Offset >= from && branch.Target <= to);
        if (loopsBack || returnOffset < 0 || returnOffset - _code.NativeOffsets[previous + 1] > (_code.NativeOffsets[next] - returnOffset) / ClearlyNearer)
        {
            return ([(to, NextBoundary(to)), (PreviousBoundary(to), to)], -1);
        }

        return ([(from, _ilSize)], -1);
    }
}
