package dev.kvcache.engine.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * Tests {@link BinomialSampler} against the binomial law of commons-math3: a chi-square
 * goodness-of-fit test on small laws (both of the sampler's methods) and a test of the mean on
 * large ones. Each check is at level 1e-6 with a fixed seed, so the class's false-alarm rate is
 * below 1e-5.
 */
class BinomialSamplerTest {
    private static final double LEVEL = 1e-6;

    @Test
    void smallLawsFitTheBinomialLaw() {
        // Mean below 40 uses the recurrence; above it the inversion of commons-math3; p > 1/2 the mirror.
        long[][] trials = {{20}, {200}, {1000}, {100000}};
        double[] probabilities = {0.05, 0.3, 0.9, 3e-4};
        UniformRandomProvider rng = Seeds.generator(17);
        for (long[] t : trials) {
            for (double p : probabilities) {
                assertFits(rng, (int) t[0], p, 100_000);
            }
        }
    }

    @Test
    void largeTrialCountsHaveTheRightMean() {
        UniformRandomProvider rng = Seeds.generator(23);
        long trials = Integer.MAX_VALUE;
        double p = 1e-8;
        int draws = 20_000;
        double sum = 0;
        for (int i = 0; i < draws; i++) {
            sum += BinomialSampler.sample(rng, trials, p);
        }
        double mean = trials * p;
        double z = (sum / draws - mean) / Math.sqrt(mean * (1 - p) / draws);
        assertTrue(2 * new NormalDistribution().cumulativeProbability(-Math.abs(z)) > LEVEL, "z = " + z);
    }

    @Test
    void edgeCases() {
        UniformRandomProvider rng = Seeds.generator(1);
        assertEquals(0, BinomialSampler.sample(rng, 0, 0.5));
        assertEquals(0, BinomialSampler.sample(rng, 1000, 0));
        assertEquals(1000, BinomialSampler.sample(rng, 1000, 1));
        assertThrows(IllegalArgumentException.class, () -> BinomialSampler.sample(rng, -1, 0.5));
        assertThrows(IllegalArgumentException.class, () -> BinomialSampler.sample(rng, 1L << 31, 0.5));
        assertThrows(IllegalArgumentException.class, () -> BinomialSampler.sample(rng, 10, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> BinomialSampler.sample(rng, 10, 1.5));
    }

    private static void assertFits(UniformRandomProvider rng, int trials, double p, int draws) {
        BinomialDistribution law = new BinomialDistribution(null, trials, p);
        // Bins: each value with an expected count of at least 20, the tails pooled.
        int low = law.inverseCumulativeProbability(20.0 / draws);
        int high = law.inverseCumulativeProbability(1 - 20.0 / draws);
        long[] observed = new long[high - low + 1];
        for (int i = 0; i < draws; i++) {
            long x = BinomialSampler.sample(rng, trials, p);
            observed[(int) (Math.max(low, Math.min(high, x)) - low)]++;
        }
        double statistic = 0;
        for (int k = low; k <= high; k++) {
            double probability = k == low ? law.cumulativeProbability(low)
                : k == high ? 1 - law.cumulativeProbability(high - 1) : law.probability(k);
            double expected = probability * draws;
            double diff = observed[k - low] - expected;
            statistic += diff * diff / expected;
        }
        int df = Math.max(1, high - low);
        double pValue = 1 - new ChiSquaredDistribution(null, df).cumulativeProbability(statistic);
        assertTrue(pValue > LEVEL, "trials " + trials + " p " + p + ": chi-square " + statistic + " on " + df
            + " df, p = " + pValue);
    }
}
