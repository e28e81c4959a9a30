package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.cache.SetFactory;

/**
 * The shape of the score-based adaptive rules: the first cache comes from the initial rule, and
 * after each stage the position named by the value read is admitted unless it is resident, in
 * exchange for the resident with the lowest score. Subclasses choose the score.
 */
abstract class NamedAdmission implements AdaptiveController {
    private final InitialCacheRule initial;

    NamedAdmission(long s, ControllerSettings settings, SetFactory sets) {
        this.initial = new InitialCacheRule(s, settings, sets);
    }

    @Override
    public final ResidentSet beginTrial() {
        return initial.draw();
    }

    @Override
    public final void afterStage(Trace trace, AdaptiveCache cache) {
        if (cache.isResident(trace.named())) {
            return;
        }
        evictOne(cache);
        cache.admit(trace.named());
    }

    /** Evicts the resident this rule scores lowest. */
    abstract void evictOne(AdaptiveCache cache);
}
