namespace DotnetMemLine.Reporting;

/// <summary>How the runtime buffered the recorded session's events (dotnet-trace's <c>--buffering-mode</c>).</summary>
public enum SessionBuffering
{
    /// <summary>The lossy circular buffer (<c>Drop</c>, the default): when it is full the runtime drops events and counts them.</summary>
    Lossy,

    /// <summary>Lossless (<c>Block</c>, .NET 11+): a thread whose events find the buffer full waits for room, so nothing is dropped.</summary>
    Lossless,

    /// <summary>Lossless was asked for, but the target's runtime (before .NET 11) does not offer it: recorded with the lossy buffer.</summary>
    LosslessUnsupported,

    /// <summary>Lossless was asked for and the target's runtime answered the request with an error: recorded with the lossy buffer.</summary>
    LosslessRefused,
}
