package dev.kvcache.engine.stats;

/**
 * The logarithm of the binomial probability mass function, computed by the saddle-point form of
 * Catherine Loader, "Fast and Accurate Computation of Binomial Probabilities" (2000):
 *
 * <pre>
 * log P(X = k) = e(n) - e(k) - e(n - k) - D(k, n p) - D(n - k, n q) + log(n / (2 pi k (n - k)))/2
 * </pre>
 *
 * where {@code e(m) = log(m!) - log(sqrt(2 pi m) (m / e)^m)} is the error of Stirling's formula and
 * {@code D(x, M) = x log(x / M) + M - x} is the deviance term. Unlike {@code log C(n, k) + k log p +
 * (n - k) log q}, no term grows with {@code n}: the absolute error of the logarithm is a few times
 * {@code 1e-16} plus a few times {@code 1e-16 D}: in the tests the relative error of a mass above
 * {@code 1e-300} stays below {@code 5e-13}, for {@code n} up to {@code 2^53}.
 *
 * <p>Callers pass both {@code p} and {@code q = 1 - p}. The smaller of the two is taken as exact,
 * the means {@code n p} and {@code n q} are formed in double-double arithmetic from it, and so the
 * rounding of {@code 1 - p} or of {@code n p} does not move the result.
 */
final class BinomialMass {
    /** {@code log(2 pi)}. */
    private static final double LOG_TWO_PI = Math.log(2 * Math.PI);

    /** Counts up to this value take the Stirling error from a table. */
    private static final int STIRLING_TABLE_MAX = 15;

    /**
     * Coefficients {@code B_2j / (2j (2j - 1))} of Stirling's series {@code e(m) = sum_j c_j m^(1 - 2j)},
     * from the Bernoulli numbers {@code B_2 = 1/6, B_4 = -1/30, B_6 = 1/42, B_8 = -1/30, B_10 = 5/66,
     * B_12 = -691/2730}. For {@code m > 15} the first omitted term is below {@code 1e-17}.
     */
    private static final double[] STIRLING_SERIES = {
        1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188, -691.0 / 360360,
    };

    /** {@code e(m)} for {@code m = 0 .. STIRLING_TABLE_MAX}, with {@code e(0) = 0} by convention. */
    private static final double[] STIRLING_ERROR_TABLE = stirlingErrorTable();

    private BinomialMass() {
    }

    /**
     * Returns {@code log P(X = k)} for {@code X ~ Bin(n, p)}. The smaller of {@code p} and
     * {@code q} is taken as exact and the larger as one minus it, so that the two means
     * {@code n p} and {@code n q} add up to {@code n} in double-double arithmetic.
     *
     * @param k the number of successes, {@code 0 <= k <= n}
     * @param n the number of trials, {@code 0 <= n <= 2^53}
     * @param p the success probability, in {@code (0, 1)}
     * @param q the failure probability {@code 1 - p}, in {@code (0, 1)}
     */
    static double logPmf(long k, long n, double p, double q) {
        if (k == 0) {
            return n == 0 ? 0.0 : n * logOfComplement(p, q);
        }
        if (k == n) {
            return n * logOfComplement(q, p);
        }
        boolean successIsSmaller = p <= q;
        return logPmfShifted(k, n, successIsSmaller ? p : q, 0.0, successIsSmaller);
    }

    /**
     * Returns {@code log P(X = k)} for {@code X ~ Bin(n, p)} and {@code 0 < k < n}, where the
     * smaller of the two probabilities is exactly {@code smaller + offset} (a sum of two doubles)
     * and the other is one minus it. Quadrature nodes use this to sit exactly at a given distance
     * from an exact endpoint.
     *
     * @param k the number of successes, {@code 0 < k < n}
     * @param n the number of trials, {@code n <= 2^53}
     * @param smaller the smaller probability without its offset, at most about 1/2
     * @param offset a correction much smaller than {@code smaller}
     * @param successIsSmaller whether {@code smaller + offset} is {@code p} (otherwise it is
     *     {@code q})
     */
    static double logPmfShifted(long k, long n, double smaller, double offset, boolean successIsSmaller) {
        double trials = n;
        double base = trials * smaller;
        double baseError = Math.fma(trials, smaller, -base);
        double shift = trials * offset;
        double shiftError = Math.fma(trials, offset, -shift);
        // Two-sum of base and shift, then the rounding errors of both products.
        double smallMean = base + shift;
        double virtualShift = smallMean - base;
        double smallMeanError = ((base - (smallMean - virtualShift)) + (shift - virtualShift)) + baseError + shiftError;
        // n - smallMean is exact as a sum of two doubles because smallMean <= n.
        double largeMean = trials - smallMean;
        double largeMeanError = ((trials - largeMean) - smallMean) - smallMeanError;

        double successes = k;
        double failures = n - k;
        double deviance;
        if (successIsSmaller) {
            deviance = deviancePart(successes, smallMean, smallMeanError)
                + deviancePart(failures, largeMean, largeMeanError);
        } else {
            deviance = deviancePart(successes, largeMean, largeMeanError)
                + deviancePart(failures, smallMean, smallMeanError);
        }
        double stirling = stirlingError(n) - stirlingError(k) - stirlingError(n - k);
        double normalizing = 0.5 * (Math.log(trials / (successes * failures)) - LOG_TWO_PI);
        return stirling - deviance + normalizing;
    }

    /**
     * Returns {@code log(1 - probability)} from the more accurate of the two inputs: {@code
     * log1p(-probability)} while {@code probability < 1/2}, else {@code log(complement)}.
     */
    static double logOfComplement(double probability, double complement) {
        return probability < 0.5 ? Math.log1p(-probability) : Math.log(complement);
    }

    /**
     * Returns {@code e(m) = log(m!) - (m + 1/2) log(m) + m - log(2 pi)/2} for {@code m >= 0}, with
     * {@code e(0) = 0}.
     */
    static double stirlingError(long m) {
        if (m <= STIRLING_TABLE_MAX) {
            return STIRLING_ERROR_TABLE[(int) m];
        }
        return stirlingSeries(m);
    }

    /**
     * Returns the deviance term {@code D(x, M) = x log(x / M) + M - x >= 0} for {@code x >= 0} and
     * a mean {@code M = mean + meanError > 0} given as a double-double. Near {@code x = M} it sums
     * the series in {@code v = (x - M) / (x + M)}, {@code D = (x - M) v + 2 x (v^3 / 3 + v^5 / 5 +
     * ...)}, which avoids the cancellation of the direct form.
     */
    static double deviancePart(double x, double mean, double meanError) {
        // x - mean is exact when the two are within a factor 2, as they are in the series case.
        double difference = (x - mean) - meanError;
        double total = x + mean;
        if (Math.abs(difference) < 0.1 * total) {
            double v = difference / total;
            double vSquared = v * v;
            double sum = difference * v;
            double power = 2 * x * v;
            for (int j = 1; j < 1000; j++) {
                power *= vSquared;
                double next = sum + power / (2 * j + 1);
                if (next == sum) {
                    return next;
                }
                sum = next;
            }
            return sum;
        }
        if (x == 0) {
            return mean + meanError;
        }
        double ratio = x / mean;
        double logRatio = Double.isFinite(ratio) && ratio > 0 ? Math.log(ratio) : Math.log(x) - Math.log(mean);
        return x * (logRatio - meanError / mean) - difference;
    }

    /** Returns Stirling's series for {@code e(m)}, accurate to double precision for {@code m > 15}. */
    private static double stirlingSeries(long m) {
        double inverse = 1.0 / m;
        double inverseSquared = inverse * inverse;
        double sum = 0.0;
        for (int j = STIRLING_SERIES.length - 1; j >= 0; j--) {
            sum = sum * inverseSquared + STIRLING_SERIES[j];
        }
        return sum * inverse;
    }

    /**
     * Fills {@code e(m)} for small {@code m} downwards from {@code e(16)}, using
     * {@code e(m) - e(m + 1) = (m + 1/2) log(1 + 1/m) - 1 = sum_(i >= 1) y^(2i) / (2i + 1)} with
     * {@code y = 1 / (2m + 1)}. Every term is positive, so nothing cancels.
     */
    private static double[] stirlingErrorTable() {
        double[] table = new double[STIRLING_TABLE_MAX + 1];
        double next = stirlingSeries(STIRLING_TABLE_MAX + 1);
        for (int m = STIRLING_TABLE_MAX; m >= 1; m--) {
            double y = 1.0 / (2 * m + 1);
            double ySquared = y * y;
            double power = 1.0;
            double step = 0.0;
            for (int i = 1; i < 100; i++) {
                power *= ySquared;
                double updated = step + power / (2 * i + 1);
                if (updated == step) {
                    break;
                }
                step = updated;
            }
            table[m] = next + step;
            next = table[m];
        }
        return table;
    }
}
