package dev.kvcache.engine.dense;

/**
 * Fisher's exact test that two binomial samples share one success probability, for the
 * engine-agreement tests of this package.
 *
 * <p>Given the total number of successes {@code m = x1 + x2}, the count of the first sample is
 * hypergeometric under the null hypothesis: {@code P(X = x) = C(m, x) C(N - m, n1 - x) / C(N, n1)}
 * with {@code N = n1 + n2}. The pmf is computed relative to its mode with the ratio
 * {@code P(x + 1) / P(x) = (m - x)(n1 - x) / ((x + 1)(N - m - n1 + x + 1))}, walking outward until
 * the terms underflow, so no factorial is ever formed. The two-sided p-value doubles the smaller
 * tail, {@code min(1, 2 min(P(X <= x1), P(X >= x1)))}, which is valid because each tail alone is a
 * valid one-sided p-value.
 */
final class TwoSample {
    /** Terms below this fraction of the mode's are dropped; they cannot change a double sum. */
    private static final double NEGLIGIBLE = 1e-300;

    private TwoSample() {
    }

    /**
     * Returns the two-sided p-value of {@code x1} successes in {@code n1} trials against {@code x2}
     * in {@code n2} trials.
     *
     * @throws IllegalArgumentException if a count is negative or a success count exceeds its trials
     */
    static double fisherPValue(long x1, long n1, long x2, long n2) {
        if (x1 < 0 || x2 < 0 || n1 < x1 || n2 < x2) {
            throw new IllegalArgumentException("invalid counts: " + x1 + " of " + n1 + " and " + x2 + " of " + n2);
        }
        long total = n1 + n2;
        long successes = x1 + x2;
        long low = Math.max(0, n1 - (total - successes));
        long high = Math.min(successes, n1);
        if (low == high) {
            return 1.0;
        }
        long mode = Math.max(low, Math.min(high, (successes + 1) * (n1 + 1) / (total + 2)));

        double lower = 0;
        double upper = 0;
        double sum = 0;
        // The mode's term is 1; walk up.
        double term = 1;
        for (long x = mode; x <= high && term >= NEGLIGIBLE; x++) {
            sum += term;
            if (x <= x1) {
                lower += term;
            }
            if (x >= x1) {
                upper += term;
            }
            term *= (double) (successes - x) * (n1 - x) / ((double) (x + 1) * (total - successes - n1 + x + 1));
        }
        // Walk down from the mode.
        term = 1;
        for (long x = mode - 1; x >= low; x--) {
            term *= (double) (x + 1) * (total - successes - n1 + x + 1) / ((double) (successes - x) * (n1 - x));
            if (term < NEGLIGIBLE) {
                break;
            }
            sum += term;
            if (x <= x1) {
                lower += term;
            }
            if (x >= x1) {
                upper += term;
            }
        }
        return Math.min(1.0, 2 * Math.min(lower, upper) / sum);
    }
}
