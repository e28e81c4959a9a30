package dev.kvcache.engine.controller;

/**
 * Thrown when an adaptive controller breaks the rules of its class: it admits a position the
 * stage's trace did not reference, admits a resident, or leaves the cache at the wrong size.
 */
public final class LocalityViolationException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public LocalityViolationException(String message) {
        super(message);
    }
}
