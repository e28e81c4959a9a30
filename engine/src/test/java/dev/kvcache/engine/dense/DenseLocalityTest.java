package dev.kvcache.engine.dense;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.cache.SetFactory;
import dev.kvcache.engine.controller.AdaptiveCache;
import dev.kvcache.engine.controller.AdaptiveController;
import dev.kvcache.engine.controller.ControllerClass;
import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.controller.ExactRule;
import dev.kvcache.engine.controller.InitialCache;
import dev.kvcache.engine.controller.LocalityViolationException;
import dev.kvcache.engine.controller.Trace;
import dev.kvcache.engine.dense.DenseEngine.Scenario;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Checks that the dense engine enforces the locality rule of adaptive controllers. */
class DenseLocalityTest {
    private static final String PLANTED = "test-planted-admission";
    /** The position the planted controller admitted last, for the message check. */
    private static final AtomicLong ADMITTED = new AtomicLong(-1);

    /**
     * A controller that breaks the rule: after stage 1 it admits the first position that is
     * neither resident nor referenced by the trace.
     */
    private static final class PlantedAdmission implements AdaptiveController {
        private final SetFactory.RandomSubsetSlot slot;
        private final long n;

        PlantedAdmission(long s, SetFactory sets) {
            this.slot = sets.randomSubsetSlot(s);
            this.n = sets.universe();
        }

        @Override
        public String name() {
            return PLANTED;
        }

        @Override
        public ResidentSet beginTrial() {
            return slot.draw();
        }

        @Override
        public void afterStage(Trace trace, AdaptiveCache cache) {
            for (long q = 0; q < n; q++) {
                if (q != trace.attended() && q != trace.named() && !cache.isResident(q)) {
                    ADMITTED.set(q);
                    cache.evictLowest(AdaptiveCache.Statistic.LAST_USE, null);
                    cache.admit(q);
                    return;
                }
            }
        }
    }

    @BeforeEach
    void registerPlanted() {
        ControllerRegistry.register(new ControllerRegistry.Entry(PLANTED, ControllerClass.ADAPTIVE, ExactRule.ADAPTIVE,
            "admits a position outside the trace", (s, settings, sets) -> new PlantedAdmission(s, sets)));
    }

    @AfterEach
    void unregisterPlanted() {
        ControllerRegistry.unregister(PLANTED);
    }

    @Test
    void admissionOutsideTraceIsRejected() {
        for (Scenario scenario : Scenario.values()) {
            ChaseTask task = new ChaseTask(16, 4, 8, PointerLaw.FUNCTION, MissRule.NEAREST);
            DenseEngine engine = new DenseEngine(task, scenario, PLANTED, ControllerSettings.defaults(),
                Seeds.generator(41));
            LocalityViolationException error = assertThrows(LocalityViolationException.class,
                () -> engine.run(1, new TrialCounts(task.stages())));
            String message = error.getMessage();
            assertTrue(message.contains("'" + PLANTED + "'"), message);
            assertTrue(message.contains("after stage 1"), message);
            assertTrue(message.contains("admitted position " + ADMITTED.get() + " "), message);
        }
    }

    @Test
    void softAttentionStillEnforcesLocality() {
        ChaseTask task = new ChaseTask(16, 4, 8, PointerLaw.PERMUTATION, MissRule.UNIFORM);
        ControllerSettings soft = new ControllerSettings(ControllerSettings.DEFAULT_SINKS, InitialCache.RANDOM, 2.0);
        DenseEngine engine = new DenseEngine(task, PLANTED, soft, Seeds.generator(42));
        LocalityViolationException error = assertThrows(LocalityViolationException.class,
            () -> engine.run(1, new TrialCounts(task.stages())));
        assertTrue(error.getMessage().contains("admitted position " + ADMITTED.get() + " "), error.getMessage());
    }
}
