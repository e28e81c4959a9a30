package dev.kvcache.engine.lazy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.controller.InitialCache;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.exact.ExactValues;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.stats.Binomial;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.commons.math3.util.CombinatoricsUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Compares the lazy engine's estimate of {@code P(E)} with the closed forms of
 * {@link ExactValues} at {@code n = 4096}, {@code 2^40} and {@code 2^62}: {@code (s/n)^T} for
 * {@code random-fresh}, the fixed-set sum for {@code random-fixed} and {@code window}, and
 * {@code s/n} for {@code follow} with a random and with a window initial cache. Both pointer laws,
 * {@code k} up to 64, and cache sizes that put the nearest-member search in each of its three
 * sampling regimes. Every cell runs in answers mode under both miss rules (which exercises the
 * miss paths at huge {@code n}) and once in events mode. A smaller grid runs every registered
 * controller against the exact rule the registry gives for it.
 *
 * <p>Each event count gets a two-sided exact binomial test at the threshold
 * {@code 5e-7 / (number of counts)}, and the check of wrong-track answers below spends another
 * {@code 5e-7}, so a correct engine fails this class with probability at most {@code 1e-6}.
 * Seeds are fixed, so the outcome is deterministic.
 */
class LazyEngineLargeNTest {
    private static final double BINOMIAL_FALSE_ALARM = 5e-7;
    private static final long ANSWER_TRIALS = 10_000;
    private static final long EVENT_TRIALS = 40_000;
    private static final long SEED = 0x5eed_2024_0002L;
    private static final long[] KS = {2, 5, 16, 64};
    private static final long HUGE = 1L << 40;
    /**
     * The largest number of answered trials, summed over the cells with {@code n >= 2^40}, that
     * may be correct although a read missed. See {@link #wrongTrackRarelyCorrectAtHugeN}.
     */
    private static final long MAX_WRONG_TRACK_CORRECT = 3;
    private static final double WRONG_TRACK_FALSE_ALARM = 5e-7;

    private enum Variant {
        RANDOM_FRESH("random-fresh", InitialCache.RANDOM),
        RANDOM_FIXED("random-fixed", InitialCache.RANDOM),
        WINDOW("window", InitialCache.RANDOM),
        FOLLOW_RANDOM("follow", InitialCache.RANDOM),
        FOLLOW_WINDOW("follow", InitialCache.WINDOW);

        final String controller;
        final InitialCache initial;

        Variant(String controller, InitialCache initial) {
            this.controller = controller;
            this.initial = initial;
        }

        double exactEvent(PointerLaw law, long n, long s, long k) {
            return switch (this) {
                case RANDOM_FRESH -> ExactValues.randomFresh(n, s, k);
                case RANDOM_FIXED, WINDOW -> ExactValues.fixedSet(law, n, s, k);
                case FOLLOW_RANDOM, FOLLOW_WINDOW -> ExactValues.adaptive(n, s);
            };
        }
    }

    private record Cell(Variant variant, PointerLaw law, long n, long s, long k) {
        @Override
        public String toString() {
            return variant.controller + "/" + variant.initial.configName() + " " + law.configName() + " n=" + n
                + " s=" + s + " k=" + k;
        }
    }

    /** A cell's exact {@code P(E)} and its counts: answers mode per miss rule, then events mode. */
    private record Outcome(Cell cell, double exact, TrialCounts nearest, TrialCounts uniform, TrialCounts events) {
    }

    /** A cell of any registered controller, by its configuration name. */
    private record RegistryCell(String controller, InitialCache initial, PointerLaw law, long n, long s, long k) {
        @Override
        public String toString() {
            return controller + "/" + initial.configName() + " " + law.configName() + " n=" + n + " s=" + s + " k=" + k;
        }
    }

    /** {@code P(E)} from the registry's exact rule and the counts of answers mode (nearest rule) and events mode. */
    private record RegistryOutcome(RegistryCell cell, double exact, TrialCounts answers, TrialCounts events) {
    }

    private static List<Outcome> outcomes;
    private static List<RegistryOutcome> registryOutcomes;
    private static double threshold;

    /**
     * Runs every cell once, in parallel. This is not a class initialiser, because worker threads
     * that call into a class whose initialiser is still running would wait for it forever.
     */
    @BeforeAll
    static void simulateCells() {
        List<Cell> cells = cells();
        outcomes = IntStream.range(0, cells.size()).parallel()
            .mapToObj(i -> simulate(cells.get(i), i))
            .collect(Collectors.toList());
        List<RegistryCell> registryCells = registryCells();
        registryOutcomes = IntStream.range(0, registryCells.size()).parallel()
            .mapToObj(i -> simulateRegistryCell(registryCells.get(i), cells.size() + i))
            .collect(Collectors.toList());
        threshold = BINOMIAL_FALSE_ALARM / (3.0 * outcomes.size() + 2.0 * registryOutcomes.size());
    }

    private static List<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        addCells(cells, 4096, new long[] {1, 64, 1024, 2048, 4095});
        // n/2 and n/8 scan, n/65 and 2^20 invert the first-member law, 64 takes Floyd's method.
        addCells(cells, HUGE, new long[] {HUGE / 2, HUGE / 8, HUGE / 65, 1L << 20, 64});
        addCells(cells, 1L << 62, new long[] {1L << 61, 1L << 56});
        return cells;
    }

    private static void addCells(List<Cell> cells, long n, long[] sizes) {
        for (long s : sizes) {
            for (long k : KS) {
                for (PointerLaw law : PointerLaw.values()) {
                    for (Variant variant : Variant.values()) {
                        cells.add(new Cell(variant, law, n, s, k));
                    }
                }
            }
        }
    }

    private static Outcome simulate(Cell cell, int index) {
        ControllerSettings settings = new ControllerSettings(ControllerSettings.DEFAULT_SINKS, cell.variant().initial);
        TrialCounts[] answers = new TrialCounts[2];
        for (MissRule rule : MissRule.values()) {
            ChaseTask task = new ChaseTask(cell.n(), cell.s(), cell.k(), cell.law(), rule);
            TrialCounts counts = new TrialCounts(task.stages());
            new LazyEngine(task, cell.variant().controller, settings, Seeds.unitGenerator(SEED, index, rule.ordinal()))
                .run(ANSWER_TRIALS, counts);
            answers[rule.ordinal()] = counts;
        }
        ChaseTask task = new ChaseTask(cell.n(), cell.s(), cell.k(), cell.law(), MissRule.NEAREST);
        TrialCounts events = new TrialCounts(task.stages());
        new LazyEngine(task, cell.variant().controller, settings, Seeds.unitGenerator(SEED, index, 2))
            .run(EVENT_TRIALS, 0, events);
        double exact = cell.variant().exactEvent(cell.law(), cell.n(), cell.s(), cell.k());
        return new Outcome(cell, exact, answers[MissRule.NEAREST.ordinal()], answers[MissRule.UNIFORM.ordinal()],
            events);
    }

    /** Returns the cells of every registered controller and both initial caches, on a smaller grid. */
    private static List<RegistryCell> registryCells() {
        List<RegistryCell> cells = new ArrayList<>();
        for (String controller : ControllerRegistry.names()) {
            for (InitialCache initial : InitialCache.values()) {
                for (PointerLaw law : PointerLaw.values()) {
                    for (long n : new long[] {4096, HUGE}) {
                        for (long s : new long[] {n / 2, n / 16}) {
                            for (long k : new long[] {5, 64}) {
                                cells.add(new RegistryCell(controller, initial, law, n, s, k));
                            }
                        }
                    }
                }
            }
        }
        return cells;
    }

    private static RegistryOutcome simulateRegistryCell(RegistryCell cell, int index) {
        String controller = cell.controller();
        ControllerSettings settings = new ControllerSettings(ControllerSettings.DEFAULT_SINKS, cell.initial());
        ChaseTask task = new ChaseTask(cell.n(), cell.s(), cell.k(), cell.law(), MissRule.NEAREST);
        TrialCounts answers = new TrialCounts(task.stages());
        new LazyEngine(task, controller, settings, Seeds.unitGenerator(SEED, index, 0)).run(ANSWER_TRIALS, answers);
        TrialCounts events = new TrialCounts(task.stages());
        new LazyEngine(task, controller, settings, Seeds.unitGenerator(SEED, index, 1)).run(EVENT_TRIALS, 0, events);
        double exact = ControllerRegistry.entry(controller).exact()
            .eventProbability(cell.law(), cell.n(), cell.s(), cell.k());
        return new RegistryOutcome(cell, exact, answers, events);
    }

    @TestFactory
    Stream<DynamicTest> everyRegisteredControllerMatchesExactRule() {
        return registryOutcomes.stream().map(outcome -> DynamicTest.dynamicTest(outcome.cell().toString(), () -> {
            assertEvents("answers mode, nearest", outcome.answers(), ANSWER_TRIALS, outcome.exact());
            assertEvents("events mode", outcome.events(), EVENT_TRIALS, outcome.exact());
            assertEquals(ANSWER_TRIALS, outcome.answers().answered());
            assertEquals(0, outcome.events().answered());
        }));
    }

    @TestFactory
    Stream<DynamicTest> eventProbabilityMatchesClosedForm() {
        return outcomes.stream().map(outcome -> DynamicTest.dynamicTest(outcome.cell().toString(), () -> {
            assertEvents("answers mode, nearest", outcome.nearest(), ANSWER_TRIALS, outcome.exact());
            assertEvents("answers mode, uniform", outcome.uniform(), ANSWER_TRIALS, outcome.exact());
            assertEvents("events mode", outcome.events(), EVENT_TRIALS, outcome.exact());
            assertEquals(0, outcome.events().answered());
            for (TrialCounts answers : List.of(outcome.nearest(), outcome.uniform())) {
                assertEquals(ANSWER_TRIALS, answers.answered());
                assertTrue(answers.correct() >= answers.events(), "E implies a correct answer: " + answers);
            }
        }));
    }

    @Test
    void wrongTrackRarelyCorrectAtHugeN() {
        // After a miss the answer can only be f^k(x0) if the query's walk meets the true orbit at
        // the right offset. That needs one of the trial's at most 2k pointer draws (k on the
        // query's walk, k on the true orbit) to land on one of the at most 3k + 3 positions
        // already visited or attended. A uniform image, or one among the unused images, does so
        // with probability at most 2k (3k + 3) / (n - 3k - 3) per trial. With lambda the sum of
        // these bounds over the answered trials, the count of such trials reaches c with
        // probability at most lambda^c / c!, a union bound over c-subsets of independent trials.
        double lambda = 0;
        long wrongTrackCorrect = 0;
        for (Outcome outcome : outcomes) {
            Cell cell = outcome.cell();
            if (cell.n() < HUGE) {
                continue;
            }
            double perTrial = 2.0 * cell.k() * (3.0 * cell.k() + 3) / (cell.n() - 3.0 * cell.k() - 3);
            for (TrialCounts answers : List.of(outcome.nearest(), outcome.uniform())) {
                wrongTrackCorrect += answers.correct() - answers.events();
                lambda += perTrial * answers.answered();
            }
        }
        int c = (int) MAX_WRONG_TRACK_CORRECT + 1;
        double falseAlarm = Math.pow(lambda, c) / CombinatoricsUtils.factorialDouble(c);
        assertTrue(falseAlarm <= WRONG_TRACK_FALSE_ALARM,
            "the grid gives lambda = " + lambda + ", a false-alarm bound of " + falseAlarm);
        assertTrue(wrongTrackCorrect <= MAX_WRONG_TRACK_CORRECT, wrongTrackCorrect
            + " answered trials at n >= 2^40 were correct after a miss; the bound expects at most "
            + MAX_WRONG_TRACK_CORRECT + " (lambda = " + lambda + ")");
    }

    private void assertEvents(String mode, TrialCounts counts, long trials, double exact) {
        assertEquals(trials, counts.trials(), mode);
        double pValue = Binomial.pValueTwoSided(counts.events(), trials, exact);
        assertTrue(pValue >= threshold, () -> String.format(Locale.ROOT,
            "%s: %d events in %d trials (%.6g), closed form %.6g, two-sided p-value %.3g below %.3g", mode,
            counts.events(), trials, (double) counts.events() / trials, exact, pValue, threshold));
    }
}
