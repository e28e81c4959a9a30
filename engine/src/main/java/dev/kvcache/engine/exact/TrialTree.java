package dev.kvcache.engine.exact;

import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import dev.kvcache.engine.task.Stages;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * A depth-first walk over every random choice of one trial: the start {@code x0}, the caches, the
 * uniform miss choices, the eviction tie-breaks and the pointer values, each branch carrying its
 * exact probability as a fraction of 64-bit integers. Leaves go to {@link OutcomeBuckets}.
 *
 * <p>The pointer map is either fully given (the caller loops over every map) or revealed on
 * demand: a pointer value still unknown when a jump needs it branches over its possible values, so
 * the leaves partition the set of all maps into groups that agree on every value the trial reads.
 * The trial state is mutated in place and restored on the way back.
 */
final class TrialTree {
    /** The controllers that the enumeration reproduces. */
    enum Kind {
        RANDOM_FRESH, RANDOM_FIXED, WINDOW, STRIDED, FOLLOW, HEAVY_HITTER, TOVA, QUERY_AWARE;

        /** Returns whether the controller updates the cache from the trace after each stage. */
        boolean isAdaptive() {
            return this == FOLLOW || this == HEAVY_HITTER || this == TOVA;
        }
    }

    private static final int UNKNOWN = -1;

    private final Kind kind;
    private final boolean initialWindow;
    private final MissRule missRule;
    private final PointerLaw law;
    private final int n;
    private final int s;
    private final int stages;
    private final long k;
    /** {@code jumps[t]} is {@code h_t} for {@code t = 1..T}. */
    private final long[] jumps;
    private final int windowMask;
    private final int[] subsets;
    /** For strided: one set per offset, all equally likely. */
    private final int[] stridedMasks;
    /** For query-aware: {@code queryAwareMasks[r]} is the cache of a stage that reads {@code r}. */
    private final int[] queryAwareMasks;
    /** {@code nearest[mask][r]}: the resident of {@code mask} nearest to {@code r} in circular distance. */
    private final int[][] nearest;
    /** For random-fresh: the attended positions after reading {@code r}, with integer weights. */
    private final int[][] freshTargets;
    private final long[][] freshCounts;
    private final long freshDenominator;
    private final OutcomeBuckets buckets;

    private final int[] pointer;
    /** Follow: the last stage that used each resident. */
    private final int[] lastUse;
    /** Heavy-hitter: the accumulated attention of each resident. */
    private final int[] score;
    /** Heavy-hitter: the stage that admitted each resident, 0 for the initial ones. */
    private final int[] admitted;
    /** The law of the cache of stage {@code T}, recorded only by {@link #runOneInput}. */
    private Map<Integer, BigFraction> lastCacheLaw;
    private int usedImages;
    private int revealed;
    private int start;
    private int cache;
    private int firstMiss;

    TrialTree(Kind kind, boolean initialWindow, MissRule missRule, PointerLaw law, int n, int s, long k, int sinks) {
        this.kind = kind;
        this.initialWindow = initialWindow;
        this.missRule = missRule;
        this.law = law;
        this.n = n;
        this.s = s;
        this.k = k;
        this.stages = Stages.count(k);
        this.jumps = new long[stages + 1];
        for (int t = 1; t <= stages; t++) {
            jumps[t] = Stages.jump(t, k);
        }
        this.windowMask = windowMask(n, s, sinks);
        this.subsets = subsetsOfSize(n, s);
        this.stridedMasks = stridedMasks(n, s);
        this.queryAwareMasks = new int[n];
        for (int read = 0; read < n; read++) {
            queryAwareMasks[read] = arcMask(n, s, read);
        }
        this.nearest = nearestTable(n);
        this.freshDenominator = Math.multiplyExact((long) subsets.length, s);
        this.freshTargets = new int[n][];
        this.freshCounts = new long[n][];
        fillFreshKernel();
        this.buckets = new OutcomeBuckets(stages);
        this.pointer = new int[n];
        this.lastUse = new int[n];
        this.score = new int[n];
        this.admitted = new int[n];
    }

    /** Walks every trial with the pointer map revealed on demand, and returns the sums. */
    Enumeration.Result runRevealing() {
        Arrays.fill(pointer, UNKNOWN);
        usedImages = 0;
        revealed = 0;
        runStarts(1);
        return buckets.toResult();
    }

    /** Walks every trial for every one of the {@code n^n} maps or {@code n!} permutations. */
    Enumeration.Result runEveryMap() {
        if (law == PointerLaw.FUNCTION) {
            long mapCount = 1;
            for (int i = 0; i < n; i++) {
                mapCount = Math.multiplyExact(mapCount, n);
            }
            Arrays.fill(pointer, 0);
            for (long map = 0; map < mapCount; map++) {
                runStarts(mapCount);
                advanceOdometer();
            }
        } else {
            long mapCount = 1;
            for (int i = 2; i <= n; i++) {
                mapCount = Math.multiplyExact(mapCount, i);
            }
            permute(0, 0, mapCount);
        }
        return buckets.toResult();
    }

    /**
     * Walks every random choice of the controller and miss rule for one given map and start, and
     * returns the sums together with the law of the cache {@code C_T} read at the last stage.
     *
     * @throws IllegalArgumentException if the controller is random-fresh (its caches are not
     *     materialised), if {@code map} does not have {@code n} values in {@code [0, n)}, or if
     *     {@code x0} is outside {@code [0, n)}
     */
    OneInput runOneInput(int[] map, int x0) {
        if (kind == Kind.RANDOM_FRESH) {
            throw new IllegalArgumentException(
                    "random-fresh draws a new cache at every read, so it has no last cache to record");
        }
        if (map.length != n || Arrays.stream(map).anyMatch(value -> value < 0 || value >= n)) {
            throw new IllegalArgumentException("map must have " + n + " values in [0, " + n + "), got "
                    + Arrays.toString(map));
        }
        if (x0 < 0 || x0 >= n) {
            throw new IllegalArgumentException("x0 must be in [0, " + n + "), got " + x0);
        }
        System.arraycopy(map, 0, pointer, 0, n);
        lastCacheLaw = new HashMap<>();
        start = x0;
        firstMiss = 0;
        chooseInitialCache(1, 1);
        Map<Integer, BigFraction> law = Map.copyOf(lastCacheLaw);
        lastCacheLaw = null;
        return new OneInput(buckets.toResult(), law);
    }

    /**
     * The outcome of {@link #runOneInput}.
     *
     * @param result the sums over the controller's and the miss rule's random choices
     * @param lastCacheLaw the probability of each cache {@code C_T}, as a bit mask of positions
     */
    record OneInput(Enumeration.Result result, Map<Integer, BigFraction> lastCacheLaw) {
    }

    private void advanceOdometer() {
        for (int i = 0; i < n; i++) {
            pointer[i]++;
            if (pointer[i] < n) {
                return;
            }
            pointer[i] = 0;
        }
    }

    private void permute(int position, int usedMask, long mapCount) {
        if (position == n) {
            runStarts(mapCount);
            return;
        }
        for (int image = 0; image < n; image++) {
            if ((usedMask & (1 << image)) == 0) {
                pointer[position] = image;
                permute(position + 1, usedMask | (1 << image), mapCount);
            }
        }
    }

    /** Branches over the start {@code x0}, each of probability {@code 1/n}, times {@code 1/mapWeight}. */
    private void runStarts(long mapWeight) {
        long denominator = Math.multiplyExact(mapWeight, n);
        for (int x0 = 0; x0 < n; x0++) {
            start = x0;
            firstMiss = 0;
            chooseInitialCache(1, denominator);
        }
    }

    private void chooseInitialCache(long numerator, long denominator) {
        Arrays.fill(lastUse, 0);
        Arrays.fill(score, 0);
        Arrays.fill(admitted, 0);
        switch (kind) {
            case RANDOM_FRESH, QUERY_AWARE -> stage(1, start, numerator, denominator);
            case WINDOW -> {
                cache = windowMask;
                stage(1, start, numerator, denominator);
            }
            case RANDOM_FIXED -> branchOverSets(subsets, numerator, denominator);
            case STRIDED -> branchOverSets(stridedMasks, numerator, denominator);
            case FOLLOW, HEAVY_HITTER, TOVA -> {
                if (initialWindow) {
                    cache = windowMask;
                    stage(1, start, numerator, denominator);
                } else {
                    branchOverSets(subsets, numerator, denominator);
                }
            }
            default -> throw new IllegalStateException("unhandled controller " + kind);
        }
    }

    /** Starts stage 1 from each of {@code sets}, each with probability {@code 1/sets.length}. */
    private void branchOverSets(int[] sets, long numerator, long denominator) {
        long setDenominator = Math.multiplyExact(denominator, sets.length);
        for (int set : sets) {
            cache = set;
            stage(1, start, numerator, setDenominator);
        }
    }

    /** Runs stage {@code t}, which reads position {@code read}, or computes the target after stage {@code T}. */
    private void stage(int t, int read, long numerator, long denominator) {
        if (t > stages) {
            // The target walk starts at x0 and carries the final position in place of the attended one.
            walk(stages + 1, read, start, k, numerator, denominator);
            return;
        }
        if (kind == Kind.QUERY_AWARE) {
            // The arc around the read position is chosen after seeing it, so the read always hits.
            int savedCache = cache;
            cache = queryAwareMasks[read];
            attend(t, read, read, numerator, denominator);
            cache = savedCache;
        } else if (kind == Kind.RANDOM_FRESH) {
            int[] targets = freshTargets[read];
            long[] counts = freshCounts[read];
            long stageDenominator = Math.multiplyExact(denominator, freshDenominator);
            for (int i = 0; i < targets.length; i++) {
                attend(t, read, targets[i], Math.multiplyExact(numerator, counts[i]), stageDenominator);
            }
        } else if (isResident(read)) {
            attend(t, read, read, numerator, denominator);
        } else if (missRule == MissRule.NEAREST) {
            attend(t, read, nearest[cache][read], numerator, denominator);
        } else {
            long missDenominator = Math.multiplyExact(denominator, s);
            for (int resident = 0; resident < n; resident++) {
                if (isResident(resident)) {
                    attend(t, read, resident, numerator, missDenominator);
                }
            }
        }
    }

    private void attend(int t, int read, int attended, long numerator, long denominator) {
        int savedFirstMiss = firstMiss;
        if (attended != read && firstMiss == 0) {
            firstMiss = t;
        }
        // Hard attention puts the whole weight of stage t on the attended position.
        score[attended]++;
        walk(t, attended, attended, jumps[t], numerator, denominator);
        score[attended]--;
        firstMiss = savedFirstMiss;
    }

    /**
     * Follows {@code remaining} pointers from {@code position}, branching over every pointer value
     * not yet revealed, then continues with {@link #arrive}. Stage {@code T + 1} is the walk from
     * {@code x0} to the target {@code f^k(x0)}, and then {@code attended} is the final position.
     */
    private void walk(int t, int attended, int position, long remaining, long numerator, long denominator) {
        while (remaining > 0 && pointer[position] != UNKNOWN) {
            position = pointer[position];
            remaining--;
        }
        if (remaining == 0) {
            arrive(t, attended, position, numerator, denominator);
            return;
        }
        if (law == PointerLaw.FUNCTION) {
            long revealDenominator = Math.multiplyExact(denominator, n);
            for (int image = 0; image < n; image++) {
                pointer[position] = image;
                walk(t, attended, image, remaining - 1, numerator, revealDenominator);
            }
        } else {
            // A uniform permutation revealed one value at a time: uniform over the unused images.
            long revealDenominator = Math.multiplyExact(denominator, n - revealed);
            revealed++;
            for (int image = 0; image < n; image++) {
                if ((usedImages & (1 << image)) == 0) {
                    pointer[position] = image;
                    usedImages |= 1 << image;
                    walk(t, attended, image, remaining - 1, numerator, revealDenominator);
                    usedImages &= ~(1 << image);
                }
            }
            revealed--;
        }
        pointer[position] = UNKNOWN;
    }

    private void arrive(int t, int attended, int value, long numerator, long denominator) {
        if (t == stages + 1) {
            buckets.add(numerator, denominator, firstMiss, attended == value);
            if (lastCacheLaw != null) {
                lastCacheLaw.merge(cache, new BigFraction(numerator, denominator), BigFraction::add);
            }
        } else if (kind == Kind.FOLLOW && t < stages) {
            updateFollow(t, attended, value, numerator, denominator);
        } else if (kind.isAdaptive() && t < stages && !isResident(value)) {
            int candidates = kind == Kind.HEAVY_HITTER ? heavyHitterCandidates() : tovaCandidates(attended);
            evictAndAdmit(t, value, candidates, numerator, denominator);
        } else {
            // Oblivious rules, the last stage, and a named position already resident keep the cache.
            stage(t + 1, value, numerator, denominator);
        }
    }

    /**
     * Returns the heavy-hitter eviction candidates: the residents of smallest accumulated
     * attention and, among them, of smallest admission stage.
     */
    private int heavyHitterCandidates() {
        int lowestScore = Integer.MAX_VALUE;
        for (int resident = 0; resident < n; resident++) {
            if (isResident(resident)) {
                lowestScore = Math.min(lowestScore, score[resident]);
            }
        }
        int oldest = Integer.MAX_VALUE;
        for (int resident = 0; resident < n; resident++) {
            if (isResident(resident) && score[resident] == lowestScore) {
                oldest = Math.min(oldest, admitted[resident]);
            }
        }
        int candidates = 0;
        for (int resident = 0; resident < n; resident++) {
            if (isResident(resident) && score[resident] == lowestScore && admitted[resident] == oldest) {
                candidates |= 1 << resident;
            }
        }
        return candidates;
    }

    /**
     * Returns the TOVA eviction candidates: the residents of smallest attention at the current
     * stage, which is 1 for the attended position and 0 for every other resident.
     */
    private int tovaCandidates(int attended) {
        int unattended = cache & ~(1 << attended);
        return unattended != 0 ? unattended : cache;
    }

    /**
     * Evicts one of {@code candidates}, each with equal probability, admits {@code value} (not
     * resident) with accumulated attention 0 and admission stage {@code t}, and runs stage
     * {@code t + 1}.
     */
    private void evictAndAdmit(int t, int value, int candidates, long numerator, long denominator) {
        long evictionDenominator = Math.multiplyExact(denominator, Integer.bitCount(candidates));
        int savedCache = cache;
        int savedScore = score[value];
        int savedAdmitted = admitted[value];
        score[value] = 0;
        admitted[value] = t;
        for (int evicted = 0; evicted < n; evicted++) {
            if ((candidates & (1 << evicted)) != 0) {
                cache = (savedCache & ~(1 << evicted)) | (1 << value);
                stage(t + 1, value, numerator, evictionDenominator);
            }
        }
        cache = savedCache;
        score[value] = savedScore;
        admitted[value] = savedAdmitted;
    }

    /**
     * Applies the follow rule after stage {@code t < T}. The attended position and a resident
     * value get {@code lastUse = t}. A value not resident is admitted with {@code lastUse = t} in
     * place of a resident of smallest {@code lastUse}, chosen uniformly among the tied ones.
     */
    private void updateFollow(int t, int attended, int value, long numerator, long denominator) {
        int savedAttendedUse = lastUse[attended];
        lastUse[attended] = t;
        if (isResident(value)) {
            int savedValueUse = lastUse[value];
            lastUse[value] = t;
            stage(t + 1, value, numerator, denominator);
            lastUse[value] = savedValueUse;
        } else {
            int oldest = Integer.MAX_VALUE;
            for (int resident = 0; resident < n; resident++) {
                if (isResident(resident)) {
                    oldest = Math.min(oldest, lastUse[resident]);
                }
            }
            int tiedMask = 0;
            for (int resident = 0; resident < n; resident++) {
                if (isResident(resident) && lastUse[resident] == oldest) {
                    tiedMask |= 1 << resident;
                }
            }
            long evictionDenominator = Math.multiplyExact(denominator, Integer.bitCount(tiedMask));
            int savedCache = cache;
            int savedValueUse = lastUse[value];
            for (int evicted = 0; evicted < n; evicted++) {
                if ((tiedMask & (1 << evicted)) != 0) {
                    cache = (savedCache & ~(1 << evicted)) | (1 << value);
                    lastUse[value] = t;
                    stage(t + 1, value, numerator, evictionDenominator);
                }
            }
            cache = savedCache;
            lastUse[value] = savedValueUse;
        }
        lastUse[attended] = savedAttendedUse;
    }

    private boolean isResident(int position) {
        return (cache & (1 << position)) != 0;
    }

    /**
     * Fills the random-fresh read kernel: over all {@code s}-subsets and, for the uniform miss rule,
     * all residents, the weight of each attended position, out of {@code C(n, s) * s}.
     */
    private void fillFreshKernel() {
        for (int read = 0; read < n; read++) {
            long[] weight = new long[n];
            for (int subset : subsets) {
                if ((subset & (1 << read)) != 0) {
                    weight[read] += s;
                } else if (missRule == MissRule.NEAREST) {
                    weight[nearest[subset][read]] += s;
                } else {
                    for (int resident = 0; resident < n; resident++) {
                        if ((subset & (1 << resident)) != 0) {
                            weight[resident] += 1;
                        }
                    }
                }
            }
            int targetCount = 0;
            for (long w : weight) {
                if (w > 0) {
                    targetCount++;
                }
            }
            freshTargets[read] = new int[targetCount];
            freshCounts[read] = new long[targetCount];
            int next = 0;
            for (int position = 0; position < n; position++) {
                if (weight[position] > 0) {
                    freshTargets[read][next] = position;
                    freshCounts[read][next] = weight[position];
                    next++;
                }
            }
        }
    }

    /** Returns the window mask: positions {@code 0..w0-1} and the last {@code s - w0}, {@code w0 = min(sinks, s)}. */
    static int windowMask(int n, int s, int sinks) {
        int sinkCount = Math.min(sinks, s);
        int mask = 0;
        for (int position = 0; position < sinkCount; position++) {
            mask |= 1 << position;
        }
        for (int position = n - (s - sinkCount); position < n; position++) {
            mask |= 1 << position;
        }
        return mask;
    }

    /**
     * Returns the strided sets {@code {o + j * stride : j = 0..s-1}} with {@code stride = floor(n/s)},
     * one for each offset {@code o} in {@code [0, stride)}.
     */
    static int[] stridedMasks(int n, int s) {
        int stride = n / s;
        int[] masks = new int[stride];
        for (int offset = 0; offset < stride; offset++) {
            for (int j = 0; j < s; j++) {
                masks[offset] |= 1 << (offset + j * stride);
            }
        }
        return masks;
    }

    /**
     * Returns the {@code s} positions of smallest rank around {@code centre}: the centre, then
     * increasing circular distance, and at equal distance the smaller position first.
     */
    static int arcMask(int n, int s, int centre) {
        Integer[] order = new Integer[n];
        for (int position = 0; position < n; position++) {
            order[position] = position;
        }
        // A stable sort by distance keeps ascending positions at equal distance.
        Arrays.sort(order, (a, b) -> Integer.compare(circularDistance(n, centre, a), circularDistance(n, centre, b)));
        int mask = 0;
        for (int i = 0; i < s; i++) {
            mask |= 1 << order[i];
        }
        return mask;
    }

    private static int circularDistance(int n, int a, int b) {
        int gap = Math.abs(a - b);
        return Math.min(gap, n - gap);
    }

    private static int[] subsetsOfSize(int n, int s) {
        return IntStream.range(0, 1 << n)
                .filter(mask -> Integer.bitCount(mask) == s)
                .toArray();
    }

    /**
     * Returns the nearest resident for every non-empty mask and position: minimal circular
     * distance {@code min(|p - r|, n - |p - r|)}, ties to the smaller position.
     */
    static int[][] nearestTable(int n) {
        int[][] table = new int[1 << n][n];
        for (int mask = 1; mask < 1 << n; mask++) {
            for (int read = 0; read < n; read++) {
                int best = -1;
                int bestDistance = Integer.MAX_VALUE;
                // Ascending positions with a strict comparison keep the smaller position on ties.
                for (int position = 0; position < n; position++) {
                    if ((mask & (1 << position)) != 0) {
                        int gap = Math.abs(position - read);
                        int distance = Math.min(gap, n - gap);
                        if (distance < bestDistance) {
                            bestDistance = distance;
                            best = position;
                        }
                    }
                }
                table[mask][read] = best;
            }
        }
        return table;
    }
}
