package dev.kvcache.engine.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.PointerLaw;
import java.util.Arrays;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;

/**
 * Tests the materialised pointer map. The sampling tests use Pearson's chi-square test with every
 * cell expecting at least 10,000 draws and require a p-value of at least {@code 1e-7}, so the class
 * false-alarms with probability below {@code 1e-6}.
 */
class DensePointersTest {
    private static final double THRESHOLD = 1e-7;

    @Test
    void longJumpsMatchStepByStep() {
        // Beyond n hops the jump reduces the count modulo the cycle length; compare with a plain loop.
        for (PointerLaw law : PointerLaw.values()) {
            for (int n : new int[] {1, 2, 5, 16, 37}) {
                DensePointers pointers = new DensePointers(n, law, Seeds.generator(61 + n));
                for (int draw = 0; draw < 20; draw++) {
                    pointers.draw();
                    int[] f = pointers.images();
                    for (int start = 0; start < n; start++) {
                        int position = start;
                        for (long hops = 0; hops <= 6L * n + 3; hops++) {
                            assertEquals(position, pointers.jump(start, hops),
                                law + " n=" + n + " start=" + start + " hops=" + hops);
                            position = f[position];
                        }
                    }
                }
            }
        }
    }

    @Test
    void permutationDrawIsPermutation() {
        DensePointers pointers = new DensePointers(100, PointerLaw.PERMUTATION, Seeds.generator(62));
        for (int draw = 0; draw < 50; draw++) {
            pointers.draw();
            int[] sorted = pointers.images().clone();
            Arrays.sort(sorted);
            for (int i = 0; i < 100; i++) {
                assertEquals(i, sorted[i]);
            }
        }
    }

    @Test
    void functionImagesAreUniform() {
        // n = 8 uses bit fields of 64-bit draws, n = 6 bounded draws: both must give every image
        // probability 1/n at every position, checked at the first and the last position.
        for (int n : new int[] {8, 6}) {
            DensePointers pointers = new DensePointers(n, PointerLaw.FUNCTION, Seeds.generator(63));
            long[] first = new long[n];
            long[] last = new long[n];
            int draws = 12_000 * n;
            for (int i = 0; i < draws; i++) {
                pointers.draw();
                first[pointers.images()[0]]++;
                last[pointers.images()[n - 1]]++;
            }
            double[] expected = new double[n];
            Arrays.fill(expected, (double) draws / n);
            ChiSquareTest test = new ChiSquareTest();
            assertTrue(test.chiSquareTest(expected, first) >= THRESHOLD, "n=" + n + " " + Arrays.toString(first));
            assertTrue(test.chiSquareTest(expected, last) >= THRESHOLD, "n=" + n + " " + Arrays.toString(last));
        }
    }

    @Test
    void bitFieldsAreIndependent() {
        // The pair (f(0), f(1)) comes from two fields of one 64-bit draw; its 16 values for n = 4
        // must be equally likely.
        DensePointers pointers = new DensePointers(4, PointerLaw.FUNCTION, Seeds.generator(64));
        long[] pairs = new long[16];
        int draws = 16 * 10_000;
        for (int i = 0; i < draws; i++) {
            pointers.draw();
            pairs[pointers.images()[0] * 4 + pointers.images()[1]]++;
        }
        double[] expected = new double[16];
        Arrays.fill(expected, draws / 16.0);
        assertTrue(new ChiSquareTest().chiSquareTest(expected, pairs) >= THRESHOLD, Arrays.toString(pairs));
    }

    @Test
    void loadRejectsInvalidMaps() {
        DensePointers pointers = new DensePointers(4, PointerLaw.FUNCTION, Seeds.generator(65));
        assertThrows(IllegalArgumentException.class, () -> pointers.load(new int[] {0, 1, 2}));
        assertThrows(IllegalArgumentException.class, () -> pointers.load(new int[] {0, 1, 2, 4}));
        pointers.load(new int[] {3, 3, 0, 1});
        // 0 -> 3 -> 1 -> 3
        assertEquals(3, pointers.jump(0, 3));
    }
}
