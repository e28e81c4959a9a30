package dev.kvcache.engine.controller;

/**
 * A KV-cache controller: decides the resident positions of each stage. Its class is part of its
 * type: an {@link ObliviousController} has no way to see the trace, and an
 * {@link AdaptiveController} changes its cache only through {@link AdaptiveCache}, which rejects
 * the admission of a position the trace did not reference. A {@link QueryAwareController} is
 * outside the theorem's class: it sees the position each stage reads.
 *
 * <p>An instance serves one engine and one random stream, trial after trial; it is not thread-safe.
 */
public sealed interface Controller permits ObliviousController, AdaptiveController, QueryAwareController {

    /** Returns the configuration name. */
    String name();

    /** Returns the controller's class. */
    ControllerClass controllerClass();
}
