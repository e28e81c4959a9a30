package dev.kvcache.engine.stats;

import static dev.kvcache.engine.stats.BinomialTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import java.util.function.DoubleFunction;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class ClopperPearsonTest {
    private static final BigDecimal ALPHA_95 = new BigDecimal(1 - 0.95);
    private static final BigDecimal HALF_ALPHA_95 = new BigDecimal((1 - 0.95) / 2);

    @Test
    void zeroEventsGiveOneSidedUpperBound() {
        Interval interval = Binomial.clopperPearson(0, 10, 0.95);
        assertEquals(0.0, interval.low());
        // Reference: bisection on the exact P(X <= 0) = (1 - p)^10 for the root of P(X <= 0) = alpha.
        double reference = bisect(p -> ExactBinomial.tails(10, p).lower()[0], ALPHA_95, false);
        assertClose(reference, interval.high(), 1e-14, "0 of 10");
        assertClose(reference, Binomial.oneSidedUpper(0, 10, 0.95), 1e-14, "one-sided 0 of 10");
    }

    @Test
    void zeroEventsWithATrillionTrials() {
        long n = 1_000_000_000_000L;
        double high = Binomial.clopperPearson(0, n, 0.95).high();
        // Reference: the exact (1 - high)^n by repeated squaring in 60 digits must equal alpha. Its
        // relative sensitivity to high is n high = 3, so 1e-12 here bounds high to 4e-13.
        BigDecimal atBound = ExactBinomial.lowerTailOfSmallCount(0, n, high);
        assertClose(ALPHA_95.doubleValue(), atBound.doubleValue(), 1e-12, "(1 - high)^n");
        assertTrue(high > 2.99e-12, "high " + high);
        assertTrue(high < 3.0e-12, "high " + high);
    }

    @Test
    void allEventsGiveOneSidedLowerBound() {
        Interval interval = Binomial.clopperPearson(10, 10, 0.95);
        assertEquals(1.0, interval.high());
        // Reference: bisection on the exact P(X >= 10) = p^10 for the root of P(X >= 10) = alpha.
        double reference = bisect(p -> ExactBinomial.tails(10, p).upper()[10], ALPHA_95, true);
        assertClose(reference, interval.low(), 1e-14, "10 of 10");
        assertEquals(1.0, Binomial.oneSidedUpper(10, 10, 0.95));
    }

    @Test
    void textbookCasesMatchBisection() {
        int[][] cases = {{5, 10}, {1, 10}, {9, 10}, {1, 20}, {17, 40}, {49, 50}, {3, 50}};
        for (int[] c : cases) {
            int x = c[0];
            int n = c[1];
            Interval interval = Binomial.clopperPearson(x, n, 0.95);
            // Reference: bisection on exact sums for P(X >= x) = alpha/2 and P(X <= x) = alpha/2.
            double low = bisect(p -> ExactBinomial.tails(n, p).upper()[x], HALF_ALPHA_95, true);
            double high = bisect(p -> ExactBinomial.tails(n, p).lower()[x], HALF_ALPHA_95, false);
            assertClose(low, interval.low(), 1e-13, "low " + x + " of " + n);
            assertClose(high, interval.high(), 1e-13, "high " + x + " of " + n);
        }
        // Reference: the same bisection gives [0.18708602844739..., 0.81291397155260...] for 5 of 10.
        Interval fiveOfTen = Binomial.clopperPearson(5, 10, 0.95);
        assertEquals(0.187086028447398, fiveOfTen.low(), 1e-14);
        assertEquals(0.812913971552602, fiveOfTen.high(), 1e-14);
    }

    @Test
    void threeEventsInTrillionsOfTrials() {
        for (long n : new long[] {1_000_000_000_000L, 10_000_000_000_000L}) {
            Interval interval = Binomial.clopperPearson(3, n, 0.95);
            String label = "3 of " + n;
            // Reference: exact tails at the bounds, with (1 - p)^n by repeated squaring in 60 digits.
            // The tails change by about 3 times the relative change of the bound, so agreement to
            // 1e-12 pins the bounds to well under 1e-10 relative.
            double atLow = ExactBinomial.upperTailOfSmallCount(3, n, interval.low()).doubleValue();
            double atHigh = ExactBinomial.lowerTailOfSmallCount(3, n, interval.high()).doubleValue();
            assertClose(0.025, atLow, 1e-12, "P(X >= 3) at low, " + label);
            assertClose(0.025, atHigh, 1e-12, "P(X <= 3) at high, " + label);
            // Poisson limit: n times the bounds solve P(Y >= 3) = 0.025 and P(Y <= 3) = 0.025 for
            // Y ~ Poisson(lambda), with P(Y <= 2) = e^-lambda (1 + lambda + lambda^2 / 2). The
            // binomial and Poisson tails differ by at most lambda^2 / n (Le Cam), below 1e-10 here.
            DoubleUnaryOperator poissonAtMostTwo = lambda -> Math.exp(-lambda) * (1 + lambda + lambda * lambda / 2);
            DoubleUnaryOperator poissonAtMostThree = lambda -> poissonAtMostTwo.applyAsDouble(lambda)
                + Math.exp(-lambda) * lambda * lambda * lambda / 6;
            double lowLimit = bisectOverLambda(lambda -> 1 - poissonAtMostTwo.applyAsDouble(lambda), 0.025, false);
            double highLimit = bisectOverLambda(poissonAtMostThree, 0.025, true);
            assertClose(lowLimit, interval.low() * n, 1e-8, "Poisson limit of low, " + label);
            assertClose(highLimit, interval.high() * n, 1e-8, "Poisson limit of high, " + label);
        }
    }

    @Test
    void boundsNearTheMeanOfThreeBillionTrials() {
        long n = 3_000_000_000L;
        long x = 1_500_000_000L;
        Interval interval = Binomial.clopperPearson(x, n, 0.95);
        // Reference: 70-digit log-factorials times directly summed mass ratios, at the bounds.
        // One unit in the last place of a bound moves these tails by 1.2e-11.
        assertClose(0.025, LargeBinomialReference.upperTail(x, n, interval.low()), 1e-10, "upper tail at low");
        assertClose(0.025, LargeBinomialReference.lowerTail(x, n, interval.high()), 1e-10, "lower tail at high");
        // Symmetry of x = n / 2: low = 1 - high.
        assertEquals(1.0, interval.low() + interval.high(), 1e-15);
    }

    @Test
    void boundsMirrorWhenCountsSwap() {
        long[][] cases = {{1, 7}, {3, 1000}, {250, 1000}, {12345, 10_000_000L}, {3, 1_000_000_000_000L}};
        for (long[] c : cases) {
            long x = c[0];
            long n = c[1];
            // Identity: the interval of n - x events is the mirror image 1 - [high, low].
            Interval direct = Binomial.clopperPearson(x, n, 0.9);
            Interval mirrored = Binomial.clopperPearson(n - x, n, 0.9);
            assertEquals(direct.low(), 1 - mirrored.high(), 1e-15 + 1e-13 * direct.low(), "low " + x + " of " + n);
            assertEquals(direct.high(), 1 - mirrored.low(), 1e-15 + 1e-13 * direct.high(), "high " + x + " of " + n);
        }
    }

    @Test
    void boundsInvertTheTwoSidedTest() {
        long[][] cases = {{5, 10}, {40, 1000}, {3, 1_000_000_000_000L}, {1_500_000_000L, 3_000_000_000L}};
        for (long[] c : cases) {
            Interval interval = Binomial.clopperPearson(c[0], c[1], 0.99);
            // Definition: at either bound the two-sided p-value equals alpha = 0.01.
            assertClose(0.01, Binomial.pValueTwoSided(c[0], c[1], interval.low()), 1e-10, "low of " + c[0]);
            assertClose(0.01, Binomial.pValueTwoSided(c[0], c[1], interval.high()), 1e-10, "high of " + c[0]);
        }
    }

    @Test
    void oneSidedUpperUsesFullAlpha() {
        // Reference: bisection on the exact P(X <= 3) for Bin(40, p) = alpha.
        double reference = bisect(p -> ExactBinomial.tails(40, p).lower()[3], ALPHA_95, false);
        assertClose(reference, Binomial.oneSidedUpper(3, 40, 0.95), 1e-13, "3 of 40");
        // A confidence below 1/2 puts the bound below the estimate 3/40.
        double belowHalf = Binomial.oneSidedUpper(3, 40, 0.3);
        double referenceBelowHalf = bisect(p -> ExactBinomial.tails(40, p).lower()[3], new BigDecimal(1 - 0.3), false);
        assertClose(referenceBelowHalf, belowHalf, 1e-13, "3 of 40 at 30%");
        assertTrue(belowHalf < 3.0 / 40, "bound " + belowHalf);
    }

    @Test
    void boundsWithinOneUlpOfRoot() {
        // The seed is fixed and every check is deterministic. Each bound must either satisfy its
        // tail equation to 1e-12, or the target must lie between the tails at the two
        // neighboring doubles, so that no double is closer to the root.
        SplittableRandom random = new SplittableRandom(1934L);
        double[] confidences = {1e-6, 0.3, 0.5, 0.9, 0.95, 0.999999, 1 - 1e-12};
        for (int i = 0; i < 5000; i++) {
            long n = 2 + (long) Math.floor(Math.pow(2, 53 * random.nextDouble()));
            long x = switch (i % 4) {
                case 0 -> 1 + random.nextLong(n - 1);
                case 1 -> 1 + random.nextLong(Math.min(n - 1, 10));
                case 2 -> n - 1 - random.nextLong(Math.min(n - 1, 10));
                default -> n / 2;
            };
            double confidence = confidences[i % confidences.length];
            double halfAlpha = (1 - confidence) / 2;
            Interval interval = Binomial.clopperPearson(x, n, confidence);
            String label = x + " of " + n + " at " + confidence + ": " + interval;
            assertRootWithinOneUlp(p -> Binomial.upperTail(x, n, p), interval.low(), halfAlpha, "low of " + label);
            assertRootWithinOneUlp(p -> Binomial.lowerTail(x, n, p), interval.high(), halfAlpha, "high of " + label);
        }
    }

    @Test
    void invalidArgumentsAreRejectedWithMessage() {
        assertMessage("Invalid confidence: 0.0, the value must be in (0, 1)", () -> Binomial.clopperPearson(1, 10, 0.0));
        assertMessage("Invalid confidence: 1.0, the value must be in (0, 1)", () -> Binomial.clopperPearson(1, 10, 1.0));
        assertMessage("Invalid confidence: NaN, the value must be in (0, 1)",
            () -> Binomial.clopperPearson(1, 10, Double.NaN));
        assertMessage("Invalid confidence: NaN, the value must be in (0, 1)",
            () -> Binomial.oneSidedUpper(1, 10, Double.NaN));
        assertMessage("Invalid events: 11, the value must be in [0, trials] = [0, 10]",
            () -> Binomial.clopperPearson(11, 10, 0.95));
        assertMessage("Invalid trials: 0, the value must be in [1, 2^53]", () -> Binomial.oneSidedUpper(0, 0, 0.95));
    }

    @Test
    void intervalRejectsInvalidBounds() {
        assertMessage("Invalid interval [0.5, 0.4], the bounds must satisfy 0 <= low <= high <= 1",
            () -> new Interval(0.5, 0.4));
        assertMessage("Invalid interval [NaN, 0.4], the bounds must satisfy 0 <= low <= high <= 1",
            () -> new Interval(Double.NaN, 0.4));
        assertMessage("Invalid interval [0.1, NaN], the bounds must satisfy 0 <= low <= high <= 1",
            () -> new Interval(0.1, Double.NaN));
        assertMessage("Invalid interval [-0.1, 0.4], the bounds must satisfy 0 <= low <= high <= 1",
            () -> new Interval(-0.1, 0.4));
        assertMessage("Invalid interval [0.1, 1.5], the bounds must satisfy 0 <= low <= high <= 1",
            () -> new Interval(0.1, 1.5));
        Interval point = new Interval(0.25, 0.25);
        assertEquals(0.25, point.low());
        assertEquals(0.25, point.high());
    }

    /** Returns the {@code lambda} in {@code (0, 100)} where {@code tail(lambda)} crosses {@code target}. */
    private static double bisectOverLambda(DoubleUnaryOperator tail, double target, boolean decreasing) {
        double low = 0.0;
        double high = 100.0;
        for (int i = 0; i < 200; i++) {
            double middle = 0.5 * (low + high);
            boolean aboveTarget = tail.applyAsDouble(middle) > target;
            if (aboveTarget == decreasing) {
                low = middle;
            } else {
                high = middle;
            }
        }
        return 0.5 * (low + high);
    }

    private static void assertRootWithinOneUlp(DoubleUnaryOperator tail, double bound, double target, String label) {
        double atBound = tail.applyAsDouble(bound);
        if (Math.abs(atBound / target - 1) <= 1e-12) {
            return;
        }
        double below = tail.applyAsDouble(Math.max(0.0, Math.nextDown(bound)));
        double above = tail.applyAsDouble(Math.min(1.0, Math.nextUp(bound)));
        assertTrue((below - target) * (above - target) <= 0,
            label + ": target " + target + " not between " + below + " and " + above + " (at bound " + atBound + ")");
    }

    /**
     * Returns the double {@code p} where the exact {@code tail(p)} crosses {@code target}, by
     * bisection until the bracket has no double strictly inside it.
     */
    private static double bisect(DoubleFunction<BigDecimal> tail, BigDecimal target, boolean increasing) {
        double low = 0.0;
        double high = 1.0;
        while (true) {
            double middle = 0.5 * (low + high);
            if (middle <= low || middle >= high) {
                return middle;
            }
            boolean aboveTarget = tail.apply(middle).compareTo(target) > 0;
            if (aboveTarget == increasing) {
                high = middle;
            } else {
                low = middle;
            }
        }
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, thrown.getMessage());
    }
}
