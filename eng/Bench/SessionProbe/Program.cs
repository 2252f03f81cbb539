using System.Diagnostics.Tracing;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Diagnostics.NETCore.Client;

// Usage: SessionProbe <pid> <keywords, hex> <stacks|no-stacks> <output file>
// Opens one EventPipe session on Microsoft-Windows-DotNETRuntime at level Verbose with the given
// keywords (256 MB buffer, no rundown), prints "Recording", copies the stream to the file until
// SIGTERM, then stops the session and prints "Trace saved".
if (args.Length != 4 || args[2] is not ("stacks" or "no-stacks"))
{
    Console.Error.WriteLine("usage: SessionProbe <pid> <keywords, hex> <stacks|no-stacks> <output file>");
    return 2;
}

int pid = int.Parse(args[0], CultureInfo.InvariantCulture);
long keywords = long.Parse(args[1].Replace("0x", "", StringComparison.OrdinalIgnoreCase), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
var configuration = new EventPipeSessionConfiguration(
    [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, keywords)],
    256,
    requestRundown: false,
    requestStackwalk: args[2] == "stacks");

using EventPipeSession session = new DiagnosticsClient(pid).StartEventPipeSession(configuration);
using FileStream output = File.Create(args[3]);
using var stopRequested = new ManualResetEventSlim();
using PosixSignalRegistration onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopRequested.Set();
});
Console.Error.WriteLine("Recording");
Task copy = session.EventStream.CopyToAsync(output);
stopRequested.Wait();
session.Stop();
copy.Wait(TimeSpan.FromSeconds(30));
Console.Error.WriteLine("Trace saved");
return 0;
