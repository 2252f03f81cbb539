using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>
/// Every allocation with its whole stack, for a profile format that keeps stacks (<see cref="StackProfile"/>, pprof):
/// identical stacks of one type are added up in the pass, then each frame is given the line the tables give it.
/// Memory grows with the distinct stacks, not the events.
/// </summary>
/// <remarks>
/// A frame of the selected code gets the line <see cref="LineAttributor"/>'s frame of the same key was resolved to,
/// so the profile's lines add up to the tables' figures; frames the attributor did not keep (beyond code that runs
/// continuations) are resolved the same way afterwards.
/// </remarks>
internal sealed class StackRecorder(IAllocationTrace trace, int[] selectedIndexByMethodId) : IAllocationVisitor
{
    private readonly AllocationEventKind _eventKind = trace.Summary.EventKind;

    // What each stack allocated that is still alive at the end, when the trace follows objects through the GCs.
    private readonly ObjectLifetimes? _lifetimes = trace.Summary.FollowsLifetimes ? new ObjectLifetimes() : null;

    // Each stack as [type, (method, code, return offset) per frame, innermost first].
    private readonly SequenceTable _stacks = new();
    private readonly List<(double Objects, double Bytes)> _totals = [];
    private int[] _scratch = new int[64];

    public bool FollowsObjects => _lifetimes is not null;

    public void OnGCHeapSizes(double timeMSec, int count, long heapBytesBefore, long heapBytesAfter)
    {
    }

    public void OnGCStart(double timeMSec, int count, int condemnedGeneration, GCType kind, int threadId, bool byAllocation) =>
        _lifetimes?.OnGCStart(count, condemnedGeneration, kind);

    public void OnGenerationRange(int generation, ulong start, ulong length) => _lifetimes?.OnGenerationRange(generation, start, length);

    public void OnSurvivingRange(ulong start, ulong length) => _lifetimes?.OnSurvivingRange(start, length);

    public void OnMovedRange(ulong oldStart, ulong newStart, ulong length) => _lifetimes?.OnMovedRange(oldStart, newStart, length);

    public void OnRanges(GCRanges ranges) => _lifetimes?.OnRanges(ranges);

    public void OnGCEnd(double timeMSec, int count, int condemnedGeneration) => _lifetimes?.OnGCEnd(timeMSec, count);

    public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames)
    {
        int length = 1 + 3 * frames.Length;
        if (_scratch.Length < length)
        {
            Array.Resize(ref _scratch, Math.Max(length, _scratch.Length * 2));
        }

        _scratch[0] = allocation.TypeId;
        for (int i = 0; i < frames.Length; i++)
        {
            _scratch[1 + 3 * i] = frames[i].MethodId;
            _scratch[2 + 3 * i] = frames[i].CodeId;
            _scratch[3 + 3 * i] = frames[i].ReturnOffset;
        }

        int stack = _stacks.Intern(_scratch.AsSpan(0, length));
        if (stack == _totals.Count)
        {
            _totals.Add((0, 0));
        }

        double bytes = EventWeight.Of(_eventKind, allocation);
        double objects = EventWeight.Objects(_eventKind, bytes, allocation.ObjectSize, allocation.ObjectCount);
        (double o, double b) = _totals[stack];
        _totals[stack] = (o + objects, b + bytes);
        _lifetimes?.Track(allocation.Address, allocation.Heap, stack, allocation.ObjectSize, allocation.SampledByteOffset, allocation.ObjectCount, allocation.TypeId);
    }

    /// <summary>Per stack, the objects and bytes still alive at the end (survived every GC that collected them, and one at least), as the tables' Live at end.</summary>
    private (double Objects, double Bytes)[]? LiveAtEnd()
    {
        if (_lifetimes is null)
        {
            return null;
        }

        var live = new (double Objects, double Bytes)[_totals.Count];
        foreach (LiveSpan span in _lifetimes.Remaining().Where(s => s.ToGC >= s.FromGC))
        {
            double bytes = EventWeight.Of(_eventKind, span);
            double objects = EventWeight.Objects(_eventKind, bytes, span.ObjectSize, span.ObjectCount);
            live[span.Owner] = (live[span.Owner].Objects + objects, live[span.Owner].Bytes + bytes);
        }

        return live;
    }

    /// <summary>The profile, each frame of the selected code on the line the tables charge.</summary>
    /// <param name="methods">The selected methods, by selected index.</param>
    /// <param name="symbolsOf">Per selected method, its module's symbols; null without.</param>
    /// <param name="lineOfKey">The line the attributor resolved a frame key to; null for a key it did not see.</param>
    /// <param name="resolve">Resolves frame keys the attributor did not see (with their object sizes), as it resolved its own.</param>
    /// <param name="foreignInlining">
    /// Per code id of other code and the method its frame called (-1 for none), the selected methods whose lambdas the
    /// JIT inlined into it or tail-called that method; null for none.
    /// </param>
    public StackProfile Build(IReadOnlyList<MethodIdentity> methods, IReadOnlyList<ModuleSymbols?> symbolsOf, Func<FrameKey, FrameLine?> lineOfKey,
        Func<IReadOnlyList<FrameKey>, IReadOnlyList<(long Min, long Max)>, FrameLine[]> resolve, Func<int, int, int[]?> foreignInlining)
    {
        Dictionary<FrameKey, FrameLine> lines = ResolveUnseen(lineOfKey, resolve);
        FrameLine LineOf(FrameKey key) => lineOfKey(key) ?? lines.GetValueOrDefault(key, FrameLine.None);

        var functions = new List<ProfiledFunction>();
        var functionIds = new Dictionary<(int Selected, int MethodId), int>();
        int FunctionOf(int methodId) => FunctionFor(SelectedOf(methodId), methodId);
        int FunctionFor(int selected, int methodId)
        {
            var key = selected >= 0 ? (selected, -1) : (-1, methodId);
            if (!functionIds.TryGetValue(key, out int id))
            {
                id = functions.Count;
                functions.Add(selected >= 0 ? UserFunction(methods[selected], symbolsOf[selected]) : OtherFunction(methodId));
                functionIds[key] = id;
            }

            return id;
        }

        (double Objects, double Bytes)[]? liveAtEnd = LiveAtEnd();
        var locationTable = new SequenceTable();
        var locations = new List<ProfiledLocation>();
        var samples = new List<ProfiledSample>(_stacks.Count);
        var lineEntries = new List<int>();
        var locationIds = new List<int>();
        var deeperLines = new HashSet<int>(); // selected methods with a statement executing deeper in the stack
        for (int stack = 0; stack < _stacks.Count; stack++)
        {
            ReadOnlySpan<int> entry = _stacks[stack];
            int typeId = entry[0];
            int frameCount = (entry.Length - 1) / 3;
            locationIds.Clear();
            deeperLines.Clear();
            for (int i = 0; i < frameCount; i++)
            {
                StackFrame frame = FrameAt(entry, i);
                if (frame.CodeId < 0)
                {
                    continue; // native code: the runtime's helpers
                }

                lineEntries.Clear();
                int selected = SelectedOf(frame.MethodId);
                int function = FunctionOf(frame.MethodId);
                if (selected >= 0)
                {
                    FrameLine line = LineOf(KeyAt(entry, i));
                    // A line the tables charge only when no statement of the method runs deeper (a state machine's
                    // kickoff, compiler plumbing): here too, or the method's figures would count it twice.
                    bool charged = line.Line > 0 || (line.Line < 0 && !deeperLines.Contains(selected));
                    charged &= !(line.DefersToDeeper && deeperLines.Contains(selected));
                    if (line.IsInlinedElsewhere)
                    {
                        // Another selected method's code inlined at this call (an iterator's MoveNext in a foreach): its line, inlined here.
                        lineEntries.Add(FunctionFor(line.InlinedElsewhere.Selected, -1));
                        lineEntries.Add(line.InlinedElsewhere.Line);
                    }

                    if (line.InlinedLine > 0)
                    {
                        lineEntries.Add(function);
                        lineEntries.Add(line.InlinedLine);
                    }

                    lineEntries.Add(function);
                    lineEntries.Add(charged ? Math.Abs(line.Line) : 0);
                    if (charged || line.InlinedLine > 0)
                    {
                        deeperLines.Add(selected);
                    }
                }
                else
                {
                    // A lambda of a method on this stack that the JIT inlined into this (library) code: its line, inlined here.
                    foreach (int inlining in foreignInlining(frame.CodeId, i == 0 ? -1 : FrameAt(entry, i - 1).MethodId) ?? [])
                    {
                        if (OnStack(entry, inlining, frameCount))
                        {
                            int calleeAsType = i == 0 ? typeId : FrameKey.CalleeAsTypeId(FrameAt(entry, i - 1).MethodId);
                            if (LineOf(FrameKey.Foreign(frame.CodeId, frame.ReturnOffset, calleeAsType, inlining)).Line is int lambdaLine and > 0)
                            {
                                lineEntries.Add(FunctionFor(inlining, -1));
                                lineEntries.Add(lambdaLine);
                            }
                        }
                    }

                    lineEntries.Add(function);
                    lineEntries.Add(0);
                }

                int location = locationTable.Intern(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(lineEntries));
                if (location == locations.Count)
                {
                    locations.Add(new ProfiledLocation([.. Enumerable.Range(0, lineEntries.Count / 2).Select(l => new ProfiledLine(lineEntries[2 * l], lineEntries[2 * l + 1]))]));
                }

                locationIds.Add(location);
            }

            string typeName = typeId >= 0 && typeId < trace.TypeNames.Count ? trace.TypeNames[typeId] : "";
            samples.Add(new ProfiledSample([.. locationIds], _totals[stack].Objects, _totals[stack].Bytes, typeName)
            {
                LiveObjects = liveAtEnd?[stack].Objects ?? 0,
                LiveBytes = liveAtEnd?[stack].Bytes ?? 0,
            });
        }

        return new StackProfile(functions, locations, samples, HasLiveFigures: liveAtEnd is not null, _eventKind switch
        {
            AllocationEventKind.Exact => "exact",
            AllocationEventKind.AllocationTick => "tick",
            _ => "sampled",
        }, _eventKind switch
        {
            AllocationEventKind.Exact => 1,
            _ => (long)Math.Round(1 / Estimation.AllocationEstimator.SamplingProbability),
        })
        {
            StartedUtc = trace.Summary.StartedUtc,
        };
    }

    /// <summary>The frames of the selected code the attributor never saw (past a continuation runner), resolved now.</summary>
    private Dictionary<FrameKey, FrameLine> ResolveUnseen(Func<FrameKey, FrameLine?> lineOfKey, Func<IReadOnlyList<FrameKey>, IReadOnlyList<(long Min, long Max)>, FrameLine[]> resolve)
    {
        var unseen = new List<FrameKey>();
        var seen = new HashSet<FrameKey>();
        for (int stack = 0; stack < _stacks.Count; stack++)
        {
            ReadOnlySpan<int> entry = _stacks[stack];
            for (int i = 0; i < (entry.Length - 1) / 3; i++)
            {
                StackFrame frame = FrameAt(entry, i);
                if (frame.CodeId >= 0 && SelectedOf(frame.MethodId) >= 0)
                {
                    FrameKey key = KeyAt(entry, i);
                    if (lineOfKey(key) is null && seen.Add(key))
                    {
                        unseen.Add(key);
                    }
                }
            }
        }

        if (unseen.Count == 0)
        {
            return [];
        }

        FrameLine[] resolved = resolve(unseen, [.. unseen.Select(_ => (long.MaxValue, -1L))]);
        return unseen.Select((key, i) => (key, resolved[i])).ToDictionary(p => p.key, p => p.Item2);
    }

    /// <summary>The key the line attributor gave frame <paramref name="i"/> of a stored stack (its type first).</summary>
    private static FrameKey KeyAt(ReadOnlySpan<int> entry, int i) => FrameKey.Of(FrameAt(entry, i), i == 0 ? null : FrameAt(entry, i - 1), entry[0]);

    private static StackFrame FrameAt(ReadOnlySpan<int> entry, int i) => new(entry[1 + 3 * i], entry[2 + 3 * i], entry[3 + 3 * i]);

    private int SelectedOf(int methodId) => (uint)methodId < (uint)selectedIndexByMethodId.Length ? selectedIndexByMethodId[methodId] : -1;

    private bool OnStack(ReadOnlySpan<int> entry, int selected, int frameCount)
    {
        for (int i = 0; i < frameCount; i++)
        {
            if (SelectedOf(entry[1 + 3 * i]) == selected)
            {
                return true;
            }
        }

        return false;
    }

    private static ProfiledFunction UserFunction(MethodIdentity method, ModuleSymbols? symbols)
    {
        MethodSourceSpan? span = symbols?.GetMethodSpan(method.Token);
        // No parameters in the name: pprof cuts a name at its first parenthesis when it also has brackets (int[][]).
        return new ProfiledFunction(method.UserFullName, method.DisplayName, span?.FilePath, span?.FirstLine ?? 0);
    }

    private ProfiledFunction OtherFunction(int methodId)
    {
        if ((uint)methodId >= (uint)trace.Methods.Count)
        {
            return new ProfiledFunction("(unknown method)", "", null, 0);
        }

        TracedMethod method = trace.Methods[methodId];
        string name = method.TypeName.Length > 0 && method.MethodName.Length > 0 ? $"{method.TypeName.Replace('+', '.')}.{method.MethodName}" : method.TraceName;
        return new ProfiledFunction(name, method.TraceName, null, 0);
    }
}
