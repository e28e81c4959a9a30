package dev.kvcache.engine.task;

import java.io.Serializable;

/**
 * One k-hop pointer-chasing task: {@code n} positions, a cache of {@code s} residents,
 * {@code k} hops in {@code T = ceil(log2 k)} doubling stages, a pointer law and a miss rule.
 *
 * @param n the number of positions, in {@code [2, 2^62]}
 * @param s the cache size, in {@code [1, n]}
 * @param k the number of hops, at least 2
 * @param law the law of the pointer map
 * @param missRule what hard attention reads on a miss
 */
public record ChaseTask(long n, long s, long k, PointerLaw law, MissRule missRule) implements Serializable {
    /** The largest number of positions. */
    public static final long MAX_N = 1L << 62;

    public ChaseTask {
        if (n < 2 || n > MAX_N) {
            throw new IllegalArgumentException("n must be in [2, 2^62], got " + n
                + "; positions and their circular sums must fit in a signed 64-bit long");
        }
        if (s < 1 || s > n) {
            throw new IllegalArgumentException("s must be in [1, n = " + n + "], got " + s);
        }
        if (k < 2) {
            throw new IllegalArgumentException("k must be at least 2, got " + k);
        }
        if (law == null || missRule == null) {
            throw new IllegalArgumentException("pointer law and miss rule are required");
        }
    }

    /** Returns {@code T = ceil(log2 k)}. */
    public int stages() {
        return Stages.count(k);
    }

    /** Returns the jump length {@code h_t} of stage {@code t}. */
    public long jump(int t) {
        return Stages.jump(t, k);
    }
}
