package dev.kvcache.engine.controller;

import dev.kvcache.engine.exact.ExactValues;
import dev.kvcache.engine.task.PointerLaw;

/** Which closed form gives a controller's exact {@code P(E)} under a uniform start and pointer law. */
public enum ExactRule {
    /** An independent uniform cache per stage: {@code (s/n)^T}. */
    FRESH_PER_STAGE,
    /** One fixed set for all stages: the rho-law sum over the distinct read positions. */
    FIXED_SET,
    /** Adaptive and locality-respecting: {@code s/n}, whatever {@code T} is. */
    ADAPTIVE,
    /** The read position is always resident: 1. */
    CERTAIN;

    /** Returns the exact {@code P(E)} for the cell {@code (law, n, s, k)}. */
    public double eventProbability(PointerLaw law, long n, long s, long k) {
        switch (this) {
            case FRESH_PER_STAGE:
                return ExactValues.randomFresh(n, s, k);
            case FIXED_SET:
                return ExactValues.fixedSet(law, n, s, k);
            case ADAPTIVE:
                return ExactValues.adaptive(n, s);
            case CERTAIN:
                return 1.0;
            default:
                throw new AssertionError(this);
        }
    }
}
