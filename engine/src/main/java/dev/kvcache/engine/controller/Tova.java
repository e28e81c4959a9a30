package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.SetFactory;

/**
 * TOVA, token omission via attention (Oren et al., "Transformers are Multi-State RNNs", 2024):
 * after each stage the position named by the value read is admitted and the resident with the
 * lowest attention at the current stage is evicted, ties uniformly at random. Departure: TOVA
 * averages the attention over heads of one layer; the simulation has one head per stage.
 */
final class Tova extends NamedAdmission {
    static final String NAME = "tova";

    Tova(long s, ControllerSettings settings, SetFactory sets) {
        super(s, settings, sets);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    void evictOne(AdaptiveCache cache) {
        cache.evictLowest(AdaptiveCache.Statistic.CURRENT_ATTENTION, null);
    }
}
