package dev.kvcache.engine.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.cache.CircularOrder;
import dev.kvcache.engine.random.Seeds;
import java.util.Arrays;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * Tests the materialised resident set. The sampling tests use Pearson's chi-square test with
 * every cell expecting at least 5,000 draws and require a p-value of at least {@code 1e-7}, so
 * the class false-alarms with probability below {@code 1e-6}.
 */
class DenseResidentSetTest {
    private static final double THRESHOLD = 1e-7;

    /** Returns the resident of smallest {@link CircularOrder} rank around {@code p}: the definition of nearest. */
    private static long nearestByRank(DenseResidentSet set, int n, int p) {
        long best = -1;
        long bestRank = Long.MAX_VALUE;
        for (int q = 0; q < n; q++) {
            if (set.contains(q) && CircularOrder.rank(n, p, q) < bestRank) {
                bestRank = CircularOrder.rank(n, p, q);
                best = q;
            }
        }
        return best;
    }

    @Test
    void nearestMatchesCircularOrder() {
        // Sizes below and above sqrt(n) exercise both the list scan and the outward scan.
        UniformRandomProvider rng = Seeds.generator(51);
        for (int n : new int[] {2, 7, 64, 1000}) {
            DenseResidentSet set = new DenseResidentSet(n, rng);
            for (int s : new int[] {1, 2, 3, n / 2, n - 1}) {
                if (s < 1 || s >= n) {
                    continue;
                }
                for (int draw = 0; draw < 20; draw++) {
                    set.fillRandom(s);
                    for (int p = 0; p < n; p++) {
                        if (!set.contains(p)) {
                            assertEquals(nearestByRank(set, n, p), set.nearest(p), "n=" + n + " s=" + s + " p=" + p);
                        }
                    }
                }
            }
        }
    }

    @Test
    void nearestRejectsResident() {
        DenseResidentSet set = new DenseResidentSet(8, Seeds.generator(52)).fillWith(2, 5);
        assertThrows(IllegalStateException.class, () -> set.nearest(5));
        assertThrows(IllegalStateException.class, () -> new DenseResidentSet(8, Seeds.generator(52)).fillWith()
            .nearest(1));
    }

    @Test
    void windowHoldsSinksAndRecentPositions() {
        DenseResidentSet set = new DenseResidentSet(10, Seeds.generator(53));
        set.fillWindow(5, 2);
        for (int p = 0; p < 10; p++) {
            assertEquals(p < 2 || p >= 7, set.contains(p), "position " + p);
        }
        set.fillWindow(3, 4);
        for (int p = 0; p < 10; p++) {
            assertEquals(p < 3, set.contains(p), "sinks beyond s, position " + p);
        }
        assertEquals(3, set.size());
        assertEquals(3, set.anonymousCount());
    }

    @Test
    void randomSubsetsAreUniform() {
        // n = 5, s = 2: each of the 10 subsets has probability 1/10.
        DenseResidentSet set = new DenseResidentSet(5, Seeds.generator(54));
        long[] observed = new long[10];
        int draws = 100_000;
        for (int i = 0; i < draws; i++) {
            set.fillRandom(2);
            int low = -1;
            int high = -1;
            for (int p = 0; p < 5; p++) {
                if (set.contains(p)) {
                    if (low < 0) {
                        low = p;
                    } else {
                        high = p;
                    }
                }
            }
            // Index of the pair {low, high} in lexicographic order.
            int index = low * 5 - low * (low + 1) / 2 + (high - low - 1);
            observed[index]++;
        }
        double[] expected = new double[10];
        Arrays.fill(expected, draws / 10.0);
        double pValue = new ChiSquareTest().chiSquareTest(expected, observed);
        assertTrue(pValue >= THRESHOLD, "subset counts " + Arrays.toString(observed) + ", p-value " + pValue);
    }

    @Test
    void knownAndAnonymousResidentsAreTracked() {
        DenseResidentSet set = new DenseResidentSet(10, Seeds.generator(55)).fillWith(1, 4, 6, 9);
        assertEquals(4, set.anonymousCount());
        set.markKnown(4);
        set.markKnown(4);
        assertEquals(3, set.anonymousCount());
        assertThrows(IllegalStateException.class, () -> set.markKnown(5));
        // Probing reveals nothing: only markKnown and admit make a resident known.
        assertTrue(set.contains(6));
        set.uniformMember();
        assertEquals(3, set.anonymousCount());

        assertThrows(IllegalStateException.class, () -> set.evict(6));
        set.evict(4);
        assertFalse(set.contains(4));
        assertEquals(3, set.size());

        set.admit(4);
        assertTrue(set.contains(4));
        assertEquals(3, set.anonymousCount());
        assertThrows(IllegalStateException.class, () -> set.admit(4));

        long evicted = set.evictAnonymous();
        assertTrue(evicted == 1 || evicted == 6 || evicted == 9, "evicted " + evicted);
        assertFalse(set.contains(evicted));
        assertNotEquals(4, evicted);
        assertEquals(3, set.size());
        assertEquals(2, set.anonymousCount());
    }

    @Test
    void evictAnonymousIsUniform() {
        // Residents {0, 1, 2, 3, 4} with 1 and 3 known: the anonymous 0, 2, 4 are equally likely.
        DenseResidentSet set = new DenseResidentSet(8, Seeds.generator(56));
        long[] observed = new long[5];
        int draws = 30_000;
        for (int i = 0; i < draws; i++) {
            set.fillWith(0, 1, 2, 3, 4);
            set.markKnown(3);
            set.markKnown(1);
            observed[(int) set.evictAnonymous()]++;
        }
        assertEquals(0, observed[1]);
        assertEquals(0, observed[3]);
        long[] anonymous = {observed[0], observed[2], observed[4]};
        double[] expected = {draws / 3.0, draws / 3.0, draws / 3.0};
        double pValue = new ChiSquareTest().chiSquareTest(expected, anonymous);
        assertTrue(pValue >= THRESHOLD, "evictions " + Arrays.toString(observed) + ", p-value " + pValue);
    }

    @Test
    void evictAnonymousRejectsEmpty() {
        DenseResidentSet set = new DenseResidentSet(8, Seeds.generator(57)).fillWith(3);
        set.markKnown(3);
        assertThrows(IllegalStateException.class, set::evictAnonymous);
    }

    @Test
    void invalidFillsAreRejected() {
        DenseResidentSet set = new DenseResidentSet(8, Seeds.generator(58));
        assertThrows(IllegalArgumentException.class, () -> set.fillWith(1, 1));
        assertThrows(IllegalArgumentException.class, () -> set.fillWith(8));
        assertThrows(IllegalArgumentException.class, () -> set.fillRandom(9));
        assertThrows(IllegalArgumentException.class, () -> set.contains(-1));
    }
}
