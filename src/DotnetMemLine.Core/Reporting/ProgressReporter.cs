using System.Globalization;
using DotnetMemLine.Decoding;

namespace DotnetMemLine.Reporting;

/// <summary>
/// One status line for a long analysis ("Analyzing trace: converting 45% (1.2 GiB of 2.6 GiB)"),
/// rewritten in place with a carriage return. Quiet for analyses shorter than <c>delay</c>, and
/// rewritten at most once per <c>interval</c> (a step change shows at once), so a fast analysis
/// prints nothing and a slow one costs a few writes per second. For a terminal only: the caller
/// decides. Thread-safe: the byte probes report from a timer.
/// </summary>
public sealed class ProgressReporter : IProgress<AnalysisProgress>
{
    private readonly TextWriter _output;
    private readonly Func<TimeSpan> _clock;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _delay;
    private readonly object _lock = new();
    private readonly TimeSpan _started;
    private TimeSpan _stepStarted;
    private TimeSpan? _lastWrite;
    private AnalysisStep? _step;
    private int _width;

    /// <param name="output">Where the line goes (stderr).</param>
    /// <param name="clock">Elapsed time; injectable for tests.</param>
    /// <param name="interval">The shortest time between two rewrites of the line; default 250 ms.</param>
    /// <param name="delay">Nothing is shown before this much time has passed; default 1 s.</param>
    public ProgressReporter(TextWriter output, Func<TimeSpan> clock, TimeSpan? interval = null, TimeSpan? delay = null)
    {
        _output = output;
        _clock = clock;
        _interval = interval ?? TimeSpan.FromMilliseconds(250);
        _delay = delay ?? TimeSpan.FromSeconds(1);
        _started = clock();
    }

    /// <summary>Redraws the progress line, a few times a second at most.</summary>
    public void Report(AnalysisProgress value)
    {
        lock (_lock)
        {
            TimeSpan now = _clock();
            bool newStep = value.Step != _step;
            if (newStep)
            {
                _step = value.Step;
                _stepStarted = now;
            }

            if (now - _started < _delay || (!newStep && _lastWrite is TimeSpan last && now - last < _interval))
            {
                return;
            }

            string line = Describe(value, now - _stepStarted);
            _output.Write('\r' + line.PadRight(_width));
            _output.Flush();
            _width = line.Length;
            _lastWrite = now;
        }
    }

    /// <summary>Erases the line, if one was shown, so what follows starts on a clean line.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            if (_width > 0)
            {
                _output.Write('\r' + new string(' ', _width) + '\r');
                _output.Flush();
                _width = 0;
            }
        }
    }

    internal static string Describe(AnalysisProgress progress, TimeSpan inStep)
    {
        if (progress.Step == AnalysisStep.ReadingTraces)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Analyzing traces: {progress.Done:N0} of {progress.Total:N0} read ({inStep.TotalSeconds:F0} s)");
        }

        string step = progress.Step switch
        {
            AnalysisStep.Converting => "converting",
            AnalysisStep.ReadingCode => "reading code maps",
            _ => "attributing samples",
        };
        CultureInfo inv = CultureInfo.InvariantCulture;
        if (progress.Done < 0 || progress.Total <= 0)
        {
            string size = progress.InEvents ? $"{progress.Total.ToString("N0", inv)} events" : ByteFormat.Format(progress.Total);
            return string.Create(inv, $"Analyzing trace: {step} {size} ({inStep.TotalSeconds:F0} s)");
        }

        long done = Math.Min(progress.Done, progress.Total);
        long percent = done * 100 / progress.Total;
        string of = progress.InEvents
            ? string.Create(inv, $"{done:N0} of {progress.Total:N0} events")
            : $"{ByteFormat.Format(done)} of {ByteFormat.Format(progress.Total)}";
        return string.Create(inv, $"Analyzing trace: {step} {percent}% ({of})");
    }
}
