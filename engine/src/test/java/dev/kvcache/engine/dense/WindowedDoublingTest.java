package dev.kvcache.engine.dense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.depth.WindowSchedule;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.PointerLaw;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

class WindowedDoublingTest {

    /** {@code f^k(x)} by following the pointers one at a time: the independent reference. */
    private static int iterate(int[] f, int x, long k) {
        int position = x;
        for (long i = 0; i < k; i++) {
            position = f[position];
        }
        return position;
    }

    private static int[] randomMap(UniformRandomProvider rng, int n, boolean permutation) {
        int[] f = new int[n];
        for (int i = 0; i < n; i++) {
            f[i] = permutation ? i : rng.nextInt(n);
        }
        if (permutation) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int swap = f[i];
                f[i] = f[j];
                f[j] = swap;
            }
        }
        return f;
    }

    @Test
    void windowsWithinTheCacheMatchDirectIteration() {
        UniformRandomProvider rng = Seeds.generator(7);
        for (int n : new int[] {5, 16, 37, 64}) {
            for (long s : new long[] {2, 4, 5, 16}) {
                if (s > n) {
                    continue;
                }
                for (long k = 1; k <= 40; k++) {
                    List<Long> windows = WindowSchedule.candidates(k, s).stream().filter(w -> w <= s).toList();
                    WindowedDoubling engine = new WindowedDoubling(n, k, s, PointerLaw.FUNCTION, windows, rng);
                    for (int instance = 0; instance < 5; instance++) {
                        int[] f = randomMap(rng, n, instance % 2 == 1);
                        int start = rng.nextInt(n);
                        for (long w : windows) {
                            int answer = engine.answerOn(f, start, w);
                            String where = "n=" + n + " s=" + s + " k=" + k + " w=" + w;
                            assertEquals(iterate(f, start, k), answer, where);
                            assertEquals(new WindowSchedule(k, w).reads(), engine.lastReads(), where);
                        }
                    }
                }
            }
        }
    }

    /**
     * Every map on 4 positions, every start: a window above the cache still answers correctly when
     * each of its segments has at most s distinct positions, as the construction states.
     */
    @Test
    void everyMapOnFourPositions() {
        int n = 4;
        long s = 2;
        int checkedAboveCache = 0;
        for (long k = 1; k <= 9; k++) {
            List<Long> windows = WindowSchedule.candidates(k, s);
            WindowedDoubling engine = new WindowedDoubling(n, k, s, PointerLaw.FUNCTION, windows, Seeds.generator(1));
            for (int code = 0; code < 256; code++) {
                int[] f = {code & 3, (code >> 2) & 3, (code >> 4) & 3, (code >> 6) & 3};
                for (int start = 0; start < n; start++) {
                    for (long w : windows) {
                        if (w > s && !segmentsFit(f, start, k, w, s)) {
                            continue;
                        }
                        checkedAboveCache += w > s ? 1 : 0;
                        assertEquals(iterate(f, start, k), engine.answerOn(f, start, w),
                            "f=" + java.util.Arrays.toString(f) + " x0=" + start + " k=" + k + " w=" + w);
                    }
                }
            }
        }
        assertTrue(checkedAboveCache > 100, "windows above the cache checked: " + checkedAboveCache);
    }

    private static boolean segmentsFit(int[] f, int start, long k, long w, long s) {
        int position = start;
        for (long length : new WindowSchedule(k, w).lengths()) {
            java.util.Set<Integer> distinct = new java.util.HashSet<>();
            for (long i = 0; i < length; i++) {
                distinct.add(position);
                position = f[position];
            }
            if (distinct.size() > s) {
                return false;
            }
        }
        return true;
    }

    @Test
    void windowAboveTheCacheReadsTheWrongResident() {
        // f(i) = i + 1 mod 8, x0 = 0, k = 4, s = 2, w = 4: residents {0, 1} with values 1, 2. Round 1:
        // 0 reads 1 and gets 2; 1 reads 2, which is not resident, attends to 1 (distance 1) and gets 2.
        // Round 2: 0 reads 2, attends to 1 again and gets 2. The query returns 2 instead of 4.
        int[] f = {1, 2, 3, 4, 5, 6, 7, 0};
        WindowedDoubling engine = new WindowedDoubling(8, 4, 2, PointerLaw.FUNCTION, List.of(4L), Seeds.generator(1));
        assertEquals(2, engine.answerOn(f, 0, 4));
        assertEquals(3, engine.lastReads());
    }

    @Test
    void countsPerWindow() {
        // n = 2^12, k = 8, s = 4: windows 1, 2, 4 fit and always succeed. The control window 8 needs a
        // segment of 8 hops with at most 4 distinct positions (probability about (8^2/2n)^4 < 1e-10)
        // or a lucky wrong answer (about 1/n per trial), so 2000 trials see at most a handful:
        // 20 or more successes would have probability far below 1e-9.
        List<Long> windows = WindowSchedule.candidates(8, 4);
        assertEquals(List.of(1L, 2L, 4L, 8L), windows);
        long[] successes = new long[4];
        long[] reads = new long[4];
        new WindowedDoubling(1 << 12, 8, 4, PointerLaw.FUNCTION, windows, Seeds.generator(11))
            .run(2000, successes, reads);
        assertEquals(2000, successes[0]);
        assertEquals(2000, successes[1]);
        assertEquals(2000, successes[2]);
        assertTrue(successes[3] < 20, "control window successes: " + successes[3]);
        assertArrayEquals(new long[] {8 * 2000, 8 * 2000, 6 * 2000, 4 * 2000}, reads);
    }

    @Test
    void sameSeedSameCounts() {
        List<Long> windows = WindowSchedule.candidates(64, 4);
        long[] first = new long[windows.size()];
        long[] second = new long[windows.size()];
        new WindowedDoubling(64, 64, 4, PointerLaw.PERMUTATION, windows, Seeds.generator(3))
            .run(500, first, new long[windows.size()]);
        new WindowedDoubling(64, 64, 4, PointerLaw.PERMUTATION, windows, Seeds.generator(3))
            .run(500, second, new long[windows.size()]);
        assertArrayEquals(first, second);
    }
}
