package dev.kvcache.engine.cache;

import org.apache.commons.rng.UniformRandomProvider;

/**
 * The {@code s} positions that come first around a centre in {@link CircularOrder}: the centre
 * and its nearest neighbours, a contiguous arc of the circle. What retrieval by query-key
 * similarity keeps when keys are positional.
 */
public final class ArcSet extends FixedResidentSet {
    private final long n;
    private final long s;
    private final UniformRandomProvider rng;
    private long centre;

    public ArcSet(long n, long s, UniformRandomProvider rng) {
        if (s < 1 || s > n) {
            throw new IllegalArgumentException("arc size must be in [1, " + n + "], got " + s);
        }
        this.n = n;
        this.s = s;
        this.rng = rng;
    }

    /** Centres the arc on {@code position} and returns this set. */
    public ArcSet centreOn(long position) {
        this.centre = position;
        return this;
    }

    @Override
    public long universe() {
        return n;
    }

    @Override
    public long size() {
        return s;
    }

    @Override
    public boolean contains(long p) {
        return CircularOrder.rank(n, centre, p) < s;
    }

    @Override
    public long nearest(long p) {
        if (contains(p)) {
            throw new IllegalStateException("nearest(" + p + ") asked for a resident position");
        }
        // The arc is contiguous, so the nearest member of a position outside it is one of its ends.
        long lowEnd = lowEnd();
        long highEnd = Math.floorMod(lowEnd + s - 1, n);
        return CircularOrder.closer(n, p, lowEnd, highEnd);
    }

    /** Returns the first position of the arc going up the circle. */
    private long lowEnd() {
        long d = s / 2;
        long down = Math.floorMod(centre - d, n);
        if (s % 2 == 1) {
            return down;
        }
        // An even size ends with one of the two positions at distance s/2: the smaller one.
        long up = Math.floorMod(centre + d, n);
        return down <= up ? down : Math.floorMod(centre - d + 1, n);
    }

    @Override
    public long uniformMember() {
        return CircularOrder.positionAt(n, centre, rng.nextLong(s));
    }
}
