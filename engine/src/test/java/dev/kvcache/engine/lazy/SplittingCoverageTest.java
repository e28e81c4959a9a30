package dev.kvcache.engine.lazy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.stats.Binomial;
import dev.kvcache.engine.stats.Interval;
import dev.kvcache.engine.stats.ReplicateMean;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import org.junit.jupiter.api.Test;

/**
 * The coverage of the splitting estimator's interval: over {@value #RUNS} independent runs of a
 * deep cell, each the mean of {@value #REPLICATES} replicates as in a job's cell, the 95% Student t
 * interval must cover the exact {@code P(E)} at a rate consistent with 95%.
 *
 * <p>Each cell's check is an exact two-sided binomial test of the number of covering runs
 * against {@code Binomial(RUNS, 0.95)} at level 1e-3, so with a correct engine and an interval
 * of exact 95% coverage the test fails with probability at most 1e-3 per cell (2e-3 for the
 * class); the seeds are fixed, so the outcome is deterministic.
 */
class SplittingCoverageTest {
    private static final int RUNS = 400;
    private static final int REPLICATES = 16;
    private static final int PARTICLES = 100;
    private static final double LEVEL = 1e-3;

    @Test
    void randomFreshIntervalCoversNinetyFivePercent() {
        // (16 / 2^16)^6 = 2^-72, about 2.1e-22.
        assertCoverage("random-fresh", new ChaseTask(1L << 16, 16, 64, PointerLaw.FUNCTION, MissRule.NEAREST));
    }

    @Test
    void fixedSetIntervalCoversNinetyFivePercent() {
        // Dominated by starts that point to themselves: about s/n^2, 3.7e-9.
        assertCoverage("random-fixed", new ChaseTask(1L << 16, 16, 64, PointerLaw.PERMUTATION, MissRule.NEAREST));
    }

    private static void assertCoverage(String controller, ChaseTask task) {
        double exact = SplittingEngineTest.exact(controller, task);
        int covered = 0;
        for (int run = 0; run < RUNS; run++) {
            ReplicateMean mean = SplittingEngineTest.replicates(task, controller, REPLICATES, PARTICLES, 1000 + run);
            Interval interval = mean.interval(0.95);
            if (interval.low() <= exact && exact <= interval.high()) {
                covered++;
            }
        }
        double p = Binomial.pValueTwoSided(covered, RUNS, 0.95);
        int coveredRuns = covered;
        assertTrue(p > LEVEL, () -> controller + ": the 95% interval covered the exact value in " + coveredRuns + " of "
            + RUNS + " runs, p = " + p);
    }
}
