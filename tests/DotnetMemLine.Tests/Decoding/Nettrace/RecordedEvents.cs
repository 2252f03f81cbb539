using DotnetMemLine.Decoding.Nettrace;

namespace DotnetMemLine.Tests.Decoding.Nettrace;

/// <summary>What a reader test compares of an event: its kind, time, thread, stack length and a few payload fields.</summary>
internal sealed record Seen(ClrEvent Kind, long TimeStamp, long ThreadId, int StackBytes, string Fields);

/// <summary>Records the events a reader dispatches, as <see cref="Seen"/> rows (V5 and V6 reader tests alike).</summary>
internal sealed class Recorder : INettraceEventHandler
{
    public List<Seen> Seen { get; } = [];

    public void OnEvent(in NettraceEvent ev)
    {
        string fields = ev.Kind switch
        {
            ClrEvent.AllocationSampled => $"{ev.Payload.AllocationSampled().ObjectSize}/{ev.Payload.AllocationSampled().SampledByteOffset}",
            ClrEvent.GCHeapStats => ev.Payload.HeapSizeAfterGC().ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "",
        };
        Seen.Add(new Seen(ev.Kind, ev.TimeStamp, ev.ThreadId, ev.Stack.Length, fields));
    }

    public void OnStacksForgotten()
    {
    }
}
