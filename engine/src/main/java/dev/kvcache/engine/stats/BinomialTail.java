package dev.kvcache.engine.stats;

import java.util.Locale;
import org.apache.commons.math3.special.Beta;

/**
 * Logarithms of binomial tail probabilities through the regularized incomplete Beta function,
 * {@code P(X >= k) = I_p(k, n - k + 1)} for {@code X ~ Bin(n, p)} and {@code k >= 1} (Abramowitz
 * and Stegun, formula 6.6.4).
 *
 * <p>Only the tail on the convergent side of the continued fraction for {@code I_x(a, b)}
 * (Abramowitz and Stegun, formula 26.5.8), {@code x <= (a + 1) / (a + b + 2)}, is computed
 * directly. That side never exceeds {@code 1 - e^-2} (its limit for {@code k = 1} and
 * {@code n p -> 2}), so the other tail, returned as one minus it, is at least {@code e^-2 = 0.135}
 * and keeps its relative accuracy. No tail is computed as one minus a number near 1.
 *
 * <p>The direct side is evaluated by one of three methods:
 * <ul>
 *   <li>commons-math3 {@link Beta#regularizedBeta(double, double, double, double, int)} while the
 *       exponent of its prefactor, {@code a |log x| + b |log(1 - x)|}, is at most
 *       {@value #COMMONS_MAX_EXPONENT}. commons-math3 3.6.1 adds terms of that size, so above the
 *       limit it loses about {@code exponent * 1e-16} of relative accuracy: {@code 3e-8} to
 *       {@code 1e-7} at {@code n = 3e9}, {@code p = 1/2}, {@code k} 5 to 37 standard deviations
 *       above the mean.</li>
 *   <li>the continued fraction evaluated here without cancellation (see
 *       {@link #continuedFraction}), times the prefactor {@code P(X = k) q} from the saddle-point
 *       mass of {@link BinomialMass}, which keeps full accuracy for any {@code n}.</li>
 *   <li>within {@value #NEAR_MEAN_MAX_DISTANCE} standard deviations of the mean of a large
 *       binomial, where the continued fraction needs {@code O(variance^(1/3))} terms (12,500 at
 *       {@code n = 1e13}, {@code p = 0.001}, and 115,000 at {@code n = 2^53}): the tail at an
 *       anchor {@value #ANCHOR_DISTANCE} standard deviations away, where the continued fraction is
 *       fast, plus a 24-point Gauss-Legendre integral of the Beta density from the anchor.</li>
 * </ul>
 * A call therefore costs at most about 175 terms of a continued fraction plus 24 evaluations of
 * the mass (counted for {@code n} up to {@code 2^53}).
 */
final class BinomialTail {
    /** The largest prefactor exponent for which the commons-math3 implementation is used. */
    static final double COMMONS_MAX_EXPONENT = 100;

    /** Both Beta shape parameters must reach this value before the near-mean method is used. */
    static final double NEAR_MEAN_MIN_SHAPE = 1e4;

    /**
     * The near-mean method is used when {@code p} lies less than this many standard deviations of
     * {@code Beta(a, b)} below its mean. Farther out the continued fraction needs at most about
     * 175 terms, and below the shape limit at most about 125.
     */
    static final double NEAR_MEAN_MAX_DISTANCE = 1.5;

    /** Distance of the anchor below the Beta mean, in standard deviations. */
    static final double ANCHOR_DISTANCE = 2.0;

    /** Safety limit on the terms of each continued fraction, far above the few hundred needed. */
    static final int MAX_ITERATIONS = 100_000;

    /** Relative convergence threshold of the continued fractions. */
    private static final double EPSILON = 1e-15;

    private BinomialTail() {
    }

    /**
     * Returns {@code log P(X >= k)} for {@code X ~ Bin(n, p)}.
     *
     * @param k the threshold, {@code 0 <= k <= n}
     * @param n the number of trials, {@code 1 <= n <= 2^53}
     * @param p the success probability, in {@code [0, 1]}
     * @param q the failure probability {@code 1 - p}
     */
    static double logUpper(long k, long n, double p, double q) {
        if (k == 0 || q == 0) {
            return 0.0;
        }
        if (p == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (isDirect(k, n, p)) {
            return logUpperDirect(k, n, p, q);
        }
        // P(X >= k) = 1 - P(X <= k - 1) = 1 - P(n - X >= n - k + 1), and n - X ~ Bin(n, q).
        double complement = Math.exp(logUpperDirect(n - k + 1, n, q, p));
        return Math.log1p(-complement);
    }

    /**
     * Returns {@code log P(X <= k)} for {@code X ~ Bin(n, p)}, as {@code log P(n - X >= n - k)}.
     *
     * @param k the threshold, {@code 0 <= k <= n}
     * @param n the number of trials, {@code 1 <= n <= 2^53}
     * @param p the success probability, in {@code [0, 1]}
     * @param q the failure probability {@code 1 - p}
     */
    static double logLower(long k, long n, double p, double q) {
        return logUpper(n - k, n, q, p);
    }

    /**
     * Returns whether {@code I_p(k, n - k + 1)} is on the convergent side of the continued
     * fraction, {@code p <= (a + 1) / (a + b + 2) = (k + 1) / (n + 3)}. The expression is the one
     * commons-math3 3.6.1 tests, so that it never swaps sides internally.
     */
    static boolean isDirect(long k, long n, double p) {
        double a = k;
        double b = n - k + 1;
        return !(p > (a + 1) / (2 + b + a));
    }

    /**
     * Returns {@code log P(X >= k)} on the convergent side, choosing the method as the class
     * comment describes. Requires {@code 1 <= k <= n}, {@code 0 < p < 1} and {@link #isDirect}.
     */
    static double logUpperDirect(long k, long n, double p, double q) {
        double a = k;
        double b = n - k + 1;
        if (p <= 0.5 && prefactorExponent(p, a, b) <= COMMONS_MAX_EXPONENT) {
            return logUpperByCommons(k, n, p);
        }
        if (Math.min(a, b) >= NEAR_MEAN_MIN_SHAPE) {
            double sum = a + b;
            double standardDeviation = Math.sqrt(a * b / (sum * sum * (sum + 1)));
            if (a / sum - p < NEAR_MEAN_MAX_DISTANCE * standardDeviation) {
                return logUpperNearMean(k, n, p, q);
            }
        }
        return logUpperByContinuedFraction(k, n, p, q);
    }

    /** Returns {@code a |log x| + b |log(1 - x)|}, the exponent commons-math3 exponentiates. */
    static double prefactorExponent(double x, double a, double b) {
        return -(a * Math.log(x) + b * Math.log1p(-x));
    }

    /**
     * Returns {@code log I_p(k, n - k + 1)} from commons-math3. Requires {@code p <= 1/2}: then
     * {@code p} is the smaller probability, which this package treats as exact, and the
     * {@code log1p(-p)} that commons-math3 forms is the logarithm of the intended failure
     * probability.
     */
    static double logUpperByCommons(long k, long n, double p) {
        return Math.log(Beta.regularizedBeta(p, k, n - k + 1.0, EPSILON, MAX_ITERATIONS));
    }

    /**
     * Returns {@code log P(X >= k) = log P(X = k) + log q - log F}, where {@code F} is the continued
     * fraction of {@link #continuedFraction} and {@code P(X = k) q} equals the prefactor
     * {@code x^a (1 - x)^b / (a B(a, b))} for {@code a = k}, {@code b = n - k + 1}.
     */
    static double logUpperByContinuedFraction(long k, long n, double p, double q) {
        double fraction = continuedFraction(p, q, k, n - k + 1.0, MAX_ITERATIONS);
        return BinomialMass.logPmf(k, n, p, q) + BinomialMass.logOfComplement(p, q) - Math.log(fraction);
    }

    /**
     * Returns {@code log P(X >= k)} as {@code I_t(k, n - k + 1) + integral from t to p of
     * n P(Y = k - 1) ds}, with {@code Y ~ Bin(n - 1, s)} (the Beta density) and the anchor
     * {@code t} about {@value #ANCHOR_DISTANCE} standard deviations below the Beta mean.
     *
     * <p>At {@code n = 1e13} the density changes by a factor {@code 1 + 1e-9} when its argument
     * moves by one unit in the last place. The integral is therefore taken over the smaller of
     * {@code p} and {@code q}, which is exact. The anchor is placed on a double at an exactly
     * known distance {@code w} from it, and the density is evaluated at the exact sums
     * {@code p - s} or {@code q + s} through {@link BinomialMass#logPmfShifted}.
     */
    static double logUpperNearMean(long k, long n, double p, double q) {
        double a = k;
        double b = n - k + 1;
        double sum = a + b;
        double standardDeviation = Math.sqrt(a * b / (sum * sum * (sum + 1)));
        double approximateWidth = p - a / sum + ANCHOR_DISTANCE * standardDeviation;

        boolean successIsSmaller = p <= q;
        double width;
        double anchorTail;
        if (successIsSmaller) {
            double anchor = p - approximateWidth;
            width = p - anchor;
            anchorTail = Math.exp(logUpperByContinuedFraction(k, n, anchor, 1 - anchor));
        } else {
            double anchorComplement = q + approximateWidth;
            width = anchorComplement - q;
            anchorTail = Math.exp(logUpperByContinuedFraction(k, n, 1 - anchorComplement, anchorComplement));
        }

        // The integration variable runs from p down to the anchor on the success side, which is
        // from q up to the anchor on the failure side.
        double halfWidth = 0.5 * width;
        double weightedSum = 0.0;
        for (int i = 0; i < GaussLegendre.POINTS; i++) {
            double distance = halfWidth * (1 + GaussLegendre.node(i));
            double logDensity = successIsSmaller
                ? BinomialMass.logPmfShifted(k - 1, n - 1, p, -distance, true)
                : BinomialMass.logPmfShifted(k - 1, n - 1, q, distance, false);
            weightedSum += GaussLegendre.weight(i) * Math.exp(logDensity);
        }
        double integral = halfWidth * weightedSum * n;
        return Math.log(anchorTail + integral);
    }

    /**
     * Evaluates {@code F = 1 + d_1 / (1 + d_2 / (1 + d_3 / (1 + ...)))}, with
     * {@code d_(2m+1) = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))} and
     * {@code d_(2m) = m (b - m) x / ((a + 2m - 1)(a + 2m))}, so that
     * {@code I_x(a, b) = x^a (1 - x)^b / (a B(a, b) F)}.
     *
     * <p>Near the mean {@code F} is small while {@code d_(2m+1)} is close to -1, so evaluating the
     * fraction as written loses about {@code 1e-16 / F} of relative accuracy ({@code 1e-10} at
     * {@code n = 1e13}). Instead this method contracts it to its even part,
     * {@code F = (e_1 + d_2 + w) / (1 + d_2 + w)} with {@code w = -d_2 d_3 / Y} and
     * {@code Y = (e_3 + d_4) - d_4 d_5 / ((e_5 + d_6) - d_6 d_7 / ((e_7 + d_8) - ...))}, where
     * {@code e_j = 1 + d_j} is formed from an exactly computed numerator. On the convergent side
     * every {@code e_j} and every {@code d_(2m)} with {@code m < b} is positive, so all terms are
     * positive, nothing cancels, and the modified Lentz method is stable. For integer {@code b} the
     * fraction ends at {@code d_(2b) = 0}.
     *
     * @param x the argument, on the convergent side {@code x <= (a + 1) / (a + b + 2)}
     * @param y {@code 1 - x}, where the smaller of {@code x} and {@code y} is taken as exact
     * @param a the first shape parameter, at least 1
     * @param b the second shape parameter, a positive integer
     * @param maxIterations the largest number of contracted terms to evaluate
     * @throws ArithmeticException if it has not converged after {@code maxIterations} terms
     */
    static double continuedFraction(double x, double y, double a, double b, int maxIterations) {
        double e1 = oddTermPlusOne(0, x, y, a, b);
        double d2 = evenTerm(1, x, a, b);
        if (d2 == 0) {
            return e1;
        }
        double d3 = oddTerm(1, x, a, b);

        double value = oddTermPlusOne(1, x, y, a, b) + evenTerm(2, x, a, b);
        double c = value;
        double inverseD = 0.0;
        boolean converged = false;
        for (int m = 2; m <= maxIterations && !converged; m++) {
            double partialNumerator = -evenTerm(m, x, a, b) * oddTerm(m, x, a, b);
            if (partialNumerator == 0) {
                converged = true;
            } else {
                double partialDenominator = oddTermPlusOne(m, x, y, a, b) + evenTerm(m + 1, x, a, b);
                inverseD = 1 / (partialDenominator + partialNumerator * inverseD);
                c = partialDenominator + partialNumerator / c;
                double delta = c * inverseD;
                value *= delta;
                converged = Math.abs(delta - 1) < EPSILON;
            }
        }
        if (!converged) {
            throw new ArithmeticException(String.format(Locale.ROOT,
                "Continued fraction for I_x(a, b) did not converge in %d terms for x = %s, a = %s, b = %s",
                maxIterations, x, a, b));
        }
        double w = -d2 * d3 / value;
        return (e1 + d2 + w) / (1 + d2 + w);
    }

    /** Returns {@code d_(2m) = m (b - m) x / ((a + 2m - 1)(a + 2m))}. */
    private static double evenTerm(int m, double x, double a, double b) {
        return m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
    }

    /** Returns {@code d_(2m+1) = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))}. */
    private static double oddTerm(int m, double x, double a, double b) {
        return -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
    }

    /**
     * Returns {@code 1 + d_(2m+1) = (A B - U V x) / (A B)} with {@code A = a + 2m}, {@code B = A + 1},
     * {@code U = a + m}, {@code V = a + b + m}. The products are split into exact double-double
     * parts with fused multiply-adds, so the numerator keeps full relative accuracy even when it
     * is a tiny difference of two numbers near {@code 1e26}. For {@code x > 1/2} it uses
     * {@code U V x = U V - U V y}, because then {@code y} is the exact input.
     */
    private static double oddTermPlusOne(int m, double x, double y, double a, double b) {
        double first = a + 2 * m;
        double second = first + 1;
        double third = a + m;
        double fourth = a + b + m;
        double product = first * second;
        double productError = Math.fma(first, second, -product);
        double other = third * fourth;
        double otherError = Math.fma(third, fourth, -other);
        double numerator;
        if (x <= 0.5) {
            double scaled = other * x;
            double scaledError = Math.fma(other, x, -scaled) + otherError * x;
            numerator = (product - scaled) + (productError - scaledError);
        } else {
            double scaled = other * y;
            double scaledError = Math.fma(other, y, -scaled) + otherError * y;
            numerator = ((product - other) + scaled) + ((productError - otherError) + scaledError);
        }
        return numerator / product;
    }
}
