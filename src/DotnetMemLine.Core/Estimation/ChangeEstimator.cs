namespace DotnetMemLine.Estimation;

/// <summary>The change from one figure to another (after minus before), with its 95% interval.</summary>
/// <param name="Change">After minus before, in bytes.</param>
/// <param name="Low">The interval's low end.</param>
/// <param name="High">The interval's high end.</param>
/// <param name="BeyondNoise">The interval excludes 0: the change is not sampling noise (at the 95% level); for exact figures, any change.</param>
public readonly record struct ChangeEstimate(double Change, double Low, double High, bool BeyondNoise);

/// <summary>
/// Compares two figures of allocated bytes, each an estimate with its 95% interval (or an exact sum). The two
/// recordings sample independently, so their errors add in quadrature: the change's interval reaches down by the
/// after-figure's downward error and the before-figure's upward one combined, and up by the other two, each half
/// of a figure's interval standing for 1.96 of its standard errors on that side. A figure with no samples is zero
/// bytes seen, which sampling leaves up to <see cref="UnseenBytesBound"/> unseen.
/// </summary>
public static class ChangeEstimator
{
    /// <summary>
    /// The most a sampled figure with no samples may have been, at 95%: with a per-byte success probability p, a run
    /// of n bytes without a success has probability (1 - p)^n, which falls to 5% at n = ln(20)/p (about 300 KiB).
    /// </summary>
    public static readonly double UnseenBytesBound = Math.Log(20) / AllocationEstimator.SamplingProbability;

    /// <param name="before">The before figure: bytes with its interval, or null for nothing observed.</param>
    /// <param name="after">The after figure, likewise.</param>
    /// <param name="beforeExact">The before figure is an exact sum (run --exact): no sampling error.</param>
    /// <param name="afterExact">The after figure is an exact sum.</param>
    public static ChangeEstimate Between((double Bytes, double Low, double High)? before, (double Bytes, double Low, double High)? after, bool beforeExact, bool afterExact)
    {
        (double b, double bLow, double bHigh) = before ?? (0, 0, beforeExact ? 0 : UnseenBytesBound);
        (double a, double aLow, double aHigh) = after ?? (0, 0, afterExact ? 0 : UnseenBytesBound);
        double change = a - b;
        double down = Math.Sqrt(Square(a - aLow) + Square(bHigh - b));
        double up = Math.Sqrt(Square(aHigh - a) + Square(b - bLow));
        double low = change - down, high = change + up;
        return new ChangeEstimate(change, low, high, down == 0 && up == 0 ? change != 0 : low > 0 || high < 0);
    }

    private static double Square(double x) => x * x;
}
