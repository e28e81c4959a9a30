package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.cache.SetFactory;
import dev.kvcache.engine.cache.StridedSet;

/**
 * Strided sparse attention (as in the fixed strided pattern of Child et al., "Generating Long
 * Sequences with Sparse Transformers", 2019): every {@code floor(n/s)}-th position from a uniformly
 * random offset, the same at every stage. Departure: the sparse pattern is used as a cache of
 * exactly {@code s} positions rather than as an attention mask per layer.
 */
final class Strided implements ObliviousController {
    static final String NAME = "strided";

    private final StridedSet set;
    private ResidentSet current;

    Strided(long s, SetFactory sets) {
        this.set = sets.strided(s);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void beginTrial() {
        current = set.draw();
    }

    @Override
    public ResidentSet cacheAt(int t) {
        return current;
    }
}
