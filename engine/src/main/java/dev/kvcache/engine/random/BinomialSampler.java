package dev.kvcache.engine.random;

import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Exact draws from a binomial law, for the splitting estimator, which decides many identical
 * clones at once. A small mean uses inversion by the probability recurrence, so the cost is
 * about the mean; a large one inverts commons-math3's distribution function.
 */
public final class BinomialSampler {
    /** Means below this use the recurrence. */
    private static final double RECURRENCE_MEAN = 40;

    private BinomialSampler() {
    }

    /**
     * Returns a draw of the number of successes in {@code trials} independent trials of
     * probability {@code p}.
     *
     * @throws IllegalArgumentException if {@code trials} is negative or above
     *     {@code Integer.MAX_VALUE}, or {@code p} is not in [0, 1]
     */
    public static long sample(UniformRandomProvider rng, long trials, double p) {
        if (trials < 0 || trials > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("trials must be in [0, " + Integer.MAX_VALUE + "], got " + trials);
        }
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
        }
        if (trials == 0 || p == 0) {
            return 0;
        }
        if (p == 1) {
            return trials;
        }
        if (p > 0.5) {
            return trials - sample(rng, trials, 1 - p);
        }
        double u = rng.nextDouble();
        if (trials * p < RECURRENCE_MEAN) {
            return byRecurrence(u, trials, p);
        }
        return new BinomialDistribution(null, (int) trials, p).inverseCumulativeProbability(u);
    }

    /** Returns the smallest {@code k} whose distribution function reaches {@code u}. */
    private static long byRecurrence(double u, long trials, double p) {
        double mass = Math.exp(trials * Math.log1p(-p));
        double cumulative = mass;
        double ratio = p / (1 - p);
        long k = 0;
        while (u > cumulative && k < trials) {
            mass *= (double) (trials - k) / (k + 1) * ratio;
            if (mass == 0) {
                // The remaining mass is below double precision: u sits in rounding error.
                break;
            }
            k++;
            cumulative += mass;
        }
        return k;
    }
}
