package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.cache.SetFactory;

/**
 * Oblivious random eviction with a fresh draw per stage: each {@code C_t} is an independent
 * uniformly random {@code s}-subset, so {@code P(E) = (s/n)^T} exactly. The model of the paper's
 * random-cache lower bound; no deployed system redraws its whole cache per layer.
 */
final class RandomFresh implements ObliviousController {
    static final String NAME = "random-fresh";

    private final SetFactory.RandomSubsetSlot slot;

    RandomFresh(long s, SetFactory sets) {
        this.slot = sets.randomSubsetSlot(s);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void beginTrial() {
        // Every stage draws its own subset, so nothing carries over.
    }

    @Override
    public ResidentSet cacheAt(int t) {
        return slot.draw();
    }
}
