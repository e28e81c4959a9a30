package dev.kvcache.jobs.verdict;

import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.stats.Interval;
import dev.kvcache.engine.stats.ReplicateMean;
import dev.kvcache.jobs.plan.Cell;

/**
 * Everything the run reports about one cell: its counts, estimates with exact intervals, and its
 * verdicts with raw and Holm-adjusted p-values.
 *
 * @param cell the planned cell
 * @param counts the merged trial counts
 * @param seconds engine time summed over the cell's units
 * @param event estimate of {@code P(E)}: the fraction of trials that saw {@code E}, or for a
 *     splitting cell the mean of its replicates
 * @param eventInterval interval of {@code P(E)} at the run's confidence: Clopper-Pearson (one-sided
 *     when no or every trial saw {@code E}), or for a splitting cell Student t from the replicates'
 *     spread
 * @param relError the interval's half-width relative to the estimate, {@code NaN} when the estimate is 0
 * @param splitting the replicates' mean and spread, {@code null} for a plain cell
 * @param cappedReplicates splitting replicates that ran a stage with {@code splitting.max_clones}
 *     clones, fewer than it wanted
 * @param wrong estimate of the wrong-answer rate over the answered trials, {@code NaN} when none
 * @param wrongInterval Clopper-Pearson interval of the wrong-answer rate, {@code null} when no
 *     trial was answered
 * @param modelP p-value of the {@code model} test (two-sided, against the exact value), or
 *     {@code NaN} when no exact value is known
 * @param modelAdjusted Holm-adjusted {@code modelP}, or {@code NaN}
 * @param verdictModel {@code pass}, {@code fail}, or {@code null} when no exact value is known
 * @param theoryP p-value of the {@code theory} test, or {@code NaN} when no theorem applies
 * @param theoryAdjusted Holm-adjusted {@code theoryP}, or {@code NaN}
 * @param verdictTheory {@code pass}, {@code fail}, or {@code null} when no theorem applies
 */
public record CellReport(Cell cell, TrialCounts counts, double seconds, double event, Interval eventInterval,
                         double relError, ReplicateMean splitting, long cappedReplicates,
                         double wrong, Interval wrongInterval, double modelP, double modelAdjusted,
                         String verdictModel, double theoryP, double theoryAdjusted, String verdictTheory) {

    public static final String PASS = "pass";
    public static final String FAIL = "fail";

    /** Returns plain trials per second of engine time, or {@code NaN} for a splitting cell or when no time was measured. */
    public double trialsPerSecond() {
        return seconds > 0 && splitting == null ? counts.trials() / seconds : Double.NaN;
    }

    /** Returns whether no verdict of this cell failed. */
    public boolean passed() {
        return !FAIL.equals(verdictModel) && !FAIL.equals(verdictTheory);
    }
}
