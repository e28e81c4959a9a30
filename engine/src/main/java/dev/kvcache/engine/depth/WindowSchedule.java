package dev.kvcache.engine.depth;

import java.util.ArrayList;
import java.util.List;

/**
 * The windowed pointer-doubling schedule with window {@code w = 2^J}: the {@code k} hops are cut
 * into {@code floor(k/w)} windows of {@code w} hops, then one window of {@code 2^b} hops per binary
 * digit {@code b} of the remainder {@code k mod w}, largest first. A window of {@code 2^b} hops costs
 * {@code b} doubling rounds, in which every resident position reads once, and one read by the query,
 * so {@code b + 1} reads. The window {@code w = 1} is hop by hop: {@code k} reads.
 *
 * @param k hops, at least 1
 * @param window the window {@code w}, a power of two
 */
public record WindowSchedule(long k, long window) {

    public WindowSchedule {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        if (window < 1 || Long.bitCount(window) != 1) {
            throw new IllegalArgumentException("the window must be a power of two, got " + window);
        }
    }

    /** Returns the doubling rounds {@code J = log2 w} of a full window. */
    public int rounds() {
        return Long.numberOfTrailingZeros(window);
    }

    /** Returns the windows' lengths in order: the full windows, then the remainder's digits, largest first. */
    public List<Long> lengths() {
        List<Long> lengths = new ArrayList<>();
        long full = k / window;
        for (long i = 0; i < full; i++) {
            lengths.add(window);
        }
        long remainder = k % window;
        for (int b = 62; b >= 0; b--) {
            if (((remainder >>> b) & 1) == 1) {
                lengths.add(1L << b);
            }
        }
        return lengths;
    }

    /** Returns the reads of the whole schedule, {@code floor(k/w)(J+1)} plus {@code b + 1} per remainder digit. */
    public long reads() {
        long reads = (k / window) * (rounds() + 1L);
        long remainder = k % window;
        for (int b = 0; b < 63; b++) {
            if (((remainder >>> b) & 1) == 1) {
                reads += b + 1;
            }
        }
        return reads;
    }

    /** Returns the schedule's depth in layers, a read costing {@code readLayers} layers. */
    public long layers(long readLayers) {
        return Math.multiplyExact(reads(), readLayers);
    }

    /**
     * Returns the candidate windows of a cell: {@code 1, 2, 4, ...} up to the largest power of two at
     * most {@code min(s, 2^floor(log2 k))} (a longer window is the same schedule as
     * {@code 2^floor(log2 k)}), then one control window twice that large, above the cache, when it
     * is still at most {@code 2^floor(log2 k)}.
     */
    public static List<Long> candidates(long k, long s) {
        if (k < 1 || s < 1) {
            throw new IllegalArgumentException("k and s must be at least 1, got k = " + k + ", s = " + s);
        }
        long reach = Long.highestOneBit(k);
        long largest = Long.highestOneBit(Math.min(s, reach));
        List<Long> windows = new ArrayList<>();
        for (long w = 1; w <= largest; w <<= 1) {
            windows.add(w);
        }
        if (largest <= reach / 2) {
            windows.add(largest * 2);
        }
        return windows;
    }
}
