package dev.kvcache.engine.lazy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.cache.ConditionalSet;
import dev.kvcache.engine.cache.StridedSet;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.PointerLaw;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * Tests the membership law that splitting reads from the lazy sets ({@link ConditionalSet}) and
 * the pointer operations it uses. The chi-square tests use fixed seeds at level 1e-6 each, so a
 * correct implementation fails this class with probability below 1e-5.
 */
class ConditionalSetTest {
    private static final double THRESHOLD = 1e-6;

    @Test
    void randomSubsetProbabilitiesFollowWhatWasRevealed() {
        LazyRandomSubset set = new LazyRandomSubset(100, Seeds.generator(3)).reset(10);
        assertEquals(0.1, set.memberProbability(42), 1e-15, "nothing revealed: s/n");
        set.revealMember(42);
        assertEquals(1.0, set.memberProbability(42), 0);
        assertEquals(9.0 / 99, set.memberProbability(7), 1e-15, "(s - 1)/(n - 1) for an undecided position");
        boolean member = set.contains(7);
        assertEquals(member ? 1.0 : 0.0, set.memberProbability(7), 0, "a read decides the position");
        List<Long> revealed = new ArrayList<>();
        set.forEachRevealed(revealed::add);
        assertTrue(revealed.containsAll(List.of(42L, 7L)), revealed.toString());
        assertEquals(2, revealed.size(), revealed.toString());
        double sum = 0;
        for (long p = 0; p < 100; p++) {
            sum += set.memberProbability(p);
        }
        assertEquals(10, sum, 1e-9, "the probabilities of all positions add up to s");
        if (!member) {
            assertThrows(IllegalStateException.class, () -> set.revealMember(7));
        }
    }

    @Test
    void randomSubsetReadsHitAtTheReportedProbability() {
        // After revealing one member, an undecided position is read: it must hit at (s-1)/(n-1).
        UniformRandomProvider rng = Seeds.generator(5);
        LazyRandomSubset set = new LazyRandomSubset(20, rng);
        int draws = 200_000;
        long hits = 0;
        for (int i = 0; i < draws; i++) {
            set.reset(5);
            set.revealMember(3);
            if (set.contains(11)) {
                hits++;
            }
        }
        double expected = 4.0 / 19;
        double z = (hits - draws * expected) / Math.sqrt(draws * expected * (1 - expected));
        assertTrue(Math.abs(z) < 5.3, "z = " + z);
    }

    @Test
    void drawsAreUniformOverTheCandidates() {
        UniformRandomProvider rng = Seeds.generator(9);
        // Random subset of 6 in [0, 12): members 2 and 5 revealed, 0 and 1 excluded, so the
        // candidates are the 8 other positions (all undecided), each equally likely.
        LazyRandomSubset subset = new LazyRandomSubset(12, rng);
        long[] counts = new long[12];
        for (int i = 0; i < 80_000; i++) {
            subset.reset(6);
            subset.revealMember(2);
            subset.revealMember(5);
            counts[(int) subset.drawMemberOutside(p -> p == 0 || p == 1)]++;
        }
        assertUniformOver(counts, Set.of(3L, 4L, 6L, 7L, 8L, 9L, 10L, 11L), "random subset");

        // Window of 6 in [0, 40) with 2 sinks: members 0, 1, 36..39; 37 excluded.
        LazyWindow window = new LazyWindow(40, 6, 2, rng);
        long[] windowCounts = new long[40];
        for (int i = 0; i < 50_000; i++) {
            windowCounts[(int) window.reset().drawMemberOutside(p -> p == 37)]++;
        }
        assertUniformOver(windowCounts, Set.of(0L, 1L, 36L, 38L, 39L), "window");
        assertEquals(1.0, window.memberProbability(38), 0);
        assertEquals(0.0, window.memberProbability(20), 0);
        assertThrows(IllegalStateException.class, () -> window.revealMember(20));

        // Strided: 4 of 40 with stride 10, offset drawn per trial.
        StridedSet strided = new StridedSet(40, 4, rng);
        strided.draw();
        long offset = strided.offset();
        long[] stridedCounts = new long[40];
        for (int i = 0; i < 40_000; i++) {
            stridedCounts[(int) strided.drawMemberOutside(p -> p == offset)]++;
        }
        assertUniformOver(stridedCounts, Set.of(offset + 10, offset + 20, offset + 30), "strided");
        assertEquals(1.0, strided.memberProbability(offset + 30), 0);
        assertThrows(IllegalStateException.class, () -> strided.revealMember(offset + 1));
    }

    @Test
    void pointersCanBeForcedAndPeeked() {
        LazyPointers function = new LazyPointers(10, PointerLaw.FUNCTION, Seeds.generator(1));
        assertEquals(-1, function.drawnImage(4));
        function.force(4, 4);
        assertEquals(4, function.drawnImage(4));
        assertEquals(4, function.follow(4), "a forced pointer is kept");
        assertThrows(IllegalStateException.class, () -> function.force(4, 5));
        assertFalse(function.isUsedImage(4), "a function has no used images");
        assertEquals(0, function.usedImageCount());

        LazyPointers permutation = new LazyPointers(10, PointerLaw.PERMUTATION, Seeds.generator(1));
        permutation.force(2, 7);
        assertTrue(permutation.isUsedImage(7));
        assertEquals(1, permutation.usedImageCount());
        assertThrows(IllegalStateException.class, () -> permutation.force(3, 7), "7 is taken");
        for (int i = 0; i < 50; i++) {
            permutation.reset();
            permutation.force(2, 7);
            assertTrue(permutation.follow(3) != 7, "later draws avoid the forced image");
        }
        List<Long> visited = new ArrayList<>();
        permutation.forEachVisited(visited::add);
        assertTrue(visited.containsAll(List.of(2L, 7L, 3L)), visited.toString());
    }

    private static void assertUniformOver(long[] counts, Set<Long> support, String what) {
        long[] inSupport = new long[support.size()];
        int i = 0;
        for (int p = 0; p < counts.length; p++) {
            if (support.contains((long) p)) {
                inSupport[i++] = counts[p];
            } else {
                assertEquals(0, counts[p], what + ": position " + p + " is not a candidate");
            }
        }
        double pValue = GoodnessOfFit.pValueUniform(inSupport);
        assertTrue(pValue > THRESHOLD, what + ": chi-square p = " + pValue);
    }
}
