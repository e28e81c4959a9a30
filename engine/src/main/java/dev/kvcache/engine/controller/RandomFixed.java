package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.cache.SetFactory;

/**
 * Oblivious random eviction decided once: one uniformly random {@code s}-subset serves every
 * stage, as when a compression pass keeps a random sample of the prompt's KV entries.
 */
final class RandomFixed implements ObliviousController {
    static final String NAME = "random-fixed";

    private final SetFactory.RandomSubsetSlot slot;
    private ResidentSet current;

    RandomFixed(long s, SetFactory sets) {
        this.slot = sets.randomSubsetSlot(s);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void beginTrial() {
        current = slot.draw();
    }

    @Override
    public ResidentSet cacheAt(int t) {
        return current;
    }
}
