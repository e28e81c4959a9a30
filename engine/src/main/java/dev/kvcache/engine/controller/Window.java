package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.cache.SetFactory;

/**
 * StreamingLLM (Xiao et al., "Efficient Streaming Language Models with Attention Sinks", 2023):
 * the first {@code sinks} positions as attention sinks plus the most recent {@code s - sinks}
 * positions, the same at every stage. Departure: the prompt is complete before the query runs,
 * so "most recent" means the last positions of the prompt and the window never slides.
 */
final class Window implements ObliviousController {
    static final String NAME = "window";

    private final SetFactory.WindowSlot slot;
    private ResidentSet current;

    Window(long s, long sinks, SetFactory sets) {
        this.slot = sets.windowSlot(s, sinks);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void beginTrial() {
        current = slot.reset();
    }

    @Override
    public ResidentSet cacheAt(int t) {
        return current;
    }
}
