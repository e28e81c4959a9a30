package dev.kvcache.engine.cache;

import java.util.function.LongConsumer;
import java.util.function.LongPredicate;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Every {@code floor(n/s)}-th position from an offset: {@code offset + j * stride} for
 * {@code j = 0..s-1}, with {@code stride = floor(n/s)} and the offset uniform on
 * {@code [0, stride)}, so every member lies in {@code [0, n)}. Operations cost O(1), so both
 * engines use it.
 */
public final class StridedSet extends FixedResidentSet implements ConditionalSet {
    private final long n;
    private final long s;
    private final long stride;
    private final UniformRandomProvider rng;
    private long offset;

    /** Creates the holder; {@link #draw()} picks the offset of a trial. */
    public StridedSet(long n, long s, UniformRandomProvider rng) {
        if (s < 1 || s > n) {
            throw new IllegalArgumentException("strided cache size must be in [1, " + n + "], got " + s);
        }
        this.n = n;
        this.s = s;
        this.stride = n / s;
        this.rng = rng;
    }

    /** Draws a new uniform offset and returns this set. */
    public StridedSet draw() {
        offset = rng.nextLong(stride);
        return this;
    }

    public long offset() {
        return offset;
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
        long shifted = p - offset;
        return shifted >= 0 && shifted % stride == 0 && shifted / stride < s;
    }

    @Override
    public long nearest(long p) {
        if (contains(p)) {
            throw new IllegalStateException("nearest(" + p + ") asked for a resident position");
        }
        long last = offset + (s - 1) * stride;
        long below;
        long above;
        if (p < offset || p > last) {
            below = last;
            above = offset;
        } else {
            long j = (p - offset) / stride;
            below = offset + j * stride;
            above = j + 1 < s ? below + stride : offset;
        }
        return CircularOrder.closer(n, p, below, above);
    }

    @Override
    public long uniformMember() {
        return offset + rng.nextLong(s) * stride;
    }

    @Override
    public double memberProbability(long p) {
        return contains(p) ? 1.0 : 0.0;
    }

    @Override
    public void revealMember(long p) {
        if (!contains(p)) {
            throw new IllegalStateException("revealMember(" + p + "): the position is not in the strided set");
        }
    }

    @Override
    public void forEachRevealed(LongConsumer action) {
        // The offset fixes every membership: each probability is 0 or 1.
    }

    @Override
    public long drawMemberOutside(LongPredicate excluded) {
        // Rejection: the caller only asks when some member lies outside the excluded positions.
        while (true) {
            long candidate = offset + rng.nextLong(s) * stride;
            if (!excluded.test(candidate)) {
                return candidate;
            }
        }
    }
}
