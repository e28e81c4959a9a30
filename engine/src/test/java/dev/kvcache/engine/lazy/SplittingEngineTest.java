package dev.kvcache.engine.lazy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.stats.ReplicateMean;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Tests {@link SplittingEngine} against the exact values of {@code ExactValues} (closed forms for
 * random-fresh, the rho-law sum for the fixed-set controllers) and against the plain lazy engine.
 *
 * <p>Statistical comparisons use fixed seeds, so each outcome is deterministic; each one is a t or
 * z test at level 1e-6, and a class of a few dozen of them has a false-alarm rate below 1e-4 for
 * a correct engine (Bonferroni), as far as the normal approximation of the replicate means holds.
 */
class SplittingEngineTest {
    private static final double LEVEL = 1e-6;
    private static final List<String> OBLIVIOUS = List.of("random-fresh", "random-fixed", "window", "strided");

    /** Default effort of the separation job: 16 replicates of 500 particles and 100,000 survivors per stage. */
    private static final int REPLICATES = 16;
    private static final int PARTICLES = 500;

    @TestFactory
    Stream<DynamicTest> agreesWithExactValuesOnSmallCells() {
        List<DynamicTest> tests = new ArrayList<>();
        long[][] cells = {{64, 8, 2}, {64, 8, 3}, {64, 8, 8}, {64, 4, 16}, {50, 5, 6}};
        for (long[] c : cells) {
            for (String controller : OBLIVIOUS) {
                for (PointerLaw law : PointerLaw.values()) {
                    ChaseTask task = new ChaseTask(c[0], c[1], c[2], law, MissRule.NEAREST);
                    tests.add(DynamicTest.dynamicTest(describe(controller, task),
                        () -> assertAgreesWithExact(task, controller, 64, 50, 7)));
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> agreesWithExactValuesInDeepCells() {
        List<DynamicTest> tests = new ArrayList<>();
        // Deep cells of the default run: P(E) from about 1e-8 (a fixed set at n = 2^16) down to
        // 5e-49 (random-fresh at n = 2^20, T = 10) is checked separately below.
        long[][] cells = {{1L << 16, 16, 64}, {1L << 20, 256, 16}, {1L << 12, 16, 1024}};
        for (long[] c : cells) {
            for (String controller : OBLIVIOUS) {
                PointerLaw law = PointerLaw.FUNCTION;
                ChaseTask task = new ChaseTask(c[0], c[1], c[2], law, MissRule.NEAREST);
                tests.add(DynamicTest.dynamicTest(describe(controller, task),
                    () -> assertAgreesWithExact(task, controller, REPLICATES, PARTICLES, 11)));
            }
        }
        return tests.stream();
    }

    @Test
    void deepCellWithinTenPercent() {
        // (16 / 2^20)^5 = 2^-80, about 8.3e-25: far beyond plain Monte Carlo.
        ChaseTask task = new ChaseTask(1L << 20, 16, 32, PointerLaw.FUNCTION, MissRule.NEAREST);
        double exact = exact("random-fresh", task);
        assertTrue(exact < 1e-20, "cell is deep enough: " + exact);
        ReplicateMean mean = replicates(task, "random-fresh", REPLICATES, PARTICLES, 3);
        double relError = mean.relativeError(0.95);
        assertTrue(relError <= 0.10, "relative error at the default effort: " + relError);
        assertTrue(mean.pValueTwoSided(exact) > LEVEL, () -> "mean " + mean.mean() + " vs exact " + exact);
    }

    @TestFactory
    Stream<DynamicTest> agreesWithPlainMonteCarlo() {
        // Cells where both estimators can run: P(E) between 5e-4 and 2e-3.
        List<DynamicTest> tests = new ArrayList<>();
        long[][] cells = {{1024, 32, 4}, {256, 8, 3}, {512, 48, 8}, {4096, 256, 8}};
        for (long[] c : cells) {
            for (String controller : OBLIVIOUS) {
                for (PointerLaw law : PointerLaw.values()) {
                    ChaseTask task = new ChaseTask(c[0], c[1], c[2], law, MissRule.NEAREST);
                    tests.add(DynamicTest.dynamicTest(describe(controller, task), () -> {
                        double exact = exact(controller, task);
                        assertTrue(exact > 2e-4, "cell has P(E) near 1e-3: " + exact);
                        assertTrue(exact < 3e-3, "cell has P(E) near 1e-3: " + exact);
                        long trials = 2_000_000;
                        TrialCounts counts = new TrialCounts(task.stages());
                        new LazyEngine(task, controller, ControllerSettings.defaults(), Seeds.generator(99))
                            .run(trials, 0, counts);
                        double plain = (double) counts.events() / trials;
                        double plainVariance = plain * (1 - plain) / trials;
                        ReplicateMean split = replicates(task, controller, 32, 50, 5);
                        double z = (split.mean() - plain)
                            / Math.sqrt(plainVariance + split.standardError() * split.standardError());
                        double p = 2 * new NormalDistribution().cumulativeProbability(-Math.abs(z));
                        assertTrue(p > LEVEL, () -> "splitting " + split.mean() + " vs plain " + plain + ", p = " + p);
                    }));
                }
            }
        }
        return tests.stream();
    }

    @Test
    void sameSeedGivesTheSameReplicate() {
        ChaseTask task = new ChaseTask(1L << 16, 16, 16, PointerLaw.PERMUTATION, MissRule.NEAREST);
        for (String controller : OBLIVIOUS) {
            SplittingEngine engine = new SplittingEngine(task, controller, ControllerSettings.defaults(), 100, 3000,
                1L << 30);
            SplittingEngine.Replicate first = engine.run(5);
            SplittingEngine.Replicate again = new SplittingEngine(task, controller, ControllerSettings.defaults(), 100,
                3000, 1L << 30).run(5);
            assertEquals(first.estimate(), again.estimate(), controller);
            assertArrayEquals(first.clones(), again.clones(), controller);
            assertArrayEquals(first.survived(), again.survived(), controller);
            assertArrayEquals(first.factors(), again.factors(), controller);
            // The same engine reused gives the same result, and another seed another one.
            assertEquals(first.estimate(), engine.run(5).estimate(), controller);
            assertNotEquals(first.estimate(), engine.run(6).estimate(), controller);
        }
    }

    @Test
    void reportsItsEffortPerStage() {
        ChaseTask task = new ChaseTask(1L << 12, 16, 16, PointerLaw.FUNCTION, MissRule.NEAREST);
        SplittingEngine.Replicate replicate = new SplittingEngine(task, "random-fresh", ControllerSettings.defaults(),
            100, 400, 1L << 30).run(1);
        assertEquals(4, replicate.clones().length);
        double product = 1;
        for (int t = 0; t < 4; t++) {
            // Each stage of random-fresh survives with probability s/n, so it is sized at 400 n/s clones.
            assertEquals(400L * 4096 / 16, replicate.clones()[t], "clones of stage " + (t + 1));
            // Every look-ahead is s/n, so each factor is the plain survival fraction.
            assertEquals((double) replicate.survived()[t] / replicate.clones()[t], replicate.factors()[t],
                1e-12 * replicate.factors()[t], "factor of stage " + (t + 1));
            product *= replicate.factors()[t];
        }
        assertEquals(product, replicate.estimate(), 1e-12 * product);
        // One rebuild per particle to size each stage and one per particle that had survivors.
        assertTrue(replicate.rebuilt() <= 4 * 2 * 100, "rebuilt " + replicate.rebuilt());
    }

    @Test
    void rejectsControllersOutsideTheObliviousClass() {
        ChaseTask task = new ChaseTask(64, 8, 8, PointerLaw.FUNCTION, MissRule.NEAREST);
        for (String controller : List.of("follow", "heavy-hitter", "tova", "query-aware")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SplittingEngine(task, controller, ControllerSettings.defaults(), 100, 1000, 1000));
            assertTrue(e.getMessage().contains("oblivious"), e.getMessage());
        }
        ControllerSettings settings = ControllerSettings.defaults();
        assertThrows(IllegalArgumentException.class, () -> new SplittingEngine(task, "window", settings, 0, 1000, 1000));
        assertThrows(IllegalArgumentException.class, () -> new SplittingEngine(task, "window", settings, 100, 0, 1000));
        assertThrows(IllegalArgumentException.class, () -> new SplittingEngine(task, "window", settings, 100, 1000, 99));

    }

    private static void assertAgreesWithExact(ChaseTask task, String controller, int replicates, int particles,
                                              long seed) {
        double exact = exact(controller, task);
        ReplicateMean mean = replicates(task, controller, replicates, particles, seed);
        double p = mean.pValueTwoSided(exact);
        assertTrue(p > LEVEL, () -> "mean " + mean.mean() + " (sd " + mean.standardDeviation() + ") vs exact " + exact
            + ", p = " + p);
    }

    static ReplicateMean replicates(ChaseTask task, String controller, int replicates, int particles, long seed) {
        SplittingEngine engine = new SplittingEngine(task, controller, ControllerSettings.defaults(), particles, 200 * particles,
            Integer.MAX_VALUE);
        double[] values = new double[replicates];
        for (int r = 0; r < replicates; r++) {
            values[r] = engine.run(Seeds.unitSeed(seed, task.k(), r)).estimate();
        }
        return ReplicateMean.of(values);
    }

    static double exact(String controller, ChaseTask task) {
        return ControllerRegistry.entry(controller).exact().eventProbability(task.law(), task.n(), task.s(), task.k());
    }

    private static String describe(String controller, ChaseTask task) {
        return controller + " n=" + task.n() + " s=" + task.s() + " k=" + task.k() + " " + task.law().configName();
    }
}
