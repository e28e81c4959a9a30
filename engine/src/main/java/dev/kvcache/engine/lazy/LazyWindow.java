package dev.kvcache.engine.lazy;

import dev.kvcache.engine.cache.ConditionalSet;
import java.util.Arrays;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * The StreamingLLM window, {@code [0, w0) ∪ [n - w1, n)}, with the changes an adaptive controller
 * makes to it: evicted window positions and admitted outside positions, both short lists. The
 * window itself is never materialised, so every operation costs time proportional to the number
 * of changes, not to {@code s}.
 */
final class LazyWindow implements ConditionalSet {
    private final long n;
    private final long w0;
    private final long w1;
    private final UniformRandomProvider rng;

    private final LongList removed = new LongList();
    private final LongList known = new LongList();
    private final LongList added = new LongList();

    LazyWindow(long n, long s, long sinks, UniformRandomProvider rng) {
        if (s < 0 || s > n) {
            throw new IllegalArgumentException("window size must be in [0, " + n + "], got " + s);
        }
        if (sinks < 0) {
            throw new IllegalArgumentException("sinks must be non-negative, got " + sinks);
        }
        this.n = n;
        this.w0 = Math.min(sinks, s);
        this.w1 = s - w0;
        this.rng = rng;
    }

    /** Restores the unchanged window. */
    LazyWindow reset() {
        removed.clear();
        known.clear();
        added.clear();
        return this;
    }

    private boolean inWindow(long p) {
        return p < w0 || p >= n - w1;
    }

    @Override
    public long universe() {
        return n;
    }

    @Override
    public long size() {
        return w0 + w1 - removed.size() + added.size();
    }

    @Override
    public long anonymousCount() {
        return w0 + w1 - removed.size() - known.size();
    }

    @Override
    public boolean contains(long p) {
        return inWindow(p) ? !removed.contains(p) : added.contains(p);
    }

    @Override
    public long nearest(long p) {
        if (contains(p)) {
            throw new IllegalStateException("nearest(" + p + ") asked for a resident position");
        }
        if (size() == 0) {
            throw new IllegalStateException("nearest(" + p + ") asked of an empty cache");
        }
        long best = -1;
        for (int i = 0; i < added.size(); i++) {
            best = closer(p, best, added.get(i));
        }
        if (w0 + w1 > removed.size()) {
            best = closer(p, best, windowMemberFrom(p, true));
            best = closer(p, best, windowMemberFrom(p, false));
        }
        return best;
    }

    /** Returns the first window position that is still resident, scanning up or down from {@code p}. */
    private long windowMemberFrom(long p, boolean upward) {
        long q = p;
        while (true) {
            q = upward ? nextWindowUp(q) : nextWindowDown(q);
            if (!removed.contains(q)) {
                return q;
            }
            q = upward ? (q + 1) % n : Math.floorMod(q - 1, n);
        }
    }

    /** Returns the first window position at or after {@code q}, circularly. */
    private long nextWindowUp(long q) {
        if (inWindow(q)) {
            return q;
        }
        return w1 > 0 ? n - w1 : 0;
    }

    /** Returns the first window position at or before {@code q}, circularly. */
    private long nextWindowDown(long q) {
        if (inWindow(q)) {
            return q;
        }
        return w0 > 0 ? w0 - 1 : n - 1;
    }

    private long closer(long p, long current, long candidate) {
        if (current < 0) {
            return candidate;
        }
        long dc = distance(p, current);
        long dn = distance(p, candidate);
        if (dn < dc || (dn == dc && candidate < current)) {
            return candidate;
        }
        return current;
    }

    private long distance(long a, long b) {
        long d = Math.abs(a - b);
        return Math.min(d, n - d);
    }

    @Override
    public long uniformMember() {
        long total = size();
        if (total == 0) {
            throw new IllegalStateException("uniformMember() asked of an empty cache");
        }
        long index = rng.nextLong(total);
        if (index < added.size()) {
            return added.get((int) index);
        }
        long position = windowPositionSkipping(index - added.size(), removed, null);
        markKnown(position);
        return position;
    }

    /**
     * Returns the window position with the given 0-based index in window order after leaving out
     * the positions of {@code skip} and {@code alsoSkip} (window positions, disjoint lists).
     */
    private long windowPositionSkipping(long index, LongList skip, LongList alsoSkip) {
        int skipCount = skip.size() + (alsoSkip == null ? 0 : alsoSkip.size());
        long[] ranks = new long[skipCount];
        int r = 0;
        for (int i = 0; i < skip.size(); i++) {
            ranks[r++] = windowRank(skip.get(i));
        }
        if (alsoSkip != null) {
            for (int i = 0; i < alsoSkip.size(); i++) {
                ranks[r++] = windowRank(alsoSkip.get(i));
            }
        }
        Arrays.sort(ranks);
        long rank = index;
        for (long skipped : ranks) {
            if (skipped <= rank) {
                rank++;
            } else {
                break;
            }
        }
        return rank < w0 ? rank : n - w1 + (rank - w0);
    }

    private long windowRank(long p) {
        return p < w0 ? p : w0 + (p - (n - w1));
    }

    @Override
    public void markKnown(long p) {
        if (!contains(p)) {
            throw new IllegalStateException("markKnown(" + p + "): the position is not resident");
        }
        if (inWindow(p) && !known.contains(p)) {
            known.add(p);
        }
    }

    @Override
    public void admit(long p) {
        if (contains(p)) {
            throw new IllegalStateException("admit(" + p + "): the position is already resident");
        }
        if (inWindow(p)) {
            removed.remove(p);
            known.add(p);
        } else {
            added.add(p);
        }
    }

    @Override
    public void evict(long p) {
        if (!contains(p)) {
            throw new IllegalStateException("evict(" + p + "): the position is not resident");
        }
        if (inWindow(p)) {
            if (!known.remove(p)) {
                throw new IllegalStateException("evict(" + p + "): the position is not a known resident");
            }
            removed.add(p);
        } else {
            added.remove(p);
        }
    }

    @Override
    public long evictAnonymous() {
        long count = anonymousCount();
        if (count == 0) {
            throw new IllegalStateException("evictAnonymous(): no anonymous resident left");
        }
        long position = windowPositionSkipping(rng.nextLong(count), removed, known);
        removed.add(position);
        return position;
    }

    @Override
    public double memberProbability(long p) {
        return contains(p) ? 1.0 : 0.0;
    }

    @Override
    public void revealMember(long p) {
        markKnown(p);
    }

    @Override
    public void forEachRevealed(LongConsumer action) {
        // Membership is fixed by the window and its changes: every probability is 0 or 1.
    }

    @Override
    public long drawMemberOutside(LongPredicate excluded) {
        long total = size();
        if (total == 0) {
            throw new IllegalStateException("drawMemberOutside() asked of an empty cache");
        }
        // Rejection: the caller only asks when some resident lies outside the excluded positions.
        while (true) {
            long index = rng.nextLong(total);
            long candidate = index < added.size()
                ? added.get((int) index)
                : windowPositionSkipping(index - added.size(), removed, null);
            if (!excluded.test(candidate)) {
                return candidate;
            }
        }
    }

    /** A small growable list of longs with linear search, for the few changes a trial makes. */
    static final class LongList {
        private long[] values = new long[8];
        private int size;

        int size() {
            return size;
        }

        long get(int i) {
            return values[i];
        }

        void clear() {
            size = 0;
        }

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        boolean contains(long v) {
            for (int i = 0; i < size; i++) {
                if (values[i] == v) {
                    return true;
                }
            }
            return false;
        }

        boolean remove(long v) {
            for (int i = 0; i < size; i++) {
                if (values[i] == v) {
                    values[i] = values[--size];
                    return true;
                }
            }
            return false;
        }
    }
}
