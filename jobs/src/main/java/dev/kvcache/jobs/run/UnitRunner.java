package dev.kvcache.jobs.run;

import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.dense.DenseEngine;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.lazy.LazyEngine;
import dev.kvcache.engine.lazy.SplittingEngine;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.jobs.config.EstimatorSettings;
import dev.kvcache.jobs.config.SimulationEngine;
import dev.kvcache.jobs.config.SimulationScenario;
import dev.kvcache.jobs.plan.Cell;
import dev.kvcache.jobs.plan.WorkUnit;
import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;

/** Runs one work unit on the cell's engine with the unit's own random stream. */
public final class UnitRunner {
    private UnitRunner() {
    }

    /** Runs {@code unit} of {@code cell}; the result depends only on the seed, the cell, the unit and the settings. */
    public static UnitOutcome run(Cell cell, WorkUnit unit, long seed, ControllerSettings settings,
                                  EstimatorSettings estimator) {
        long start = System.nanoTime();
        TrialCounts counts = new TrialCounts(cell.stages());
        long unitSeed = Seeds.unitSeed(seed, cell.key(), unit.seedBlock());
        if (unit.replicate()) {
            SplittingEngine engine = new SplittingEngine(cell.task(), cell.controller(), settings,
                estimator.particles(), estimator.survivors(), estimator.maxClones());
            SplittingEngine.Replicate replicate = engine.run(unitSeed);
            return new UnitOutcome(counts, cell.replicates(), new int[] {(int) unit.block()},
                new double[] {replicate.estimate()}, replicate.rebuilt(), Arrays.stream(replicate.clones()).sum(),
                replicate.capped() > 0 ? 1 : 0, System.nanoTime() - start);
        }
        UniformRandomProvider rng = Seeds.generator(unitSeed);
        if (cell.engine() == SimulationEngine.LAZY) {
            new LazyEngine(cell.task(), cell.controller(), settings, rng).run(unit.trials(), unit.answerTrials(), counts);
        } else {
            DenseEngine.Scenario scenario = cell.scenario() == SimulationScenario.DECODE
                ? DenseEngine.Scenario.DECODE
                : DenseEngine.Scenario.FULL_COMPRESSION;
            new DenseEngine(cell.task(), scenario, cell.controller(), settings, rng)
                .run(unit.trials(), unit.answerTrials(), counts);
        }
        return UnitOutcome.ofCounts(counts, cell.replicates(), System.nanoTime() - start);
    }
}
