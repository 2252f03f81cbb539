using System.Collections.Immutable;
using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>
/// Turns the distinct frames of the selected code into source lines: each compiled body's frames are
/// placed on IL instructions together (<see cref="CallSiteResolver"/>), then the PDB's sequence points
/// give the line.
/// </summary>
internal static class FrameLineResolver
{
    /// <summary>
    /// Hidden switch for investigating the mapping: <c>DOTNET_MEMLINE_EXPLAIN=Name</c> prints to stderr, for
    /// each distinct frame of a method whose name or type name contains Name (an iterator's or async method's MoveNext), its code body, return address, what it
    /// was calling and the IL offset and line it was given, and for each return address the span searched and every site's score.
    /// </summary>
    public const string ExplainVariable = "DOTNET_MEMLINE_EXPLAIN";

    /// <param name="symbolsOf">The symbols of a method id's module; null when it has none.</param>
    /// <param name="objectSizes">Per frame, the smallest and largest single object it allocated itself (see <see cref="LineAttributor.ObjectSizes"/>).</param>
    /// <param name="userMethodOf">The token of the user's method a method id's code belongs to (itself, or the method declaring the lambda); null when unknown.</param>
    /// <param name="lambdasInlinedInto">For another module's code id and a selected method: that method's symbols and its lambdas the JIT inlined into the code.</param>
    /// <param name="frames">The distinct frames of the selected code the attributor saw (<see cref="LineAttributor.Frames"/>).</param>
    /// <param name="trace">The trace the frames come from: its methods, compiled code and inlinings.</param>
    /// <param name="typesBeneath">Per frame, types (ids) allocated beneath it when it called a method (see <see cref="LineAttributor.TypesBeneath"/>); null when unknown.</param>
    /// <param name="selectedOf">The selected method a written method of a module is (module path, token), or -1: where an iterator inlined into another method's code belongs.</param>
    /// <param name="onFallback">Called with a method id and the exception when placing its code's frames failed and they took the plain map's lines.</param>
    public static FrameLine[] Resolve(IReadOnlyList<FrameKey> frames, IReadOnlyList<(long Min, long Max)> objectSizes, IAllocationTrace trace, Func<int, ModuleSymbols?> symbolsOf,
        Func<int, int?>? userMethodOf = null, Func<int, int, (ModuleSymbols Symbols, int[] Lambdas)?>? lambdasInlinedInto = null, IReadOnlyList<int[]?>? typesBeneath = null,
        Func<string, int, int>? selectedOf = null, Action<int, Exception>? onFallback = null)
    {
        var familyMakings = new Dictionary<int, (ILSite, ILSite)[]>();
        var result = new FrameLine[frames.Count];
        IReadOnlyList<string> typeNames = trace.TypeNames;
        string? explain = Environment.GetEnvironmentVariable(ExplainVariable) is { Length: > 0 } name ? name : null;
        foreach (int i in Enumerable.Range(0, frames.Count).Where(i => frames[i].ForeignSelected >= 0))
        {
            result[i] = LambdaLineInForeignCode(frames[i], objectSizes[i], trace, lambdasInlinedInto);
        }

        foreach (IGrouping<int, int> body in Enumerable.Range(0, frames.Count).Where(i => frames[i].ForeignSelected < 0).GroupBy(i => frames[i].CodeId))
        {
            CompiledCode code = trace.Code[body.Key];
            TracedMethod method = trace.Methods[code.MethodId];
            if (symbolsOf(code.MethodId) is not { } symbols)
            {
                foreach (int i in body)
                {
                    result[i] = FrameLine.None;
                }

                continue;
            }

            try
            {
                ResolveBody(body, code, method, symbols);
            }
            catch (Exception ex) when (ex is not (MemLineException or OperationCanceledException or BadImageFormatException or OutOfMemoryException))
            {
                // A defect in the placement rules must not cost the whole analysis: this body's frames take the line of
                // the map entry their call is in, as a debugger would, and the report warns.
                foreach (int i in body)
                {
                    result[i] = PlainLineOf(code, method, symbols, frames[i]);
                }

                onFallback?.Invoke(code.MethodId, ex);
            }
        }

        return result;

        void ResolveBody(IGrouping<int, int> body, CompiledCode code, TracedMethod method, ModuleSymbols symbols)
        {
            (ImmutableArray<ILSite> sites, int ilSize) = symbols.GetBody(method.Token);
            int? root = userMethodOf?.Invoke(code.MethodId);
            (ILSite, ILSite)[] family = [];
            if (root is int userMethod && !familyMakings.TryGetValue(userMethod, out family!))
            {
                family = [.. symbols.GetNestedCodeTokens(userMethod).Prepend(userMethod).SelectMany(token => CallSiteResolver.DelegateMakings(symbols.GetBody(token).Sites))];
                familyMakings[userMethod] = family;
            }

            ImmutableArray<CatchRegion> catches = [.. symbols.GetCatchRegions(method.Token).Where(r => !symbols.IsInHiddenCode(method.Token, r.HandlerStart))];
            bool explained = explain is not null && (method.MethodName.Contains(explain, StringComparison.Ordinal) || method.TypeName.Contains(explain, StringComparison.Ordinal));
            var resolver = new CallSiteResolver(code, sites, ilSize, token => symbols.GetBody(token).Sites, symbols.GetBranches(method.Token), family, catches,
                site => symbols.GetConstrainedCalleeFacts(site.ConstrainedToken, site.CallToken) ?? symbols.GetCalleeFacts(site.CallToken), symbols.GetOverrides, token => IteratorMoveNext(symbols, token))
            {
                ScoreLog = explained ? Console.Error : null,
            };
            (int Index, FrameCall Call)[] calls = [.. body.Select(i => (i, CallOf(frames[i], objectSizes[i], trace, typeNames)))];
            Dictionary<int, CallSiteResolution> resolutions = resolver.Resolve(calls.Select(c => (frames[c.Index].ReturnOffset, c.Call)), ElementsBeneath(body, frames, typesBeneath, typeNames));
            var context = new Body(code, body.Key, method, symbols, sites, root, resolver, resolutions, selectedOf, explained);
            foreach ((int i, FrameCall call) in calls)
            {
                result[i] = LineOfFrame(context, frames[i], call, objectSizes[i], trace);
            }
        }
    }

    /// <summary>
    /// The line of the map entry holding the instruction before a frame's return address (the call it is stopped
    /// in), with none of the placement rules: the fallback when they failed.
    /// </summary>
    private static FrameLine PlainLineOf(CompiledCode code, TracedMethod method, ModuleSymbols symbols, FrameKey frame)
    {
        int il = -1;
        for (int entry = 0; entry < Math.Min(code.NativeOffsets.Length, code.ILOffsets.Length) && code.NativeOffsets[entry] < frame.ReturnOffset; entry++)
        {
            if (code.ILOffsets[entry] >= 0)
            {
                il = code.ILOffsets[entry];
            }
        }

        return il >= 0 && symbols.FindLine(method.Token, il) is { } line ? new FrameLine(line.Line, []) : FrameLine.None;
    }

    /// <summary>
    /// Per return offset of a body's frames, the types allocated beneath them as keys of what a generic call's type
    /// argument would be: an array's element type ("Order" for an <c>Order[]</c> a list grew), or an object's own type.
    /// Not an object of another generic type (the <c>List</c> a <c>ToList&lt;string&gt;</c> makes): its key drops its
    /// arguments and would name the type argument of a <c>ToList&lt;List&lt;Order&gt;&gt;</c>. Anonymous types, generic
    /// too, are the user's own and count.
    /// </summary>
    private static Dictionary<int, HashSet<string>>? ElementsBeneath(IEnumerable<int> body, IReadOnlyList<FrameKey> frames, IReadOnlyList<int[]?>? typesBeneath, IReadOnlyList<string> typeNames)
    {
        if (typesBeneath is null)
        {
            return null;
        }

        var byOffset = new Dictionary<int, HashSet<string>>();
        foreach (int i in body)
        {
            if (i >= typesBeneath.Count || typesBeneath[i] is not { } types)
            {
                continue;
            }

            foreach (int typeId in types.Where(id => id >= 0 && id < typeNames.Count))
            {
                string name = typeNames[typeId];
                string key = ILSites.TypeKey(name);
                string element = key.EndsWith("[]", StringComparison.Ordinal) ? key[..^2]
                    : !name.Contains('`', StringComparison.Ordinal) || key.StartsWith('<') ? key
                    : "";
                if (element.Length > 0)
                {
                    (byOffset.TryGetValue(frames[i].ReturnOffset, out HashSet<string>? keys) ? keys : byOffset[frames[i].ReturnOffset] = []).Add(element);
                }
            }
        }

        return byOffset;
    }

    /// <summary>One compiled body of selected code being resolved: its method, symbols, IL sites and the resolver of its return offsets.</summary>
    private sealed record Body(CompiledCode Code, int CodeId, TracedMethod Method, ModuleSymbols Symbols, ImmutableArray<ILSite> Sites, int? Root, CallSiteResolver Resolver,
        Dictionary<int, CallSiteResolution> Resolutions, Func<string, int, int>? SelectedOf, bool Explained);

    /// <summary>An iterator method's state machine <c>MoveNext</c> (token, type key); null for any other method.</summary>
    private static (int Token, string TypeKey)? IteratorMoveNext(ModuleSymbols symbols, int kickoffToken) =>
        symbols.TryGetStateMachineMoveNext(kickoffToken, out int moveNext) && symbols.GetDefinitionName(moveNext) is { } name && !name.MethodName.EndsWith("MoveNextAsync", StringComparison.Ordinal)
            ? (moveNext, ILSites.TypeKey(name.TypeName))
            : null;

    private static FrameLine LineOfFrame(Body body, FrameKey frame, FrameCall call, (long Min, long Max) sizes, IAllocationTrace trace)
    {
        (ModuleSymbols symbols, TracedMethod method, ImmutableArray<ILSite> sites, CallSiteResolver resolver) = (body.Symbols, body.Method, body.Sites, body.Resolver);
        CallSiteResolution resolution = resolver.HandlerSites.TryGetValue((frame.ReturnOffset, call), out int inCatch)
            ? new CallSiteResolution(inCatch, [])
            : body.Resolutions[frame.ReturnOffset];

        // The runtime reports a frame running a catch or finally handler at the place its try
        // was left (the throw), so a frame stopped at a throw that is not throwing is in a
        // handler: the one site of the method that makes its call, when there is one.
        if (sites.Any(s => s.Offset == resolution.ILOffset && s.Kind == ILSiteKind.Throw)
            && !IsExceptionDispatch(frame, trace)
            && resolver.OnlySiteAnywhere(call) is int handlerSite and >= 0)
        {
            resolution = new CallSiteResolution(handlerSite, []);
        }

        int line = LineOf(symbols, method.Token, resolution.ILOffset, sites);
        ImmutableArray<int> sharedWith = [.. resolution.Alternatives
            .Select(alternative => Math.Abs(LineOf(symbols, method.Token, alternative, sites)))
            .Where(other => other > 0 && other != Math.Abs(line))
            .Distinct()
            .Order()];
        (int Token, int Offset) inlinedSite = resolver.InlinedSite(resolution.ILOffset, call);
        if (inlinedSite.Offset < 0 && resolver.InlinedSitesThatMay(resolution.ILOffset, call) is (int token, [int first, ..] offsets)
            && offsets.Select(o => symbols.FindLine(token, o)?.Line).Distinct().Count() == 1)
        {
            inlinedSite = (token, first); // a local function on one line: which of its calls made it does not matter
        }

        (int inlinedLine, bool inlinedFinally) = InlinedNestedLine(symbols, body.Root ?? method.Token, inlinedSite);
        ImmutableArray<int> inlinedSharedWith = [];
        if (inlinedLine == 0 && inlinedSite.Offset < 0)
        {
            inlinedLine = LineOfPassedLambdasCall(body, resolution.ILOffset, call);
        }

        // The site the resolver found inside an inlined method may be the delegate invoke that ran the handler.
        if (inlinedLine == 0
            && (inlinedSite.Offset < 0 || symbols.GetBody(inlinedSite.Token).Sites.Any(s => s.Offset == inlinedSite.Offset && s.InvokesDelegate))
            && LinesOfInvokedLambdasCall(body, resolution.ILOffset, call) is [int handlerLine, .. var others])
        {
            (inlinedLine, inlinedSharedWith) = (handlerLine, [.. others]);
        }

        var frameLine = new FrameLine(line, sharedWith, inlinedFinally || CallsOwnFinally(frame, trace, method), inlinedLine,
            inlinedLine == 0 ? InlinedOtherMethodLine(body, inlinedSite) : default) { InlinedSharedWith = inlinedSharedWith };
        if (body.Explained)
        {
            Explain(body.Code, body.CodeId, frame, call, sizes, resolution, frameLine);
        }

        return frameLine;
    }

    private static void Explain(CompiledCode code, int codeId, FrameKey frame, FrameCall call, (long Min, long Max) sizes, CallSiteResolution resolution, FrameLine line)
    {
        string map = string.Join(' ', code.NativeOffsets.Zip(code.ILOffsets, (native, il) => $"{native:x}:{il}"));
        Console.Error.WriteLine(TerminalText.Clean(
            $"explain code {codeId} ({(code.IsOptimized ? "optimized" : "tier-0")}, {code.Size} B, inlinees {(code.InlinedMethods is null ? "unknown" : string.Join(",", code.InlinedMethods.Select(m => m.TypeName + "::" + m.MethodName)))}) " +
            $"ret 0x{frame.ReturnOffset:x} calls {call} sizes {sizes.Min}..{sizes.Max} -> IL {resolution.ILOffset} (alternatives {string.Join(',', resolution.Alternatives)}) line {line.Line}" +
            (line.InlinedLine != 0 ? $" inlined line {line.InlinedLine}" : "") + $" | map {map}"));
    }

    /// <summary>
    /// A frame of another module's code into which the JIT inlined lambdas of a selected method: the line of the
    /// lambdas' instructions that can have made its call (an allocation of that type, a call of that name), when
    /// they are on one line (a lambda in a LINQ chain, its own line); none when no lambda can (the foreign
    /// code's own work).
    /// </summary>
    private static FrameLine LambdaLineInForeignCode(FrameKey frame, (long Min, long Max) sizes, IAllocationTrace trace,
        Func<int, int, (ModuleSymbols Symbols, int[] Lambdas)?>? lambdasInlinedInto)
    {
        if (lambdasInlinedInto?.Invoke(frame.CodeId, frame.ForeignSelected) is not { } inlined)
        {
            return FrameLine.None;
        }

        FrameCall call = frame.ForeignCallee >= 0
            ? CallOf(frame with { CalleeMethodId = frame.ForeignCallee, TypeId = -1 }, sizes, trace, trace.TypeNames)
            : CallOf(frame with { CalleeMethodId = -1 }, sizes, trace, trace.TypeNames);
        return LinesMakingInLambdas(inlined.Symbols, inlined.Lambdas, call) is [int line and > 0] ? new FrameLine(line, []) : FrameLine.None;
    }

    /// <summary>
    /// The lines of lambdas' instructions that can make <paramref name="call"/>; when none, for a call, the lines of the
    /// local functions (or lambdas) of the method they call, which may end by jumping to the frame's callee (a tail call:
    /// `s => Describe(s, factor)`, whose `return a + " earned " + ...` leaves String.Concat called from the code that
    /// invoked the lambda).
    /// </summary>
    private static int[] LinesMakingInLambdas(ModuleSymbols symbols, int[] lambdas, FrameCall call)
    {
        int[] lines = [.. lambdas.SelectMany(token => LinesMaking(symbols, token, call)).Distinct()];
        if (lines.Length == 0 && call.Kind == FrameCallKind.Call)
        {
            lines = [.. lambdas
                .SelectMany(token => symbols.GetBody(token).Sites)
                .Where(site => site.IsCall && site.TargetToken != 0 && symbols.GetDefinitionName(site.TargetToken) is { MethodName: ['<', ..] })
                .Select(site => site.TargetToken)
                .Distinct()
                .SelectMany(token => LinesMaking(symbols, token, call))
                .Distinct()];
        }

        return lines;
    }

    /// <summary>
    /// A frame placed on a call of another module's method that takes a delegate of a lambda made right before it, calling
    /// what that method's own IL does not call: the JIT inlined the method here, and the lambda it invoked jumped to its
    /// callee, or to a local function that jumped there (`stops.ConvertAll(stop => Label(stop))`, whose Label's `depot +
    /// ":" + ...` leaves String.Concat called from this frame). The line of that call in the lambda or the local function,
    /// when it is one line; 0 otherwise.
    /// </summary>
    private static int LineOfPassedLambdasCall(Body body, int siteOffset, FrameCall call)
    {
        if (call.Kind != FrameCallKind.Call
            || body.Sites.FirstOrDefault(site => site.Offset == siteOffset && site.IsCall) is not { TargetToken: 0, CallToken: not 0 } site
            || body.Symbols.GetCalleeFacts(site.CallToken) is not { } facts || facts.Calls.ContainsKey((call.TypeKey, call.MethodName))
            || body.Resolver.DelegateTargetsPassedTo(siteOffset) is not { Length: > 0 } lambdas)
        {
            return 0;
        }

        return LinesMakingInLambdas(body.Symbols, lambdas, call) is [int line and > 0] ? line : 0;
    }

    /// <summary>
    /// A frame stopped where a delegate is invoked, calling what a lambda of the user's method made into a delegate of
    /// that type calls (<see cref="CallSiteResolver.InvokedLambdaSitesMaking"/>): the lines of those calls in the
    /// lambdas, in source order; empty when none. The lambda's frame is gone (it jumped to its call), and the trace
    /// cannot say which of several handlers ran: the first line stands for the frame and shares it with the others.
    /// </summary>
    private static int[] LinesOfInvokedLambdasCall(Body body, int siteOffset, FrameCall call) =>
        [.. body.Resolver.InvokedLambdaSitesMaking(siteOffset, call)
            .Select(site => body.Symbols.FindLine(site.Token, site.Offset)?.Line ?? 0)
            .Where(line => line > 0)
            .Distinct()
            .Order()];

    /// <summary>The lines of a method's instructions that can make <paramref name="call"/>: an allocation of that type, a call of that name.</summary>
    private static IEnumerable<int> LinesMaking(ModuleSymbols symbols, int token, FrameCall call) =>
        symbols.GetBody(token).Sites
            .Where(site => call.Kind == FrameCallKind.Allocation
                ? site.Kind != ILSiteKind.Box && CallSiteResolver.Allocates(site, call)
                : site.IsCall && site.MethodName == call.MethodName)
            .Select(site => symbols.FindLine(token, site.Offset)?.Line ?? 0);

    /// <summary>Whether the frame was calling the runtime's exception dispatch (it is the frame that threw).</summary>
    private static bool IsExceptionDispatch(FrameKey frame, IAllocationTrace trace)
        => frame.CalleeMethodId >= 0 && ILSites.TypeKey(trace.Methods[frame.CalleeMethodId].TypeName) is "EH" or "ExceptionDispatchInfo";

    /// <summary>An iterator's MoveNext or Dispose calling the finally block the compiler moved into a method of its state machine.</summary>
    private static bool CallsOwnFinally(FrameKey frame, IAllocationTrace trace, TracedMethod method)
    {
        if (frame.CalleeMethodId < 0)
        {
            return false;
        }

        TracedMethod callee = trace.Methods[frame.CalleeMethodId];
        return callee.MethodName.StartsWith("<>m__Finally", StringComparison.Ordinal) && callee.TypeName == method.TypeName;
    }

    /// <summary>
    /// The line of a site inside code of the method the JIT inlined (a local function, lambda or an
    /// iterator's finally, all compiled to methods whose names start with '&lt;'), when that code is written
    /// in the user's method the frame belongs to (a lambda may inline a sibling lambda it invokes); and
    /// whether it is the finally, whose line replaces the frame's.
    /// </summary>
    private static (int Line, bool IsFinally) InlinedNestedLine(ModuleSymbols symbols, int enclosingToken, (int Token, int Offset) inlined)
    {
        if (inlined.Offset < 0
            || symbols.GetDefinitionName(inlined.Token) is not { } definition || definition.MethodName is not ['<', ..] name
            || symbols.GetMethodSpan(inlined.Token) is not { } inner
            || symbols.GetMethodSpan(enclosingToken) is not { } outer
            || inner.FilePath != outer.FilePath || inner.FirstLine < outer.FirstLine || inner.LastLine > outer.LastLine
            || symbols.FindLine(inlined.Token, inlined.Offset) is not { } line)
        {
            return (0, false);
        }

        return (line.Line, name.StartsWith("<>m__Finally", StringComparison.Ordinal));
    }

    /// <summary>
    /// The line of a site inside code of another selected method the JIT inlined (an iterator's <c>MoveNext</c>, or the
    /// iterator method itself making its state machine, on its declaration line): (its selected index, the line); (0, 0)
    /// when the site is the frame's own method's or no selected method's.
    /// </summary>
    private static (int Selected, int Line) InlinedOtherMethodLine(Body body, (int Token, int Offset) inlined)
    {
        ModuleSymbols symbols = body.Symbols;
        if (inlined.Offset < 0 || body.SelectedOf is null)
        {
            return default;
        }

        int owner = symbols.GetOwnerToken(inlined.Token);
        int selected = body.SelectedOf(symbols.ModulePath, owner);
        if (selected < 0 || owner == (body.Root ?? body.Method.Token) || body.SelectedOf(symbols.ModulePath, body.Root ?? body.Method.Token) == selected)
        {
            return default;
        }

        int line = symbols.FindLine(inlined.Token, inlined.Offset) is { } found && !symbols.IsInHiddenCode(inlined.Token, inlined.Offset) ? found.Line
            : symbols.IsStateMachineKickoff(inlined.Token) && symbols.GetMethodSpan(inlined.Token) is { } span ? span.FirstLine
            : 0;
        return line > 0 ? (selected, line) : default;
    }

    /// <summary>What a frame was calling, in the names IL sites use.</summary>
    private static FrameCall CallOf(FrameKey frame, (long Min, long Max) objectSizes, IAllocationTrace trace, IReadOnlyList<string> typeNames)
    {
        if (frame.CalleeMethodId < 0)
        {
            string typeName = frame.TypeId >= 0 && frame.TypeId < typeNames.Count ? typeNames[frame.TypeId] : "";
            return FrameCall.Allocation(typeName.Length == 0 ? "" : ILSites.TypeKey(typeName), objectSizes.Max < 0 ? -1 : objectSizes.Min, objectSizes.Max)
                with { OuterTypeKey = ILSites.OuterTypeKey(typeName), TypeArguments = ILSites.TypeArgumentKeys(typeName) };
        }

        TracedMethod callee = trace.Methods[frame.CalleeMethodId];
        return FrameCall.Call(callee.TypeName.Length == 0 ? "" : ILSites.TypeKey(callee.TypeName), OwnName(callee.MethodName))
            with { OuterTypeKey = ILSites.OuterTypeKey(callee.TypeName), ParameterCount = ForeignCode.ParameterCountOf(callee.ModulePath, callee.Token, callee.MethodName) };
    }

    /// <summary>"GetEnumerator" for an explicit implementation "System.Collections.IEnumerable.GetEnumerator"; ".ctor" stays.</summary>
    private static string OwnName(string runtimeName)
    {
        int dot = runtimeName.LastIndexOf('.');
        return dot <= 0 ? runtimeName : runtimeName[(dot + 1)..];
    }

    /// <summary>
    /// The line of the instruction at <paramref name="ilOffset"/> (see <see cref="FrameLine.Line"/> for the
    /// sign). Compiler plumbing under a hidden sequence point borrows the preceding visible line, which
    /// may have nothing to do with it (an async iterator resumed from its own plumbing would charge its
    /// closing brace), so it counts only when nothing deeper of the method has a line; but a closure
    /// allocated where its scope begins belongs to the scope's first statement, the next visible line (a
    /// Debug build's opening brace skipped).
    /// </summary>
    private static int LineOf(ModuleSymbols symbols, int token, int ilOffset, ImmutableArray<ILSite> sites)
    {
        if (ilOffset < 0)
        {
            return 0;
        }

        if (symbols.FindLine(token, ilOffset) is { } line)
        {
            if (!symbols.IsInHiddenCode(token, ilOffset))
            {
                return line.Line;
            }

            bool createsClosure = sites.Any(s => s.Offset == ilOffset && s.CreatesDisplayClass);
            return createsClosure && symbols.FindNextLine(token, ilOffset) is { } next ? next.Line : -line.Line;
        }

        // An async method's or iterator's kickoff has no statements: what it allocates itself (the state
        // machine, the task) is the cost of calling the method, shown on its declaration line; only when
        // the body (MoveNext, which the kickoff starts) is not what allocated.
        return symbols.IsStateMachineKickoff(token) && symbols.GetMethodSpan(token) is { } span ? -span.FirstLine : 0;
    }
}
