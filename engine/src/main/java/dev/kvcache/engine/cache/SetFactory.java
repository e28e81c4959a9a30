package dev.kvcache.engine.cache;

/**
 * Creates the resident sets of one engine. Controllers build their caches through it, so the
 * same controller runs on the lazy engine (deferred decisions) and on a materialised one.
 * Every set it returns draws from the engine's random generator.
 */
public interface SetFactory {

    /** Returns {@code n}, the number of positions. */
    long universe();

    /** Returns a new, empty-state holder for uniform random {@code s}-subsets. */
    RandomSubsetSlot randomSubsetSlot(long s);

    /**
     * Returns a new holder for the StreamingLLM window: the first {@code min(sinks, s)} positions
     * and the last {@code s - min(sinks, s)} positions.
     */
    WindowSlot windowSlot(long s, long sinks);

    /** Returns a new holder for the strided set of {@code s} positions; its offset is drawn per trial. */
    StridedSet strided(long s);

    /** Returns a new holder for an arc of {@code s} positions around a centre, for query-aware rules. */
    ArcSet arc(long s);

    /** A reusable holder of one random subset; {@link #draw()} starts a fresh independent one. */
    interface RandomSubsetSlot {
        /** Starts a new uniformly random subset, independent of every earlier one, and returns it. */
        ResidentSet draw();
    }

    /** A reusable holder of one window set; {@link #reset()} restores the initial window. */
    interface WindowSlot {
        /** Restores the initial window and returns it. */
        ResidentSet reset();
    }
}
