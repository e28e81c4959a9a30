package dev.kvcache.engine.exact;

import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import dev.kvcache.engine.task.Stages;
import java.util.Arrays;
import java.util.stream.IntStream;

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
        RANDOM_FRESH, RANDOM_FIXED, WINDOW, FOLLOW
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
    /** {@code nearest[mask][r]}: the resident of {@code mask} nearest to {@code r} in circular distance. */
    private final int[][] nearest;
    /** For random-fresh: the attended positions after reading {@code r}, with integer weights. */
    private final int[][] freshTargets;
    private final long[][] freshCounts;
    private final long freshDenominator;
    private final OutcomeBuckets buckets;

    private final int[] pointer;
    private final int[] lastUse;
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
        this.nearest = nearestTable(n);
        this.freshDenominator = Math.multiplyExact((long) subsets.length, s);
        this.freshTargets = new int[n][];
        this.freshCounts = new long[n][];
        fillFreshKernel();
        this.buckets = new OutcomeBuckets(stages);
        this.pointer = new int[n];
        this.lastUse = new int[n];
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
        switch (kind) {
            case RANDOM_FRESH -> stage(1, start, numerator, denominator);
            case WINDOW -> {
                cache = windowMask;
                stage(1, start, numerator, denominator);
            }
            case RANDOM_FIXED -> branchOverSubsets(numerator, denominator);
            case FOLLOW -> {
                if (initialWindow) {
                    cache = windowMask;
                    stage(1, start, numerator, denominator);
                } else {
                    branchOverSubsets(numerator, denominator);
                }
            }
            default -> throw new IllegalStateException("unhandled controller " + kind);
        }
    }

    private void branchOverSubsets(long numerator, long denominator) {
        long subsetDenominator = Math.multiplyExact(denominator, subsets.length);
        for (int subset : subsets) {
            cache = subset;
            stage(1, start, numerator, subsetDenominator);
        }
    }

    /** Runs stage {@code t}, which reads position {@code read}, or computes the target after stage {@code T}. */
    private void stage(int t, int read, long numerator, long denominator) {
        if (t > stages) {
            // The target walk starts at x0 and carries the final position in place of the attended one.
            walk(stages + 1, read, start, k, numerator, denominator);
            return;
        }
        if (kind == Kind.RANDOM_FRESH) {
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
        walk(t, attended, attended, jumps[t], numerator, denominator);
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
        } else if (kind == Kind.FOLLOW && t < stages) {
            updateFollow(t, attended, value, numerator, denominator);
        } else {
            stage(t + 1, value, numerator, denominator);
        }
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
