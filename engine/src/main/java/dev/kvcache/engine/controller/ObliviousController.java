package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.ResidentSet;

/**
 * A controller whose caches {@code C_1, C_2, ...} depend only on its own randomness and on
 * {@code n}, {@code s} and the stage: never on the pointers, the start or the trace, which this
 * interface does not receive.
 */
public non-sealed interface ObliviousController extends Controller {

    /** Starts a trial: forgets the previous trial's caches. */
    void beginTrial();

    /**
     * Returns the cache of stage {@code t} (from 1). Stages are asked in increasing order, once
     * each; the set returned may be reused for a later stage.
     */
    ResidentSet cacheAt(int t);

    @Override
    default ControllerClass controllerClass() {
        return ControllerClass.OBLIVIOUS;
    }
}
