package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.ResidentSet;

/**
 * A locality-respecting controller: its first cache comes from an oblivious rule, and after each
 * stage it may admit only positions that stage's trace referenced, evicting by any score built
 * from the trace so far. It acts on the cache only through {@link AdaptiveCache}.
 */
public non-sealed interface AdaptiveController extends Controller {

    /**
     * Starts a trial and returns its first cache {@code C_1}, drawn by an oblivious rule before
     * anything about the input is known.
     */
    ResidentSet beginTrial();

    /**
     * Updates the cache after a stage (called for every stage but the last). The cache has already
     * recorded the attention of the stage; the controller admits and evicts so that it ends with
     * exactly {@code s} residents.
     */
    void afterStage(Trace trace, AdaptiveCache cache);

    @Override
    default ControllerClass controllerClass() {
        return ControllerClass.ADAPTIVE;
    }
}
