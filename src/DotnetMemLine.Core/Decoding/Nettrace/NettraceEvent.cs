namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>One decoded runtime event, valid only during the handler call that receives it.</summary>
internal readonly ref struct NettraceEvent
{
    public NettraceEvent(ClrEvent kind, int version, long timeStamp, long threadId, int stackId, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> stack, int pointerSize)
    {
        Kind = kind;
        TimeStamp = timeStamp;
        ThreadId = threadId;
        StackId = stackId;
        Stack = stack;
        Payload = new ClrPayload(payload, version, pointerSize);
    }

    public ClrEvent Kind { get; }

    /// <summary>The event's QPC timestamp.</summary>
    public long TimeStamp { get; }

    /// <summary>The OS thread the event describes.</summary>
    public long ThreadId { get; }

    /// <summary>The stack's id, meaningful until the next <see cref="INettraceEventHandler.OnStacksForgotten"/>.</summary>
    public int StackId { get; }

    /// <summary>Return addresses, innermost first, of the trace's pointer size; empty when the event has no stack.</summary>
    public ReadOnlySpan<byte> Stack { get; }

    public ClrPayload Payload { get; }
}

/// <summary>Receives the events a <see cref="NettraceReader"/> pass asked for.</summary>
internal interface INettraceEventHandler
{
    void OnEvent(in NettraceEvent ev);

    /// <summary>A sequence point: stack ids seen so far will not be referred to again (and may be reused).</summary>
    void OnStacksForgotten();
}

/// <summary>What one pass over the file found besides the events.</summary>
/// <param name="DroppedEvents">Events the runtime dropped, from gaps in per-thread sequence numbers, counted as TraceEvent counts them.</param>
/// <param name="LastTimeStamp">The latest event timestamp (QPC); 0 without events.</param>
/// <param name="Problem">Why the pass stopped before the end of the stream, as a warning sentence; null when it read it whole.</param>
/// <param name="EventsRead">Events of every kind that were read (with <paramref name="DroppedEvents"/>, the share lost).</param>
internal sealed record NettraceReadResult(long DroppedEvents, long LastTimeStamp, string? Problem, long EventsRead = 0);
