package dev.kvcache.jobs.run;

import dev.kvcache.engine.estimate.TrialCounts;
import java.io.Serializable;
import java.util.Arrays;

/**
 * What one or more work units of a cell produced: exact plain trial counts, the estimates of the
 * splitting replicates by replicate number, and the engine time. Merging adds the counts and
 * fills in the replicates, so a cell's outcome is the same whatever order its units finish in.
 *
 * @param counts exact trial counts of the plain trials
 * @param replicates the estimate of each splitting replicate, by number; {@code NaN} where that
 *     replicate is not part of this outcome; empty for a plain cell
 * @param particles particles the splitting replicates rebuilt, a measure of their work
 * @param clones clones the splitting replicates decided, summed over their stages
 * @param capped splitting replicates with a stage that wanted more than {@code splitting.max_clones}
 *     clones and ran with the limit
 * @param nanos engine time summed over the units, in nanoseconds
 */
public record UnitOutcome(TrialCounts counts, double[] replicates, long particles, long clones, long capped,
                          long nanos)
    implements Serializable {

    /** Returns the outcome of plain trials only. */
    public static UnitOutcome ofCounts(TrialCounts counts, int replicates, long nanos) {
        double[] none = new double[replicates];
        Arrays.fill(none, Double.NaN);
        return new UnitOutcome(counts, none, 0, 0, 0, nanos);
    }

    /** Returns the number of replicates present. */
    public int replicatesDone() {
        int done = 0;
        for (double value : replicates) {
            if (!Double.isNaN(value)) {
                done++;
            }
        }
        return done;
    }

    /**
     * Returns the sum of two outcomes of the same cell, leaving both unchanged.
     *
     * @throws IllegalStateException if both hold the same replicate
     */
    public static UnitOutcome merge(UnitOutcome a, UnitOutcome b) {
        TrialCounts sum = new TrialCounts(a.counts().stages());
        sum.merge(a.counts()).merge(b.counts());
        double[] replicates = a.replicates().clone();
        for (int i = 0; i < replicates.length; i++) {
            double other = b.replicates()[i];
            if (!Double.isNaN(other)) {
                if (!Double.isNaN(replicates[i])) {
                    throw new IllegalStateException("splitting replicate " + i + " was counted twice");
                }
                replicates[i] = other;
            }
        }
        return new UnitOutcome(sum, replicates, a.particles() + b.particles(), a.clones() + b.clones(),
            a.capped() + b.capped(), a.nanos() + b.nanos());
    }
}
