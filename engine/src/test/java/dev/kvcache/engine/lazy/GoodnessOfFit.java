package dev.kvcache.engine.lazy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.stat.inference.ChiSquareTest;

/**
 * Pearson's chi-square goodness-of-fit test for the sampling tests of this package, with
 * neighbouring cells merged until each expects at least {@value #MIN_EXPECTED} observations, so
 * the chi-square approximation of the statistic's law stays accurate far into its tail.
 */
final class GoodnessOfFit {
    static final double MIN_EXPECTED = 50;

    private GoodnessOfFit() {
    }

    /**
     * Returns the chi-square p-value of the observed counts against cell probabilities that sum to
     * 1, after merging neighbouring cells that expect fewer than {@value #MIN_EXPECTED}
     * observations.
     *
     * @throws IllegalArgumentException if the probabilities do not sum to 1 within {@code 1e-9},
     *     the arrays differ in length, or fewer than two cells remain after merging
     */
    static double pValue(double[] probabilities, long[] observed) {
        if (probabilities.length != observed.length) {
            throw new IllegalArgumentException("probabilities and counts differ in length: "
                + probabilities.length + " and " + observed.length);
        }
        double totalProbability = 0;
        long total = 0;
        for (int i = 0; i < observed.length; i++) {
            totalProbability += probabilities[i];
            total += observed[i];
        }
        if (Math.abs(totalProbability - 1) > 1e-9) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                "cell probabilities sum to %.12f, expected 1", totalProbability));
        }

        List<double[]> merged = new ArrayList<>();
        double expected = 0;
        long count = 0;
        for (int i = 0; i < observed.length; i++) {
            expected += probabilities[i] * total;
            count += observed[i];
            if (expected >= MIN_EXPECTED) {
                merged.add(new double[] {expected, count});
                expected = 0;
                count = 0;
            }
        }
        if (!merged.isEmpty()) {
            double[] last = merged.get(merged.size() - 1);
            last[0] += expected;
            last[1] += count;
        }
        if (merged.size() < 2) {
            throw new IllegalArgumentException("fewer than two cells expect " + MIN_EXPECTED
                + " observations; draw more samples");
        }

        double[] expectedCounts = new double[merged.size()];
        long[] observedCounts = new long[merged.size()];
        for (int i = 0; i < merged.size(); i++) {
            expectedCounts[i] = merged.get(i)[0];
            observedCounts[i] = (long) merged.get(i)[1];
        }
        return new ChiSquareTest().chiSquareTest(expectedCounts, observedCounts);
    }

    /** Returns the p-value of counts that should be equal in every cell. */
    static double pValueUniform(long[] observed) {
        double[] probabilities = new double[observed.length];
        Arrays.fill(probabilities, 1.0 / observed.length);
        return pValue(probabilities, observed);
    }
}
