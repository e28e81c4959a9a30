package dev.kvcache.engine.dense;

import dev.kvcache.engine.cache.CircularOrder;
import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.Stages;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * The layer values {@code V_t} of the full-compression scenario, in which every position reads
 * through the compressed caches. The construction is described in {@link DenseEngine}.
 *
 * <p>Notation: {@code D_j} is the layer of jump {@code 2^j} built by doubling, {@code D_0 = f} and
 * {@code D_j(i) = D_(j-1)(R_j(D_(j-1)(i)))}, where {@code R_u(p)} is {@code p} when {@code p} is
 * resident in the cache {@code C_u} of stage {@code u} and the miss rule's resident otherwise. So
 * {@code V_t = D_(t-1)} for {@code t < T}. The last layer follows the binary digits of {@code h_T}
 * from the lowest: the lowest digit {@code b0} gives {@code D_b0(i)} with no read, and every
 * higher digit {@code b} maps {@code p} to {@code D_b(R_(b+1)(p))}. Values of {@code D_b} are
 * read through {@code C_(b+1)}, the cache of the stage whose query reads them.
 *
 * <p>A trial calls {@link #begin}, then {@link #afterStage} at every stage {@code u < T} with the
 * cache {@code C_u} (after the query's read, before an adaptive controller's update), and
 * {@link #prepareFinal} at stage {@code T} with {@code C_T}. In events mode the query never needs
 * {@code V_T}, so only the layers of stages {@code t < T} are built. Memory: up to four
 * {@code int} arrays of {@code n} entries plus one {@code boolean} array.
 */
final class CompressedLayers {
    private final int n;
    private final int stages;
    private final long lastJump;
    private final MissRule missRule;
    private final UniformRandomProvider rng;

    /** {@code V_u} while stage {@code u < T} runs; {@code D_(T-1)} at stage {@code T} when built. */
    private int[] current;
    private int[] bufferA;
    private int[] bufferB;
    /** The last layer as its binary digits are folded in. */
    private int[] partial;
    private boolean partialStarted;
    private int[] finalLayer;
    private boolean answers;

    /** The cache whose reads {@link #resolve} serves, and its nearest-resident table. */
    private ResidentSet stageCache;
    private int[] readTable;
    private boolean[] resident;

    CompressedLayers(int n, long k, MissRule missRule, UniformRandomProvider rng) {
        this.n = n;
        this.stages = Stages.count(k);
        this.lastJump = Stages.jump(stages, k);
        this.missRule = missRule;
        this.rng = rng;
    }

    /**
     * Starts a trial on the pointer map {@code f}, which must stay unchanged until the trial ends.
     * With {@code answers} false only the layers of stages {@code t < T} are built.
     */
    void begin(int[] f, boolean answers) {
        this.answers = answers;
        partialStarted = false;
        finalLayer = null;
        if (stages > 1) {
            current = f;
            return;
        }
        // T = 1 means k = 2 and h_1 = 2: no earlier stage exists to read through, so V_1 = f^2 exactly.
        bufferA = allocate(bufferA);
        for (int i = 0; i < n; i++) {
            bufferA[i] = f[f[i]];
        }
        current = bufferA;
    }

    /** Returns {@code V_t(p)}; stage {@code t}'s layer must be ready. */
    int value(int t, int p) {
        if (t < stages) {
            return current[p];
        }
        if (finalLayer == null) {
            throw new IllegalStateException("the last layer is built by prepareFinal, which was not called");
        }
        return finalLayer[p];
    }

    /**
     * Builds what stage {@code u < T} contributes through its cache {@code C_u}: the digit
     * {@code u - 1} of {@code h_T} (answers mode only) and the next doubled layer {@code D_u}
     * when a later stage reads it.
     */
    void afterStage(int u, ResidentSet cache) {
        boolean foldDigit = answers && hasDigit(u - 1);
        boolean doubleLayer = u + 1 < stages || (answers && u + 1 == stages && hasDigit(stages - 1));
        if (!foldDigit && !doubleLayer) {
            return;
        }
        resolveThrough(cache);
        if (foldDigit) {
            foldDigit();
        }
        if (doubleLayer) {
            int[] target = current == bufferA ? (bufferB = allocate(bufferB)) : (bufferA = allocate(bufferA));
            int[] source = current;
            for (int i = 0; i < n; i++) {
                target[i] = source[resolve(source[i])];
            }
            current = target;
        }
    }

    /** Builds {@code V_T} at stage {@code T}, reading the top digit's layer through {@code C_T} if needed. */
    void prepareFinal(ResidentSet cache) {
        if (stages == 1) {
            finalLayer = current;
            return;
        }
        if (hasDigit(stages - 1)) {
            if (!partialStarted) {
                // h_T = 2^(T-1): the last layer is D_(T-1) itself.
                finalLayer = current;
                return;
            }
            resolveThrough(cache);
            foldDigit();
        }
        finalLayer = partial;
    }

    private boolean hasDigit(int b) {
        return b < 63 && ((lastJump >>> b) & 1) == 1;
    }

    /** Folds the digit whose layer is {@code current}: the lowest digit is local, later ones read. */
    private void foldDigit() {
        partial = allocate(partial);
        if (!partialStarted) {
            System.arraycopy(current, 0, partial, 0, n);
            partialStarted = true;
            return;
        }
        for (int i = 0; i < n; i++) {
            partial[i] = current[resolve(partial[i])];
        }
    }

    // ---- reads through one stage's cache ----

    private void resolveThrough(ResidentSet cache) {
        stageCache = cache;
        if (missRule == MissRule.NEAREST) {
            fillNearestTable(cache);
        }
    }

    /** Returns {@code R(p)} for the cache of {@link #resolveThrough}; the uniform rule draws per read. */
    private int resolve(int p) {
        if (missRule == MissRule.NEAREST) {
            return readTable[p];
        }
        return stageCache.contains(p) ? p : (int) stageCache.uniformMember();
    }

    /**
     * Fills {@code readTable[p]} with {@code p} for residents and with the nearest resident in
     * {@link CircularOrder} otherwise: one sweep up the circle finds the first resident at or below
     * each position, one sweep down the first at or above, and the closer of the two wins, the
     * smaller position at equal distance. The sweeps use selects rather than branches on
     * membership, which a random cache would make unpredictable.
     */
    private void fillNearestTable(ResidentSet cache) {
        readTable = allocate(readTable);
        if (resident == null) {
            resident = new boolean[n];
        }
        for (int p = 0; p < n; p++) {
            resident[p] = cache.contains(p);
        }

        int firstResident = 0;
        while (firstResident < n && !resident[firstResident]) {
            firstResident++;
        }
        if (firstResident == n) {
            throw new IllegalStateException("a stage's cache is empty, so a missed read has no resident to attend to");
        }
        int lastResident = n - 1;
        while (!resident[lastResident]) {
            lastResident--;
        }

        // Below position 0 the circle continues at n - 1, so the sweep starts from the last resident.
        int below = lastResident;
        for (int p = 0; p < n; p++) {
            below = resident[p] ? p : below;
            readTable[p] = below;
        }

        int above = firstResident;
        for (int p = n - 1; p >= 0; p--) {
            above = resident[p] ? p : above;
            int down = readTable[p];
            int downDistance = circularDistance(p, down);
            int upDistance = circularDistance(p, above);
            boolean upWins = upDistance < downDistance || (upDistance == downDistance && above < down);
            readTable[p] = upWins ? above : down;
        }
    }

    private int circularDistance(int a, int b) {
        int d = Math.abs(a - b);
        return Math.min(d, n - d);
    }

    private int[] allocate(int[] buffer) {
        return buffer != null ? buffer : new int[n];
    }
}
