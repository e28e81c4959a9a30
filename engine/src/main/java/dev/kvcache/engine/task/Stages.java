package dev.kvcache.engine.task;

/**
 * The pointer-doubling schedule for {@code k} hops: {@code T = ceil(log2 k)} stages with jump
 * lengths {@code h_t = 2^(t-1)} for {@code t < T} and {@code h_T = k - (2^(T-1) - 1)}, so the
 * jumps add up to {@code k}.
 */
public final class Stages {
    private Stages() {
    }

    /**
     * Returns {@code T = ceil(log2 k)}.
     *
     * @throws IllegalArgumentException if {@code k < 2}
     */
    public static int count(long k) {
        if (k < 2) {
            throw new IllegalArgumentException("k must be at least 2, got " + k);
        }
        return 64 - Long.numberOfLeadingZeros(k - 1);
    }

    /**
     * Returns the jump length {@code h_t} of stage {@code t} (1-based) for {@code k} hops.
     *
     * @throws IllegalArgumentException if {@code k < 2} or {@code t} is not in {@code [1, T]}
     */
    public static long jump(int t, long k) {
        int stages = count(k);
        if (t < 1 || t > stages) {
            throw new IllegalArgumentException("stage must be in [1, " + stages + "] for k = " + k + ", got " + t);
        }
        return t < stages ? 1L << (t - 1) : k - ((1L << (stages - 1)) - 1);
    }

    /**
     * Returns the orbit index of the position read at stage {@code t}: {@code 2^(t-1) - 1}, the sum
     * of the jumps of the stages before it.
     */
    public static long readIndex(int t) {
        if (t < 1 || t > 63) {
            throw new IllegalArgumentException("stage must be in [1, 63], got " + t);
        }
        return (1L << (t - 1)) - 1;
    }
}
