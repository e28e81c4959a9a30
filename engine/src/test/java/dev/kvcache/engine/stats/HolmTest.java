package dev.kvcache.engine.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HolmTest {
    @Test
    void handComputedExample() {
        // Dyadic p-values keep every product exact. Sorted: 2^-8, 2^-7, 2^-6, 2^-5 at indices
        // 3, 0, 2, 1. Scaled by m - j + 1 = 4, 3, 2, 1: 2^-6, 3 * 2^-7, 2^-5, 2^-5. The running
        // maximum leaves them as they are.
        double[] pValues = {0.0078125, 0.03125, 0.015625, 0.00390625};
        double[] expected = {0.0234375, 0.03125, 0.03125, 0.015625};
        assertArrayEquals(expected, Holm.adjust(pValues));
        assertArrayEquals(new boolean[] {true, false, false, true}, Holm.reject(pValues, 0.025));
        assertArrayEquals(new boolean[] {true, true, true, true}, Holm.reject(pValues, 0.03125));
    }

    @Test
    void runningMaximumLiftsLaterValues() {
        // Sorted: 2^-6 (scaled by 2: 2^-5), then 2^-6 + 2^-10 (scaled by 1: smaller than 2^-5), so
        // the running maximum lifts the second to 2^-5.
        double[] adjusted = Holm.adjust(new double[] {0.0166015625, 0.015625});
        assertArrayEquals(new double[] {0.03125, 0.03125}, adjusted);
    }

    @Test
    void adjustedValuesAreCappedAtOne() {
        assertArrayEquals(new double[] {1.0, 1.0}, Holm.adjust(new double[] {0.5, 0.75}));
        assertArrayEquals(new double[] {1.0, 1.0, 1.0}, Holm.adjust(new double[] {0.7, 0.9, 1.0}));
        assertArrayEquals(new double[] {0.0, 1.0}, Holm.adjust(new double[] {0.0, 1.0}));
    }

    @Test
    void adjustedValuesAreMonotone() {
        // The seed is fixed, and the properties are deterministic.
        SplittableRandom random = new SplittableRandom(1979L);
        for (int trial = 0; trial < 200; trial++) {
            int m = 1 + random.nextInt(50);
            double[] pValues = new double[m];
            for (int i = 0; i < m; i++) {
                pValues[i] = random.nextInt(4) == 0 ? pValues[random.nextInt(i + 1)] : Math.pow(random.nextDouble(), 4);
            }
            double[] adjusted = Holm.adjust(pValues);
            Integer[] order = new Integer[m];
            for (int i = 0; i < m; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (left, right) -> Double.compare(pValues[left], pValues[right]));
            for (int rank = 0; rank < m; rank++) {
                int index = order[rank];
                assertTrue(adjusted[index] >= pValues[index], "adjusted below raw at " + index);
                assertTrue(adjusted[index] <= 1.0, "adjusted above 1 at " + index);
                // Holm is never more conservative than Bonferroni.
                assertTrue(adjusted[index] <= Math.min(1.0, m * pValues[index]), "above Bonferroni at " + index);
                if (rank > 0) {
                    assertTrue(adjusted[index] >= adjusted[order[rank - 1]], "not monotone at rank " + rank);
                }
            }
        }
    }

    @Test
    void adjustmentFollowsTheInputOrder() {
        double[] pValues = {0.25, 0.001, 0.04, 0.5, 0.0125};
        double[] adjusted = Holm.adjust(pValues);
        int[] permutation = {3, 0, 4, 1, 2};
        double[] permuted = new double[pValues.length];
        for (int i = 0; i < permutation.length; i++) {
            permuted[i] = pValues[permutation[i]];
        }
        double[] adjustedPermuted = Holm.adjust(permuted);
        for (int i = 0; i < permutation.length; i++) {
            assertEquals(adjusted[permutation[i]], adjustedPermuted[i], "position " + i);
        }
        assertArrayEquals(new double[] {0.25, 0.001, 0.04, 0.5, 0.0125}, pValues, "input must not change");
    }

    @Test
    void tiedPValuesGetTheSameAdjustment() {
        double[] adjusted = Holm.adjust(new double[] {0.01, 0.01, 0.01});
        assertEquals(adjusted[0], adjusted[1]);
        assertEquals(adjusted[1], adjusted[2]);
        // Closed form: the first of the ties is scaled by m = 3 and the running maximum keeps it.
        assertEquals(3 * 0.01, adjusted[0]);
    }

    @Test
    void emptyInputGivesEmptyOutput() {
        assertEquals(0, Holm.adjust(new double[0]).length);
        assertEquals(0, Holm.reject(new double[0], 0.05).length);
    }

    @Test
    void invalidInputIsRejectedWithMessage() {
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
            () -> Holm.adjust(new double[] {0.1, Double.NaN}));
        assertEquals("Invalid pValues[1]: NaN, the value must be in [0, 1]", nan.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
            () -> Holm.adjust(new double[] {-0.5}));
        assertEquals("Invalid pValues[0]: -0.5, the value must be in [0, 1]", negative.getMessage());
        IllegalArgumentException aboveOne = assertThrows(IllegalArgumentException.class,
            () -> Holm.reject(new double[] {0.2, 1.5}, 0.05));
        assertEquals("Invalid pValues[1]: 1.5, the value must be in [0, 1]", aboveOne.getMessage());
        IllegalArgumentException alpha = assertThrows(IllegalArgumentException.class,
            () -> Holm.reject(new double[] {0.2}, Double.NaN));
        assertEquals("Invalid alpha: NaN, the value must be in (0, 1)", alpha.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Holm.reject(new double[] {0.2}, 0.0));
        assertThrows(IllegalArgumentException.class, () -> Holm.reject(new double[] {0.2}, 1.0));
        NullPointerException missing = assertThrows(NullPointerException.class, () -> Holm.adjust(null));
        assertEquals("pValues", missing.getMessage());
    }
}
