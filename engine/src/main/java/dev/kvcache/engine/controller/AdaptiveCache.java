package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.ResidentSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * The cache of an adaptive controller over one trial, with the per-resident statistics that
 * eviction rules score: the stage of last use, the accumulated attention, the attention of the
 * current stage and the stage of admission.
 *
 * <p>It enforces the locality rule of the class: during an update, only the two positions of the
 * stage's trace may be admitted, a resident cannot be admitted, and the update must end with
 * exactly {@code s} residents. A violation throws {@link LocalityViolationException} naming the
 * controller, the stage and the position.
 *
 * <p>Residents no query has named yet ({@link ResidentSet#anonymousCount() anonymous}) all have
 * the initial statistics (zeros), so an eviction that ties among them picks one uniformly, which
 * keeps lazy sets exact.
 */
public final class AdaptiveCache {

    /** A per-resident statistic an eviction rule can minimise. */
    public enum Statistic {
        /** The last stage that attended to or named the resident; 0 for the initial residents. */
        LAST_USE,
        /** The attention accumulated over all stages so far. */
        ACCUMULATED_ATTENTION,
        /** The attention of the stage just run. */
        CURRENT_ATTENTION,
        /** The stage the resident was admitted at; 0 for the initial residents. */
        ADMITTED_AT
    }

    private final String controllerName;
    private final long capacity;
    private final UniformRandomProvider rng;
    private ResidentSet set;

    private long[] positions = new long[16];
    private double[][] statistics = new double[Statistic.values().length][16];
    private int recordCount;
    private final int[] minimisers = new int[64];

    private Trace openTrace;

    AdaptiveCache(String controllerName, long capacity, UniformRandomProvider rng) {
        this.controllerName = controllerName;
        this.capacity = capacity;
        this.rng = rng;
    }

    /** Creates the cache an engine runs an adaptive controller with. */
    public static AdaptiveCache forController(AdaptiveController controller, long capacity, UniformRandomProvider rng) {
        return new AdaptiveCache(controller.name(), capacity, rng);
    }

    /** Starts a trial with the initial cache {@code C_1}. */
    public void beginTrial(ResidentSet initial) {
        if (initial.size() != capacity) {
            throw new IllegalStateException("initial cache of controller '" + controllerName + "' has "
                + initial.size() + " residents, expected " + capacity);
        }
        set = initial;
        recordCount = 0;
        openTrace = null;
    }

    /** Returns the resident set the query reads from. */
    public ResidentSet residents() {
        return set;
    }

    public long capacity() {
        return capacity;
    }

    // ---- the engine's side: reads and attention ----

    /** Returns whether {@code p} is resident (a query read); a resident becomes known. */
    public boolean lookup(long p) {
        boolean resident = set.contains(p);
        if (resident) {
            recordIndex(p);
        }
        return resident;
    }

    /** Returns the nearest resident to the non-resident {@code p}; see {@link ResidentSet#nearest}. */
    public long nearest(long p) {
        long q = set.nearest(p);
        recordIndex(q);
        return q;
    }

    /** Returns a uniformly random resident. */
    public long uniformMember() {
        long q = set.uniformMember();
        recordIndex(q);
        return q;
    }

    /**
     * Records hard attention at stage {@code t}: all weight on {@code attended}, which becomes the
     * most recently used resident. Every other resident's current attention is 0.
     */
    public void recordHardAttention(int t, long attended) {
        double[] current = statistics[Statistic.CURRENT_ATTENTION.ordinal()];
        Arrays.fill(current, 0, recordCount, 0.0);
        int i = recordIndex(attended);
        current[i] = 1.0;
        statistics[Statistic.ACCUMULATED_ATTENTION.ordinal()][i] += 1.0;
        statistics[Statistic.LAST_USE.ordinal()][i] = t;
    }

    /**
     * Records soft attention at stage {@code t}: for {@code i < count}, resident
     * {@code residents[i]} receives the weight {@code weights[i]}, and every resident not listed
     * receives 0. A listed resident's current attention becomes its weight and its accumulated
     * attention grows by the weight. {@code attended}, the resident whose value the query read,
     * becomes the most recently used whether it is listed or not. Listed residents and
     * {@code attended} become known. With {@code attended} listed alone at weight 1 this records
     * the same statistics as {@link #recordHardAttention}.
     *
     * @param t the stage, from 1
     * @param attended the resident the query read
     * @param residents the weighted residents in entries {@code [0, count)}
     * @param weights their attention weights in entries {@code [0, count)}
     * @param count the number of listed residents
     * @throws IllegalArgumentException if {@code count} is negative or larger than either array,
     *     a weight is negative, infinite or NaN, or a resident is listed twice
     * @throws IllegalStateException if {@code attended} or a listed position is not resident
     */
    public void recordAttention(int t, long attended, long[] residents, double[] weights, int count) {
        if (count < 0 || count > residents.length || count > weights.length) {
            throw new IllegalArgumentException("count must be in [0, " + Math.min(residents.length, weights.length)
                + "], got " + count);
        }
        Set<Long> listed = new HashSet<>(2 * count);
        for (int i = 0; i < count; i++) {
            if (!(weights[i] >= 0 && weights[i] < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("attention weight of position " + residents[i]
                    + " must be finite and non-negative, got " + weights[i]);
            }
            if (!listed.add(residents[i])) {
                throw new IllegalArgumentException("position " + residents[i] + " is listed twice");
            }
            if (!set.contains(residents[i])) {
                throw new IllegalStateException("attention weight given to position " + residents[i]
                    + ", which is not resident in the cache of controller '" + controllerName + "'");
            }
        }
        if (!set.contains(attended)) {
            throw new IllegalStateException("attended position " + attended
                + " is not resident in the cache of controller '" + controllerName + "'");
        }

        // The records are looked up by a map because soft attention may list every resident.
        Map<Long, Integer> recordOf = new HashMap<>(2 * (recordCount + count + 1));
        for (int i = 0; i < recordCount; i++) {
            recordOf.put(positions[i], i);
        }
        Arrays.fill(statistics[Statistic.CURRENT_ATTENTION.ordinal()], 0, recordCount, 0.0);
        for (int i = 0; i < count; i++) {
            int r = recordOf.computeIfAbsent(residents[i], this::appendRecord);
            // Read the columns after appendRecord, which may have replaced them by larger arrays.
            statistics[Statistic.CURRENT_ATTENTION.ordinal()][r] = weights[i];
            statistics[Statistic.ACCUMULATED_ATTENTION.ordinal()][r] += weights[i];
        }
        int a = recordOf.computeIfAbsent(attended, this::appendRecord);
        statistics[Statistic.LAST_USE.ordinal()][a] = t;
    }

    /** Opens the update after the stage of {@code trace}; only its positions may be admitted. */
    public void openUpdate(Trace trace) {
        openTrace = trace;
    }

    /**
     * Closes the update.
     *
     * @throws LocalityViolationException if the cache does not hold exactly {@code s} residents
     */
    public void closeUpdate() {
        if (set.size() != capacity) {
            throw new LocalityViolationException("controller '" + controllerName + "' left " + set.size()
                + " residents after stage " + openTrace.stage() + "; an adaptive controller must keep exactly "
                + capacity);
        }
        openTrace = null;
    }

    // ---- the controller's side ----

    /** Returns whether {@code p} is resident; a resident becomes known. */
    public boolean isResident(long p) {
        return lookup(p);
    }

    /** Sets the last use of resident {@code p} to stage {@code t}. */
    public void touch(long p, int t) {
        int i = indexOf(p);
        if (i < 0) {
            throw new IllegalStateException("touch(" + p + "): not a known resident of controller '" + controllerName + "'");
        }
        statistics[Statistic.LAST_USE.ordinal()][i] = t;
    }

    /**
     * Admits {@code p} after the open stage, with last use and admission stage set to that stage.
     *
     * @throws LocalityViolationException if no update is open, {@code p} is not one of the trace's
     *     positions, or {@code p} is already resident
     */
    public void admit(long p) {
        if (openTrace == null) {
            throw new LocalityViolationException("controller '" + controllerName + "' admitted position " + p
                + " outside an update");
        }
        if (p != openTrace.attended() && p != openTrace.named()) {
            throw new LocalityViolationException("controller '" + controllerName + "' admitted position " + p
                + " after stage " + openTrace.stage() + ", but that stage's trace referenced only positions "
                + openTrace.attended() + " (attended) and " + openTrace.named()
                + " (named); an adaptive controller may admit only referenced positions");
        }
        if (lookup(p)) {
            throw new LocalityViolationException("controller '" + controllerName + "' admitted position " + p
                + " after stage " + openTrace.stage() + ", but it is already resident");
        }
        set.admit(p);
        int i = recordIndex(p);
        statistics[Statistic.LAST_USE.ordinal()][i] = openTrace.stage();
        statistics[Statistic.ADMITTED_AT.ordinal()][i] = openTrace.stage();
    }

    /**
     * Evicts the resident with the smallest {@code primary} statistic, then the smallest
     * {@code secondary} among those; remaining ties are broken uniformly at random.
     *
     * @param secondary the tie-breaking statistic, or {@code null} for none
     * @return the evicted position, or {@code -1} when an anonymous resident was evicted
     */
    public long evictLowest(Statistic primary, Statistic secondary) {
        double bestPrimary = Double.POSITIVE_INFINITY;
        double bestSecondary = Double.POSITIVE_INFINITY;
        long anonymous = set.anonymousCount();
        if (anonymous > 0) {
            bestPrimary = 0;
            bestSecondary = 0;
        }
        double[] first = statistics[primary.ordinal()];
        double[] second = secondary == null ? null : statistics[secondary.ordinal()];
        for (int i = 0; i < recordCount; i++) {
            double a = first[i];
            double b = second == null ? 0 : second[i];
            if (a < bestPrimary || (a == bestPrimary && b < bestSecondary)) {
                bestPrimary = a;
                bestSecondary = b;
            }
        }
        int tied = 0;
        int[] chosen = recordCount <= minimisers.length ? minimisers : new int[recordCount];
        for (int i = 0; i < recordCount; i++) {
            double b = second == null ? 0 : second[i];
            if (first[i] == bestPrimary && b == bestSecondary) {
                chosen[tied++] = i;
            }
        }
        long anonymousTied = (anonymous > 0 && bestPrimary == 0 && bestSecondary == 0) ? anonymous : 0;
        long total = tied + anonymousTied;
        if (total == 0) {
            throw new IllegalStateException("controller '" + controllerName + "' tried to evict from an empty cache");
        }
        long pick = rng.nextLong(total);
        if (pick >= tied) {
            return set.evictAnonymous();
        }
        int i = chosen[(int) pick];
        long position = positions[i];
        set.evict(position);
        removeRecord(i);
        return position;
    }

    /** Returns a statistic of known resident {@code p}. */
    public double statistic(long p, Statistic statistic) {
        int i = indexOf(p);
        if (i < 0) {
            throw new IllegalStateException("statistic(" + p + "): not a known resident of controller '" + controllerName + "'");
        }
        return statistics[statistic.ordinal()][i];
    }

    // ---- records ----

    private int indexOf(long p) {
        for (int i = 0; i < recordCount; i++) {
            if (positions[i] == p) {
                return i;
            }
        }
        return -1;
    }

    /** Returns the record of resident {@code p}, creating it with the initial statistics. */
    private int recordIndex(long p) {
        int i = indexOf(p);
        if (i >= 0) {
            return i;
        }
        return appendRecord(p);
    }

    /** Adds a record with the initial statistics for resident {@code p}, which has none, and returns its index. */
    private int appendRecord(long p) {
        set.markKnown(p);
        if (recordCount == positions.length) {
            positions = Arrays.copyOf(positions, recordCount * 2);
            for (int s = 0; s < statistics.length; s++) {
                statistics[s] = Arrays.copyOf(statistics[s], recordCount * 2);
            }
        }
        positions[recordCount] = p;
        for (double[] column : statistics) {
            column[recordCount] = 0;
        }
        return recordCount++;
    }

    private void removeRecord(int i) {
        int last = --recordCount;
        positions[i] = positions[last];
        for (double[] column : statistics) {
            column[i] = column[last];
        }
    }
}
