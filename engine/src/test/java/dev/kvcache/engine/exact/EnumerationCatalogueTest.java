package dev.kvcache.engine.exact;

import static dev.kvcache.engine.exact.Enumeration.DEFAULT_SINKS;
import static dev.kvcache.engine.exact.Enumeration.FOLLOW;
import static dev.kvcache.engine.exact.Enumeration.HEAVY_HITTER;
import static dev.kvcache.engine.exact.Enumeration.INITIAL_RANDOM;
import static dev.kvcache.engine.exact.Enumeration.INITIAL_WINDOW;
import static dev.kvcache.engine.exact.Enumeration.QUERY_AWARE;
import static dev.kvcache.engine.exact.Enumeration.RANDOM_FIXED;
import static dev.kvcache.engine.exact.Enumeration.STRIDED;
import static dev.kvcache.engine.exact.Enumeration.TOVA;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.exact.Enumeration.Result;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import dev.kvcache.engine.task.Stages;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.fraction.BigFraction;
import org.junit.jupiter.api.Test;

/**
 * Exact values of the controllers {@code strided}, {@code heavy-hitter}, {@code tova} and
 * {@code query-aware}, checked against closed forms, against the older controllers and against
 * hand-made traces.
 */
class EnumerationCatalogueTest {
    private static final long[] GRID_KS = {2, 3, 4, 5, 8};
    private static final BigFraction HALF = new BigFraction(1, 2);

    /** One enumerated cell of the grid. */
    private record Cell(String controller, String initial, MissRule rule, PointerLaw law, int n, int s, long k,
            int sinks, Result result) {
        @Override
        public String toString() {
            return controller + "/" + initial + " " + rule.configName() + " " + law.configName()
                    + " n=" + n + " s=" + s + " k=" + k + " sinks=" + sinks;
        }
    }

    /**
     * The grid n = 2..6, s = 1..n, k in {2, 3, 4, 5, 8}, both laws, both miss rules, every new
     * controller with both initial rules, and follow for comparison, enumerated once for all tests
     * of this class.
     */
    private static final class Grid {
        static final List<Cell> CELLS = build();

        private static List<Cell> build() {
            List<Cell> cells = new ArrayList<>();
            for (int n = 2; n <= 6; n++) {
                for (int s = 1; s <= n; s++) {
                    for (long k : GRID_KS) {
                        for (PointerLaw law : PointerLaw.values()) {
                            for (MissRule rule : MissRule.values()) {
                                add(cells, STRIDED, INITIAL_RANDOM, rule, law, n, s, k, DEFAULT_SINKS);
                                add(cells, QUERY_AWARE, INITIAL_RANDOM, rule, law, n, s, k, DEFAULT_SINKS);
                                for (String controller : List.of(FOLLOW, HEAVY_HITTER, TOVA)) {
                                    add(cells, controller, INITIAL_RANDOM, rule, law, n, s, k, DEFAULT_SINKS);
                                    add(cells, controller, INITIAL_WINDOW, rule, law, n, s, k, DEFAULT_SINKS);
                                }
                            }
                            // One sink and s - 1 recent positions: an initial window in two pieces.
                            for (String controller : List.of(FOLLOW, HEAVY_HITTER, TOVA)) {
                                add(cells, controller, INITIAL_WINDOW, MissRule.NEAREST, law, n, s, k, 1);
                            }
                        }
                    }
                }
            }
            return cells;
        }

        private static void add(List<Cell> cells, String controller, String initial, MissRule rule, PointerLaw law,
                int n, int s, long k, int sinks) {
            Result result = Enumeration.enumerate(controller, initial, rule, law, n, s, k, sinks);
            cells.add(new Cell(controller, initial, rule, law, n, s, k, sinks, result));
        }

        static List<Cell> of(String controller) {
            return CELLS.stream().filter(cell -> cell.controller().equals(controller)).toList();
        }

        /** Returns the follow cell with the same settings as {@code cell}. */
        static Result followTwin(Cell cell) {
            return CELLS.stream()
                    .filter(other -> other.controller().equals(FOLLOW)
                            && other.initial().equals(cell.initial())
                            && other.rule() == cell.rule()
                            && other.law() == cell.law()
                            && other.n() == cell.n()
                            && other.s() == cell.s()
                            && other.k() == cell.k()
                            && other.sinks() == cell.sinks())
                    .findFirst()
                    .orElseThrow()
                    .result();
        }
    }

    @Test
    void heavyHitterAndTovaEventIsCacheFraction() {
        // Closed form for every adaptive rule: P(E) = s/n.
        for (String controller : List.of(HEAVY_HITTER, TOVA)) {
            for (Cell cell : Grid.of(controller)) {
                assertEquals(new BigFraction(cell.s(), cell.n()), cell.result().event(), cell.toString());
            }
        }
    }

    @Test
    void adaptiveRulesGiveFollowResult() {
        // P(correct) cannot differ between follow, heavy-hitter and tova. After stage t < T each
        // of them makes v = c_t resident: a resident v stays, because eviction happens only when v
        // is not resident, and otherwise v is admitted and never the evicted one. The read of
        // stage t + 1 is c_t, so every read after the first hits and c_T = f^k(a) for the
        // position a attended at stage 1. That position depends only on C_1, the miss rule and the
        // uniform miss choice, which the three rules share. So the whole result (event, correct,
        // first miss) is the same, and the enumeration must find equal fractions.
        for (String controller : List.of(HEAVY_HITTER, TOVA)) {
            for (Cell cell : Grid.of(controller)) {
                assertEquals(Grid.followTwin(cell), cell.result(), cell.toString());
            }
        }
    }

    @Test
    void stridedEventMatchesFixedSet() {
        // Closed form for one fixed set of s positions, whatever the set: only the orbit shape matters.
        for (Cell cell : Grid.of(STRIDED)) {
            assertEquals(ExactValues.fixedSetExact(cell.law(), cell.n(), cell.s(), cell.k()), cell.result().event(),
                    cell.toString());
        }
    }

    @Test
    void stridedWithOneSlotIsRandomFixed() {
        // With s = 1 the stride is n and the set {o} has o uniform on [0, n): the law of a uniform
        // 1-subset. So the whole result, correct answers and first misses included, equals random-fixed.
        for (Cell cell : Grid.of(STRIDED)) {
            if (cell.s() == 1) {
                Result randomFixed = Enumeration.enumerate(
                        RANDOM_FIXED, INITIAL_RANDOM, cell.rule(), cell.law(), cell.n(), 1, cell.k(), DEFAULT_SINKS);
                assertEquals(randomFixed, cell.result(), cell.toString());
            }
        }
    }

    @Test
    void queryAwareAlwaysHitsAndIsCorrect() {
        // The cache of every stage contains the read position, so no read misses and c_T = f^k(x0).
        for (Cell cell : Grid.of(QUERY_AWARE)) {
            BigFraction[] expected = new BigFraction[Stages.count(cell.k()) + 1];
            Arrays.fill(expected, BigFraction.ZERO);
            expected[0] = BigFraction.ONE;
            assertEquals(BigFraction.ONE, cell.result().event(), cell.toString());
            assertEquals(BigFraction.ONE, cell.result().correct(), cell.toString());
            assertArrayEquals(expected, cell.result().firstMiss(), cell.toString());
        }
    }

    @Test
    void firstMissDistributionIsConsistent() {
        for (Cell cell : Grid.CELLS) {
            BigFraction[] firstMiss = cell.result().firstMiss();
            assertEquals(Stages.count(cell.k()) + 1, firstMiss.length, cell.toString());
            assertEquals(cell.result().event(), firstMiss[0], cell.toString());
            BigFraction total = BigFraction.ZERO;
            for (BigFraction probability : firstMiss) {
                total = total.add(probability);
            }
            assertEquals(BigFraction.ONE, total, cell.toString());
        }
    }

    @Test
    void correctIsAtLeastEvent() {
        // All reads hitting makes c_T = f^k(x0), so E implies a correct answer.
        for (Cell cell : Grid.CELLS) {
            assertTrue(cell.result().correct().compareTo(cell.result().event()) >= 0, cell.toString());
            assertTrue(cell.result().correct().compareTo(BigFraction.ONE) <= 0, cell.toString());
        }
    }

    @Test
    void fullCacheAlwaysCorrect() {
        for (Cell cell : Grid.CELLS) {
            if (cell.s() == cell.n()) {
                assertEquals(BigFraction.ONE, cell.result().event(), cell.toString());
                assertEquals(BigFraction.ONE, cell.result().correct(), cell.toString());
            }
        }
    }

    @Test
    void everyMapAgreesWithRevealing() {
        // The literal loop over all n^n maps (or n! permutations) and the walk that reveals
        // pointer values on demand must give identical fractions for every output.
        for (int n = 2; n <= 4; n++) {
            for (int s = 1; s <= n; s++) {
                for (long k : new long[] {2, 3, 5, 8, 16}) {
                    assertSameByBothMethods(n, s, k, DEFAULT_SINKS);
                }
            }
        }
        assertSameByBothMethods(4, 3, 4, 1);
        assertSameByBothMethods(5, 2, 5, DEFAULT_SINKS);
        assertSameByBothMethods(5, 3, 8, 2);
    }

    private static void assertSameByBothMethods(int n, int s, long k, int sinks) {
        for (PointerLaw law : PointerLaw.values()) {
            for (MissRule rule : MissRule.values()) {
                for (String[] controller : new String[][] {
                        {STRIDED, INITIAL_RANDOM}, {QUERY_AWARE, INITIAL_RANDOM},
                        {HEAVY_HITTER, INITIAL_RANDOM}, {HEAVY_HITTER, INITIAL_WINDOW},
                        {TOVA, INITIAL_RANDOM}, {TOVA, INITIAL_WINDOW}}) {
                    String cell = controller[0] + "/" + controller[1] + " " + rule + " " + law
                            + " n=" + n + " s=" + s + " k=" + k + " sinks=" + sinks;
                    Result revealing = Enumeration.enumerate(controller[0], controller[1], rule, law, n, s, k, sinks);
                    Result everyMap = Enumeration.enumerateEveryMap(
                            controller[0], controller[1], rule, law, n, s, k, sinks);
                    assertEquals(everyMap, revealing, cell);
                }
            }
        }
    }

    @Test
    void heavyHitterAndTovaTwoPositionsByHand() {
        // n = 2, s = 1, k = 4: T = 2, h = (1, 3). C_1 = {y}, y uniform. x0 = y (1/2) hits.
        // Otherwise a = y = 1 - x0 and v = f(a). With one slot both rules evict the only resident
        // when v is not resident, so C_2 = {v}, stage 2 hits and returns f^3(v) = f^4(a). That is
        // correct when f^4(0) = f^4(1): for the two constant functions out of four, never for a
        // permutation. P(correct) = 1/2 + 1/2 * 1/2 = 3/4 for a function, 1/2 for a permutation.
        for (String controller : List.of(HEAVY_HITTER, TOVA)) {
            for (MissRule rule : MissRule.values()) {
                Result function =
                        Enumeration.enumerate(controller, INITIAL_RANDOM, rule, PointerLaw.FUNCTION, 2, 1, 4, 4);
                assertEquals(HALF, function.event(), controller);
                assertEquals(new BigFraction(3, 4), function.correct(), controller);
                assertArrayEquals(new BigFraction[] {HALF, HALF, BigFraction.ZERO}, function.firstMiss(), controller);
                Result permutation =
                        Enumeration.enumerate(controller, INITIAL_RANDOM, rule, PointerLaw.PERMUTATION, 2, 1, 4, 4);
                assertEquals(HALF, permutation.correct(), controller);
            }
        }
    }

    @Test
    void heavyHitterAndTovaThreePositionsByHand() {
        // n = 3, s = 2, k = 5: T = 3, h = (1, 2, 2), initial window {0, 1}. Evictions happen after
        // stages 1 and 2, and heavy-hitter meets ties there: for x0 = 0 and f(0) = 1 both residents
        // have A = 1 and D = 0 after stage 2, and evictionOrderShapesLastCache shows the effect on
        // the cache. Still c_T = f^5(a) for the position a attended at stage 1 (see
        // adaptiveRulesGiveFollowResult), so the eviction order cannot change P(correct).
        // x0 = 0 or 1 hits (2/3). x0 = 2 is at distance 1 from both residents, and the nearest
        // rule picks 0 (the uniform rule picks 0 or 1, with the same result by symmetry). Correct when
        // f^5(0) = f^5(2). Of the 27 functions on {0, 1, 2}: the 9 with a single fixed point that
        // every point reaches make f^5 constant; of the 6 with a 2-cycle {x, y} and the third
        // point c -> x, f^5(c) = f^4(x) = x = f^5(y), so only c and y agree, which is {0, 2} for 2
        // of them; of the 6 with two fixed points p, q and c -> p, only c and p agree, {0, 2} for
        // 2 of them; the 6 permutations never agree. So 13/27 and
        // P(correct) = 2/3 + 1/3 * 13/27 = 67/81. Under a permutation f^5 is injective: 2/3.
        for (String controller : List.of(FOLLOW, HEAVY_HITTER, TOVA)) {
            for (MissRule rule : MissRule.values()) {
                Result function =
                        Enumeration.enumerate(controller, INITIAL_WINDOW, rule, PointerLaw.FUNCTION, 3, 2, 5, 4);
                assertEquals(new BigFraction(2, 3), function.event(), controller);
                assertEquals(new BigFraction(67, 81), function.correct(), controller + " " + rule);
                Result permutation =
                        Enumeration.enumerate(controller, INITIAL_WINDOW, rule, PointerLaw.PERMUTATION, 3, 2, 5, 4);
                assertEquals(new BigFraction(2, 3), permutation.correct(), controller + " " + rule);
            }
        }
    }

    /** Runs one controller on one map and start, with the window {0, .., s-1} as C_1. */
    private static TrialTree.OneInput trace(TrialTree.Kind kind, int[] map, int x0, int s, long k) {
        TrialTree tree = new TrialTree(kind, true, MissRule.NEAREST, PointerLaw.FUNCTION, map.length, s, k, s);
        return tree.runOneInput(map, x0);
    }

    private static int mask(int... positions) {
        int mask = 0;
        for (int position : positions) {
            mask |= 1 << position;
        }
        return mask;
    }

    @Test
    void evictionOrderShapesLastCache() {
        // f = 0 -> 1 -> 3 -> 4 -> 2 -> 0 on n = 5, x0 = 0, k = 5: T = 3, h = (1, 2, 2). Stage 1
        // reads 0 (resident) and names v = f(0) = 1. Stage 2 reads 1 and names f^2(1) = 4. Stage
        // 3 reads 4 and returns f^2(4) = 0 = f^5(0), so every rule is correct with probability 1.
        int[] map = {1, 3, 0, 4, 2};
        long k = 5;

        // s = 2, C_1 = {0, 1}. After stage 1, v = 1 is resident and the cache stays {0, 1}.
        // After stage 2, v = 4 is not resident. Follow: lastUse(0) = 1, lastUse(1) = 2, so 0 goes.
        // TOVA: 1 is attended at stage 2, so 0 goes. Heavy-hitter: A(0) = A(1) = 1 and
        // D(0) = D(1) = 0, a full tie, so 0 or 1 goes with probability 1/2 each.
        Map<Integer, BigFraction> followTwo = trace(TrialTree.Kind.FOLLOW, map, 0, 2, k).lastCacheLaw();
        assertEquals(Map.of(mask(1, 4), BigFraction.ONE), followTwo);
        Map<Integer, BigFraction> tovaTwo = trace(TrialTree.Kind.TOVA, map, 0, 2, k).lastCacheLaw();
        assertEquals(Map.of(mask(1, 4), BigFraction.ONE), tovaTwo);
        Map<Integer, BigFraction> heavyTwo = trace(TrialTree.Kind.HEAVY_HITTER, map, 0, 2, k).lastCacheLaw();
        assertEquals(Map.of(mask(1, 4), HALF, mask(0, 4), HALF), heavyTwo);

        // s = 3, C_1 = {0, 1, 2}, same reads. After stage 2: follow has lastUse (1, 2, 0) and
        // heavy-hitter A = (1, 1, 0) for positions (0, 1, 2), so both evict 2. TOVA evicts either
        // resident not attended at stage 2, 0 or 2, with probability 1/2 each.
        Map<Integer, BigFraction> followThree = trace(TrialTree.Kind.FOLLOW, map, 0, 3, k).lastCacheLaw();
        assertEquals(Map.of(mask(0, 1, 4), BigFraction.ONE), followThree);
        Map<Integer, BigFraction> heavyThree = trace(TrialTree.Kind.HEAVY_HITTER, map, 0, 3, k).lastCacheLaw();
        assertEquals(Map.of(mask(0, 1, 4), BigFraction.ONE), heavyThree);
        Map<Integer, BigFraction> tovaThree = trace(TrialTree.Kind.TOVA, map, 0, 3, k).lastCacheLaw();
        assertEquals(Map.of(mask(0, 1, 4), HALF, mask(1, 2, 4), HALF), tovaThree);

        for (TrialTree.Kind kind : List.of(TrialTree.Kind.FOLLOW, TrialTree.Kind.HEAVY_HITTER, TrialTree.Kind.TOVA)) {
            for (int s = 2; s <= 3; s++) {
                Result result = trace(kind, map, 0, s, k).result();
                assertEquals(BigFraction.ONE, result.event(), kind + " s=" + s);
                assertEquals(BigFraction.ONE, result.correct(), kind + " s=" + s);
            }
        }
    }

    @Test
    void heavyHitterEvictsOlderOnScoreTie() {
        // f = 0 -> 3 -> 2 -> 4 -> 0 and f(1) = 1 on n = 5, x0 = 0, k = 5, s = 2, C_1 = {0, 1}.
        // Stage 1 reads 0, A(0) = 1, and names 3: the lowest score is A(1) = 0, so 1 goes and 3
        // enters with A = 0, D = 1. Stage 2 reads 3, A(3) = 1, and names f^2(3) = 4. Now
        // A(0) = A(3) = 1, and the admission stages D(0) = 0 < D(3) = 1 make 0 the one to go:
        // C_3 = {3, 4} with probability 1. Without the admission tie-break it would be 1/2 each.
        int[] map = {3, 1, 4, 2, 0};
        TrialTree.OneInput heavy = trace(TrialTree.Kind.HEAVY_HITTER, map, 0, 2, 5);
        assertEquals(Map.of(mask(3, 4), BigFraction.ONE), heavy.lastCacheLaw());
        // Stage 3 reads 4 and returns f^2(4) = f(0) = 3, which is f^5(0) (0, 3, 2, 4, 0, 3).
        assertEquals(BigFraction.ONE, heavy.result().correct());
    }

    @Test
    void heavyHitterRandomInitialByHand() {
        // f = 0 -> 1 -> 3 -> 2 -> 0 on n = 4, x0 = 0, k = 5 (h = (1, 2, 2)), s = 2, nearest rule,
        // C_1 uniform over the six 2-subsets. f^5(0) = 1. Per C_1 (probability 1/6 each):
        //   {0, 1}: stage 1 hits 0 and names 1 (resident). Stage 2 reads 1 and names f^2(1) = 2.
        //           A(0) = A(1) = 1, D(0) = D(1) = 0: C_3 = {1, 2} or {0, 2}, 1/2 each. Correct.
        //   {0, 2}: stage 1 names 1, 2 (A = 0) goes, 1 enters with D = 1. Stage 2 names 2, and
        //           A(0) = A(1) = 1 with D(0) = 0 < D(1) = 1, so 0 goes: C_3 = {1, 2}. Correct.
        //   {0, 3}: the same with 3 in place of 2: C_3 = {1, 2}. Correct.
        //   {1, 2}: 0 misses, nearest 1 (distance 1). Stage 1 names f(1) = 3, 2 goes. Stage 2
        //           reads 3 and names f^2(3) = 0; A(1) = A(3) = 1, D(1) = 0 < D(3) = 1, so
        //           C_3 = {0, 3}. Returns f^5(1) = 3: wrong.
        //   {1, 3}: 0 misses, 1 and 3 are both at distance 1 and 1 wins. Stage 1 names 3
        //           (resident). Stage 2 names 0, and A(1) = A(3) = 1 with D = 0 for both:
        //           C_3 = {0, 3} or {0, 1}, 1/2 each. Wrong.
        //   {2, 3}: 0 misses, nearest 3. Stage 1 names f(3) = 2 (resident). Stage 2 names
        //           f^2(2) = 1, and A(2) = A(3) = 1 with D = 0 for both: C_3 = {1, 2} or {1, 3},
        //           1/2 each. Returns f^5(3) = 2: wrong.
        // Law of C_3: {1, 2} 1/12 + 1/6 + 1/6 + 1/12 = 1/2, {0, 3} 1/6 + 1/12 = 1/4, and
        // {0, 2}, {0, 1}, {1, 3} 1/12 each. Scores left over from one C_1 would change it.
        int[] map = {1, 3, 0, 2};
        TrialTree tree = new TrialTree(TrialTree.Kind.HEAVY_HITTER, false, MissRule.NEAREST, PointerLaw.FUNCTION,
                4, 2, 5, DEFAULT_SINKS);
        TrialTree.OneInput heavy = tree.runOneInput(map, 0);
        BigFraction twelfth = new BigFraction(1, 12);
        assertEquals(Map.of(mask(1, 2), HALF, mask(0, 3), new BigFraction(1, 4),
                mask(0, 2), twelfth, mask(0, 1), twelfth, mask(1, 3), twelfth), heavy.lastCacheLaw());
        assertEquals(HALF, heavy.result().event());
        assertEquals(HALF, heavy.result().correct());
    }

    @Test
    void tovaWithOneSlotEvictsAttended() {
        // s = 1: the attended position is the only resident, so it is the one of smallest attention.
        // Same map as above, C_1 = {0}: stage 1 names 3, so C_2 = {3}. Stage 2 names 4, so C_3 = {4}.
        int[] map = {3, 1, 4, 2, 0};
        assertEquals(Map.of(mask(4), BigFraction.ONE), trace(TrialTree.Kind.TOVA, map, 0, 1, 5).lastCacheLaw());
    }

    @Test
    void queryAwareLastCacheIsArcAroundRead() {
        // Same map as evictionOrderShapesLastCache: stage 3 reads 4, and for n = 5, s = 3 the
        // positions of smallest rank around 4 are 4, then at distance 1 the smaller 0, then 3.
        int[] map = {1, 3, 0, 4, 2};
        TrialTree.OneInput queryAware = trace(TrialTree.Kind.QUERY_AWARE, map, 0, 3, 5);
        assertEquals(Map.of(mask(0, 3, 4), BigFraction.ONE), queryAware.lastCacheLaw());
        assertEquals(BigFraction.ONE, queryAware.result().correct());
    }

    @Test
    void stridedSetsByHand() {
        // stride = floor(n/s): n = 5, s = 2 gives stride 2 and offsets 0, 1 (position 4 is in no
        // set); n = 6, s = 3 gives {0, 2, 4} and {1, 3, 5}; n = 6, s = 4 gives stride 1 and one set.
        assertArrayEquals(new int[] {mask(0, 2), mask(1, 3)}, TrialTree.stridedMasks(5, 2));
        assertArrayEquals(new int[] {mask(0, 2, 4), mask(1, 3, 5)}, TrialTree.stridedMasks(6, 3));
        assertArrayEquals(new int[] {mask(0, 1, 2, 3)}, TrialTree.stridedMasks(6, 4));
        assertArrayEquals(new int[] {mask(0), mask(1), mask(2)}, TrialTree.stridedMasks(3, 1));
    }

    @Test
    void arcMaskFollowsCircularRank() {
        // Rank around a centre: the centre, then increasing circular distance, smaller position first.
        assertEquals(mask(0, 1, 4), TrialTree.arcMask(5, 3, 0));
        assertEquals(mask(0, 4), TrialTree.arcMask(5, 2, 4));
        assertEquals(mask(0, 1, 3), TrialTree.arcMask(4, 3, 0));
        // n = 4, centre 1: distance 1 gives 0 and 2, distance 2 gives 3 alone.
        assertEquals(mask(0, 1), TrialTree.arcMask(4, 2, 1));
        assertEquals(mask(0, 1, 2, 3), TrialTree.arcMask(4, 4, 1));
        assertEquals(mask(2), TrialTree.arcMask(6, 1, 2));
    }

    @Test
    void oneInputRejectsInvalidInput() {
        TrialTree tova = new TrialTree(TrialTree.Kind.TOVA, true, MissRule.NEAREST, PointerLaw.FUNCTION, 3, 2, 4, 4);
        IllegalArgumentException shortMap =
                assertThrows(IllegalArgumentException.class, () -> tova.runOneInput(new int[] {0, 1}, 0));
        assertEquals("map must have 3 values in [0, 3), got [0, 1]", shortMap.getMessage());
        IllegalArgumentException start =
                assertThrows(IllegalArgumentException.class, () -> tova.runOneInput(new int[] {0, 1, 2}, 3));
        assertEquals("x0 must be in [0, 3), got 3", start.getMessage());
        TrialTree fresh =
                new TrialTree(TrialTree.Kind.RANDOM_FRESH, false, MissRule.NEAREST, PointerLaw.FUNCTION, 3, 2, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> fresh.runOneInput(new int[] {0, 1, 2}, 0));
    }
}
