package dev.kvcache.engine.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.dense.DenseEngine.Scenario;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import org.junit.jupiter.api.Test;

/** Checks the dense engine's argument checks, its modes and its determinism. */
class DenseEngineContractTest {
    private static final ChaseTask TASK = new ChaseTask(64, 8, 8, PointerLaw.FUNCTION, MissRule.NEAREST);

    @Test
    void largeNIsRejected() {
        ChaseTask huge = new ChaseTask(DenseEngine.MAX_POSITIONS + 1, 8, 8, PointerLaw.FUNCTION, MissRule.NEAREST);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new DenseEngine(huge, "follow", ControllerSettings.defaults(), Seeds.generator(1)));
        assertTrue(error.getMessage().contains("n = 67108865"), error.getMessage());
        assertTrue(error.getMessage().contains("lazy engine"), error.getMessage());
    }

    @Test
    void unknownControllerIsRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new DenseEngine(TASK, "no-such-rule", ControllerSettings.defaults(), Seeds.generator(1)));
        assertTrue(error.getMessage().contains("known controllers"), error.getMessage());
    }

    @Test
    void invalidRunArgumentsAreRejected() {
        DenseEngine engine = new DenseEngine(TASK, "window", ControllerSettings.defaults(), Seeds.generator(1));
        assertThrows(IllegalArgumentException.class, () -> engine.run(10, new TrialCounts(TASK.stages() + 1)));
        assertThrows(IllegalArgumentException.class, () -> engine.run(-1, new TrialCounts(TASK.stages())));
        assertThrows(IllegalArgumentException.class, () -> engine.run(10, -1, new TrialCounts(TASK.stages())));
    }

    @Test
    void modesSplitAsRequested() {
        TrialCounts counts = new TrialCounts(TASK.stages());
        new DenseEngine(TASK, "random-fresh", ControllerSettings.defaults(), Seeds.generator(2)).run(1_000, 300, counts);
        assertEquals(1_000, counts.trials());
        assertEquals(300, counts.answered());
    }

    @Test
    void sameSeedGivesSameCounts() {
        for (Scenario scenario : Scenario.values()) {
            for (String name : new String[] {"random-fixed", "tova", "query-aware"}) {
                TrialCounts first = new TrialCounts(TASK.stages());
                new DenseEngine(TASK, scenario, name, ControllerSettings.defaults(), Seeds.generator(3))
                    .run(2_000, 1_000, first);
                TrialCounts second = new TrialCounts(TASK.stages());
                new DenseEngine(TASK, scenario, name, ControllerSettings.defaults(), Seeds.generator(3))
                    .run(2_000, 1_000, second);
                assertEquals(first, second, scenario + " " + name);
            }
        }
    }
}
