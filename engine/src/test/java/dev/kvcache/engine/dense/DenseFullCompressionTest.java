package dev.kvcache.engine.dense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.controller.ControllerClass;
import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.controller.ExactRule;
import dev.kvcache.engine.controller.ObliviousController;
import dev.kvcache.engine.dense.ControllerVariants.Variant;
import dev.kvcache.engine.dense.DenseEngine.Scenario;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.stats.Binomial;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tests the full-compression scenario, in which every position reads through the compressed
 * caches while the layer values {@code V_t} are built.
 *
 * <p>The hand-checked instance used below has {@code n = 8}, the pointer map
 * {@code f = [5, 3, 3, 7, 0, 6, 1, 2]} and the caches {@code C_1 = {0, 3, 6}},
 * {@code C_2 = {1, 2, 5}}, {@code C_3 = {4, 7}}, with the nearest miss rule. The reads through
 * them, {@code R_u(p)} for {@code p = 0..7} (ties to the smaller position, so 7 goes to 0 in
 * {@code C_1} and to 1 in {@code C_2}):
 * <pre>
 *   R_1 = [0, 0, 3, 3, 3, 6, 6, 0]
 *   R_2 = [1, 1, 2, 2, 5, 5, 5, 1]
 *   R_3 = [7, 7, 4, 4, 4, 4, 7, 7]
 * </pre>
 * The doubled layers, {@code D_1(i) = f(R_1(f(i)))} and {@code D_2(i) = D_1(R_2(D_1(i)))}:
 * <pre>
 *   f   = [5, 3, 3, 7, 0, 6, 1, 2]      (exact f^2 would be [6, 7, 7, 2, 5, 1, 3, 3])
 *   D_1 = [1, 7, 7, 5, 5, 1, 5, 7]      e.g. D_1(0) = f(R_1(5)) = f(6) = 1
 *   D_2 = [7, 7, 7, 1, 1, 7, 1, 7]      e.g. D_2(3) = D_1(R_2(5)) = D_1(5) = 1
 * </pre>
 * The last layer by the binary digits of {@code h_T}:
 * <pre>
 *   k = 3: T = 2, h_2 = 2 = 2^1:  V_2 = D_1
 *   k = 4: T = 2, h_2 = 3 = 1 + 2: V_2(i) = D_1(R_2(f(i))) = [1, 7, 7, 7, 7, 1, 7, 7]
 *   k = 5: T = 3, h_3 = 2:         V_3 = D_1, with no read
 *   k = 6: T = 3, h_3 = 3 = 1 + 2: V_3(i) = D_1(R_2(f(i))) = [1, 7, 7, 7, 7, 1, 7, 7]
 *   k = 7: T = 3, h_3 = 4 = 2^2:  V_3 = D_2
 *   k = 8: T = 3, h_3 = 5 = 1 + 4: V_3(i) = D_2(R_3(f(i))) = [1, 1, 1, 7, 7, 7, 7, 1]
 * </pre>
 * For example {@code k = 8}, {@code i = 0}: {@code f(0) = 5}, {@code R_3(5) = 4},
 * {@code D_2(4) = 1}.
 */
class DenseFullCompressionTest {
    private static final double CLASS_FALSE_ALARM = 1e-6;
    private static final String FIXED_CACHES = "test-fixed-caches";
    private static final int[] F = {5, 3, 3, 7, 0, 6, 1, 2};
    private static final int[][] CACHES = {{0, 3, 6}, {1, 2, 5}, {4, 7}};
    private static final int[] D1 = {1, 7, 7, 5, 5, 1, 5, 7};
    private static final int[] D2 = {7, 7, 7, 1, 1, 7, 1, 7};
    private static final Map<Long, int[]> LAST_LAYER = Map.of(
        3L, D1,
        4L, new int[] {1, 7, 7, 7, 7, 1, 7, 7},
        5L, D1,
        6L, new int[] {1, 7, 7, 7, 7, 1, 7, 7},
        7L, D2,
        8L, new int[] {1, 1, 1, 7, 7, 7, 7, 1});

    /**
     * An oblivious controller with the caches of the hand-checked instance. It keeps one dense set
     * per stage, so a stage's cache stays intact while later stages run; sizes differ per stage,
     * which only this test needs.
     */
    private static final class FixedCaches implements ObliviousController {
        private final DenseResidentSet[] sets = new DenseResidentSet[CACHES.length];

        FixedCaches() {
            for (int t = 0; t < CACHES.length; t++) {
                sets[t] = new DenseResidentSet(F.length, Seeds.generator(t)).fillWith(CACHES[t]);
            }
        }

        @Override
        public String name() {
            return FIXED_CACHES;
        }

        @Override
        public void beginTrial() {
            // The caches never change.
        }

        @Override
        public ResidentSet cacheAt(int t) {
            return sets[t - 1];
        }
    }

    @BeforeAll
    static void registerFixedCaches() {
        ControllerRegistry.register(new ControllerRegistry.Entry(FIXED_CACHES, ControllerClass.OBLIVIOUS,
            ExactRule.FIXED_SET, "the caches of the hand-checked full-compression instance",
            (s, settings, sets) -> new FixedCaches()));
    }

    @AfterAll
    static void unregisterFixedCaches() {
        ControllerRegistry.unregister(FIXED_CACHES);
    }

    private static DenseResidentSet cache(int stage) {
        return new DenseResidentSet(F.length, Seeds.generator(stage)).fillWith(CACHES[stage - 1]);
    }

    /** Runs the layer construction of one trial on the instance and returns {@code V_t} for every stage. */
    private static int[][] layersByConstruction(long k) {
        CompressedLayers layers = new CompressedLayers(F.length, k, MissRule.NEAREST, Seeds.generator(1));
        int stages = new ChaseTask(F.length, 3, k, PointerLaw.FUNCTION, MissRule.NEAREST).stages();
        int[][] values = new int[stages + 1][F.length];
        layers.begin(F.clone(), true);
        for (int t = 1; t <= stages; t++) {
            if (t == stages) {
                layers.prepareFinal(cache(t));
            }
            for (int i = 0; i < F.length; i++) {
                values[t][i] = layers.value(t, i);
            }
            if (t < stages) {
                layers.afterStage(t, cache(t));
            }
        }
        return values;
    }

    @Test
    void layersMatchHandComputation() {
        for (long k = 3; k <= 8; k++) {
            int[][] values = layersByConstruction(k);
            int stages = values.length - 1;
            assertArrayEquals(F, values[1], "V_1 for k = " + k);
            if (stages == 3) {
                assertArrayEquals(D1, values[2], "V_2 for k = " + k);
            }
            assertArrayEquals(LAST_LAYER.get(k), values[stages], "V_T for k = " + k);
        }
    }

    @Test
    void twoHopLayerIsExact() {
        // k = 2: T = 1 and h_1 = 2, so no earlier cache exists and V_1 = f^2.
        int[][] values = layersByConstruction(2);
        int[] square = new int[F.length];
        for (int i = 0; i < F.length; i++) {
            square[i] = F[F[i]];
        }
        assertArrayEquals(square, values[1]);
    }

    @Test
    void trialByHand() {
        // k = 8, x0 = 6: c_1 = f(6) = 1 (6 in C_1), c_2 = D_1(1) = 7 (1 in C_2), c_3 = V_3(7) = 1
        // (7 in C_3). Every read hits, yet f^8(6) = 3 (the orbit 6, 1, 3, 7, 2, 3, 7, 2, 3), so the
        // answer is wrong. In DECODE the reads hit too and c_3 = f^5(7) = 3 is right.
        ChaseTask task = new ChaseTask(F.length, 3, 8, PointerLaw.FUNCTION, MissRule.NEAREST);
        TrialCounts full = new TrialCounts(3);
        DenseEngine fullEngine = new DenseEngine(task, Scenario.FULL_COMPRESSION, FIXED_CACHES,
            ControllerSettings.defaults(), Seeds.generator(1));
        assertEquals(1, fullEngine.runTrialOn(F, 6, true, full));
        assertEquals(1, full.events());
        assertEquals(0, full.correct());

        TrialCounts decode = new TrialCounts(3);
        DenseEngine decodeEngine = new DenseEngine(task, FIXED_CACHES, ControllerSettings.defaults(),
            Seeds.generator(1));
        assertEquals(3, decodeEngine.runTrialOn(F, 6, true, decode));
        assertEquals(1, decode.events());
        assertEquals(1, decode.correct());

        // x0 = 3: c_1 = f(3) = 7; 7 is not in C_2 = {1, 2, 5}, whose nearest resident is 1
        // (distance 2 each way, the tie goes to 1), so c_2 = D_1(1) = 7; 7 in C_3 gives
        // c_3 = V_3(7) = 1.
        TrialCounts miss = new TrialCounts(3);
        assertEquals(1, fullEngine.runTrialOn(F, 3, true, miss));
        assertEquals(0, miss.events());
        assertEquals(1, miss.firstMissAt(2));
        // Events mode stops at that miss.
        TrialCounts missEvents = new TrialCounts(3);
        assertEquals(-1, fullEngine.runTrialOn(F, 3, false, missEvents));
        assertEquals(1, missEvents.firstMissAt(2));
    }

    @Test
    void eventsModeBuildsEarlyLayersOnly() {
        CompressedLayers layers = new CompressedLayers(F.length, 8, MissRule.NEAREST, Seeds.generator(1));
        layers.begin(F.clone(), false);
        layers.afterStage(1, cache(1));
        for (int i = 0; i < F.length; i++) {
            assertEquals(D1[i], layers.value(2, i));
        }
        layers.afterStage(2, cache(2));
        // D_2 is skipped in events mode; the layer of stage 2 is still V_2.
        for (int i = 0; i < F.length; i++) {
            assertEquals(D1[i], layers.value(2, i));
        }
    }

    @Test
    void noCompressionIsExact() {
        // With s = n every read resolves to itself, so every layer is exact: E and a correct
        // answer in every trial, for every controller, law, miss rule and k.
        int n = 16;
        int index = 0;
        for (Variant variant : ControllerVariants.all()) {
            for (long k : new long[] {2, 3, 4, 5, 8, 13, 16, 17}) {
                for (PointerLaw law : PointerLaw.values()) {
                    for (MissRule rule : MissRule.values()) {
                        ChaseTask task = new ChaseTask(n, n, k, law, rule);
                        TrialCounts counts = new TrialCounts(task.stages());
                        new DenseEngine(task, Scenario.FULL_COMPRESSION, variant.controller(), variant.settings(),
                            Seeds.unitGenerator(17, index++, 0)).run(2_000, 1_000, counts);
                        String cell = variant + " k=" + k + " " + law.configName() + " " + rule.configName();
                        assertEquals(2_000, counts.events(), cell);
                        assertEquals(1_000, counts.answered(), cell);
                        assertEquals(1_000, counts.correct(), cell);
                    }
                }
            }
        }
    }

    @Test
    void queryAwareAlwaysHits() {
        int index = 0;
        for (int n : new int[] {16, 256}) {
            for (int s : new int[] {1, 4}) {
                for (long k : new long[] {3, 8, 16}) {
                    for (MissRule rule : MissRule.values()) {
                        ChaseTask task = new ChaseTask(n, s, k, PointerLaw.FUNCTION, rule);
                        TrialCounts counts = new TrialCounts(task.stages());
                        new DenseEngine(task, Scenario.FULL_COMPRESSION, "query-aware", ControllerSettings.defaults(),
                            Seeds.unitGenerator(18, index++, 0)).run(2_000, 1_000, counts);
                        assertEquals(2_000, counts.events(), "n=" + n + " s=" + s + " k=" + k + " " + rule);
                    }
                }
            }
        }
    }

    @Test
    void compressionMakesHitsWrong() {
        // Guards the scenario against silently reading exact values. Correct answers include every
        // trial with E and a correct answer, so fewer correct answers than events proves that some
        // trial hit at every stage and still answered wrongly, which exact layers never do.
        ChaseTask task = new ChaseTask(64, 16, 16, PointerLaw.FUNCTION, MissRule.NEAREST);
        TrialCounts counts = new TrialCounts(task.stages());
        new DenseEngine(task, Scenario.FULL_COMPRESSION, "follow", ControllerSettings.defaults(), Seeds.generator(19))
            .run(20_000, counts);
        assertTrue(counts.correct() < counts.events(), counts.toString());
    }

    @Test
    void twoHopsMatchDecode() {
        // k = 2 has a single stage, whose layer is exact in both scenarios, so the same seed must
        // give the same counts.
        int index = 0;
        for (Variant variant : ControllerVariants.all()) {
            for (MissRule rule : MissRule.values()) {
                ChaseTask task = new ChaseTask(32, 5, 2, PointerLaw.FUNCTION, rule);
                TrialCounts decode = new TrialCounts(1);
                new DenseEngine(task, Scenario.DECODE, variant.controller(), variant.settings(),
                    Seeds.unitGenerator(20, index, 0)).run(5_000, 2_500, decode);
                TrialCounts full = new TrialCounts(1);
                new DenseEngine(task, Scenario.FULL_COMPRESSION, variant.controller(), variant.settings(),
                    Seeds.unitGenerator(20, index, 0)).run(5_000, 2_500, full);
                assertEquals(decode, full, variant + " " + rule);
                index++;
            }
        }
    }

    @Test
    void adaptiveEventRateIsCacheFraction() {
        // Every adaptive controller admits the position each hit names, and that position is the
        // next read also in this scenario, so P(E) = s/n. Two-sided exact binomial tests with
        // a Bonferroni threshold: this test false-alarms with probability at most 1e-6.
        int n = 64;
        int s = 16;
        long trials = 20_000;
        int tests = ControllerVariants.adaptiveNames().size() * 2 * 2;
        int index = 0;
        for (Variant variant : ControllerVariants.all()) {
            if (!variant.adaptive()) {
                continue;
            }
            for (MissRule rule : MissRule.values()) {
                ChaseTask task = new ChaseTask(n, s, 16, PointerLaw.FUNCTION, rule);
                TrialCounts counts = new TrialCounts(task.stages());
                new DenseEngine(task, Scenario.FULL_COMPRESSION, variant.controller(), variant.settings(),
                    Seeds.unitGenerator(21, index++, 0)).run(trials, trials / 2, counts);
                double pValue = Binomial.pValueTwoSided(counts.events(), trials, (double) s / n);
                assertTrue(pValue >= CLASS_FALSE_ALARM / tests, String.format(Locale.ROOT,
                    "%s %s: %d events in %d trials, p-value %.3g", variant, rule, counts.events(), trials, pValue));
                for (int t = 2; t <= task.stages(); t++) {
                    assertEquals(0, counts.firstMissAt(t), variant + " " + rule + " first miss at stage " + t);
                }
            }
        }
    }
}
