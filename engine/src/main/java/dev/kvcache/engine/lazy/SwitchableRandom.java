package dev.kvcache.engine.lazy;

import dev.kvcache.engine.random.Seeds;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * A random source whose stream can be replaced: the splitting estimator rebuilds a particle by
 * running each of its segments on the segment's own seeded stream, while the pointers, sets and
 * controller keep the one generator they were built with. Only {@link #nextLong()} is delegated;
 * every other method is the interface's default built on it, as for the generators of
 * {@link Seeds}.
 */
final class SwitchableRandom implements UniformRandomProvider {
    private UniformRandomProvider current = Seeds.generator(0);

    /** Switches to a new stream seeded by {@code seed} (through {@link Seeds#generator}). */
    void switchTo(long seed) {
        current = Seeds.generator(seed);
    }

    @Override
    public long nextLong() {
        return current.nextLong();
    }
}
