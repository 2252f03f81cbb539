using System.Globalization;

namespace AccuracyRunner;

/// <summary>Small descriptive statistics and the number formats the report uses.</summary>
internal static class Statistics
{
    public static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    /// <summary>The nearest-rank percentile: the smallest value with at least <paramref name="fraction"/> of the values at or below it.</summary>
    public static double Percentile(IEnumerable<double> values, double fraction)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        int rank = (int)Math.Ceiling(fraction * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>The value farthest from zero, with its sign.</summary>
    public static double Worst(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).MaxBy(Math.Abs);

    /// <summary>The mean and the half-width of its normal 95% confidence interval (0 with one value).</summary>
    public static (double Mean, double HalfWidth) MeanWithInterval(IReadOnlyCollection<double> values)
    {
        double mean = values.Average();
        if (values.Count < 2)
        {
            return (mean, 0);
        }

        double variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return (mean, 1.96 * Math.Sqrt(variance / values.Count));
    }

    /// <summary>+1.23% (signed) or 1.23%.</summary>
    public static string Percent(double fraction, bool signed = false)
    {
        if (double.IsNaN(fraction))
        {
            return "–";
        }

        string format = signed ? "+0.00;-0.00;0.00" : "0.00";
        return (fraction * 100).ToString(format, CultureInfo.InvariantCulture) + "%";
    }

    /// <summary>"95.2% (200/210)".</summary>
    public static string Share(int count, int total)
        => total == 0 ? "–" : $"{Percent((double)count / total)} ({Count(count)}/{Count(total)})";

    public static string Count(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Bytes(double bytes) => bytes >= 1024 * 1024
        ? (bytes / (1024 * 1024)).ToString("#,0.0", CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1024).ToString("#,0.0", CultureInfo.InvariantCulture) + " KiB";

    public static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
