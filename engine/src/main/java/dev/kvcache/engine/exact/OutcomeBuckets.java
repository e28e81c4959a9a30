package dev.kvcache.engine.exact;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * Exact sums of the probabilities of enumerated trial outcomes. Every outcome arrives as a
 * fraction {@code numerator / denominator} of 64-bit integers, and numerators are added in one
 * bucket per denominator, so the only fraction arithmetic happens once per distinct denominator
 * at the end.
 */
final class OutcomeBuckets {
    private final int stages;
    private final Map<Long, long[]> countsByDenominator = new HashMap<>();
    private long lastDenominator;
    private long[] lastCounts;

    /** Creates empty buckets for trials of {@code stages} stages. */
    OutcomeBuckets(int stages) {
        this.stages = stages;
    }

    /**
     * Adds one outcome of probability {@code numerator / denominator}.
     *
     * @param firstMiss the stage of the first miss, 0 if every read hit
     * @param correct whether the final position equals {@code f^k(x0)}
     * @throws ArithmeticException if a bucket sum overflows 64 bits
     */
    void add(long numerator, long denominator, int firstMiss, boolean correct) {
        long[] counts = lastCounts;
        if (denominator != lastDenominator || counts == null) {
            counts = countsByDenominator.computeIfAbsent(denominator, key -> new long[stages + 2]);
            lastDenominator = denominator;
            lastCounts = counts;
        }
        counts[firstMiss] = Math.addExact(counts[firstMiss], numerator);
        if (correct) {
            counts[stages + 1] = Math.addExact(counts[stages + 1], numerator);
        }
    }

    /** Returns the summed probabilities of the event, of a correct answer and of each first-miss stage. */
    Enumeration.Result toResult() {
        BigFraction[] firstMiss = new BigFraction[stages + 1];
        Arrays.fill(firstMiss, BigFraction.ZERO);
        BigFraction correct = BigFraction.ZERO;
        for (Map.Entry<Long, long[]> entry : countsByDenominator.entrySet()) {
            BigInteger denominator = BigInteger.valueOf(entry.getKey());
            long[] counts = entry.getValue();
            for (int stage = 0; stage <= stages; stage++) {
                if (counts[stage] != 0) {
                    firstMiss[stage] = firstMiss[stage].add(new BigFraction(BigInteger.valueOf(counts[stage]), denominator));
                }
            }
            if (counts[stages + 1] != 0) {
                correct = correct.add(new BigFraction(BigInteger.valueOf(counts[stages + 1]), denominator));
            }
        }
        return new Enumeration.Result(firstMiss[0], correct, firstMiss);
    }
}
