package dev.kvcache.engine.lazy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.stats.Binomial;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * Tests {@link LazyRandomSubset} against a brute-force materialisation: after any sequence of
 * queries, asking {@code contains} of every position reveals the whole set, which must have the
 * right size, agree with every earlier answer, and make every earlier {@code nearest} answer the
 * nearest member in circular distance with ties to the smaller position.
 *
 * <p>The statistical tests (uniformity of the materialised set, of {@code uniformMember}, of the
 * set left by {@code evictAnonymous}, the membership frequency {@code s/n} of fixed positions
 * after a nearest query, and the law of the nearest member's rank) use fixed seeds. Their
 * p-value thresholds are Bonferroni shares of {@value #CLASS_FALSE_ALARM} over the
 * {@value #STATISTICAL_CHECKS} checks, so a correct set fails this class with probability at most
 * {@value #CLASS_FALSE_ALARM}.
 */
class LazyRandomSubsetTest {
    private static final double CLASS_FALSE_ALARM = 1e-6;
    /** Chi-square tests: 4 uniformity tests and 3 rank laws; binomial tests: 3 configurations x 9 positions. */
    private static final int STATISTICAL_CHECKS = 4 + 3 + 27;
    private static final double THRESHOLD = CLASS_FALSE_ALARM / STATISTICAL_CHECKS;
    private static final int DRAWS = 60_000;

    // ---- brute-force consistency ----

    @Test
    void queriesMatchMaterialisedSet() {
        for (int n = 1; n <= 9; n++) {
            for (int s = 1; s <= n; s++) {
                for (int seed = 0; seed < 200; seed++) {
                    checkQueriesAgainstMaterialisation(n, s, seed);
                }
            }
        }
    }

    private static void checkQueriesAgainstMaterialisation(int n, int s, int seed) {
        String cell = "n=" + n + " s=" + s + " seed=" + seed;
        UniformRandomProvider choices = Seeds.generator(Seeds.mix(seed * 1000L + n * 10L + s));
        LazyRandomSubset set = new LazyRandomSubset(n, Seeds.generator(seed)).reset(s);
        List<long[]> nearestAnswers = new ArrayList<>();
        List<long[]> containsAnswers = new ArrayList<>();
        List<Long> uniformAnswers = new ArrayList<>();
        int operations = 1 + choices.nextInt(5);
        for (int i = 0; i < operations; i++) {
            int operation = choices.nextInt(3);
            long p = choices.nextLong(n);
            if (operation == 0) {
                containsAnswers.add(new long[] {p, set.contains(p) ? 1 : 0});
            } else if (operation == 1) {
                if (!set.contains(p)) {
                    nearestAnswers.add(new long[] {p, set.nearest(p)});
                }
            } else {
                uniformAnswers.add(set.uniformMember());
            }
            assertEquals(s, set.size(), cell);
            assertTrue(set.anonymousCount() >= 0, cell);
            assertTrue(set.anonymousCount() <= s, cell);
        }

        boolean[] members = materialise(set, n);
        assertEquals(s, count(members), cell + ": members after materialisation");
        assertEquals(0, set.anonymousCount(), cell + ": anonymous members after materialisation");
        for (long[] answer : containsAnswers) {
            assertEquals(answer[1] == 1, members[(int) answer[0]], cell + ": contains(" + answer[0] + ")");
        }
        for (long[] answer : nearestAnswers) {
            assertEquals(nearestByBruteForce(members, answer[0]), answer[1], cell + ": nearest(" + answer[0] + ")");
        }
        for (long member : uniformAnswers) {
            assertTrue(members[(int) member], cell + ": uniformMember() returned " + member);
        }
    }

    @Test
    void adaptiveUpdatesKeepBookkeeping() {
        // Random sequences of every operation. The state at each nearest answer is rebuilt by
        // replaying the sequence with the same seeds up to that answer and materialising it.
        for (int n = 2; n <= 8; n++) {
            for (int s = 1; s <= n; s++) {
                for (int seed = 0; seed < 60; seed++) {
                    checkReplayedSequence(n, s, seed, 8);
                }
            }
        }
    }

    @Test
    void longSequencesAtMediumN() {
        // Many known members and non-member intervals, arcs that wrap around 0.
        for (int n : new int[] {16, 64, 200}) {
            for (int s : new int[] {1, 3, n / 8, n / 2, n - 2}) {
                for (int seed = 0; seed < 12; seed++) {
                    checkReplayedSequence(n, s, seed, 60);
                }
            }
        }
    }

    private static void checkReplayedSequence(int n, int s, int seed, int operations) {
        Replay full = Replay.run(n, s, seed, operations, Integer.MAX_VALUE);
        boolean[] members = materialise(full.set, n);
        String cell = "n=" + n + " s=" + s + " seed=" + seed + " operations " + full.log;
        assertEquals(full.expectedSize, count(members), cell);
        for (long p : full.knownMembers) {
            assertTrue(members[(int) p], cell + ": known member " + p);
        }
        for (long p : full.knownNonMembers) {
            assertFalse(members[(int) p], cell + ": known non-member " + p);
        }
        for (int step = 0; step < full.nearestSteps.size(); step++) {
            int at = full.nearestSteps.get(step);
            Replay partial = Replay.run(n, s, seed, operations, at + 1);
            boolean[] then = materialise(partial.set, n);
            long[] answer = full.nearestAnswers.get(step);
            assertEquals(nearestByBruteForce(then, answer[0]), answer[1],
                cell + ": nearest(" + answer[0] + ") at operation " + at);
        }
    }

    /** One reproducible sequence of operations, stopped after {@code limit} of them. */
    private static final class Replay {
        final LazyRandomSubset set;
        final Set<Long> knownMembers = new LinkedHashSet<>();
        final Set<Long> knownNonMembers = new LinkedHashSet<>();
        final List<Integer> nearestSteps = new ArrayList<>();
        final List<long[]> nearestAnswers = new ArrayList<>();
        final StringBuilder log = new StringBuilder();
        long expectedSize;

        private Replay(LazyRandomSubset set, long size) {
            this.set = set;
            this.expectedSize = size;
        }

        static Replay run(int n, int s, int seed, int operations, int limit) {
            UniformRandomProvider choices = Seeds.generator(Seeds.mix(seed + 7919L * n + 104729L * s));
            Replay replay = new Replay(new LazyRandomSubset(n, Seeds.generator(Seeds.mix(seed))).reset(s), s);
            for (int i = 0; i < operations && i < limit; i++) {
                replay.step(i, choices.nextInt(6), choices.nextLong(n), choices);
                assertEquals(replay.expectedSize, replay.set.size(), "size after " + replay.log);
            }
            return replay;
        }

        private void step(int index, int operation, long p, UniformRandomProvider choices) {
            switch (operation) {
                case 0 -> {
                    boolean member = set.contains(p);
                    record(p, member);
                    log.append("contains(").append(p).append(")=").append(member).append(' ');
                }
                case 1 -> {
                    boolean member = set.contains(p);
                    record(p, member);
                    if (!member && set.size() > 0) {
                        long q = set.nearest(p);
                        record(q, true);
                        nearestSteps.add(index);
                        nearestAnswers.add(new long[] {p, q});
                        log.append("nearest(").append(p).append(")=").append(q).append(' ');
                    }
                }
                case 2 -> {
                    if (set.size() > 0) {
                        long q = set.uniformMember();
                        record(q, true);
                        log.append("uniformMember()=").append(q).append(' ');
                    }
                }
                case 3 -> {
                    if (!knownMembers.isEmpty()) {
                        long q = pick(knownMembers, choices);
                        set.evict(q);
                        record(q, false);
                        expectedSize--;
                        log.append("evict(").append(q).append(") ");
                    }
                }
                case 4 -> {
                    if (!knownNonMembers.isEmpty()) {
                        long q = pick(knownNonMembers, choices);
                        set.admit(q);
                        record(q, true);
                        expectedSize++;
                        log.append("admit(").append(q).append(") ");
                    }
                }
                default -> {
                    if (set.anonymousCount() > 0) {
                        assertEquals(-1, set.evictAnonymous());
                        expectedSize--;
                        log.append("evictAnonymous() ");
                    }
                }
            }
        }

        private void record(long p, boolean member) {
            if (member) {
                knownNonMembers.remove(p);
                knownMembers.add(p);
            } else {
                knownMembers.remove(p);
                knownNonMembers.add(p);
            }
        }

        private static long pick(Set<Long> positions, UniformRandomProvider choices) {
            int index = choices.nextInt(positions.size());
            return positions.stream().skip(index).findFirst().orElseThrow();
        }
    }

    @Test
    void hugeUniverseNearestRevealsScannedArc() {
        // In every sampler regime: the answer of nearest(p) is a member, every position of smaller
        // rank (nearer, or as near and smaller) is a known non-member, and contains answers both
        // without drawing randomness. Checked on up to 200 positions of the scanned arc.
        for (long n : new long[] {1L << 40, 1L << 62}) {
            long[] sizes = {n / 2, n / 64, n / 65, 1L << 20, 65, 64, 1};
            for (long s : sizes) {
                for (int seed = 0; seed < 50; seed++) {
                    CountingRandom rng = new CountingRandom(Seeds.generator(Seeds.mix(n + s + seed)));
                    LazyRandomSubset set = new LazyRandomSubset(n, rng).reset(s);
                    long p = switch (seed % 3) {
                        case 0 -> 0;
                        case 1 -> n - 1;
                        default -> rng.nextLong(n);
                    };
                    String cell = "n=" + n + " s=" + s + " seed=" + seed + " p=" + p;
                    if (set.contains(p)) {
                        continue;
                    }
                    long q = set.nearest(p);
                    assertEquals(s, set.size(), cell);
                    assertTrue(q >= 0, cell + ": nearest " + q);
                    assertTrue(q < n, cell + ": nearest " + q);
                    long drawsBefore = rng.draws();
                    assertTrue(set.contains(q), cell + ": nearest " + q + " is not a member");
                    long rank = rank(p, q, n);
                    long probes = Math.min(rank, 200);
                    for (long i = 0; i < probes; i++) {
                        long r = rank <= 200 ? i : 1 + (long) ((rank - 1) * (double) i / probes);
                        long x = positionAtRank(p, r, n);
                        assertFalse(set.contains(x), cell + ": position " + x + " of rank " + r + " < " + rank);
                    }
                    assertEquals(drawsBefore, rng.draws(), cell + ": decided positions drew randomness");
                    // Asked again, the answer is the same (the call may still draw a first-member
                    // sample, which cannot beat a known member of smaller rank).
                    assertEquals(q, set.nearest(p), cell + ": second nearest");
                }
            }
        }
    }

    // ---- laws ----

    @Test
    void materialisedSetIsUniform() {
        long[] counts = new long[1 << 6];
        UniformRandomProvider rng = Seeds.generator(11);
        LazyRandomSubset set = new LazyRandomSubset(6, rng);
        for (int i = 0; i < DRAWS; i++) {
            set.reset(3);
            counts[mask(materialise(set, 6))]++;
        }
        assertUniformOverSubsets(counts, 6, 3, "fresh subset");
    }

    @Test
    void nearestQueryKeepsSetUniform() {
        // Whether nearest is asked depends only on what was revealed, so the materialised set
        // stays a uniform 3-subset of 7 positions.
        long[] counts = new long[1 << 7];
        UniformRandomProvider rng = Seeds.generator(12);
        LazyRandomSubset set = new LazyRandomSubset(7, rng);
        for (int i = 0; i < DRAWS; i++) {
            set.reset(3);
            if (!set.contains(2)) {
                set.nearest(2);
            }
            if (!set.contains(6)) {
                set.nearest(6);
            }
            counts[mask(materialise(set, 7))]++;
        }
        assertUniformOverSubsets(counts, 7, 3, "after nearest(2) and nearest(6)");
    }

    @Test
    void uniformMemberIsUniformPair() {
        // The pair (set, uniformMember()) is uniform over the 20 subsets times their 3 members.
        long[] counts = new long[(1 << 6) * 6];
        UniformRandomProvider rng = Seeds.generator(13);
        LazyRandomSubset set = new LazyRandomSubset(6, rng);
        for (int i = 0; i < DRAWS; i++) {
            set.reset(3);
            set.contains(1);
            long member = set.uniformMember();
            counts[mask(materialise(set, 6)) * 6 + (int) member]++;
        }
        List<Long> observed = new ArrayList<>();
        for (int subset = 0; subset < (1 << 6); subset++) {
            for (int member = 0; member < 6; member++) {
                boolean possible = Integer.bitCount(subset) == 3 && (subset >> member & 1) == 1;
                if (possible) {
                    observed.add(counts[subset * 6 + member]);
                } else {
                    assertEquals(0, counts[subset * 6 + member], "impossible pair " + subset + "/" + member);
                }
            }
        }
        assertEquals(60, observed.size());
        assertPValue(GoodnessOfFit.pValueUniform(observed.stream().mapToLong(Long::longValue).toArray()),
            "(set, uniformMember) pairs");
    }

    @Test
    void evictAnonymousLeavesUniformSubset() {
        long[] counts = new long[1 << 6];
        UniformRandomProvider rng = Seeds.generator(14);
        LazyRandomSubset set = new LazyRandomSubset(6, rng);
        for (int i = 0; i < DRAWS; i++) {
            set.reset(4);
            assertEquals(-1, set.evictAnonymous());
            assertEquals(3, set.size());
            counts[mask(materialise(set, 6))]++;
        }
        assertUniformOverSubsets(counts, 6, 3, "4-subset after evictAnonymous");
    }

    @Test
    void membershipFrequencyAfterNearest() {
        // Unconditionally, each fixed position is a member with probability s/n, whatever was
        // asked before; checked after nearest(500) in the scan, Floyd and inversion regimes.
        long[][] configs = {{1000, 100}, {1000, 10}, {100_000, 100}};
        long[] offsets = {-2, -1, 1, 2, 3, 10, 50, 200, 499};
        for (long[] config : configs) {
            long n = config[0];
            long s = config[1];
            long p = 500;
            long[] members = new long[offsets.length];
            UniformRandomProvider rng = Seeds.generator(Seeds.mix(n * 7 + s));
            LazyRandomSubset set = new LazyRandomSubset(n, rng);
            int trials = 100_000;
            for (int i = 0; i < trials; i++) {
                set.reset(s);
                if (!set.contains(p)) {
                    set.nearest(p);
                }
                for (int o = 0; o < offsets.length; o++) {
                    if (set.contains(Math.floorMod(p + offsets[o], n))) {
                        members[o]++;
                    }
                }
            }
            for (int o = 0; o < offsets.length; o++) {
                double pValue = Binomial.pValueTwoSided(members[o], trials, (double) s / n);
                assertPValue(pValue, String.format(Locale.ROOT, "n=%d s=%d: position p%+d a member in %d of %d trials",
                    n, s, offsets[o], members[o], trials));
            }
        }
    }

    @Test
    void nearestRankFollowsFirstMemberLaw() {
        // Given that p is not a member, the others form a uniform s-subset of n - 1 positions, and
        // the nearest member has rank R (1 + the number of non-members before it in the scan order
        // nearest first, smaller position first) with P(R >= r) = C(n - r, s) / C(n - 1, s).
        long[][] configs = {{1000, 100}, {1000, 10}, {100_000, 100}};
        for (long[] config : configs) {
            long n = config[0];
            long s = config[1];
            long p = 17;
            UniformRandomProvider rng = Seeds.generator(Seeds.mix(n * 13 + s));
            LazyRandomSubset set = new LazyRandomSubset(n, rng);
            long[] edges = FirstMemberSamplerTest.binEdges(n - 1, s);
            long[] observed = new long[edges.length];
            for (int i = 0; i < DRAWS; i++) {
                set.reset(s);
                if (set.contains(p)) {
                    continue;
                }
                long skipped = rank(p, set.nearest(p), n) - 1;
                int bin = Arrays.binarySearch(edges, skipped);
                observed[bin >= 0 ? bin : -bin - 2]++;
            }
            double[] probabilities = new double[edges.length];
            for (int b = 0; b < edges.length; b++) {
                double upper = b + 1 < edges.length ? FirstMemberSamplerTest.survival(n - 1, s, edges[b + 1]) : 0;
                probabilities[b] = FirstMemberSamplerTest.survival(n - 1, s, edges[b]) - upper;
            }
            assertPValue(GoodnessOfFit.pValue(probabilities, observed), "rank of nearest, n=" + n + " s=" + s);
        }
    }

    // ---- invalid calls ----

    @Test
    void invalidCallsRejected() {
        LazyRandomSubset set = new LazyRandomSubset(10, Seeds.generator(3));
        assertThrows(IllegalArgumentException.class, () -> set.reset(-1));
        assertThrows(IllegalArgumentException.class, () -> set.reset(11));

        set.reset(10);
        assertThrows(IllegalStateException.class, () -> set.nearest(4), "nearest of a member");
        assertThrows(IllegalStateException.class, () -> set.admit(4), "admit of a member");
        assertThrows(IllegalStateException.class, () -> set.evict(5), "evict of an unrevealed member");

        set.reset(0);
        assertThrows(IllegalStateException.class, () -> set.nearest(4), "nearest in an empty set");
        assertThrows(IllegalStateException.class, () -> set.uniformMember(), "uniformMember of an empty set");
        assertThrows(IllegalStateException.class, () -> set.evictAnonymous(), "evictAnonymous of an empty set");
        assertThrows(IllegalStateException.class, () -> set.admit(7), "admit of an unrevealed position");
        assertFalse(set.contains(4));
        assertThrows(IllegalStateException.class, () -> set.evict(4), "evict of a non-member");
        set.admit(4);
        assertEquals(1, set.size());
        assertTrue(set.contains(4));
        assertEquals(4, set.nearest(9), "the only member");
        assertThrows(IllegalStateException.class, () -> set.markKnown(5), "markKnown of a non-member");
        set.markKnown(4);
    }

    @Test
    void resetForgetsRevealedState() {
        LazyRandomSubset set = new LazyRandomSubset(5, Seeds.generator(4)).reset(0);
        for (long p = 0; p < 5; p++) {
            assertFalse(set.contains(p));
        }
        set.reset(5);
        for (long p = 0; p < 5; p++) {
            assertTrue(set.contains(p), "position " + p + " after reset(5)");
        }
        assertEquals(5, set.size());
        assertEquals(0, set.anonymousCount());
    }

    // ---- helpers ----

    static boolean[] materialise(LazyRandomSubset set, int n) {
        boolean[] members = new boolean[n];
        for (int q = 0; q < n; q++) {
            members[q] = set.contains(q);
        }
        return members;
    }

    static int count(boolean[] members) {
        int count = 0;
        for (boolean member : members) {
            count += member ? 1 : 0;
        }
        return count;
    }

    private static int mask(boolean[] members) {
        int mask = 0;
        for (int q = 0; q < members.length; q++) {
            mask |= members[q] ? 1 << q : 0;
        }
        return mask;
    }

    static long distance(long a, long b, long n) {
        long d = Math.abs(a - b);
        return Math.min(d, n - d);
    }

    /** Returns the member nearest to {@code p} by circular distance, ties to the smaller position. */
    static long nearestByBruteForce(boolean[] members, long p) {
        int n = members.length;
        long best = -1;
        for (int q = 0; q < n; q++) {
            if (!members[q]) {
                continue;
            }
            if (best < 0 || distance(p, q, n) < distance(p, best, n)) {
                best = q;
            }
        }
        return best;
    }

    /**
     * Returns the rank of {@code q} in the scan order around {@code p}: 0 for {@code p}, then
     * {@code 2d - 1} for the smaller and {@code 2d} for the larger position at distance {@code d}.
     */
    static long rank(long p, long q, long n) {
        long d = distance(p, q, n);
        if (d == 0) {
            return 0;
        }
        long other = Math.floorMod(q == Math.floorMod(p + d, n) ? p - d : p + d, n);
        return q <= other ? 2 * d - 1 : 2 * d;
    }

    /** Returns the position of rank {@code r} around {@code p}, the inverse of {@link #rank}. */
    static long positionAtRank(long p, long r, long n) {
        if (r == 0) {
            return p;
        }
        long d = (r + 1) / 2;
        long down = Math.floorMod(p - d, n);
        long up = Math.floorMod(p + d, n);
        return r % 2 == 1 ? Math.min(down, up) : Math.max(down, up);
    }

    private static void assertUniformOverSubsets(long[] countsByMask, int n, int s, String description) {
        List<Long> observed = new ArrayList<>();
        for (int subset = 0; subset < countsByMask.length; subset++) {
            if (Integer.bitCount(subset) == s) {
                observed.add(countsByMask[subset]);
            } else {
                assertEquals(0, countsByMask[subset], description + ": a set of the wrong size, mask " + subset);
            }
        }
        assertPValue(GoodnessOfFit.pValueUniform(observed.stream().mapToLong(Long::longValue).toArray()),
            description + ", " + observed.size() + " subsets of size " + s + " of " + n);
    }

    private static void assertPValue(double pValue, String description) {
        assertTrue(pValue >= THRESHOLD, () -> String.format(Locale.ROOT, "%s: p-value %.3g below %.3g", description, pValue,
            THRESHOLD));
    }
}
