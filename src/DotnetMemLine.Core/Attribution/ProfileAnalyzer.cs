using DotnetMemLine.Decoding;
using DotnetMemLine.Estimation;
using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>What to analyze: the methods the user named and where extra PDBs may be.</summary>
public sealed record AnalysisOptions(IReadOnlyList<string> MethodPatterns, IReadOnlyList<string> SymbolDirectories)
{
    /// <summary>Gather the timeline and each method's callee tree (<see cref="ProfileReport.Timeline"/>, <see cref="MethodReport.Callees"/>), which only the HTML page draws: they cost the pass about a tenth more.</summary>
    public bool GatherPictures { get; init; }

    /// <summary>Keep every allocation's whole stack, each frame on its line (<see cref="ProfileReport.Stacks"/>), for profile formats such as pprof.</summary>
    public bool GatherStacks { get; init; }

    /// <summary>Where to fetch the PDB of a selected method's module that is not on this machine; null for nowhere.</summary>
    public SymbolServerOptions? SymbolServers { get; init; }

    /// <summary>Without <c>--method</c>: count every module as the user's code, not only those with PDBs outside the shared framework (<c>--all-code</c>).</summary>
    public bool AllCode { get; init; }

    /// <summary>Without <c>--method</c>: how many lines and methods the whole-program view lists.</summary>
    public int Top { get; init; } = ProgramReport.DefaultTop;

    /// <summary>Keep every sampled object still alive at the end, where it is now (<see cref="ProfileReport.LiveObjects"/>): for <c>--retention</c>.</summary>
    public bool KeepLiveObjects { get; init; }

    /// <summary>
    /// The trace was recorded by this tool (collect, run), with the allocation keywords on: a trace without allocation
    /// events then means the program allocated nothing while it was recorded, not that the events were left out.
    /// </summary>
    public bool RecordedWithAllocationEvents { get; init; }
}

/// <summary>
/// The analysis half of every command: resolves the user's method names against the trace, maps
/// frames to source lines through the PDBs, charges samples to lines and builds the report model.
/// </summary>
public static class ProfileAnalyzer
{
    /// <summary>Builds the report of the selected methods from a decoded trace; throws <see cref="MemLineException"/> when a name matches nothing or too much, a PDB is missing or damaged, or the trace lacks what a table needs (allocation events, stacks, a readable part).</summary>
    public static ProfileReport Analyze(IAllocationTrace trace, AnalysisOptions options, CancellationToken cancellationToken = default)
    {
        using var symbols = new SymbolCache(options.SymbolDirectories, options.SymbolServers);
        return ReadingSymbols(symbols, () => TraceCombiner.Combine([AnalyzeTrace(trace, options, symbols, everyMethodRequired: true, cancellationToken)], options, symbols));
    }

    /// <summary>
    /// Several traces as one (the instances of a service): each is read and attributed on its own, in parallel across the
    /// cores, then their tallies add up by method and line (<see cref="TraceCombiner"/>). A named method need only have run
    /// in one of them; traces recorded in different modes, or of different builds of a module, are refused.
    /// </summary>
    /// <param name="tracePaths">The .nettrace files, two or more.</param>
    /// <param name="options">What to analyze.</param>
    /// <param name="traceRead">Called as each trace is done (from worker threads), with its path: for a progress line.</param>
    /// <param name="cancellationToken">Stops the analysis.</param>
    public static ProfileReport Analyze(IReadOnlyList<string> tracePaths, AnalysisOptions options, Action<string>? traceRead = null, CancellationToken cancellationToken = default)
    {
        using var symbols = new SymbolCache(options.SymbolDirectories, options.SymbolServers);
        var parts = new TraceAnalysis?[tracePaths.Count];
        var unusable = new MemLineException?[tracePaths.Count];
        try
        {
            // Each worker streams its file: memory holds one trace's code maps per core, and each trace's tallies after it.
            Parallel.For(0, tracePaths.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, i =>
            {
                try
                {
                    using IAllocationTrace trace = AllocationTraceReader.Open(tracePaths[i], null, cancellationToken);
                    parts[i] = ReadingSymbols(symbols, () => AnalyzeTrace(trace, options, symbols, everyMethodRequired: false, cancellationToken));
                }
                catch (MemLineException ex) when (ex.Kind is FailureKind.TraceUnreadable or FailureKind.TraceIncomplete)
                {
                    unusable[i] = ex; // one instance's damaged or empty trace does not cost the others'
                }

                traceRead?.Invoke(tracePaths[i]);
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.FirstOrDefault(e => e is MemLineException or OperationCanceledException) is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }

        if (parts.All(p => p is null))
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(unusable.First(e => e is not null)!);
        }

        ReportNote[] skipped = [.. unusable.OfType<MemLineException>().Select(ex => new TraceSkippedWarning(ex.Message))];
        ProfileReport report = ReadingSymbols(symbols, () => TraceCombiner.Combine([.. parts.OfType<TraceAnalysis>()], options, symbols));
        return skipped.Length == 0 ? report : report with { Warnings = [.. report.Warnings, .. skipped] };
    }

    private static T ReadingSymbols<T>(SymbolCache symbols, Func<T> analysis)
    {
        try
        {
            return analysis();
        }
        catch (BadImageFormatException ex)
        {
            // A PDB is read as the analysis needs it (sequence points, documents, method data), so a damaged one
            // may show anywhere: its accepted header said nothing of the rest. Not a trace problem.
            throw new MemLineException(FailureKind.SymbolsMissing,
                $"{symbols.DescribeOpened()} cannot be read: {ex.Message} (damaged, or not written by the compiler)", ex) { Remedy = Remedy.RebuildOrPointAtAnIntactPdb };
        }
    }

    /// <summary>One trace read and attributed: per selected method its tallies and what the trace says of its code, before any report.</summary>
    /// <param name="trace">The trace, decoded.</param>
    /// <param name="options">What to analyze.</param>
    /// <param name="symbols">The PDBs, shared by every trace of the analysis.</param>
    /// <param name="everyMethodRequired">A named method that is not in the trace fails the analysis; otherwise (one trace of several) the trace says so in a note.</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    private static TraceAnalysis AnalyzeTrace(IAllocationTrace trace, AnalysisOptions options, SymbolCache symbols, bool everyMethodRequired, CancellationToken cancellationToken)
    {
        TraceSummary summary = trace.Summary;
        EnsureTraceIsUsable(summary, options.RecordedWithAllocationEvents);
        symbols.ExpectBuilds(trace.ModuleBuilds);
        EstimatorKind estimator = summary.EventKind == AllocationEventKind.AllocationTick
            ? EstimatorKind.AllocationTick
            : summary.EventKind == AllocationEventKind.Exact ? EstimatorKind.Exact : EstimatorKind.RandomizedSampling;

        bool wholeProgram = options.MethodPatterns.Count == 0;
        var absent = new List<string>();
        SelectedCode code = wholeProgram ? SelectProgramCode(trace, symbols, options.AllCode)
            : everyMethodRequired ? SelectCode(trace, options.MethodPatterns, options, symbols)
            : SelectPresentCode(trace, options, symbols, absent);
        Charged attribution = Attribute(trace, code, options.KeepLiveObjects && !wholeProgram, followLifetimes: trace.Summary.FollowsLifetimes && !wholeProgram, wholeProgram, options.GatherPictures, options.GatherStacks, cancellationToken);
        MethodLineTallies[] tallies = attribution.Tallies;
        bool[] optimizedBeforeSession = new bool[code.Methods.Count]; // in one pass: the whole-program view selects thousands
        for (int id = 0; id < trace.Methods.Count; id++)
        {
            if (code.SelectedIndexByMethodId[id] is int selected and >= 0 && trace.Methods[id].HasOptimizedCodeFromBeforeSession)
            {
                optimizedBeforeSession[selected] = true;
            }
        }

        var methods = new List<AnalyzedMethod>(code.Methods.Count);
        for (int i = 0; i < code.Methods.Count; i++)
        {
            methods.Add(new AnalyzedMethod(code.Methods[i], code.SymbolsOf[i], tallies[i],
                wholeProgram ? null : MethodFactsOf(trace, code, i, tallies[i], estimator, symbols),
                optimizedBeforeSession[i])
            {
                Callees = attribution.Callees?.Build(i),
            });
        }

        return new TraceAnalysis
        {
            Summary = summary,
            Estimator = estimator,
            WholeProgram = wholeProgram,
            Methods = methods,
            Everything = attribution.Everything,
            InSelectedCode = attribution.InSelectedCode,
            TypeNames = [.. trace.TypeNames],
            ModuleBuilds = trace.ModuleBuilds,
            Warnings = [.. TraceWarnings(summary), .. attribution.MappingFailures],
            AbsentMethods = absent,
            OtherBuilds = [.. code.SymbolsOf.OfType<ModuleSymbols>().Distinct()
                .Where(s => s.BuildId is Guid local && trace.ModuleBuilds.TryGetValue(s.ModulePath, out Guid ran) && ran != local)
                .Select(s => (s, trace.ModuleBuilds[s.ModulePath]))],
            LiveObjects = options.KeepLiveObjects && !wholeProgram ? LiveObjectsOf(trace, tallies) : [],
            Timeline = attribution.Timeline is { } timeline ? timeline with { ResidentMemory = Collection.ResidentMemorySampler.Read(summary.TracePath, summary.Clock) } : null,
            Stacks = attribution.Stacks,
        };
    }

    private static List<LiveObject> LiveObjectsOf(IAllocationTrace trace, MethodLineTallies[] tallies)
    {
        var objects = new List<LiveObject>();
        for (int method = 0; method < tallies.Length; method++)
        {
            foreach ((int line, var onLine) in tallies[method].LiveObjectsByLine)
            {
                foreach ((ulong address, int typeId, LiveSpan span) in onLine)
                {
                    bool known = typeId >= 0 && typeId < trace.TypeNames.Count;
                    double bytes = trace.Summary.EventKind == AllocationEventKind.Exact ? span.ObjectSize : AllocationEstimator.SampleWeight(span.ObjectSize);
                    objects.Add(new LiveObject(method, line, address, known && typeId < trace.TypeHandles.Count ? trace.TypeHandles[typeId] : 0,
                        known ? trace.TypeNames[typeId] : "", bytes)
                    {
                        SurvivedAGC = span.ToGC >= span.FromGC,
                        Sample = (span.ObjectSize, span.SampledByteOffset, span.ObjectCount),
                    });
                }
            }
        }

        return objects;
    }

    /// <summary>
    /// The selected methods and the code that is theirs: a selected method's code is its own body plus the
    /// compiler-generated methods it declares (state machines, lambdas, local functions), all charging its lines.
    /// </summary>
    /// <param name="Selection">Each selected method with the notes on how its name was resolved.</param>
    /// <param name="SymbolsOf">The PDB of each selected method's module; null only in the whole-program view with <c>--all-code</c>, for a module without one.</param>
    /// <param name="SelectedIndexByMethodId">Per traced method, the selected method it belongs to, or -1.</param>
    /// <param name="LambdasInForeignCode">Per body of another module and selected method, its lambdas the JIT inlined there.</param>
    /// <param name="LambdasOf">Per selected method, its lambdas and local functions (tokens).</param>
    /// <param name="LambdaTailCallees">
    /// Per traced method of another module that a selected method's lambdas or local functions call and its own body
    /// does not, those selected methods: a lambda that ends by jumping to it (a tail call) leaves it called from the
    /// library code that invoked the lambda.
    /// </param>
    /// <param name="LibraryCode">
    /// Per traced method, whether it is code of a module none of the selected methods is in: only such code invokes a
    /// lambda and shows the lambda's tail call as its own (a helper of the user's module that calls String.Concat
    /// itself is not running a lambda that jumped there).
    /// </param>
    private sealed record SelectedCode(
        IReadOnlyList<SelectedMethod> Selection,
        ModuleSymbols?[] SymbolsOf,
        int[] SelectedIndexByMethodId,
        Dictionary<(int CodeId, int Selected), int[]> LambdasInForeignCode,
        Dictionary<int, int[]> LambdasOf,
        Dictionary<int, int[]> LambdaTailCallees,
        bool[] LibraryCode)
    {
        public IReadOnlyList<MethodIdentity> Methods { get; } = [.. Selection.Select(s => s.Method)];

        public bool IsOf(int methodId, int selected) => (uint)methodId < (uint)SelectedIndexByMethodId.Length && SelectedIndexByMethodId[methodId] == selected;

        private Dictionary<(string Module, int Token), int>? _indexByMethod;

        /// <summary>The index of the selected method with this module and token; -1 when it is not selected.</summary>
        public int SelectedOf(string modulePath, int token)
        {
            if (_indexByMethod is null)
            {
                _indexByMethod = [];
                for (int i = 0; i < Methods.Count; i++)
                {
                    _indexByMethod.TryAdd((Methods[i].ModulePath, Methods[i].Token), i);
                }
            }

            return _indexByMethod.GetValueOrDefault((modulePath, token), -1);
        }
    }

    /// <summary>One trace of several: the named methods that ran in it (a name that matches nothing here is noted in <paramref name="absent"/>).</summary>
    private static SelectedCode SelectPresentCode(IAllocationTrace trace, AnalysisOptions options, SymbolCache symbols, List<string> absent)
    {
        var present = new List<string>();
        foreach (string pattern in options.MethodPatterns)
        {
            try
            {
                _ = MethodSelection.Resolve([pattern], trace.Methods, options.SymbolDirectories, symbols);
                present.Add(pattern);
            }
            catch (MemLineException ex) when (ex.Kind == FailureKind.MethodNotFound)
            {
                absent.Add(pattern);
            }
        }

        return SelectCode(trace, present, options, symbols);
    }

    private static SelectedCode SelectCode(IAllocationTrace trace, IReadOnlyList<string> patterns, AnalysisOptions options, SymbolCache symbols)
    {
        IReadOnlyList<SelectedMethod> selection;
        try
        {
            selection = patterns.Count == 0 ? [] : MethodSelection.Resolve(patterns, trace.Methods, options.SymbolDirectories, symbols);
        }
        catch (MemLineException ex) when (ex.Kind == FailureKind.MethodNotFound && !trace.Summary.HasRundown)
        {
            throw new MemLineException(FailureKind.TraceIncomplete, $"{ex.Message}; {NoteWording.NoRundown}, and the method may have run only such code", ex) { Remedy = ex.Remedy };
        }

        ModuleSymbols[] symbolsOf = [.. selection.Select(s => symbols.Open(s.Method.ModulePath))];
        var selectedByKey = new Dictionary<(string Module, int Token), int>();
        var lambdaByName = new Dictionary<(string TypeKey, string MethodName), (int Selected, int Token)>();
        for (int i = 0; i < selection.Count; i++)
        {
            MethodIdentity method = selection[i].Method;
            selectedByKey[(method.ModulePath, method.Token)] = i;
            foreach (int nested in symbolsOf[i].GetNestedCodeTokens(method.Token))
            {
                selectedByKey.TryAdd((method.ModulePath, nested), i);
                AddLambda(lambdaByName, symbolsOf[i], nested, i);
            }
        }

        int[] selectedIndexByMethodId = [.. trace.Methods.Select(m => selectedByKey.GetValueOrDefault((m.ModulePath, m.Token), -1))];
        var lambdas = LambdasInlinedIntoForeignCode(trace, lambdaByName, selectedIndexByMethodId);
        (var lambdasOf, var tailCallees) = LambdaTailCallees(trace, lambdaByName, [.. selection.Select(s => s.Method.Token)], symbolsOf);
        return new SelectedCode(selection, symbolsOf, selectedIndexByMethodId, lambdas, lambdasOf, tailCallees, LibraryCode(trace, selectedIndexByMethodId));
    }

    /// <summary>
    /// Without <c>--method</c>, every method of the user's code is selected, each with the code the compiler wrote for it
    /// (<see cref="ModuleSymbols.GetOwnerToken"/>). The user's code is what Visual Studio's Just My Code means: modules
    /// outside the shared framework whose PDB is found; with <paramref name="allCode"/>, every module (those without a
    /// PDB by method only: no line, and each compiled method on its own).
    /// </summary>
    private static SelectedCode SelectProgramCode(IAllocationTrace trace, SymbolCache symbols, bool allCode)
    {
        var selection = new List<SelectedMethod>();
        var symbolsOf = new List<ModuleSymbols?>();
        var indexByOwner = new Dictionary<(string Module, int Token), int>();
        var catalogs = new Dictionary<string, Dictionary<int, MethodIdentity>>(StringComparer.Ordinal);
        int[] selectedIndexByMethodId = new int[trace.Methods.Count];
        for (int id = 0; id < trace.Methods.Count; id++)
        {
            selectedIndexByMethodId[id] = -1;
            TracedMethod traced = trace.Methods[id];
            // Just My Code: a module outside the shared framework with a PDB; with --all-code, any module but the profiler's hook.
            bool candidate = traced.ModulePath.Length > 0 && !MethodSelection.IsProfilerModule(traced.ModulePath)
                && (allCode || !MethodSelection.IsFrameworkModule(traced.ModulePath));
            ModuleSymbols? moduleSymbols = candidate ? symbols.TryOpen(traced.ModulePath) : null;
            if (!candidate || (moduleSymbols is null && !allCode))
            {
                continue;
            }

            int owner = moduleSymbols?.GetOwnerToken(traced.Token) ?? traced.Token;
            if (!indexByOwner.TryGetValue((traced.ModulePath, owner), out int index))
            {
                if (!catalogs.TryGetValue(traced.ModulePath, out var catalog))
                {
                    catalog = (symbols.MethodsOfCopy(traced.ModulePath) ?? (MethodCatalog.TryRead(traced.ModulePath, out var methods, out _) ? methods : [])).ToDictionary(m => m.Token);
                    catalogs[traced.ModulePath] = catalog;
                }

                if (!catalog.TryGetValue(owner, out MethodIdentity? identity))
                {
                    continue; // generated code no written method holds: its allocations go to the user's code that called it
                }

                index = selection.Count;
                selection.Add(new SelectedMethod(identity, []));
                symbolsOf.Add(moduleSymbols);
                indexByOwner[(traced.ModulePath, owner)] = index;
            }

            selectedIndexByMethodId[id] = index;
        }

        var lambdaByName = new Dictionary<(string TypeKey, string MethodName), (int Selected, int Token)>();
        foreach (ModuleSymbols moduleSymbols in symbolsOf.OfType<ModuleSymbols>().Distinct())
        {
            foreach (int lambda in moduleSymbols.GetLambdaTokens())
            {
                if (indexByOwner.TryGetValue((moduleSymbols.ModulePath, moduleSymbols.GetOwnerToken(lambda)), out int index))
                {
                    AddLambda(lambdaByName, moduleSymbols, lambda, index);
                }
            }
        }

        var lambdas = LambdasInlinedIntoForeignCode(trace, lambdaByName, selectedIndexByMethodId);
        (var lambdasOf, var tailCallees) = LambdaTailCallees(trace, lambdaByName, [.. selection.Select(s => s.Method.Token)], [.. symbolsOf]);
        return new SelectedCode(selection, [.. symbolsOf], selectedIndexByMethodId, lambdas, lambdasOf, tailCallees, LibraryCode(trace, selectedIndexByMethodId));
    }

    private static void AddLambda(Dictionary<(string TypeKey, string MethodName), (int Selected, int Token)> lambdaByName, ModuleSymbols symbols, int token, int selected)
    {
        if (symbols.GetDefinitionName(token) is { MethodName: ['<', ..] } name)
        {
            lambdaByName.TryAdd((ILSites.TypeKey(name.TypeName), name.MethodName), (selected, token));
        }
    }

    /// <summary>What one pass charged: per selected method its tallies, and every allocation, in the selected code or not.</summary>
    // MappingFailures: the methods whose lines came from the plain map because the placement rules failed on them.
    private sealed record Charged(MethodLineTallies[] Tallies, SampleTally Everything, SampleTally InSelectedCode, RecordingTimeline? Timeline, CalleeTree? Callees, StackProfile? Stacks,
        IReadOnlyList<LineMappingFailedWarning> MappingFailures);

    /// <summary>One pass over the trace with the per-line attributor, then each frame it saw resolved to a line and the samples charged.</summary>
    /// <param name="trace">The trace.</param>
    /// <param name="code">The selected methods and their code.</param>
    /// <param name="keepLiveObjects">Keep the sampled objects alive at the end (--retention).</param>
    /// <param name="followLifetimes">Follow the sampled objects through the GCs.</param>
    /// <param name="wholeProgramView">Every method of the user's code is selected: no callee trees, which would repeat every stack per method.</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    /// <param name="pictures">Gather the timeline and the callee trees (<see cref="AnalysisOptions.GatherPictures"/>).</param>
    /// <param name="stacks">Gather every allocation's whole stack (<see cref="AnalysisOptions.GatherStacks"/>).</param>
    private static Charged Attribute(IAllocationTrace trace, SelectedCode code, bool keepLiveObjects, bool followLifetimes, bool wholeProgramView, bool pictures, bool stacks, CancellationToken cancellationToken)
    {
        IReadOnlyList<TracedMethod> tracedMethods = trace.Methods;
        bool[] runsContinuations = [.. tracedMethods.Select(ContinuationRunners.Runs)];
        Dictionary<int, int[]> foreignCodeInlining = code.LambdasInForeignCode.Keys.GroupBy(k => k.CodeId).ToDictionary(g => g.Key, g => g.Select(k => k.Selected).ToArray());
        bool[] boxesThroughHelper = [.. tracedMethods.Select(m => m.MethodName == "Box" && m.TypeName == "System.Runtime.CompilerServices.CastHelpers")];
        int[] selectedIndex = code.SelectedIndexByMethodId;
        // Asked per frame by the attributor (for itself and the stack recorder): each method's IL is read once.
        var invokesDelegates = new Dictionary<int, bool>();
        bool MayInvokeDelegates(int methodId)
        {
            if (!invokesDelegates.TryGetValue(methodId, out bool invokes))
            {
                TracedMethod method = tracedMethods[methodId];
                invokes = ForeignCode.MayInvokeDelegates(method.ModulePath, method.Token, method.MethodName);
                invokesDelegates[methodId] = invokes;
            }

            return invokes;
        }

        var attributor = new LineAttributor(trace.Summary.EventKind, selectedIndex, code.Methods.Count, runsContinuations, foreignCodeInlining, boxesThroughHelper,
            followLifetimes: followLifetimes, lambdaTailCallees: code.LambdaTailCallees, libraryCode: code.LibraryCode, mayInvokeDelegates: MayInvokeDelegates)
        { KeepLiveObjects = keepLiveObjects };
        TimelineRecorder? timeline = pictures && !wholeProgramView ? new TimelineRecorder(trace.Summary.EventKind, trace.Summary.DurationSeconds) : null;
        CalleeTree? callees = pictures && !wholeProgramView ? new CalleeTree(trace, selectedIndex, code.Methods.Count) : null;
        var consumers = new List<IAllocationVisitor> { attributor };
        if (timeline is not null && callees is not null)
        {
            consumers.Add(timeline);
            consumers.Add(callees);
        }

        StackRecorder? stackRecorder = stacks ? new StackRecorder(trace, selectedIndex) : null;
        if (stackRecorder is not null)
        {
            consumers.Add(stackRecorder);
        }


        TracePass.Replay(trace, consumers, cancellationToken);
        FrameLine[] Resolve(IReadOnlyList<FrameKey> frames, IReadOnlyList<(long Min, long Max)> objectSizes, IReadOnlyList<int[]?>? typesBeneath) => FrameLineResolver.Resolve(frames, objectSizes, trace,
            methodId => code.SymbolsOf[selectedIndex[methodId]],
            methodId => selectedIndex[methodId] is int index and >= 0 ? code.Methods[index].Token : null,
            (codeId, index) => code.LambdasInForeignCode.TryGetValue((codeId, index), out int[]? lambdas) || code.LambdasOf.TryGetValue(index, out lambdas) ? (code.SymbolsOf[index]!, lambdas) : null, typesBeneath,
            code.SelectedOf, RecordFailure);
        var mappingFailures = new Dictionary<string, LineMappingFailedWarning>();
        void RecordFailure(int methodId, Exception failure)
        {
            string name = trace.Methods[methodId].TypeName + "." + trace.Methods[methodId].MethodName;
            mappingFailures.TryAdd(name, new LineMappingFailedWarning(name, failure.GetType().Name));
        }

        FrameLine[] lineOfFrame = Resolve(attributor.Frames, attributor.ObjectSizes, attributor.TypesBeneath);
        StackProfile? profile = stackRecorder?.Build(code.Methods, code.SymbolsOf,
            key => attributor.TryGetFrameId(key, out int id) ? lineOfFrame[id] : null, (frames, sizes) => Resolve(frames, sizes, null), (codeId, innerMethodId) => attributor.StandsFor(codeId, trace.Code[codeId].MethodId, innerMethodId));
        return new Charged(attributor.Charge(lineOfFrame), attributor.Everything, attributor.InSelectedCode, timeline?.Build(trace.Summary.DurationSeconds, attributor.TimesOfSelected), callees, profile,
            [.. mappingFailures.Values]);
    }

    /// <summary>What the trace says of the selected method <paramref name="index"/>'s code, for its table: how its name was taken first, then where its code went.</summary>
    private static MethodFacts MethodFactsOf(IAllocationTrace trace, SelectedCode code, int index, MethodLineTallies tallies, EstimatorKind estimator, SymbolCache symbols)
    {
        MethodIdentity method = code.Methods[index];
        ModuleSymbols methodSymbols = code.SymbolsOf[index]!; // a named method's module always has its PDB (or the analysis failed)
        IReadOnlyList<InliningSite> inlinedInto = CodeWhereabouts.FindInliningSites(method, methodSymbols, trace, symbols.TryOpen);
        var notes = new List<ReportNote>(code.Selection[index].Notes);
        notes.AddRange(inlinedInto.Select(site => new InlinedIntoNote(site)));
        bool hasCode = Enumerable.Range(0, trace.Methods.Count).Any(id => code.IsOf(id, index));
        if (!hasCode && inlinedInto.Count == 0)
        {
            // Code compiled before the recording is in its rundown; only optimized code of then could hide an inlined copy.
            bool neverRan = trace.Summary.HasRundown && !trace.Methods.Any(m => m.HasOptimizedCodeFromBeforeSession);
            notes.Add(new NoCompiledCodeNote(method.MethodName, neverRan));
        }
        else if (CodeWhereabouts.InliningBeforeTheSession(method, methodSymbols, trace, tallies.Total.Samples > 0) is { } beforeSession)
        {
            notes.Add(beforeSession);
        }

        bool runsPrecompiledCode = trace.Methods.Where((m, id) => code.IsOf(id, index) && m.RunsPrecompiledCode).Any();
        SortedSet<int> boxLines = estimator == EstimatorKind.Exact ? StructBoxesInUnoptimizedCode(trace, trace.Methods, id => code.IsOf(id, index), methodSymbols) : [];
        SortedSet<int> delegateLines = estimator == EstimatorKind.Exact ? DelegateCombinations(trace, trace.Methods, id => code.IsOf(id, index), methodSymbols) : [];
        bool hasILMaps = trace.Code.Any(c => code.IsOf(c.MethodId, index) && c.NativeOffsets.Length > 0);
        if (!trace.Summary.HasSurvivalEvents && estimator != EstimatorKind.AllocationTick && tallies.Total.Samples > 0)
        {
            notes.Add(new NoSurvivalEventsNote());
        }

        if (!trace.Summary.HasAsyncCausality && Awaits(method, methodSymbols))
        {
            notes.Add(new AwaitsWithoutCausalityNote(method.MethodName));
        }

        return new MethodFacts(notes, inlinedInto, runsPrecompiledCode, boxLines, hasILMaps, delegateLines);
    }

    /// <summary>
    /// An async method: its body starts its state machine through an async method builder (<c>AsyncTaskMethodBuilder.Start</c>,
    /// <c>AsyncValueTaskMethodBuilder</c>, <c>AsyncIteratorMethodBuilder</c>, <c>PoolingAsyncValueTaskMethodBuilder</c>).
    /// </summary>
    private static bool Awaits(MethodIdentity method, ModuleSymbols symbols) =>
        symbols.GetBody(method.Token).Sites.Any(s => s.IsCall && s.MethodName is "Start" or "MoveNext" && s.TypeKey.Contains("MethodBuilder", StringComparison.Ordinal));

    /// <summary>What the whole report must say about the trace: a missing rundown, a damaged end, dropped or batched events.</summary>
    internal static List<ReportNote> TraceWarnings(TraceSummary summary)
    {
        var warnings = new List<ReportNote>();
        if (summary.RundownFrom is { } snapshot)
        {
            warnings.Add(new RundownFromSnapshotWarning(snapshot));
        }

        if (!summary.HasRundown)
        {
            warnings.Add(new NoRundownWarning());
        }

        if (summary.ReadProblem is { } readProblem)
        {
            warnings.Add(new TraceReadWarning(readProblem));
        }

        if (summary.DroppedEvents > 0)
        {
            // Not scaled up: drops come in bursts (while the reader falls behind), so they hit the lines
            // running at that moment, and which kinds of event were lost is unknown (docs/how-it-works.md).
            warnings.Add(new DroppedEventsWarning(summary.DroppedEvents, summary.DroppedFraction));
        }

        if (summary.BatchedExactEvents > 0)
        {
            warnings.Add(new BatchedExactEventsWarning(summary.BatchedExactEvents));
        }

        return warnings;
    }

    private static void EnsureTraceIsUsable(TraceSummary summary, bool recordedWithAllocationEvents)
    {
        if (summary.EventKind == AllocationEventKind.None && summary.ReadProblem is not null)
        {
            // Not a recording problem: the events may well be in the part of the file that is missing.
            throw new MemLineException(FailureKind.TraceIncomplete,
                $"{summary.TracePath} is cut short or damaged, and the part that could be read has no allocation events");
        }

        if (summary.EventKind == AllocationEventKind.None && !summary.HasRundown)
        {
            throw new MemLineException(FailureKind.TraceIncomplete,
                $"{summary.TracePath} has no allocation events: the recording was cut off before any reached the file");
        }

        if (summary.EventKind == AllocationEventKind.None && recordedWithAllocationEvents)
        {
            throw new MemLineException(FailureKind.TraceIncomplete,
                $"the program allocated nothing while it was recorded ({summary.DurationSeconds:F1} s): record while it does the work to profile (the trace is {summary.TracePath})");
        }

        if (summary.EventKind == AllocationEventKind.None)
        {
            throw new MemLineException(FailureKind.TraceIncomplete,
                $"{summary.TracePath} has no allocation events: record provider Microsoft-Windows-DotNETRuntime with keyword 0x80000000000 (AllocationSampled, .NET 10+) or keyword 0x1 at level 5 (AllocationTick)");
        }

        if (!summary.HasStacks)
        {
            throw new MemLineException(FailureKind.TraceIncomplete,
                $"{summary.TracePath} has allocation events but no stacks, so no line can be attributed");
        }
    }

    /// <summary>
    /// The lines that box a struct in code the trace ran unoptimized (tier 0, Debug): such code boxes through
    /// the runtime's managed CastHelpers.Box, and the runtime logs only some of those objects in exact mode
    /// (checked on .NET 10.0: 1,000 boxes of a struct in tier-0 code gave 3 events; primitive types, enums
    /// and optimized code's boxes were all logged).
    /// </summary>
    private static SortedSet<int> StructBoxesInUnoptimizedCode(IAllocationTrace trace, IReadOnlyList<TracedMethod> tracedMethods, Func<int, bool> isSelected, ModuleSymbols symbols)
    {
        SortedSet<int> lines = LinesOfSites(trace, tracedMethods, c => !c.IsOptimized && isSelected(c.MethodId), symbols, s => s.Kind == ILSiteKind.Box && s.BoxesStruct);

        // An interpolated string's hole of such a struct (a decimal, a DateTime): the handler's
        // AppendFormatted<T> for it has no precompiled code, and its tier-0 code boxes the struct the same
        // way (checked on .NET 10: 1,000 interpolated decimals, 1,000 boxes missing, none logged, so no frame
        // of it is left to tell). Other generic code over structs was not seen to lose objects.
        var unoptimized = trace.Code.Where(c => !c.IsOptimized && (uint)c.MethodId < (uint)tracedMethods.Count)
            .Select(c => (ILSites.TypeKey(tracedMethods[c.MethodId].TypeName), tracedMethods[c.MethodId].MethodName))
            .Where(m => m.MethodName == "AppendFormatted")
            .ToHashSet();
        if (unoptimized.Count > 0)
        {
            // The hole may be in a method of the module the line calls (ShoppingCart.Add), two calls deep at most.
            lines.UnionWith(LinesOfSites(trace, tracedMethods, c => isSelected(c.MethodId), symbols, site => InterpolatesStructUnoptimized(symbols, site, unoptimized, depth: 0)));
        }

        return lines;
    }

    /// <summary>The lines of the sites <paramref name="keep"/> picks in the bodies of the traced code <paramref name="ofCode"/> picks, each method once.</summary>
    private static SortedSet<int> LinesOfSites(IAllocationTrace trace, IReadOnlyList<TracedMethod> tracedMethods, Func<CompiledCode, bool> ofCode, ModuleSymbols symbols, Func<ILSite, bool> keep)
    {
        var lines = new SortedSet<int>();
        foreach (int token in trace.Code.Where(ofCode).Select(c => tracedMethods[c.MethodId].Token).Distinct())
        {
            foreach (ILSite site in symbols.GetBody(token).Sites.Where(keep))
            {
                if (symbols.FindLine(token, site.Offset) is { } line)
                {
                    lines.Add(line.Line);
                }
            }
        }

        return lines;
    }

    /// <summary>
    /// The lines that combine or remove delegates (<c>handler += ...</c>, an event's add or remove accessor): the
    /// runtime allocates the combined delegate through RuntimeTypeHandle.InternalAllocNoChecks, whose managed fast path
    /// logs only the allocations that refill the thread's allocation context (checked on .NET 10.0: 1,000 combinations
    /// of two delegates allocated 104,152 bytes; logged, the 1,000 invocation lists and 9 of the 1,000 delegates), in any code.
    /// </summary>
    private static SortedSet<int> DelegateCombinations(IAllocationTrace trace, IReadOnlyList<TracedMethod> tracedMethods, Func<int, bool> isSelected, ModuleSymbols symbols) =>
        LinesOfSites(trace, tracedMethods, c => isSelected(c.MethodId), symbols, CombinesDelegates);

    private static bool CombinesDelegates(ILSite site) =>
        site.IsCall && ((site.TypeKey == "Delegate" && site.MethodName is "Combine" or "Remove" or "RemoveAll")
            || site.MethodName.StartsWith("add_", StringComparison.Ordinal) || site.MethodName.StartsWith("remove_", StringComparison.Ordinal));

    private static bool InterpolatesStructUnoptimized(ModuleSymbols symbols, ILSite site, HashSet<(string TypeKey, string MethodName)> unoptimized, int depth)
    {
        if (site.GenericOverStruct && unoptimized.Contains((site.TypeKey, site.MethodName)))
        {
            return true;
        }

        return depth < 2 && site.IsCall && site.TargetToken != 0
            && symbols.GetBody(site.TargetToken).Sites.Any(inner => InterpolatesStructUnoptimized(symbols, inner, unoptimized, depth + 1));
    }

    /// <summary>Per traced method, whether its module holds none of the selected methods (<see cref="SelectedCode.LibraryCode"/>).</summary>
    private static bool[] LibraryCode(IAllocationTrace trace, int[] selectedIndexByMethodId)
    {
        HashSet<string> selectedModules = new(trace.Methods.Where((_, id) => selectedIndexByMethodId[id] >= 0).Select(m => m.ModulePath), StringComparer.Ordinal);
        return [.. trace.Methods.Select(m => !selectedModules.Contains(m.ModulePath))];
    }

    /// <summary>
    /// Per selected method its lambdas and local functions, and per traced method of another module the selected
    /// methods whose lambdas or local functions call it by name while their own body does not (see
    /// <see cref="SelectedCode.LambdaTailCallees"/>).
    /// </summary>
    /// <param name="trace">The trace.</param>
    /// <param name="lambdaByName">The selected methods' lambdas and local functions, by their metadata type and name.</param>
    /// <param name="selectedTokens">Per selected method, its token.</param>
    /// <param name="symbolsOf">Per selected method, its module's symbols (null without a PDB).</param>
    private static (Dictionary<int, int[]> LambdasOf, Dictionary<int, int[]> TailCallees) LambdaTailCallees(IAllocationTrace trace,
        Dictionary<(string TypeKey, string MethodName), (int Selected, int Token)> lambdaByName, int[] selectedTokens, ModuleSymbols?[] symbolsOf)
    {
        Dictionary<int, int[]> lambdasOf = lambdaByName.Values.GroupBy(l => l.Selected).ToDictionary(g => g.Key, g => g.Select(l => l.Token).Distinct().ToArray());
        var selectedByCallee = new Dictionary<(string TypeKey, string MethodName), List<int>>();
        foreach ((int selected, int[] tokens) in lambdasOf)
        {
            if (symbolsOf[selected] is not { } symbols)
            {
                continue;
            }

            HashSet<(string, string)> ownCalls = [.. symbols.GetBody(selectedTokens[selected]).Sites.Where(site => site.IsCall).Select(site => (site.TypeKey, site.MethodName))];
            foreach ((string TypeKey, string MethodName) callee in tokens
                .SelectMany(token => symbols.GetBody(token).Sites)
                .Where(site => site.IsCall && site.TargetToken == 0 && site.MethodName.Length > 0 && !ownCalls.Contains((site.TypeKey, site.MethodName)))
                .Select(site => (site.TypeKey, site.MethodName))
                .Distinct())
            {
                (selectedByCallee.TryGetValue(callee, out List<int>? list) ? list : selectedByCallee[callee] = []).Add(selected);
            }
        }

        var tailCallees = new Dictionary<int, int[]>();
        if (selectedByCallee.Count > 0)
        {
            for (int id = 0; id < trace.Methods.Count; id++)
            {
                TracedMethod method = trace.Methods[id];
                if (selectedByCallee.TryGetValue((ILSites.TypeKey(method.TypeName), method.MethodName), out List<int>? callers))
                {
                    tailCallees[id] = [.. callers];
                }
            }
        }

        return (lambdasOf, tailCallees);
    }

    /// <summary>
    /// Per code body of another module (a LINQ or <c>Lazy</c> method) and selected method: the lambdas and local
    /// functions of the selected method the JIT inlined into that body, as its inlining events name them
    /// (tier 1 inlines a lambda where its delegate is invoked: no frame of it is left).
    /// </summary>
    /// <param name="trace">The trace, with its inlining events.</param>
    /// <param name="lambdaByName">The selected methods' lambdas and local functions, by their metadata type and name.</param>
    /// <param name="selectedIndexByMethodId">Per traced method, the selected method its code belongs to, or -1.</param>
    private static Dictionary<(int CodeId, int Selected), int[]> LambdasInlinedIntoForeignCode(
        IAllocationTrace trace, Dictionary<(string TypeKey, string MethodName), (int Selected, int Token)> lambdaByName, int[] selectedIndexByMethodId)
    {
        var result = new Dictionary<(int, int), int[]>();
        if (lambdaByName.Count == 0)
        {
            return result;
        }

        // At any depth: a lambda is often inlined into a helper that is inlined into the LINQ method in turn.
        // Into code of any other method, selected or not (with --all-code, Array.ConvertAll is selected too).
        ILookup<int, (int Selected, int Token)> lambdasByMethod = trace.Inlinings
            .Where(i => (uint)i.CompiledMethodId < (uint)selectedIndexByMethodId.Length)
            .Select(i => (i.CompiledMethodId, Lambda: lambdaByName.TryGetValue((ILSites.TypeKey(i.InlineeType), i.InlineeName), out var lambda) ? lambda : ((int Selected, int Token)?)null))
            .Where(i => i.Lambda is not null && i.Lambda.Value.Selected != selectedIndexByMethodId[i.CompiledMethodId])
            .ToLookup(i => i.CompiledMethodId, i => i.Lambda!.Value);
        for (int codeId = 0; codeId < trace.Code.Count; codeId++)
        {
            CompiledCode code = trace.Code[codeId];
            if (!code.IsOptimized || !lambdasByMethod.Contains(code.MethodId))
            {
                continue;
            }

            foreach (var group in lambdasByMethod[code.MethodId].GroupBy(l => l.Selected))
            {
                result[(codeId, group.Key)] = [.. group.Select(l => l.Token).Distinct()];
            }
        }

        return result;
    }
}
