using DotnetMemLine.Decoding.Nettrace;

namespace DotnetMemLine.Decoding;

/// <summary>
/// Puts back the callers an allocation's stack lost to an <c>await</c> or to a hand-off to another thread,
/// from the TPL's causality events (TplEventSource, keywords AsyncCausalityOperation and
/// AsyncCausalitySynchronousWork): an async method that resumes after a real suspension runs from the
/// thread pool with only its own frames on the stack, and a <c>Task.Run</c> delegate runs with none of the
/// code that queued it. The allocation's logical stack is its own frames, up to where the thread began
/// running the task, followed by the frames that were on the stack when the task was created (at an async
/// method's first suspension: its callers; for a queued delegate: the code that queued it), and so on up
/// the chain of tasks.
/// </summary>
/// <remarks>
/// The runtime writes, per task, <c>TraceOperationBegin</c> when it creates it (an async method's task
/// at its first suspension) and, per thread, <c>TraceSynchronousWorkBegin/End</c> around each stretch of
/// the task's code it runs (each resumption of an async method, a queued delegate's run, a completed
/// task's continuations). All carry stacks, so the decoder needs neither activity ids (EventPipe's TPL
/// events carry none on .NET 10) nor method names beyond the runtime's own plumbing. Memory holds one
/// node per task alive and one bracket per running stretch; a task's node is dropped when it ends.
/// </remarks>
internal sealed class AsyncCausality
{
    /// <summary>A chain longer than this (an unbounded recursion of tasks) is cut: its oldest callers are left out.</summary>
    private const int MaxChainLength = 64;

    /// <summary>Beyond this many frames the runtime may have cut a stack short, so it says nothing of stale brackets.</summary>
    private const int TrustedStackDepth = 90;

    private readonly bool[] _isPlumbing;
    private readonly bool[] _isCompilerServices;
    private readonly bool[] _isEventWriter;
    private readonly bool[] _isMoveNext;
    private readonly Dictionary<int, CauseNode?> _nodeByTask = [];
    private readonly Dictionary<int, ThreadBrackets> _threads = [];
    private StackFrame[] _logical = new StackFrame[256];

    public AsyncCausality(IReadOnlyList<TracedMethod> methods)
    {
        _isPlumbing = new bool[methods.Count];
        _isCompilerServices = new bool[methods.Count];
        _isEventWriter = new bool[methods.Count];
        _isMoveNext = new bool[methods.Count];
        for (int id = 0; id < methods.Count; id++)
        {
            string type = methods[id].TypeName;
            _isEventWriter[id] = type.StartsWith("System.Diagnostics.Tracing.", StringComparison.Ordinal)
                || type is "System.Threading.Tasks.TplEventSource" or "System.Threading.Tasks.AsyncCausalityTracer";
            _isCompilerServices[id] = type.StartsWith("System.Runtime.CompilerServices.", StringComparison.Ordinal);
            _isPlumbing[id] = _isEventWriter[id] || _isCompilerServices[id]
                || type.StartsWith("System.Threading.Tasks.", StringComparison.Ordinal)
                || type.StartsWith("System.Linq.Parallel.", StringComparison.Ordinal);
            _isMoveNext[id] = methods[id].MethodName == "MoveNext";
        }
    }

    /// <summary>Some causality event was read: the trace was recorded with the TPL's causality keywords.</summary>
    public bool Seen { get; private set; }

    /// <summary>
    /// A task was created on <paramref name="thread"/> with these frames on the stack: what it later runs
    /// is charged to them (and to what caused the code that created it).
    /// </summary>
    public void OnTaskCreated(int thread, int taskId, TaskOrigin origin, ReadOnlySpan<StackFrame> frames)
    {
        Seen = true;
        int start = CauseStart(frames, origin);
        ThreadBrackets? brackets = _threads.GetValueOrDefault(thread);
        Bracket? running = brackets?.InnermostWithCause;
        ReadOnlySpan<StackFrame> cause = frames[start..];
        if (running is { } bracket)
        {
            // What was on the stack before the thread began the running task is not this task's cause: the
            // running task's own cause stands for it.
            cause = cause[..(cause.Length - CommonSuffix(cause, brackets!.BaseOf(bracket)))];
        }

        CauseNode? parent = running?.Cause;
        bool handOff = origin == TaskOrigin.QueuedDelegate;
        if (cause.IsEmpty && !handOff)
        {
            _nodeByTask[taskId] = parent;
            return;
        }

        _nodeByTask[taskId] = new CauseNode(cause.ToArray(), parent, handOff, thread, (parent?.ChainLength ?? 0) + 1);
    }

    /// <summary>The task ended: nothing more runs on its behalf once its last stretch is over.</summary>
    public void OnTaskEnded(int taskId)
    {
        Seen = true;
        _nodeByTask.Remove(taskId);
    }

    /// <summary><paramref name="thread"/> begins running code of task <paramref name="taskId"/>; <paramref name="frames"/> is the stack it began on.</summary>
    public void OnWorkBegin(int thread, int taskId, ReadOnlySpan<StackFrame> frames)
    {
        Seen = true;
        if (!_threads.TryGetValue(thread, out ThreadBrackets? brackets))
        {
            brackets = new ThreadBrackets();
            _threads[thread] = brackets;
        }

        // The frames already on the stack: past the event's writer and the runtime frame that called it.
        int skip = 0;
        while (skip < frames.Length && IsEventWriter(frames[skip]))
        {
            skip++;
        }

        ReadOnlySpan<StackFrame> onStack = frames[Math.Min(frames.Length, skip + 1)..];

        // A bracket whose end was lost (dropped events) is not under this one: the stack says so.
        while (brackets.Top is { } top && frames.Length < TrustedStackDepth && CommonSuffix(onStack, brackets.BaseOf(top)) < top.BaseLength)
        {
            brackets.Pop();
        }

        brackets.Push(_nodeByTask.GetValueOrDefault(taskId), onStack);
    }

    /// <summary>The innermost stretch of task code running on <paramref name="thread"/> is over.</summary>
    public void OnWorkEnd(int thread)
    {
        Seen = true;
        if (_threads.TryGetValue(thread, out ThreadBrackets? brackets))
        {
            brackets.Pop();
        }
    }

    /// <summary>
    /// The logical stack of an event on <paramref name="thread"/> with these physical frames (innermost first):
    /// the frames themselves when the thread runs no task whose cause is known; else its frames up to where the
    /// thread began the task, then the task's cause. Valid until the next call.
    /// </summary>
    /// <param name="inheritedFrom">The index of the first frame that was not on the thread's stack; <see cref="int.MaxValue"/> for none.</param>
    /// <param name="handedOffFrom">The index of the first frame of code that handed the work to this thread; <see cref="int.MaxValue"/> for none.</param>
    /// <param name="physical">The event's own frames.</param>
    /// <param name="thread">The thread the event happened on.</param>
    public ReadOnlySpan<StackFrame> Logical(int thread, ReadOnlySpan<StackFrame> physical, out int inheritedFrom, out int handedOffFrom)
    {
        inheritedFrom = int.MaxValue;
        handedOffFrom = int.MaxValue;
        if (!_threads.TryGetValue(thread, out ThreadBrackets? brackets) || brackets.InnermostWithCause is not { Cause: { } cause } top)
        {
            return physical;
        }

        int own = physical.Length - CommonSuffix(physical, brackets.BaseOf(top));
        int used = 0;
        Append(ref used, physical[..own]);
        inheritedFrom = used;
        for (CauseNode? node = cause; node is not null; node = node.Parent)
        {
            if (node.IsHandOff && node.Thread != thread && handedOffFrom == int.MaxValue)
            {
                handedOffFrom = used;
            }

            Append(ref used, node.Frames);
        }

        return _logical.AsSpan(0, used);
    }

    private void Append(ref int used, ReadOnlySpan<StackFrame> frames)
    {
        if (used + frames.Length > _logical.Length)
        {
            Array.Resize(ref _logical, Math.Max(used + frames.Length, _logical.Length * 2));
        }

        frames.CopyTo(_logical.AsSpan(used));
        used += frames.Length;
    }

    /// <summary>
    /// Where a new task's cause begins in its creation stack: past the event's writer and the TPL's own frames;
    /// for an async method's task, past the method itself too (its resumptions show it on their own stacks).
    /// </summary>
    private int CauseStart(ReadOnlySpan<StackFrame> frames, TaskOrigin origin)
    {
        if (origin == TaskOrigin.AsyncMethod)
        {
            for (int i = 0; i < frames.Length; i++)
            {
                int id = frames[i].MethodId;
                if ((uint)id < (uint)_isMoveNext.Length && _isMoveNext[id] && !_isCompilerServices[id] && !_isEventWriter[id])
                {
                    return i + 1;
                }
            }
        }

        int start = 0;
        while (start < frames.Length && (uint)frames[start].MethodId < (uint)_isPlumbing.Length && _isPlumbing[frames[start].MethodId])
        {
            start++;
        }

        return start;
    }

    private bool IsEventWriter(StackFrame frame) => (uint)frame.MethodId < (uint)_isEventWriter.Length && _isEventWriter[frame.MethodId];

    /// <summary>How many outermost frames two stacks share (innermost first, so compared from their ends).</summary>
    private static int CommonSuffix(ReadOnlySpan<StackFrame> a, ReadOnlySpan<StackFrame> b)
    {
        int n = 0;
        while (n < a.Length && n < b.Length && a[a.Length - 1 - n] == b[b.Length - 1 - n])
        {
            n++;
        }

        return n;
    }

    /// <summary>The cause of a task: the frames on the stack when it was created, and the cause of the task that was running then.</summary>
    private sealed class CauseNode(StackFrame[] frames, CauseNode? parent, bool isHandOff, int thread, int chainLength)
    {
        public StackFrame[] Frames { get; } = frames;

        public CauseNode? Parent { get; } = chainLength > MaxChainLength ? null : parent;

        /// <summary>A delegate queued to run as a task: whoever runs it on another thread works for the creator.</summary>
        public bool IsHandOff { get; } = isHandOff;

        /// <summary>The thread the task was created on.</summary>
        public int Thread { get; } = thread;

        public int ChainLength { get; } = chainLength > MaxChainLength ? 1 : chainLength;
    }

    /// <summary>A stretch of task code a thread is running: the task's cause and the frames that were on the stack before it.</summary>
    private readonly record struct Bracket(CauseNode? Cause, int BaseStart, int BaseLength);

    /// <summary>One thread's nested stretches of task code, their base frames kept in one array used as a stack.</summary>
    private sealed class ThreadBrackets
    {
        private readonly List<Bracket> _brackets = [];
        private StackFrame[] _bases = new StackFrame[128];
        private int _basesUsed;

        public Bracket? Top => _brackets.Count == 0 ? null : _brackets[^1];

        /// <summary>
        /// The innermost stretch whose task's cause is known. One whose cause is unknown (a task run inline with
        /// <c>RunSynchronously</c>, which the TPL logs no creation for; one created before the session) changes
        /// nothing: the frames under it are still the callers of what runs in it.
        /// </summary>
        public Bracket? InnermostWithCause
        {
            get
            {
                for (int i = _brackets.Count - 1; i >= 0; i--)
                {
                    if (_brackets[i].Cause is not null)
                    {
                        return _brackets[i];
                    }
                }

                return null;
            }
        }

        public ReadOnlySpan<StackFrame> BaseOf(Bracket bracket) => _bases.AsSpan(bracket.BaseStart, bracket.BaseLength);

        public void Push(CauseNode? cause, ReadOnlySpan<StackFrame> onStack)
        {
            if (_basesUsed + onStack.Length > _bases.Length)
            {
                Array.Resize(ref _bases, Math.Max(_basesUsed + onStack.Length, _bases.Length * 2));
            }

            onStack.CopyTo(_bases.AsSpan(_basesUsed));
            _brackets.Add(new Bracket(cause, _basesUsed, onStack.Length));
            _basesUsed += onStack.Length;
        }

        public void Pop()
        {
            if (_brackets.Count > 0)
            {
                _basesUsed = _brackets[^1].BaseStart;
                _brackets.RemoveAt(_brackets.Count - 1);
            }
        }
    }
}
