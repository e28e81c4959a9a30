package dev.kvcache.engine.dense;

import dev.kvcache.engine.depth.WindowSchedule;
import dev.kvcache.engine.task.PointerLaw;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Runs the schedules of the depth experiment on materialised pointer maps: windowed pointer
 * doubling with window {@code w} under a cache of {@code s} positions ({@code w = 1} is hop by hop),
 * and checks each answer against {@code f^k(x0)} found by following the pointers directly.
 *
 * <p>A window of {@code L = 2^b} hops from a known position {@code c} (see {@link WindowSchedule}):
 * <ol>
 *   <li>The cache holds the window: the distinct positions of {@code c, f(c), ..., f^(L-1)(c)} in
 *       chain order, at most {@code s} of them. When the segment has more than {@code s} distinct
 *       positions, the later ones are not resident.</li>
 *   <li>Each resident {@code u} starts with its own pointer {@code v(u) = f(u)}, which needs no read.</li>
 *   <li>{@code b} doubling rounds: every resident {@code u} reads position {@code v(u)} at once and
 *       takes its value, {@code v'(u) = v(v(u))}. A read of a position that is not resident attends
 *       to the nearest resident in circular distance (ties to the smaller position) and takes that
 *       value instead, which is wrong. One round is one read's worth of layers.</li>
 *   <li>The query reads {@code c}, which is resident, and continues from {@code v(c)}.</li>
 * </ol>
 * After {@code b} rounds {@code v(c) = f^L(c)} whenever the segment is wholly resident: the value of
 * {@code c} depends only on positions {@code f^i(c)} with {@code i < L}. So every window {@code w <= s}
 * answers correctly, and a window above the cache succeeds only when the chain revisits positions
 * enough for its segment to fit, or by chance.
 *
 * <p>An instance owns one random stream and is not thread-safe. Memory: three {@code int} arrays of
 * {@code n} entries.
 */
public final class WindowedDoubling {
    private final int n;
    private final long k;
    private final int capacity;
    private final long[] windows;
    private final UniformRandomProvider rng;
    private final DensePointers pointers;

    /** The generation at which each position was made resident; a position is resident when it equals {@link #generation}. */
    private final int[] residentStamp;
    /** The resident's slot in {@link #positions} and {@link #values}, valid while it is resident. */
    private final int[] slot;
    private int generation;
    private final int[] positions;
    private int[] values;
    private int[] nextValues;
    private int residents;
    private long readsOfLastRun;

    /**
     * Creates a simulator of the given windows.
     *
     * @throws IllegalArgumentException if {@code n} exceeds {@link DenseEngine#MAX_POSITIONS}, {@code s}
     *     is outside {@code [1, n]}, {@code k < 1}, or a window is not a power of two
     */
    public WindowedDoubling(long n, long k, long s, PointerLaw law, List<Long> windows, UniformRandomProvider rng) {
        Objects.requireNonNull(law, "law");
        Objects.requireNonNull(rng, "rng");
        if (n < 2 || n > DenseEngine.MAX_POSITIONS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                "n must be in [2, 2^26] for the dense engine, got %d", n));
        }
        if (s < 1 || s > n) {
            throw new IllegalArgumentException("s must be in [1, n], got " + s);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        this.n = (int) n;
        this.k = k;
        this.capacity = (int) s;
        this.windows = new long[windows.size()];
        long longest = 1;
        for (int i = 0; i < this.windows.length; i++) {
            this.windows[i] = new WindowSchedule(k, windows.get(i)).window();
            longest = Math.max(longest, this.windows[i]);
        }
        this.rng = rng;
        this.pointers = new DensePointers(this.n, law, rng);
        this.residentStamp = new int[this.n];
        this.slot = new int[this.n];
        int slots = (int) Math.min(capacity, Math.min(longest, n));
        this.positions = new int[slots];
        this.values = new int[slots];
        this.nextValues = new int[slots];
    }

    /**
     * Runs {@code trials} trials, each on a new pointer map and a uniform start, and adds, per window
     * in the constructor's order, the trials whose answer was {@code f^k(x0)} to {@code successes}
     * and the reads the schedule made to {@code reads}.
     */
    public void run(long trials, long[] successes, long[] reads) {
        if (successes.length != windows.length || reads.length != windows.length) {
            throw new IllegalArgumentException("expected arrays of " + windows.length + " windows, got "
                + successes.length + " and " + reads.length);
        }
        for (long trial = 0; trial < trials; trial++) {
            pointers.draw();
            int start = rng.nextInt(n);
            int truth = pointers.jump(start, k);
            for (int i = 0; i < windows.length; i++) {
                int answer = play(start, windows[i]);
                reads[i] += readsOfLastRun;
                if (answer == truth) {
                    successes[i]++;
                }
            }
        }
    }

    /** Runs the schedule of {@code window} on a given map and start and returns its answer, for tests. */
    int answerOn(int[] f, int start, long window) {
        pointers.load(f);
        return play(start, window);
    }

    /** Returns the reads of the last schedule played. */
    long lastReads() {
        return readsOfLastRun;
    }

    /** Plays the windows of {@link WindowSchedule#lengths()} in order, without building that list per trial. */
    private int play(int start, long window) {
        readsOfLastRun = 0;
        int position = start;
        for (long full = k / window; full > 0; full--) {
            position = playWindow(position, window);
        }
        long remainder = k % window;
        for (int b = 62; b >= 0; b--) {
            if (((remainder >>> b) & 1) == 1) {
                position = playWindow(position, 1L << b);
            }
        }
        return position;
    }

    /** Plays one window of {@code length} hops from {@code start} and returns where the query goes on. */
    private int playWindow(int start, long length) {
        int[] f = pointers.images();
        admitSegment(f, start, length);
        for (int i = 0; i < residents; i++) {
            values[i] = f[positions[i]];
        }
        int rounds = Long.numberOfTrailingZeros(length);
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < residents; i++) {
                nextValues[i] = values[attend(values[i])];
            }
            int[] swap = values;
            values = nextValues;
            nextValues = swap;
            readsOfLastRun++;
        }
        // The query reads its own position, the window's first resident.
        readsOfLastRun++;
        return values[attend(start)];
    }

    /** Makes the first {@code s} distinct positions of the window's segment resident, in chain order. */
    private void admitSegment(int[] f, int start, long length) {
        generation++;
        if (generation == Integer.MAX_VALUE) {
            java.util.Arrays.fill(residentStamp, 0);
            generation = 1;
        }
        residents = 0;
        int position = start;
        for (long i = 0; i < length && residents < capacity; i++) {
            if (residentStamp[position] != generation) {
                residentStamp[position] = generation;
                slot[position] = residents;
                positions[residents++] = position;
            }
            position = f[position];
        }
    }

    /** Returns the slot of the resident a read of {@code target} attends to: itself, or the nearest resident. */
    private int attend(int target) {
        if (residentStamp[target] == generation) {
            return slot[target];
        }
        int best = 0;
        int bestDistance = Integer.MAX_VALUE;
        for (int i = 0; i < residents; i++) {
            int d = Math.abs(positions[i] - target);
            d = Math.min(d, n - d);
            if (d < bestDistance || (d == bestDistance && positions[i] < positions[best])) {
                best = i;
                bestDistance = d;
            }
        }
        return best;
    }
}
