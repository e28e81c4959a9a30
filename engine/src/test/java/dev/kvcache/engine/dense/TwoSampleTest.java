package dev.kvcache.engine.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.distribution.HypergeometricDistribution;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link TwoSample#fisherPValue} against the hypergeometric tails of commons-math3
 * ({@link HypergeometricDistribution}, an independent implementation by saddle-point expansion).
 */
class TwoSampleTest {

    @Test
    void fisherMatchesHypergeometricTails() {
        long[][] cases = {
            {3, 10, 7, 10},
            {0, 50, 5, 40},
            {120, 1000, 95, 1000},
            {4000, 20000, 4300, 20000},
            {20000, 20000, 19990, 20000},
            {1, 30000, 40, 30000},
            {17, 17, 0, 5},
        };
        for (long[] c : cases) {
            int population = (int) (c[1] + c[3]);
            int successes = (int) (c[0] + c[2]);
            HypergeometricDistribution law = new HypergeometricDistribution(null, population, successes, (int) c[1]);
            double lower = law.cumulativeProbability((int) c[0]);
            double upper = law.upperCumulativeProbability((int) c[0]);
            double expected = Math.min(1.0, 2 * Math.min(lower, upper));
            double actual = TwoSample.fisherPValue(c[0], c[1], c[2], c[3]);
            assertEquals(expected, actual, 1e-9 * Math.max(expected, 1e-300),
                () -> "counts " + c[0] + "/" + c[1] + " vs " + c[2] + "/" + c[3]);
        }
    }

    @Test
    void identicalSamplesGiveOne() {
        assertEquals(1.0, TwoSample.fisherPValue(500, 1000, 500, 1000), 1e-12);
        assertEquals(1.0, TwoSample.fisherPValue(0, 1000, 0, 1000));
    }

    @Test
    void farApartSamplesGiveTinyValue() {
        assertTrue(TwoSample.fisherPValue(100, 10000, 400, 10000) < 1e-30);
    }

    @Test
    void invalidCountsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> TwoSample.fisherPValue(11, 10, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> TwoSample.fisherPValue(-1, 10, 0, 10));
    }
}
