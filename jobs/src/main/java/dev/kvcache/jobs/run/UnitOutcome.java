package dev.kvcache.jobs.run;

import dev.kvcache.engine.estimate.TrialCounts;
import java.io.Serializable;
import java.util.Arrays;

/**
 * What one or more work units of a cell produced: exact plain trial counts, the estimates of the
 * splitting replicates with their numbers, and the engine time. Merging adds the counts and
 * gathers the replicates, so a cell's outcome is the same whatever order its units finish in.
 *
 * @param counts exact trial counts of the plain trials
 * @param replicateCount the cell's planned splitting replicates, 0 for a plain cell
 * @param replicateNumbers the numbers of the replicates in this outcome
 * @param replicateEstimates their estimates, in the same order
 * @param particles particles the splitting replicates rebuilt, a measure of their work
 * @param clones clones the splitting replicates decided, summed over their stages
 * @param capped splitting replicates with a stage that wanted more than {@code splitting.max_clones}
 *     clones and ran with the limit
 * @param nanos engine time summed over the units, in nanoseconds
 */
public record UnitOutcome(TrialCounts counts, int replicateCount, int[] replicateNumbers, double[] replicateEstimates,
                          long particles, long clones, long capped, long nanos) implements Serializable {

    /** Returns the outcome of plain trials only. */
    public static UnitOutcome ofCounts(TrialCounts counts, int replicateCount, long nanos) {
        return new UnitOutcome(counts, replicateCount, new int[0], new double[0], 0, 0, 0, nanos);
    }

    /** Returns the number of replicates present. */
    public int replicatesDone() {
        return replicateNumbers.length;
    }

    /**
     * Returns the estimate of every replicate by number.
     *
     * @throws IllegalStateException if a replicate is missing or present twice
     */
    public double[] replicates() {
        double[] byNumber = new double[replicateCount];
        Arrays.fill(byNumber, Double.NaN);
        for (int i = 0; i < replicateNumbers.length; i++) {
            int number = replicateNumbers[i];
            if (!Double.isNaN(byNumber[number])) {
                throw new IllegalStateException("splitting replicate " + number + " was counted twice");
            }
            byNumber[number] = replicateEstimates[i];
        }
        for (int r = 0; r < replicateCount; r++) {
            if (Double.isNaN(byNumber[r])) {
                throw new IllegalStateException("splitting replicate " + r + " is missing");
            }
        }
        return byNumber;
    }

    /** Returns the sum of two outcomes of the same cell, leaving both unchanged. */
    public static UnitOutcome merge(UnitOutcome a, UnitOutcome b) {
        TrialCounts sum = new TrialCounts(a.counts().stages());
        sum.merge(a.counts()).merge(b.counts());
        int[] numbers = Arrays.copyOf(a.replicateNumbers(), a.replicatesDone() + b.replicatesDone());
        System.arraycopy(b.replicateNumbers(), 0, numbers, a.replicatesDone(), b.replicatesDone());
        double[] estimates = Arrays.copyOf(a.replicateEstimates(), numbers.length);
        System.arraycopy(b.replicateEstimates(), 0, estimates, a.replicatesDone(), b.replicatesDone());
        return new UnitOutcome(sum, a.replicateCount(), numbers, estimates, a.particles() + b.particles(),
            a.clones() + b.clones(), a.capped() + b.capped(), a.nanos() + b.nanos());
    }
}
