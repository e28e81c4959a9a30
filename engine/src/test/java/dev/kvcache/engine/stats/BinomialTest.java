package dev.kvcache.engine.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BinomialTest {
    /** Relative tolerance against exact sums; the largest error seen on this sweep is 5.3e-13. */
    private static final double EXACT_TOLERANCE = 2e-12;

    private static final int[] TRIALS = {1, 2, 7, 50, 333, 1000, 3000};

    private static final double[] PROBABILITIES = {
        0.0, 1e-9, 0.001, 0.013, 0.1, 0.37, 0.5, 0.77, 0.999, 1 - 1e-9, 1.0,
    };

    private static final long THREE_BILLION = 3_000_000_000L;

    @Test
    void tailsMatchExactSums() {
        int compared = 0;
        int belowOneEMinus100 = 0;
        for (int n : TRIALS) {
            for (double p : PROBABILITIES) {
                // Reference: exact BigInteger coefficients times 60-digit powers, summed over outcomes.
                ExactBinomial.Tails exact = ExactBinomial.tails(n, p);
                for (int k = 0; k <= n; k++) {
                    String label = "k = " + k + ", n = " + n + ", p = " + p;
                    assertClose(exact.upperTail(k), Binomial.upperTail(k, n, p), EXACT_TOLERANCE, "upper " + label);
                    assertClose(exact.lowerTail(k), Binomial.lowerTail(k, n, p), EXACT_TOLERANCE, "lower " + label);
                    compared++;
                    if (exact.upperTail(k) > 0 && exact.upperTail(k) < 1e-100) {
                        belowOneEMinus100++;
                    }
                }
            }
        }
        assertTrue(compared > 40_000, "compared " + compared);
        assertTrue(belowOneEMinus100 > 1000, "tails below 1e-100: " + belowOneEMinus100);
    }

    @Test
    void twoSidedPValueMatchesExactDoubling() {
        for (int n : TRIALS) {
            for (double p : PROBABILITIES) {
                // Reference: min(1, 2 min(lower, upper)) from the exact sums.
                ExactBinomial.Tails exact = ExactBinomial.tails(n, p);
                for (int k = 0; k <= n; k++) {
                    String label = "k = " + k + ", n = " + n + ", p0 = " + p;
                    assertClose(exact.twoSided(k), Binomial.pValueTwoSided(k, n, p), EXACT_TOLERANCE, label);
                }
            }
        }
    }

    @Test
    void tailBelowOneEMinus100MatchesExactSum() {
        // Reference: exact sum. P(X >= 800) for Bin(3000, 0.1) is about 1e-145.
        ExactBinomial.Tails exact = ExactBinomial.tails(3000, 0.1);
        double expected = exact.upperTail(800);
        assertTrue(expected < 1e-100, "reference " + expected);
        assertTrue(expected > 1e-200, "reference " + expected);
        assertClose(expected, Binomial.upperTail(800, 3000, 0.1), EXACT_TOLERANCE, "upper tail");
        assertClose(expected, Binomial.pValueAbove(800, 3000, 0.1), EXACT_TOLERANCE, "pValueAbove");
        assertClose(2 * expected, Binomial.pValueTwoSided(800, 3000, 0.1), EXACT_TOLERANCE, "two-sided");
    }

    @Test
    void pValuesNear1eMinus300StayPositive() {
        // Closed form: P(X >= n) = p^n, so P(X >= 1000) = 2^-1000 = 9.3e-302 for Bin(1000, 1/2).
        double expected = Math.scalb(1.0, -1000);
        assertClose(expected, Binomial.upperTail(1000, 1000, 0.5), 1e-13, "2^-1000");
        assertClose(2 * expected, Binomial.pValueTwoSided(1000, 1000, 0.5), 1e-13, "two-sided 2^-999");
        // Closed form: P(X >= 999) = (1000 + 1) 2^-1000.
        assertClose(1001 * expected, Binomial.upperTail(999, 1000, 0.5), 1e-13, "1001 * 2^-1000");
        // Closed form: P(X >= 1020) = 2^-1020 = 8.9e-308, just above the smallest normal double.
        assertClose(Math.scalb(1.0, -1020), Binomial.upperTail(1020, 1020, 0.5), 1e-13, "2^-1020");

        // Reference: exact sum over Bin(3000, 1/2), at the smallest k whose tail is below 1e-250.
        ExactBinomial.Tails exact = ExactBinomial.tails(3000, 0.5);
        int k = 1500;
        while (exact.upperTail(k) > 1e-250) {
            k++;
        }
        double reference = exact.upperTail(k);
        assertTrue(reference < 1e-250, "reference " + reference);
        assertTrue(reference > 1e-255, "reference " + reference);
        double actual = Binomial.pValueAbove(k, 3000, 0.5);
        assertTrue(actual > 0, "p-value must stay positive");
        assertClose(reference, actual, EXACT_TOLERANCE, "tail near 1e-250");
    }

    @Test
    void tailsBeyondTwoToThe31TrialsNearMean() {
        long n = THREE_BILLION;
        double p = 0.5;
        double standardDeviation = Math.sqrt(n * p * (1 - p));
        for (double z : new double[] {-1.0, 0.0, 0.3, 1.0, 2.0, 5.0}) {
            long k = (long) Math.ceil(n * p + z * standardDeviation);
            String label = "k = " + k + ", z = " + z;
            // Reference: 70-digit log-factorials times a directly summed series of mass ratios.
            // The largest disagreement seen is 8e-14.
            assertClose(LargeBinomialReference.upperTail(k, n, p), Binomial.upperTail(k, n, p), 5e-13, "upper " + label);
            assertClose(LargeBinomialReference.lowerTail(k, n, p), Binomial.lowerTail(k, n, p), 5e-13, "lower " + label);
            // Identity: P(X >= k) + P(X <= k - 1) = 1, for tails computed by separate routes.
            assertEquals(1.0, Binomial.upperTail(k, n, p) + Binomial.lowerTail(k - 1, n, p), 4e-16, "sum " + label);
        }
    }

    @Test
    void tailsBeyondTwoToThe31TrialsFarOut() {
        long n = THREE_BILLION;
        double p = 0.5;
        double standardDeviation = Math.sqrt(n * p * (1 - p));
        for (double z : new double[] {10.0, 20.0, 37.0}) {
            long k = (long) Math.ceil(n * p + z * standardDeviation);
            double reference = LargeBinomialReference.upperTail(k, n, p);
            double actual = Binomial.upperTail(k, n, p);
            // Reference: as above. At z = 37 the tail is 5.7e-300.
            assertClose(reference, actual, 5e-13, "upper z = " + z);
            assertTrue(actual > 0, "tail must stay positive at z = " + z);
            // Symmetry of Bin(n, 1/2): P(X <= n - k) = P(X >= k).
            assertClose(actual, Binomial.lowerTail(n - k, n, p), 1e-15, "mirror z = " + z);
        }

        // A rare event: mean 3000 events, tails near 1e-248 on both sides.
        double rare = 1e-6;
        long[] counts = {1357, 2727, 2946, 3000, 3055, 3274, 5027};
        for (long k : counts) {
            boolean lowerSide = k < n * rare;
            double reference = lowerSide
                ? LargeBinomialReference.lowerTail(k, n, rare)
                : LargeBinomialReference.upperTail(k, n, rare);
            double actual = lowerSide ? Binomial.lowerTail(k, n, rare) : Binomial.upperTail(k, n, rare);
            assertClose(reference, actual, 1e-12, "p = 1e-6, k = " + k);
        }
    }

    @Test
    void tailsOfSmallCountsWithTrillionsOfTrials() {
        for (long n : new long[] {1_000_000_000_000L, 10_000_000_000_000L}) {
            for (double p : new double[] {3e-13, 1e-12, 7.5e-14}) {
                for (int k = 0; k <= 6; k++) {
                    String label = "k = " + k + ", n = " + n + ", p = " + p;
                    // Reference: exact sum of the k + 1 lowest outcomes, (1 - p)^n by repeated squaring.
                    double lower = ExactBinomial.lowerTailOfSmallCount(k, n, p).doubleValue();
                    assertClose(lower, Binomial.lowerTail(k, n, p), 1e-13, "lower " + label);
                    if (k >= 1) {
                        double upper = ExactBinomial.upperTailOfSmallCount(k, n, p).doubleValue();
                        assertClose(upper, Binomial.upperTail(k, n, p), 1e-13, "upper " + label);
                    }
                }
            }
        }
    }

    @Test
    void pValuesStayInUnitInterval() {
        // The seed is fixed, and the checks are deterministic bounds, not statistical tests.
        SplittableRandom random = new SplittableRandom(20240611L);
        for (int i = 0; i < 20_000; i++) {
            long n = 1 + (long) Math.floor(Math.pow(10, 13 * random.nextDouble()));
            long k = random.nextLong(n + 1);
            double p = switch (i % 5) {
                case 0 -> random.nextDouble();
                case 1 -> Math.pow(10, -20 * random.nextDouble());
                case 2 -> 1 - Math.pow(10, -15 * random.nextDouble());
                case 3 -> Math.min(1.0, Math.max(0.0, (k + (random.nextDouble() - 0.5) * 10 * Math.sqrt(k + 1)) / n));
                default -> random.nextInt(3) / 2.0;
            };
            String label = "k = " + k + ", n = " + n + ", p = " + p;
            double twoSided = Binomial.pValueTwoSided(k, n, p);
            double above = Binomial.pValueAbove(k, n, p);
            double upper = Binomial.upperTail(k, n, p);
            double lower = Binomial.lowerTail(k, n, p);
            assertInUnitInterval(twoSided, "two-sided at " + label);
            assertInUnitInterval(above, "above at " + label);
            assertInUnitInterval(upper, "upper at " + label);
            assertInUnitInterval(lower, "lower at " + label);
            // P(X >= k) + P(X <= k) = 1 + P(X = k) >= 1.
            assertTrue(upper + lower >= 1 - 1e-12, "upper + lower = " + (upper + lower) + " at " + label);
        }
    }

    @Test
    void boundaryProbabilitiesAreExact() {
        // p = 0: X = 0 surely. p = 1: X = n surely.
        assertEquals(1.0, Binomial.pValueTwoSided(0, 10, 0.0));
        assertEquals(0.0, Binomial.pValueTwoSided(1, 10, 0.0));
        assertEquals(1.0, Binomial.pValueTwoSided(10, 10, 1.0));
        assertEquals(0.0, Binomial.pValueTwoSided(9, 10, 1.0));
        assertEquals(0.0, Binomial.upperTail(1, THREE_BILLION, 0.0));
        assertEquals(1.0, Binomial.upperTail(0, THREE_BILLION, 0.0));
        assertEquals(1.0, Binomial.lowerTail(0, THREE_BILLION, 0.0));
        assertEquals(1.0, Binomial.upperTail(THREE_BILLION, THREE_BILLION, 1.0));
        assertEquals(0.0, Binomial.lowerTail(THREE_BILLION - 1, THREE_BILLION, 1.0));
        assertEquals(1.0, Binomial.lowerTail(THREE_BILLION, THREE_BILLION, 1.0));
        assertEquals(0.0, Binomial.pValueAbove(5, 100, 0.0));
        assertEquals(1.0, Binomial.pValueAbove(0, 100, 0.3));
    }

    @Test
    void extremeProbabilitiesStayValid() {
        double[] probabilities = {Double.MIN_VALUE, Double.MIN_NORMAL, 1e-300, 1 - 1e-16, Math.nextDown(1.0)};
        long[] trials = {1, 2, 10, 1L << 31, THREE_BILLION, 1L << 53};
        for (double p : probabilities) {
            for (long n : trials) {
                for (long k : new long[] {0, 1, n / 2, n - 1, n}) {
                    String label = "k = " + k + ", n = " + n + ", p = " + p;
                    double upper = Binomial.upperTail(k, n, p);
                    double lower = Binomial.lowerTail(k, n, p);
                    assertInUnitInterval(upper, "upper at " + label);
                    assertInUnitInterval(lower, "lower at " + label);
                    assertInUnitInterval(Binomial.pValueTwoSided(k, n, p), "two-sided at " + label);
                    assertTrue(upper + lower >= 1 - 1e-12, "upper + lower at " + label);
                }
            }
        }
        // Closed form: P(X >= 1) = 1 - (1 - p)^10 = 10 p to double precision for the smallest p.
        assertEquals(10 * Double.MIN_VALUE, Binomial.upperTail(1, 10, Double.MIN_VALUE));
        // Closed form: P(X <= 9) = 1 - p^10 = 10 * 2^-53 (1 - 4.5 * 2^-53 + ...) for p = 1 - 2^-53.
        assertClose(10 * Math.scalb(1.0, -53), Binomial.lowerTail(9, 10, Math.nextDown(1.0)), 1e-14, "1 - p^10");
    }

    @Test
    void pValueAboveIsUpperTail() {
        // Definition: the one-sided p-value of H0: p <= bound is P(X >= events) at p = bound.
        assertEquals(Binomial.upperTail(17, 1000, 0.01), Binomial.pValueAbove(17, 1000, 0.01));
        // Reference: exact sum.
        assertClose(ExactBinomial.tails(1000, 0.01).upperTail(17), Binomial.pValueAbove(17, 1000, 0.01),
            EXACT_TOLERANCE, "P(X >= 17)");
    }

    @Test
    void invalidArgumentsAreRejectedWithMessage() {
        assertMessage("Invalid trials: 0, the value must be in [1, 2^53]", () -> Binomial.upperTail(0, 0, 0.5));
        assertMessage("Invalid trials: 9007199254740993, the value must be in [1, 2^53]",
            () -> Binomial.lowerTail(0, (1L << 53) + 1, 0.5));
        assertMessage("Invalid events: -1, the value must be in [0, trials] = [0, 10]",
            () -> Binomial.upperTail(-1, 10, 0.5));
        assertMessage("Invalid events: 11, the value must be in [0, trials] = [0, 10]",
            () -> Binomial.pValueTwoSided(11, 10, 0.5));
        assertMessage("Invalid p: NaN, the value must be in [0, 1]", () -> Binomial.upperTail(1, 10, Double.NaN));
        assertMessage("Invalid p: -0.1, the value must be in [0, 1]", () -> Binomial.lowerTail(1, 10, -0.1));
        assertMessage("Invalid p0: 1.5, the value must be in [0, 1]", () -> Binomial.pValueTwoSided(1, 10, 1.5));
        assertMessage("Invalid p0: NaN, the value must be in [0, 1]",
            () -> Binomial.pValueTwoSided(1, 10, Double.NaN));
        assertMessage("Invalid bound: NaN, the value must be in [0, 1]",
            () -> Binomial.pValueAbove(1, 10, Double.NaN));
        assertMessage("Invalid bound: Infinity, the value must be in [0, 1]",
            () -> Binomial.pValueAbove(1, 10, Double.POSITIVE_INFINITY));
    }

    @Test
    void trialsUpToTwoToThe53AreAccepted() {
        long n = 1L << 53;
        // Closed form: P(X = 0) = (1 - 4/n)^n = e^-4 (1 - 8/n + ...), within 1e-15 of e^-4.
        double p = 4.0 / n;
        assertClose(Math.exp(-4), Binomial.lowerTail(0, n, p), 1e-14, "P(X = 0)");
        double twoSided = Binomial.pValueTwoSided(n / 2, n, 0.5);
        assertTrue(twoSided > 0.99, "two-sided at the mean " + twoSided);
        assertTrue(twoSided <= 1, "two-sided at the mean " + twoSided);
    }

    static void assertClose(double expected, double actual, double relativeTolerance, String label) {
        if (expected < Double.MIN_NORMAL) {
            String message = label + ": expected " + expected + " (below the smallest normal double), got " + actual;
            assertTrue(actual >= 0, message);
            assertTrue(actual < 2 * Double.MIN_NORMAL, message);
            return;
        }
        double error = Math.abs(actual - expected) / expected;
        assertTrue(error <= relativeTolerance,
            label + ": expected " + expected + ", got " + actual + ", relative error " + error);
    }

    private static void assertInUnitInterval(double value, String label) {
        assertTrue(value >= 0, label + ": " + value + " is negative");
        assertTrue(value <= 1, label + ": " + value + " is above 1");
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, thrown.getMessage());
    }
}
