package dev.kvcache.engine.dense;

import dev.kvcache.engine.cache.CircularOrder;
import dev.kvcache.engine.cache.ResidentSet;
import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * A materialised resident set over {@code [0, n)}: membership is a stamp array (a position is
 * resident when its stamp equals the current generation, so starting a new set costs nothing for
 * the positions it leaves out), and the residents are kept in a list, known ones first and
 * anonymous ones after them, so every {@link ResidentSet} operation costs O(1) except
 * {@link #nearest}.
 *
 * <p>Unlike a lazy set, queries reveal nothing here, so a resident becomes known only through
 * {@link #markKnown} or {@link #admit}, never through {@link #contains}, {@link #nearest} or
 * {@link #uniformMember}. {@code AdaptiveCache} marks every position it records, so its records
 * are exactly the known residents, and the engine may probe the set (as the full-compression
 * scenario does for every position) without changing which residents eviction treats as
 * anonymous.
 *
 * <p>A new set is either a uniform random {@code s}-subset, drawn by a partial Fisher-Yates
 * shuffle of a permutation kept from draw to draw (O(s) per draw), or the StreamingLLM window.
 */
final class DenseResidentSet implements ResidentSet {
    private final int n;
    private final UniformRandomProvider rng;
    /** {@code stamps[p] == generation} exactly when {@code p} is resident. */
    private final int[] stamps;
    /** {@code slots[p]} is the index of resident {@code p} in {@link #members}. */
    private final int[] slots;
    /** The residents: known ones in {@code [0, knownCount)}, anonymous ones in {@code [knownCount, size)}. */
    private int[] members;
    private int size;
    private int knownCount;
    private int generation;
    /** The permutation partial Fisher-Yates draws take their subsets from; created on first use. */
    private int[] permutation;

    DenseResidentSet(int n, UniformRandomProvider rng) {
        this.n = n;
        this.rng = rng;
        this.stamps = new int[n];
        this.slots = new int[n];
        this.members = new int[16];
    }

    /** Makes this set a uniformly random {@code s}-subset, independent of every earlier one. */
    DenseResidentSet fillRandom(int s) {
        checkSize(s);
        startEmpty(s);
        if (permutation == null) {
            permutation = new int[n];
            for (int i = 0; i < n; i++) {
                permutation[i] = i;
            }
        }
        // After step i, permutation[0..i] is a uniform ordered sample without replacement.
        for (int i = 0; i < s; i++) {
            int j = i + rng.nextInt(n - i);
            int chosen = permutation[j];
            permutation[j] = permutation[i];
            permutation[i] = chosen;
            addAnonymous(chosen);
        }
        return this;
    }

    /**
     * Makes this set the window of the first {@code min(sinks, s)} and the last
     * {@code s - min(sinks, s)} positions.
     */
    DenseResidentSet fillWindow(int s, long sinks) {
        checkSize(s);
        startEmpty(s);
        int first = (int) Math.min(sinks, s);
        for (int p = 0; p < first; p++) {
            addAnonymous(p);
        }
        for (int p = n - (s - first); p < n; p++) {
            addAnonymous(p);
        }
        return this;
    }

    /**
     * Makes this set hold exactly the given positions, all anonymous, for tests.
     *
     * @throws IllegalArgumentException if a position is outside {@code [0, n)} or repeated
     */
    DenseResidentSet fillWith(int... positions) {
        checkSize(positions.length);
        startEmpty(positions.length);
        for (int p : positions) {
            checkPosition(p);
            if (stamps[p] == generation) {
                throw new IllegalArgumentException("position " + p + " is listed twice");
            }
            addAnonymous(p);
        }
        return this;
    }

    /** Returns the resident at {@code index} of the resident list, {@code 0 <= index < size()}. */
    int memberAt(int index) {
        return members[index];
    }

    @Override
    public long universe() {
        return n;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean contains(long p) {
        checkPosition(p);
        return stamps[(int) p] == generation;
    }

    /** Returns whether {@code p} is resident, without the range check of {@link #contains}. */
    boolean isResident(int p) {
        return stamps[p] == generation;
    }

    @Override
    public long nearest(long p) {
        if (contains(p)) {
            throw new IllegalStateException("nearest(" + p + ") asked for a resident position");
        }
        if (size == 0) {
            throw new IllegalStateException("nearest(" + p + ") asked of an empty cache");
        }
        int position = (int) p;
        // Scanning the list costs O(size); scanning outward costs about n / size for a random set.
        if ((long) size * size <= n) {
            return nearestInList(position);
        }
        return nearestByScan(position);
    }

    private int nearestInList(int p) {
        int best = members[0];
        for (int i = 1; i < size; i++) {
            best = (int) CircularOrder.closer(n, p, best, members[i]);
        }
        return best;
    }

    /** Visits positions in {@link CircularOrder} around {@code p} until one is resident. */
    private int nearestByScan(int p) {
        for (int d = 1; ; d++) {
            int down = p - d < 0 ? p - d + n : p - d;
            int up = p + d >= n ? p + d - n : p + d;
            int first = Math.min(down, up);
            if (stamps[first] == generation) {
                return first;
            }
            int second = Math.max(down, up);
            if (stamps[second] == generation) {
                return second;
            }
        }
    }

    @Override
    public long uniformMember() {
        if (size == 0) {
            throw new IllegalStateException("uniformMember() asked of an empty cache");
        }
        return members[rng.nextInt(size)];
    }

    @Override
    public long anonymousCount() {
        return size - knownCount;
    }

    @Override
    public void markKnown(long p) {
        if (!contains(p)) {
            throw new IllegalStateException("markKnown(" + p + "): the position is not resident");
        }
        int slot = slots[(int) p];
        if (slot >= knownCount) {
            swapSlots(slot, knownCount);
            knownCount++;
        }
    }

    @Override
    public void admit(long p) {
        if (contains(p)) {
            throw new IllegalStateException("admit(" + p + "): the position is already resident");
        }
        addAnonymous((int) p);
        swapSlots(size - 1, knownCount);
        knownCount++;
    }

    @Override
    public void evict(long p) {
        if (!contains(p) || slots[(int) p] >= knownCount) {
            throw new IllegalStateException("evict(" + p + "): the position is not a known resident");
        }
        // Move p to the boundary between the known and the anonymous residents, then to the end.
        swapSlots(slots[(int) p], knownCount - 1);
        knownCount--;
        swapSlots(knownCount, size - 1);
        removeLast();
    }

    @Override
    public long evictAnonymous() {
        int anonymous = size - knownCount;
        if (anonymous == 0) {
            throw new IllegalStateException("evictAnonymous(): no anonymous resident left");
        }
        int slot = knownCount + rng.nextInt(anonymous);
        int position = members[slot];
        swapSlots(slot, size - 1);
        removeLast();
        return position;
    }

    // ---- storage ----

    private void startEmpty(int expectedSize) {
        generation++;
        if (generation == Integer.MAX_VALUE) {
            Arrays.fill(stamps, 0);
            generation = 1;
        }
        size = 0;
        knownCount = 0;
        if (members.length < expectedSize + 1) {
            members = new int[expectedSize + 1];
        }
    }

    private void addAnonymous(int p) {
        if (size == members.length) {
            members = Arrays.copyOf(members, Math.min(n, 2 * size));
        }
        stamps[p] = generation;
        slots[p] = size;
        members[size++] = p;
    }

    private void removeLast() {
        int position = members[--size];
        // Generations start at 1, so 0 never marks a resident.
        stamps[position] = 0;
    }

    private void swapSlots(int i, int j) {
        int a = members[i];
        int b = members[j];
        members[i] = b;
        members[j] = a;
        slots[b] = i;
        slots[a] = j;
    }

    private void checkSize(int s) {
        if (s < 0 || s > n) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                "cache size must be in [0, %d], got %d", n, s));
        }
    }

    private void checkPosition(long p) {
        if (p < 0 || p >= n) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                "position must be in [0, %d), got %d", n, p));
        }
    }
}
