using DotnetMemLine.Decoding;
using DotnetMemLine.Reporting;

namespace DotnetMemLine.Attribution;

/// <summary>
/// For each selected method, what its callees allocated, as a tree of call paths (a flame graph's data): each
/// allocation made while the method ran is added along the path from the method's outermost frame to the allocating
/// frame. Built in the same pass as the lines; memory grows with the distinct paths, not the events.
/// </summary>
internal sealed class CalleeTree(IAllocationTrace trace, int[] selectedIndexByMethodId, int selectedCount) : IAllocationVisitor
{
    /// <summary>Paths deeper than this are cut there: a flame graph's lower rows are too thin to read anyway.</summary>
    private const int MostDepth = 24;

    private readonly Dictionary<(int Parent, int MethodId), int> _children = [];
    private readonly List<(int Parent, int MethodId, double Bytes)> _nodes = [];
    private readonly int[] _roots = [.. Enumerable.Range(0, selectedCount).Select(_ => -1)];
    private readonly AllocationEventKind _eventKind = trace.Summary.EventKind;

    public bool FollowsObjects => false;

    public void OnGCHeapSizes(double timeMSec, int count, long heapBytesBefore, long heapBytesAfter)
    {
    }

    public void OnAllocation(in AllocationRecord allocation, ReadOnlySpan<StackFrame> frames)
    {
        double weight = EventWeight.Of(_eventKind, allocation);
        for (int selected = 0; selected < selectedCount; selected++)
        {
            // The method's outermost frame: the path below it is everything it called.
            int outermost = -1;
            for (int i = frames.Length - 1; i >= 0 && outermost < 0; i--)
            {
                int methodId = frames[i].MethodId;
                outermost = (uint)methodId < (uint)selectedIndexByMethodId.Length && selectedIndexByMethodId[methodId] == selected ? i : -1;
            }

            if (outermost < 0)
            {
                continue;
            }

            int node = _roots[selected] >= 0 ? _roots[selected] : (_roots[selected] = NewNode(-1, frames[outermost].MethodId));
            Add(node, weight);
            for (int i = outermost - 1, depth = 0; i >= 0 && depth < MostDepth; i--, depth++)
            {
                int methodId = frames[i].MethodId;
                if (methodId == _nodes[node].MethodId)
                {
                    continue; // a method's several frames (recursion, its own lambdas) are one box
                }

                if (!_children.TryGetValue((node, methodId), out int child))
                {
                    child = NewNode(node, methodId);
                    _children[(node, methodId)] = child;
                }

                node = child;
                Add(node, weight);
            }
        }
    }

    /// <summary>The tree of selected method <paramref name="selected"/>, boxes under <paramref name="smallestShare"/> of its root dropped; null when it allocated nothing.</summary>
    public CallTreeNode? Build(int selected, double smallestShare = 0.005)
    {
        if (_roots[selected] < 0)
        {
            return null;
        }

        ILookup<int, int> childrenOf = Enumerable.Range(0, _nodes.Count).ToLookup(n => _nodes[n].Parent);
        double least = _nodes[_roots[selected]].Bytes * smallestShare;
        CallTreeNode Node(int n) => new(NameOf(_nodes[n].MethodId), _nodes[n].Bytes,
            [.. childrenOf[n].Where(c => _nodes[c].Bytes >= least).OrderByDescending(c => _nodes[c].Bytes).Select(Node)]);
        return Node(_roots[selected]);
    }

    private string NameOf(int methodId) =>
        (uint)methodId < (uint)trace.Methods.Count ? CSharpNames.Readable(trace.Methods[methodId].TraceName) : "(unknown)";

    private int NewNode(int parent, int methodId)
    {
        _nodes.Add((parent, methodId, 0));
        return _nodes.Count - 1;
    }

    private void Add(int node, double bytes) => _nodes[node] = _nodes[node] with { Bytes = _nodes[node].Bytes + bytes };
}
