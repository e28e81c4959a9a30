package dev.kvcache.jobs.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.jobs.config.ConfigLoader;
import dev.kvcache.jobs.config.EstimatorSettings.Estimator;
import dev.kvcache.jobs.config.SeparationSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Tests how the planner resolves each cell's estimator and plans splitting replicates. */
class EstimatorPlanTest {

    private static Plan plan(String... assignments) {
        SeparationSettings settings = ConfigLoader.load(null, List.of(assignments));
        return Planner.plan(settings, 3);
    }

    private static Cell find(Plan plan, String label) {
        return plan.cells().stream().filter(c -> c.label().equals(label)).findFirst()
            .orElseThrow(() -> new AssertionError("no cell " + label + " in " + plan.cells()));
    }

    @Test
    void autoPicksSplittingForRareCells() {
        // trials = 10,000: random-fresh at s/n = 1/16 has P(E) = 1/16 (k = 2) and 1/256 (k = 4),
        // expecting 625 and 39 events; follow (adaptive) and query-aware always run plain.
        Plan plan = plan("grid.n=[256]", "grid.s=[16]", "grid.k=[2, 4]",
            "grid.controllers=[random-fresh, window, follow, query-aware]", "grid.laws=[function]", "trials=10000",
            "answer_trials=500");
        assertEquals(Estimator.PLAIN, find(plan, "n=256 s=16 k=2 random-fresh function").estimator());
        Cell deep = find(plan, "n=256 s=16 k=4 random-fresh function");
        assertEquals(Estimator.SPLITTING, deep.estimator());
        assertEquals(16, deep.replicates(), "default splitting.replicates");
        assertEquals(500, deep.trials(), "a splitting cell runs answer_trials plain trials for p_wrong");
        assertEquals(500, deep.answerTrials());
        assertEquals(Estimator.PLAIN, find(plan, "n=256 s=16 k=4 follow function").estimator());
        assertEquals(Estimator.PLAIN, find(plan, "n=256 s=16 k=4 query-aware function").estimator());
        for (Cell cell : plan.cells()) {
            assertEquals(cell.splitting() ? 16 : 0, cell.replicates(), cell.label());
        }
    }

    @Test
    void precisionTargetDecidesWhatPlainCanSee() {
        // With rel_error = 0.09 and max_trials = 40M, plain reaches P(E) down to about 1.2e-5.
        Plan plan = plan("grid.n=[4096]", "grid.s=[64]", "grid.k=[4, 8]", "grid.controllers=[random-fresh]",
            "grid.laws=[function]", "trials=200000", "precision.rel_error=0.09", "precision.max_trials=40000000");
        Cell visible = find(plan, "n=4096 s=64 k=4 random-fresh function");
        assertEquals(Estimator.PLAIN, visible.estimator(), "P(E) = 2^-12");
        assertTrue(visible.trials() > 200000, "raised by the precision target: " + visible.trials());
        assertEquals(Estimator.SPLITTING, find(plan, "n=4096 s=64 k=8 random-fresh function").estimator(), "2^-18");
    }

    @Test
    void explicitChoiceAppliesWherePossible() {
        Plan plain = plan("grid.n=[\"2^20\"]", "grid.s=[16]", "grid.k=[1024]", "grid.controllers=[random-fresh]",
            "estimator=plain");
        assertTrue(plain.cells().stream().allMatch(c -> c.estimator() == Estimator.PLAIN));

        Plan splitting = plan("grid.n=[64]", "grid.s=[16]", "grid.k=[2]",
            "grid.controllers=[random-fresh, strided, follow, query-aware]", "grid.laws=[function]",
            "estimator=splitting", "splitting.replicates=5");
        assertEquals(4, splitting.cells().size(), "no cell is dropped: " + splitting.skipped());
        for (Cell cell : splitting.cells()) {
            boolean oblivious = cell.controller().equals("random-fresh") || cell.controller().equals("strided");
            assertEquals(oblivious ? Estimator.SPLITTING : Estimator.PLAIN, cell.estimator(),
                "splitting where it can run, plain for the others: " + cell.label());
            assertEquals(oblivious ? 5 : 0, cell.replicates(), cell.label());
        }
    }

    @Test
    void splittingOutOfReachFallsBackToPlain() {
        // At n = 2^50 and s = 16 a stage needs 2^46 clones per survivor, far above max_clones = 2^40;
        // at k = 2^20 (T = 20) a replicate would replay 500 x 2^21 hops, about 1e9, within reach, and
        // at k = 2^30 (T = 30) about 1e12, out of reach.
        SeparationSettings settings = ConfigLoader.load(null, List.of("grid.n=[\"2^50\", \"2^30\"]",
            "grid.s=[16]", "grid.k=[16, \"2^20\", \"2^30\"]", "grid.controllers=[random-fresh]",
            "grid.laws=[function]", "estimator=splitting", "answer_trials=0"));
        Plan plan = Planner.plan(settings, 2);
        assertEquals(Estimator.PLAIN, find(plan, "n=1125899906842624 s=16 k=16 random-fresh function").estimator());
        String reason = Planner.splittingUnsupported(settings, find(plan,
            "n=1125899906842624 s=16 k=16 random-fresh function").task(), "random-fresh",
            dev.kvcache.jobs.config.SimulationEngine.LAZY, dev.kvcache.jobs.config.SimulationScenario.DECODE);
        assertTrue(reason.contains("splitting.max_clones"), reason);
        assertEquals(Estimator.SPLITTING, find(plan, "n=1073741824 s=16 k=16 random-fresh function").estimator());
        assertEquals(Estimator.SPLITTING, find(plan, "n=1073741824 s=16 k=1048576 random-fresh function").estimator());
        assertEquals(Estimator.PLAIN, find(plan, "n=1073741824 s=16 k=1073741824 random-fresh function").estimator(),
            "a replicate would replay about 1e12 hops");

        Plan auto = Planner.plan(ConfigLoader.load(null, List.of("grid.n=[\"2^50\"]", "grid.s=[16]", "grid.k=[16]",
            "grid.controllers=[random-fresh]", "grid.laws=[function]")), 2);
        assertEquals(Estimator.PLAIN, auto.cells().get(0).estimator(), "auto never picks splitting out of reach");
    }

    @Test
    void replicatesDealtOnceWithOwnSeeds() {
        Plan plan = plan("grid.n=[\"2^16\"]", "grid.s=[16]", "grid.k=[64, 256]", "grid.controllers=[random-fresh, window]",
            "grid.laws=[function]", "answer_trials=1000", "splitting.replicates=7");
        Map<String, List<Long>> replicates = new TreeMap<>();
        List<Long> seedBlocks = new ArrayList<>();
        for (List<WorkUnit> partition : plan.partitions()) {
            for (WorkUnit unit : partition) {
                if (unit.replicate()) {
                    replicates.computeIfAbsent(plan.cells().get(unit.cellIndex()).label(), k -> new ArrayList<>())
                        .add(unit.block());
                    assertEquals(-1 - unit.block(), unit.seedBlock(), "replicates seed below the plain blocks");
                    assertEquals(0, unit.trials());
                } else {
                    seedBlocks.add(unit.seedBlock());
                }
            }
        }
        assertEquals(4, replicates.size(), "every cell is a splitting cell");
        for (Map.Entry<String, List<Long>> cell : replicates.entrySet()) {
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), cell.getValue().stream().sorted().toList(), cell.getKey());
        }
        assertTrue(seedBlocks.stream().allMatch(b -> b >= 0), "plain blocks keep their coordinates");
        assertEquals(4 * 7 + 4, plan.unitCount(), "7 replicates and one block of 1000 answer trials per cell");
    }
}
