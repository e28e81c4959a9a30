package dev.kvcache.engine.random;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.core.source64.SplitMix64;
import org.apache.commons.rng.core.source64.XoShiRo256PlusPlus;

/**
 * The single root of all randomness: every generator is derived from the experiment seed and
 * the coordinates of the work it serves, never from the clock or from shared state.
 *
 * <p>Coordinates are combined through the SplitMix64 finaliser (Stafford's "mix13" constants),
 * a bijective avalanche function, so neighbouring seeds such as {@code base + index} give
 * unrelated streams. Each unit's stream is a xoshiro256++ generator whose 256-bit state is filled
 * by SplitMix64 from the combined value, as the xoshiro authors recommend for seeding.
 */
public final class Seeds {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static final long CELL_SALT = 0x6a09e667f3bcc909L;
    private static final long BLOCK_SALT = 0xbb67ae8584caa73bL;
    private static final long STREAM_SALT = 0x3c6ef372fe94f82bL;

    private Seeds() {
    }

    /** Applies the SplitMix64 finaliser, a bijection on 64-bit values with full avalanche. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * Returns the seed of the work unit at {@code (seed, cell, block)}. Distinct coordinates give
     * distinct seeds with overwhelming probability, and the value depends on nothing else.
     */
    public static long unitSeed(long seed, long cell, long block) {
        long h = mix(seed + GOLDEN_GAMMA);
        h = mix(h ^ mix(cell + CELL_SALT));
        h = mix(h ^ mix(block + BLOCK_SALT));
        return h;
    }

    /**
     * Returns the seed of one independent stream inside a unit, for estimators that need several
     * streams per unit (for example one per splitting replicate).
     */
    public static long streamSeed(long unitSeed, long stream) {
        return mix(unitSeed ^ mix(stream + STREAM_SALT));
    }

    /** Returns a new xoshiro256++ generator whose state is expanded from {@code seed}. */
    public static UniformRandomProvider generator(long seed) {
        SplitMix64 expander = new SplitMix64(seed);
        long[] state = new long[4];
        for (int i = 0; i < state.length; i++) {
            state[i] = expander.nextLong();
        }
        return new XoShiRo256PlusPlus(state);
    }

    /** Returns the generator of the work unit at {@code (seed, cell, block)}. */
    public static UniformRandomProvider unitGenerator(long seed, long cell, long block) {
        return generator(unitSeed(seed, cell, block));
    }
}
