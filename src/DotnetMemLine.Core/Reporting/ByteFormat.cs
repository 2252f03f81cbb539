using System.Globalization;

namespace DotnetMemLine.Reporting;

/// <summary>Human-readable byte counts, in binary units like %mprun's MiB.</summary>
public static class ByteFormat
{
    /// <summary>A change in bytes, always signed: "+1.2 MiB", "-300 B".</summary>
    public static string Change(double bytes) => (bytes >= 0 ? "+" : "-") + Format(Math.Abs(bytes));

    /// <summary>Bytes as the tables print them: B, or KiB and MiB with one decimal, GiB and TiB with two.</summary>
    public static string Format(double bytes)
    {
        double abs = Math.Abs(bytes);
        return abs switch
        {
            >= 1L << 40 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 40):F2} TiB"), // a long collect of a busy service
            >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 30):F2} GiB"),
            >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 20):F1} MiB"),
            >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 10):F1} KiB"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:F0} B"),
        };
    }
}
