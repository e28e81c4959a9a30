package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.ArcSet;
import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.cache.SetFactory;

/**
 * Quest-like query-aware retrieval (Tang et al., "Quest: Query-Aware Sparsity for Efficient
 * Long-Context LLM Inference", 2024): each stage keeps the {@code s} positions whose keys are most
 * similar to the query. With positional keys those are the requested position and its nearest
 * neighbours, so every read hits and {@code P(E) = 1}. Departure: Quest scores pages of keys by
 * an upper bound and keeps whole pages; here single positions are scored exactly.
 */
final class QueryAware implements QueryAwareController {
    static final String NAME = "query-aware";

    private final ArcSet arc;

    QueryAware(long s, SetFactory sets) {
        this.arc = sets.arc(s);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void beginTrial() {
        // The cache of each stage depends only on the position it serves.
    }

    @Override
    public ResidentSet cacheFor(int t, long read) {
        return arc.centreOn(read);
    }
}
