package dev.kvcache.jobs.run;

import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.dense.DenseEngine;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.lazy.LazyEngine;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.jobs.config.SimulationEngine;
import dev.kvcache.jobs.config.SimulationScenario;
import dev.kvcache.jobs.plan.Cell;
import dev.kvcache.jobs.plan.WorkUnit;
import org.apache.commons.rng.UniformRandomProvider;

/** Runs one work unit on the cell's engine with the unit's own random stream. */
public final class UnitRunner {
    private UnitRunner() {
    }

    /** Runs {@code unit} of {@code cell}; the result depends only on the seed, the cell and the unit. */
    public static UnitOutcome run(Cell cell, WorkUnit unit, long seed, ControllerSettings settings) {
        long start = System.nanoTime();
        TrialCounts counts = new TrialCounts(cell.stages());
        UniformRandomProvider rng = Seeds.unitGenerator(seed, cell.key(), unit.block());
        if (cell.engine() == SimulationEngine.LAZY) {
            new LazyEngine(cell.task(), cell.controller(), settings, rng).run(unit.trials(), unit.answerTrials(), counts);
        } else {
            DenseEngine.Scenario scenario = cell.scenario() == SimulationScenario.DECODE
                ? DenseEngine.Scenario.DECODE
                : DenseEngine.Scenario.FULL_COMPRESSION;
            new DenseEngine(cell.task(), scenario, cell.controller(), settings, rng)
                .run(unit.trials(), unit.answerTrials(), counts);
        }
        return new UnitOutcome(counts, System.nanoTime() - start);
    }
}
