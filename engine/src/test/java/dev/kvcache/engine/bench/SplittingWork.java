package dev.kvcache.engine.bench;

import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.lazy.LazyEngine;
import dev.kvcache.engine.lazy.SplittingEngine;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.stats.Binomial;
import dev.kvcache.engine.stats.Interval;
import dev.kvcache.engine.stats.ReplicateMean;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import java.util.Locale;

/**
 * The work splitting needs to reach a 10% relative error on deep cells, against the work plain
 * Monte Carlo would need, on one thread. Run from the repository root with
 * {@code mvn -q -pl engine -Pbench test-compile exec:exec -Dbench.main=dev.kvcache.engine.bench.SplittingWork}.
 *
 * <p>Splitting is measured at the deep cell itself: {@value #REPLICATES} replicates at the
 * separation job's default effort give a relative error (95% Student t half-width over the
 * mean), and the replicates needed for 10% follow from their spread: the fewest whose Student t
 * half-width is at most 10% of the mean. Plain Monte Carlo cannot be run there, so its work is scaled: it needs
 * {@code z^2 (1 - p) / (0.1^2 p)} trials for a 10% half-width, a count this program checks at a
 * shallower cell of the same {@code n} and {@code s} (one stage, where plain trials reach 10% in
 * seconds), and it costs what one events-mode trial costs at the deep cell, which this program
 * measures (a trial stops at its first miss, so the cost barely depends on {@code k}).
 */
public final class SplittingWork {
    private static final int REPLICATES = 16;
    private static final int PARTICLES = 500;
    private static final int SURVIVORS = 100_000;
    private static final double Z = 1.959963984540054;

    private SplittingWork() {
    }

    public static void main(String[] args) {
        Object[][] cells = {
            {"random-fresh", 1L << 20, 16L, 1024L},
            {"random-fresh", 1L << 12, 16L, 1024L},
            {"random-fixed", 1L << 20, 256L, 1024L},
            {"window", 1L << 16, 64L, 256L},
        };
        System.out.println("cell | exact P(E) | splitting: s/replicate, rel. error of 16 | replicates and s for 10%"
            + " | plain: trials for 10% | trials/s | s for 10% (scaled) | check at k=2: trials, rel. error, s");
        for (Object[] c : cells) {
            report((String) c[0], (long) c[1], (long) c[2], (long) c[3]);
        }
    }

    private static void report(String controller, long n, long s, long k) {
        ChaseTask deep = new ChaseTask(n, s, k, PointerLaw.FUNCTION, MissRule.NEAREST);
        double exact = exact(controller, deep);
        SplittingEngine engine = new SplittingEngine(deep, controller, ControllerSettings.defaults(), PARTICLES,
            SURVIVORS, Integer.MAX_VALUE);
        for (int warm = 0; warm < 3; warm++) {
            engine.run(Seeds.unitSeed(1, k, -1 - warm));
        }
        double[] values = new double[REPLICATES];
        long start = System.nanoTime();
        for (int r = 0; r < REPLICATES; r++) {
            values[r] = engine.run(Seeds.unitSeed(2, k, r)).estimate();
        }
        double perReplicate = (System.nanoTime() - start) / 1e9 / REPLICATES;
        ReplicateMean mean = ReplicateMean.of(values);
        double relError = mean.relativeError(0.95);
        int replicatesFor10 = replicatesFor10(mean.standardDeviation() / mean.mean());

        double plainTrials = plainTrialsFor10(exact);
        double plainRate = eventsModeRate(deep, controller, 2_000_000);

        ChaseTask shallow = new ChaseTask(n, s, 2, PointerLaw.FUNCTION, MissRule.NEAREST);
        double shallowExact = exact(controller, shallow);
        long shallowTrials = (long) Math.ceil(plainTrialsFor10(shallowExact));
        TrialCounts counts = new TrialCounts(shallow.stages());
        long shallowStart = System.nanoTime();
        new LazyEngine(shallow, controller, ControllerSettings.defaults(), Seeds.generator(3)).run(shallowTrials, 0, counts);
        double shallowSeconds = (System.nanoTime() - shallowStart) / 1e9;
        Interval interval = Binomial.clopperPearson(counts.events(), counts.trials(), 0.95);
        double shallowEstimate = (double) counts.events() / counts.trials();
        double shallowRelError = (interval.high() - interval.low()) / 2 / shallowEstimate;

        System.out.printf(Locale.ROOT, "%s n=2^%d s=%d k=%d | %.3g | %.3f s, %.1f%% | %d, %.2f s | %.3g | %.3g | %.3g"
                + " | %d, %.1f%%, %.1f s%n",
            controller, Long.numberOfTrailingZeros(n), s, k, exact, perReplicate, 100 * relError, replicatesFor10,
            replicatesFor10 * perReplicate, plainTrials, plainRate, plainTrials / plainRate, shallowTrials,
            100 * shallowRelError, shallowSeconds);
    }

    /**
     * Returns the fewest replicates (at least 2) whose 95% Student t interval has a half-width of
     * at most 10% of the mean, for replicates whose standard deviation is {@code cv} times the mean.
     */
    private static int replicatesFor10(double cv) {
        for (int r = 2; r < 1_000_000; r++) {
            double t = new org.apache.commons.math3.distribution.TDistribution(null, r - 1)
                .inverseCumulativeProbability(0.975);
            if (t * cv / Math.sqrt(r) <= 0.10) {
                return r;
            }
        }
        return 1_000_000;
    }

    /** Trials for a 95% interval of half-width 10% of {@code p}, by the normal approximation. */
    private static double plainTrialsFor10(double p) {
        return Z * Z * (1 - p) / (0.01 * p);
    }

    /** Events-mode trials per second at {@code task}, after a warm-up. */
    private static double eventsModeRate(ChaseTask task, String controller, long trials) {
        LazyEngine engine = new LazyEngine(task, controller, ControllerSettings.defaults(), Seeds.generator(4));
        TrialCounts counts = new TrialCounts(task.stages());
        engine.run(trials, 0, counts);
        long start = System.nanoTime();
        engine.run(trials, 0, counts);
        return trials / ((System.nanoTime() - start) / 1e9);
    }

    private static double exact(String controller, ChaseTask task) {
        return ControllerRegistry.entry(controller).exact().eventProbability(task.law(), task.n(), task.s(), task.k());
    }
}
