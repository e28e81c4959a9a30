package dev.kvcache.engine.lazy;

import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.controller.AdaptiveCache;
import dev.kvcache.engine.controller.AdaptiveController;
import dev.kvcache.engine.controller.Controller;
import dev.kvcache.engine.controller.ControllerClass;
import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.controller.ObliviousController;
import dev.kvcache.engine.controller.QueryAwareController;
import dev.kvcache.engine.controller.Trace;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Runs trials of the stage model by deferred decisions: pointers and cache membership are drawn
 * only when the query touches them, from their exact conditional laws, so a trial costs
 * {@code O(k)} whatever {@code n} is (up to {@code 2^62}).
 *
 * <p>One trial: draw the start {@code x0}; for each stage {@code t}, read {@code c_(t-1)} from the
 * stage's cache (a hit, or the miss rule's resident), follow {@code h_t} pointers from the attended
 * position to get {@code c_t}, and let an adaptive controller update its cache from the trace. It
 * records whether all reads hit (the event {@code E}) and the first-miss stage. A trial in
 * answers mode follows the query to the end after misses and also records whether
 * {@code c_T = f^k(x0)}. A trial in events mode, the fast path for {@code P(E)}, stops at the
 * first miss before the miss rule picks a resident, and after the last read when every read hit,
 * so it never computes {@code c_T}; its cost does not grow with {@code k} once it misses.
 *
 * <p>An instance owns one random stream and is not thread-safe.
 */
public final class LazyEngine {
    private final ChaseTask task;
    private final UniformRandomProvider rng;
    private final LazyPointers pointers;
    private final Controller controller;
    /** The controller under its own type. Exactly one of the three is non-null. */
    private final ObliviousController oblivious;
    private final QueryAwareController queryAware;
    private final AdaptiveController adaptive;
    private final AdaptiveCache adaptiveCache;
    private final long[] jumps;

    /**
     * Creates an engine for {@code task} with the named controller.
     *
     * @throws IllegalArgumentException if the controller name is unknown, or an adaptive
     *     controller is asked for soft attention
     */
    public LazyEngine(ChaseTask task, String controllerName, ControllerSettings settings, UniformRandomProvider rng) {
        if (!settings.hardAttention() && ControllerRegistry.entry(controllerName).controllerClass()
            == ControllerClass.ADAPTIVE) {
            throw new IllegalArgumentException("controller '" + controllerName + "' with soft attention (temperature "
                + settings.temperature() + ") needs the dense engine: the lazy engine leaves residents anonymous,"
                + " and soft attention weighs every one of them");
        }
        this.task = task;
        this.rng = rng;
        this.pointers = new LazyPointers(task.n(), task.law(), rng);
        this.controller = ControllerRegistry.create(controllerName, task.s(), settings, new LazySetFactory(task.n(), rng));
        this.oblivious = controller instanceof ObliviousController ? (ObliviousController) controller : null;
        this.queryAware = controller instanceof QueryAwareController ? (QueryAwareController) controller : null;
        this.adaptive = controller instanceof AdaptiveController ? (AdaptiveController) controller : null;
        this.adaptiveCache = adaptive != null ? AdaptiveCache.forController(adaptive, task.s(), rng) : null;
        int stages = task.stages();
        this.jumps = new long[stages + 1];
        for (int t = 1; t <= stages; t++) {
            jumps[t] = task.jump(t);
        }
    }

    /** Runs {@code trials} trials in answers mode and adds them to {@code counts}. */
    public void run(long trials, TrialCounts counts) {
        run(trials, trials, counts);
    }

    /**
     * Runs {@code trials} trials, the first {@code answerTrials} of them in answers mode and the
     * rest in events mode, and adds them to {@code counts}.
     */
    public void run(long trials, long answerTrials, TrialCounts counts) {
        if (counts.stages() != task.stages()) {
            throw new IllegalArgumentException("counts have " + counts.stages() + " stages, the task has " + task.stages());
        }
        if (trials < 0 || answerTrials < 0) {
            throw new IllegalArgumentException("trial counts must be non-negative, got " + trials + " and " + answerTrials);
        }
        for (long i = 0; i < trials; i++) {
            boolean answers = i < answerTrials;
            if (adaptive != null) {
                runAdaptive(answers, counts);
            } else {
                runFixed(answers, counts);
            }
        }
    }

    /**
     * Runs one trial of a controller that never changes a stage's cache after choosing it.
     *
     * <p>An events-mode trial stops at its first miss before the miss rule picks a resident, and
     * skips the last stage's jump when every read hit: the recorded outcome depends on neither,
     * and the nearest-member search is the most expensive step of a trial.
     */
    private void runFixed(boolean answers, TrialCounts counts) {
        if (oblivious != null) {
            oblivious.beginTrial();
        } else {
            queryAware.beginTrial();
        }
        pointers.reset();
        long start = LazyPointers.uniformBelow(rng, task.n());
        long position = start;
        int firstMiss = 0;
        int stages = jumps.length - 1;
        for (int t = 1; t <= stages; t++) {
            ResidentSet cache = oblivious != null ? oblivious.cacheAt(t) : queryAware.cacheFor(t, position);
            long attended = position;
            if (!cache.contains(position)) {
                if (firstMiss == 0) {
                    firstMiss = t;
                    if (!answers) {
                        counts.record(firstMiss, false, false);
                        return;
                    }
                }
                attended = task.missRule() == MissRule.NEAREST ? cache.nearest(position) : cache.uniformMember();
            }
            if (!answers && t == stages) {
                // Every read hit, and events mode never needs the answer c_T.
                counts.record(0, false, false);
                return;
            }
            position = pointers.jump(attended, jumps[t]);
        }
        finishTrial(start, position, firstMiss, answers, counts);
    }

    /** Runs one trial of an adaptive controller. An events-mode trial stops early as in {@link #runFixed}. */
    private void runAdaptive(boolean answers, TrialCounts counts) {
        pointers.reset();
        adaptiveCache.beginTrial(adaptive.beginTrial());
        long start = LazyPointers.uniformBelow(rng, task.n());
        long position = start;
        int firstMiss = 0;
        int stages = jumps.length - 1;
        for (int t = 1; t <= stages; t++) {
            long read = position;
            long attended = read;
            boolean hit = adaptiveCache.lookup(read);
            if (!hit) {
                if (firstMiss == 0) {
                    firstMiss = t;
                    if (!answers) {
                        counts.record(firstMiss, false, false);
                        return;
                    }
                }
                attended = task.missRule() == MissRule.NEAREST ? adaptiveCache.nearest(read) : adaptiveCache.uniformMember();
            }
            if (!answers && t == stages) {
                counts.record(0, false, false);
                return;
            }
            position = pointers.jump(attended, jumps[t]);
            if (t < stages) {
                Trace trace = new Trace(t, read, attended, position, hit);
                adaptiveCache.recordHardAttention(t, attended);
                adaptiveCache.openUpdate(trace);
                adaptive.afterStage(trace, adaptiveCache);
                adaptiveCache.closeUpdate();
            }
        }
        finishTrial(start, position, firstMiss, answers, counts);
    }

    private void finishTrial(long start, long answer, int firstMiss, boolean answers, TrialCounts counts) {
        // With every read a hit the query followed the true chain, so its answer is f^k(x0).
        boolean correct = firstMiss == 0 || answer == pointers.jump(start, task.k());
        counts.record(firstMiss, answers, correct);
    }
}
