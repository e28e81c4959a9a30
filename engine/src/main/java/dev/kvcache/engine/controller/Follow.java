package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.cache.SetFactory;

/**
 * Pointer-following with least-recently-used eviction: after each stage, admit the position
 * named by the value read (the next position the query will ask for) and evict the resident used
 * longest ago, ties uniformly at random. The simplest locality-respecting controller that keeps
 * the chain resident once it has hit, so {@code P(E) = s/n} whatever {@code T} is.
 */
final class Follow implements AdaptiveController {
    static final String NAME = "follow";

    private final InitialCacheRule initial;

    Follow(long s, ControllerSettings settings, SetFactory sets) {
        this.initial = new InitialCacheRule(s, settings, sets);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ResidentSet beginTrial() {
        return initial.draw();
    }

    @Override
    public void afterStage(Trace trace, AdaptiveCache cache) {
        long named = trace.named();
        if (cache.isResident(named)) {
            cache.touch(named, trace.stage());
            return;
        }
        cache.evictLowest(AdaptiveCache.Statistic.LAST_USE, null);
        cache.admit(named);
    }
}
