package dev.kvcache.jobs.run;

import dev.kvcache.engine.estimate.TrialCounts;
import java.io.Serializable;

/**
 * The counts of one or more work units of a cell and the engine time they took. Merging adds
 * both, so a cell's outcome is the same whatever order its units finish in.
 *
 * @param counts exact trial counts
 * @param nanos engine time summed over the units, in nanoseconds
 */
public record UnitOutcome(TrialCounts counts, long nanos) implements Serializable {

    /** Returns the sum of two outcomes of the same cell, leaving both unchanged. */
    public static UnitOutcome merge(UnitOutcome a, UnitOutcome b) {
        TrialCounts sum = new TrialCounts(a.counts().stages());
        sum.merge(a.counts()).merge(b.counts());
        return new UnitOutcome(sum, a.nanos() + b.nanos());
    }
}
