package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.cache.SetFactory;

/** Draws the oblivious first cache {@code C_1} of an adaptive controller. */
final class InitialCacheRule {
    private final SetFactory.RandomSubsetSlot random;
    private final SetFactory.WindowSlot window;

    InitialCacheRule(long s, ControllerSettings settings, SetFactory sets) {
        if (settings.initial() == InitialCache.RANDOM) {
            random = sets.randomSubsetSlot(s);
            window = null;
        } else {
            random = null;
            window = sets.windowSlot(s, settings.sinks());
        }
    }

    ResidentSet draw() {
        return random != null ? random.draw() : window.reset();
    }
}
