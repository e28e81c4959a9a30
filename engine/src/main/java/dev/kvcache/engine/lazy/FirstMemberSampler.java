package dev.kvcache.engine.lazy;

import org.apache.commons.rng.UniformRandomProvider;

/**
 * Samples where the first member of a uniformly random subset falls in a fixed scan order.
 *
 * <p>Given {@code total} undecided positions in a fixed order, of which a uniformly random
 * {@code members}-subset are members, returns {@code J}, the number of non-members scanned before
 * the first member. Its law is {@code P(J >= j) = C(total - j, members) / C(total, members)}.
 * Three methods, chosen by cost:
 * <ul>
 *   <li>a short expected scan ({@code total / members} at most {@value #SCAN_LIMIT}): decide the
 *       positions one by one, each a member with probability {@code members / remaining}; exact;</li>
 *   <li>few members (at most {@value #FEW_MEMBERS}): draw the members' ranks without replacement
 *       (Floyd's algorithm) and take the smallest; exact;</li>
 *   <li>otherwise: invert {@code P(J >= j)} at a 53-bit uniform variate by Newton steps and a final
 *       integer check, with {@code log P(J >= j)} from a series in {@code members / (total - j)},
 *       which is below {@code 1 / SCAN_LIMIT} there.</li>
 * </ul>
 *
 * <p>NOTE: the third method follows the law up to the 53-bit resolution of the variate and the
 * series remainder, about {@code members * (members / total)^13} in {@code log P(J >= j)}: far
 * below what any Monte Carlo run can detect for caches up to {@code 2^40} residents.
 */
final class FirstMemberSampler {
    static final int FEW_MEMBERS = 64;
    static final long SCAN_LIMIT = 64;
    /** Correction terms of the series; Bernoulli numbers B_0..B_12 below. */
    private static final int SERIES_TERMS = 12;
    private static final double[] BERNOULLI = {
        1.0, -0.5, 1.0 / 6, 0, -1.0 / 30, 0, 1.0 / 42, 0, -1.0 / 30, 0, 5.0 / 66, 0, -691.0 / 2730,
    };

    private final long[] ranks = new long[FEW_MEMBERS];
    private final double[] scaledSums = new double[SERIES_TERMS + 1];
    /** The arguments of the last fill of {@link #scaledSums}. A fill with the same arguments is skipped. */
    private long filledMembers = -1;
    private long filledTotal = -1;

    /**
     * Returns the number of non-members before the first member, in {@code [0, total - members]}.
     *
     * @throws IllegalArgumentException unless {@code 1 <= members <= total}
     */
    long sample(long total, long members, UniformRandomProvider rng) {
        if (members < 1 || members > total) {
            throw new IllegalArgumentException("members must be in [1, total = " + total + "], got " + members);
        }
        if (members == total) {
            return 0;
        }
        if (total / members <= SCAN_LIMIT) {
            return scan(total, members, rng);
        }
        if (members <= FEW_MEMBERS) {
            return smallestOfDistinct(total, (int) members, rng);
        }
        return invert(total, members, rng);
    }

    private static long scan(long total, long members, UniformRandomProvider rng) {
        long skipped = 0;
        long remaining = total;
        while (rng.nextLong(remaining) >= members) {
            remaining--;
            skipped++;
        }
        return skipped;
    }

    /** Floyd's sampling of {@code count} distinct ranks in {@code [0, total)}; returns the smallest. */
    private long smallestOfDistinct(long total, int count, UniformRandomProvider rng) {
        int size = 0;
        long smallest = Long.MAX_VALUE;
        for (long j = total - count; j < total; j++) {
            long candidate = rng.nextLong(j + 1);
            boolean taken = false;
            for (int i = 0; i < size; i++) {
                if (ranks[i] == candidate) {
                    taken = true;
                    break;
                }
            }
            long chosen = taken ? j : candidate;
            ranks[size++] = chosen;
            smallest = Math.min(smallest, chosen);
        }
        return smallest;
    }

    private long invert(long total, long members, UniformRandomProvider rng) {
        // u is uniform on (0, 1] with 53 bits, and J = max { j : P(J >= j) >= u }.
        double logU = Math.log(((rng.nextLong() >>> 11) + 1) * 0x1.0p-53);
        fillScaledSums(members, total);
        long limit = total - members;
        // Leading term: P(J >= j) ~ (1 - j/total)^members.
        double guess = -total * Math.expm1(logU / members);
        for (int step = 0; step < 3; step++) {
            double j = Math.min(Math.max(guess, 0), limit);
            double slope = members / (total - j);
            guess = j + (logSurvival(j, total, members) - logU) / slope;
        }
        long j = (long) Math.min(Math.max(Math.floor(guess), 0), limit);
        while (j < limit && logSurvival(j + 1, total, members) >= logU) {
            j++;
        }
        while (j > 0 && logSurvival(j, total, members) < logU) {
            j--;
        }
        return j;
    }

    /**
     * Returns {@code log P(J >= j) = log C(N - j, m) - log C(N, m)} for {@code m = members},
     * {@code N = total}, from {@code sum_{i<m} log(x - i) = m log x - sum_r S_r / (r x^r)} with
     * {@code S_r = sum_{i<m} i^r}, which converges fast while {@code m / (N - j)} is small.
     */
    double logSurvival(double j, long total, long members) {
        double log1mq = Math.log1p(-j / total);
        double value = members * log1mq;
        for (int r = 1; r <= SERIES_TERMS; r++) {
            // S_r / N^r * ((1 - q)^-r - 1) / r
            value -= scaledSums[r] * Math.expm1(-r * log1mq) / r;
        }
        return value;
    }

    /**
     * Fills {@code S_r / N^r} for {@code r = 1..SERIES_TERMS} by Faulhaber's formula,
     * {@code S_r = (1/(r+1)) sum_{j=0}^{r} C(r+1, j) B_j m^(r+1-j)} with {@code B_1 = -1/2},
     * written as powers of {@code m / N} and {@code 1 / m} so nothing overflows.
     */
    void fillScaledSums(long members, long total) {
        if (members == filledMembers && total == filledTotal) {
            return;
        }
        double m = members;
        double ratio = m / total;
        double ratioPower = 1;
        for (int r = 1; r <= SERIES_TERMS; r++) {
            ratioPower *= ratio;
            double sum = 0;
            double binomial = 1;
            double inversePower = 1;
            for (int j = 0; j <= r; j++) {
                sum += binomial * BERNOULLI[j] * inversePower;
                binomial = binomial * (r + 1 - j) / (j + 1);
                inversePower /= m;
            }
            scaledSums[r] = m * ratioPower * sum / (r + 1);
        }
        filledMembers = members;
        filledTotal = total;
    }
}
