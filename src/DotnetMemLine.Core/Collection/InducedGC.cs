using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace DotnetMemLine.Collection;

/// <summary>
/// Makes the target run one full blocking GC before a recording stops, as dotnet-gcdump does: a second, short
/// session that enables the runtime's GCHeapCollect keyword. The runtime runs the GC while it enables the
/// session, before it answers, so the recording's survival events then say exactly which sampled objects are
/// still alive.
/// </summary>
public static class InducedGC
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Runs the GC; false when it could not be asked for (the target is gone or would not answer in time, or <paramref name="cancellationToken"/> fired).</summary>
    public static async Task<bool> InduceAsync(DiagnosticsClient client, CancellationToken cancellationToken = default)
    {
        try
        {
            var configuration = new EventPipeSessionConfiguration(
                [new EventPipeProvider(AllocationProviders.RuntimeProvider, EventLevel.Informational, AllocationProviders.GCKeyword | AllocationProviders.HeapCollectKeyword)],
                16,
                requestRundown: false,
                requestStackwalk: false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Patience);
            using EventPipeSession session = await client.StartEventPipeSessionAsync(configuration, timeout.Token).ConfigureAwait(false);
            Task drain = session.EventStream.CopyToAsync(Stream.Null, timeout.Token);
            await session.StopAsync(timeout.Token).ConfigureAwait(false);
            await Task.WhenAny(drain, Task.Delay(Patience, timeout.Token)).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is IOException or DiagnosticsClientException or TimeoutException or EndOfStreamException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
    }
}
