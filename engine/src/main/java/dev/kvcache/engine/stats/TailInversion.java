package dev.kvcache.engine.stats;

import java.util.Locale;

/**
 * Solves binomial tail equations for the success probability, the step behind Clopper-Pearson
 * bounds: {@code P(X >= x; p) = target} for a lower bound and {@code P(X <= x; p) = target} for an
 * upper bound, {@code X ~ Bin(n, p)}.
 *
 * <p>The unknown is the log-odds {@code u = log(p / (1 - p))}, from which both {@code p} and
 * {@code 1 - p} follow without cancellation, so a bound of {@code 3e-13} and a bound of
 * {@code 1 - 3e-13} are both found to full relative precision. The equation is
 * {@code G(u) = 0} with {@code G} increasing: {@code G = log P(X >= x) - log target} or
 * {@code G = log target - log P(X <= x)}. Binomial laws form an exponential family in {@code u}, so
 * {@code d^2 log P(X >= x) / du^2 = Var(X | X >= x) - Var(X)}, which is not positive because
 * truncating a log-concave law does not increase its variance. Newton's method on the concave
 * {@code G} started below the root, or on the convex {@code G} started above it, therefore
 * approaches the root from one side. A bracket with bisection keeps the method correct where
 * rounding in the last digits would make a Newton step overshoot.
 *
 * <p>A double {@code u} near -30 resolves {@code p} only to about {@code 3e-15} in relative terms,
 * so a last Newton step is taken in the smaller of {@code p} and {@code q} directly. In tests the
 * bounds then lie within one unit in the last place of the root.
 */
final class TailInversion {
    /** Safety limit; Newton's method needs about ten steps, bisection at most about 60 more. */
    private static final int MAX_ITERATIONS = 200;

    private TailInversion() {
    }

    /**
     * Returns {@code p} with {@code P(X >= x) = exp(logTarget)} for {@code X ~ Bin(n, p)}.
     *
     * @param x the observed count, {@code 1 <= x <= n - 1}
     * @param n the number of trials
     * @param logTarget the logarithm of the target probability, negative
     * @throws ArithmeticException if the iteration does not converge, which no tested input does
     */
    static double lowerBound(long x, long n, double logTarget) {
        return solve(Equation.UPPER_TAIL, x, n, logTarget);
    }

    /**
     * Returns {@code p} with {@code P(X <= x) = exp(logTarget)} for {@code X ~ Bin(n, p)}.
     *
     * @param x the observed count, {@code 1 <= x <= n - 1}
     * @param n the number of trials
     * @param logTarget the logarithm of the target probability, negative
     * @throws ArithmeticException if the iteration does not converge, which no tested input does
     */
    static double upperBound(long x, long n, double logTarget) {
        return solve(Equation.LOWER_TAIL, x, n, logTarget);
    }

    /** The two tail equations, each written so that {@code G} increases with {@code u}. */
    private enum Equation {
        /** {@code G = log P(X >= x) - log target}, concave in {@code u}. */
        UPPER_TAIL,
        /** {@code G = log target - log P(X <= x)}, convex in {@code u}. */
        LOWER_TAIL
    }

    /** {@code G}, {@code dG/du} and {@code dG/dp} at one point. */
    private record Evaluation(double value, double slope, double slopeInP) {
    }

    private static double solve(Equation equation, long x, long n, double logTarget) {
        // Bracket the root around the log-odds of the estimate x / n, with a first step of
        // 1.5 normal-tail widths measured in log-odds units.
        double center = Math.log(x) - Math.log(n - x);
        double logOddsStandardDeviation = 1.0 / Math.sqrt(x * ((double) (n - x) / n));
        double step = 1.5 * Math.sqrt(Math.max(-2 * logTarget, 1.0)) * logOddsStandardDeviation;

        double low;
        double high;
        if (evaluate(equation, x, n, logTarget, center).value() >= 0) {
            high = center;
            low = center - step;
            while (evaluate(equation, x, n, logTarget, low).value() > 0) {
                step *= 2;
                low = center - step;
            }
        } else {
            low = center;
            high = center + step;
            while (evaluate(equation, x, n, logTarget, high).value() < 0) {
                step *= 2;
                high = center + step;
            }
        }

        // Start Newton's method on the side from which it converges monotonically.
        double u = equation == Equation.UPPER_TAIL ? low : high;
        Evaluation current = evaluate(equation, x, n, logTarget, u);
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            if (current.value() == 0) {
                return polish(equation, x, n, logTarget, u);
            }
            if (current.value() < 0) {
                low = u;
            } else {
                high = u;
            }
            double newtonStep = current.value() / current.slope();
            double tolerance = 1e-15 + 2 * Math.ulp(u);
            if (Math.abs(newtonStep) <= tolerance) {
                return polish(equation, x, n, logTarget, u - newtonStep);
            }
            double next = u - newtonStep;
            if (!(next > low && next < high)) {
                next = 0.5 * (low + high);
            }
            if (high - low <= tolerance) {
                return polish(equation, x, n, logTarget, next);
            }
            u = next;
            current = evaluate(equation, x, n, logTarget, u);
        }
        throw new ArithmeticException(String.format(Locale.ROOT,
            "Tail equation for x = %d, n = %d, log target = %s did not converge in %d iterations",
            x, n, logTarget, MAX_ITERATIONS));
    }

    /**
     * Takes one Newton step from the converged log-odds {@code u} in the smaller of {@code p} and
     * {@code q}, whose doubles are finer than those of {@code u}, and returns {@code p}.
     */
    private static double polish(Equation equation, long x, long n, double logTarget, double u) {
        double p = probability(u);
        double q = complementProbability(u);
        Evaluation atRoot = evaluate(equation, x, n, logTarget, u);
        double correction = atRoot.value() / atRoot.slopeInP();
        if (!Double.isFinite(correction)) {
            return p;
        }
        if (p <= q) {
            double polished = p - correction;
            return polished > 0 && polished < 1 ? polished : p;
        }
        double polishedComplement = q + correction;
        return polishedComplement > 0 && polishedComplement < 1 ? 1 - polishedComplement : p;
    }

    /**
     * Evaluates {@code G}, {@code dG/du} and {@code dG/dp} at the log-odds {@code u}. The slopes use
     * {@code dP(X >= x)/dp = n P(Y = x - 1)} and {@code dP(X <= x)/dp = -n P(Y = x)} with
     * {@code Y ~ Bin(n - 1, p)}, and {@code dp/du = p q}.
     */
    private static Evaluation evaluate(Equation equation, long x, long n, double logTarget, double u) {
        double p = probability(u);
        double q = complementProbability(u);
        double logChain = logProbability(u) + logProbability(-u);
        double value;
        double logSlopeInP;
        if (equation == Equation.UPPER_TAIL) {
            double logTail = BinomialTail.logUpper(x, n, p, q);
            value = logTail - logTarget;
            logSlopeInP = Math.log(n) + BinomialMass.logPmf(x - 1, n - 1, p, q) - logTail;
        } else {
            double logTail = BinomialTail.logLower(x, n, p, q);
            value = logTarget - logTail;
            logSlopeInP = Math.log(n) + BinomialMass.logPmf(x, n - 1, p, q) - logTail;
        }
        return new Evaluation(value, Math.exp(logSlopeInP + logChain), Math.exp(logSlopeInP));
    }

    /**
     * Returns {@code p = 1 / (1 + exp(-u))}. Above 1/2 it is formed as {@code 1 - q}, so that the
     * smaller of the two is the accurate one, as {@link BinomialMass} expects.
     */
    private static double probability(double u) {
        return u <= 0 ? smallProbability(u) : 1 - smallProbability(-u);
    }

    /** Returns {@code q = 1 - p = 1 / (1 + exp(u))}, formed like {@link #probability}. */
    private static double complementProbability(double u) {
        return u >= 0 ? smallProbability(-u) : 1 - smallProbability(u);
    }

    /** Returns {@code exp(u) / (1 + exp(u))} for {@code u <= 0}, to a few units in the last place. */
    private static double smallProbability(double u) {
        double odds = Math.exp(u);
        return odds / (1 + odds);
    }

    /** Returns {@code log p = -log(1 + exp(-u))}. */
    private static double logProbability(double u) {
        return u <= 0 ? u - Math.log1p(Math.exp(u)) : -Math.log1p(Math.exp(-u));
    }
}
