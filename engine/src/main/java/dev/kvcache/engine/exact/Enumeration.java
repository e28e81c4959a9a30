package dev.kvcache.engine.exact;

import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import dev.kvcache.engine.task.Stages;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * Exhaustive exact computation, for tiny {@code n}, of the probability of the event {@code E}
 * (all {@code T} reads hit), of a correct answer ({@code c_T = f^k(x0)}) and of the stage of the
 * first miss, for the controllers {@code random-fresh}, {@code random-fixed}, {@code window},
 * {@code strided}, {@code follow}, {@code heavy-hitter}, {@code tova} and {@code query-aware}.
 * It is the reference that the Monte Carlo engines and the closed forms of
 * {@link ExactValues} are tested against, so it follows the trial definition step by step and
 * shares no code with the engines.
 *
 * <p>One trial: {@code c_0 = x0}. At stage {@code t = 1..T} the query reads {@code r = c_(t-1)}
 * from the cache {@code C_t} of {@code s} positions. It attends to {@code a = r} on a hit, and on
 * a miss to the nearest resident (circular distance, ties to the smaller position) or to a uniform
 * resident, by the miss rule. Then {@code c_t = f^(h_t)(a)}. The controllers:
 * <ul>
 *   <li>{@code random-fresh}: an independent uniform {@code s}-subset at every stage;</li>
 *   <li>{@code random-fixed}: one uniform {@code s}-subset for all stages;</li>
 *   <li>{@code window}: positions {@code 0..w0-1} and the last {@code s - w0}, with
 *       {@code w0 = min(sinks, s)}, for all stages;</li>
 *   <li>{@code follow}: {@code C_1} from the initial rule ({@code random}: a uniform
 *       {@code s}-subset, {@code window}: the window above). All initial residents have
 *       {@code lastUse = 0}. After stage {@code t < T} the attended position gets
 *       {@code lastUse = t}. A value {@code v = c_t} that is resident gets {@code lastUse = t} and
 *       the cache is kept; otherwise {@code v} is admitted with {@code lastUse = t} in place of the
 *       resident with the smallest {@code lastUse}, ties broken uniformly at random.</li>
 *   <li>{@code strided}: the set {@code {o + j * stride : j = 0..s-1}} with
 *       {@code stride = floor(n/s)} and the offset {@code o} uniform on {@code [0, stride)},
 *       drawn once for all stages;</li>
 *   <li>{@code heavy-hitter} (the H2O rule): {@code C_1} from the initial rule. Every resident
 *       has an accumulated attention {@code A} and an admission stage {@code D}, both 0 for the
 *       initial residents. At every stage the attended position gets {@code A += 1}. After stage
 *       {@code t < T} a value {@code v = c_t} that is resident keeps the cache. Otherwise
 *       {@code v} is admitted with {@code A = 0} and {@code D = t} in place of a resident of
 *       smallest {@code A}, then smallest {@code D}, chosen uniformly among the remaining
 *       ties;</li>
 *   <li>{@code tova} (the TOVA rule): {@code C_1} from the initial rule. After stage
 *       {@code t < T} a value {@code v = c_t} that is resident keeps the cache. Otherwise
 *       {@code v} is admitted in place of a resident of smallest attention at stage {@code t},
 *       which is 1 for the attended position and 0 for the others, chosen uniformly among the
 *       tied ones. So for {@code s >= 2} the attended position stays;</li>
 *   <li>{@code query-aware} (Quest-like retrieval, outside the adaptive class because it chooses
 *       the cache after seeing the query): the cache of stage {@code t} is the {@code s}
 *       positions of smallest rank around {@code r = c_(t-1)}, which means {@code r}, then
 *       increasing circular distance, and the smaller position first at equal distance. So
 *       every read hits.</li>
 * </ul>
 *
 * <p>Note: after stage {@code t < T} every adaptive rule here makes {@code v = c_t} resident, and
 * {@code c_t} is the next read. So only the first read can miss, and {@code c_T = f^k(a)} for the
 * position {@code a} attended at stage 1. For the same initial rule and miss rule,
 * {@code follow}, {@code heavy-hitter} and {@code tova} therefore give the same {@link Result}.
 * Their eviction orders differ only in which other positions stay resident.
 *
 * <p>Every random choice is uniform and independent: the map {@code f} (a uniform function or
 * permutation), {@code x0}, the caches, the uniform miss choices and the tie-breaks. The default
 * {@link #enumerate} reveals the values of {@code f} only when a jump needs them, branching over
 * every possible value, which covers every map exactly once, grouped by the values the trial
 * reads. {@link #enumerateEveryMap} loops over the {@code n^n} maps (or {@code n!} permutations)
 * literally and must give the same fractions; it is the slower check of the revealing walk.
 * Probabilities are carried as fractions of 64-bit integers and summed exactly.
 *
 * <p>Cost: one step per leaf of the walk, at most {@code n^(n+1)} times the number of controller
 * choices. On a 2-core machine with OpenJDK 17 one call took at most 0.5 s at {@code n = 6},
 * {@code k = 8}, at most 2.6 s at {@code n = 6}, {@code k = 16}, and at most 4 s at {@code n = 7},
 * {@code k = 8}. The slowest are {@code random-fresh}, and {@code random-fixed} with the uniform
 * miss rule, because they branch over the attended position at every stage.
 */
public final class Enumeration {
    /** Controller name: an independent uniform {@code s}-subset at every stage. */
    public static final String RANDOM_FRESH = "random-fresh";
    /** Controller name: one uniform {@code s}-subset for all stages. */
    public static final String RANDOM_FIXED = "random-fixed";
    /** Controller name: the StreamingLLM window of sinks and recent positions for all stages. */
    public static final String WINDOW = "window";
    /** Controller name: every {@code floor(n/s)}-th position from a uniform offset, for all stages. */
    public static final String STRIDED = "strided";
    /** Controller name: admit the value read, evict the least recently used resident. */
    public static final String FOLLOW = "follow";
    /** Controller name: admit the value read, evict the lowest accumulated attention (ties: oldest). */
    public static final String HEAVY_HITTER = "heavy-hitter";
    /** Controller name: admit the value read, evict the lowest attention at the current stage. */
    public static final String TOVA = "tova";
    /** Controller name, outside the adaptive class: the {@code s} positions nearest to the read position. */
    public static final String QUERY_AWARE = "query-aware";
    /** Initial-cache rule of the adaptive controllers: a uniform {@code s}-subset. */
    public static final String INITIAL_RANDOM = "random";
    /** Initial-cache rule of the adaptive controllers: the window. */
    public static final String INITIAL_WINDOW = "window";
    /** Default number of sink positions of the window. */
    public static final int DEFAULT_SINKS = 4;
    /** Largest supported {@code n}, because positions are bits of an {@code int} mask. */
    public static final int MAX_N = 8;
    /** Largest supported number of stages {@code T}, so {@code k <= 2^MAX_STAGES}. */
    public static final int MAX_STAGES = 5;

    private static final List<String> CONTROLLERS =
            List.of(RANDOM_FRESH, RANDOM_FIXED, WINDOW, STRIDED, FOLLOW, HEAVY_HITTER, TOVA, QUERY_AWARE);
    private static final List<String> INITIAL_RULES = List.of(INITIAL_RANDOM, INITIAL_WINDOW);

    private Enumeration() {
    }

    /**
     * Exact probabilities of one cell.
     *
     * @param event {@code P(E)}, equal to {@code firstMiss[0]}
     * @param correct {@code P(c_T = f^k(x0))}
     * @param firstMiss {@code firstMiss[t]} is the probability that the first miss happens at
     *     stage {@code t}, for {@code t = 1..T}, and {@code firstMiss[0]} that no read misses
     */
    public record Result(BigFraction event, BigFraction correct, BigFraction[] firstMiss) {
        /** Creates a result, copying {@code firstMiss}. */
        public Result {
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(correct, "correct");
            firstMiss = firstMiss.clone();
        }

        /** Returns a copy of the first-miss distribution. */
        @Override
        public BigFraction[] firstMiss() {
            return firstMiss.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Result that
                    && event.equals(that.event)
                    && correct.equals(that.correct)
                    && Arrays.equals(firstMiss, that.firstMiss);
        }

        @Override
        public int hashCode() {
            return Objects.hash(event, correct, Arrays.hashCode(firstMiss));
        }

        @Override
        public String toString() {
            return "Result[event=" + event + ", correct=" + correct + ", firstMiss=" + Arrays.toString(firstMiss) + "]";
        }
    }

    /**
     * Computes the exact probabilities by revealing the pointer map on demand.
     *
     * @param controller one of {@code random-fresh}, {@code random-fixed}, {@code window},
     *     {@code strided}, {@code follow}, {@code heavy-hitter}, {@code tova}, {@code query-aware}
     * @param initial the initial-cache rule of the adaptive controllers, {@code random} or
     *     {@code window}. It is validated for every controller but only used by {@code follow},
     *     {@code heavy-hitter} and {@code tova}
     * @param rule the miss rule
     * @param law the pointer law
     * @param n number of positions, {@code 2 <= n <= MAX_N}
     * @param s cache size, {@code 1 <= s <= n}
     * @param k number of hops, {@code 2 <= k <= 2^MAX_STAGES}
     * @param sinks sink positions of the window, {@code >= 0}
     * @throws IllegalArgumentException if a name is unknown (the message lists the known names),
     *     if a number is outside the ranges above, or if a probability denominator overflows 64 bits
     * @throws NullPointerException if an argument is null
     */
    public static Result enumerate(
            String controller, String initial, MissRule rule, PointerLaw law, int n, int s, long k, int sinks) {
        TrialTree tree = newTree(controller, initial, rule, law, n, s, k, sinks);
        try {
            return tree.runRevealing();
        } catch (ArithmeticException overflow) {
            throw overflowError(n, s, k, overflow);
        }
    }

    /**
     * Computes the same probabilities as {@link #enumerate} by a literal loop over every map
     * ({@code n^n} functions or {@code n!} permutations), every {@code x0} and every controller
     * choice. Its cost grows with {@code n^n}, so it is meant for {@code n <= 5}.
     *
     * @throws IllegalArgumentException under the same conditions as {@link #enumerate}
     * @throws NullPointerException if an argument is null
     */
    public static Result enumerateEveryMap(
            String controller, String initial, MissRule rule, PointerLaw law, int n, int s, long k, int sinks) {
        TrialTree tree = newTree(controller, initial, rule, law, n, s, k, sinks);
        try {
            return tree.runEveryMap();
        } catch (ArithmeticException overflow) {
            throw overflowError(n, s, k, overflow);
        }
    }

    private static TrialTree newTree(
            String controller, String initial, MissRule rule, PointerLaw law, int n, int s, long k, int sinks) {
        Objects.requireNonNull(controller, "controller");
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(law, "law");
        if (!CONTROLLERS.contains(controller)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "unknown controller '%s'; known controllers: %s", controller, String.join(", ", CONTROLLERS)));
        }
        if (!INITIAL_RULES.contains(initial)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "unknown initial-cache rule '%s'; known rules: %s", initial, String.join(", ", INITIAL_RULES)));
        }
        if (n < 2 || n > MAX_N) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "n must be in [2, %d] for exhaustive enumeration, got %d", MAX_N, n));
        }
        ExactValues.validate(n, s, k);
        int stages = Stages.count(k);
        if (stages > MAX_STAGES) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "k must be at most 2^%d for exhaustive enumeration (T <= %d), got k = %d with T = %d",
                    MAX_STAGES, MAX_STAGES, k, stages));
        }
        if (sinks < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "sinks must be non-negative, got %d", sinks));
        }
        TrialTree.Kind kind = switch (controller) {
            case RANDOM_FRESH -> TrialTree.Kind.RANDOM_FRESH;
            case RANDOM_FIXED -> TrialTree.Kind.RANDOM_FIXED;
            case WINDOW -> TrialTree.Kind.WINDOW;
            case STRIDED -> TrialTree.Kind.STRIDED;
            case FOLLOW -> TrialTree.Kind.FOLLOW;
            case HEAVY_HITTER -> TrialTree.Kind.HEAVY_HITTER;
            case TOVA -> TrialTree.Kind.TOVA;
            default -> TrialTree.Kind.QUERY_AWARE;
        };
        return new TrialTree(kind, INITIAL_WINDOW.equals(initial), rule, law, n, s, k, sinks);
    }

    private static IllegalArgumentException overflowError(int n, int s, long k, ArithmeticException cause) {
        return new IllegalArgumentException(String.format(Locale.ROOT,
                "exact weights overflow 64 bits for n = %d, s = %d, k = %d; use a smaller n or k", n, s, k), cause);
    }
}
