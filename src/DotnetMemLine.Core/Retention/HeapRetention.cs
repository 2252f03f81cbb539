using System.Diagnostics;
using System.Text;
using DotnetMemLine.Collection;
using DotnetMemLine.Estimation;
using DotnetMemLine.Reporting;
using Microsoft.Diagnostics.Runtime;

namespace DotnetMemLine.Retention;

/// <summary>
/// Who holds what the lines kept alive (<c>--retention</c>): attaches to the live target with ClrMD, suspending it only
/// for the heap walk, finds each sampled object still alive at its tracked address (its type checked against the
/// trace's), and walks the object graph breadth-first from the GC roots until every one is reached, so each gets a
/// shortest path from a root. Paths are grouped per line by their root and the types along them.
/// </summary>
public static class HeapRetention
{
    private const int PathsPerLine = 3;

    /// <summary>
    /// What the walk found: per (method index, line), the paths most bytes first, the bytes held by paths past those, and
    /// the bytes of survivors it did not find held (moved or freed since the last GC); and the sought objects a root reaches.
    /// </summary>
    public sealed record Findings(
        RetentionSummary Summary,
        IReadOnlyDictionary<(int Method, int Line), IReadOnlyList<RetentionPath>> Paths,
        IReadOnlyDictionary<(int Method, int Line), double> OtherPathsBytes,
        IReadOnlyDictionary<(int Method, int Line), double> NotFoundBytes)
    {
        /// <summary>The sought objects found at their address that a GC root reaches: alive when the heap was walked.</summary>
        public IReadOnlySet<ulong> Reachable { get; init; } = new HashSet<ulong>();
    }

    /// <summary>Finds the roots that hold <paramref name="objects"/> in process <paramref name="processId"/>.</summary>
    /// <param name="processId">The live target.</param>
    /// <param name="objects">The sampled objects to find.</param>
    /// <param name="atExit">
    /// The program is held at its exit (<c>run</c>): a found object no root reaches simply died, and is not reported as
    /// missing. After <c>collect</c>'s final GC such a survivor was freed since, and is.
    /// </param>
    /// <param name="cancellationToken">Stops the walk (a second Ctrl+C); the target is resumed and detached on the way out.</param>
    public static Findings Find(int processId, IReadOnlyList<LiveObject> objects, bool atExit = false, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using DataTarget target = DataTarget.AttachToProcess(processId, suspend: true);
            clock.Restart();
            ClrInfo? clr = target.ClrVersions.FirstOrDefault();
            if (clr is null)
            {
                return Failed(objects, $"process {processId} has no .NET runtime ClrMD can read");
            }

            using ClrRuntime runtime = ClrRuntimes.Create(clr);
            ClrHeap heap = runtime.Heap;
            if (!heap.CanWalkHeap)
            {
                return Failed(objects, "the heap could not be walked (a GC was under way when the target was suspended)");
            }

            Findings findings = Walk(runtime, heap, objects, atExit, cancellationToken);
            if (!IsAlive(processId))
            {
                return Failed(objects, $"process {processId} exited during the walk");
            }

            return findings with { Summary = findings.Summary with { SuspendedSeconds = clock.Elapsed.TotalSeconds } };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever reading a live, possibly dying, process throws: the tables are printed all the same.
            return Failed(objects, $"could not inspect process {processId}: {FirstLine(ex.Message)}");
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static Findings Walk(ClrRuntime runtime, ClrHeap heap, IReadOnlyList<LiveObject> objects, bool atExit, CancellationToken cancellationToken)
    {
        // The objects to reach: found at their address, of their type.
        var sought = new HashSet<ulong>();
        var found = new HashSet<ulong>();
        foreach (LiveObject o in objects)
        {
            if (sought.Add(o.Address))
            {
                ClrObject obj = heap.GetObject(o.Address);
                if (obj.IsValid && obj.Type is { } type && (o.TypeHandle == 0 || type.MethodTable == o.TypeHandle))
                {
                    found.Add(o.Address);
                }
            }
        }

        Dictionary<ulong, string> staticNames = StaticFieldValues(runtime);
        var parent = new Dictionary<ulong, ulong>();
        var rootOf = new Dictionary<ulong, string>();
        var queue = new Queue<ulong>();
        foreach (ClrRoot root in heap.EnumerateRoots())
        {
            ulong address = root.Object.Address;
            if (address != 0 && rootOf.TryAdd(address, RootName(root, staticNames)))
            {
                queue.Enqueue(address);
            }
        }

        int reached = found.Count(rootOf.ContainsKey);
        while (queue.Count > 0 && reached < found.Count)
        {
            if ((queue.Count & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            ulong current = queue.Dequeue();
            ClrObject obj = heap.GetObject(current);
            if (!obj.IsValid)
            {
                continue;
            }

            foreach (ulong child in obj.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
            {
                if (child != 0 && !rootOf.ContainsKey(child) && parent.TryAdd(child, current))
                {
                    queue.Enqueue(child);
                    if (found.Contains(child))
                    {
                        reached++;
                    }
                }
            }
        }

        var paths = new Dictionary<(int, int), Dictionary<string, (double Bytes, int Objects)>>();
        var notFound = new Dictionary<(int, int), double>();
        var pathOf = new Dictionary<ulong, string?>();
        int foundCount = 0;
        foreach (LiveObject o in objects)
        {
            if (!pathOf.TryGetValue(o.Address, out string? path))
            {
                path = found.Contains(o.Address) ? PathTo(o.Address, heap, parent, rootOf, staticNames) : null;
                pathOf[o.Address] = path;
                foundCount += found.Contains(o.Address) ? 1 : 0;
            }

            var key = (o.Method, o.Line);
            if (path is null)
            {
                // Only a survivor's absence needs explaining: at the program's exit, or for one no GC had seen, an object
                // found that nothing reaches simply died.
                if (o.SurvivedAGC && !(atExit && found.Contains(o.Address)))
                {
                    notFound[key] = notFound.GetValueOrDefault(key) + o.Bytes;
                }

                continue;
            }

            if (!paths.TryGetValue(key, out var byPath))
            {
                byPath = [];
                paths[key] = byPath;
            }

            (double bytes, int count) = byPath.GetValueOrDefault(path);
            byPath[path] = (bytes + o.Bytes, count + 1);
        }

        var shown = new Dictionary<(int, int), IReadOnlyList<RetentionPath>>();
        var otherPaths = new Dictionary<(int, int), double>();
        foreach ((var key, var byPath) in paths)
        {
            RetentionPath[] ranked = [.. byPath.Select(e => new RetentionPath(e.Key, e.Value.Bytes, e.Value.Objects)).OrderByDescending(p => p.Bytes)];
            shown[key] = ranked[..Math.Min(PathsPerLine, ranked.Length)];
            if (ranked.Length > PathsPerLine)
            {
                otherPaths[key] = ranked[PathsPerLine..].Sum(p => p.Bytes);
            }
        }

        return new Findings(new RetentionSummary(0, sought.Count, foundCount), shown, otherPaths, notFound)
        {
            Reachable = pathOf.Where(p => p.Value is not null).Select(p => p.Key).ToHashSet(),
        };
    }

    /// <summary>
    /// The root and the types from it down to the object; null when no root reaches it (it died after the final GC). A static
    /// field's value starts the path with the field's name: the runtime keeps statics in arrays its handles hold, which say
    /// nothing to the reader.
    /// </summary>
    private static string? PathTo(ulong address, ClrHeap heap, Dictionary<ulong, ulong> parent, Dictionary<ulong, string> rootOf, Dictionary<ulong, string> staticNames)
    {
        var types = new List<string>();
        ulong current = address;
        while (true)
        {
            types.Add(CSharpNames.TypeName(OneLine(heap.GetObjectType(current)?.Name ?? "?")));
            if (staticNames.TryGetValue(current, out string? root) || rootOf.TryGetValue(current, out root))
            {
                types.Reverse();
                return root + " -> " + Collapse(types);
            }

            if (!parent.TryGetValue(current, out current))
            {
                return null;
            }
        }
    }

    /// <summary>Runs of one type (a linked list, nested nodes) written once with their length: "Node x1000".</summary>
    private static string Collapse(List<string> types)
    {
        var text = new StringBuilder();
        for (int i = 0; i < types.Count;)
        {
            int run = 1;
            while (i + run < types.Count && types[i + run] == types[i])
            {
                run++;
            }

            text.Append(text.Length > 0 ? " -> " : "").Append(types[i]);
            if (run > 1)
            {
                text.Append(" x").Append(run);
            }

            i += run;
        }

        return text.ToString();
    }

    /// <summary>The value of every static reference field of every loaded type, by object address: "static Ns.Type.s_field".</summary>
    private static Dictionary<ulong, string> StaticFieldValues(ClrRuntime runtime)
    {
        var names = new Dictionary<ulong, string>();
        foreach (ClrModule module in runtime.EnumerateModules())
        {
            foreach (ClrType type in module.EnumerateTypesWithStaticFields())
            {
                foreach (ClrStaticField field in type.StaticFields.Where(f => f.IsObjectReference))
                {
                    foreach (ClrAppDomain domain in runtime.AppDomains)
                    {
                        ulong value = field.IsInitialized(domain) ? field.ReadObject(domain).Address : 0;
                        if (value != 0)
                        {
                            names.TryAdd(value, OneLine($"static {type.Name}.{field.Name}"));
                        }
                    }
                }
            }
        }

        return names;
    }

    private static string RootName(ClrRoot root, Dictionary<ulong, string> staticNames) =>
        staticNames.TryGetValue(root.Object.Address, out string? name) ? name : root.RootKind switch
        {
            ClrRootKind.StaticVar => "a static field",
            ClrRootKind.ThreadStaticVar => "a thread-static field",
            ClrRootKind.Stack => "a local variable on a thread's stack",
            ClrRootKind.FinalizerQueue => "the finalizer queue",
            ClrRootKind.PinnedHandle or ClrRootKind.AsyncPinnedHandle => "a pinned GC handle",
            _ => "a GC handle",
        };

    private static Findings Failed(IReadOnlyList<LiveObject> objects, string problem) =>
        new(new RetentionSummary(0, objects.Select(o => o.Address).Distinct().Count(), 0, problem),
            new Dictionary<(int, int), IReadOnlyList<RetentionPath>>(),
            new Dictionary<(int, int), double>(),
            new Dictionary<(int, int), double>());

    // Names from the target's metadata are untrusted: a line feed in one would forge a line of the report.
    private static string OneLine(string name) => name.ReplaceLineEndings("\uFFFD");

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}

/// <summary>Puts what the heap walk found into the report.</summary>
public static class RetentionReport
{
    /// <summary>The report with each line's retention paths and the walk's summary.</summary>
    /// <param name="report">The analysis' report, with the <see cref="ProfileReport.LiveObjects"/> that were sought.</param>
    /// <param name="findings">What the walk found.</param>
    /// <param name="liveAtEndFromWalk">
    /// No full GC ended the recording (<c>run</c>: the program's runtime ends the session before it can be asked for one), so
    /// Live at end is taken from the walk instead: the sampled objects a root still reached, those allocated after the last
    /// GC included.
    /// </param>
    public static ProfileReport With(ProfileReport report, HeapRetention.Findings findings, bool liveAtEndFromWalk = false)
    {
        bool walked = findings.Summary.Problem is null;
        return report with
        {
            Retention = findings.Summary,
            LiveObjects = [],
            Methods = [.. report.Methods.Select((method, index) =>
            {
                MethodReport withPaths = method with
                {
                    Lines = [.. method.Lines.Select(line => line with
                    {
                        RetainedBy = findings.Paths.GetValueOrDefault((index, line.Line)) ?? [],
                        RetentionOtherPathsBytes = findings.OtherPathsBytes.GetValueOrDefault((index, line.Line)),
                        RetentionNotFoundBytes = findings.NotFoundBytes.GetValueOrDefault((index, line.Line)),
                    })],
                };
                return liveAtEndFromWalk && walked && report.FollowsLifetimes ? WithLiveAtEndFromWalk(report, withPaths, index, findings.Reachable) : withPaths;
            })],
        };
    }

    private static MethodReport WithLiveAtEndFromWalk(ProfileReport report, MethodReport method, int index, IReadOnlySet<ulong> reachable)
    {
        EstimatorKind estimator = report.Exact ? EstimatorKind.Exact : EstimatorKind.RandomizedSampling;
        LiveObject[] alive = [.. report.LiveObjects.Where(o => o.Method == index && reachable.Contains(o.Address))];
        var byLine = alive.GroupBy(o => o.Line).ToDictionary(g => g.Key, g => Estimate(g, estimator));
        EstimateReport? total = alive.Length > 0 ? Estimate(alive.DistinctBy(o => o.Address), estimator) : null;

        // The walk is one more moment at which what each line held was seen: Peak live is at least that.
        return method with
        {
            TotalLiveAtEnd = total,
            TotalPeakLive = Larger(method.TotalPeakLive, total),
            Lines = [.. method.Lines.Select(line => line with
            {
                LiveAtEnd = byLine.GetValueOrDefault(line.Line),
                PeakLive = Larger(line.PeakLive, byLine.GetValueOrDefault(line.Line)),
            })],
            Notes = [.. method.Notes.Where(n => n is not (NoFinalGCNote or NoGCWhileItHeldNote)), new LiveAtEndFromHeapWalkNote()],
        };
    }

    private static EstimateReport? Larger(EstimateReport? a, EstimateReport? b) => a is null ? b : b is null || a.Bytes >= b.Bytes ? a : b;

    private static EstimateReport Estimate(IEnumerable<LiveObject> objects, EstimatorKind estimator)
    {
        var tally = new SampleTally();
        foreach (LiveObject o in objects)
        {
            if (estimator == EstimatorKind.Exact)
            {
                tally.AddExact(o.Sample.ObjectSize, o.Sample.ObjectCount);
            }
            else
            {
                tally.AddSampled(o.Sample.ObjectSize, o.Sample.SampledByteOffset);
            }
        }

        AllocationEstimate estimate = AllocationEstimator.Estimate(tally, estimator);
        return new EstimateReport(estimate.Bytes, estimate.LowBytes, estimate.HighBytes, estimate.Samples, estimate.Objects, estimate.LowConfidence);
    }
}
