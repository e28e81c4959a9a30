package dev.kvcache.engine.lazy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.controller.InitialCache;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tests {@link LazyEngine}'s determinism and bookkeeping: the same seed gives identical counts,
 * different seeds give different trial sequences, splitting a run into calls changes nothing, the
 * answers/events split is honoured, and invalid arguments are rejected.
 */
class LazyEngineTest {
    /** A controller name with the initial cache that follow takes. */
    private record Controller(String name, InitialCache initial) {
        @Override
        public String toString() {
            return name + "/" + initial.configName();
        }
    }

    private static final List<Controller> CONTROLLERS = List.of(
        new Controller("random-fresh", InitialCache.RANDOM),
        new Controller("random-fixed", InitialCache.RANDOM),
        new Controller("window", InitialCache.RANDOM),
        new Controller("follow", InitialCache.RANDOM),
        new Controller("follow", InitialCache.WINDOW));
    private static final long[] UNIVERSES = {64, 1L << 40};

    @Test
    void sameSeedGivesIdenticalCounts() {
        for (Controller controller : CONTROLLERS) {
            for (long n : UNIVERSES) {
                for (PointerLaw law : PointerLaw.values()) {
                    for (MissRule rule : MissRule.values()) {
                        ChaseTask task = new ChaseTask(n, n / 4, 8, law, rule);
                        String cell = describe(controller, task);
                        TrialCounts first = run(task, controller, 42, 3000, 1500);
                        TrialCounts second = run(task, controller, 42, 3000, 1500);
                        assertEquals(first, second, cell);
                        assertEquals(3000, first.trials(), cell);
                    }
                }
            }
        }
    }

    @Test
    void differentSeedsGiveDifferentTrials() {
        // The first read hits with probability s/n = 1/4 for every controller here, so no trial
        // outcome (first-miss stage, correct) has probability above 3/4, and two independent
        // trials agree with probability at most 3/4. Two sequences of 1000 trials coincide with
        // probability below (3/4)^1000 < 1e-124.
        for (Controller controller : CONTROLLERS) {
            for (long n : UNIVERSES) {
                ChaseTask task = new ChaseTask(n, n / 4, 8, PointerLaw.FUNCTION, MissRule.NEAREST);
                List<String> one = outcomes(task, controller, 1, 1000);
                List<String> two = outcomes(task, controller, 2, 1000);
                assertFalse(one.equals(two), describe(controller, task));
            }
        }
    }

    @Test
    void splitRunEqualsSingleRun() {
        // One call with 600 trials, the first 300 answered, against the same modes in three calls.
        for (Controller controller : CONTROLLERS) {
            for (long n : UNIVERSES) {
                ChaseTask task = new ChaseTask(n, n / 2, 5, PointerLaw.PERMUTATION, MissRule.UNIFORM);
                TrialCounts single = run(task, controller, 7, 600, 300);

                TrialCounts split = new TrialCounts(task.stages());
                LazyEngine engine = engine(task, controller, 7);
                engine.run(100, split);
                engine.run(200, 200, split);
                engine.run(300, 0, split);
                assertEquals(single, split, describe(controller, task));
            }
        }
    }

    @Test
    void answerTrialsAreCounted() {
        for (Controller controller : CONTROLLERS) {
            ChaseTask task = new ChaseTask(64, 16, 8, PointerLaw.FUNCTION, MissRule.NEAREST);
            String cell = describe(controller, task);
            TrialCounts counts = run(task, controller, 3, 2000, 500);
            assertEquals(2000, counts.trials(), cell);
            assertEquals(500, counts.answered(), cell);
            assertTrue(counts.correct() <= counts.answered(), cell);
            long misses = Arrays.stream(counts.firstMissHistogram()).sum() - counts.events();
            assertEquals(counts.trials(), counts.events() + misses, cell);

            TrialCounts all = run(task, controller, 3, 2000, 5000);
            assertEquals(2000, all.answered(), cell + ": more answer trials than trials");
            TrialCounts none = run(task, controller, 3, 0, 0);
            assertEquals(new TrialCounts(task.stages()), none, cell + ": zero trials");
        }
    }

    @Test
    void fullCacheAlwaysHitsAndAnswers() {
        // s = n: every read hits, so E and a correct answer in every trial, at any n.
        for (Controller controller : CONTROLLERS) {
            for (long n : new long[] {5, 1L << 40}) {
                ChaseTask task = new ChaseTask(n, n, 64, PointerLaw.FUNCTION, MissRule.NEAREST);
                TrialCounts counts = run(task, controller, 4, 500, 500);
                assertEquals(500, counts.events(), describe(controller, task));
                assertEquals(500, counts.correct(), describe(controller, task));
            }
        }
    }

    @Test
    void largestUniverseRuns() {
        // n = 2^62, the documented limit, with every controller, law and miss rule.
        for (Controller controller : CONTROLLERS) {
            for (PointerLaw law : PointerLaw.values()) {
                for (MissRule rule : MissRule.values()) {
                    ChaseTask task = new ChaseTask(1L << 62, 1L << 61, 64, law, rule);
                    TrialCounts counts = run(task, controller, 5, 300, 300);
                    assertEquals(300, counts.trials(), describe(controller, task));
                }
            }
        }
    }

    @Test
    void universeAboveLimitRejected() {
        // Above 2^62 the circular sums centre + d of the nearest-member search overflow a long.
        for (long n : new long[] {(1L << 62) + 1, Long.MAX_VALUE}) {
            IllegalArgumentException rejected = assertThrows(IllegalArgumentException.class,
                () -> new ChaseTask(n, 64, 64, PointerLaw.FUNCTION, MissRule.NEAREST), "n = " + n);
            assertTrue(rejected.getMessage().contains(Long.toString(n)), "the message names n: " + rejected.getMessage());
        }
    }

    @Test
    void invalidArgumentsRejected() {
        ChaseTask task = new ChaseTask(64, 16, 8, PointerLaw.FUNCTION, MissRule.NEAREST);
        LazyEngine engine = new LazyEngine(task, "random-fixed", ControllerSettings.defaults(), Seeds.generator(1));
        assertThrows(IllegalArgumentException.class, () -> engine.run(10, new TrialCounts(2)), "stages mismatch");
        assertThrows(IllegalArgumentException.class, () -> engine.run(-1, new TrialCounts(3)), "negative trials");
        assertThrows(IllegalArgumentException.class, () -> engine.run(10, -1, new TrialCounts(3)),
            "negative answer trials");
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> new LazyEngine(task, "no-such-rule", ControllerSettings.defaults(), Seeds.generator(1)));
        assertTrue(unknown.getMessage().contains("no-such-rule"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("random-fresh"), "the message lists known names: "
            + unknown.getMessage());
    }

    private static TrialCounts run(ChaseTask task, Controller controller, long seed, long trials, long answerTrials) {
        TrialCounts counts = new TrialCounts(task.stages());
        engine(task, controller, seed).run(trials, answerTrials, counts);
        return counts;
    }

    private static LazyEngine engine(ChaseTask task, Controller controller, long seed) {
        ControllerSettings settings = new ControllerSettings(ControllerSettings.DEFAULT_SINKS, controller.initial());
        return new LazyEngine(task, controller.name(), settings, Seeds.generator(seed));
    }

    /** Runs trials one by one and returns each trial's first-miss histogram and correct count. */
    private static List<String> outcomes(ChaseTask task, Controller controller, long seed, int trials) {
        LazyEngine engine = engine(task, controller, seed);
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < trials; i++) {
            TrialCounts one = new TrialCounts(task.stages());
            engine.run(1, one);
            outcomes.add(Arrays.toString(one.firstMissHistogram()) + one.correct());
        }
        return outcomes;
    }

    private static String describe(Controller controller, ChaseTask task) {
        return controller + " " + task;
    }
}
