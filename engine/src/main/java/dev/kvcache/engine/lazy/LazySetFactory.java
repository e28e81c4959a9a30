package dev.kvcache.engine.lazy;

import dev.kvcache.engine.cache.ArcSet;
import dev.kvcache.engine.cache.SetFactory;
import dev.kvcache.engine.cache.StridedSet;
import org.apache.commons.rng.UniformRandomProvider;

/** Creates the lazy engine's resident sets, whose cost does not depend on {@code n} or {@code s}. */
final class LazySetFactory implements SetFactory {
    private final long n;
    private final UniformRandomProvider rng;

    LazySetFactory(long n, UniformRandomProvider rng) {
        this.n = n;
        this.rng = rng;
    }

    @Override
    public long universe() {
        return n;
    }

    @Override
    public RandomSubsetSlot randomSubsetSlot(long s) {
        LazyRandomSubset subset = new LazyRandomSubset(n, rng);
        return () -> subset.reset(s);
    }

    @Override
    public StridedSet strided(long s) {
        return new StridedSet(n, s, rng);
    }

    @Override
    public ArcSet arc(long s) {
        return new ArcSet(n, s, rng);
    }

    @Override
    public WindowSlot windowSlot(long s, long sinks) {
        LazyWindow window = new LazyWindow(n, s, sinks, rng);
        return window::reset;
    }
}
