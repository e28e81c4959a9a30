package dev.kvcache.jobs.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.controller.ControllerClass;
import dev.kvcache.jobs.config.ConfigLoader;
import dev.kvcache.jobs.config.SeparationSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Checks the planner: the grid's cells, the stable cell keys, the deal of work units to
 * partitions, and the precision rule for trial counts. No Spark is involved.
 */
class PlannerTest {

    private static final String[] SMALL_GRID = {
        "grid.n=[8, 64]", "grid.s=[4, 16]", "grid.k=[2, 5]", "grid.controllers=[random-fresh, follow]",
        "grid.laws=[function, permutation]",
    };

    @Test
    void cellsAreGridProductWithoutLargeS() {
        Plan plan = Planner.plan(settings(SMALL_GRID), 3);

        // Independent enumeration of the product, dropping s > n: n=8 keeps s=4 only.
        Set<String> expected = new HashSet<>();
        for (long n : List.of(8L, 64L)) {
            for (long s : List.of(4L, 16L)) {
                for (long k : List.of(2L, 5L)) {
                    for (String controller : List.of("random-fresh", "follow")) {
                        for (String law : List.of("function", "permutation")) {
                            if (s <= n) {
                                expected.add("n=" + n + " s=" + s + " k=" + k + " " + controller + " " + law);
                            }
                        }
                    }
                }
            }
        }
        List<String> labels = plan.cells().stream().map(Cell::label).toList();

        assertEquals(24, expected.size(), "3 (n, s) pairs x 2 k x 2 controllers x 2 laws");
        assertEquals(expected.size(), labels.size(), "one cell per kept combination: " + labels);
        assertEquals(expected, new HashSet<>(labels), "the cells are the kept combinations");
        for (int i = 0; i < plan.cells().size(); i++) {
            assertEquals(i, plan.cells().get(i).index(), "cell index is the position in the plan");
        }
    }

    @Test
    void skippedCombinationsReported() {
        Plan plan = Planner.plan(settings(SMALL_GRID), 3);

        assertEquals(1, plan.skipped().size(), "only (n=8, s=16) is skipped: " + plan.skipped());
        assertTrue(plan.skipped().get(0).contains("n=8 s=16"), "the skipped line names n and s: " + plan.skipped());
        assertTrue(plan.skipped().get(0).contains("exceeds n"), "the skipped line gives the reason: " + plan.skipped());
    }

    @Test
    void cellValuesFromClosedForms() {
        Plan plan = Planner.plan(settings(SMALL_GRID), 3);
        Cell fresh = find(plan, "n=64 s=4 k=5 random-fresh function");
        Cell follow = find(plan, "n=64 s=4 k=5 follow function");

        // k = 5 gives T = ceil(log2 5) = 3, and random-fresh has P(E) = (s/n)^T = (4/64)^3 = 1/4096.
        assertEquals(3, fresh.stages(), "T for k = 5");
        assertEquals(1.0 / 4096, fresh.exact(), 1e-18, "random-fresh exact value");
        // Oblivious bound (s/(n-T))^T + 2T^3/n = (4/61)^3 + 54/64.
        assertEquals(Math.pow(4.0 / 61, 3) + 54.0 / 64, fresh.paper(), 1e-15, "oblivious bound");
        assertEquals(ControllerClass.OBLIVIOUS, fresh.controllerClass(), "random-fresh class");
        // Adaptive controllers: P(E) = s/n = 4/64, which is both the exact value and the theorem's value.
        assertEquals(0.0625, follow.exact(), 1e-18, "follow exact value");
        assertEquals(0.0625, follow.paper(), 1e-18, "follow paper value");
        assertEquals(ControllerClass.ADAPTIVE, follow.controllerClass(), "follow class");
        // Regime: n >= 4k is true (64 >= 20) but s <= sqrt(n)/4 = 2 is false for s = 4.
        assertFalse(fresh.theoremRegime(), "s = 4 > sqrt(64)/4 = 2 is outside the theorem regime");
        Cell inside = find(Planner.plan(settings("grid.n=[256]", "grid.s=[4]", "grid.k=[4]"), 1),
            "n=256 s=4 k=4 follow function");
        // 256 >= 4 * 4 and 4 <= sqrt(256)/4 = 4.
        assertTrue(inside.theoremRegime(), "n=256 s=4 k=4 is inside the theorem regime");
    }

    @Test
    void cellKeyStableWhenGridGrows() {
        Plan alone = Planner.plan(settings("grid.n=[64]", "grid.s=[4]", "grid.k=[5]", "grid.controllers=[follow]",
            "grid.laws=[function]"), 1);
        Plan grown = Planner.plan(settings("grid.n=[8, 64, 128]", "grid.s=[2, 4]", "grid.k=[2, 5, 9]",
            "grid.controllers=[random-fresh, window, follow]", "grid.laws=[permutation, function]"), 7);
        String label = "n=64 s=4 k=5 follow function";

        assertEquals(1, alone.cells().size(), "the one-cell grid");
        assertNotEquals(alone.cells().get(0).index(), find(grown, label).index(),
            "the cell moves to another index in the larger grid, so the key must not use the index");
        assertEquals(alone.cells().get(0).key(), find(grown, label).key(), "cell key of " + label);
    }

    @Test
    void cellKeysDistinct() {
        Plan plan = Planner.plan(settings("grid.n=[8, 64, 128]", "grid.s=[2, 4]", "grid.k=[2, 5, 9]",
            "grid.controllers=[random-fresh, random-fixed, window, follow]", "grid.laws=[permutation, function]"), 7);
        Set<Long> keys = new HashSet<>();
        for (Cell cell : plan.cells()) {
            keys.add(cell.key());
        }

        assertEquals(plan.cells().size(), keys.size(), "every cell of the grid has its own key");
    }

    @Test
    void cellKeyFollowsTrialDefiningSettings() {
        String[] grid = {"grid.n=[64]", "grid.s=[4]", "grid.k=[5]", "grid.controllers=[window]", "grid.laws=[function]"};
        long base = Planner.plan(settings(grid), 1).cells().get(0).key();

        assertNotEquals(base, Planner.plan(settings(grid, "miss_rule=uniform"), 1).cells().get(0).key(),
            "the miss rule changes the trials, so it changes the key");
        assertNotEquals(base, Planner.plan(settings(grid, "window.sinks=2"), 1).cells().get(0).key(),
            "the number of sinks changes the trials, so it changes the key");
        assertEquals(base, Planner.plan(settings(grid, "trials=5000", "seed=99"), 1).cells().get(0).key(),
            "trial count and seed do not enter the key (the seed enters each unit's stream)");
    }

    @Test
    void dealCoversEveryTrialOnce() {
        // 1000 trials in units of 300 make blocks of 300, 300, 300 and 100 trials. The first 450
        // trials follow the query to its answer: 300, 150, 0 and 0 of the blocks' trials.
        SeparationSettings settings = settings("grid.n=[64]", "grid.s=[4, 16]", "grid.k=[3]",
            "grid.controllers=[random-fresh, follow]", "grid.laws=[function]", "trials=1000", "unit_trials=300",
            "answer_trials=450", "estimator=plain");
        for (int partitions : List.of(1, 5, 40)) {
            Plan plan = Planner.plan(settings, partitions);
            Map<Integer, List<WorkUnit>> byCell = unitsByCell(plan);

            assertEquals(partitions, plan.partitions().size(), "partition count");
            assertEquals(16, plan.unitCount(), "4 cells x 4 blocks");
            for (Cell cell : plan.cells()) {
                List<WorkUnit> units = byCell.get(cell.index());
                String where = cell.label() + " over " + partitions + " partitions";

                assertEquals(450, cell.answerTrials(), "answer trials of " + where);
                assertEquals(4, units.size(), "units of " + where + ": " + units);
                long[] expectedTrials = {300, 300, 300, 100};
                long[] expectedAnswers = {300, 150, 0, 0};
                for (int b = 0; b < 4; b++) {
                    assertEquals(b, units.get(b).block(), "block numbers 0..3, each once, of " + where);
                    assertEquals(expectedTrials[b], units.get(b).trials(), "trials of block " + b + " of " + where);
                    assertEquals(expectedAnswers[b], units.get(b).answerTrials(),
                        "answer trials of block " + b + " of " + where);
                }
            }
        }
    }

    @Test
    void dealSumsMatchCellsWithPrecisionTarget() {
        // With a precision target the cells get different trial counts, so the blocks differ too.
        SeparationSettings settings = settings("grid.n=[64, 256]", "grid.s=[4, 16]", "grid.k=[2, 3]",
            "grid.controllers=[random-fresh, random-fixed, window, follow]", "grid.laws=[function, permutation]",
            "trials=700", "precision.rel_error=0.2", "precision.max_trials=20000", "unit_trials=333",
            "answer_trials=1000", "estimator=plain");
        Plan plan = Planner.plan(settings, 6);
        Map<Integer, List<WorkUnit>> byCell = unitsByCell(plan);
        Set<Long> distinctTrials = new HashSet<>();

        for (Cell cell : plan.cells()) {
            List<WorkUnit> units = byCell.get(cell.index());
            long trials = 0;
            long answers = 0;
            for (int b = 0; b < units.size(); b++) {
                WorkUnit unit = units.get(b);
                assertEquals(b, unit.block(), "blocks of " + cell.label() + " are 0.." + (units.size() - 1));
                assertTrue(unit.trials() >= 1, "a unit of " + cell.label() + " has trials: " + unit);
                assertTrue(unit.trials() <= 333, "a unit of " + cell.label() + " has at most unit_trials: " + unit);
                assertTrue(unit.answerTrials() >= 0, "answer trials are not negative in " + cell.label() + ": " + unit);
                assertTrue(unit.answerTrials() <= unit.trials(),
                    "answer trials are at most the unit's trials in " + cell.label() + ": " + unit);
                trials += unit.trials();
                answers += unit.answerTrials();
            }
            distinctTrials.add(cell.trials());

            assertEquals(cell.trials(), trials, "units' trials sum to the cell's trials for " + cell.label());
            assertEquals(Math.min(cell.trials(), 1000), cell.answerTrials(), "answer trials of " + cell.label());
            assertEquals(cell.answerTrials(), answers, "units' answer trials sum to the cell's for " + cell.label());
        }
        assertTrue(distinctTrials.size() > 1, "the precision target gives cells different trial counts: " + distinctTrials);
        assertEquals(plan.cells().stream().mapToLong(Cell::trials).sum(), plan.totalTrials(), "total trials");
    }

    @Test
    void dealFillsEveryPartition() {
        // Longest processing time first hands the first units to empty partitions, one each.
        SeparationSettings settings = settings(SMALL_GRID);
        Plan plan = Planner.plan(settings, 7);

        assertTrue(plan.unitCount() >= 7, "enough units: " + plan.unitCount());
        for (List<WorkUnit> partition : plan.partitions()) {
            assertFalse(partition.isEmpty(), "every partition gets work: " + plan.partitions());
        }
    }

    @Test
    void planDeterministic() {
        SeparationSettings settings = settings(SMALL_GRID);

        assertEquals(Planner.plan(settings, 5), Planner.plan(settings, 5), "the same settings give the same plan");
    }

    @Test
    void zeroPartitionsRejected() {
        SeparationSettings settings = settings(SMALL_GRID);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Planner.plan(settings, 0));

        assertTrue(e.getMessage().contains("partitions"), "the message names the argument: " + e.getMessage());
    }

    @Test
    void trialsForPrecisionTarget() {
        // z = inverse normal CDF at 0.975 = 1.959963984540054 (standard table), z^2 = 3.841458820694124.
        // For P(E) = 1/16 and rel_error = 0.1: z^2 (1 - p) / (p r^2) = z^2 * (15/16) / (0.01/16)
        // = z^2 * 1500 = 5762.188..., rounded up to 5763.
        assertEquals(5763, Planner.trialsFor(settings("trials=1000", "precision.rel_error=0.1"), 1.0 / 16),
            "the target count when it lies between trials and max_trials");
        assertEquals(10_000, Planner.trialsFor(settings("trials=10000", "precision.rel_error=0.1"), 1.0 / 16),
            "never fewer than trials");
        // z = inverse normal CDF at 0.995 = 2.5758293035489004, z^2 = 6.634896601021214.
        // For P(E) = 1/2 and rel_error = 0.05: z^2 * 0.5 / (0.5 * 0.0025) = z^2 * 400 = 2653.958..., so 2654.
        assertEquals(2654, Planner.trialsFor(settings("trials=100", "confidence=0.99", "precision.rel_error=0.05"), 0.5),
            "the target count at 99% confidence");
    }

    @Test
    void trialsForKeepsTrialsWhenTargetUnreachable() {
        // The target 5763 (see trialsForPrecisionTarget) exceeds max_trials = 5000, so the cell keeps
        // trials = 1000, as the Javadoc of trialsFor and conf/separation.conf describe.
        SeparationSettings capped = settings("trials=1000", "precision.rel_error=0.1", "precision.max_trials=5000");

        assertEquals(1000, Planner.trialsFor(capped, 1.0 / 16), "an unreachable target keeps trials");
    }

    @Test
    void trialsForWithoutTarget() {
        SeparationSettings noTarget = settings("trials=1000");
        SeparationSettings target = settings("trials=1000", "precision.rel_error=0.1");

        assertEquals(1000, Planner.trialsFor(noTarget, 1.0 / 16), "rel_error = 0 keeps trials");
        assertEquals(1000, Planner.trialsFor(target, 0.0), "P(E) = 0 has no relative precision, so trials");
        assertEquals(1000, Planner.trialsFor(target, 1.0), "P(E) = 1 needs no trials beyond trials");
        assertEquals(1000, Planner.trialsFor(target, Double.NaN), "an unknown P(E) keeps trials");
    }

    @Test
    void unsupportedEngineCombinationsSkipped() {
        Plan plan = Planner.plan(settings(new String[] {"grid.n=[64, \"2^27\"]", "grid.s=[4]", "grid.k=[4]",
            "grid.controllers=[random-fresh]", "grid.laws=[function]", "grid.engines=[lazy, dense]",
            "grid.scenarios=[decode, full-compression]"}), 2);
        List<String> labels = plan.cells().stream().map(Cell::label).toList();

        // n = 64: lazy decode, dense decode, dense full-compression; lazy full-compression is skipped.
        // n = 2^27: lazy decode only; both dense cells exceed the dense engine's 2^26 positions.
        assertEquals(List.of("n=64 s=4 k=4 random-fresh function", "n=64 s=4 k=4 random-fresh function dense",
            "n=64 s=4 k=4 random-fresh function dense full-compression", "n=134217728 s=4 k=4 random-fresh function"),
            labels, "the cells the engines can run");
        assertEquals(4, plan.skipped().size(), "skipped combinations: " + plan.skipped());
        assertTrue(plan.skipped().stream().anyMatch(line -> line.contains("needs the dense engine")),
            "the reason for lazy full-compression: " + plan.skipped());
        assertTrue(plan.skipped().stream().anyMatch(line -> line.contains("n up to")),
            "the reason for dense at large n: " + plan.skipped());
    }

    @Test
    void fullCompressionHasNoExactValue() {
        Plan plan = Planner.plan(settings(new String[] {"grid.n=[64]", "grid.s=[4]", "grid.k=[4]",
            "grid.controllers=[follow]", "grid.laws=[function]", "grid.engines=[dense]",
            "grid.scenarios=[decode, full-compression]"}), 2);

        assertEquals(1.0 / 16, find(plan, "n=64 s=4 k=4 follow function dense").exact(), 1e-15,
            "decode on the dense engine keeps the exact value s/n");
        assertTrue(Double.isNaN(find(plan, "n=64 s=4 k=4 follow function dense full-compression").exact()),
            "no exact value is known under full compression");
    }

    @Test
    void softAttentionOnLazyAdaptiveSkipped() {
        Plan plan = Planner.plan(settings(new String[] {"grid.n=[64]", "grid.s=[4]", "grid.k=[4]",
            "grid.controllers=[random-fresh, heavy-hitter]", "grid.laws=[function]", "grid.engines=[lazy, dense]"},
            "attention.temperature=0.5"), 2);
        List<String> labels = plan.cells().stream().map(Cell::label).toList();

        assertEquals(List.of("n=64 s=4 k=4 random-fresh function", "n=64 s=4 k=4 random-fresh function dense",
            "n=64 s=4 k=4 heavy-hitter function dense"), labels, "lazy heavy-hitter with soft attention is skipped");
        assertTrue(plan.skipped().get(0).contains("soft attention"), "the reason: " + plan.skipped());
    }

    @Test
    void engineAndTemperatureChangeCellKey() {
        String[] grid = {"grid.n=[64]", "grid.s=[4]", "grid.k=[4]", "grid.controllers=[heavy-hitter]",
            "grid.laws=[function]", "grid.engines=[lazy, dense]"};
        Plan hard = Planner.plan(settings(grid), 1);
        Plan soft = Planner.plan(settings(grid, "attention.temperature=0.5"), 1);

        assertNotEquals(hard.cells().get(0).key(), hard.cells().get(1).key(), "lazy and dense cells differ");
        assertNotEquals(hard.cells().get(1).key(), soft.cells().get(0).key(),
            "a dense cell with soft attention differs from the one with hard attention");
    }

    private static SeparationSettings settings(String... assignments) {
        return ConfigLoader.load(null, List.of(assignments));
    }

    private static SeparationSettings settings(String[] grid, String... more) {
        List<String> all = new ArrayList<>(List.of(grid));
        all.addAll(List.of(more));
        return ConfigLoader.load(null, all);
    }

    private static Cell find(Plan plan, String label) {
        List<Cell> matches = plan.cells().stream().filter(c -> c.label().equals(label)).toList();
        assertEquals(1, matches.size(), "cells labelled " + label);
        return matches.get(0);
    }

    /** Returns each cell's units sorted by block, failing if a (cell, block) pair is dealt twice. */
    private static Map<Integer, List<WorkUnit>> unitsByCell(Plan plan) {
        Map<Integer, List<WorkUnit>> byCell = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (List<WorkUnit> partition : plan.partitions()) {
            for (WorkUnit unit : partition) {
                assertTrue(seen.add(unit.cellIndex() + "/" + unit.block()), "unit dealt twice: " + unit);
                byCell.computeIfAbsent(unit.cellIndex(), c -> new ArrayList<>()).add(unit);
            }
        }
        for (List<WorkUnit> units : byCell.values()) {
            units.sort((a, b) -> Long.compare(a.block(), b.block()));
        }
        assertEquals(plan.cells().size(), byCell.size(), "every cell has units");
        return byCell;
    }
}
