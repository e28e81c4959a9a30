package dev.kvcache.engine.lazy;

import dev.kvcache.engine.cache.ConditionalSet;
import java.util.Arrays;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * A uniformly random subset of {@code [0, n)} decided by deferred decisions.
 *
 * <p>The state is what queries have revealed: a short list of known members, a short list of
 * disjoint intervals of known non-members, and the number {@code m} of anonymous members, which
 * form a uniformly random {@code m}-subset of the undecided positions. An undecided position is a
 * member with probability {@code m / undecided}, the exact conditional law. A nearest-member
 * search samples where the first anonymous member falls in scan order
 * ({@link FirstMemberSampler}) and records the scanned arc as non-members, so its cost does not
 * grow with {@code n}.
 */
final class LazyRandomSubset implements ConditionalSet {
    private final long n;
    private final UniformRandomProvider rng;
    private final FirstMemberSampler firstMember = new FirstMemberSampler();

    private long anonymous;
    private long[] members = new long[16];
    private int memberCount;
    /** Disjoint, non-adjacent intervals {@code [low[i], high[i]]} of known non-members, sorted. */
    private long[] low = new long[16];
    private long[] high = new long[16];
    private int intervalCount;
    private long nonMemberCount;

    /** Position whose scan order the helper methods below use, set by {@link #nearest}. */
    private long centre;
    private final long[] pieces = new long[4];

    LazyRandomSubset(long n, UniformRandomProvider rng) {
        this.n = n;
        this.rng = rng;
    }

    /** Starts a new random {@code size}-subset, independent of the previous one. */
    LazyRandomSubset reset(long size) {
        if (size < 0 || size > n) {
            throw new IllegalArgumentException("subset size must be in [0, " + n + "], got " + size);
        }
        anonymous = size;
        memberCount = 0;
        intervalCount = 0;
        nonMemberCount = 0;
        return this;
    }

    @Override
    public long universe() {
        return n;
    }

    @Override
    public long size() {
        return memberCount + anonymous;
    }

    @Override
    public long anonymousCount() {
        return anonymous;
    }

    private long undecided() {
        return n - memberCount - nonMemberCount;
    }

    @Override
    public boolean contains(long p) {
        if (isKnownMember(p)) {
            return true;
        }
        if (isKnownNonMember(p)) {
            return false;
        }
        if (LazyPointers.uniformBelow(rng, undecided()) < anonymous) {
            anonymous--;
            addMember(p);
            return true;
        }
        addNonMembers(p, p);
        return false;
    }

    @Override
    public long nearest(long p) {
        if (contains(p)) {
            throw new IllegalStateException("nearest(" + p + ") asked for a resident position");
        }
        if (size() == 0) {
            throw new IllegalStateException("nearest(" + p + ") asked of an empty cache");
        }
        centre = p;
        long bestRank = Long.MAX_VALUE;
        for (int i = 0; i < memberCount; i++) {
            bestRank = Math.min(bestRank, rankOf(members[i]));
        }
        boolean fresh = false;
        if (anonymous > 0) {
            long skipped = firstMember.sample(undecided(), anonymous, rng);
            long freshRank = smallestRankWithUndecided(skipped + 1);
            if (freshRank < bestRank) {
                bestRank = freshRank;
                fresh = true;
            }
        }
        // Every position scanned before the winner is now known to be a non-member.
        long start = arcStart(bestRank - 1);
        addNonMemberArc(start, bestRank);
        long winner = positionAtRank(bestRank);
        if (fresh) {
            anonymous--;
            addMember(winner);
        }
        return winner;
    }

    @Override
    public long uniformMember() {
        long total = size();
        if (total == 0) {
            throw new IllegalStateException("uniformMember() asked of an empty cache");
        }
        long index = rng.nextLong(total);
        if (index < memberCount) {
            return members[(int) index];
        }
        long position = undecidedAt(rng.nextLong(undecided()));
        anonymous--;
        addMember(position);
        return position;
    }

    @Override
    public void markKnown(long p) {
        if (!isKnownMember(p)) {
            throw new IllegalStateException("markKnown(" + p + "): the position is not a known resident");
        }
    }

    @Override
    public void admit(long p) {
        if (isKnownMember(p)) {
            throw new IllegalStateException("admit(" + p + "): the position is already resident");
        }
        if (!isKnownNonMember(p)) {
            throw new IllegalStateException("admit(" + p + "): the position's membership was never revealed");
        }
        removeNonMember(p);
        addMember(p);
    }

    @Override
    public void evict(long p) {
        int index = indexOfMember(p);
        if (index < 0) {
            throw new IllegalStateException("evict(" + p + "): the position is not a known resident");
        }
        members[index] = members[--memberCount];
        addNonMembers(p, p);
    }

    @Override
    public long evictAnonymous() {
        if (anonymous == 0) {
            throw new IllegalStateException("evictAnonymous(): no anonymous resident left");
        }
        // The remaining anonymous members are still a uniform subset of the undecided positions.
        anonymous--;
        return -1;
    }

    @Override
    public double memberProbability(long p) {
        if (isKnownMember(p)) {
            return 1.0;
        }
        if (isKnownNonMember(p)) {
            return 0.0;
        }
        return (double) anonymous / undecided();
    }

    @Override
    public void revealMember(long p) {
        if (isKnownMember(p)) {
            return;
        }
        if (isKnownNonMember(p) || anonymous == 0) {
            throw new IllegalStateException("revealMember(" + p + "): the position cannot be a member");
        }
        anonymous--;
        addMember(p);
    }

    @Override
    public void forEachRevealed(LongConsumer action) {
        for (int i = 0; i < memberCount; i++) {
            action.accept(members[i]);
        }
        for (int i = 0; i < intervalCount; i++) {
            for (long p = low[i]; p <= high[i]; p++) {
                action.accept(p);
            }
        }
    }

    @Override
    public long drawMemberOutside(LongPredicate excluded) {
        if (anonymous == 0) {
            throw new IllegalStateException("drawMemberOutside(): no anonymous member is left");
        }
        // Undecided positions share one membership probability, so the law is uniform over them;
        // rejection leaves out the excluded ones, which the caller keeps few.
        while (true) {
            long candidate = undecidedAt(LazyPointers.uniformBelow(rng, undecided()));
            if (!excluded.test(candidate)) {
                return candidate;
            }
        }
    }

    // ---- known members and non-members ----

    private boolean isKnownMember(long p) {
        return indexOfMember(p) >= 0;
    }

    private int indexOfMember(long p) {
        for (int i = 0; i < memberCount; i++) {
            if (members[i] == p) {
                return i;
            }
        }
        return -1;
    }

    private void addMember(long p) {
        if (memberCount == members.length) {
            members = Arrays.copyOf(members, memberCount * 2);
        }
        members[memberCount++] = p;
    }

    private boolean isKnownNonMember(long p) {
        for (int i = 0; i < intervalCount; i++) {
            if (p < low[i]) {
                return false;
            }
            if (p <= high[i]) {
                return true;
            }
        }
        return false;
    }

    /** Adds {@code [from, to]} (linear, {@code from <= to}) to the known non-members. */
    private void addNonMembers(long from, long to) {
        if (intervalCount == 0) {
            // The common case of a fresh set's first non-member: nothing to merge or shift.
            low[0] = from;
            high[0] = to;
            intervalCount = 1;
            nonMemberCount += to - from + 1;
            return;
        }
        long mergedLow = from;
        long mergedHigh = to;
        int first = 0;
        while (first < intervalCount && high[first] < from - 1) {
            first++;
        }
        int last = first;
        long covered = 0;
        while (last < intervalCount && low[last] <= to + 1) {
            mergedLow = Math.min(mergedLow, low[last]);
            mergedHigh = Math.max(mergedHigh, high[last]);
            covered += high[last] - low[last] + 1;
            last++;
        }
        int removed = last - first;
        int newCount = intervalCount - removed + 1;
        if (newCount > low.length) {
            low = Arrays.copyOf(low, newCount * 2);
            high = Arrays.copyOf(high, newCount * 2);
        }
        System.arraycopy(low, last, low, first + 1, intervalCount - last);
        System.arraycopy(high, last, high, first + 1, intervalCount - last);
        low[first] = mergedLow;
        high[first] = mergedHigh;
        intervalCount = newCount;
        nonMemberCount += (mergedHigh - mergedLow + 1) - covered;
    }

    /** Adds the circular arc of {@code length} positions starting at {@code start}. */
    private void addNonMemberArc(long start, long length) {
        if (length <= 0) {
            return;
        }
        int count = linearPieces(start, length);
        for (int i = 0; i < count; i += 2) {
            addNonMembers(pieces[i], pieces[i + 1]);
        }
    }

    private void removeNonMember(long p) {
        for (int i = 0; i < intervalCount; i++) {
            if (low[i] <= p && p <= high[i]) {
                if (low[i] == high[i]) {
                    System.arraycopy(low, i + 1, low, i, intervalCount - i - 1);
                    System.arraycopy(high, i + 1, high, i, intervalCount - i - 1);
                    intervalCount--;
                } else if (p == low[i]) {
                    low[i]++;
                } else if (p == high[i]) {
                    high[i]--;
                } else {
                    if (intervalCount == low.length) {
                        low = Arrays.copyOf(low, intervalCount * 2);
                        high = Arrays.copyOf(high, intervalCount * 2);
                    }
                    System.arraycopy(low, i + 1, low, i + 2, intervalCount - i - 1);
                    System.arraycopy(high, i + 1, high, i + 2, intervalCount - i - 1);
                    low[i + 1] = p + 1;
                    high[i + 1] = high[i];
                    high[i] = p - 1;
                    intervalCount++;
                }
                nonMemberCount--;
                return;
            }
        }
        throw new IllegalStateException("position " + p + " is not a known non-member");
    }

    /** Returns the undecided position with 0-based index {@code index} in increasing order. */
    private long undecidedAt(long index) {
        long[] sortedMembers = Arrays.copyOf(members, memberCount);
        Arrays.sort(sortedMembers);
        long position = index;
        int m = 0;
        int v = 0;
        while (m < memberCount || v < intervalCount) {
            boolean memberNext = v >= intervalCount || (m < memberCount && sortedMembers[m] < low[v]);
            long blockLow = memberNext ? sortedMembers[m] : low[v];
            long blockHigh = memberNext ? sortedMembers[m] : high[v];
            if (blockLow > position) {
                break;
            }
            position += blockHigh - blockLow + 1;
            if (memberNext) {
                m++;
            } else {
                v++;
            }
        }
        return position;
    }

    // ---- the scan order around centre: rank 0 is centre, then by distance, smaller position first ----

    private long rankOf(long q) {
        long d = Math.abs(q - centre);
        d = Math.min(d, n - d);
        if (d == 0) {
            return 0;
        }
        long down = Math.floorMod(centre - d, n);
        long up = Math.floorMod(centre + d, n);
        if (down == up || q == Math.min(down, up)) {
            return 2 * d - 1;
        }
        return 2 * d;
    }

    private long positionAtRank(long rank) {
        if (rank == 0) {
            return centre;
        }
        long d = (rank + 1) / 2;
        long down = Math.floorMod(centre - d, n);
        long up = Math.floorMod(centre + d, n);
        return (rank & 1) == 1 ? Math.min(down, up) : Math.max(down, up);
    }

    /** Returns the first position of the arc of ranks {@code 0..rank}; its length is {@code rank + 1}. */
    private long arcStart(long rank) {
        if (rank <= 0) {
            return centre;
        }
        long d = (rank + 1) / 2;
        long down = Math.floorMod(centre - d, n);
        long up = Math.floorMod(centre + d, n);
        if ((rank & 1) == 0 || down <= up) {
            return down;
        }
        return Math.floorMod(centre - d + 1, n);
    }

    /** Splits a circular arc into at most two linear intervals stored in {@code pieces}; returns 2 or 4. */
    private int linearPieces(long start, long length) {
        long end = start + length - 1;
        if (end < n) {
            pieces[0] = start;
            pieces[1] = end;
            return 2;
        }
        pieces[0] = start;
        pieces[1] = n - 1;
        pieces[2] = 0;
        pieces[3] = end - n;
        return 4;
    }

    /** Returns the number of undecided positions among ranks {@code 0..rank}. */
    private long undecidedUpTo(long rank) {
        long length = rank + 1;
        int count = linearPieces(arcStart(rank), length);
        long decided = 0;
        for (int i = 0; i < count; i += 2) {
            long from = pieces[i];
            long to = pieces[i + 1];
            for (int m = 0; m < memberCount; m++) {
                if (members[m] >= from && members[m] <= to) {
                    decided++;
                }
            }
            for (int v = 0; v < intervalCount; v++) {
                long overlap = Math.min(to, high[v]) - Math.max(from, low[v]) + 1;
                if (overlap > 0) {
                    decided += overlap;
                }
            }
        }
        return length - decided;
    }

    /** Returns the smallest rank whose arc holds {@code target} undecided positions. */
    private long smallestRankWithUndecided(long target) {
        // The arc of ranks 0..r contains between r + 1 - decided and r + 1 undecided positions, so the
        // answer lies in [target - 1, target - 1 + decided]; the upper end is at most n - 1 because
        // target <= undecided() = n - decided.
        long decided = memberCount + nonMemberCount;
        long lowRank = target - 1;
        long highRank = Math.min(n - 1, target - 1 + decided);
        while (lowRank < highRank) {
            long mid = lowRank + (highRank - lowRank) / 2;
            if (undecidedUpTo(mid) >= target) {
                highRank = mid;
            } else {
                lowRank = mid + 1;
            }
        }
        return lowRank;
    }
}
