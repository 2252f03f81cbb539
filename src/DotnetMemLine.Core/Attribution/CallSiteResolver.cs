using System.Collections.Immutable;
using DotnetMemLine.Decoding;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>What a frame was doing when the allocation happened: the call it was making.</summary>
/// <param name="Kind">Whether it called the allocator itself (the innermost managed frame) or a method.</param>
/// <param name="TypeKey">The allocated type, or the called method's declaring type, as <see cref="ILSites.TypeKey"/> spells it; empty when unknown.</param>
/// <param name="MethodName">The called method's own name (".ctor", "GetEnumerator"); empty for an allocation.</param>
/// <param name="MinSize">For an allocation, the smallest object seen allocated there (-1 when unknown)...</param>
/// <param name="MaxSize">...and the largest: a constant-length array always has one size.</param>
internal readonly record struct FrameCall(FrameCallKind Kind, string TypeKey, string MethodName, long MinSize = -1, long MaxSize = -1)
{
    /// <summary>
    /// For a type nested in another (<c>Enumerable+DistinctIterator</c>), the outer type's key ("Enumerable"):
    /// the outer type's methods make and call their own nested types. Empty otherwise.
    /// </summary>
    public string OuterTypeKey { get; init; } = "";

    public static FrameCall Allocation(string typeKey, long minSize = -1, long maxSize = -1) => new(FrameCallKind.Allocation, typeKey, "", minSize, maxSize);

    public static FrameCall Call(string typeKey, string methodName) => new(FrameCallKind.Call, typeKey, methodName);
}

internal enum FrameCallKind : byte
{
    /// <summary>The frame is the innermost managed one: its code called an allocation helper (directly or in inlined code).</summary>
    Allocation,

    /// <summary>The frame called the method of the frame inside it (or code that led there).</summary>
    Call,
}

/// <summary>Where a return address of a code body was resolved to.</summary>
/// <param name="ILOffset">The IL offset of the instruction the frame was stopped at (a call or allocation site), or of the map's boundary when no site fits.</param>
/// <param name="Alternatives">
/// Other sites that fit equally well and that the runtime's data cannot tell apart (the JIT merged their
/// statements into one range of optimized code); empty when the site is certain.
/// </param>
internal readonly record struct CallSiteResolution(int ILOffset, ImmutableArray<int> Alternatives)
{
    public static CallSiteResolution Unknown { get; } = new(-1, []);
}

/// <summary>
/// Resolves return addresses in one compiled body to the IL instruction each frame was stopped at.
/// </summary>
/// <remarks>
/// The JIT's IL-to-native map only says where the code for an IL offset STARTS, and only at the
/// boundaries the JIT kept: in optimized code one native range often holds several statements, the
/// first statement can share the prolog's range, and cold code has no mapping at all. So the map alone
/// cannot place a call: interpolating inside a range, or taking the range's first statement, charges
/// the wrong line whenever a range holds several (docs/how-it-works.md shows real maps). What the map
/// does give is the IL span a range can implement, and the trace says what each frame was calling:
/// the method of the frame inside it, or for the innermost frame the allocation helper with the
/// allocated type. Only some IL instructions in the span can make that call: a call to a method of
/// that name, a <c>newarr</c>/<c>newobj</c>/<c>box</c> of that type, a delegate's <c>Invoke</c>, or a
/// call the JIT inlined (whose body may make any call). The frame is placed at the best such
/// instruction; where several statements remain, the other return addresses seen in the same range
/// narrow them down, because optimized code keeps calls in IL order within a range.
/// </remarks>
internal sealed class CallSiteResolver
{
    private const int NoMapping = -1;
    private const int Prolog = -2;
    private const int Epilog = -3;

    // How well an IL site explains an observed call. A site must explain every call seen at a
    // return address (one return address is one call instruction), so a site's score at an address
    // is its lowest over them.
    private const int Impossible = 0;
    private const int TailCalled = 1; // a call to another method, which may have tail-called the frame's callee
    private const int Weak = 2;       // a call the JIT may have inlined: its body may make any call
    private const int Related = 3;    // either of those, to a method of the callee's own type (ToArray tail-calling ICollectionToArray)
    private const int Medium = 4;     // a delegate's Invoke or calli: calls some method
    private const int Strong = 5;     // a call to a method of that name, an allocation of that type

    private readonly CompiledCode _code;
    private readonly ImmutableArray<ILSite> _sites;
    private readonly int _ilSize;
    private readonly int[] _boundaries; // the map's real IL offsets, ascending, distinct
    private readonly HashSet<(string TypeKey, string MethodName)>? _inlined;
    private readonly HashSet<string>? _inlinedNames;
    private readonly Func<int, ImmutableArray<ILSite>>? _sitesOf;
    private readonly ImmutableArray<ILBranch> _branches;
    private readonly ImmutableArray<CatchRegion> _catchRegions; // the user's own (no compiler-generated handler)
    private readonly Dictionary<(int ReturnOffset, FrameCall Call), int> _handlerSites = [];
    private readonly HashSet<string> _localFunctionsCalledByName; // called by name here and made into no delegate of the user's method
    private readonly (ILSite Load, ILSite Construction)[] _delegateMakings; // ldftn and the delegate newobj right after it
    private readonly (ILSite Load, ILSite Construction)[] _familyDelegateMakings; // those and the ones of the rest of the user's method

    /// <param name="code">The compiled body (its IL map and what was inlined into it).</param>
    /// <param name="sites">The method's call, allocation and throw instructions, in IL order.</param>
    /// <param name="ilSize">The length of the method's IL.</param>
    /// <param name="sitesOf">The sites of another method of the same module, by token: what a call the JIT inlined may allocate.</param>
    /// <param name="branches">The method's branch instructions, in IL order: where a range's code may stop following IL order.</param>
    /// <param name="familyDelegateMakings">
    /// The delegates the rest of the user's method makes (<see cref="DelegateMakings"/> of the method and of its
    /// lambdas and local functions): a lambda invokes the delegates its enclosing method made.
    /// </param>
    /// <param name="catchRegions">The method's <c>catch</c> handlers: a frame running one is reported at the call that threw.</param>
    public CallSiteResolver(CompiledCode code, ImmutableArray<ILSite> sites, int ilSize, Func<int, ImmutableArray<ILSite>>? sitesOf = null, ImmutableArray<ILBranch> branches = default,
        IReadOnlyList<(ILSite Load, ILSite Construction)>? familyDelegateMakings = null, ImmutableArray<CatchRegion> catchRegions = default)
    {
        _catchRegions = catchRegions.IsDefault ? [] : catchRegions;
        _code = code;
        _sites = sites;
        _ilSize = ilSize;
        _sitesOf = sitesOf;
        _branches = branches.IsDefault ? [] : branches;
        _boundaries = [.. code.ILOffsets.Where(o => o >= 0).Distinct().Order()];
        _delegateMakings = DelegateMakings(sites);
        _familyDelegateMakings = [.. _delegateMakings.Concat(familyDelegateMakings ?? []).Distinct()];
        _localFunctionsCalledByName = [.. sites
            .Where(s => s.IsCall && s.TargetToken != 0 && IsLocalFunction(s.MethodName))
            .Select(s => s.MethodName)
            .Except(_familyDelegateMakings.Select(m => m.Load.MethodName))];
        if (code.InlinedMethods is { } inlined)
        {
            _inlined = [.. inlined.Select(m => (ILSites.TypeKey(m.TypeName), m.MethodName))];
            _inlinedNames = [.. inlined.Select(m => m.MethodName)];
        }
    }

    /// <summary>
    /// Resolves every return offset of this body seen in the trace, each with all the calls observed
    /// at it. Returns one resolution per distinct return offset.
    /// </summary>
    public Dictionary<int, CallSiteResolution> Resolve(IEnumerable<(int ReturnOffset, FrameCall Call)> observations)
    {
        var callsByOffset = new Dictionary<int, List<FrameCall>>();
        foreach ((int offset, FrameCall call) in observations)
        {
            if (!callsByOffset.TryGetValue(offset, out List<FrameCall>? calls))
            {
                calls = [];
                callsByOffset[offset] = calls;
            }

            if (!calls.Contains(call))
            {
                calls.Add(call);
            }
        }

        var results = new Dictionary<int, CallSiteResolution>(callsByOffset.Count);
        _handlerSites.Clear();
        if (_code.NativeOffsets.Length == 0)
        {
            foreach (int offset in callsByOffset.Keys)
            {
                results[offset] = CallSiteResolution.Unknown;
            }

            return results;
        }

        SeparateCatchHandlerCalls(callsByOffset);

        // Candidates per return offset, grouped by the stretch of code laid out in IL order that holds the call.
        var byStretch = new Dictionary<int, List<(int Offset, int[] Candidates, int Fallback)>>();
        var estimates = new Dictionary<int, int>();
        var borrowing = new Dictionary<int, int[]>();
        var sharing = new Dictionary<int, int[]>(); // sites that may have made the call as well, never chosen over the candidates
        var observedStatements = callsByOffset.Keys.Select(o => RangeAt(o - 1)).Where(r => r >= 0).Select(ILAt).ToHashSet();
        int unordered = -2;
        var entries = new List<(int Offset, int[] Candidates, int Fallback, int Stretch, bool Guessed, List<(int Start, int End)> Spans)>();
        foreach ((int offset, List<FrameCall> calls) in callsByOffset)
        {
            int range = RangeAt(offset - 1);
            int fallback = MapILOffset(range);
            (List<(int Start, int End)> spans, int stretch) = Spans(range);
            bool guessed = range < 0 || ILAt(range) is NoMapping or Epilog;
            int[] candidates = Candidates(spans, guessed, calls);
            // Optimized code moves a call whose result has one use into the statement that uses it
            // (forward substitution), past the boundary the map keeps: a call nothing here certainly
            // makes but the previous statement does (by name) is that statement's; otherwise the
            // previous statement's sites are tried when the range's calls cannot be put in IL order.
            if (_code.IsOptimized && range >= 0 && ILAt(range) is int il and > 0 && PreviousBoundary(il) < il && Best(calls, spans).Score < Strong)
            {
                (int Start, int End) previous = (PreviousBoundary(il), il);
                if (calls.All(c => c.Kind == FrameCallKind.Call) && Best(calls, [previous], minimumScore: Strong) is { Score: Strong, Sites.Length: > 0 } moved)
                {
                    candidates = moved.Sites;
                }
                else if (!observedStatements.Contains(previous.Start))
                {
                    borrowing[offset] = Candidates([.. spans, previous], guessed, calls);
                    // A call only an inlined body can have made (TextInfo's ChangeCaseCommon under
                    // `lengths.Add(upper.Length)`): the previous statement's inlined calls may have made it
                    // just as well, so they share it rather than the map's statement taking it silently.
                    if (!guessed && calls.All(c => c.Kind == FrameCallKind.Call) && Best(calls, spans).Score == Weak
                        && Best(calls, [previous]) is { Score: Weak, Sites.Length: > 0 } maybeMoved)
                    {
                        sharing[offset] = maybeMoved.Sites;
                    }
                }
            }

            // Unmapped code after a block moved out of line is mostly more of the statement before it, but may
            // hold other moved blocks: the sites elsewhere that explain the calls as well share its bytes.
            if (guessed && range > 0 && ILAt(range) == NoMapping && IsMovedOutOfLine(range - 1) && candidates.Length > 0
                && Best(calls, spans) is { Score: > TailCalled } local && Best(calls, [(0, _ilSize)]) is { } anywhere && anywhere.Score == local.Score)
            {
                int[] elsewhere = [.. anywhere.Sites.Except(candidates)];
                if (elsewhere.Length > 0)
                {
                    sharing[offset] = sharing.TryGetValue(offset, out int[]? already) ? [.. already.Union(elsewhere)] : elsewhere;
                }
            }

            // The JIT allocates a new object wherever it likes before its constructor runs (seen hoisted
            // above the previous statement's call), so that allocation says nothing about order.
            bool hoistable = calls.All(c => c.Kind == FrameCallKind.Allocation)
                && candidates.Length > 0 && candidates.All(c => _sites.Any(s => s.Offset == c && s.Kind == ILSiteKind.NewObject && calls.All(call => Allocates(s, call))));
            if (stretch < 0 || hoistable)
            {
                stretch = unordered--; // alone: no order to rely on
            }

            entries.Add((offset, candidates, fallback, stretch, guessed, spans));
            estimates[offset] = Estimate(range, offset, fallback);
        }

        ReleaseClaimedAllocations(entries, callsByOffset, estimates);
        foreach ((int offset, int[] candidates, int fallback, int stretch, _, _) in entries)
        {
            if (!byStretch.TryGetValue(stretch, out var inStretch))
            {
                inStretch = [];
                byStretch[stretch] = inStretch;
            }

            inStretch.Add((offset, candidates, fallback));
        }

        foreach (var inRange in byStretch.Values)
        {
            // Within a range (and unmapped code right after it) the calls are laid out in IL order, so the
            // sites of successive return addresses cannot go backwards; out-of-line code has no such order.
            if (inRange.Count > 1)
            {
                inRange.Sort((a, b) => a.Offset.CompareTo(b.Offset));
                Narrow(inRange, borrowing);
            }

            foreach ((int offset, int[] candidates, int fallback) in inRange)
            {
                CallSiteResolution chosen = Choose(candidates, fallback, estimates[offset]);
                results[offset] = sharing.TryGetValue(offset, out int[]? others)
                    ? chosen with { Alternatives = [.. chosen.Alternatives.Union(others.Where(o => o != chosen.ILOffset))] }
                    : chosen;
            }
        }

        return results;
    }

    /// <summary>
    /// An IL allocation (<c>newarr</c>, <c>box</c>, a <c>newobj</c>'s allocation) is compiled to one call of
    /// the allocator. When a return address inside the native range mapped to that IL certainly made it, a
    /// second return address in unmapped code allocating the same type and size is another site's: an
    /// inlined call (<c>lookup.ToArray()</c> copying an array as large as <c>new byte[512 * 1024]</c>), which
    /// tier-1 code may lay out anywhere (its blocks are placed by profile, not in IL order).
    /// </summary>
    /// <remarks>
    /// Of the sites left, the one nearest the address's position between the mapped ranges around it
    /// is chosen (blocks between two mapped ranges mostly follow IL order).
    /// </remarks>
    private void ReleaseClaimedAllocations(List<(int Offset, int[] Candidates, int Fallback, int Stretch, bool Guessed, List<(int Start, int End)> Spans)> entries, Dictionary<int, List<FrameCall>> callsByOffset, Dictionary<int, int> estimates)
    {
        if (!_code.IsOptimized)
        {
            return;
        }

        HashSet<int> claimed = [.. entries
            .Where(e => !e.Guessed && e.Candidates.Length == 1 && IsAllocationSite(e.Candidates[0]) && callsByOffset[e.Offset].All(c => c.Kind == FrameCallKind.Allocation))
            .Select(e => e.Candidates[0])];
        for (int i = 0; i < entries.Count; i++)
        {
            (int offset, int[] candidates, int fallback, int stretch, bool guessed, List<(int Start, int End)> spans) = entries[i];
            if (!guessed || candidates.Length == 0 || !candidates.All(claimed.Contains))
            {
                continue;
            }

            List<FrameCall> calls = callsByOffset[offset];
            int[] others = [.. _sites
                .Where(site => spans.Any(s => site.Offset >= s.Start && site.Offset < s.End) && !claimed.Contains(site.Offset))
                .Where(site => calls.All(call => Score(site, call) >= Weak))
                .Select(site => site.Offset)
                .Distinct()];
            if (others.Length > 0)
            {
                entries[i] = (offset, others, fallback, stretch, guessed, spans);
                estimates[offset] = BetweenMappedRanges(offset) ?? estimates[offset];
            }
        }
    }

    /// <summary>
    /// The IL offset as far between the mapped ranges before and after <paramref name="returnOffset"/> as the
    /// address is between their native starts; null when it is not between two ranges going forwards in IL.
    /// </summary>
    private int? BetweenMappedRanges(int returnOffset)
    {
        int[] native = _code.NativeOffsets;
        int before = RangeAt(returnOffset - 1);
        while (before >= 0 && ILAt(before) < 0)
        {
            before--;
        }

        int after = Math.Max(before + 1, 0);
        while (after < native.Length && ILAt(after) < 0)
        {
            after++;
        }

        if (before < 0 || after >= native.Length || ILAt(after) <= ILAt(before) || native[after] <= native[before])
        {
            return null;
        }

        return ILAt(before) + (int)((long)(returnOffset - native[before]) * (ILAt(after) - ILAt(before)) / (native[after] - native[before]));
    }

    private bool IsAllocationSite(int offset) => _sites.Any(s => s.Offset == offset && s.Kind is ILSiteKind.NewArray or ILSiteKind.Box or ILSiteKind.NewObject);

    /// <summary>
    /// The chosen site: the only candidate, or of several the one nearest <paramref name="estimate"/>, with the
    /// others as alternatives; the map's answer itself when no site can make the call.
    /// </summary>
    private static CallSiteResolution Choose(int[] candidates, int fallback, int estimate)
    {
        if (candidates.Length == 0)
        {
            return new CallSiteResolution(fallback, []);
        }

        if (candidates.Length == 1)
        {
            return new CallSiteResolution(candidates[0], []);
        }

        int chosen = estimate < 0 ? candidates[0] : candidates.MinBy(c => Math.Abs(c - estimate));
        return new CallSiteResolution(chosen, [.. candidates.Where(c => c != chosen)]);
    }

    /// <summary>
    /// Keeps, for each return address (sorted), only the candidates that fit an assignment where the
    /// sites never go backwards in IL: strictly forwards if that is possible (two return addresses are
    /// two call instructions, normally of two IL calls), else allowing repeats (the JIT can emit one IL
    /// call twice, as a guarded devirtualization does). When no such assignment exists the layout is not
    /// in IL order and the candidates are left as they are.
    /// </summary>
    /// <remarks>
    /// When no strictly forward assignment exists, the previous statement's sites that certainly make a call are tried too
    /// (<paramref name="borrowing"/>): optimized code moves a call whose result has one use into the
    /// statement that uses it (forward substitution: <c>var upper = word.ToUpperInvariant();</c> is
    /// compiled into <c>lengths.Add(upper.Length)</c>), past the boundary the map keeps.
    /// </remarks>
    private static void Narrow(List<(int Offset, int[] Candidates, int Fallback)> sorted, Dictionary<int, int[]> borrowing)
    {
        if (TryNarrow(sorted, strict: true))
        {
            return;
        }

        List<(int Offset, int[] Candidates, int Fallback)> borrowed =
            [.. sorted.Select(e => borrowing.TryGetValue(e.Offset, out int[]? more) ? (e.Offset, more, e.Fallback) : e)];
        if (TryNarrow(borrowed, strict: true))
        {
            sorted.Clear();
            sorted.AddRange(borrowed);
            return;
        }

        TryNarrow(sorted, strict: false);
    }

    private static bool TryNarrow(List<(int Offset, int[] Candidates, int Fallback)> sorted, bool strict)
    {
        int n = sorted.Count;
        int[] earliest = new int[n];
        int[] latest = new int[n];
        long floor = long.MinValue;
        for (int i = 0; i < n; i++)
        {
            int[] c = sorted[i].Candidates;
            if (c.Length > 0)
            {
                long bound = floor;
                int first = Array.FindIndex(c, s => strict ? s > bound : s >= bound);
                if (first < 0)
                {
                    return false;
                }

                floor = earliest[i] = c[first];
            }
        }

        long ceiling = long.MaxValue;
        for (int i = n - 1; i >= 0; i--)
        {
            int[] c = sorted[i].Candidates;
            if (c.Length > 0)
            {
                long bound = ceiling;
                int last = Array.FindLastIndex(c, s => strict ? s < bound : s <= bound);
                if (last < 0)
                {
                    return false;
                }

                ceiling = latest[i] = c[last];
            }
        }

        for (int i = 0; i < n; i++)
        {
            (int offset, int[] c, int fallback) = sorted[i];
            if (c.Length > 1)
            {
                sorted[i] = (offset, [.. c.Where(s => s >= earliest[i] && s <= latest[i])], fallback);
            }
        }

        return true;
    }

    /// <summary>
    /// The sites of the best score that can make all of <paramref name="calls"/>: within the IL the range can
    /// implement. Where that span is only a guess (unmapped code, which the JIT may have moved from
    /// anywhere) or has no site that can make the call, a site elsewhere is taken when it is the only
    /// one that certainly can (the one call of that method, the one allocation of that type and size).
    /// </summary>
    private int[] Candidates(List<(int Start, int End)> spans, bool spansAreGuesses, List<FrameCall> calls)
    {
        (int score, int[] inSpan) = Best(calls, spans);
        if (inSpan.Length > 0 && (score == Strong || !spansAreGuesses))
        {
            return inSpan;
        }

        if (calls.Any(c => (c.Kind == FrameCallKind.Allocation ? c.TypeKey : c.MethodName).Length == 0))
        {
            return inSpan;
        }

        (int anywhereScore, int[] anywhere) = Best(calls, [(0, _ilSize)], minimumScore: Medium);
        if (anywhere.Length == 1)
        {
            return anywhere;
        }

        // Only a call the JIT may have inlined here could have made it, and elsewhere calls of that very method
        // are written (the JIT moved one of the method's `.ToList()` calls into unmapped code after a
        // Sink.Keep): one of those, not an inlined decimal conversion.
        if (anywhereScore == Strong && anywhere.Length > 1 && score < Medium)
        {
            return anywhere;
        }

        // A guess explained only by a factory of the object being made (a `.ToList()` and its List): the factories
        // elsewhere explain it as well (the `.ToList()` of the statement before the unmapped block, not only the
        // one after it), so they are candidates too, the nearest taken and the others shown as shared.
        if (score == Related && Best(calls, [(0, _ilSize)], minimumScore: Related) is { Score: Related } related
            && related.Sites.Where(o => _sites.Any(s => s.Offset == o && calls.All(c => Makes(s, c)))).ToArray() is { Length: > 1 } makers
            && makers.Length > inSpan.Length && inSpan.All(makers.Contains))
        {
            return makers;
        }

        return inSpan;
    }

    /// <summary>
    /// When the site at <paramref name="siteOffset"/> calls a method of this module the JIT may have
    /// inlined, and exactly one site of that method's own IL certainly makes <paramref name="call"/>: that
    /// method and site (the allocation inside an inlined local function, lambda or iterator finally).
    /// </summary>
    public (int Token, int Offset) InlinedSite(int siteOffset, FrameCall call)
    {
        if (_sitesOf is null)
        {
            return (0, -1);
        }

        foreach (ILSite site in _sites)
        {
            if (site.Offset == siteOffset && IsDelegateInvoke(site) && call.Kind == FrameCallKind.Allocation)
            {
                // A lambda of this method inlined where its delegate is invoked (guarded devirtualization).
                return LambdaAllocationsAt(site, call) is [var only] ? only : (0, -1);
            }

            if (site.Offset != siteOffset || !site.IsCall || site.TargetToken == 0 || !MayBeInlined(site))
            {
                continue;
            }

            // The method's own allocation of that object before a call that may allocate it too (a
            // recursive local function inlined into itself calls itself again).
            ImmutableArray<ILSite> innerSites = _sitesOf(site.TargetToken);
            int[] allocating = call.Kind == FrameCallKind.Allocation ? [.. innerSites.Where(inner => Allocates(inner, call)).Select(inner => inner.Offset)] : [];
            int[] inside = allocating.Length == 1 ? allocating : [.. innerSites.Where(inner => Score(inner, call) == Strong).Select(inner => inner.Offset)];
            return inside.Length == 1 ? (site.TargetToken, inside[0]) : (0, -1);
        }

        return (0, -1);
    }

    /// <summary>
    /// When <see cref="InlinedSite"/> finds no single site: the sites of the called method of this module
    /// that may make <paramref name="call"/>: its calls of that name when the frame calls another method
    /// than the one its site names (inlined or tail-called); else, if it may have been inlined, its
    /// allocations of that type and its calls, which the JIT may have inlined in turn. The caller takes
    /// them when they are all on one line (a local function written on one line).
    /// </summary>
    public (int Token, int[] Offsets) InlinedSitesThatMay(int siteOffset, FrameCall call)
    {
        if (_sitesOf is null)
        {
            return (0, []);
        }

        foreach (ILSite site in _sites)
        {
            if (site.Offset != siteOffset || !site.IsCall || site.TargetToken == 0)
            {
                continue;
            }

            // A method that ends by calling the frame's callee may have jumped to it (a tail call: the local
            // function prefix + index.ToString() leaves String.Concat called from the line that called it).
            ImmutableArray<ILSite> inner = _sitesOf(site.TargetToken);
            int[] byName = call.Kind == FrameCallKind.Call && call.MethodName != site.MethodName
                ? [.. inner.Where(i => i.IsCall && i.MethodName == call.MethodName).Select(i => i.Offset)]
                : [];
            if (byName.Length > 0)
            {
                return (site.TargetToken, byName);
            }

            if (MayBeInlined(site))
            {
                int[] offsets = [.. inner
                    .Where(i => (i.IsCall && !i.NeverInlined) || (call.Kind == FrameCallKind.Allocation && Allocates(i, call)))
                    .Select(i => i.Offset)];
                return (site.TargetToken, offsets);
            }
        }

        return (0, []);
    }

    /// <summary>
    /// The calls <see cref="Resolve"/> found made by a catch handler, by return address and call: the site in the
    /// handler (see <see cref="SeparateCatchHandlerCalls"/>).
    /// </summary>
    public IReadOnlyDictionary<(int ReturnOffset, FrameCall Call), int> HandlerSites => _handlerSites;

    /// <summary>
    /// The runtime reports a frame running a catch handler at the call its try block was left by (an inlined
    /// <c>int.Parse</c> that threw), not in the handler's own code: at that return address the throwing call's
    /// own calls mix with the handler's. Where some calls seen there are not the handler's (the throw's), a call
    /// that one site of the handler makes (by name, or a method of the callee's type) at least as well as any
    /// site of the try's code is the handler's; it is taken out of the return address's calls.
    /// </summary>
    private void SeparateCatchHandlerCalls(Dictionary<int, List<FrameCall>> callsByOffset)
    {
        if (_catchRegions.IsEmpty)
        {
            return;
        }

        foreach ((int offset, List<FrameCall> calls) in callsByOffset)
        {
            int range = RangeAt(offset - 1);
            int il = range < 0 ? -1 : MapILOffset(range);
            List<(int Start, int End)> handlers = [.. _catchRegions.Where(r => il >= r.TryStart && il < r.TryEnd).Select(r => (r.HandlerStart, r.HandlerEnd))];
            if (calls.Count < 2 || handlers.Count == 0)
            {
                continue;
            }

            var inHandler = new List<(FrameCall Call, int Site)>();
            foreach (FrameCall call in calls)
            {
                if (Best([call], handlers, minimumScore: Related) is { Score: >= Related, Sites: [int only] })
                {
                    inHandler.Add((call, only));
                }
            }

            List<FrameCall> thrower = [.. calls.Where(c => !inHandler.Any(h => h.Call == c))];
            if (inHandler.Count == 0 || thrower.Count == 0)
            {
                continue;
            }

            List<(int Start, int End)> spans = Spans(range).Spans;
            foreach ((FrameCall call, int site) in inHandler)
            {
                // At a return address the handler's calls are seen from, it wins a tie with the try's code.
                if (_sites.Where(s => s.Offset == site).Max(s => Score(s, call)) >= Best([call], spans, minimumScore: Impossible).Score)
                {
                    _handlerSites[(offset, call)] = site;
                    calls.Remove(call);
                }
            }
        }
    }

    /// <summary>The one site of the whole method that certainly makes <paramref name="call"/>; -1 when none or several.</summary>
    public int OnlySiteAnywhere(FrameCall call)
    {
        (int score, int[] sites) = Best([call], [(0, _ilSize)], minimumScore: Strong);
        return score == Strong && sites.Length == 1 ? sites[0] : -1;
    }

    private (int Score, int[] Sites) Best(List<FrameCall> calls, List<(int Start, int End)> spans, int minimumScore = TailCalled)
    {
        // A site must explain every call seen at the return address; of those that do equally well, the one
        // that certainly makes one of them (ReadToEnd, which tail-calls StringBuilder.ToString at its end) is
        // a better explanation than one that may make each (the Sink.Keep after it).
        int best = minimumScore;
        int bestCertainty = int.MinValue;
        var found = new List<int>();
        foreach (ILSite site in _sites)
        {
            if (!spans.Any(s => site.Offset >= s.Start && site.Offset < s.End))
            {
                continue;
            }

            int score = int.MaxValue;
            int certainty = int.MinValue;
            foreach (FrameCall call in calls)
            {
                int callScore = Score(site, call);
                score = Math.Min(score, callScore);
                certainty = Math.Max(certainty, callScore);
            }

            if (score > best || (score == best && certainty > bestCertainty && found.Count > 0))
            {
                best = score;
                bestCertainty = certainty;
                found.Clear();
            }

            if (score == best && (found.Count == 0 || certainty == bestCertainty))
            {
                bestCertainty = certainty;
                found.Add(site.Offset);
            }
        }

        return (best, [.. found]);
    }

    private int Score(ILSite site, FrameCall call)
    {
        bool mayBeInlined = site.IsCall && MayBeInlined(site);
        if (call.Kind == FrameCallKind.Allocation)
        {
            // new string(...) is a call of String.Ctor, which allocates in a frame of its own: a string the
            // frame allocates itself comes from that call only if the JIT inlined it.
            if (IsStringConstructor(site))
            {
                return Weak;
            }

            if (Allocates(site, call))
            {
                return Strong;
            }

            if (site.Kind is ILSiteKind.NewArray or ILSiteKind.Box)
            {
                return Impossible; // they call nothing but the allocator
            }

            // A delegate invoked here whose target, a lambda or local function of this method, the JIT may
            // have inlined here (guarded devirtualization), and whose own IL allocates that object.
            if (IsDelegateInvoke(site) && LambdaAllocationsAt(site, call).Length > 0)
            {
                return Strong;
            }

            // A call whose body the JIT put here: certain if the callee's own IL allocates that object. A
            // lambda or local function made into a delegate here may be inlined where the delegate is invoked.
            bool calleeAllocatesIt = site.TargetToken != 0 && _sitesOf is not null && _sitesOf(site.TargetToken).Any(s => Allocates(s, call) && s.Kind != ILSiteKind.Box);
            return site.Kind == ILSiteKind.LoadFunction ? (calleeAllocatesIt ? Medium : Impossible)
                : mayBeInlined && calleeAllocatesIt ? Strong
                : site.IsCall && AllocatesWithoutAFrame(site) ? Medium
                : mayBeInlined && (IsOfOuterType(site, call) || Returns(site, call.TypeKey)) ? Related // Distinct making its DistinctIterator, ToList its List
                : mayBeInlined ? Weak
                : Impossible;
        }

        if (site.Kind == ILSiteKind.LoadFunction)
        {
            return Impossible;
        }

        if (site.IsCall && site.MethodName.Length > 0 && site.MethodName == call.MethodName
            && (site.Kind != ILSiteKind.NewObject || site.TypeKey == call.TypeKey || call.TypeKey.Length == 0))
        {
            return Strong;
        }

        // new int[x, y] is compiled to a call of Array.CreateInstanceMDArray.
        if (site.Kind == ILSiteKind.NewObject && site.TypeKey.EndsWith(']') && call.TypeKey == "Array" && call.MethodName == "CreateInstanceMDArray")
        {
            return Strong;
        }

        if (IsStringConstructor(site) && call.TypeKey == "String" && call.MethodName == "Ctor")
        {
            return Strong; // the runtime runs new string(...) as a call of one of String's static Ctor methods
        }

        if (call.MethodName == ".cctor" && site.TypeKey == call.TypeKey && (site.IsCall || site.Kind == ILSiteKind.StaticField))
        {
            return Strong; // the first touch of a type runs its static constructor
        }

        if (call.TypeKey == "StaticsHelpers")
        {
            // .NET 10's managed helpers that find a type's statics, running its static constructor on the
            // first touch: which type is not in the frame. A static field access certainly touches one;
            // a call may (a type without beforefieldinit is initialized before its methods run).
            return site.Kind == ILSiteKind.StaticField ? Strong : site.IsCall ? Weak : Impossible;
        }

        // A local function this method calls is called by name, from here or from a method of this module
        // the JIT inlined here; another module's code calls it only through a delegate made of it.
        if (site.TargetToken == 0 && _localFunctionsCalledByName.Contains(call.MethodName))
        {
            return Impossible;
        }

        // A virtual call the JIT devirtualized and inlined, as the inlining events name it (Encoding's
        // GetBytes as UTF8EncodingSealed's): a call to another method of that very type is its body's.
        if (site.Kind == ILSiteKind.CallVirt && _inlined is not null && call.TypeKey.Length > 0 && _inlined.Contains((call.TypeKey, site.MethodName)))
        {
            return Medium;
        }

        // A delegate's Invoke calls what was made into a delegate of its type and arity: a lambda this method
        // makes into a Func<int, int[]> is not what an Action<int>'s or a Func<byte[]>'s Invoke calls.
        if (IsDelegateInvoke(site) && DelegatesMadeOf(call) is { Count: > 0 } delegates
            && !delegates.Contains((site.TypeKey, site.ParameterCount)))
        {
            return Impossible;
        }

        // Making a delegate (ldftn, then newobj of the delegate type) runs the runtime's delegate constructor,
        // never user code: the lambda inlined LINQ calls is not called there.
        if (site.Kind == ILSiteKind.NewObject && IsDelegateConstruction(site)
            && call.TypeKey is not ("Delegate" or "MulticastDelegate") && call.TypeKey != site.TypeKey)
        {
            return Impossible;
        }

        // A callee that ends by calling another method may jump to it (a tail call) and leave no frame:
        // UTF8Encoding's GetBytes(string) is seen as GetBytesForSmallInput called from the user's line.
        // A method of this module whose own IL calls nothing has nothing to jump to (Sink.Keep after a
        // Count() that tail-called DistinctIterator.GetCount).
        int score = site.Kind == ILSiteKind.CallIndirect || IsDelegateInvoke(site) ? Medium
            : mayBeInlined || site.Kind == ILSiteKind.Throw ? Weak
            : site.Kind == ILSiteKind.Call && CallsNothing(site) ? Impossible
            : site.Kind is ILSiteKind.Call or ILSiteKind.CallVirt ? TailCalled
            : Impossible;
        // A method returning a T constructs one (ToList runs new List<T>(source), whose constructor enumerates),
        // and, inlined, fills it (ToDictionary's Dictionary.AddRange).
        return score is Weak or TailCalled && site.IsCall && site.TypeKey.Length > 0
            && (site.TypeKey == call.TypeKey || IsOfOuterType(site, call) || ((call.MethodName == ".ctor" || score == Weak) && Returns(site, call.TypeKey))) ? Related : score;
    }

    /// <summary>Each <c>ldftn</c> of a method body and the <c>newobj</c> of a delegate right after it.</summary>
    public static (ILSite Load, ILSite Construction)[] DelegateMakings(ImmutableArray<ILSite> sites) =>
        [.. Enumerable.Range(0, Math.Max(0, sites.Length - 1))
            .Where(i => sites[i].Kind == ILSiteKind.LoadFunction && sites[i + 1].Kind == ILSiteKind.NewObject)
            .Select(i => (sites[i], sites[i + 1]))];

    /// <summary>A <c>newobj</c> right after an <c>ldftn</c>: the construction of a delegate.</summary>
    private bool IsDelegateConstruction(ILSite site) => _delegateMakings.Any(m => m.Construction.Offset == site.Offset);

    private static bool IsDelegateInvoke(ILSite site) => site.Kind == ILSiteKind.CallVirt && site.MethodName == "Invoke";

    /// <summary>
    /// The methods of this module (tokens) this method makes into delegates that <paramref name="invoke"/> can
    /// call (same delegate type and arity) and that the JIT may have inlined into this body.
    /// </summary>
    private IEnumerable<int> InlinableTargetsOf(ILSite invoke)
    {
        foreach ((ILSite load, ILSite construction) in _familyDelegateMakings)
        {
            if (load.TargetToken != 0 && load.ParameterCount == invoke.ParameterCount && load.ParameterCount >= 0
                && construction.TypeKey == invoke.TypeKey
                && (_inlinedNames is null || _inlinedNames.Contains(load.MethodName)))
            {
                yield return load.TargetToken;
            }
        }
    }

    /// <summary>
    /// The allocations of <paramref name="call"/>'s object in the lambdas <paramref name="invoke"/> may have had
    /// inlined (<see cref="InlinableTargetsOf"/>), boxes left out: (lambda token, IL offset) each.
    /// </summary>
    private (int Token, int Offset)[] LambdaAllocationsAt(ILSite invoke, FrameCall call) =>
        _sitesOf is null ? [] : [.. InlinableTargetsOf(invoke)
            .SelectMany(token => _sitesOf(token).Where(inner => inner.Kind != ILSiteKind.Box && Allocates(inner, call)).Select(inner => (token, inner.Offset)))];

    /// <summary>
    /// The delegates this method makes of the called method: for each <c>ldftn</c> of it, the type of the
    /// delegate constructed right after it and the method's parameter count (what that delegate's Invoke
    /// takes). Empty when the method makes no delegate of it, or a parameter count is unknown.
    /// </summary>
    private HashSet<(string TypeKey, int ParameterCount)> DelegatesMadeOf(FrameCall call)
    {
        var delegates = new HashSet<(string, int)>();
        foreach ((ILSite load, ILSite construction) in _familyDelegateMakings)
        {
            if (load.MethodName == call.MethodName && load.TypeKey == call.TypeKey)
            {
                if (load.ParameterCount < 0)
                {
                    return [];
                }

                delegates.Add((construction.TypeKey, load.ParameterCount));
            }
        }

        return delegates;
    }

    /// <summary>
    /// Whether <paramref name="site"/> allocates an object of the type (and, for a constant-length array, the
    /// size) the frame was seen allocating. Sizes are compared rounded up to the heap's 8-byte alignment.
    /// </summary>
    internal static bool Allocates(ILSite site, FrameCall call)
    {
        if (site.Kind is not (ILSiteKind.NewArray or ILSiteKind.NewObject or ILSiteKind.Box)
            || (call.TypeKey.Length > 0 && !ILSites.KeyMatches(site.TypeKey, call.TypeKey)))
        {
            return false;
        }

        long expected = site.Kind == ILSiteKind.NewArray ? ILSites.ArraySize(site.TypeKey, site.ArrayLength) : -1;
        return expected < 0 || call.MinSize < 0 || (Aligned(call.MinSize) == expected && Aligned(call.MaxSize) == expected);
    }

    private static long Aligned(long size) => (size + 7) / 8 * 8;

    /// <summary>
    /// Whether the JIT may have replaced the call with the callee's body: never for a method of this module
    /// marked NoInlining; unknown (any other call may have been) when the trace lacks the inlining events
    /// (code compiled before a <c>collect</c>); a virtual call by name alone, as the JIT may have
    /// devirtualized it to an override of another type.
    /// </summary>
    private bool MayBeInlined(ILSite site) =>
        !site.NeverInlined
        && (_inlined is null
            || (site.Kind == ILSiteKind.CallVirt ? _inlinedNames!.Contains(site.MethodName) : _inlined.Contains((site.TypeKey, site.MethodName))));

    /// <summary>C#'s name for a local function: <c>&lt;Enclosing&gt;g__Name|1_0</c>.</summary>
    private static bool IsLocalFunction(string methodName) => methodName.StartsWith('<') && methodName.Contains(">g__", StringComparison.Ordinal);

    /// <summary>A call of a method of the type the frame's callee or allocated type is nested in (Enumerable.Count, DistinctIterator.GetCount).</summary>
    private static bool IsOfOuterType(ILSite site, FrameCall call) => call.OuterTypeKey.Length > 0 && site.IsCall && site.TypeKey == call.OuterTypeKey;

    /// <summary>A call that makes the object or constructs it: a factory of its type, or a method of the type it is nested in.</summary>
    private static bool Makes(ILSite site, FrameCall call) =>
        (call.Kind == FrameCallKind.Allocation || call.MethodName == ".ctor") && (Returns(site, call.TypeKey) || IsOfOuterType(site, call));

    /// <summary>A call of a method that returns that very type (a factory: <c>ToList</c> and its List).</summary>
    private static bool Returns(ILSite site, string typeKey) => typeKey.Length > 0 && site.IsCall && site.Kind != ILSiteKind.NewObject && site.ReturnTypeKey == typeKey;

    /// <summary>A direct call of a method of this module whose IL makes no call.</summary>
    private bool CallsNothing(ILSite site) =>
        site.TargetToken != 0 && _sitesOf is not null && !_sitesOf(site.TargetToken).Any(s => s.IsCall);

    private static bool IsStringConstructor(ILSite site) => site.Kind == ILSiteKind.NewObject && site.TypeKey == "String" && site.MethodName == ".ctor";

    // Runtime functions that allocate without a managed frame of their own, called from user code.
    private static bool AllocatesWithoutAFrame(ILSite site) => site.MethodName is "MemberwiseClone" or "FastAllocateString" or "GetUninitializedObject";

    /// <summary>
    /// The IL a native range can implement, and the stretch of code laid out in IL order it belongs to
    /// (the range itself; -1 for code out of line). A range of a real IL offset
    /// implements the IL from there to the next boundary the map has, plus, when the next range in native
    /// order jumps elsewhere in IL, the IL just before that next range's offset (a lost boundary: a rotated
    /// loop's body starts right after its condition's range), its own IL then ending at a branch of its own
    /// that leads there (the condition's jump back: the IL after it is laid out elsewhere). The prolog's range holds the method's first
    /// statements. Unmapped code continues the range before it up to the IL of the range after it; after
    /// a backward jump in IL (the top of a loop in on-stack-replacement code) it leads into the range after
    /// it; after an epilog it is out-of-line code that may be anything.
    /// </summary>
    private (List<(int Start, int End)> Spans, int Stretch) Spans(int range)
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

        // Unmapped code is ordered within itself, not with the range before it: the JIT may have moved a loop there.
        int from = ils[previous] == Prolog ? 0 : ils[previous];
        if (next >= ils.Length)
        {
            return ([(from, _ilSize)], range);
        }

        int to = ils[next];
        if (to > from)
        {
            return ([(from, to)], range);
        }

        if (to == from)
        {
            // Between two ranges of one statement's IL: a block the JIT placed in the middle of it, from anywhere.
            return ([(0, _ilSize)], -1);
        }

        return ([(to, NextBoundary(to)), (PreviousBoundary(to), to)], -1);
    }

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
    private int RangeAt(int nativeOffset)
    {
        int[] native = _code.NativeOffsets;
        int entry = Array.BinarySearch(native, nativeOffset);
        if (entry < 0)
        {
            return ~entry - 1;
        }

        while (entry + 1 < native.Length && native[entry + 1] == nativeOffset)
        {
            entry++;
        }

        return entry;
    }

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
}
