package dev.kvcache.engine.depth;

import java.util.Locale;

/**
 * The depth bounds of results 1 and 2 of "How Much Cache Does Reasoning Need? Depth-Cache Tradeoffs
 * in KV-Compressed Transformers" for one configuration {@code (n, k, s, H, m, p)}, each with
 * constant 1 because the paper gives none:
 * <ul>
 *   <li>the proven lower bound {@code max(ceil(k/s), log2(n)/(H m p))};</li>
 *   <li>the conjectured product bound {@code ceil(k/s) * ceil(log2(n)/(H m p))};</li>
 *   <li>the upper bound of windowed pointer doubling {@code min(k, ceil(k/s) log2(s)) * log2(n)/(m p)}.</li>
 * </ul>
 * A read of one of {@code n} positions moves {@code log2 n} address bits, and one layer's attention
 * moves at most {@code H m p} of them, so a read costs {@link #readLayers()} layers. Once
 * {@code H m p >= log2 n} a read fits in one layer: the bandwidth barrier, where no per-window
 * counting argument gives more than {@code ceil(k/s)}.
 *
 * @param n positions, at least 2
 * @param k hops, at least 1
 * @param s cache size, in {@code [2, n]}
 * @param heads attention heads {@code H}, at least 1
 * @param dimension attention dimension {@code m}, at least 1
 * @param precision bits of precision {@code p}, at least 1
 */
public record DepthBounds(long n, long k, long s, long heads, long dimension, long precision) {
    /** The largest value of {@code H}, {@code m} or {@code p}, so that {@code H m p} stays below 2^63. */
    public static final long MAX_FACTOR = 1L << 20;

    /** The larger term of a lower bound. */
    public enum Term {
        /** The cache term {@code ceil(k/s)}. */
        CACHE,
        /** The bandwidth term {@code log2(n)/(H m p)}, or its ceiling in the product bound. */
        BANDWIDTH,
        /** Both terms are equal. */
        EQUAL
    }

    /** The smaller term of the upper bound's minimum, the one that binds. */
    public enum UpperTerm {
        /** Hop by hop: {@code k} reads. */
        HOPS,
        /** Windowed doubling: {@code ceil(k/s) log2 s} reads. */
        WINDOWS,
        /** Both terms are equal. */
        EQUAL
    }

    public DepthBounds {
        if (n < 2) {
            throw new IllegalArgumentException("n must be at least 2, got " + n);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        if (s < 2 || s > n) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                "s must be in [2, n] = [2, %d], got %d: the upper bound's factor log2(s) vanishes at s = 1", n, s));
        }
        for (long factor : new long[] {heads, dimension, precision}) {
            if (factor < 1 || factor > MAX_FACTOR) {
                throw new IllegalArgumentException("H, m and p must be in [1, 2^20], got H = " + heads + ", m = "
                    + dimension + ", p = " + precision);
            }
        }
    }

    /** Returns {@code log2 n}, exact when {@code n} is a power of two. */
    public double log2n() {
        return log2(n);
    }

    /** Returns {@code H m p}, the address bits one layer's attention moves. */
    public long bandwidth() {
        return heads * dimension * precision;
    }

    /** Returns {@code ceil(k/s)}, the number of cache windows the chase spans. */
    public long cacheWindows() {
        return Math.floorDiv(k + s - 1, s);
    }

    /** Returns {@code log2(n)/(H m p)}, the bandwidth term of the lower bound. */
    public double bandwidthTerm() {
        return log2n() / bandwidth();
    }

    /**
     * Returns {@code ceil(log2(n)/(H m p))}, the layers one read costs. Exact integer arithmetic when
     * {@code n} is a power of two; otherwise {@code log2 n} is irrational and never a multiple of
     * {@code H m p}, so the ceiling of the double quotient is exact.
     */
    public long readLayers() {
        if (Long.bitCount(n) == 1) {
            long bits = Long.numberOfTrailingZeros(n);
            return Math.max(1, Math.floorDiv(bits + bandwidth() - 1, bandwidth()));
        }
        return Math.max(1, (long) Math.ceil(bandwidthTerm()));
    }

    /** Returns the proven lower bound {@code max(ceil(k/s), log2(n)/(H m p))}, constant 1. */
    public double lower() {
        return Math.max(cacheWindows(), bandwidthTerm());
    }

    /** Returns the conjectured product bound {@code ceil(k/s) * ceil(log2(n)/(H m p))}, constant 1. */
    public double product() {
        return (double) cacheWindows() * readLayers();
    }

    /** Returns the upper bound {@code min(k, ceil(k/s) log2(s)) * log2(n)/(m p)}, constant 1. */
    public double upper() {
        return Math.min(k, cacheWindows() * log2(s)) * log2n() / (dimension * precision);
    }

    /** Returns which term of the lower bound is the larger. */
    public Term lowerTerm() {
        return compare(cacheWindows(), bandwidthTerm());
    }

    /** Returns which factor of the product bound is the larger. */
    public Term productTerm() {
        return compare(cacheWindows(), readLayers());
    }

    /** Returns which term of the upper bound's minimum is the smaller, and so binds. */
    public UpperTerm upperTerm() {
        double windows = cacheWindows() * log2(s);
        if (k < windows) {
            return UpperTerm.HOPS;
        }
        return k > windows ? UpperTerm.WINDOWS : UpperTerm.EQUAL;
    }

    /** Returns whether {@code H m p >= log2 n}: a read fits in one layer (the bandwidth barrier). */
    public boolean bandwidthBarrier() {
        return bandwidth() >= log2n();
    }

    /** Returns whether the theorem's preconditions {@code n >= 4k} and {@code s <= sqrt(n)/4} hold. */
    public boolean theoremRegime() {
        return n >= 4 * k && 16.0 * s * s <= n;
    }

    /** Returns {@code log2 x}, exact for powers of two. */
    public static double log2(long x) {
        if (x > 0 && Long.bitCount(x) == 1) {
            return Long.numberOfTrailingZeros(x);
        }
        return Math.log(x) / Math.log(2);
    }

    private static Term compare(double a, double b) {
        if (a > b) {
            return Term.CACHE;
        }
        return a < b ? Term.BANDWIDTH : Term.EQUAL;
    }
}
