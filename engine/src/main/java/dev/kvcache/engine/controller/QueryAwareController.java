package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.ResidentSet;

/**
 * A controller outside the theorem's class: it is shown the position the query is about to read
 * and chooses the stage's cache with it, as retrieval-based methods (Quest, for example) choose
 * pages by their similarity to the current query. Offered only as a contrast.
 */
public non-sealed interface QueryAwareController extends Controller {

    /** Starts a trial. */
    void beginTrial();

    /** Returns the cache of stage {@code t}, chosen knowing the position {@code read} it must serve. */
    ResidentSet cacheFor(int t, long read);

    @Override
    default ControllerClass controllerClass() {
        return ControllerClass.OUTSIDE;
    }
}
