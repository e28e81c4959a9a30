package dev.kvcache.engine.lazy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.random.Seeds;
import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * Tests {@link LazyWindow} against an explicit model: the window
 * {@code [0, w0) ∪ [n - w1, n)} with {@code w0 = min(sinks, s)} and {@code w1 = s - w0}, a
 * membership array changed by the same evictions and admissions, and the set of window residents
 * marked known. Nearest answers are checked against a brute-force search by circular distance
 * with ties to the smaller position.
 *
 * <p>The two statistical tests ({@code uniformMember} and {@code evictAnonymous} uniform over
 * their candidates) are chi-square tests with fixed seeds at p-value threshold {@code 1e-6 / 2},
 * so a correct window fails this class with probability at most {@code 1e-6}.
 */
class LazyWindowTest {
    private static final double THRESHOLD = 1e-6 / 2;
    private static final int DRAWS = 60_000;

    /** The window and its changes, kept explicitly. */
    private static final class Model {
        final int n;
        final boolean[] window;
        final boolean[] members;
        final boolean[] known;

        Model(int n, int s, int sinks) {
            this.n = n;
            int w0 = Math.min(sinks, s);
            int w1 = s - w0;
            window = new boolean[n];
            for (int p = 0; p < n; p++) {
                window[p] = p < w0 || p >= n - w1;
            }
            members = window.clone();
            known = new boolean[n];
        }

        int size() {
            return LazyRandomSubsetTest.count(members);
        }

        int anonymous() {
            int count = 0;
            for (int p = 0; p < n; p++) {
                count += window[p] && members[p] && !known[p] ? 1 : 0;
            }
            return count;
        }

        void assertMatches(LazyWindow lazy, String context) {
            assertEquals(size(), lazy.size(), context + ": size");
            assertEquals(anonymous(), lazy.anonymousCount(), context + ": anonymous count");
            for (int p = 0; p < n; p++) {
                assertEquals(members[p], lazy.contains(p), context + ": contains(" + p + ")");
            }
        }
    }

    @Test
    void membershipMatchesDefinition() {
        for (int n = 1; n <= 10; n++) {
            for (int s = 0; s <= n; s++) {
                for (int sinks = 0; sinks <= n + 1; sinks++) {
                    LazyWindow window = new LazyWindow(n, s, sinks, Seeds.generator(1)).reset();
                    Model model = new Model(n, s, sinks);
                    String cell = "n=" + n + " s=" + s + " sinks=" + sinks;
                    assertEquals(n, window.universe(), cell);
                    assertEquals(s, window.size(), cell);
                    assertEquals(s, window.anonymousCount(), cell);
                    model.assertMatches(window, cell);
                }
            }
        }
    }

    @Test
    void nearestMatchesBruteForceWithoutDrawing() {
        for (int n = 2; n <= 10; n++) {
            for (int s = 1; s < n; s++) {
                for (int sinks = 0; sinks <= n + 1; sinks++) {
                    CountingRandom rng = new CountingRandom(Seeds.generator(2));
                    LazyWindow window = new LazyWindow(n, s, sinks, rng).reset();
                    Model model = new Model(n, s, sinks);
                    for (int p = 0; p < n; p++) {
                        if (!model.members[p]) {
                            assertEquals(LazyRandomSubsetTest.nearestByBruteForce(model.members, p), window.nearest(p),
                                "n=" + n + " s=" + s + " sinks=" + sinks + " nearest(" + p + ")");
                        }
                    }
                    assertEquals(0, rng.draws(), "nearest in a window draws nothing");
                }
            }
        }
    }

    @Test
    void updatesMatchModel() {
        for (int n = 2; n <= 10; n++) {
            for (int s = 0; s <= n; s++) {
                for (int sinks : new int[] {0, 1, 2, 4}) {
                    for (int seed = 0; seed < 30; seed++) {
                        runRandomUpdates(n, s, sinks, seed);
                    }
                }
            }
        }
    }

    private static void runRandomUpdates(int n, int s, int sinks, int seed) {
        UniformRandomProvider choices = Seeds.generator(Seeds.mix(seed * 131L + n * 17L + s * 5L + sinks));
        LazyWindow window = new LazyWindow(n, s, sinks, Seeds.generator(seed)).reset();
        Model model = new Model(n, s, sinks);
        StringBuilder log = new StringBuilder("n=" + n + " s=" + s + " sinks=" + sinks + " seed=" + seed + ":");
        for (int step = 0; step < 12; step++) {
            int p = choices.nextInt(n);
            switch (choices.nextInt(6)) {
                case 0 -> {
                    if (model.members[p]) {
                        window.markKnown(p);
                        model.known[p] = model.window[p];
                        log.append(" markKnown(").append(p).append(')');
                    }
                }
                case 1 -> {
                    boolean evictable = model.members[p] && (!model.window[p] || model.known[p]);
                    if (evictable) {
                        window.evict(p);
                        model.members[p] = false;
                        model.known[p] = false;
                        log.append(" evict(").append(p).append(')');
                    } else if (model.members[p]) {
                        assertThrows(IllegalStateException.class, () -> window.evict(p), log + " evict of anonymous " + p);
                    }
                }
                case 2 -> {
                    if (!model.members[p]) {
                        window.admit(p);
                        model.members[p] = true;
                        model.known[p] = model.window[p];
                        log.append(" admit(").append(p).append(')');
                    }
                }
                case 3 -> {
                    if (model.anonymous() > 0) {
                        long q = window.evictAnonymous();
                        log.append(" evictAnonymous()=").append(q);
                        assertTrue(q >= 0, log.toString());
                        assertTrue(q < n, log.toString());
                        assertTrue(model.window[(int) q], log + ": evicted a position outside the window");
                        assertTrue(model.members[(int) q], log + ": evicted a non-resident");
                        assertFalse(model.known[(int) q], log + ": evicted a known resident");
                        model.members[(int) q] = false;
                    }
                }
                case 4 -> {
                    if (model.size() > 0) {
                        long q = window.uniformMember();
                        log.append(" uniformMember()=").append(q);
                        assertTrue(model.members[(int) q], log.toString());
                        model.known[(int) q] = model.window[(int) q];
                    }
                }
                default -> {
                    if (!model.members[p] && model.size() > 0) {
                        long q = window.nearest(p);
                        log.append(" nearest(").append(p).append(")=").append(q);
                        assertEquals(LazyRandomSubsetTest.nearestByBruteForce(model.members, p), q, log.toString());
                    }
                }
            }
            model.assertMatches(window, log.toString());
        }

        window.reset();
        Model fresh = new Model(n, s, sinks);
        fresh.assertMatches(window, log + " then reset()");
    }

    @Test
    void uniformMemberIsUniform() {
        // n = 12, s = 6, sinks = 2: window {0, 1, 8, 9, 10, 11}; evict 1 and admit 5.
        long[] counts = new long[12];
        LazyWindow window = new LazyWindow(12, 6, 2, Seeds.generator(21)).reset();
        window.markKnown(1);
        window.evict(1);
        window.admit(5);
        for (int i = 0; i < DRAWS; i++) {
            counts[(int) window.uniformMember()]++;
        }
        long[] members = {counts[0], counts[5], counts[8], counts[9], counts[10], counts[11]};
        assertEquals(DRAWS, sum(members), "draws outside the members {0, 5, 8, 9, 10, 11}");
        assertPValue(GoodnessOfFit.pValueUniform(members), "uniformMember over 6 residents");
    }

    @Test
    void evictAnonymousIsUniform() {
        // Same window with 0 known: the anonymous residents are {1, 8, 9, 10, 11}.
        long[] counts = new long[12];
        LazyWindow window = new LazyWindow(12, 6, 2, Seeds.generator(22));
        for (int i = 0; i < DRAWS; i++) {
            window.reset();
            window.markKnown(0);
            counts[(int) window.evictAnonymous()]++;
            assertEquals(5, window.size());
            assertEquals(4, window.anonymousCount());
        }
        long[] anonymous = {counts[1], counts[8], counts[9], counts[10], counts[11]};
        assertEquals(DRAWS, sum(anonymous), "evicted a position outside {1, 8, 9, 10, 11}");
        assertPValue(GoodnessOfFit.pValueUniform(anonymous), "evictAnonymous over 5 anonymous residents");
    }

    @Test
    void hugeWindowNearestWrapsAround() {
        // n = 2^40, s = 2^20 + 1, sinks = 4: residents [0, 4) and [n - 2^20 + 3, n).
        long n = 1L << 40;
        long s = (1L << 20) + 1;
        LazyWindow window = new LazyWindow(n, s, 4, Seeds.generator(5)).reset();
        long recentStart = n - (s - 4);
        assertTrue(window.contains(0));
        assertTrue(window.contains(3));
        assertFalse(window.contains(4));
        assertFalse(window.contains(recentStart - 1));
        assertTrue(window.contains(recentStart));
        assertTrue(window.contains(n - 1));

        // Just after the sinks, 3 is at distance 1; just before the recent part, recentStart is.
        assertEquals(3, window.nearest(4));
        assertEquals(recentStart, window.nearest(recentStart - 1));
        // The gap from 3 to recentStart is even, so its middle is equally far from both; 3 is smaller.
        long middle = 3 + (recentStart - 3) / 2;
        assertEquals(middle - 3, recentStart - middle);
        assertEquals(3, window.nearest(middle));
        assertEquals(3, window.nearest(middle - 1));
        assertEquals(recentStart, window.nearest(middle + 1));

        // Evict n - 1: from n - 1, positions 0 and n - 2 are both at distance 1, and 0 is smaller.
        window.markKnown(n - 1);
        window.evict(n - 1);
        assertEquals(0, window.nearest(n - 1));
        // Evict 0 as well: from n - 1, n - 2 is at distance 1 and 1 at distance 2.
        window.markKnown(0);
        window.evict(0);
        assertEquals(n - 2, window.nearest(n - 1));
        assertEquals(1, window.nearest(0));
        assertEquals(s - 2, window.size());
        assertEquals(s - 2, window.anonymousCount());
    }

    @Test
    void sinksOnlyWindowWrapsAround() {
        // sinks >= s: the window is [0, s) and the nearest resident of n - 1 is 0, across the end.
        LazyWindow window = new LazyWindow(100, 5, 8, Seeds.generator(6)).reset();
        assertEquals(0, window.nearest(99));
        assertEquals(4, window.nearest(50));
        // From 52, both 4 and 0 (across the end) are at distance 48, and 0 is smaller.
        assertEquals(0, window.nearest(52));
        // Recent-only window (no sinks): [95, 100); the nearest resident of 0 is 99.
        LazyWindow recent = new LazyWindow(100, 5, 0, Seeds.generator(6)).reset();
        assertEquals(99, recent.nearest(0));
        assertEquals(95, recent.nearest(50));
    }

    @Test
    void invalidCallsRejected() {
        UniformRandomProvider rng = Seeds.generator(7);
        assertThrows(IllegalArgumentException.class, () -> new LazyWindow(10, -1, 4, rng));
        assertThrows(IllegalArgumentException.class, () -> new LazyWindow(10, 11, 4, rng));
        assertThrows(IllegalArgumentException.class, () -> new LazyWindow(10, 5, -1, rng));

        LazyWindow window = new LazyWindow(10, 5, 2, rng).reset();
        assertThrows(IllegalStateException.class, () -> window.nearest(0), "nearest of a resident");
        assertThrows(IllegalStateException.class, () -> window.admit(0), "admit of a resident");
        assertThrows(IllegalStateException.class, () -> window.evict(5), "evict of a non-resident");
        assertThrows(IllegalStateException.class, () -> window.evict(0), "evict of an anonymous resident");
        assertThrows(IllegalStateException.class, () -> window.markKnown(5), "markKnown of a non-resident");

        LazyWindow empty = new LazyWindow(10, 0, 2, rng).reset();
        assertThrows(IllegalStateException.class, () -> empty.nearest(3), "nearest in an empty window");
        assertThrows(IllegalStateException.class, () -> empty.uniformMember(), "uniformMember of an empty window");
        assertThrows(IllegalStateException.class, () -> empty.evictAnonymous(), "evictAnonymous of an empty window");

        LazyWindow allKnown = new LazyWindow(10, 2, 2, rng).reset();
        allKnown.markKnown(0);
        allKnown.markKnown(1);
        assertEquals(0, allKnown.anonymousCount());
        assertThrows(IllegalStateException.class, () -> allKnown.evictAnonymous(), "evictAnonymous with none left");
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long v : values) {
            total += v;
        }
        return total;
    }

    private static void assertPValue(double pValue, String description) {
        assertTrue(pValue >= THRESHOLD, () -> String.format(Locale.ROOT, "%s: p-value %.3g below %.3g", description, pValue,
            THRESHOLD));
    }
}
