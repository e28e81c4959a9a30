package dev.kvcache.engine.stats;

import static dev.kvcache.engine.stats.BinomialTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.commons.math3.special.Beta;
import org.junit.jupiter.api.Test;

class BinomialTailTest {
    private static final int[] TRIALS = {1, 2, 5, 40, 333, 3000};

    private static final double[] PROBABILITIES = {1e-10, 0.004, 0.1, 0.3, 0.5, 0.7, 0.95, 1 - 1e-7};

    @Test
    void continuedFractionMatchesExactSums() {
        int compared = 0;
        for (int n : TRIALS) {
            for (double p : PROBABILITIES) {
                // Reference: exact BigInteger coefficients times 60-digit powers, summed.
                ExactBinomial.Tails exact = ExactBinomial.tails(n, p);
                for (int k = 1; k <= n; k++) {
                    if (BinomialTail.isDirect(k, n, p)) {
                        double actual = Math.exp(BinomialTail.logUpperByContinuedFraction(k, n, p, 1 - p));
                        assertClose(exact.upperTail(k), actual, 2e-12, "k = " + k + ", n = " + n + ", p = " + p);
                        compared++;
                    }
                }
            }
        }
        assertTrue(compared > 5000, "compared " + compared);
    }

    @Test
    void commonsRegimeMatchesExactSums() {
        int compared = 0;
        for (int n : TRIALS) {
            for (double p : PROBABILITIES) {
                ExactBinomial.Tails exact = ExactBinomial.tails(n, p);
                for (int k = 1; k <= n; k++) {
                    boolean used = BinomialTail.isDirect(k, n, p) && p <= 0.5
                        && BinomialTail.prefactorExponent(p, k, n - k + 1.0) <= BinomialTail.COMMONS_MAX_EXPONENT;
                    if (used) {
                        // Reference: exact sums, as above.
                        double actual = Math.exp(BinomialTail.logUpperByCommons(k, n, p));
                        assertClose(exact.upperTail(k), actual, 1e-13, "k = " + k + ", n = " + n + ", p = " + p);
                        compared++;
                    }
                }
            }
        }
        assertTrue(compared > 100, "compared " + compared);
    }

    @Test
    void commonsLosesAccuracyForHugeShapes() {
        // This is why large shapes bypass commons-math3: at n = 3e9, p = 1/2, five standard
        // deviations out, its prefactor adds terms near 2e9 and keeps only about 7 digits.
        long n = 3_000_000_000L;
        long k = 1_500_136_931L;
        // Reference: 70-digit log-factorials times directly summed mass ratios.
        double reference = LargeBinomialReference.upperTail(k, n, 0.5);
        double commons = Beta.regularizedBeta(0.5, k, n - k + 1.0);
        double ours = Math.exp(BinomialTail.logUpper(k, n, 0.5, 0.5));
        assertTrue(Math.abs(commons / reference - 1) > 1e-9, "commons-math3 error " + (commons / reference - 1));
        assertClose(reference, ours, 1e-13, "this implementation");
    }

    @Test
    void nearMeanIntegralMatchesContinuedFraction() {
        long[] trials = {1_000_000L, 3_000_000_000L, 10_000_000_000_000L};
        double[] probabilities = {0.5, 0.25, 0.001, 0.9};
        int compared = 0;
        for (long n : trials) {
            for (double p : probabilities) {
                double q = 1 - p;
                double standardDeviation = Math.sqrt(n * p * q);
                for (double z : new double[] {-1.4, -0.5, 0.0, 0.3, 1.0, 1.45}) {
                    long k = (long) Math.ceil(n * p + z * standardDeviation);
                    if (!BinomialTail.isDirect(k, n, p)) {
                        continue;
                    }
                    // Reference: the continued fraction, run to convergence even where it is slow
                    // (12,500 terms at n = 1e13, p = 0.001). The largest disagreement seen is 5e-15.
                    double expected = Math.exp(BinomialTail.logUpperByContinuedFraction(k, n, p, q));
                    double actual = Math.exp(BinomialTail.logUpperNearMean(k, n, p, q));
                    assertClose(expected, actual, 1e-13, "k = " + k + ", n = " + n + ", p = " + p);
                    compared++;
                }
            }
        }
        assertTrue(compared > 40, "compared " + compared);
    }

    @Test
    void nearMeanIntegralMatchesIndependentSums() {
        for (long n : new long[] {1_000_000L, 3_000_000_000L}) {
            for (double p : new double[] {0.5, 0.125}) {
                double standardDeviation = Math.sqrt(n * p * (1 - p));
                for (double z : new double[] {-1.0, 0.0, 1.0}) {
                    long k = (long) Math.ceil(n * p + z * standardDeviation);
                    // Reference: 70-digit log-factorials times directly summed mass ratios.
                    double expected = LargeBinomialReference.upperTail(k, n, p);
                    double actual = Math.exp(BinomialTail.logUpperNearMean(k, n, p, 1 - p));
                    assertClose(expected, actual, 5e-13, "k = " + k + ", n = " + n + ", p = " + p);
                }
            }
        }
    }

    @Test
    void directSideStaysBelowLimit() {
        // The direct side of the continued fraction never exceeds 1 - e^-2 = 0.8647 (the limit for
        // k = 1, n p -> 2), so a tail formed as 1 - (direct side) is at least 0.135 and keeps its
        // relative accuracy. The seed is fixed and the bound is deterministic, not statistical.
        SplittableRandom random = new SplittableRandom(77L);
        double largest = 0.0;
        for (int i = 0; i < 20_000; i++) {
            long n = 1 + (long) Math.floor(Math.pow(10, 12 * random.nextDouble()));
            long k = 1 + (i % 3 == 0 ? random.nextLong(Math.min(n, 5)) : random.nextLong(n));
            double boundary = (k + 1.0) / (n + 3.0);
            double p = Math.min(boundary * (1 - 1e-3 * random.nextDouble()), 1.0);
            if (!BinomialTail.isDirect(k, n, p) || p <= 0) {
                continue;
            }
            double direct = Math.exp(BinomialTail.logUpperDirect(k, n, p, 1 - p));
            largest = Math.max(largest, direct);
        }
        assertTrue(largest < 1 - Math.exp(-2), "largest direct-side tail " + largest);
        assertTrue(largest > 0.8, "the sweep should reach the boundary, largest " + largest);
    }

    @Test
    void gaussLegendreIntegratesPolynomialsExactly() {
        for (int degree = 0; degree <= 47; degree++) {
            double sum = 0.0;
            for (int i = 0; i < GaussLegendre.POINTS; i++) {
                sum += GaussLegendre.weight(i) * Math.pow(GaussLegendre.node(i), degree);
            }
            // Closed form: the integral of x^d over [-1, 1] is 2 / (d + 1) for even d, 0 for odd d.
            double expected = degree % 2 == 0 ? 2.0 / (degree + 1) : 0.0;
            assertEquals(expected, sum, 2e-15, "degree " + degree);
        }
    }

    @Test
    void continuedFractionEndsForSmallSecondShape() {
        // I_x(a, 1) = x^a, so F = 1 - x when b = 1: the fraction ends at d_2 = 0.
        assertEquals(1 - 0.3, BinomialTail.continuedFraction(0.3, 0.7, 5, 1, 10), 1e-16);
        // I_x(a, 2) = x^a (1 + a (1 - x)), so F = (1 - x)^2 (a + 1) / (1 + a (1 - x)), with
        // (1 - x)^2 from the prefactor x^a (1 - x)^b / (a B(a, b)) = x^a (1 - x)^2 (a + 1).
        double x = 0.25;
        double a = 6;
        double expected = (1 - x) * (1 - x) * (a + 1) / (1 + a * (1 - x));
        assertEquals(expected, BinomialTail.continuedFraction(x, 1 - x, a, 2, 10), 1e-15);
    }
}
