package dev.kvcache.engine.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.InitialCache;
import dev.kvcache.engine.dense.ControllerVariants.Variant;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.exact.Enumeration;
import dev.kvcache.engine.exact.Enumeration.Result;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.stats.Binomial;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.commons.math3.fraction.BigFraction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Compares the dense engine's Monte Carlo counts ({@code DECODE} scenario, hard attention) with
 * exact values on a grid of tiny cells: every registered controller (the adaptive ones with a
 * random and with a window initial cache), both miss rules, both pointer laws, {@code n} in 3..6,
 * several {@code s} including 1 and {@code n}, and {@code k} in {2, 3, 4, 8}.
 *
 * <p>The reference values are exact: {@link Enumeration#enumerate} gives {@code P(E)},
 * {@code P(correct)} and the first-miss distribution of every cell by exhaustive enumeration.
 *
 * <p>Each cell runs {@value #ANSWER_TRIALS} trials in answers mode and {@value #EVENT_TRIALS} in
 * events mode from generators seeded by the cell's index. Every count is binomial and is tested
 * by the two-sided exact binomial test; the p-value threshold is {@value #CLASS_FALSE_ALARM}
 * divided by the number of counts tested (Bonferroni), so a correct engine fails some check of
 * this class with probability at most {@value #CLASS_FALSE_ALARM}. With fixed seeds the outcome
 * is deterministic.
 */
class DenseEngineEnumerationTest {
    private static final double CLASS_FALSE_ALARM = 1e-6;
    private static final long ANSWER_TRIALS = 30_000;
    private static final long EVENT_TRIALS = 30_000;
    private static final long SEED = 0xde45e_2024_0001L;
    private static final long[] KS = {2, 3, 4, 8};

    private record Cell(Variant variant, MissRule rule, PointerLaw law, int n, int s, long k) {
        @Override
        public String toString() {
            return variant + " " + rule.configName() + " " + law.configName() + " n=" + n + " s=" + s + " k=" + k;
        }

        ChaseTask task() {
            return new ChaseTask(n, s, k, law, rule);
        }
    }

    private record Outcome(Cell cell, Result exact, TrialCounts answers, TrialCounts events) {
    }

    private static List<Outcome> outcomes;
    private static double threshold;

    /**
     * Simulates the grid once for all tests, in parallel over cells. The work runs in
     * {@link BeforeAll}, not in a class initialiser, because worker threads that call into a class
     * whose initialiser is still running would wait for it forever.
     */
    @BeforeAll
    static void simulateGrid() {
        List<Cell> cells = cells();
        outcomes = IntStream.range(0, cells.size()).parallel()
            .mapToObj(i -> simulate(cells.get(i), i))
            .collect(Collectors.toList());
        long tests = 0;
        for (Outcome outcome : outcomes) {
            int stages = outcome.cell().task().stages();
            // Answers mode tests events, correct answers and T first-miss counts; events mode events and T.
            tests += (2 + stages) + (1 + stages);
        }
        threshold = CLASS_FALSE_ALARM / tests;
    }

    private static List<Cell> cells() {
        // One sink and s - 1 recent positions: a window in two pieces, which wraps around.
        List<Variant> oneSink = List.of(
            new Variant("window", InitialCache.RANDOM, 1),
            new Variant("follow", InitialCache.WINDOW, 1));
        List<Cell> cells = new ArrayList<>();
        for (int n = 3; n <= 6; n++) {
            for (int s : new TreeSet<>(List.of(1, 2, (n + 1) / 2, n - 1, n))) {
                for (long k : KS) {
                    for (PointerLaw law : PointerLaw.values()) {
                        for (MissRule rule : MissRule.values()) {
                            for (Variant variant : ControllerVariants.all()) {
                                cells.add(new Cell(variant, rule, law, n, s, k));
                            }
                        }
                        for (Variant variant : oneSink) {
                            cells.add(new Cell(variant, MissRule.NEAREST, law, n, s, k));
                        }
                    }
                }
            }
        }
        return cells;
    }

    private static Outcome simulate(Cell cell, int index) {
        Variant variant = cell.variant();
        ChaseTask task = cell.task();
        TrialCounts answers = new TrialCounts(task.stages());
        new DenseEngine(task, variant.controller(), variant.settings(), Seeds.unitGenerator(SEED, index, 0))
            .run(ANSWER_TRIALS, answers);
        TrialCounts events = new TrialCounts(task.stages());
        new DenseEngine(task, variant.controller(), variant.settings(), Seeds.unitGenerator(SEED, index, 1))
            .run(EVENT_TRIALS, 0, events);
        return new Outcome(cell, enumerate(cell), answers, events);
    }

    private static Result enumerate(Cell cell) {
        Variant variant = cell.variant();
        return Enumeration.enumerate(variant.controller(), variant.initial().configName(), cell.rule(), cell.law(),
            cell.n(), cell.s(), cell.k(), variant.sinks());
    }

    @TestFactory
    Stream<DynamicTest> answersModeMatchesExactValues() {
        return outcomes.stream().map(outcome -> DynamicTest.dynamicTest(outcome.cell().toString(), () -> {
            TrialCounts counts = outcome.answers();
            Result exact = outcome.exact();
            assertEquals(ANSWER_TRIALS, counts.trials());
            assertEquals(ANSWER_TRIALS, counts.answered());
            assertBinomial("P(E)", counts.events(), counts.trials(), exact.event());
            assertBinomial("P(correct)", counts.correct(), counts.answered(), exact.correct());
            assertFirstMisses(exact, counts);
        }));
    }

    @TestFactory
    Stream<DynamicTest> eventsModeMatchesExactValues() {
        return outcomes.stream().map(outcome -> DynamicTest.dynamicTest(outcome.cell().toString(), () -> {
            TrialCounts counts = outcome.events();
            Result exact = outcome.exact();
            assertEquals(EVENT_TRIALS, counts.trials());
            assertEquals(0, counts.answered());
            assertBinomial("P(E)", counts.events(), counts.trials(), exact.event());
            assertFirstMisses(exact, counts);
        }));
    }

    @Test
    void gridCoversEveryRegisteredController() {
        // Guards the grid itself: a controller added to the registry must be added here too.
        List<String> covered = ControllerVariants.all().stream().map(Variant::controller).distinct().collect(Collectors.toList());
        for (String name : ControllerRegistry.names()) {
            if (!name.startsWith("test-")) {
                assertTrue(covered.contains(name), () -> "controller '" + name + "' is not in the grid");
            }
        }
        assertTrue(outcomes.stream().anyMatch(o -> o.cell().s() == 1));
        assertTrue(outcomes.stream().anyMatch(o -> o.cell().s() == o.cell().n()));
    }

    private static void assertFirstMisses(Result exact, TrialCounts counts) {
        BigFraction[] firstMiss = exact.firstMiss();
        for (int t = 1; t < firstMiss.length; t++) {
            assertBinomial("P(first miss at stage " + t + ")", counts.firstMissAt(t), counts.trials(), firstMiss[t]);
        }
    }

    private static void assertBinomial(String quantity, long count, long trials, BigFraction exact) {
        double p0 = exact.doubleValue();
        double pValue = Binomial.pValueTwoSided(count, trials, p0);
        assertTrue(pValue >= threshold, () -> String.format(Locale.ROOT,
            "%s: %d of %d trials (%.6f), enumeration gives %s = %.6f, two-sided p-value %.3g below %.3g",
            quantity, count, trials, (double) count / trials, exact, p0, pValue, threshold));
    }
}
