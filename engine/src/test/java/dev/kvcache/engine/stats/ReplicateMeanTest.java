package dev.kvcache.engine.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Tests {@link ReplicateMean} on the replicates {1, 2, 3, 4}. Reference values were computed
 * independently with scipy 1.17 ({@code scipy.stats.t} with 3 degrees of freedom).
 */
class ReplicateMeanTest {
    private static final ReplicateMean FOUR = ReplicateMean.of(new double[] {1, 2, 3, 4});

    @Test
    void meanSpreadAndInterval() {
        assertEquals(4, FOUR.count());
        assertEquals(2.5, FOUR.mean(), 0);
        assertEquals(1.2909944487358056, FOUR.standardDeviation(), 1e-15);
        assertEquals(2.0542602567605206, FOUR.halfWidth(0.95), 1e-9);
        assertEquals(2.0542602567605206 / 2.5, FOUR.relativeError(0.95), 1e-9);
    }

    @Test
    void tests() {
        assertEquals(0.030466291662170977, FOUR.pValueTwoSided(0), 1e-9);
        assertEquals(0.4950253460597111, FOUR.pValueTwoSided(2), 1e-9);
        assertEquals(0.051364039429199496, FOUR.pValueAbove(1), 1e-9);
        assertEquals(0.9486359605708005, FOUR.pValueAbove(4), 1e-9);
    }

    @Test
    void intervalIsClippedToProbabilities() {
        Interval interval = ReplicateMean.of(new double[] {0.1, 0.3, 0.2}).interval(0.95);
        assertEquals(0.0, interval.low(), 0);
        assertTrue(interval.high() > 0.3, interval.toString());
        assertTrue(interval.high() <= 1, interval.toString());
        Interval tight = ReplicateMean.of(new double[] {1e-20, 1.1e-20, 0.9e-20, 1e-20}).interval(0.95);
        assertTrue(tight.low() > 0, tight.toString());
        assertTrue(tight.low() < 1e-20, tight.toString());
        assertTrue(tight.high() > 1e-20, tight.toString());
    }

    @Test
    void noSpreadDecidesExactly() {
        ReplicateMean same = ReplicateMean.of(new double[] {0.25, 0.25, 0.25});
        assertEquals(1.0, same.pValueTwoSided(0.25), 0);
        assertEquals(0.0, same.pValueTwoSided(0.3), 0);
        assertEquals(1.0, same.pValueAbove(0.3), 0);
        assertEquals(0.0, same.pValueAbove(0.2), 0);
        ReplicateMean zero = ReplicateMean.of(new double[] {0, 0});
        assertTrue(Double.isNaN(zero.relativeError(0.95)));
        // Rounding in the estimator's arithmetic is not evidence: 1 + 4 ulps equals 1.
        ReplicateMean rounded = ReplicateMean.of(new double[] {1.0000000000000009, 1.0000000000000007, 1.0000000000000004});
        assertTrue(rounded.noSpread());
        assertEquals(1.0, rounded.pValueTwoSided(1.0), 0);
        assertEquals(1.0, rounded.pValueAbove(1.0), 0);
    }

    @Test
    void rejectsTooFewOrNonFiniteValues() {
        assertThrows(IllegalArgumentException.class, () -> ReplicateMean.of(new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> ReplicateMean.of(new double[] {1, Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> FOUR.halfWidth(1.0));
    }
}
