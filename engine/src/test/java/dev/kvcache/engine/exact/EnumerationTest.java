package dev.kvcache.engine.exact;

import static dev.kvcache.engine.exact.Enumeration.DEFAULT_SINKS;
import static dev.kvcache.engine.exact.Enumeration.FOLLOW;
import static dev.kvcache.engine.exact.Enumeration.INITIAL_RANDOM;
import static dev.kvcache.engine.exact.Enumeration.INITIAL_WINDOW;
import static dev.kvcache.engine.exact.Enumeration.RANDOM_FIXED;
import static dev.kvcache.engine.exact.Enumeration.RANDOM_FRESH;
import static dev.kvcache.engine.exact.Enumeration.WINDOW;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.exact.Enumeration.Result;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import dev.kvcache.engine.task.Stages;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.fraction.BigFraction;
import org.junit.jupiter.api.Test;

class EnumerationTest {
    private static final long[] GRID_KS = {2, 3, 4, 5, 8};

    /** One enumerated cell of the shared grid. */
    private record Cell(String controller, String initial, MissRule rule, PointerLaw law, int n, int s, long k,
            int sinks, Result result) {
        @Override
        public String toString() {
            return controller + "/" + initial + " " + rule.configName() + " " + law.configName()
                    + " n=" + n + " s=" + s + " k=" + k + " sinks=" + sinks;
        }
    }

    /**
     * The grid n = 2..6, s = 1..n, k in {2, 3, 4, 5, 8}, both laws, every controller and miss rule,
     * enumerated once for all tests of this class (about six seconds on 2 cores).
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
                                add(cells, RANDOM_FRESH, INITIAL_RANDOM, rule, law, n, s, k, DEFAULT_SINKS);
                                add(cells, RANDOM_FIXED, INITIAL_RANDOM, rule, law, n, s, k, DEFAULT_SINKS);
                                add(cells, WINDOW, INITIAL_RANDOM, rule, law, n, s, k, DEFAULT_SINKS);
                                add(cells, FOLLOW, INITIAL_RANDOM, rule, law, n, s, k, DEFAULT_SINKS);
                                add(cells, FOLLOW, INITIAL_WINDOW, rule, law, n, s, k, DEFAULT_SINKS);
                            }
                            // One sink and s - 1 recent positions: a window in two pieces.
                            add(cells, WINDOW, INITIAL_RANDOM, MissRule.NEAREST, law, n, s, k, 1);
                            add(cells, FOLLOW, INITIAL_WINDOW, MissRule.NEAREST, law, n, s, k, 1);
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
    }

    @Test
    void closedFormsMatchEnumeration() {
        for (Cell cell : Grid.CELLS) {
            BigFraction expected = switch (cell.controller()) {
                case RANDOM_FRESH -> ExactValues.randomFreshExact(cell.n(), cell.s(), cell.k());
                case RANDOM_FIXED, WINDOW -> ExactValues.fixedSetExact(cell.law(), cell.n(), cell.s(), cell.k());
                default -> new BigFraction(cell.s(), cell.n());
            };
            assertEquals(expected, cell.result().event(), cell.toString());
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
    void followOutcomeIgnoresInitialAndMissRule() {
        // After stage t the follow rule makes v = c_t resident, and c_t is the next read, so every
        // read after the first hits and c_T = f^k(a) for the position a attended at stage 1. A
        // miss attends some a != x0 chosen without looking at f, and by the symmetry of the
        // pointer law P(f^k(a) = f^k(x0)) is the same for every such pair. So the result depends
        // on n, s, k and the law only. Under a permutation f^k is injective, so
        // P(correct) = P(E) = s/n.
        List<Cell> follow = Grid.CELLS.stream().filter(cell -> cell.controller().equals(FOLLOW)).toList();
        for (Cell cell : follow) {
            Result reference = Enumeration.enumerate(
                    FOLLOW, INITIAL_RANDOM, MissRule.NEAREST, cell.law(), cell.n(), cell.s(), cell.k(), DEFAULT_SINKS);
            assertEquals(reference, cell.result(), cell.toString());
            BigFraction[] firstMiss = cell.result().firstMiss();
            for (int t = 2; t < firstMiss.length; t++) {
                assertEquals(BigFraction.ZERO, firstMiss[t], cell + " stage " + t);
            }
            if (cell.law() == PointerLaw.PERMUTATION) {
                assertEquals(new BigFraction(cell.s(), cell.n()), cell.result().correct(), cell.toString());
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
                        {RANDOM_FRESH, INITIAL_RANDOM}, {RANDOM_FIXED, INITIAL_RANDOM}, {WINDOW, INITIAL_RANDOM},
                        {FOLLOW, INITIAL_RANDOM}, {FOLLOW, INITIAL_WINDOW}}) {
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
    void randomFixedTwoPositionsByHand() {
        // n = 2, s = 1, k = 2: one stage with h_1 = 2. The set is {0} or {1}, so x0 is resident
        // with probability 1/2. On a miss the query attends the other position a = 1 - x0 and
        // returns f^2(a), which is correct when f^2(0) = f^2(1). Among the four functions on
        // {0, 1} only the two constants do that, so 1/2, and no permutation does.
        // P(correct) = 1/2 + 1/2 * 1/2 = 3/4 for a function, 1/2 for a permutation.
        for (MissRule rule : MissRule.values()) {
            Result function = Enumeration.enumerate(RANDOM_FIXED, INITIAL_RANDOM, rule, PointerLaw.FUNCTION, 2, 1, 2, 4);
            assertEquals(new BigFraction(1, 2), function.event());
            assertEquals(new BigFraction(3, 4), function.correct());
            assertArrayEquals(new BigFraction[] {new BigFraction(1, 2), new BigFraction(1, 2)}, function.firstMiss());
            Result permutation =
                    Enumeration.enumerate(RANDOM_FIXED, INITIAL_RANDOM, rule, PointerLaw.PERMUTATION, 2, 1, 2, 4);
            assertEquals(new BigFraction(1, 2), permutation.event());
            assertEquals(new BigFraction(1, 2), permutation.correct());
        }
    }

    @Test
    void windowOneSinkByHand() {
        // n = 3, s = 1, sinks = 4: w0 = min(4, 1) = 1, so the window is {0}. k = 2: one stage
        // with h_1 = 2. x0 = 0 hits (1/3). Otherwise the only resident 0 is attended and f^2(0)
        // is returned, correct when f^2(0) = f^2(x0); by symmetry take x0 = 1. Either f(0) = f(1)
        // (1/3), or (u, w) = (f(0), f(1)) is one of six ordered distinct pairs, each of
        // probability 1/9. For (0, 1) and (1, 0), f(u) and f(w) are f(0) != f(1). For the four
        // pairs containing 2, f(2) is still free and matches the other value with probability
        // 1/3. So P(f^2(0) = f^2(1)) = 1/3 + 4/9 * 1/3 = 13/27 and, for a function,
        // P(correct) = 1/3 + 2/3 * 13/27 = 53/81. No permutation maps 0 and 1 to one point, so
        // P(correct) = 1/3 for a permutation.
        Result function =
                Enumeration.enumerate(WINDOW, INITIAL_RANDOM, MissRule.NEAREST, PointerLaw.FUNCTION, 3, 1, 2, 4);
        assertEquals(new BigFraction(1, 3), function.event());
        assertEquals(new BigFraction(53, 81), function.correct());
        Result permutation =
                Enumeration.enumerate(WINDOW, INITIAL_RANDOM, MissRule.NEAREST, PointerLaw.PERMUTATION, 3, 1, 2, 4);
        assertEquals(new BigFraction(1, 3), permutation.event());
        assertEquals(new BigFraction(1, 3), permutation.correct());
    }

    @Test
    void randomFreshTwoStagesByHand() {
        // n = 2, s = 1, k = 4: T = 2 with h = (1, 3). Each stage hits with probability 1/2
        // independently, so firstMiss = [1/4, 1/2, 1/4]. For a permutation (identity or swap,
        // both with f^3 = f and f^4 = identity) the target is x0, and a miss at stage t replaces
        // the read position by the other one. Identity: c_2 = x0 after zero or two misses. Swap:
        // hits give c_1 = 1 - x0, c_2 = x0; a miss then a hit gives c_1 = x0, c_2 = 1 - x0; a hit
        // then a miss gives c_2 = f(x0) = 1 - x0; two misses give c_2 = x0. Either way
        // P(correct) = P(zero or two misses) = 1/2.
        for (MissRule rule : MissRule.values()) {
            Result result = Enumeration.enumerate(RANDOM_FRESH, INITIAL_RANDOM, rule, PointerLaw.PERMUTATION, 2, 1, 4, 4);
            assertArrayEquals(new BigFraction[] {new BigFraction(1, 4), new BigFraction(1, 2), new BigFraction(1, 4)},
                    result.firstMiss());
            assertEquals(new BigFraction(1, 2), result.correct());
        }
    }

    @Test
    void followTwoPositionsByHand() {
        // n = 2, s = 1, k = 4: T = 2, h = (1, 3). C_1 = {y}, y uniform. x0 = y (1/2) hits. Otherwise
        // a = y = 1 - x0 and v = f(a); the single resident a is evicted (or kept if v = a), so
        // C_2 = {v} and stage 2 hits, returning f^3(v) = f^4(a). Correct when f^4(0) = f^4(1):
        // among the four functions on {0, 1} only the two constants, so 1/2; never for a
        // permutation. P(correct) = 1/2 + 1/2 * 1/2 = 3/4, or 1/2.
        Result function =
                Enumeration.enumerate(FOLLOW, INITIAL_RANDOM, MissRule.NEAREST, PointerLaw.FUNCTION, 2, 1, 4, 4);
        assertEquals(new BigFraction(1, 2), function.event());
        assertEquals(new BigFraction(3, 4), function.correct());
        assertArrayEquals(new BigFraction[] {new BigFraction(1, 2), new BigFraction(1, 2), BigFraction.ZERO},
                function.firstMiss());
        Result permutation =
                Enumeration.enumerate(FOLLOW, INITIAL_RANDOM, MissRule.NEAREST, PointerLaw.PERMUTATION, 2, 1, 4, 4);
        assertEquals(new BigFraction(1, 2), permutation.correct());
    }

    @Test
    void nearestMissTieGoesToSmallerPosition() {
        // n = 4 with residents {0, 2}: position 1 is at distance 1 from both, and position 3 is at
        // distance 1 from 2 and, circularly, from 0. Both ties go to 0.
        int[][] nearest = TrialTree.nearestTable(4);
        int mask = 0b0101;
        assertEquals(0, nearest[mask][1]);
        assertEquals(0, nearest[mask][3]);
        // Circular distance: in n = 5 with residents {1, 3}, position 0 is at distance 1 from 1
        // and 2 from 3, and position 4 is at distance 1 from 3 and 2 from 1.
        int[][] nearestFive = TrialTree.nearestTable(5);
        assertEquals(1, nearestFive[0b01010][0]);
        assertEquals(3, nearestFive[0b01010][4]);
    }

    @Test
    void windowMaskHasSinksAndRecentPositions() {
        // n = 7, s = 3, sinks = 1: {0} and {5, 6}.
        assertEquals(0b1100001, TrialTree.windowMask(7, 3, 1));
        // sinks = 4 >= s: the first s positions.
        assertEquals(0b0000111, TrialTree.windowMask(7, 3, 4));
        // sinks = 0: the last s positions.
        assertEquals(0b1110000, TrialTree.windowMask(7, 3, 0));
    }

    @Test
    void sevenPositionsMatchClosedForms() {
        for (PointerLaw law : PointerLaw.values()) {
            BigFraction fixed = ExactValues.fixedSetExact(law, 7, 3, 4);
            assertEquals(fixed, Enumeration.enumerate(
                    RANDOM_FIXED, INITIAL_RANDOM, MissRule.NEAREST, law, 7, 3, 4, DEFAULT_SINKS).event());
            assertEquals(fixed, Enumeration.enumerate(
                    WINDOW, INITIAL_RANDOM, MissRule.UNIFORM, law, 7, 3, 4, 1).event());
            assertEquals(ExactValues.randomFreshExact(7, 2, 4), Enumeration.enumerate(
                    RANDOM_FRESH, INITIAL_RANDOM, MissRule.NEAREST, law, 7, 2, 4, DEFAULT_SINKS).event());
            assertEquals(new BigFraction(4, 7), Enumeration.enumerate(
                    FOLLOW, INITIAL_RANDOM, MissRule.UNIFORM, law, 7, 4, 8, DEFAULT_SINKS).event());
            assertEquals(new BigFraction(2, 7), Enumeration.enumerate(
                    FOLLOW, INITIAL_WINDOW, MissRule.NEAREST, law, 7, 2, 16, DEFAULT_SINKS).event());
        }
    }

    @Test
    void invalidArgumentsAreRejected() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Enumeration.enumerate(
                "lru", INITIAL_RANDOM, MissRule.NEAREST, PointerLaw.FUNCTION, 4, 2, 4, 4));
        assertEquals("unknown controller 'lru'; known controllers: random-fresh, random-fixed, window, strided, "
                + "follow, heavy-hitter, tova, query-aware",
                unknown.getMessage());
        IllegalArgumentException initial = assertThrows(IllegalArgumentException.class, () -> Enumeration.enumerate(
                FOLLOW, "sliding", MissRule.NEAREST, PointerLaw.FUNCTION, 4, 2, 4, 4));
        assertEquals("unknown initial-cache rule 'sliding'; known rules: random, window", initial.getMessage());
        IllegalArgumentException largeN = assertThrows(IllegalArgumentException.class, () -> Enumeration.enumerate(
                FOLLOW, INITIAL_RANDOM, MissRule.NEAREST, PointerLaw.FUNCTION, 9, 2, 4, 4));
        assertEquals("n must be in [2, 8] for exhaustive enumeration, got 9", largeN.getMessage());
        IllegalArgumentException largeK = assertThrows(IllegalArgumentException.class, () -> Enumeration.enumerate(
                FOLLOW, INITIAL_RANDOM, MissRule.NEAREST, PointerLaw.FUNCTION, 4, 2, 33, 4));
        assertEquals("k must be at most 2^5 for exhaustive enumeration (T <= 5), got k = 33 with T = 6",
                largeK.getMessage());
        IllegalArgumentException largeS = assertThrows(IllegalArgumentException.class, () -> Enumeration.enumerate(
                WINDOW, INITIAL_RANDOM, MissRule.NEAREST, PointerLaw.FUNCTION, 4, 5, 4, 4));
        assertEquals("s must be in [1, n] = [1, 4], got 5", largeS.getMessage());
        IllegalArgumentException sinks = assertThrows(IllegalArgumentException.class, () -> Enumeration.enumerate(
                WINDOW, INITIAL_RANDOM, MissRule.NEAREST, PointerLaw.FUNCTION, 4, 2, 4, -1));
        assertEquals("sinks must be non-negative, got -1", sinks.getMessage());
        assertThrows(NullPointerException.class, () -> Enumeration.enumerate(
                WINDOW, INITIAL_RANDOM, null, PointerLaw.FUNCTION, 4, 2, 4, 4));
    }

    @Test
    void resultCopiesFirstMiss() {
        BigFraction[] firstMiss = {BigFraction.ONE_HALF, BigFraction.ONE_HALF};
        Result result = new Result(BigFraction.ONE_HALF, BigFraction.ONE, firstMiss);
        firstMiss[0] = BigFraction.ZERO;
        result.firstMiss()[1] = BigFraction.ZERO;
        assertArrayEquals(new BigFraction[] {BigFraction.ONE_HALF, BigFraction.ONE_HALF}, result.firstMiss());
    }
}
