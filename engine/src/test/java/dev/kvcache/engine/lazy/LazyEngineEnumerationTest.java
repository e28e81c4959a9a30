package dev.kvcache.engine.lazy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.controller.InitialCache;
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
 * Compares the lazy engine's Monte Carlo counts with the exact probabilities of
 * {@link Enumeration#enumerate} on a grid of tiny cells: every controller of the registry (follow
 * and heavy-hitter with a random and with a window initial cache), both miss rules, both pointer laws, {@code n} in 3..6, several
 * {@code s} including 1 and {@code n}, and {@code k} in {2, 3, 4, 5, 8}.
 *
 * <p>Each cell runs {@value #ANSWER_TRIALS} trials in answers mode and {@value #EVENT_TRIALS} in
 * events mode, from a generator seeded by the cell's index. Every count (events, correct answers,
 * first misses at each stage) is a binomial count, tested by the two-sided exact binomial test
 * against the enumerated probability. The p-value threshold is {@value #CLASS_FALSE_ALARM}
 * divided by the number of counts tested (Bonferroni), so a correct engine fails some check of
 * this class with probability at most {@value #CLASS_FALSE_ALARM}. With fixed seeds the outcome
 * is deterministic.
 */
class LazyEngineEnumerationTest {
    private static final double CLASS_FALSE_ALARM = 1e-6;
    private static final long ANSWER_TRIALS = 100_000;
    private static final long EVENT_TRIALS = 100_000;
    private static final long SEED = 0x5eed_2024_0001L;
    private static final long[] KS = {2, 3, 4, 5, 8};

    /** One controller configuration: the registry name, the initial cache of follow and the sinks. */
    private record Variant(String controller, InitialCache initial, int sinks) {
        @Override
        public String toString() {
            return controller + (controller.equals(Enumeration.FOLLOW) ? "/" + initial.configName() : "")
                + " sinks=" + sinks;
        }
    }

    private record Cell(Variant variant, MissRule rule, PointerLaw law, int n, int s, long k) {
        @Override
        public String toString() {
            return variant + " " + rule.configName() + " " + law.configName() + " n=" + n + " s=" + s + " k=" + k;
        }

        ChaseTask task() {
            return new ChaseTask(n, s, k, law, rule);
        }
    }

    /** A cell with its exact probabilities and the counts of both modes. */
    private record Outcome(Cell cell, Result exact, TrialCounts answers, TrialCounts events) {
    }

    /**
     * The grid, enumerated and simulated once for all tests of the class, in parallel over cells.
     * The work runs in {@link BeforeAll}, not in a class initialiser, because worker threads that
     * call into a class whose initialiser is still running would wait for it forever.
     */
    private static List<Outcome> outcomes;
    /** Per-count p-value threshold: the class false-alarm rate over the number of counts tested. */
    private static double threshold;

    @BeforeAll
    static void simulateGrid() {
        List<Cell> cells = Grid.cells();
        outcomes = IntStream.range(0, cells.size()).parallel()
            .mapToObj(i -> Grid.simulate(cells.get(i), i))
            .collect(Collectors.toList());
        threshold = CLASS_FALSE_ALARM / Grid.countTests(outcomes);
    }

    /** The cells of the grid and how each is enumerated and simulated. */
    private static final class Grid {

        static List<Cell> cells() {
            List<Variant> variants = List.of(
                new Variant(Enumeration.RANDOM_FRESH, InitialCache.RANDOM, Enumeration.DEFAULT_SINKS),
                new Variant(Enumeration.RANDOM_FIXED, InitialCache.RANDOM, Enumeration.DEFAULT_SINKS),
                new Variant(Enumeration.WINDOW, InitialCache.RANDOM, Enumeration.DEFAULT_SINKS),
                new Variant(Enumeration.FOLLOW, InitialCache.RANDOM, Enumeration.DEFAULT_SINKS),
                new Variant(Enumeration.FOLLOW, InitialCache.WINDOW, Enumeration.DEFAULT_SINKS),
                new Variant(Enumeration.STRIDED, InitialCache.RANDOM, Enumeration.DEFAULT_SINKS),
                new Variant(Enumeration.HEAVY_HITTER, InitialCache.RANDOM, Enumeration.DEFAULT_SINKS),
                new Variant(Enumeration.HEAVY_HITTER, InitialCache.WINDOW, Enumeration.DEFAULT_SINKS),
                new Variant(Enumeration.TOVA, InitialCache.RANDOM, Enumeration.DEFAULT_SINKS),
                new Variant(Enumeration.QUERY_AWARE, InitialCache.RANDOM, Enumeration.DEFAULT_SINKS));
            // One sink and s - 1 recent positions: a window in two pieces, which wraps around.
            List<Variant> oneSink = List.of(
                new Variant(Enumeration.WINDOW, InitialCache.RANDOM, 1),
                new Variant(Enumeration.FOLLOW, InitialCache.WINDOW, 1));
            List<Cell> cells = new ArrayList<>();
            for (int n = 3; n <= 6; n++) {
                for (int s : cacheSizes(n)) {
                    for (long k : KS) {
                        for (PointerLaw law : PointerLaw.values()) {
                            for (MissRule rule : MissRule.values()) {
                                for (Variant variant : variants) {
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

        /** Returns 1, 2, the middle, {@code n - 1} and {@code n}, without repeats. */
        private static TreeSet<Integer> cacheSizes(int n) {
            return new TreeSet<>(List.of(1, 2, (n + 1) / 2, n - 1, n));
        }

        static Outcome simulate(Cell cell, int index) {
            Variant variant = cell.variant();
            Result exact = Enumeration.enumerate(variant.controller(), variant.initial().configName(), cell.rule(),
                cell.law(), cell.n(), cell.s(), cell.k(), variant.sinks());
            ControllerSettings settings = new ControllerSettings(variant.sinks(), variant.initial());
            ChaseTask task = cell.task();

            TrialCounts answers = new TrialCounts(task.stages());
            new LazyEngine(task, variant.controller(), settings, Seeds.unitGenerator(SEED, index, 0))
                .run(ANSWER_TRIALS, answers);
            TrialCounts events = new TrialCounts(task.stages());
            new LazyEngine(task, variant.controller(), settings, Seeds.unitGenerator(SEED, index, 1))
                .run(EVENT_TRIALS, 0, events);
            return new Outcome(cell, exact, answers, events);
        }

        /** Answers mode tests events, correct and T first-miss counts; events mode events and T. */
        static long countTests(List<Outcome> outcomes) {
            long tests = 0;
            for (Outcome outcome : outcomes) {
                int stages = outcome.cell().task().stages();
                tests += (2 + stages) + (1 + stages);
            }
            return tests;
        }
    }

    @TestFactory
    Stream<DynamicTest> answersModeMatchesEnumeration() {
        return outcomes.stream().map(outcome -> DynamicTest.dynamicTest(outcome.cell().toString(), () -> {
            TrialCounts counts = outcome.answers();
            Result exact = outcome.exact();
            assertEquals(ANSWER_TRIALS, counts.trials());
            assertEquals(ANSWER_TRIALS, counts.answered());
            assertBinomial("P(E)", counts.events(), counts.trials(), exact.event());
            assertBinomial("P(correct)", counts.correct(), counts.answered(), exact.correct());
            BigFraction[] firstMiss = exact.firstMiss();
            for (int t = 1; t < firstMiss.length; t++) {
                assertBinomial("P(first miss at stage " + t + ")", counts.firstMissAt(t), counts.trials(), firstMiss[t]);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> eventsModeMatchesEnumeration() {
        return outcomes.stream().map(outcome -> DynamicTest.dynamicTest(outcome.cell().toString(), () -> {
            TrialCounts counts = outcome.events();
            Result exact = outcome.exact();
            assertEquals(EVENT_TRIALS, counts.trials());
            assertEquals(0, counts.answered());
            assertEquals(0, counts.correct());
            assertBinomial("P(E)", counts.events(), counts.trials(), exact.event());
            BigFraction[] firstMiss = exact.firstMiss();
            for (int t = 1; t < firstMiss.length; t++) {
                assertBinomial("P(first miss at stage " + t + ")", counts.firstMissAt(t), counts.trials(), firstMiss[t]);
            }
        }));
    }

    @Test
    void gridCoversEveryControllerAndEdge() {
        // Guards the grid itself: a shrunken grid would make the comparisons above vacuous.
        long follow = outcomes.stream().filter(o -> o.cell().variant().controller().equals(Enumeration.FOLLOW))
            .map(o -> o.cell().variant().initial()).distinct().count();
        assertEquals(2, follow);
        assertTrue(outcomes.stream().anyMatch(o -> o.cell().s() == 1));
        assertTrue(outcomes.stream().anyMatch(o -> o.cell().s() == o.cell().n()));
        for (String controller : ControllerRegistry.names()) {
            assertTrue(outcomes.stream().anyMatch(o -> o.cell().variant().controller().equals(controller)),
                controller);
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
