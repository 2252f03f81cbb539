namespace DotnetMemLine.Estimation;

/// <summary>
/// The standard gamma distribution (shape a, scale 1): regularized incomplete gamma functions,
/// density and quantile. Used as the continuous twin of the negative binomial distribution,
/// which it matches to within one unit per success when the success probability is small.
/// </summary>
internal static class GammaDistribution
{
    private const double HalfLogTwoPi = 0.91893853320467274178;

    // Relative change below which a series or continued fraction has converged.
    private const double ConvergenceTolerance = 1e-16;

    // Keeps the modified Lentz recurrence away from division by zero.
    private const double LentzFloor = 1e-300;

    // Above this shape the Stirling series for log Γ is accurate to ~3e-16 with the terms used.
    private const double StirlingShapeThreshold = 15.0;

    /// <summary>
    /// Returns P(a, x) and Q(a, x) = 1 - P(a, x). The smaller one of the pair is computed
    /// directly (series below a + 1, continued fraction above) so that tail probabilities keep
    /// their relative precision; the other is its complement.
    /// </summary>
    public static (double Lower, double Upper) RegularizedIncompleteGamma(double shape, double x)
    {
        if (x <= 0.0)
        {
            return (0.0, 1.0);
        }

        if (double.IsPositiveInfinity(x))
        {
            return (1.0, 0.0);
        }

        if (x < shape + 1.0)
        {
            double lower = LowerBySeries(shape, x);
            return (lower, 1.0 - lower);
        }

        double upper = UpperByContinuedFraction(shape, x);
        return (1.0 - upper, upper);
    }

    /// <summary>The density x^(a-1) e^-x / Γ(a).</summary>
    public static double Density(double shape, double x)
    {
        if (x <= 0.0)
        {
            return shape == 1.0 ? 1.0 : (shape < 1.0 ? double.PositiveInfinity : 0.0);
        }

        return PowerExpOverGamma(shape, x) / x;
    }

    /// <summary>
    /// The x with P(a, x) = probability, by Newton's method on the incomplete gamma function,
    /// safeguarded by a bracket so that overshoots fall back to bisection.
    /// </summary>
    public static double Quantile(double shape, double probability)
    {
        if (probability <= 0.0)
        {
            return 0.0;
        }

        if (probability >= 1.0)
        {
            return double.PositiveInfinity;
        }

        if (shape == 1.0)
        {
            // Exponential distribution: closed form.
            return -StableMath.Log1P(-probability);
        }

        // Solve on whichever tail is smaller, so an upper quantile such as 0.975 is matched against
        // Q = 0.025 (computed directly) rather than against 1 - Q with its absolute rounding.
        bool solveOnUpperTail = probability > 0.5;
        double tailTarget = solveOnUpperTail ? 1.0 - probability : probability;

        double below = 0.0;
        double above = double.PositiveInfinity;
        double x = InitialGuess(shape, probability);

        for (int iteration = 0; iteration < 200; iteration++)
        {
            (double lower, double upper) = RegularizedIncompleteGamma(shape, x);

            // Increasing in x in both cases; zero at the quantile.
            double mismatch = solveOnUpperTail ? tailTarget - upper : lower - tailTarget;
            if (mismatch == 0.0)
            {
                return x;
            }

            if (mismatch < 0.0)
            {
                below = x;
            }
            else
            {
                above = x;
            }

            double next = x - (mismatch / Density(shape, x));
            if (!(next > below && next < above))
            {
                next = double.IsPositiveInfinity(above) ? 2.0 * Math.Max(x, 1.0) : 0.5 * (below + above);
            }

            if (Math.Abs(next - x) <= 1e-14 * x || (above - below) <= 1e-14 * below)
            {
                return next;
            }

            x = next;
        }

        return x;
    }

    /// <summary>x^a e^-x / Γ(a), the common prefactor of both incomplete gamma expansions.</summary>
    private static double PowerExpOverGamma(double shape, double x)
    {
        if (shape < StirlingShapeThreshold)
        {
            return Math.Exp((shape * Math.Log(x)) - x - LogGamma(shape));
        }

        // For large a, a·log(x) - x and log Γ(a) are each ~a·log(a) and cancel almost entirely;
        // rewrite in terms of t = (x - a)/a so that only the small, well-conditioned difference
        // a·(t - log(1 + t)) is exponentiated.
        double relativeExcess = (x - shape) / shape;
        double exponent = -shape * (relativeExcess - StableMath.Log1P(relativeExcess));
        return Math.Sqrt(shape / (2.0 * Math.PI)) * Math.Exp(exponent - StirlingCorrection(shape));
    }

    private static double LowerBySeries(double shape, double x)
    {
        // P(a, x) = x^a e^-x / Γ(a+1) · Σ_n x^n / ((a+1)…(a+n)).
        double term = 1.0;
        double sum = 1.0;
        double maxTerms = 1000.0 + (50.0 * Math.Sqrt(shape));
        for (int n = 1; n < maxTerms; n++)
        {
            term *= x / (shape + n);
            sum += term;
            if (term < sum * ConvergenceTolerance)
            {
                break;
            }
        }

        return Math.Min(1.0, PowerExpOverGamma(shape, x) / shape * sum);
    }

    private static double UpperByContinuedFraction(double shape, double x)
    {
        // Q(a, x) = x^a e^-x / Γ(a) · 1/(x+1-a - 1(1-a)/(x+3-a - 2(2-a)/(x+5-a - …))),
        // evaluated front to back with the modified Lentz method.
        double denominatorTerm = x + 1.0 - shape;
        double c = 1.0 / LentzFloor;
        double d = 1.0 / denominatorTerm;
        double fraction = d;
        double maxTerms = 1000.0 + (50.0 * Math.Sqrt(shape));
        for (int n = 1; n < maxTerms; n++)
        {
            double numeratorTerm = -n * (n - shape);
            denominatorTerm += 2.0;
            d = (numeratorTerm * d) + denominatorTerm;
            if (Math.Abs(d) < LentzFloor)
            {
                d = LentzFloor;
            }

            c = denominatorTerm + (numeratorTerm / c);
            if (Math.Abs(c) < LentzFloor)
            {
                c = LentzFloor;
            }

            d = 1.0 / d;
            double factor = d * c;
            fraction *= factor;
            if (Math.Abs(factor - 1.0) < ConvergenceTolerance)
            {
                break;
            }
        }

        return Math.Min(1.0, PowerExpOverGamma(shape, x) * fraction);
    }

    private static double InitialGuess(double shape, double probability)
    {
        // Wilson–Hilferty: the cube root of a gamma variable is nearly normal. Excellent for large
        // shapes; for small shapes and low tails it can go non-positive, where the small-x
        // behaviour P(a, x) ≈ x^a / Γ(a+1) is the better start.
        double z = ApproximateNormalQuantile(probability);
        double ninthOfInverseShape = 1.0 / (9.0 * shape);
        double cubeRoot = 1.0 - ninthOfInverseShape + (z * Math.Sqrt(ninthOfInverseShape));
        double wilsonHilferty = shape * cubeRoot * cubeRoot * cubeRoot;
        if (wilsonHilferty > 0.0)
        {
            return wilsonHilferty;
        }

        return Math.Exp((Math.Log(probability) + LogGamma(shape + 1.0)) / shape);
    }

    /// <summary>
    /// Standard normal quantile to ~5e-4 (Abramowitz and Stegun 26.2.23). Only a starting point
    /// for Newton's method, which removes its error.
    /// </summary>
    internal static double ApproximateNormalQuantile(double probability)
    {
        double tail = Math.Min(probability, 1.0 - probability);
        double t = Math.Sqrt(-2.0 * Math.Log(tail));
        double magnitude = t - ((2.515517 + (0.802853 * t) + (0.010328 * t * t))
            / (1.0 + (1.432788 * t) + (0.189269 * t * t) + (0.001308 * t * t * t)));
        return probability < 0.5 ? -magnitude : magnitude;
    }

    /// <summary>log Γ(a) for a &gt; 0.</summary>
    internal static double LogGamma(double shape)
    {
        // Shift small arguments up with Γ(a+1) = a·Γ(a) until Stirling's series is accurate.
        double logOfShift = 0.0;
        while (shape < StirlingShapeThreshold)
        {
            logOfShift += Math.Log(shape);
            shape += 1.0;
        }

        return ((shape - 0.5) * Math.Log(shape)) - shape + HalfLogTwoPi + StirlingCorrection(shape) - logOfShift;
    }

    /// <summary>log Γ(a) minus its Stirling approximation (a - 1/2)·log a - a + log(2π)/2.</summary>
    private static double StirlingCorrection(double shape)
    {
        double inverse = 1.0 / shape;
        double inverseSquared = inverse * inverse;
        // 1/(12a) - 1/(360a³) + 1/(1260a⁵) - 1/(1680a⁷) + 1/(1188a⁹); the next term is below 3e-16 at a = 15.
        return inverse * ((1.0 / 12.0) - (inverseSquared * ((1.0 / 360.0) - (inverseSquared * ((1.0 / 1260.0)
            - (inverseSquared * ((1.0 / 1680.0) - (inverseSquared / 1188.0))))))));
    }
}
