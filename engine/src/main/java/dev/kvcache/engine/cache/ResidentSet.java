package dev.kvcache.engine.cache;

/**
 * The set of resident positions of a KV cache at one stage, over the positions {@code [0, n)}.
 *
 * <p>An engine may decide membership lazily (by deferred decisions), so a query can reveal
 * information and draw randomness: callers must treat every method as a step of the simulation.
 * A resident is <em>known</em> once a query has named it (a hit, the result of {@link #nearest}
 * or {@link #uniformMember}, or {@link #markKnown}); the others are <em>anonymous</em>, and are
 * exchangeable: a uniformly random one of them is as good as any.
 */
public interface ResidentSet {

    /** Returns {@code n}, the number of positions. */
    long universe();

    /** Returns the number of resident positions. */
    long size();

    /** Returns whether position {@code p} is resident. */
    boolean contains(long p);

    /**
     * Returns the resident position nearest to {@code p} in circular distance
     * {@code min(|q - p|, n - |q - p|)}, ties going to the smaller position.
     *
     * @throws IllegalStateException if {@code p} is resident or the set is empty
     */
    long nearest(long p);

    /**
     * Returns a uniformly random resident position.
     *
     * @throws IllegalStateException if the set is empty
     */
    long uniformMember();

    /** Returns the number of anonymous residents: those no query has named yet. */
    long anonymousCount();

    /**
     * Marks resident {@code p} as known, so it no longer counts as anonymous.
     *
     * @throws IllegalStateException if {@code p} is not resident
     */
    void markKnown(long p);

    /**
     * Makes the non-resident position {@code p} resident and known.
     *
     * @throws IllegalStateException if {@code p} is resident, or its membership was never revealed
     */
    void admit(long p);

    /**
     * Evicts the known resident {@code p}.
     *
     * @throws IllegalStateException if {@code p} is not a known resident
     */
    void evict(long p);

    /**
     * Evicts a uniformly random anonymous resident and returns its position, or {@code -1} when
     * the engine never needs to decide which position it was.
     *
     * @throws IllegalStateException if there is no anonymous resident
     */
    long evictAnonymous();
}
