package dev.kvcache.engine.lazy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.PointerLaw;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Tests {@link LazyPointers}: values drawn on first use are kept, a reset starts an independent
 * map, a permutation never repeats an image, and the materialised map is uniform over the
 * {@code n^n} functions or {@code n!} permutations. The two chi-square tests use fixed seeds and
 * the p-value threshold {@code 1e-6 / 2}, so a correct map fails this class with probability at
 * most {@code 1e-6}.
 */
class LazyPointersTest {
    private static final double THRESHOLD = 1e-6 / 2;
    private static final int DRAWS = 60_000;

    @Test
    void functionIsUniform() {
        // n = 3: 27 functions, revealed in the order 2, 0, 1.
        LazyPointers pointers = new LazyPointers(3, PointerLaw.FUNCTION, Seeds.generator(31));
        long[] counts = new long[27];
        for (int i = 0; i < DRAWS; i++) {
            pointers.reset();
            long f2 = pointers.follow(2);
            long f0 = pointers.follow(0);
            long f1 = pointers.follow(1);
            counts[(int) (f0 + 3 * f1 + 9 * f2)]++;
        }
        assertPValue(GoodnessOfFit.pValueUniform(counts), "27 functions on 3 positions");
    }

    @Test
    void permutationIsUniform() {
        // n = 4: 24 permutations, revealed in the order 3, 1, 0, 2 and indexed by their images.
        LazyPointers pointers = new LazyPointers(4, PointerLaw.PERMUTATION, Seeds.generator(32));
        long[] counts = new long[256];
        for (int i = 0; i < DRAWS; i++) {
            pointers.reset();
            long f3 = pointers.follow(3);
            long f1 = pointers.follow(1);
            long f0 = pointers.follow(0);
            long f2 = pointers.follow(2);
            assertEquals(4, Set.of(f0, f1, f2, f3).size(), "images of a permutation must be distinct");
            counts[(int) (f0 + 4 * f1 + 16 * f2 + 64 * f3)]++;
        }
        long[] permutations = new long[24];
        int index = 0;
        for (int code = 0; code < 256; code++) {
            int imageMask = 1 << (code & 3) | 1 << (code >> 2 & 3) | 1 << (code >> 4 & 3) | 1 << (code >> 6 & 3);
            if (imageMask == 0b1111) {
                permutations[index++] = counts[code];
            } else {
                assertEquals(0, counts[code], "a map with repeated images, code " + code);
            }
        }
        assertEquals(24, index);
        assertPValue(GoodnessOfFit.pValueUniform(permutations), "24 permutations of 4 positions");
    }

    @Test
    void drawnValuesAreKept() {
        for (PointerLaw law : PointerLaw.values()) {
            LazyPointers pointers = new LazyPointers(1L << 40, law, Seeds.generator(33));
            long first = pointers.follow(12345);
            assertEquals(first, pointers.follow(12345), law + ": a second follow must return the first value");
            long twoHops = pointers.follow(first);
            assertEquals(twoHops, pointers.jump(12345, 2), law.configName());
            assertEquals(12345, pointers.jump(12345, 0), law.configName());
            assertTrue(first >= 0, law + ": image " + first);
            assertTrue(first < 1L << 40, law + ": image " + first);
        }
    }

    @Test
    void resetStartsNewMap() {
        // At n = 2^40 a new map gives the same image with probability 2^-40 per position, so 20
        // positions repeating all their images means the reset was ignored.
        for (PointerLaw law : PointerLaw.values()) {
            LazyPointers pointers = new LazyPointers(1L << 40, law, Seeds.generator(34));
            long[] before = new long[20];
            for (int i = 0; i < before.length; i++) {
                before[i] = pointers.follow(i);
            }
            pointers.reset();
            int same = 0;
            for (int i = 0; i < before.length; i++) {
                same += pointers.follow(i) == before[i] ? 1 : 0;
            }
            assertNotEquals(before.length, same, law.configName());
        }
    }

    @Test
    void permutationNeverRepeatsAnImage() {
        // Many positions in one map (the table grows), and every small map stays a bijection
        // across resets (the used images are cleared).
        LazyPointers huge = new LazyPointers(1L << 40, PointerLaw.PERMUTATION, Seeds.generator(35));
        Set<Long> images = new HashSet<>();
        for (long i = 0; i < 20_000; i++) {
            assertTrue(images.add(huge.follow(i * 7919)), "repeated image at position " + i * 7919);
        }
        LazyPointers small = new LazyPointers(5, PointerLaw.PERMUTATION, Seeds.generator(36));
        for (int trial = 0; trial < 1000; trial++) {
            small.reset();
            Set<Long> seen = new HashSet<>();
            for (long i = 0; i < 5; i++) {
                seen.add(small.follow(i));
            }
            assertEquals(5, seen.size(), "trial " + trial);
        }
    }

    @Test
    void stampedMapStoresAndClears() {
        LazyPointers.StampedLongMap map = new LazyPointers.StampedLongMap();
        for (long key = 0; key < 5000; key++) {
            map.put(key * 1_000_003L, key);
        }
        for (long key = 0; key < 5000; key++) {
            assertEquals(key, map.get(key * 1_000_003L), "key " + key * 1_000_003L);
        }
        assertEquals(-1, map.get(1));
        map.put(0, 42);
        assertEquals(42, map.get(0), "a put of a present key replaces its value");
        map.clear();
        for (long key = 0; key < 5000; key++) {
            assertEquals(-1, map.get(key * 1_000_003L), "key " + key * 1_000_003L + " after clear");
        }
        map.put(7, 8);
        assertEquals(8, map.get(7));
    }

    private static void assertPValue(double pValue, String description) {
        assertTrue(pValue >= THRESHOLD, () -> String.format(Locale.ROOT, "%s: p-value %.3g below %.3g", description, pValue,
            THRESHOLD));
    }
}
