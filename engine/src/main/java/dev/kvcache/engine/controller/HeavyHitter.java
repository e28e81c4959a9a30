package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.SetFactory;

/**
 * H2O, the heavy-hitter oracle (Zhang et al., "H2O: Heavy-Hitter Oracle for Efficient Generative
 * Inference of Large Language Models", 2023): every resident accumulates the attention it
 * receives; after each stage the position named by the value read is admitted and the resident
 * with the lowest accumulated attention is evicted, ties going to the oldest admission, then
 * uniformly at random. Departure: H2O also keeps a window of recent tokens beside the heavy
 * hitters; here the whole budget is scored, and "recent" is the named position it admits.
 */
final class HeavyHitter extends NamedAdmission {
    static final String NAME = "heavy-hitter";

    HeavyHitter(long s, ControllerSettings settings, SetFactory sets) {
        super(s, settings, sets);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    void evictOne(AdaptiveCache cache) {
        cache.evictLowest(AdaptiveCache.Statistic.ACCUMULATED_ATTENTION, AdaptiveCache.Statistic.ADMITTED_AT);
    }
}
