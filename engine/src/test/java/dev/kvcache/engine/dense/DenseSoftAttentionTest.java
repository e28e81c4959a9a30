package dev.kvcache.engine.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.cache.SetFactory;
import dev.kvcache.engine.controller.AdaptiveCache;
import dev.kvcache.engine.controller.AdaptiveCache.Statistic;
import dev.kvcache.engine.controller.AdaptiveController;
import dev.kvcache.engine.controller.ControllerClass;
import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.controller.ExactRule;
import dev.kvcache.engine.controller.InitialCache;
import dev.kvcache.engine.controller.Trace;
import dev.kvcache.engine.dense.ControllerVariants.Variant;
import dev.kvcache.engine.dense.DenseEngine.Scenario;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.stats.Binomial;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * Tests soft attention (a positive temperature) for adaptive controllers on the dense engine.
 *
 * <p>In {@code DECODE} an adaptive controller's eviction choices never change the counts: after
 * the first stage every read is the position the previous stage named, which every controller
 * admits. In the full-compression scenario they change the layers, but by one resident per stage,
 * so the counts move little. The weights are therefore checked where they are recorded (in the
 * cache's statistics and by a probe controller), and the counts by agreement tests.
 */
class DenseSoftAttentionTest {
    private static final double CLASS_FALSE_ALARM = 1e-6;
    private static final double NEAR_ZERO = 1e-9;

    private static AdaptiveCache cacheWith(String controller, int n, int... residents) {
        UniformRandomProvider rng = Seeds.generator(5);
        AdaptiveController adaptive = (AdaptiveController) ControllerRegistry.create(controller, residents.length,
            ControllerSettings.defaults(), new DenseSetFactory(n, rng));
        AdaptiveCache cache = AdaptiveCache.forController(adaptive, residents.length, rng);
        cache.beginTrial(new DenseResidentSet(n, rng).fillWith(residents));
        return cache;
    }

    @Test
    void weightsFollowSoftmaxOfDistance() {
        // n = 10, residents {1, 3, 8}, read 2, temperature 1: distances 1, 1, 4, so the weights are
        // e^0, e^0, e^-3 over their sum 2 + e^-3.
        AdaptiveCache cache = cacheWith("tova", 10, 1, 3, 8);
        DenseResidentSet set = (DenseResidentSet) cache.residents();
        new SoftAttention(10, 1.0).record(1, 2, 1, set, cache);
        double total = 2 + Math.exp(-3);
        assertEquals(1 / total, cache.statistic(1, Statistic.CURRENT_ATTENTION), 1e-15);
        assertEquals(1 / total, cache.statistic(3, Statistic.CURRENT_ATTENTION), 1e-15);
        assertEquals(Math.exp(-3) / total, cache.statistic(8, Statistic.CURRENT_ATTENTION), 1e-15);
        assertEquals(Math.exp(-3) / total, cache.statistic(8, Statistic.ACCUMULATED_ATTENTION), 1e-15);
        assertEquals(1.0, cache.statistic(1, Statistic.LAST_USE));
        assertEquals(0.0, cache.statistic(3, Statistic.LAST_USE));
        assertEquals(0, set.anonymousCount());

        // A second stage around read 8 (distances 3, 5, 0): the accumulated attention adds up.
        new SoftAttention(10, 1.0).record(2, 8, 8, set, cache);
        double second = 1 + Math.exp(-3) + Math.exp(-5);
        assertEquals(1 / total + Math.exp(-3) / second, cache.statistic(1, Statistic.ACCUMULATED_ATTENTION), 1e-15);
        assertEquals(Math.exp(-3) / total + 1 / second, cache.statistic(8, Statistic.ACCUMULATED_ATTENTION), 1e-15);
        assertEquals(Math.exp(-5) / second, cache.statistic(3, Statistic.CURRENT_ATTENTION), 1e-15);
        assertEquals(2.0, cache.statistic(8, Statistic.LAST_USE));
    }

    @Test
    void tovaEvictsLeastAttended() {
        // After the weights above, 8 has the lowest current attention, so TOVA evicts it when it
        // admits the named position 5.
        AdaptiveCache cache = cacheWith("tova", 10, 1, 3, 8);
        AdaptiveController tova = (AdaptiveController) ControllerRegistry.create("tova", 3,
            ControllerSettings.defaults(), new DenseSetFactory(10, Seeds.generator(6)));
        new SoftAttention(10, 1.0).record(1, 2, 1, (DenseResidentSet) cache.residents(), cache);
        Trace trace = new Trace(1, 2, 1, 5, false);
        cache.openUpdate(trace);
        tova.afterStage(trace, cache);
        cache.closeUpdate();
        assertTrue(cache.residents().contains(1));
        assertTrue(cache.residents().contains(3));
        assertTrue(cache.residents().contains(5));
        assertFalse(cache.residents().contains(8));
    }

    @Test
    void nearZeroTemperatureSingleWeight() {
        // At 1e-9 only the nearest resident keeps weight: distance 1 against 0 gives exp(-1e9) = 0.
        AdaptiveCache cache = cacheWith("heavy-hitter", 10, 1, 3, 8);
        DenseResidentSet set = (DenseResidentSet) cache.residents();
        new SoftAttention(10, NEAR_ZERO).record(1, 3, 3, set, cache);
        assertEquals(1.0, cache.statistic(3, Statistic.CURRENT_ATTENTION));
        assertEquals(1.0, cache.statistic(3, Statistic.ACCUMULATED_ATTENTION));
        // The others got no weight and stay anonymous, as under hard attention.
        assertEquals(2, set.anonymousCount());
    }

    @Test
    void recordAttentionRejectsInvalidInput() {
        AdaptiveCache cache = cacheWith("tova", 10, 1, 3, 8);
        assertThrows(IllegalArgumentException.class,
            () -> cache.recordAttention(1, 1, new long[] {1, 1}, new double[] {0.5, 0.5}, 2));
        assertThrows(IllegalArgumentException.class,
            () -> cache.recordAttention(1, 1, new long[] {1, 3}, new double[] {1.5, -0.5}, 2));
        assertThrows(IllegalArgumentException.class,
            () -> cache.recordAttention(1, 1, new long[] {1}, new double[] {Double.NaN}, 1));
        assertThrows(IllegalArgumentException.class,
            () -> cache.recordAttention(1, 1, new long[] {1}, new double[] {1.0}, 2));
        assertThrows(IllegalStateException.class,
            () -> cache.recordAttention(1, 1, new long[] {2}, new double[] {1.0}, 1));
        assertThrows(IllegalStateException.class,
            () -> cache.recordAttention(1, 2, new long[] {1}, new double[] {1.0}, 1));
    }

    @Test
    void nearZeroTemperatureEqualsHardWithoutTies() {
        // With s = 1 or s = n no two residents can tie for the nearest, so at 1e-9 the statistics,
        // the random draws and therefore the counts equal those of hard attention, seed for seed.
        int index = 0;
        for (Scenario scenario : Scenario.values()) {
            for (String name : ControllerVariants.adaptiveNames()) {
                for (int s : new int[] {1, 32}) {
                    for (MissRule rule : MissRule.values()) {
                        ChaseTask task = new ChaseTask(32, s, 16, PointerLaw.FUNCTION, rule);
                        TrialCounts hard = run(task, scenario, name, 0.0, 3_000, Seeds.unitGenerator(31, index, 0));
                        TrialCounts soft = run(task, scenario, name, NEAR_ZERO, 3_000, Seeds.unitGenerator(31, index, 0));
                        assertEquals(hard, soft, scenario + " " + name + " s=" + s + " " + rule);
                        index++;
                    }
                }
            }
        }
    }

    @Test
    void nearZeroTemperatureAgreesWithHard() {
        // Full compression, nearest rule: at 1e-9 the weights sit on the nearest residents, which
        // is hard attention except that an exact tie splits the weight. Independent seeds, Fisher's
        // exact test on every count, Bonferroni over all of them: this test false-alarms with
        // probability at most 1e-6.
        List<long[]> comparisons = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        int index = 0;
        for (Variant variant : ControllerVariants.all()) {
            if (!variant.adaptive()) {
                continue;
            }
            for (int s : new int[] {4, 16}) {
                for (long k : new long[] {6, 16}) {
                    ChaseTask task = new ChaseTask(64, s, k, PointerLaw.FUNCTION, MissRule.NEAREST);
                    TrialCounts hard = run(task, Scenario.FULL_COMPRESSION, variant, 0.0, 20_000,
                        Seeds.unitGenerator(32, index, 0));
                    TrialCounts soft = run(task, Scenario.FULL_COMPRESSION, variant, NEAR_ZERO, 20_000,
                        Seeds.unitGenerator(32, index, 1));
                    String cell = variant + " s=" + s + " k=" + k;
                    comparisons.add(new long[] {hard.events(), hard.trials(), soft.events(), soft.trials()});
                    labels.add(cell + " P(E)");
                    comparisons.add(new long[] {hard.correct(), hard.answered(), soft.correct(), soft.answered()});
                    labels.add(cell + " P(correct)");
                    index++;
                }
            }
        }
        double threshold = CLASS_FALSE_ALARM / comparisons.size();
        for (int i = 0; i < comparisons.size(); i++) {
            long[] c = comparisons.get(i);
            double pValue = TwoSample.fisherPValue(c[0], c[1], c[2], c[3]);
            String label = labels.get(i);
            assertTrue(pValue >= threshold, () -> String.format(Locale.ROOT,
                "%s: hard %d of %d, soft %d of %d, Fisher p-value %.3g", label, c[0], c[1], c[2], c[3], pValue));
        }
    }

    @Test
    void positiveTemperatureKeepsEventRate() {
        // Every adaptive controller admits the named position whatever its scores, so P(E) = s/n
        // and no read after the first misses, at every temperature and in both scenarios.
        // Two-sided exact binomial tests, Bonferroni over all cells: false alarm at most 1e-6.
        double[] temperatures = {0.5, 4.0, 1000.0};
        long trials = 10_000;
        int cells = 2 * 6 * temperatures.length * 2;
        double threshold = CLASS_FALSE_ALARM / cells;
        int index = 0;
        for (Scenario scenario : Scenario.values()) {
            for (Variant variant : ControllerVariants.all()) {
                if (!variant.adaptive()) {
                    continue;
                }
                for (double temperature : temperatures) {
                    for (MissRule rule : MissRule.values()) {
                        int n = 64;
                        int s = 8;
                        ChaseTask task = new ChaseTask(n, s, 16, PointerLaw.PERMUTATION, rule);
                        TrialCounts counts = run(task, scenario, variant, temperature, trials,
                            Seeds.unitGenerator(33, index++, 0));
                        String cell = scenario + " " + variant + " temperature=" + temperature + " " + rule;
                        double pValue = Binomial.pValueTwoSided(counts.events(), trials, (double) s / n);
                        assertTrue(pValue >= threshold, String.format(Locale.ROOT,
                            "%s: %d events in %d trials, p-value %.3g", cell, counts.events(), trials, pValue));
                        for (int t = 2; t <= task.stages(); t++) {
                            assertEquals(0, counts.firstMissAt(t), cell + " first miss at stage " + t);
                        }
                    }
                }
            }
        }
        assertEquals(cells, index);
    }

    /**
     * An adaptive probe that checks, after every stage, the current attention the engine recorded:
     * the weights over all residents must sum to 1, and it counts the residents with positive
     * weight. It then admits the named position like {@code follow}.
     */
    private static final class AttentionProbe implements AdaptiveController {
        static final String NAME = "test-attention-probe";
        private final SetFactory.RandomSubsetSlot slot;
        private final long n;
        private int maxWeighted;
        private double worstSumError;

        AttentionProbe(long s, SetFactory sets) {
            this.slot = sets.randomSubsetSlot(s);
            this.n = sets.universe();
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public ResidentSet beginTrial() {
            return slot.draw();
        }

        @Override
        public void afterStage(Trace trace, AdaptiveCache cache) {
            int weighted = 0;
            double sum = 0;
            for (long q = 0; q < n; q++) {
                if (cache.isResident(q)) {
                    double weight = cache.statistic(q, Statistic.CURRENT_ATTENTION);
                    sum += weight;
                    weighted += weight > 0 ? 1 : 0;
                }
            }
            maxWeighted = Math.max(maxWeighted, weighted);
            worstSumError = Math.max(worstSumError, Math.abs(sum - 1));
            if (!cache.isResident(trace.named())) {
                cache.evictLowest(Statistic.LAST_USE, null);
                cache.admit(trace.named());
            }
        }
    }

    @Test
    void engineRecordsSoftWeights() {
        // In DECODE the counts do not depend on the temperature (see the class comment). So this
        // probe checks that the engine hands the weights to the cache. Under hard attention one
        // resident carries all weight, and at temperature 8 many residents of a 16-position cache do.
        List<AttentionProbe> probes = new ArrayList<>();
        ControllerRegistry.register(new ControllerRegistry.Entry(AttentionProbe.NAME, ControllerClass.ADAPTIVE,
            ExactRule.ADAPTIVE, "records the attention weights it sees", (s, settings, sets) -> {
                AttentionProbe probe = new AttentionProbe(s, sets);
                probes.add(probe);
                return probe;
            }));
        try {
            ChaseTask task = new ChaseTask(64, 16, 16, PointerLaw.FUNCTION, MissRule.NEAREST);
            run(task, Scenario.DECODE, AttentionProbe.NAME, 0.0, 200, Seeds.generator(34));
            run(task, Scenario.DECODE, AttentionProbe.NAME, 8.0, 200, Seeds.generator(35));
            assertEquals(2, probes.size());
            assertEquals(1, probes.get(0).maxWeighted);
            assertTrue(probes.get(1).maxWeighted >= 8, "at most " + probes.get(1).maxWeighted + " weighted residents");
            assertTrue(probes.get(0).worstSumError < 1e-12);
            assertTrue(probes.get(1).worstSumError < 1e-12, "weights sum off by " + probes.get(1).worstSumError);
        } finally {
            ControllerRegistry.unregister(AttentionProbe.NAME);
        }
    }

    private static TrialCounts run(ChaseTask task, Scenario scenario, String name, double temperature, long trials,
                                   UniformRandomProvider rng) {
        return run(task, scenario, new Variant(name, InitialCache.RANDOM, ControllerVariants.DEFAULT_SINKS),
            temperature, trials, rng);
    }

    private static TrialCounts run(ChaseTask task, Scenario scenario, Variant variant, double temperature, long trials,
                                   UniformRandomProvider rng) {
        ControllerSettings settings = new ControllerSettings(variant.sinks(), variant.initial(), temperature);
        TrialCounts counts = new TrialCounts(task.stages());
        new DenseEngine(task, scenario, variant.controller(), settings, rng).run(trials, trials / 2, counts);
        return counts;
    }
}
