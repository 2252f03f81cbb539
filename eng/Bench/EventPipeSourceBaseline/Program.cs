using System.Diagnostics;
using System.Globalization;
using Microsoft.Diagnostics.Tracing;

// Usage: EventPipeSourceBaseline <trace.nettrace>
// Reads the file with TraceEvent's EventPipeEventSource and counts its events: the parse every TraceEvent tool pays
// before it looks at a payload or a stack. Prints one line: eventpipe-baseline {"events":N,"seconds":S}.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: EventPipeSourceBaseline <trace.nettrace>");
    return 2;
}

var clock = Stopwatch.StartNew();
long events = 0;
using (var source = new EventPipeEventSource(args[0]))
{
    source.AllEvents += _ => events++;
    source.Process();
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"eventpipe-baseline {{\"events\":{events},\"seconds\":{clock.Elapsed.TotalSeconds:F3}}}"));
return 0;
