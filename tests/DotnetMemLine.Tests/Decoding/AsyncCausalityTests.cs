using DotnetMemLine.Decoding;
using DotnetMemLine.Decoding.Nettrace;

namespace DotnetMemLine.Tests.Decoding;

/// <summary>
/// The logical stacks <see cref="AsyncCausality"/> builds from the TPL's causality events, on stacks shaped as
/// .NET 10 writes them (checked on recorded traces: the event's writer innermost, then the runtime frame that
/// fired it, then what was on the stack).
/// </summary>
[TestClass]
public sealed class AsyncCausalityTests
{
    private static readonly TracedMethod[] Methods =
    [
        Method("System.Diagnostics.Tracing.EventSource", "WriteEvent"),                                        // 0 event writer
        Method("System.Runtime.CompilerServices.AsyncTaskMethodBuilder`1", "AwaitUnsafeOnCompleted"),            // 1 await plumbing
        Method("App.Handler+<LoadAsync>d__1", "MoveNext"),                                                       // 2 the awaited method
        Method("System.Runtime.CompilerServices.AsyncMethodBuilderCore", "Start"),                               // 3
        Method("App.Handler+<HandleAsync>d__0", "MoveNext"),                                                     // 4 the awaiting method
        Method("App.Program", "Main"),                                                                           // 5
        Method("System.Runtime.CompilerServices.AsyncTaskMethodBuilder`1+AsyncStateMachineBox`1", "MoveNext"),   // 6 resumes a state machine
        Method("System.Threading.ThreadPoolWorkQueue", "Dispatch"),                                              // 7 a pool thread's bottom
        Method("System.Threading.Tasks.Task", "Run"),                                                            // 8 queues a delegate
        Method("App.Handler+<>c", "<HandleAsync>b__0_0"),                                                        // 9 the queued lambda
        Method("System.Threading.Tasks.Task", "ExecuteWithThreadLocal"),                                         // 10 runs a queued task
    ];

    private const int Main = 1, Pool = 2, Worker = 3;

    [TestMethod]
    public void AfterAnAwait_TheResumedMethodGetsTheCallersItHadWhenItFirstSuspended()
    {
        var causality = new AsyncCausality(Methods);
        // LoadAsync suspends for the first time, called from HandleAsync at 0x40, on the main thread.
        causality.OnTaskCreated(Main, taskId: 7, TaskOrigin.AsyncMethod, [F(0), F(1), F(2, 0x10), F(3), F(4, 0x40), F(5)]);
        // It resumes on a pool thread: the box runs it from the dispatch loop.
        causality.OnWorkBegin(Pool, taskId: 7, [F(0), F(6, 0x1), F(7, 0x9)]);

        ReadOnlySpan<StackFrame> logical = causality.Logical(Pool, [F(2, 0x20), F(6, 0x2), F(7, 0x9)], out int inheritedFrom, out int handedOffFrom);

        // Its own frames up to the pool's, then its callers (not itself again, not the pool's frames).
        CollectionAssert.AreEqual(new[] { F(2, 0x20), F(6, 0x2), F(3), F(4, 0x40), F(5) }, logical.ToArray());
        Assert.AreEqual(2, inheritedFrom);
        Assert.AreEqual(int.MaxValue, handedOffFrom);
    }

    [TestMethod]
    public void OnceTheStretchEnds_TheThreadsStacksAreTheirOwnAgain()
    {
        var causality = new AsyncCausality(Methods);
        causality.OnTaskCreated(Main, 7, TaskOrigin.AsyncMethod, [F(0), F(2, 0x10), F(4, 0x40), F(5)]);
        causality.OnWorkBegin(Pool, 7, [F(0), F(6, 0x1), F(7, 0x9)]);
        causality.OnWorkEnd(Pool);

        StackFrame[] physical = [F(9), F(7, 0x9)];
        CollectionAssert.AreEqual(physical, causality.Logical(Pool, physical, out int inheritedFrom, out _).ToArray());
        Assert.AreEqual(int.MaxValue, inheritedFrom);
    }

    [TestMethod]
    public void AQueuedDelegate_RunOnAnotherThread_IsHandedOffByTheCodeThatQueuedIt()
    {
        var causality = new AsyncCausality(Methods);
        causality.OnTaskCreated(Main, 9, TaskOrigin.QueuedDelegate, [F(0), F(8), F(4, 0x50), F(5)]);
        causality.OnWorkBegin(Worker, 9, [F(0), F(10, 0x1), F(7, 0x9)]);

        ReadOnlySpan<StackFrame> logical = causality.Logical(Worker, [F(9, 0x8), F(10, 0x2), F(7, 0x9)], out int inheritedFrom, out int handedOffFrom);

        CollectionAssert.AreEqual(new[] { F(9, 0x8), F(10, 0x2), F(4, 0x50), F(5) }, logical.ToArray());
        Assert.AreEqual(2, inheritedFrom);
        Assert.AreEqual(2, handedOffFrom);
    }

    [TestMethod]
    public void AQueuedDelegate_RunOnTheThreadThatQueuedIt_IsNotHandedOff()
    {
        var causality = new AsyncCausality(Methods);
        causality.OnTaskCreated(Main, 9, TaskOrigin.QueuedDelegate, [F(0), F(8), F(4, 0x50), F(5)]);
        causality.OnWorkBegin(Main, 9, [F(0), F(10, 0x1), F(7, 0x9)]);

        causality.Logical(Main, [F(9, 0x8), F(10, 0x2), F(7, 0x9)], out int inheritedFrom, out int handedOffFrom);

        Assert.AreEqual(2, inheritedFrom);
        Assert.AreEqual(int.MaxValue, handedOffFrom);
    }

    [TestMethod]
    public void ATaskCreatedWhileAnotherRuns_InheritsThatTasksCause()
    {
        var causality = new AsyncCausality(Methods);
        // HandleAsync suspends (task 1, called from Main), resumes on the pool, and there queues a delegate (task 2).
        causality.OnTaskCreated(Main, 1, TaskOrigin.AsyncMethod, [F(0), F(1), F(4, 0x30), F(3), F(5, 0x70)]);
        causality.OnWorkBegin(Pool, 1, [F(0), F(6, 0x1), F(7, 0x9)]);
        causality.OnTaskCreated(Pool, 2, TaskOrigin.QueuedDelegate, [F(0), F(8), F(4, 0x50), F(6, 0x2), F(7, 0x9)]);
        causality.OnWorkBegin(Worker, 2, [F(0), F(10, 0x1), F(7, 0x9)]);

        ReadOnlySpan<StackFrame> logical = causality.Logical(Worker, [F(9, 0x8), F(10, 0x2), F(7, 0x9)], out _, out int handedOffFrom);

        // The lambda, HandleAsync where it queued it (not the pool frames under it), then HandleAsync's own callers.
        CollectionAssert.AreEqual(new[] { F(9, 0x8), F(10, 0x2), F(4, 0x50), F(6, 0x2), F(3), F(5, 0x70) }, logical.ToArray());
        Assert.AreEqual(2, handedOffFrom);
    }

    [TestMethod]
    public void AStretchWhoseTaskIsUnknown_LeavesTheStackAsItIs()
    {
        // A task created before the session (or run inline, which the TPL logs no creation for).
        var causality = new AsyncCausality(Methods);
        causality.OnWorkBegin(Pool, 42, [F(0), F(6, 0x1), F(7, 0x9)]);

        StackFrame[] physical = [F(2, 0x20), F(6, 0x2), F(7, 0x9)];
        CollectionAssert.AreEqual(physical, causality.Logical(Pool, physical, out int inheritedFrom, out _).ToArray());
        Assert.AreEqual(int.MaxValue, inheritedFrom);
    }

    [TestMethod]
    public void AStretchWhoseEndWasLost_IsClosedByTheNextOneThatDoesNotNestInIt()
    {
        var causality = new AsyncCausality(Methods);
        causality.OnTaskCreated(Main, 7, TaskOrigin.AsyncMethod, [F(0), F(2, 0x10), F(4, 0x40), F(5)]);
        causality.OnWorkBegin(Pool, 7, [F(0), F(6, 0x1), F(7, 0x9)]);
        // Its end was dropped; the thread went back to the pool and began a stretch of an unrelated task from another frame.
        causality.OnWorkBegin(Pool, 99, [F(0), F(10, 0x1), F(7, 0xA)]);

        StackFrame[] physical = [F(9), F(10, 0x2), F(7, 0xA)];
        CollectionAssert.AreEqual(physical, causality.Logical(Pool, physical, out _, out _).ToArray());
    }

    [TestMethod]
    public void AnEndedTask_NoLongerCausesAnything()
    {
        var causality = new AsyncCausality(Methods);
        causality.OnTaskCreated(Main, 7, TaskOrigin.AsyncMethod, [F(0), F(2, 0x10), F(4, 0x40), F(5)]);
        causality.OnTaskEnded(7);
        causality.OnWorkBegin(Pool, 7, [F(0), F(6, 0x1), F(7, 0x9)]);

        StackFrame[] physical = [F(2, 0x20), F(6, 0x2), F(7, 0x9)];
        CollectionAssert.AreEqual(physical, causality.Logical(Pool, physical, out _, out _).ToArray());
    }

    private static TracedMethod Method(string type, string name) => new("app.dll", 0x06000001, $"{type}.{name}") { TypeName = type, MethodName = name };

    private static StackFrame F(int methodId, int returnOffset = 0) => new(methodId, methodId, returnOffset);
}
