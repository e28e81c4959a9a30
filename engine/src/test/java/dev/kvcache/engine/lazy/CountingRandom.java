package dev.kvcache.engine.lazy;

import org.apache.commons.rng.UniformRandomProvider;

/**
 * A generator that counts the 64-bit values it hands out, so a test can check that a query of a
 * decided position draws no randomness. Every other method of {@link UniformRandomProvider} is
 * built on {@link #nextLong()} by the interface's default implementations.
 */
final class CountingRandom implements UniformRandomProvider {
    private final UniformRandomProvider source;
    private long draws;

    CountingRandom(UniformRandomProvider source) {
        this.source = source;
    }

    @Override
    public long nextLong() {
        draws++;
        return source.nextLong();
    }

    /** Returns how many 64-bit values were drawn so far. */
    long draws() {
        return draws;
    }
}
