package dev.kvcache.engine.dense;

import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.controller.AdaptiveCache;
import dev.kvcache.engine.controller.AdaptiveController;
import dev.kvcache.engine.controller.Controller;
import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.controller.ObliviousController;
import dev.kvcache.engine.controller.QueryAwareController;
import dev.kvcache.engine.controller.Trace;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import java.util.Locale;
import java.util.Objects;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Runs trials of the stage model with everything materialised: each trial draws the whole
 * pointer map {@code f} as an {@code int} array, and the caches are stamp arrays with resident
 * lists ({@link DenseSetFactory}). It runs the same controllers as the lazy engine and is its
 * cross-check on small {@code n}; a trial costs {@code O(n)}, so {@code n} is limited to
 * {@value #MAX_POSITIONS}.
 *
 * <p>One trial in the {@link Scenario#DECODE} scenario: draw {@code f} and a uniform start
 * {@code x0}; at stage {@code t} read {@code c_(t-1)} from the cache {@code C_t} (a hit, or on a
 * miss the nearest resident in circular distance with ties to the smaller position, or a uniform
 * resident, by the miss rule), set {@code c_t = f^(h_t)(attended)} by following {@code h_t}
 * pointers, and after every stage but the last let an adaptive controller update its cache from
 * the trace. The trial records whether every read hit (the event {@code E}) and the first-miss
 * stage; in answers mode it follows the query to the end and records whether
 * {@code c_T = f^k(x0)}, and in events mode it stops at the first miss. These are the trial
 * semantics of the lazy engine.
 *
 * <p>Attention: with temperature 0 an adaptive controller's statistics record hard attention
 * (all weight on the attended position). With a positive temperature they record softmax weights
 * over the residents, {@code w_q} proportional to {@code exp(-d(c_(t-1), q) / temperature)} with
 * {@code d} the circular distance ({@link SoftAttention}). As the temperature goes to 0 the weight
 * goes to the nearest residents, which under the nearest miss rule include the attended one.
 * Under the uniform miss rule the attended resident is random, so the weights, which still centre
 * on the requested position, do not single it out. The value read is always the attended
 * resident's, so the temperature changes only which residents eviction keeps.
 *
 * <p>The {@link Scenario#FULL_COMPRESSION} scenario is a modelling choice of this project. The
 * stage model compresses only the query's reads; here every position also reads through the
 * compressed caches while the layers are built, so a hit can still return a wrong value. The
 * layer values {@code V_t}, which stand for {@code f^(h_t)}, are built by pointer doubling through
 * the caches. {@code R_u(p)} is {@code p} when {@code p} is resident in {@code C_u}, and otherwise
 * the miss rule's resident of {@code C_u} (the uniform rule draws once per read).
 * <ul>
 *   <li>{@code V_1 = f}, exact from the input. For {@code k = 2} ({@code T = 1}, {@code h_1 = 2})
 *       no earlier stage exists, and {@code V_1 = f^2} exactly.</li>
 *   <li>For {@code 2 <= t <= T} with {@code h_t = 2 h_(t-1)}:
 *       {@code V_t(i) = V_(t-1)(R_(t-1)(V_(t-1)(i)))}. The inner {@code V_(t-1)(i)} is position
 *       {@code i}'s own value and needs no read.</li>
 *   <li>Otherwise {@code V_T} follows the binary digits of {@code h_T}. With {@code D_b} the layer
 *       of jump {@code 2^b} built by the same doubling ({@code D_b = V_(b+1)}), the lowest digit
 *       {@code b0} gives {@code p = D_b0(i)} with no read, and each higher digit {@code b} gives
 *       {@code p = D_b(R_(b+1)(p))}. When {@code k} is a power of two,
 *       {@code h_T = 2^(T-1) + 1} has the digit {@code T - 1}: its layer {@code D_(T-1)} is
 *       doubled through {@code C_(T-1)} and read through {@code C_T}, one read more than
 *       {@code T - 1} doubling stages provide.</li>
 * </ul>
 * The cache {@code C_u} is the one the query reads at stage {@code u}; for an adaptive
 * controller that is the cache before its update after stage {@code u}, so each layer is built
 * right after the query's read at the stage whose cache it reads through. The query then runs as
 * in {@code DECODE} but reads {@code c_t = V_t(attended)}. {@code E} is that every query read
 * hits, and the answer is correct when {@code c_T = f^k(x0)}. With {@code s = n} every layer is
 * exact. A trial of this scenario costs {@code O(n T)} and needs up to four {@code int} arrays and
 * one {@code boolean} array of {@code n} entries besides {@code f}.
 *
 * <p>An instance owns one random stream and is not thread-safe.
 */
public final class DenseEngine {
    /** The largest number of positions, {@code 2^26}: {@code f} alone then takes 256 MiB. */
    public static final long MAX_POSITIONS = 1L << 26;

    /** The set of reads that go through the compressed caches. */
    public enum Scenario {
        /** Only the query reads through the caches; every layer value is exact. */
        DECODE,
        /** Every position reads through the caches while the layers are built. */
        FULL_COMPRESSION
    }

    private final ChaseTask task;
    private final Scenario scenario;
    private final int n;
    private final int stages;
    private final long[] jumps;
    private final UniformRandomProvider rng;
    private final DensePointers pointers;
    private final Controller controller;
    private final AdaptiveCache adaptiveCache;
    /** The softmax weights of an adaptive controller, or null for hard attention. */
    private final SoftAttention softAttention;
    /** The layer values of the full-compression scenario, or null in {@code DECODE}. */
    private final CompressedLayers layers;

    /**
     * Creates an engine for {@code task} with the named controller in the {@code DECODE} scenario.
     *
     * @throws IllegalArgumentException if the controller name is unknown or
     *     {@code task.n() > MAX_POSITIONS}
     */
    public DenseEngine(ChaseTask task, String controllerName, ControllerSettings settings, UniformRandomProvider rng) {
        this(task, Scenario.DECODE, controllerName, settings, rng);
    }

    /**
     * Creates an engine for {@code task} with the named controller in the given scenario.
     *
     * @throws IllegalArgumentException if the controller name is unknown or
     *     {@code task.n() > MAX_POSITIONS}
     * @throws NullPointerException if an argument is null
     */
    public DenseEngine(ChaseTask task, Scenario scenario, String controllerName, ControllerSettings settings,
                       UniformRandomProvider rng) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(controllerName, "controllerName");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(rng, "rng");
        if (task.n() > MAX_POSITIONS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                "the dense engine materialises every position and supports n up to 2^26 = %d, got n = %d;"
                    + " use the lazy engine for larger n", MAX_POSITIONS, task.n()));
        }
        this.task = task;
        this.scenario = scenario;
        this.n = (int) task.n();
        this.stages = task.stages();
        this.jumps = new long[stages + 1];
        for (int t = 1; t <= stages; t++) {
            jumps[t] = task.jump(t);
        }
        this.rng = rng;
        this.controller = ControllerRegistry.create(controllerName, task.s(), settings, new DenseSetFactory(n, rng));
        this.pointers = new DensePointers(n, task.law(), rng);
        if (controller instanceof AdaptiveController) {
            adaptiveCache = AdaptiveCache.forController((AdaptiveController) controller, task.s(), rng);
            softAttention = settings.hardAttention() ? null : new SoftAttention(n, settings.temperature());
        } else {
            adaptiveCache = null;
            softAttention = null;
        }
        this.layers = scenario == Scenario.FULL_COMPRESSION
            ? new CompressedLayers(n, task.k(), task.missRule(), rng)
            : null;
    }

    /** Returns the scenario this engine runs. */
    public Scenario scenario() {
        return scenario;
    }

    /**
     * Runs {@code trials} trials in answers mode and adds them to {@code counts}.
     *
     * @throws IllegalArgumentException if {@code counts} has a different number of stages than the
     *     task, or {@code trials} is negative
     */
    public void run(long trials, TrialCounts counts) {
        run(trials, trials, counts);
    }

    /**
     * Runs {@code trials} trials, the first {@code answerTrials} of them in answers mode and the
     * rest in events mode, and adds them to {@code counts}.
     *
     * @throws IllegalArgumentException if {@code counts} has a different number of stages than the
     *     task, or a trial count is negative
     */
    public void run(long trials, long answerTrials, TrialCounts counts) {
        if (counts.stages() != stages) {
            throw new IllegalArgumentException("counts have " + counts.stages() + " stages, the task has " + stages);
        }
        if (trials < 0 || answerTrials < 0) {
            throw new IllegalArgumentException("trial counts must be non-negative, got " + trials + " and " + answerTrials);
        }
        for (long i = 0; i < trials; i++) {
            pointers.draw();
            int start = rng.nextInt(n);
            playTrial(start, i < answerTrials, counts);
        }
    }

    /**
     * Runs one trial on a given pointer map and start, for tests that check a trial by hand, and
     * returns the answer {@code c_T}, or -1 in events mode, which never computes it.
     */
    int runTrialOn(int[] f, int start, boolean answers, TrialCounts counts) {
        pointers.load(f);
        return playTrial(start, answers, counts);
    }

    private int playTrial(int start, boolean answers, TrialCounts counts) {
        beginController();
        if (layers != null) {
            layers.begin(pointers.images(), answers);
        }
        int position = start;
        int firstMiss = 0;
        for (int t = 1; t <= stages; t++) {
            ResidentSet cache = cacheOf(t, position);
            int read = position;
            boolean hit = adaptiveCache != null ? adaptiveCache.lookup(read) : cache.contains(read);
            int attended = hit ? read : missTarget(cache, read);
            if (!hit && firstMiss == 0) {
                firstMiss = t;
                if (!answers) {
                    counts.record(firstMiss, false, false);
                    return -1;
                }
            }
            if (!answers && t == stages) {
                // Every read hit, and events mode never needs the answer.
                counts.record(0, false, false);
                return -1;
            }
            position = valueRead(t, attended, cache);
            if (adaptiveCache != null && t < stages) {
                updateAdaptive(new Trace(t, read, attended, position, hit));
            }
        }
        boolean correct = position == pointers.jump(start, task.k());
        counts.record(firstMiss, true, correct);
        return position;
    }

    private void beginController() {
        if (controller instanceof ObliviousController) {
            ((ObliviousController) controller).beginTrial();
        } else if (controller instanceof QueryAwareController) {
            ((QueryAwareController) controller).beginTrial();
        } else {
            adaptiveCache.beginTrial(((AdaptiveController) controller).beginTrial());
        }
    }

    /** Returns the cache of stage {@code t}; only a query-aware controller receives {@code read}. */
    private ResidentSet cacheOf(int t, int read) {
        if (controller instanceof ObliviousController) {
            return ((ObliviousController) controller).cacheAt(t);
        }
        if (controller instanceof QueryAwareController) {
            return ((QueryAwareController) controller).cacheFor(t, read);
        }
        return adaptiveCache.residents();
    }

    /** Returns the resident the miss rule attends to for the non-resident {@code read}. */
    private int missTarget(ResidentSet cache, int read) {
        boolean nearest = task.missRule() == MissRule.NEAREST;
        if (adaptiveCache != null) {
            return (int) (nearest ? adaptiveCache.nearest(read) : adaptiveCache.uniformMember());
        }
        return (int) (nearest ? cache.nearest(read) : cache.uniformMember());
    }

    /** Returns {@code c_t}, the value stage {@code t} reads at the attended position. */
    private int valueRead(int t, int attended, ResidentSet cache) {
        if (layers == null) {
            return pointers.jump(attended, jumps[t]);
        }
        if (t == stages) {
            layers.prepareFinal(cache);
            return layers.value(t, attended);
        }
        int value = layers.value(t, attended);
        // Built now: the cache is still the one this stage read, before any adaptive update.
        layers.afterStage(t, cache);
        return value;
    }

    private void updateAdaptive(Trace trace) {
        int t = trace.stage();
        if (softAttention == null) {
            adaptiveCache.recordHardAttention(t, trace.attended());
        } else {
            ResidentSet residents = adaptiveCache.residents();
            if (!(residents instanceof DenseResidentSet)) {
                throw new IllegalStateException("controller '" + controller.name() + "' uses a cache of type "
                    + residents.getClass().getName() + ", but soft attention needs one from the dense set factory");
            }
            softAttention.record(t, (int) trace.read(), (int) trace.attended(), (DenseResidentSet) residents,
                adaptiveCache);
        }
        adaptiveCache.openUpdate(trace);
        ((AdaptiveController) controller).afterStage(trace, adaptiveCache);
        adaptiveCache.closeUpdate();
    }
}
