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

    /// <summary>
    /// For a call, the called method's parameter count (<c>this</c> not counted); -1 when unknown. Not used to match a
    /// call to a site by name (frames often show a related overload), only to tell where a site's own call returns.
    /// </summary>
    public int ParameterCount { get; init; } = -1;

    /// <summary>
    /// For an allocation of a generic type (or an array of one), its type arguments' keys joined by commas as
    /// <see cref="ILSite.TypeArguments"/> joins them ("Int32,List" for a <c>Dictionary&lt;int, List&lt;int&gt;&gt;</c>'s
    /// entries); empty otherwise.
    /// </summary>
    public string TypeArguments { get; init; } = "";

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
internal sealed partial class CallSiteResolver
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
    private const int CalleeMakes = 5; // a call the JIT may have inlined, of another module's method whose IL (or its callees', a few levels down) makes it
    private const int Strong = 6;      // a call to a method of that name, an allocation of that type (and size)

    private readonly CompiledCode _code;
    private readonly ImmutableArray<ILSite> _sites;
    private readonly int _ilSize;
    private readonly int[] _boundaries; // the map's real IL offsets, ascending, distinct
    private readonly HashSet<(string TypeKey, string MethodName)>? _inlined;

    // The throws placed out of line past the last epilog (ColdThrows).
    private readonly Lazy<List<(int Start, int End)>> _coldThrows;

    // Per type key, the one call site whose callee's IL allocates it, or -1 (OnlyMakerOf).
    private readonly Dictionary<string, int> _onlyMakers = new(StringComparer.Ordinal);

    // The methods this code is seen calling, each from a frame of its own: at those calls the JIT did not inline them.
    private readonly HashSet<(string TypeKey, string MethodName)> _seenCalled = [];
    private readonly HashSet<string>? _inlinedNames;
    private readonly Func<int, ImmutableArray<ILSite>>? _sitesOf;
    private readonly Func<int, ImmutableArray<int>>? _overridesOf;
    private readonly Func<int, (int Token, string TypeKey)?>? _iteratorMoveNextOf;
    private readonly ImmutableArray<ILBranch> _branches;
    private readonly bool _branchesKnown; // false when the caller did not read them: then any jump may be a loop's
    private readonly ImmutableArray<CatchRegion> _catchRegions; // the user's own (no compiler-generated handler)
    private readonly Dictionary<(int ReturnOffset, FrameCall Call), int> _handlerSites = [];
    private readonly HashSet<string> _localFunctionsCalledByName; // called by name here and made into no delegate of the user's method
    private readonly (ILSite Load, ILSite Construction)[] _delegateMakings; // ldftn and the delegate newobj right after it
    private readonly (ILSite Load, ILSite Construction)[] _familyDelegateMakings; // those and the ones of the rest of the user's method
    private readonly Func<ILSite, CalleeFacts?>? _calleeFacts;
    private readonly Dictionary<(int Call, int Constrained), CalleeFacts?> _calleeFactsByCall = [];

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
    /// <param name="calleeFacts">What a call of another module's method allocates and calls, read from its IL (<see cref="ModuleSymbols.GetCalleeFacts"/>); null when unknown.</param>
    /// <param name="overridesOf">The overrides and implementations in this module of a virtual or interface method, by token (<see cref="ModuleSymbols.GetOverrides"/>).</param>
    /// <param name="iteratorMoveNextOf">For an iterator method of this module (its kickoff), its state machine's <c>MoveNext</c>: token and type key; null for other methods.</param>
    public CallSiteResolver(CompiledCode code, ImmutableArray<ILSite> sites, int ilSize, Func<int, ImmutableArray<ILSite>>? sitesOf = null, ImmutableArray<ILBranch> branches = default,
        IReadOnlyList<(ILSite Load, ILSite Construction)>? familyDelegateMakings = null, ImmutableArray<CatchRegion> catchRegions = default,
        Func<ILSite, CalleeFacts?>? calleeFacts = null, Func<int, ImmutableArray<int>>? overridesOf = null, Func<int, (int Token, string TypeKey)?>? iteratorMoveNextOf = null)
    {
        _iteratorMoveNextOf = iteratorMoveNextOf;
        _overridesOf = overridesOf;
        _calleeFacts = calleeFacts;
        _catchRegions = catchRegions.IsDefault ? [] : catchRegions;
        _code = code;
        _sites = sites;
        _ilSize = ilSize;
        _sitesOf = sitesOf;
        _branches = branches.IsDefault ? [] : branches;
        _branchesKnown = !branches.IsDefault;
        _boundaries = [.. code.ILOffsets.Where(o => o >= 0).Distinct().Order()];
        _delegateMakings = DelegateMakings(sites);
        _familyDelegateMakings = [.. _delegateMakings.Concat(familyDelegateMakings ?? []).Distinct()];
        _localFunctionsCalledByName = [.. sites
            .Where(s => s.IsCall && s.TargetToken != 0 && IsLocalFunction(s.MethodName))
            .Select(s => s.MethodName)
            .Except(_familyDelegateMakings.Select(m => m.Load.MethodName))];
        _coldThrows = new Lazy<List<(int Start, int End)>>(ColdThrows);
        if (code.InlinedMethods is { } inlined)
        {
            _inlined = [.. inlined.Select(m => (ILSites.TypeKey(m.TypeName), m.MethodName))];
            _inlinedNames = [.. inlined.Select(m => m.MethodName)];
        }
    }

    /// <summary>
    /// Where to write, for each return offset resolved, the span searched and every site's score for its calls
    /// (<c>DOTNET_MEMLINE_EXPLAIN</c>); null for nothing.
    /// </summary>
    public TextWriter? ScoreLog { get; init; }

    /// <summary>
    /// Resolves every return offset of this body seen in the trace, each with all the calls observed
    /// at it. Returns one resolution per distinct return offset.
    /// </summary>
    /// <param name="observations">Each return offset of this body seen in the trace, with a call seen made there.</param>
    /// <param name="typesBeneath">Per return offset, the keys of the types allocated beneath its frames (an array's element type); null when unknown.</param>
    public Dictionary<int, CallSiteResolution> Resolve(IEnumerable<(int ReturnOffset, FrameCall Call)> observations, IReadOnlyDictionary<int, HashSet<string>>? typesBeneath = null)
    {
        Dictionary<int, List<FrameCall>> callsByOffset = CallsByOffset(observations);
        _handlerSites.Clear();
        _seenCalled.Clear();
        _seenCalled.UnionWith(callsByOffset.Values.SelectMany(calls => calls).Where(call => call.Kind == FrameCallKind.Call).Select(call => (call.TypeKey, call.MethodName)));
        if (_code.NativeOffsets.Length == 0)
        {
            return callsByOffset.Keys.ToDictionary(offset => offset, _ => CallSiteResolution.Unknown);
        }

        SeparateCatchHandlerCalls(callsByOffset);

        Dictionary<int, HashSet<int>> ownReturns = OwnReturns(callsByOffset);

        // Candidates per return offset, with the stretch of code laid out in IL order that holds the call.
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
            (List<(int Start, int End)> spans, int stretch) = Spans(range, offset);
            bool guessed = range < 0 || ILAt(range) is NoMapping or Epilog;
            HashSet<string>? beneath = typesBeneath?.GetValueOrDefault(offset);
            int[] candidates = ReturningHere(offset, Candidates(spans, guessed, calls, beneath), ownReturns);
            candidates = MovedByForwardSubstitution(offset, range, calls, spans, guessed, candidates, observedStatements, borrowing, sharing);
            candidates = NamingTypesBeneath(candidates, beneath);
            ShareWithOtherMovedBlocks(offset, range, calls, spans, guessed, candidates, sharing);
            if (stretch < 0 || IsHoistableAllocation(calls, candidates))
            {
                stretch = unordered--; // alone: no order to rely on
            }

            entries.Add((offset, candidates, fallback, stretch, guessed, spans));
            estimates[offset] = Estimate(range, offset, fallback);
        }

        ReleaseClaimedSites(entries, callsByOffset, estimates);
        PairAlikeReturns(entries, callsByOffset, sharing);
        return ChooseInStretches(entries, estimates, borrowing, sharing);
    }

    /// <summary>
    /// Where the calls of some sites certainly return: a site that is the method's only call of its callee (type, name
    /// and parameter count), which the JIT did not inline here, is the call instruction a frame calling exactly that
    /// method returns to. Optimized code only (tier 0 lays calls out in IL order and maps them exactly).
    /// </summary>
    private Dictionary<int, HashSet<int>> OwnReturns(Dictionary<int, List<FrameCall>> callsByOffset)
    {
        var returns = new Dictionary<int, HashSet<int>>();
        if (!_code.IsOptimized)
        {
            return returns;
        }

        foreach ((int offset, List<FrameCall> calls) in callsByOffset)
        {
            foreach (FrameCall call in calls.Where(c => c.Kind == FrameCallKind.Call && c.ParameterCount >= 0 && c.MethodName.Length > 0 && c.TypeKey.Length > 0))
            {
                ILSite[] exactly = [.. _sites.Where(site => site.Kind is ILSiteKind.Call or ILSiteKind.NewObject && site.MethodName == call.MethodName
                    && site.TypeKey == call.TypeKey && site.ParameterCount == call.ParameterCount)];
                if (exactly is [ILSite only] && !MayBeInlined(only))
                {
                    if (!returns.TryGetValue(only.Offset, out HashSet<int>? offsets))
                    {
                        offsets = [];
                        returns[only.Offset] = offsets;
                    }

                    offsets.Add(offset);
                }
            }
        }

        return returns;
    }

    /// <summary>
    /// A call instruction has one return address: candidates whose own call is known to return elsewhere (<see
    /// cref="OwnReturns"/>) did not make the call returning at <paramref name="offset"/>, by a call or by a tail call of
    /// their callee, and are dropped. When every candidate is such a site, the one site known to return here is taken instead (fully
    /// optimized code laid a switch arm's <c>String.Concat(string, string)</c> in the range the map gives the next arm's
    /// <c>String.Concat(string, string, string, string)</c>, and that one in the first arm's range).
    /// </summary>
    private static int[] ReturningHere(int offset, int[] candidates, Dictionary<int, HashSet<int>> ownReturns)
    {
        if (ownReturns.Count == 0 || candidates.Length == 0)
        {
            return candidates;
        }

        int[] possible = [.. candidates.Where(site => !ownReturns.TryGetValue(site, out HashSet<int>? returns) || returns.Contains(offset))];
        if (possible.Length > 0)
        {
            return possible;
        }

        int[] here = [.. ownReturns.Where(pair => pair.Value.Contains(offset)).Select(pair => pair.Key)];
        return here.Length == 1 ? here : candidates;
    }

    /// <summary>The distinct calls seen at each return offset.</summary>
    private static Dictionary<int, List<FrameCall>> CallsByOffset(IEnumerable<(int ReturnOffset, FrameCall Call)> observations)
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

        return callsByOffset;
    }

    /// <summary>
    /// Optimized code moves a call whose result has one use into the statement that uses it (forward
    /// substitution), past the boundary the map keeps: a call nothing here certainly makes but the previous
    /// statement does (by name) is that statement's (the candidates returned); otherwise the previous statement's
    /// sites are tried (<paramref name="borrowing"/>) when the range's calls cannot be put in IL order.
    /// </summary>
    private int[] MovedByForwardSubstitution(int offset, int range, List<FrameCall> calls, List<(int Start, int End)> spans, bool guessed, int[] candidates,
        HashSet<int> observedStatements, Dictionary<int, int[]> borrowing, Dictionary<int, int[]> sharing)
    {
        if (!_code.IsOptimized || range < 0 || ILAt(range) is not (int il and > 0) || PreviousBoundary(il) >= il || Best(calls, spans).Score >= Strong)
        {
            return candidates;
        }

        (int Start, int End) previous = (PreviousBoundary(il), il);
        if (calls.All(c => c.Kind == FrameCallKind.Call) && Best(calls, [previous], minimumScore: Strong) is { Score: Strong, Sites.Length: > 0 } moved)
        {
            return moved.Sites;
        }

        // Nor by a body the JIT inlined here, while the previous statement has a virtual call it devirtualized and
        // inlined whose type's method it is: `var text = document.ToString();` (XNode's ToString, inlined, calls
        // GetXmlString) laid out after the boundary of `var customers = parsed.Descendants("customer")...`, two
        // statements on, with `XDocument.Parse(text)` between them.
        if (calls.All(c => c.Kind == FrameCallKind.Call) && Best(calls, spans).Score <= Weak
            && Best(calls, [previous], minimumScore: Medium) is { Score: Medium, Sites: [int devirtualized] }
            && _sites.Any(site => site.Offset == devirtualized && site.Kind == ILSiteKind.CallVirt && calls.All(c => _inlined?.Contains((c.TypeKey, site.MethodName)) == true)))
        {
            return [devirtualized];
        }

        if (!observedStatements.Contains(previous.Start))
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

        return candidates;
    }

    /// <summary>
    /// Of candidates that explain a frame's call alike (three <c>ToList</c> calls, each a <c>List</c> constructor inlined
    /// somewhere in tier-1 code), the generic calls whose type arguments name a type allocated beneath the frame:
    /// the <c>ToList&lt;T&gt;</c> of the <c>T[]</c> its list grew. One return address is one call instruction, so what
    /// was allocated beneath it is what that one call made. Unchanged when all or none name one, or when a candidate is
    /// not a generic call.
    /// </summary>
    private int[] NamingTypesBeneath(int[] candidates, HashSet<string>? beneath)
    {
        // Only generic calls are compared: a call of a method that is not generic (Encoding.GetBytes) may make a
        // Byte[] as well as the ToArray<byte> next to it.
        if (beneath is null || candidates.Length < 2 || !candidates.All(c => _sites.Any(s => s.Offset == c && s.TypeArguments.Length > 0)))
        {
            return candidates;
        }

        int[] naming = [.. candidates.Where(c => _sites.Any(s => s.Offset == c && s.TypeArguments.Split(',').Any(beneath.Contains)))];
        return naming.Length > 0 && naming.Length < candidates.Length ? naming : candidates;
    }

    /// <summary>
    /// Unmapped code after a block moved out of line is mostly more of the statement before it, but may
    /// hold other moved blocks: the sites elsewhere that explain the calls as well share its bytes.
    /// </summary>
    private void ShareWithOtherMovedBlocks(int offset, int range, List<FrameCall> calls, List<(int Start, int End)> spans, bool guessed, int[] candidates, Dictionary<int, int[]> sharing)
    {
        if (guessed && range > 0 && ILAt(range) == NoMapping && IsMovedOutOfLine(range - 1) && candidates.Length > 0
            && Best(calls, spans) is { Score: > TailCalled } local && Best(calls, [(0, _ilSize)]) is { } anywhere && anywhere.Score == local.Score)
        {
            int[] elsewhere = [.. anywhere.Sites.Except(candidates)];
            if (elsewhere.Length > 0)
            {
                sharing[offset] = sharing.TryGetValue(offset, out int[]? already) ? [.. already.Union(elsewhere)] : elsewhere;
            }
        }
    }

    /// <summary>
    /// The JIT allocates a new object wherever it likes before its constructor runs (seen hoisted above the
    /// previous statement's call), so that allocation says nothing about order.
    /// </summary>
    private bool IsHoistableAllocation(List<FrameCall> calls, int[] candidates) =>
        calls.All(c => c.Kind == FrameCallKind.Allocation)
        && candidates.Length > 0 && candidates.All(c => _sites.Any(s => s.Offset == c && s.Kind == ILSiteKind.NewObject && calls.All(call => Allocates(s, call))));

    /// <summary>
    /// Within a stretch (a range, and unmapped code right after it) the calls are laid out in IL order, so the sites
    /// of successive return addresses cannot go backwards; out-of-line code has no such order. Each offset then
    /// takes its candidate, with the sites that share it as alternatives.
    /// </summary>
    private static Dictionary<int, CallSiteResolution> ChooseInStretches(
        List<(int Offset, int[] Candidates, int Fallback, int Stretch, bool Guessed, List<(int Start, int End)> Spans)> entries,
        Dictionary<int, int> estimates, Dictionary<int, int[]> borrowing, Dictionary<int, int[]> sharing)
    {
        var results = new Dictionary<int, CallSiteResolution>(entries.Count);
        foreach (var inStretch in entries.GroupBy(e => e.Stretch).Select(g => g.Select(e => (e.Offset, e.Candidates, e.Fallback)).ToList()))
        {
            if (inStretch.Count > 1)
            {
                inStretch.Sort((a, b) => a.Offset.CompareTo(b.Offset));
                Narrow(inStretch, borrowing);
            }

            foreach ((int offset, int[] candidates, int fallback) in inStretch)
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
    /// tier-1 code may lay out anywhere (its blocks are placed by profile, not in IL order). Likewise a site seen making a
    /// call at a mapped address leaves that call, seen again in unmapped code, to the other sites that may make it.
    /// </summary>
    /// <remarks>
    /// Of the sites left, the one nearest the address's position between the mapped ranges around it
    /// is chosen (blocks between two mapped ranges mostly follow IL order).
    /// </remarks>
    private void ReleaseClaimedSites(List<(int Offset, int[] Candidates, int Fallback, int Stretch, bool Guessed, List<(int Start, int End)> Spans)> entries, Dictionary<int, List<FrameCall>> callsByOffset, Dictionary<int, int> estimates)
    {
        if (!_code.IsOptimized)
        {
            return;
        }

        (int Site, string TypeKey)[] claims = [.. entries
            .Where(e => !e.Guessed && e.Candidates.Length == 1 && IsAllocationSite(e.Candidates[0]) && callsByOffset[e.Offset].All(c => c.Kind == FrameCallKind.Allocation))
            .SelectMany(e => callsByOffset[e.Offset].Select(c => (e.Candidates[0], c.TypeKey)))];
        HashSet<int> claimed = [.. claims.Select(c => c.Site)];
        HashSet<(int Site, string TypeKey)> claimedTypes = [.. claims];
        HashSet<(int Site, FrameCall Call)> claimedCalls = [.. entries
            .Where(e => !e.Guessed && e.Candidates.Length == 1 && callsByOffset[e.Offset].All(c => c.Kind == FrameCallKind.Call))
            .SelectMany(e => callsByOffset[e.Offset].Select(c => (e.Candidates[0], c)))];
        for (int i = 0; i < entries.Count; i++)
        {
            (int offset, int[] candidates, int fallback, int stretch, bool guessed, List<(int Start, int End)> spans) = entries[i];
            if (!guessed || candidates.Length == 0)
            {
                continue;
            }

            if (!candidates.All(claimed.Contains))
            {
                // Some candidates made their own object of this type, or their own call of this method, at a mapped address:
                // the others made this one (a recursive local function's `return new int[n / 4]`, laid out after the epilog,
                // unmapped, beside the `return [.. counts, depth]` whose array the map places; the List constructor called
                // after the epilog by a later line's ToList, where the first line's ToList was seen calling it in its range).
                List<FrameCall> made = callsByOffset[offset];
                int[] unclaimed = [.. candidates.Where(c => !made.All(call => call.Kind == FrameCallKind.Allocation
                    ? claimedTypes.Contains((c, call.TypeKey))
                    : claimedCalls.Contains((c, call))))];
                if (unclaimed.Length > 0 && unclaimed.Length < candidates.Length)
                {
                    entries[i] = (offset, unclaimed, fallback, stretch, guessed, spans);
                }

                continue;
            }

            // A site whose own object of that type was made elsewhere leaves this one to any other site that may make it;
            // one that made an object of another type (`new Catalog()`, whose inlined constructor's Dictionary makes the arrays
            // tier 1 laid out further on), or a call its constructor makes (`new PriorityQueue<,>(items)`'s ToArray), only to
            // sites that explain it as well (not `customer.Summary`, nor the loop's `ranked.Add(...)` before it).
            List<FrameCall> calls = callsByOffset[offset];
            bool sameType = candidates.All(c => calls.All(call => call.Kind == FrameCallKind.Allocation && claimedTypes.Contains((c, call.TypeKey))));
            int needed = sameType ? Weak : candidates.Min(c => _sites.Where(site => site.Offset == c).Max(site => calls.Min(call => Score(site, call))));
            int[] others = [.. _sites
                .Where(site => InSpans(site.Offset, spans) && !claimed.Contains(site.Offset))
                .Where(site => calls.All(call => Score(site, call) >= needed))
                .Select(site => site.Offset)
                .Distinct()];
            if (sameType)
            {
                // Nothing near that surely makes it: the sites elsewhere that may make it, the best explanations, those after
                // the span first (unmapped code goes on from where the range before it was). A StringBuilder chunk that
                // `log.AppendJoin(...)` grew, laid out after the loop, is not `new StringBuilder(256)`'s, made once before it;
                // a List laid out near an inlined Array.ConvertAll, whose IL makes none, is the inlined List.ConvertAll's of
                // the next statement, whose IL does.
                int nearBest = others.Length == 0 ? 0 : others.Max(o => _sites.Where(site => site.Offset == o).Max(site => calls.Min(call => Score(site, call))));
                if (nearBest < CalleeMakes)
                {
                    (int Offset, int Score)[] elsewhere = [.. _sites
                        .Where(site => !claimed.Contains(site.Offset))
                        .Select(site => (site.Offset, Score: calls.Min(call => Score(site, call))))
                        .Where(site => site.Score >= Weak)];
                    int best = elsewhere.Length == 0 ? 0 : elsewhere.Max(site => site.Score);
                    if (others.Length == 0 || best >= CalleeMakes)
                    {
                        others = OnwardFirst([.. elsewhere.Where(site => site.Score == best).Select(site => site.Offset).Distinct()], spans);
                    }
                }
            }
            if (others.Length > 0)
            {
                entries[i] = (offset, others, fallback, stretch, guessed, spans);
                estimates[offset] = BetweenMappedRanges(offset) ?? estimates[offset];
            }
        }
    }

    /// <summary>
    /// One call instruction, one return address: in optimized code, k return addresses seen making the same calls, each
    /// of which the same k sites explain alike, are those sites' calls, one each. They are paired in IL order along the
    /// code (blocks mostly keep it), and the other sites stay alternatives, so the lines are still marked: tier 1 inlined
    /// `SentenceBreak.Split(Story)` and `WordBreak.Split(Story)` alike, each calling Regex's callback lambda once, and
    /// `items.Select(item => item.Describe()).ToList()` and the `.Label("parcel")` one after it, each calling its
    /// iterator's ToList once; the first line took most of both.
    /// </summary>
    private void PairAlikeReturns(List<(int Offset, int[] Candidates, int Fallback, int Stretch, bool Guessed, List<(int Start, int End)> Spans)> entries,
        Dictionary<int, List<FrameCall>> callsByOffset, Dictionary<int, int[]> sharing)
    {
        if (!_code.IsOptimized)
        {
            return;
        }

        var open = entries
            .Select((entry, index) => (entry.Offset, entry.Candidates, entry.Stretch, Index: index))
            .Where(e => e.Candidates.Length >= 2 && callsByOffset[e.Offset].All(call => call.Kind == FrameCallKind.Call))
            .OrderBy(e => e.Offset)
            .ToList();
        while (open.Count > 0)
        {
            // The return addresses seen making exactly the calls the first one makes, with exactly its candidates.
            var first = open[0];
            var calls = callsByOffset[first.Offset].ToHashSet();
            var returns = open.Where(e => e.Candidates.Order().SequenceEqual(first.Candidates.Order()) && calls.SetEquals(callsByOffset[e.Offset])).ToList();
            open.RemoveAll(returns.Contains);
            int[] sites = [.. returns[0].Candidates.Order()];
            // Within one stretch the order is certain, and the stretch's own narrowing places them without alternatives.
            if (returns.Count != sites.Length || (returns[0].Stretch >= 0 && returns.All(e => e.Stretch == returns[0].Stretch)))
            {
                continue;
            }

            for (int k = 0; k < returns.Count; k++)
            {
                (int offset, _, _, int index) = returns[k];
                entries[index] = entries[index] with { Candidates = [sites[k]] };
                int[] others = [.. sites.Where(site => site != sites[k])];
                sharing[offset] = sharing.TryGetValue(offset, out int[]? already) ? [.. already.Union(others)] : others;
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
    /// <summary>The sites whose callees' IL calls a throw helper seen among <paramref name="calls"/> (a method named Throw...); none when none is seen.</summary>
    private int[] ThrowersOf(List<FrameCall> calls)
    {
        // FrameCall is a struct: FirstOrDefault would give a default one, not null, when no throw helper is seen.
        int thrown = calls.FindIndex(call => call.Kind == FrameCallKind.Call && ForeignCode.IsThrowHelper(call.MethodName));
        return thrown >= 0 && Best([calls[thrown]], [(0, _ilSize)], minimumScore: CalleeMakes) is { Score: >= CalleeMakes, Sites: var sites }
            ? sites
            : [];
    }

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
            if (calls.Count >= 2 && handlers.Count == 0 && ThrowersOf(calls) is { Length: > 0 } throwers)
            {
                // The throw is in unmapped code (tier 1 moved int.Parse's throw helper call out of the try's range): the
                // try is the one around the sites whose callees call the throw helper seen there.
                handlers = [.. _catchRegions.Where(r => throwers.Any(t => t >= r.TryStart && t < r.TryEnd)).Select(r => (r.HandlerStart, r.HandlerEnd))];
            }

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

            List<(int Start, int End)> spans = Spans(range, offset).Spans;
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
}
