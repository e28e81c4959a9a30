package dev.kvcache.engine.exact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.task.PointerLaw;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import org.apache.commons.math3.fraction.BigFraction;
import org.junit.jupiter.api.Test;

class ExactValuesTest {
    private static final long[] SMALL_KS = {2, 3, 4, 5, 8};
    private static final double RELATIVE_TOLERANCE = 1e-12;

    /** Converts an exact fraction to double through 40-digit decimal division. */
    private static double toDouble(BigFraction value) {
        BigDecimal numerator = new BigDecimal(value.getNumerator());
        BigDecimal denominator = new BigDecimal(value.getDenominator());
        return numerator.divide(denominator, new MathContext(40)).doubleValue();
    }

    private static void assertRelativelyClose(BigFraction expected, double actual, String cell) {
        double reference = toDouble(expected);
        if (reference == 0.0) {
            assertEquals(0.0, actual, cell);
        } else {
            assertEquals(reference, actual, Math.abs(reference) * RELATIVE_TOLERANCE, cell);
        }
    }

    @Test
    void fixedSetHandComputedSmallestCases() {
        // n = 2, s = 1, k = 4: T = 2, reads at orbit indices 0 and 1. The reads coincide (d = 1)
        // exactly when x0 is a fixed point, probability 1/2 under both laws, and then the chance
        // that one point is in the set is 1/2. With d = 2 a set of one position cannot hold both.
        // So P(E) = 1/2 * 1/2 = 1/4.
        assertEquals(new BigFraction(1, 4), ExactValues.fixedSetExact(PointerLaw.FUNCTION, 2, 1, 4));
        assertEquals(new BigFraction(1, 4), ExactValues.fixedSetExact(PointerLaw.PERMUTATION, 2, 1, 4));

        // n = 3, s = 2, k = 5: T = 3, reads at orbit indices 0, 1, 3. Containment ratios
        // g(1) = 2/3, g(2) = 2*1/(3*2) = 1/3, g(3) = 0. Random function, by the last new index j:
        //   j = 0 (x1 = x0), probability 1/3: d = 1.
        //   j = 1, probability (2/3)(2/3) = 4/9: landing 0 (cycle 2) maps index 3 to 1, landing 1
        //     (cycle 1) maps it to 1; both give d = 2.
        //   j = 2, probability (2/3)(1/3)(3/3) = 2/9: landing 0 (cycle 3) maps index 3 to 0 (d = 2),
        //     landing 1 (cycle 2) maps it to 1 (d = 2), landing 2 (cycle 1) keeps it at 2 (d = 3).
        // P(E) = 1/3 * 2/3 + (4/9 + 2/9 * 2/3) * 1/3 = 2/9 + 16/81 = 34/81.
        assertEquals(new BigFraction(34, 81), ExactValues.fixedSetExact(PointerLaw.FUNCTION, 3, 2, 5));
        // Permutation: cycle length 1 gives d = 1; lengths 2 and 3 give residues {0, 1, 1} and
        // {0, 1, 0}, so d = 2. P(E) = 1/3 * 2/3 + 2/3 * 1/3 = 4/9.
        assertEquals(new BigFraction(4, 9), ExactValues.fixedSetExact(PointerLaw.PERMUTATION, 3, 2, 5));

        assertEquals(34.0 / 81.0, ExactValues.fixedSet(PointerLaw.FUNCTION, 3, 2, 5), 1e-15);
        assertEquals(4.0 / 9.0, ExactValues.fixedSet(PointerLaw.PERMUTATION, 3, 2, 5), 1e-15);
    }

    @Test
    void randomFreshHandComputedValue() {
        // n = 3, s = 2, k = 5: three stages, each hitting with probability 2/3.
        assertEquals(new BigFraction(8, 27), ExactValues.randomFreshExact(3, 2, 5));
        assertEquals(8.0 / 27.0, ExactValues.randomFresh(3, 2, 5), 1e-16);
    }

    @Test
    void doubleValuesMatchExactOnSmallGrid() {
        for (int n = 2; n <= 12; n++) {
            for (int s = 1; s <= n; s++) {
                for (long k : new long[] {2, 3, 4, 5, 8, 16, 17, 100, 1L << 16}) {
                    String cell = "n=" + n + " s=" + s + " k=" + k;
                    assertRelativelyClose(ExactValues.randomFreshExact(n, s, k), ExactValues.randomFresh(n, s, k), cell);
                    for (PointerLaw law : PointerLaw.values()) {
                        assertRelativelyClose(ExactValues.fixedSetExact(law, n, s, k),
                                ExactValues.fixedSet(law, n, s, k), cell + " law=" + law);
                    }
                }
            }
        }
    }

    @Test
    void doubleValuesMatchExactWithLumpedOrbits() {
        // With n above the last read index 2^(T-1) - 1 the double sum lumps the orbits whose reads
        // are all distinct. These cells exercise that term and long prefix sums.
        int[][] cells = {{40, 3, 64}, {200, 14, 256}, {300, 1, 512}, {300, 300, 512}, {1000, 30, 64}, {150, 7, 1024}};
        for (int[] cell : cells) {
            for (PointerLaw law : PointerLaw.values()) {
                String name = "n=" + cell[0] + " s=" + cell[1] + " k=" + cell[2] + " law=" + law;
                assertRelativelyClose(ExactValues.fixedSetExact(law, cell[0], cell[1], cell[2]),
                        ExactValues.fixedSet(law, cell[0], cell[1], cell[2]), name);
            }
        }
    }

    @Test
    void fixedSetEqualsFreshWhenOneStage() {
        // k = 2 has T = 1: one read, in the set with probability s/n under every law.
        for (PointerLaw law : PointerLaw.values()) {
            assertEquals(new BigFraction(3, 7), ExactValues.fixedSetExact(law, 7, 3, 2));
            assertEquals(3.0 / 7.0, ExactValues.fixedSet(law, 7, 3, 2), 1e-15);
        }
    }

    @Test
    void fixedSetFullCacheIsOne() {
        for (PointerLaw law : PointerLaw.values()) {
            assertEquals(BigFraction.ONE, ExactValues.fixedSetExact(law, 9, 9, 8));
            assertEquals(1.0, ExactValues.fixedSet(law, 9, 9, 8), 1e-14);
            assertEquals(1.0, ExactValues.fixedSet(law, 1L << 40, 1L << 40, 8), 1e-12);
        }
    }

    @Test
    void fixedSetLargeNLeadingTerm() {
        // n = 2^40, s = 2^8, k = 16: T = 4, reads at orbit indices 0, 1, 3, 7. The leading term is
        // the fixed point x1 = x0 (probability exactly 1/n under both laws), after which one read
        // position lies in the set with probability s/n: s/n^2. The next shapes have d = 2, each of
        // probability about 1/n times containment s(s-1)/(n(n-1)). Under a random function there
        // are four of them (tail 0 with cycle 2 or 3, tail 1 with cycle 1 or 2), under a
        // permutation two (cycle 2 or 3). Everything else is smaller by a factor (s/n)^2 = 2^-64,
        // so P(E) / (s/n^2) - 1 equals c (s-1)/(n-1) with c = 4 or 2 to a relative 1e-3.
        long n = 1L << 40;
        long s = 1L << 8;
        double leading = (double) s / n / n;
        double secondOrder = (double) (s - 1) / (double) (n - 1);
        double function = ExactValues.fixedSet(PointerLaw.FUNCTION, n, s, 16);
        double permutation = ExactValues.fixedSet(PointerLaw.PERMUTATION, n, s, 16);

        assertTrue(Double.isFinite(function));
        assertTrue(function > 0.0);
        assertTrue(Double.isFinite(permutation));
        assertTrue(permutation > 0.0);
        assertEquals(4 * secondOrder, function / leading - 1.0, 4 * secondOrder * 1e-3);
        assertEquals(2 * secondOrder, permutation / leading - 1.0, 2 * secondOrder * 1e-3);
    }

    @Test
    void fixedSetTinyValueKeepsRelativeAccuracy() {
        // With s = 1 two distinct reads can never both be in the set, so only orbits whose reads
        // all coincide count: x0 a fixed point, probability exactly 1/n under both laws, and then
        // containment 1/n. P(E) = 1/n^2 = 2^-124 exactly, about 4.7e-38, for every k.
        long n = 1L << 62;
        double expected = Math.scalb(1.0, -124);
        for (PointerLaw law : PointerLaw.values()) {
            assertEquals(expected, ExactValues.fixedSet(law, n, 1, 1L << 16), expected * 1e-14, law.toString());
            assertEquals(expected, ExactValues.fixedSet(law, n, 1, 3), expected * 1e-14, law.toString());
        }
    }

    @Test
    void fixedSetLongRunsStayFinite() {
        // k = 2^20 gives T = 20 and 2^19 - 1 orbit shapes; the value must stay between the
        // leading fixed-point term s/n^2 and the single-read value s/n.
        long n = 1L << 62;
        long s = 1L << 20;
        double value = ExactValues.fixedSet(PointerLaw.FUNCTION, n, s, 1L << 20);
        double leading = (double) s / n / n;
        assertTrue(value >= leading * (1 - 1e-12), "value " + value + " below the fixed-point term " + leading);
        assertTrue(value <= (double) s / n, "value " + value + " above s/n");
    }

    @Test
    void fixedSetRejectsTooManyShapes() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ExactValues.fixedSet(PointerLaw.FUNCTION, 1L << 62, 4, 1L << 40));
        assertTrue(error.getMessage().contains("k <= 2^23"), error.getMessage());
        // A small n bounds the shapes whatever k is.
        assertTrue(ExactValues.fixedSet(PointerLaw.FUNCTION, 1000, 4, 1L << 40) > 0.0);
    }

    @Test
    void randomFreshStaysAccurateForTinyRatios() {
        // (2^8 / 2^62)^16 = 2^-864, exact as a double.
        assertEquals(Math.scalb(1.0, -864), ExactValues.randomFresh(1L << 62, 1L << 8, 1L << 16), 0.0);
        // (1/3)^2 from T = 2.
        assertEquals(1.0 / 9.0, ExactValues.randomFresh(3, 1, 4), 1e-16);
    }

    @Test
    void adaptiveIsCacheFraction() {
        assertEquals(0.25, ExactValues.adaptive(8, 2), 0.0);
        assertEquals(Math.scalb(1.0, -54), ExactValues.adaptive(1L << 62, 1L << 8), 0.0);
    }

    @Test
    void obliviousBoundFormula() {
        // n = 100, s = 2, k = 4: T = 2, (2/98)^2 + 2 * 8 / 100.
        assertEquals(Math.pow(2.0 / 98.0, 2) + 0.16, ExactValues.obliviousBound(100, 2, 4), 1e-15);
        // n <= T makes the first term undefined: the bound is vacuous.
        assertEquals(Double.POSITIVE_INFINITY, ExactValues.obliviousBound(3, 1, 8));
    }

    @Test
    void obliviousBoundHoldsForFixedSetInRegime() {
        // Inside the theorem regime the fixed-set value must not exceed (s/(n-T))^T + 2 T^3 / n.
        long n = 1L << 20;
        for (long s : new long[] {1, 16, 256}) {
            for (long k : new long[] {2, 8, 64, 1024}) {
                assertTrue(ExactValues.inTheoremRegime(n, s, k));
                for (PointerLaw law : PointerLaw.values()) {
                    double value = ExactValues.fixedSet(law, n, s, k);
                    double bound = ExactValues.obliviousBound(n, s, k);
                    assertTrue(value <= bound, "s=" + s + " k=" + k + " " + law + ": " + value + " > " + bound);
                }
            }
        }
    }

    @Test
    void separationFormula() {
        // n = 64, s = 4, k = 8: T = 3, (64/4)^2 = 256.
        assertEquals(256.0, ExactValues.separation(64, 4, 8), 0.0);
        assertEquals(1.0, ExactValues.separation(64, 4, 2), 0.0);
        // Equals adaptive / random-fresh.
        assertEquals(ExactValues.adaptive(1000, 7) / ExactValues.randomFresh(1000, 7, 100),
                ExactValues.separation(1000, 7, 100), 1e-9 * ExactValues.separation(1000, 7, 100));
    }

    @Test
    void theoremRegimeBoundaries() {
        // n = 64: 16 s^2 <= 64 means s <= 2; n >= 4k means k <= 16.
        assertTrue(ExactValues.inTheoremRegime(64, 2, 16));
        assertFalse(ExactValues.inTheoremRegime(64, 3, 16));
        assertFalse(ExactValues.inTheoremRegime(64, 2, 17));
        // n = 63: s = 2 gives 16 s^2 = 64 > 63.
        assertFalse(ExactValues.inTheoremRegime(63, 2, 2));
        assertTrue(ExactValues.inTheoremRegime(63, 1, 15));
        assertFalse(ExactValues.inTheoremRegime(63, 1, 16));
        assertTrue(ExactValues.inTheoremRegime(16, 1, 4));
        assertFalse(ExactValues.inTheoremRegime(15, 1, 2));
    }

    @Test
    void theoremRegimeNearLongRange() {
        long n = 1L << 62;
        // 16 s^2 = n exactly at s = 2^29, and n = 4k exactly at k = 2^60.
        assertTrue(ExactValues.inTheoremRegime(n, 1L << 29, 1L << 60));
        assertFalse(ExactValues.inTheoremRegime(n, (1L << 29) + 1, 1L << 60));
        assertFalse(ExactValues.inTheoremRegime(n, 1L << 29, (1L << 60) + 1));
        assertFalse(ExactValues.inTheoremRegime(n, 1L << 29, Long.MAX_VALUE));
        // s * s overflows here, and the result must still be false.
        assertFalse(ExactValues.inTheoremRegime(n, 3_037_000_500L, 2));
        assertFalse(ExactValues.inTheoremRegime(n, n, 2));
        // Against BigInteger arithmetic around the largest s for n = Long.MAX_VALUE.
        long maxN = Long.MAX_VALUE;
        BigInteger bigN = BigInteger.valueOf(maxN);
        for (long s = 759_250_120L; s <= 759_250_130L; s++) {
            BigInteger sixteenSquared = BigInteger.valueOf(s).pow(2).multiply(BigInteger.valueOf(16));
            boolean expected = sixteenSquared.compareTo(bigN) <= 0;
            assertEquals(expected, ExactValues.inTheoremRegime(maxN, s, 2), "s=" + s);
        }
    }

    @Test
    void invalidArgumentsNameValueAndRule() {
        IllegalArgumentException smallN = assertThrows(IllegalArgumentException.class,
                () -> ExactValues.randomFresh(1, 1, 2));
        assertEquals("n must be at least 2, got 1", smallN.getMessage());
        IllegalArgumentException zeroS = assertThrows(IllegalArgumentException.class,
                () -> ExactValues.fixedSet(PointerLaw.FUNCTION, 10, 0, 2));
        assertEquals("s must be in [1, n] = [1, 10], got 0", zeroS.getMessage());
        IllegalArgumentException largeS = assertThrows(IllegalArgumentException.class,
                () -> ExactValues.adaptive(10, 11));
        assertEquals("s must be in [1, n] = [1, 10], got 11", largeS.getMessage());
        IllegalArgumentException smallK = assertThrows(IllegalArgumentException.class,
                () -> ExactValues.separation(10, 2, 1));
        assertEquals("k must be at least 2, got 1", smallK.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ExactValues.obliviousBound(10, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> ExactValues.inTheoremRegime(10, 2, -5));
        assertThrows(IllegalArgumentException.class, () -> ExactValues.randomFreshExact(4, 5, 2));
        assertThrows(IllegalArgumentException.class, () -> ExactValues.fixedSetExact(PointerLaw.FUNCTION, 1, 1, 2));
        NullPointerException nullLaw = assertThrows(NullPointerException.class,
                () -> ExactValues.fixedSet(null, 10, 2, 2));
        assertNotNull(nullLaw.getMessage());
    }
}
