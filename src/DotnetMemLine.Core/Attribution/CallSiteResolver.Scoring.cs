using System.Collections.Immutable;
using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>How surely each IL site made what a frame was seen calling or allocating: the scores, the type relations, delegates and inlined bodies.</summary>
internal sealed partial class CallSiteResolver
{
    /// <summary>
    /// The sites of the best score that can make all of <paramref name="calls"/>: within the IL the range can
    /// implement. Where that span is only a guess (unmapped code, which the JIT may have moved from
    /// anywhere) or has no site that can make the call, a site elsewhere is taken when it is the only
    /// one that certainly can (the one call of that method, the one allocation of that type and size).
    /// </summary>
    /// <param name="spans">The IL the return address's range can implement.</param>
    /// <param name="spansAreGuesses">Whether the range is unmapped code, which the JIT may have moved from anywhere.</param>
    /// <param name="calls">The calls seen made at the return address.</param>
    /// <param name="typesBeneath">The keys of the types allocated beneath its frames, when known.</param>
    private int[] Candidates(List<(int Start, int End)> spans, bool spansAreGuesses, List<FrameCall> calls, HashSet<string>? typesBeneath = null)
    {
        (int score, int[] inSpan) = Best(calls, spans);
        if (spansAreGuesses && inSpan.Length > 1 && inSpan.Where(offset => !_coldThrows.Value.Any(cold => offset >= cold.Start && offset < cold.End)).ToArray() is { Length: > 0 } hot
            && hot.Length < inSpan.Length)
        {
            // Unmapped code does not hold the throws the map places past the last epilog (ReadAFramedHeaderWithGuards' hot
            // path, unmapped from its second statement to its return: its GetString's string, not the interpolated message
            // of the `throw` two lines up).
            inSpan = hot;
        }

        if (score == CalleeMakes && inSpan.Length > 1)
        {
            inSpan = MakingInThisFrame(inSpan, calls);
        }

        ScoreLog?.WriteLine(TerminalText.Clean(
            $"explain scores: span {string.Join(",", spans.Select(s => $"IL {s.Start}-{s.End}"))}{(spansAreGuesses ? " (unmapped, guessed)" : "")} calls {string.Join("; ", calls)}: " +
            string.Join(" ", _sites.Select(site => $"{site.Offset}:{site.TypeKey}.{site.MethodName}={calls.Min(call => Score(site, call))}"))));
        if (inSpan.Length > 0 && (score == Strong || !spansAreGuesses))
        {
            // A mapped range none of whose sites can make the call by their own IL (read here), while exactly one site
            // elsewhere's IL makes it: that site's code was laid out in this range (fully optimized code put the
            // `decimal.ToString("F2")` of a switch arm in the range of the next arm's statement). That holds over a site
            // of the callee's type (Regex.Split, whose body the JIT inlined, is not Regex.Replace's).
            if (!spansAreGuesses && score <= Medium && calls.All(c => c.Kind == FrameCallKind.Call) && inSpan.All(offset => IsRuledOutByIL(offset, calls))
                && Best(calls, [(0, _ilSize)], minimumScore: CalleeMakes) is { Score: >= CalleeMakes, Sites: [int only] })
            {
                return [only];
            }

            return inSpan;
        }

        if (calls.Any(c => (c.Kind == FrameCallKind.Allocation ? c.TypeKey : c.MethodName).Length == 0))
        {
            return inSpan;
        }

        (int anywhereScore, int[] anywhere) = Best(calls, [(0, _ilSize)], minimumScore: Medium);
        if (anywhere.Length == 1)
        {
            // A call of this module's method elsewhere whose body makes the object, while calls near surely make it too
            // (`repository.Project(...)`'s inlined ConvertAll grows an InvoiceView[] in the unmapped code after it;
            // `repository.CreateBlank<InvoiceView>(64)`'s own `new TView[...]` makes one elsewhere): the near ones first,
            // that one shown as shared.
            bool nearSurelyMakesIt = spansAreGuesses && score >= CalleeMakes && inSpan.Length > 0 && !inSpan.Contains(anywhere[0])
                && _sites.Any(site => site.Offset == anywhere[0] && site.IsCall && site.Kind != ILSiteKind.NewObject && site.TargetToken != 0);
            return nearSurelyMakesIt ? [.. inSpan, .. anywhere] : anywhere;
        }

        // Generic calls alike elsewhere (each `.ToList()` of the method, whose List constructor tier 1 laid out in the
        // unmapped code after another statement): the ones whose type arguments name what was allocated beneath.
        if (NamingTypesBeneath(anywhere, typesBeneath) is { } named && named.Length < anywhere.Length)
        {
            return named;
        }

        // An object of a generic type several calls make (a Dictionary's and a HashSet's `Entry[]`, whose names differ only
        // in their arguments): the calls on an instantiation with those very arguments, near when any is, else elsewhere
        // when nothing near surely makes it.
        if (OfTheAllocatedInstantiation(anywhere, calls) is { Length: > 0 } instantiated && instantiated.Length < anywhere.Length)
        {
            if (score >= CalleeMakes && inSpan.Intersect(instantiated).ToArray() is { Length: > 0 } near)
            {
                return near;
            }

            if (score < CalleeMakes)
            {
                return instantiated;
            }
        }

        // Only a call the JIT may have inlined here could have made it, and elsewhere calls of that very method
        // are written (the JIT moved one of the method's `.ToList()` calls into unmapped code after a
        // Sink.Keep): one of those, not an inlined decimal conversion.
        if (anywhereScore == Strong && anywhere.Length > 1 && score < Medium)
        {
            return anywhere;
        }

        // Unmapped code calling a method, whose guessed span holds only calls that may make anything (their IL is not
        // known that deep), while sites elsewhere make the call by their callees' IL (a loop's inlined Appends, whose StringBuilder grows through
        // GC.AllocateUninitializedArray, in the out-of-line block laid out after the `AppendLine` before the loop) or are inlined
        // methods of the callee's own type (`values.Add(...)`'s List.AddWithResize after a range of the loop's `pair.IndexOf('=')`);
        // not when those are delegates' Invokes, which may call anything.
        if (spansAreGuesses && anywhereScore >= Medium && score <= Weak && anywhere.Length > 1 && calls.All(c => c.Kind == FrameCallKind.Call)
            && !anywhere.Any(offset => _sites.Any(site => site.Offset == offset && site.IsCall && !CallsKnownIL(site))))
        {
            return OnwardNear(anywhere, spans);
        }

        // Unmapped code whose guessed span's calls do not make the call by their IL (those of its own type by all the IL they
        // can reach), while sites elsewhere do:
        // those, onward first, else the nearest (List.Add's AddWithResize, which OSR code laid out after the range of the
        // foreach below it, whose getters, GetEnumerator and Stack.Push do not call it; not a Grow before it that adds to a
        // list too).
        if (spansAreGuesses && anywhereScore >= CalleeMakes && calls.All(c => c.Kind == FrameCallKind.Call)
            && _sites.Where(site => site.IsCall && InSpans(site.Offset, spans)).All(site => IsRuledOutByIL(site.Offset, calls, completely: true)))
        {
            return OnwardNear(anywhere, spans);
        }

        // Nothing the range can implement explains it, while sites elsewhere certainly make it by their own or their
        // callee's IL (the string of `next.Name + ":" + priority.ToString(...)`, in the unmapped code tier 1 laid out
        // after `new Stack<string>()`): those, the nearest taken and the others shown as shared. Unmapped code goes on
        // from where the range before it was, so the sites after it come first (an AppendJoin's StringBuilder growth
        // after the range of its own statement's first half, not the AppendFormat of the line before).
        bool noneNearMakesIt = inSpan.Length == 0 || (spansAreGuesses && score <= Weak && inSpan.All(offset => CannotMakeAString(offset, calls)));
        if (noneNearMakesIt && anywhereScore >= CalleeMakes && anywhere.Length > 1)
        {
            return spansAreGuesses ? OnwardFirst(anywhere, spans) : anywhere;
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
    /// Whether the IL behind every instruction at <paramref name="offset"/> calls none of the methods in <paramref name="calls"/>:
    /// another module's method whose IL (a few levels down) does not call it, or a method of this module whose IL calls
    /// nothing. False when that IL is not known: a delegate's Invoke, calli, a virtual method a derived type may override.
    /// (Allocations are not ruled out so: runtime helpers such as MemberwiseClone allocate without any allocating IL.)
    /// </summary>
    /// <param name="offset">The IL offset of the sites.</param>
    /// <param name="calls">The calls seen made at the return address.</param>
    /// <param name="completely">
    /// A method of the called method's own type rules it out only when all the IL it can reach was read (StringBuilder's
    /// AppendLine reaches AppendWithExpansion below the levels read; List's GetEnumerator reaches nothing).
    /// </param>
    private bool IsRuledOutByIL(int offset, List<FrameCall> calls, bool completely = false) =>
        _sites.Where(site => site.Offset == offset).All(site => CallsKnownIL(site) && calls.All(call =>
            ForeignFactsOf(site) is { } facts
                ? !facts.Overridable && (facts.Complete || !completely || site.TypeKey != call.TypeKey) && !facts.Calls.ContainsKey((call.TypeKey, call.MethodName))
                : site.TargetToken != 0 && CallsNothing(site)));

    /// <summary>
    /// Of sites that explain a frame in unmapped code alike, those at or after the span's start, when there are any:
    /// unmapped code goes on from where the range before it was.
    /// </summary>
    private static int[] OnwardFirst(int[] sites, List<(int Start, int End)> spans) =>
        spans.Count > 0 && sites.Where(offset => offset >= spans[0].Start).ToArray() is { Length: > 0 } onward ? onward : sites;

    /// <summary>
    /// Of sites elsewhere that explain unmapped code alike, those onward from the span up to the end of the map's range after
    /// it, when there are any (WriteAuditTrail's `AppendJoin` just after the span's range, not the `AppendFormat` before
    /// it); otherwise all of them, the nearest then taken (a List constructor after the range of IL 64 is the `.ToList()`
    /// at IL 58 just before it, not a ConvertAll five statements on).
    /// </summary>
    private int[] OnwardNear(int[] sites, List<(int Start, int End)> spans)
    {
        if (spans.Count == 0)
        {
            return sites;
        }

        int limit = NextBoundary(spans.Max(span => span.End));
        return sites.Where(offset => offset >= spans[0].Start && offset < limit).ToArray() is { Length: > 0 } near ? near : sites;
    }

    /// <summary>
    /// Of sites whose callees' IL makes the objects this frame allocated itself (the allocation helper called from this
    /// method's own code), those through which this code version inlined every method down to where the object is made,
    /// when some are and some are not: `lower.Trim()`, whose Trim, CreateTrimmedString, InternalSubString and
    /// FastAllocateString were all inlined, made the string, not the `raw.ToLowerInvariant()` before it, whose
    /// ChangeCaseCommon was called, nor the `Split` after it. All of them when no inlining is known.
    /// </summary>
    private int[] MakingInThisFrame(int[] sites, List<FrameCall> calls)
    {
        if (!calls.All(call => call.Kind == FrameCallKind.Allocation && call.TypeKey.Length > 0))
        {
            return sites;
        }

        if (_inlined is null)
        {
            // Code compiled before the recording has no inlining events. What this code is seen calling from frames of
            // their own was not inlined, and a call whose way down to the object runs through such a method makes it
            // there, in that method's frame: of the sites that could have made it in this frame, those whose ways down
            // run through none (`lower.Trim()`, inlined down to the allocation, not `raw.ToLowerInvariant()` before it,
            // whose ChangeCaseCommon `collect` sees called).
            int[] notThroughCalled = [.. sites.Where(offset => _sites.Any(site => site.Offset == offset && calls.All(call =>
                ForeignFactsOf(site)?.AllocationPaths?.GetValueOrDefault(call.TypeKey) is { } ways
                && !ways.Any(way => way.Any(_seenCalled.Contains)))))];
            int[] left = notThroughCalled.Length > 0 ? notThroughCalled : sites;

            // Of those, the ones that make it fewest calls down: each call on the way had to be inlined for the object to be
            // made in this frame (`receipt.PadRight(...)`, whose own IL allocates its string, not the `string.Format` before
            // it, whose string is made three calls down).
            int[] depths = [.. left.Select(offset => _sites.Where(site => site.Offset == offset)
                .Select(site => calls.Max(call => ForeignFactsOf(site)?.Allocations.GetValueOrDefault(call.TypeKey, int.MaxValue) ?? int.MaxValue))
                .DefaultIfEmpty(int.MaxValue).Min())];
            int shallowest = depths.Min();
            return shallowest == int.MaxValue ? left : [.. left.Where((_, i) => depths[i] == shallowest)];
        }

        int[] inFrame = [.. sites.Where(offset => _sites.Any(site => site.Offset == offset && calls.All(call =>
            ForeignFactsOf(site)?.AllocationPaths?.GetValueOrDefault(call.TypeKey) is { } ways
            && ways.Any(way => way.All(_inlined.Contains)))))];
        return inFrame.Length > 0 ? inFrame : sites;
    }

    /// <summary>A call whose target's IL can be read: not a delegate's Invoke nor calli (an overridable target is told by its facts).</summary>
    private static bool CallsKnownIL(ILSite site) => site.IsCall && !IsDelegateInvoke(site) && site.Kind != ILSiteKind.CallIndirect;

    /// <summary>
    /// Whether the frame's calls are allocations of strings and the IL behind every instruction at <paramref name="offset"/>
    /// cannot make one: a string is made only by <c>FastAllocateString</c> or <c>newobj String</c>, which another module's
    /// callee facts record a few levels down (<c>new Queue&lt;Job&gt;()</c>, <c>pending.TryDequeue(...)</c>), and a method
    /// of this module that calls nothing and allocates no string makes none. Not when the IL is unknown (a delegate's
    /// Invoke, calli, an overridable method).
    /// </summary>
    private bool CannotMakeAString(int offset, List<FrameCall> calls) =>
        calls.All(call => call.Kind == FrameCallKind.Allocation && call.TypeKey == "String")
        && _sites.Where(site => site.Offset == offset).All(site => CallsKnownIL(site)
            && (ForeignFactsOf(site) is { } facts
                ? !facts.Overridable && !facts.Allocations.ContainsKey("String") && !facts.Calls.ContainsKey(("String", "Ctor"))
                : site.TargetToken != 0 && !BodiesRunBy(site).Any(body => body.Any(inner => inner.IsCall || calls.Any(call => Allocates(inner, call))))));

    /// <summary>The one site of the whole method that certainly makes <paramref name="call"/>; -1 when none or several.</summary>
    public int OnlySiteAnywhere(FrameCall call)
    {
        (int score, int[] sites) = Best([call], [(0, _ilSize)], minimumScore: Strong);
        return score == Strong && sites.Length == 1 ? sites[0] : -1;
    }

    private int Score(ILSite site, FrameCall call)
    {
        bool mayBeInlined = site.IsCall && MayBeInlined(site);
        return call.Kind == FrameCallKind.Allocation ? ScoreAllocation(site, call, mayBeInlined) : ScoreCall(site, call, mayBeInlined);
    }

    /// <summary>How surely <paramref name="site"/> made the allocation a frame was seen making itself.</summary>
    private int ScoreAllocation(ILSite site, FrameCall call, bool mayBeInlined)
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
        bool calleeAllocatesIt = BodiesRunBy(site).Any(body => body.Any(s => Allocates(s, call) && s.Kind != ILSiteKind.Box));
        // Another module's method: what its IL allocates, and what the methods it calls do (List<Order>'s
        // constructor makes an Order[]; MatchCollection.Count runs the regex that makes the Matches).
        CalleeFacts? foreign = mayBeInlined && call.TypeKey.Length > 0 ? ForeignFactsOf(site) : null;
        return site.Kind == ILSiteKind.LoadFunction ? (calleeAllocatesIt ? Medium : Impossible)
            : mayBeInlined && calleeAllocatesIt ? Strong
            : foreign is not null && foreign.Allocations.ContainsKey(call.TypeKey) ? CalleeMakes
            : mayBeInlined && OwnBodiesMake(site, call) ? CalleeMakes
            : site.IsCall && AllocatesWithoutAFrame(site) ? Medium
            : mayBeInlined && (IsOfOuterType(site, call) || Returns(site, call.TypeKey)) ? Related // Distinct making its DistinctIterator, ToList its List
            : mayBeInlined ? Weak
            : Impossible;
    }

    /// <summary>How surely <paramref name="site"/> made the call a frame was seen making (the method of the frame inside it).</summary>
    private int ScoreCall(ILSite site, FrameCall call, bool mayBeInlined)
    {
        if (site.Kind == ILSiteKind.LoadFunction)
        {
            return Impossible;
        }

        // By name: a virtual call may run another type's override, but a direct `call` (or newobj) runs that type's own
        // method or jumps to one of a type nested in it (Enumerable.ToArray to its ArraySelectIterator's ToArray), not
        // another's (List<T>.Enumerator.MoveNext is not the GroupBy iterator's MoveNext a later line's ToDictionary ran).
        if (site.IsCall && site.MethodName.Length > 0 && site.MethodName == call.MethodName
            && (site.Kind is not (ILSiteKind.NewObject or ILSiteKind.Call) || site.TypeKey == call.TypeKey || call.TypeKey.Length == 0 || site.TypeKey.Length == 0
                || (site.Kind == ILSiteKind.Call && IsOfOuterType(site, call))))
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
        // Not when the site's method cannot be overridden: its own IL says what it calls (`parameters.Add(key, values)`'s
        // Dictionary.Add is no body of List's, whose Add the JIT inlined for a `values.Add(...)` after it; C# calls
        // `lower.Trim()` with callvirt, and the inlined Trim does not call the SplitInternal of the Split after it).
        if (site.Kind == ILSiteKind.CallVirt && _inlined is not null && call.TypeKey.Length > 0 && _inlined.Contains((call.TypeKey, site.MethodName))
            && ForeignFactsOf(site) is not { Overridable: false })
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

        // Nor does it call the delegate machinery itself: MulticastDelegate.CombineImpl under a frame is `handler += ...`'s
        // Delegate.Combine, which jumped there, not the `handler("event")` after it.
        if (IsDelegateInvoke(site) && call.TypeKey is "Delegate" or "MulticastDelegate")
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

        return ScoreUnexplainedCall(site, call, mayBeInlined);
    }

    /// <summary>
    /// A call no site names: made by a body the JIT inlined at the site, or by a callee that jumped to it (a tail
    /// call), or by a factory of the type it works on.
    /// </summary>
    private int ScoreUnexplainedCall(ILSite site, FrameCall call, bool mayBeInlined)
    {
        // A callee that ends by calling another method may jump to it (a tail call) and leave no frame:
        // UTF8Encoding's GetBytes(string) is seen as GetBytesForSmallInput called from the user's line.
        // A method of this module whose own IL calls nothing has nothing to jump to (Sink.Keep after a
        // Count() that tail-called DistinctIterator.GetCount).
        if (call.TypeKey.Length > 0 && ForeignFactsOf(site) is { } foreign)
        {
            // Another module's method whose IL (or its callees', a few levels down) makes the call: inlined here, or, when
            // the JIT did not inline it, one that jumped there (`lower.Trim()`, not inlined, tail-calls its helper, which
            // tail-calls CreateTrimmedString; the inlined ToLowerInvariant before it reaches no such call).
            if (foreign.Calls.ContainsKey((call.TypeKey, call.MethodName)))
            {
                return CalleeMakes;
            }

            // The method that takes the delegate this method made of the lambda (the call right after it is made), whose IL
            // invokes a delegate: inlined, it calls the lambda from this frame (`staff.ConvertAll(e => e.LastName + ...)`),
            // and what the lambda calls may show there too: the lambda jumped to its last call (`slug =>
            // TextInfo.ToTitleCase(slug.Replace('-', ' '))` leaves ToTitleCase under the ConvertAll it was passed to), or
            // the JIT inlined it behind a check of the delegate's target.
            if (mayBeInlined && foreign.Calls.Keys.Any(callee => callee.MethodName == "Invoke")
                && (TakesDelegateOf(site, call) || LambdaPassedHereCalls(site, call)))
            {
                return CalleeMakes;
            }
        }

        // A method of this module the JIT may have inlined here (for a virtual or interface call, an override it may have
        // inlined behind a type check), whose own IL calls it by name or calls another module's method whose IL does.
        if (mayBeInlined && OwnBodiesMake(site, call))
        {
            return CalleeMakes;
        }

        // A method of this module the JIT did not inline, whose IL ends by calling the frame's callee by name: optimized
        // code jumped there (a tail call) and left no frame of its own (`cache.Keys`, a property `=> _order.Select(...)`,
        // leaves Enumerable.Select called from the line that read Keys). Not a method the last call's IL calls: that
        // one, inlined, runs in the frame of the method that did not jump (ApplyCoupon's List.Add, whose AddWithResize
        // the inlined `cart.Add(...)` of the loop before it also calls).
        if (!mayBeInlined && call.Kind == FrameCallKind.Call
            && BodiesRunBy(site).Any(body => body.LastOrDefault(inner => inner.IsCall) is { IsCall: true } last && last.MethodName == call.MethodName && last.TypeKey == call.TypeKey))
        {
            return CalleeMakes;
        }

        // The only call of the method that makes the object whose method the frame was seen calling, an object of a type
        // nested in the called method's (an iterator of Enumerable): the consumer it hands that object to in the same
        // chain runs the method, inlined (`Scores.GroupBy(...).ToDictionary(...)`: the GroupByIterator's MoveNext, called
        // through an interface by ToDictionary's inlined loop, is seen called from the code of that line, not from the
        // `.Where(...)` or `.Select(...)` a line above, which make other iterators of Enumerable).
        if (mayBeInlined && IsOfOuterType(site, call) && OnlyMakerOf(call.TypeKey) == site.Offset)
        {
            return Medium;
        }

        // C# calls every override of ToString through Object's method: the override runs, and a short one ends by
        // calling a method of its own type, jumping there (`document.ToString()`: XNode's ToString is
        // `GetXmlString(SaveOptions.None)`), which is likelier than the calls around it having jumped to it.
        if (site.Kind == ILSiteKind.CallVirt && site.TypeKey == "Object" && site.MethodName == "ToString" && call.Kind == FrameCallKind.Call && call.TypeKey.Length > 0)
        {
            return Related;
        }

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

    /// <summary>How many calls below another module's method its IL makes the frame's call or allocation; int.MaxValue when it does not.</summary>
    private int CallsDownToMake(ILSite site, FrameCall call) =>
        ForeignFactsOf(site) is not { } facts ? int.MaxValue
        : call.Kind == FrameCallKind.Allocation ? facts.Allocations.GetValueOrDefault(call.TypeKey, int.MaxValue)
        : facts.Calls.GetValueOrDefault((call.TypeKey, call.MethodName), int.MaxValue);

    /// <summary>
    /// Whether a body the call of this module's method may run (<see cref="BodiesRunBy"/>) makes the frame's call or
    /// allocation through its own sites: a call of that name, or a call of another module's method whose IL makes it.
    /// </summary>
    private bool OwnBodiesMake(ILSite site, FrameCall call) =>
        call.TypeKey.Length > 0 && BodiesRunBy(site).Any(body => body.Any(inner => call.Kind == FrameCallKind.Allocation
            ? ForeignFactsOf(inner) is { } facts && (facts.Allocations.ContainsKey(call.TypeKey) || MakesArrayOfItsTypeArgument(site, facts, call))
            : MakesCall(inner, call)));

    /// <summary>
    /// Whether another module's method called in the body of a generic method of this module makes an array of a generic
    /// parameter there unknown (<c>?[]</c>), and the frame's array is of one of the type arguments the site calls that method
    /// with: `repository.Project&lt;InvoiceView&gt;(...)`, whose `_items.ConvertAll(item =&gt; map(item))` makes the
    /// `InvoiceView[]` of its List.
    /// </summary>
    private static bool MakesArrayOfItsTypeArgument(ILSite site, CalleeFacts facts, FrameCall call) =>
        call.TypeKey.EndsWith("[]", StringComparison.Ordinal) && site.TypeArguments.Length > 0
        && site.TypeArguments.Split(',').Contains(call.TypeKey[..^2])
        && facts.Allocations.Keys.Any(key => key.StartsWith(ILSites.AnyType, StringComparison.Ordinal) && ILSites.KeyMatches(key, call.TypeKey));

    /// <summary>
    /// Whether a site of this module's IL calls the frame's callee by name, or calls another module's method whose IL does.
    /// C# calls an override of Object's ToString, Equals or GetHashCode through Object's method (`sheet => sheet.ToString()`
    /// is a callvirt of Object::ToString that runs StringBuilder's).
    /// </summary>
    private bool MakesCall(ILSite inner, FrameCall call) =>
        inner.IsCall && ((inner.MethodName == call.MethodName && (inner.TypeKey == call.TypeKey || (inner.Kind == ILSiteKind.CallVirt && inner.TypeKey == "Object")))
            || ForeignFactsOf(inner)?.Calls.ContainsKey((call.TypeKey, call.MethodName)) == true);

    /// <summary>The facts of another module's method a call site names; null for this module's own, or when unknown.</summary>
    private CalleeFacts? ForeignFactsOf(ILSite site)
    {
        if (_calleeFacts is null || !site.IsCall || site.TargetToken != 0 || site.CallToken == 0)
        {
            return null;
        }

        // By the call's token, not its offset: the sites of this module's methods inlined here are scored too.
        if (!_calleeFactsByCall.TryGetValue((site.CallToken, site.ConstrainedToken), out CalleeFacts? facts))
        {
            facts = _calleeFacts(site);
            _calleeFactsByCall[(site.CallToken, site.ConstrainedToken)] = facts;
        }

        return facts;
    }

    /// <summary>Whether <paramref name="site"/> is the first call after this method makes a delegate of the method <paramref name="call"/> calls: the call it is passed to.</summary>
    private bool TakesDelegateOf(ILSite site, FrameCall call) =>
        _delegateMakings.Any(making => making.Load.MethodName == call.MethodName && making.Load.TypeKey == call.TypeKey && NextCallAfter(making.Construction.Offset) == site.Offset);

    /// <summary>Whether a lambda or local function made into a delegate right before <paramref name="site"/> (which takes it) calls the frame's callee by name in its own IL, or calls another module's method whose IL does.</summary>
    private bool LambdaPassedHereCalls(ILSite site, FrameCall call) =>
        _sitesOf is not null && DelegateTargetsPassedTo(site.Offset).Any(token => _sitesOf(token).Any(inner => MakesCall(inner, call)));

    /// <summary>The lambdas and local functions of this module made into delegates right before the call at <paramref name="siteOffset"/>, which it takes (tokens).</summary>
    public int[] DelegateTargetsPassedTo(int siteOffset) =>
        [.. _delegateMakings.Where(making => making.Load.TargetToken != 0 && NextCallAfter(making.Construction.Offset) == siteOffset).Select(making => making.Load.TargetToken).Distinct()];

    /// <summary>
    /// For a frame stopped where a delegate is invoked (the site itself, or inside a method of this module the JIT inlined
    /// there: an event's <c>Placed?.Invoke(this, order)</c>) and calling what that code does not call itself: the sites of
    /// the user's lambdas and local functions made into delegates of the invoked type that make the call (token, IL
    /// offset). The lambda ran and jumped to its last call, leaving no frame: a handler's <c>audit.Add(...)</c>, whose
    /// inlined List.Add tail-calls AddWithResize from the event's invoke. Empty when no delegate is invoked there.
    /// </summary>
    public (int Token, int Offset)[] InvokedLambdaSitesMaking(int siteOffset, FrameCall call)
    {
        ILSite[] atSite = [.. _sites.Where(s => s.Offset == siteOffset && s.IsCall)];
        if (_sitesOf is null || call.Kind != FrameCallKind.Call || call.TypeKey.Length == 0 || atSite is not [ILSite site])
        {
            return [];
        }

        // The method called here ran the invoke inlined, or jumped to it (tier-0 code calls `ledger.Place(sale)`, whose
        // optimized body tail-calls the event's Invoke): either way its own frame is gone too.
        ImmutableArray<ILSite>[] bodies = site.InvokesDelegate ? [[site]] : [.. BodiesRunBy(site)];
        ILSite[] invokes = [.. bodies.SelectMany(body => body).Where(inner => inner.InvokesDelegate)];
        if (invokes.Length == 0 || bodies.Any(body => body.Any(inner => !inner.InvokesDelegate && MakesCall(inner, call))))
        {
            return [];
        }

        return [.. invokes
            .SelectMany(DelegatesInvokableBy)
            .Select(load => load.TargetToken)
            .Distinct()
            .SelectMany(token => _sitesOf(token).Where(inner => MakesCall(inner, call)).Select(inner => (token, inner.Offset)))];
    }

    /// <summary>
    /// Of generic calls, those whose type arguments are the allocated generic type's (<see cref="FrameCall.TypeArguments"/>):
    /// `edges[node] = ...` on a <c>Dictionary&lt;int, List&lt;int&gt;&gt;</c> for its <c>Entry[Int32, List]</c>, not
    /// `visited.Add(current)` on a <c>HashSet&lt;int&gt;</c>. Empty when the frames allocate no generic type.
    /// </summary>
    private int[] OfTheAllocatedInstantiation(int[] candidates, List<FrameCall> calls) =>
        calls.Count == 0 || calls.Any(call => call.Kind != FrameCallKind.Allocation || call.TypeArguments.Length == 0)
            ? []
            : [.. candidates.Where(offset => _sites.Any(site => site.Offset == offset && site.IsCall && calls.All(call => site.TypeArguments == call.TypeArguments)))];

    /// <summary>The offset of the first call after <paramref name="offset"/>; -1 when none.</summary>
    private int NextCallAfter(int offset) => _sites.Where(s => s.IsCall && s.Offset > offset).Select(s => s.Offset).DefaultIfEmpty(-1).Min();

    /// <summary>A <c>newobj</c> right after an <c>ldftn</c>: the construction of a delegate.</summary>
    private bool IsDelegateConstruction(ILSite site) => _delegateMakings.Any(m => m.Construction.Offset == site.Offset);

    private static bool IsDelegateInvoke(ILSite site) => site.InvokesDelegate;

    /// <summary>Whether the IL offset lies in one of the spans (ends exclusive).</summary>
    private static bool InSpans(int offset, List<(int Start, int End)> spans) => spans.Any(span => offset >= span.Start && offset < span.End);

    /// <summary>
    /// The methods of this module (tokens) this method makes into delegates that <paramref name="invoke"/> can
    /// call (same delegate type and arity) and that the JIT may have inlined into this body.
    /// </summary>
    private IEnumerable<int> InlinableTargetsOf(ILSite invoke) =>
        DelegatesInvokableBy(invoke).Where(load => _inlinedNames is null || _inlinedNames.Contains(load.MethodName)).Select(load => load.TargetToken);

    /// <summary>The <c>ldftn</c>s of this module's methods, in the user's method, made into delegates that <paramref name="invoke"/> can call: same delegate type and arity.</summary>
    private IEnumerable<ILSite> DelegatesInvokableBy(ILSite invoke) =>
        _familyDelegateMakings
            .Where(making => making.Load.TargetToken != 0 && making.Load.ParameterCount >= 0 && making.Load.ParameterCount == invoke.ParameterCount
                && making.Construction.TypeKey == invoke.TypeKey)
            .Select(making => making.Load);

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
    /// <summary>The offset of the one call of this method whose callee's IL allocates <paramref name="typeKey"/>; -1 when none or several.</summary>
    private int OnlyMakerOf(string typeKey)
    {
        if (!_onlyMakers.TryGetValue(typeKey, out int only))
        {
            int[] makers = [.. _sites.Where(site => ForeignFactsOf(site)?.Allocations.ContainsKey(typeKey) == true).Select(site => site.Offset).Distinct()];
            _onlyMakers[typeKey] = only = makers is [int one] ? one : -1;
        }

        return only;
    }

    private static bool IsOfOuterType(ILSite site, FrameCall call) => call.OuterTypeKey.Length > 0 && site.IsCall && site.TypeKey == call.OuterTypeKey;

    /// <summary>A call that makes the object or constructs it: a factory of its type, or a method of the type it is nested in.</summary>
    private static bool Makes(ILSite site, FrameCall call) =>
        (call.Kind == FrameCallKind.Allocation || call.MethodName == ".ctor") && (Returns(site, call.TypeKey) || IsOfOuterType(site, call));

    /// <summary>A call of a method that returns that very type (a factory: <c>ToList</c> and its List).</summary>
    private static bool Returns(ILSite site, string typeKey) => typeKey.Length > 0 && site.IsCall && site.Kind != ILSiteKind.NewObject && site.ReturnTypeKey == typeKey;

    /// <summary>A direct call of a method of this module whose IL makes no call.</summary>
    private bool CallsNothing(ILSite site) =>
        site.TargetToken != 0 && _sitesOf is not null && !BodiesRunBy(site).Any(body => body.Any(s => s.IsCall));

    /// <summary>
    /// The bodies a call of this module's method may run: its own and, for a virtual or interface call, the overrides in
    /// this module (tier 1 inlines one behind a type check: guarded devirtualization). None for another module's method.
    /// </summary>
    private IEnumerable<ImmutableArray<ILSite>> BodiesRunBy(ILSite site)
    {
        if (site.TargetToken == 0 || _sitesOf is null)
        {
            yield break;
        }

        yield return _sitesOf(site.TargetToken);
        if (site.Kind == ILSiteKind.CallVirt && _overridesOf is not null)
        {
            foreach (int token in _overridesOf(site.TargetToken))
            {
                yield return _sitesOf(token);
            }
        }
    }

    private static bool IsStringConstructor(ILSite site) => site.Kind == ILSiteKind.NewObject && site.TypeKey == "String" && site.MethodName == ".ctor";

    // Runtime functions that allocate without a managed frame of their own, called from user code.
    private static bool AllocatesWithoutAFrame(ILSite site) => site.MethodName is "MemberwiseClone" or "FastAllocateString" or "GetUninitializedObject";

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

            if (site.Offset == siteOffset && call.Kind == FrameCallKind.Allocation && site.Kind == ILSiteKind.LoadFunction && site.TargetToken != 0)
            {
                // The lambda made into a delegate here, inlined with the method it was passed to (Array.ConvertAll(rows,
                // id => new int[n]) in OSR or tier-1 code, whose allocation the resolver placed on the ldftn): its own line.
                return AllocationsIn(site.TargetToken, call) is [var inLambda] ? inLambda : (0, -1);
            }

            if (site.Offset == siteOffset && call.Kind == FrameCallKind.Allocation && InlinedIteratorBodies(site) is [int moveNext])
            {
                // A foreach over an iterator of this module whose MoveNext the JIT inlined (the iterator method inlined
                // too, so the enumerator's type was known; or guarded devirtualization): the iterator's own allocation.
                return AllocationsIn(moveNext, call) is [var inIterator] ? inIterator : (0, -1);
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
            if (inside.Length == 0)
            {
                // No site names it, but another module's method called there makes it by its IL: the one that makes it
                // fewest calls down (new StringBuilder(n) allocating its char[] through GC.AllocateUninitializedArray
                // one call down, not the Append after it, whose growth is three down), all inlined into the local function.
                (int Offset, int Down)[] making = [.. innerSites.Where(inner => Score(inner, call) == CalleeMakes).Select(inner => (inner.Offset, CallsDownToMake(inner, call)))];
                int nearest = making.Length == 0 ? 0 : making.Min(m => m.Down);
                inside = [.. making.Where(m => m.Down == nearest).Select(m => m.Offset)];
            }

            return inside.Length == 1 ? (site.TargetToken, inside[0]) : (0, -1);
        }

        return (0, -1);
    }

    /// <summary>
    /// For an <c>IEnumerator.MoveNext</c> call (another module's interface method, a <c>foreach</c>'s), the <c>MoveNext</c>
    /// of the iterators this method calls that the JIT inlined into this code: tokens.
    /// </summary>
    private int[] InlinedIteratorBodies(ILSite site)
    {
        if (site.TargetToken != 0 || site.Kind != ILSiteKind.CallVirt || site.MethodName != "MoveNext" || _iteratorMoveNextOf is null || _inlined is null)
        {
            return [];
        }

        return [.. _sites
            .Where(s => s.IsCall && s.TargetToken != 0)
            .Select(s => _iteratorMoveNextOf(s.TargetToken))
            .OfType<(int Token, string TypeKey)>()
            .Where(moveNext => _inlined.Contains((moveNext.TypeKey, "MoveNext")))
            .Select(moveNext => moveNext.Token)
            .Distinct()];
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
            if (!InSpans(site.Offset, spans))
            {
                continue;
            }

            int score = int.MaxValue;
            int certainty = int.MinValue;
            bool namesACall = false;
            foreach (FrameCall call in calls)
            {
                int callScore = Score(site, call);
                score = Math.Min(score, callScore);
                certainty = Math.Max(certainty, callScore);
                namesACall |= callScore == Strong && call.Kind == FrameCallKind.Call;
            }

            // One return address is one call instruction: a site that certainly makes one of its calls by name, and may
            // have tail-called its way to the others, explains them all better than calls that may make anything
            // (`summary.ToString()`, seen calling the anonymous type's ToString and, past its tail call to string.Format,
            // FormatHelper; not the inlined ToLookup before it).
            if (namesACall && score == TailCalled)
            {
                score = Related;
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

    /// <summary>Each <c>ldftn</c> of a method body and the <c>newobj</c> of a delegate right after it.</summary>
    public static (ILSite Load, ILSite Construction)[] DelegateMakings(ImmutableArray<ILSite> sites) =>
        [.. Enumerable.Range(0, Math.Max(0, sites.Length - 1))
            .Where(i => sites[i].Kind == ILSiteKind.LoadFunction && sites[i + 1].Kind == ILSiteKind.NewObject)
            .Select(i => (sites[i], sites[i + 1]))];

    /// <summary>
    /// The allocations of <paramref name="call"/>'s object in the lambdas <paramref name="invoke"/> may have had
    /// inlined (<see cref="InlinableTargetsOf"/>), boxes left out: (lambda token, IL offset) each.
    /// </summary>
    private (int Token, int Offset)[] LambdaAllocationsAt(ILSite invoke, FrameCall call) =>
        [.. InlinableTargetsOf(invoke).SelectMany(token => AllocationsIn(token, call))];

    /// <summary>The allocations of <paramref name="call"/>'s object in this module's method <paramref name="token"/>, boxes left out: (token, IL offset) each.</summary>
    private (int Token, int Offset)[] AllocationsIn(int token, FrameCall call) =>
        _sitesOf is null ? [] : [.. _sitesOf(token).Where(inner => inner.Kind != ILSiteKind.Box && Allocates(inner, call)).Select(inner => (token, inner.Offset))];
}
