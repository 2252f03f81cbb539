using System.Globalization;

namespace DotnetMemLine.Collection;

/// <summary>Reads --duration values the way dotnet-trace does: seconds, or dd:hh:mm:ss.</summary>
public static class DurationParser
{
    /// <summary>Parses "90", "1.5", "01:30", "00:00:01:30" (seconds, or dd:hh:mm:ss read from the right).</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        if (!text.Contains(':', StringComparison.Ordinal))
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
            {
                duration = TimeSpan.FromSeconds(seconds);
                return true;
            }

            return false;
        }

        string[] parts = text.Split(':');
        if (parts.Length > 4)
        {
            return false;
        }

        double[] scale = [1, 60, 3600, 86400];
        double total = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[parts.Length - 1 - i], NumberStyles.Float, CultureInfo.InvariantCulture, out double part) || part < 0)
            {
                return false;
            }

            total += part * scale[i];
        }

        if (total <= 0)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(total);
        return true;
    }
}
