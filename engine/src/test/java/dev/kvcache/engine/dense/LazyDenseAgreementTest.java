package dev.kvcache.engine.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.dense.ControllerVariants.Variant;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.lazy.LazyEngine;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Checks that the lazy engine (deferred decisions) and the dense engine (everything materialised)
 * draw from the same law, on cells too large to enumerate: every registered controller (the
 * adaptive ones with a random and with a window initial cache), {@code n} in {16, 256, 4096}, two
 * or three cache sizes per {@code n} (from 1 to {@code n/2}), {@code k} in {2, 6, 16}
 * ({@code T} = 1, 3, 4; {6, 16} at {@code n = 4096}), both pointer laws and both miss rules.
 *
 * <p>For each cell both engines run the same number of trials in answers mode and in events mode
 * from independent fixed seeds. Each binomial count (events, correct answers, first misses at each
 * stage) of one engine is compared with the other engine's by Fisher's exact test
 * ({@link TwoSample}); the p-value threshold is {@value #CLASS_FALSE_ALARM} divided by the number
 * of comparisons (Bonferroni), so engines with the same law fail some check of this class with
 * probability at most {@value #CLASS_FALSE_ALARM}. With fixed seeds the outcome is deterministic.
 */
class LazyDenseAgreementTest {
    private static final double CLASS_FALSE_ALARM = 1e-6;
    private static final long SEED = 0x1a2d_de45eL;

    private record Cell(Variant variant, MissRule rule, PointerLaw law, int n,
                        int s, long k, long trials) {
        @Override
        public String toString() {
            return variant + " " + rule.configName() + " " + law.configName() + " n=" + n + " s=" + s + " k=" + k;
        }

        ChaseTask task() {
            return new ChaseTask(n, s, k, law, rule);
        }
    }

    private record Outcome(Cell cell, TrialCounts lazyAnswers, TrialCounts denseAnswers, TrialCounts lazyEvents,
                           TrialCounts denseEvents) {
    }

    private static List<Outcome> outcomes;
    private static double threshold;

    /** Simulates the grid once for all tests, in parallel over cells. */
    @BeforeAll
    static void simulateGrid() {
        List<Cell> cells = cells();
        outcomes = IntStream.range(0, cells.size()).parallel()
            .mapToObj(i -> simulate(cells.get(i), i))
            .collect(Collectors.toList());
        long comparisons = 0;
        for (Outcome outcome : outcomes) {
            int stages = outcome.cell().task().stages();
            comparisons += (2 + stages) + (1 + stages);
        }
        threshold = CLASS_FALSE_ALARM / comparisons;
    }

    private static List<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        addCells(cells, 16, new int[] {1, 4, 8}, new long[] {2, 6, 16}, 20_000);
        addCells(cells, 256, new int[] {16, 128}, new long[] {2, 6, 16}, 8_000);
        addCells(cells, 4096, new int[] {64, 2048}, new long[] {6, 16}, 3_000);
        return cells;
    }

    private static void addCells(List<Cell> cells, int n, int[] sizes, long[] ks, long trials) {
        for (int s : sizes) {
            for (long k : ks) {
                for (PointerLaw law : PointerLaw.values()) {
                    for (MissRule rule : MissRule.values()) {
                        for (Variant variant : ControllerVariants.all()) {
                            cells.add(new Cell(variant, rule, law, n, s, k, trials));
                        }
                    }
                }
            }
        }
    }

    private static Outcome simulate(Cell cell, int index) {
        ChaseTask task = cell.task();
        String name = cell.variant().controller();
        ControllerSettings settings = cell.variant().settings();
        TrialCounts lazyAnswers = new TrialCounts(task.stages());
        new LazyEngine(task, name, settings, Seeds.unitGenerator(SEED, index, 0)).run(cell.trials(), lazyAnswers);
        TrialCounts denseAnswers = new TrialCounts(task.stages());
        new DenseEngine(task, name, settings, Seeds.unitGenerator(SEED, index, 1)).run(cell.trials(), denseAnswers);
        TrialCounts lazyEvents = new TrialCounts(task.stages());
        new LazyEngine(task, name, settings, Seeds.unitGenerator(SEED, index, 2)).run(cell.trials(), 0, lazyEvents);
        TrialCounts denseEvents = new TrialCounts(task.stages());
        new DenseEngine(task, name, settings, Seeds.unitGenerator(SEED, index, 3)).run(cell.trials(), 0, denseEvents);
        return new Outcome(cell, lazyAnswers, denseAnswers, lazyEvents, denseEvents);
    }

    @TestFactory
    Stream<DynamicTest> answersModeAgrees() {
        return outcomes.stream().map(outcome -> DynamicTest.dynamicTest(outcome.cell().toString(), () -> {
            TrialCounts lazy = outcome.lazyAnswers();
            TrialCounts dense = outcome.denseAnswers();
            assertEquals(outcome.cell().trials(), dense.answered());
            assertSameProportion("P(E)", lazy.events(), lazy.trials(), dense.events(), dense.trials());
            assertSameProportion("P(correct)", lazy.correct(), lazy.answered(), dense.correct(), dense.answered());
            assertSameFirstMisses(lazy, dense);
        }));
    }

    @TestFactory
    Stream<DynamicTest> eventsModeAgrees() {
        return outcomes.stream().map(outcome -> DynamicTest.dynamicTest(outcome.cell().toString(), () -> {
            TrialCounts lazy = outcome.lazyEvents();
            TrialCounts dense = outcome.denseEvents();
            assertEquals(outcome.cell().trials(), dense.trials());
            assertEquals(0, dense.answered());
            assertSameProportion("P(E)", lazy.events(), lazy.trials(), dense.events(), dense.trials());
            assertSameFirstMisses(lazy, dense);
        }));
    }

    @Test
    void gridHasEventsAndMissesAtEveryScale() {
        // Guards the grid: at each n some cell must see events and misses, or the comparisons are vacuous.
        for (int n : new int[] {16, 256, 4096}) {
            long events = outcomes.stream().filter(o -> o.cell().n() == n).mapToLong(o -> o.denseAnswers().events()).sum();
            long trials = outcomes.stream().filter(o -> o.cell().n() == n).mapToLong(o -> o.denseAnswers().trials()).sum();
            assertTrue(events > 1000, "n = " + n + ": " + events + " events in " + trials);
            assertTrue(trials - events > 1000, "n = " + n + ": " + (trials - events) + " misses in " + trials);
        }
    }

    private static void assertSameFirstMisses(TrialCounts lazy, TrialCounts dense) {
        for (int t = 1; t <= lazy.stages(); t++) {
            assertSameProportion("P(first miss at stage " + t + ")", lazy.firstMissAt(t), lazy.trials(),
                dense.firstMissAt(t), dense.trials());
        }
    }

    private static void assertSameProportion(String quantity, long lazyCount, long lazyTrials, long denseCount,
                                             long denseTrials) {
        double pValue = TwoSample.fisherPValue(lazyCount, lazyTrials, denseCount, denseTrials);
        assertTrue(pValue >= threshold, () -> String.format(Locale.ROOT,
            "%s: lazy %d of %d (%.6f), dense %d of %d (%.6f), Fisher p-value %.3g below %.3g", quantity, lazyCount,
            lazyTrials, (double) lazyCount / lazyTrials, denseCount, denseTrials, (double) denseCount / denseTrials,
            pValue, threshold));
    }
}
