using System.Diagnostics.Tracing;

namespace ShapesTarget;

/// <summary>
/// Counts the native code versions the runtime compiles for chosen methods (tier 0, instrumented,
/// tier 1, on-stack replacement…), from the runtime's own method-load events, so a test can check
/// that its trace really spans several versions of a method. Events reach the listener on the
/// runtime's dispatch thread, so listening allocates nothing on the threads being measured.
/// </summary>
internal sealed class CodeVersionListener : EventListener
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords JitKeyword = (EventKeywords)0x10;

    // Bits 7-9 of MethodFlags: the optimization tier the runtime reports for the compiled body.
    private const int TierShift = 7;
    private const int TierMask = 0x7;

    private readonly Dictionary<string, Dictionary<ulong, int>> _versions = new(StringComparer.Ordinal);

    public CodeVersionListener(params string[] methodNames)
    {
        lock (_versions)
        {
            foreach (var name in methodNames)
            {
                _versions[name] = [];
            }
        }
    }

    /// <summary>How many distinct code bodies (start addresses) of <paramref name="methodName"/> were compiled so far.</summary>
    public int VersionsOf(string methodName)
    {
        lock (_versions)
        {
            return _versions.TryGetValue(methodName, out var bodies) ? bodies.Count : 0;
        }
    }

    /// <summary>The optimization-tier codes (MethodFlags bits 7-9) of the bodies compiled so far, in no order.</summary>
    public IReadOnlyList<int> TiersOf(string methodName)
    {
        lock (_versions)
        {
            return _versions.TryGetValue(methodName, out var bodies) ? [.. bodies.Values] : [];
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeProvider)
        {
            EnableEvents(eventSource, EventLevel.Verbose, JitKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is null
            || !eventData.EventName.StartsWith("MethodLoadVerbose", StringComparison.Ordinal)
            || eventData.PayloadNames is not { } names
            || eventData.Payload is not { } payload)
        {
            return;
        }

        var name = payload[names.IndexOf("MethodName")] as string;
        if (name is null)
        {
            return;
        }

        lock (_versions)
        {
            if (_versions.TryGetValue(name, out var bodies))
            {
                var start = Convert.ToUInt64(payload[names.IndexOf("MethodStartAddress")], System.Globalization.CultureInfo.InvariantCulture);
                var flags = Convert.ToInt64(payload[names.IndexOf("MethodFlags")], System.Globalization.CultureInfo.InvariantCulture);
                bodies[start] = (int)((flags >> TierShift) & TierMask);
            }
        }
    }
}
