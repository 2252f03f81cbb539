using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace DotnetMemLine.Collection;

/// <summary>
/// A description of the code a process has already compiled, taken when <c>collect</c> attaches and
/// kept next to the trace (<see cref="TraceFiles.RundownSnapshotPath"/>). The runtime describes
/// code compiled before a session only in the rundown it writes when the session ends; a target that
/// is killed or crashes never writes it, and without it no frame of that code can be resolved. So a
/// second, empty session is opened and closed at once: its closing rundown is written into its own
/// file. The analysis reads it only when the trace lacks its own rundown, and <c>collect</c> deletes it
/// when the trace was closed normally.
/// </summary>
public static class RundownSnapshot
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Writes the snapshot; returns its path, or null when it could not be taken (the target ended, the
    /// file could not be written): the main recording does not depend on it.
    /// </summary>
    public static async Task<string?> TakeAsync(DiagnosticsClient client, string tracePath)
    {
        string path = TraceFiles.RundownSnapshotPath(tracePath);
        if (TraceFiles.IsDevice(tracePath))
        {
            return null; // a trace written to a device has no folder of its own to keep a snapshot in
        }

        try
        {
            // A provider that writes nothing here (no keyword, level Critical): only the rundown remains.
            var configuration = new EventPipeSessionConfiguration(
                [new EventPipeProvider(AllocationProviders.RuntimeProvider, EventLevel.Critical, 0)],
                64,
                requestRundown: true,
                requestStackwalk: false);
            using EventPipeSession session = await client.StartEventPipeSessionAsync(configuration, CancellationToken.None).ConfigureAwait(false);
            await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            Task copy = session.EventStream.CopyToAsync(file);
            await session.StopAsync(CancellationToken.None).ConfigureAwait(false);
            if (await Task.WhenAny(copy, Task.Delay(Patience)).ConfigureAwait(false) != copy)
            {
                throw new TimeoutException("the rundown did not end");
            }

            await copy.ConfigureAwait(false);
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ServerNotAvailableException or TimeoutException or EndOfStreamException or ObjectDisposedException)
        {
            TryDelete(path);
            return null;
        }
    }

    /// <summary>Deletes the snapshot; a failure is ignored (it is only a file next to the trace).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover snapshot is harmless: it is read only for a trace without its own rundown.
        }
    }
}
