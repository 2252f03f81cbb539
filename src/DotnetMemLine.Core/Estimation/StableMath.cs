namespace DotnetMemLine.Estimation;

/// <summary>
/// log(1+x) and exp(x)-1 without the cancellation of the naive formulas. The BCL's
/// double.LogP1/ExpM1 compute plain Log(x + 1)/Exp(x) - 1, which lose about five digits for
/// |x| near 1e-5 (the size of the sampling probability) and all of them near 1e-16.
/// </summary>
internal static class StableMath
{
    /// <summary>log(1 + x), accurate to a few ulps for all x &gt; -1.</summary>
    public static double Log1P(double x)
    {
        double onePlusX = 1.0 + x;
        if (onePlusX == 1.0)
        {
            return x;
        }

        // Goldberg's correction: the rounding error of (1 + x) cancels between numerator and denominator.
        return Math.Log(onePlusX) * x / (onePlusX - 1.0);
    }

    /// <summary>exp(x) - 1, accurate to a few ulps for all finite x.</summary>
    public static double ExpM1(double x)
    {
        double expX = Math.Exp(x);
        if (expX == 1.0)
        {
            return x;
        }

        double expXMinusOne = expX - 1.0;
        if (expXMinusOne == -1.0)
        {
            return -1.0;
        }

        if (double.IsPositiveInfinity(expX))
        {
            return expX;
        }

        // Kahan's correction: divides out the rounding error made when computing exp(x).
        return expXMinusOne * x / Math.Log(expX);
    }
}
