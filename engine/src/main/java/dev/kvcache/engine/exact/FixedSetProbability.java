package dev.kvcache.engine.exact;

import dev.kvcache.engine.task.PointerLaw;
import dev.kvcache.engine.task.Stages;
import java.math.BigInteger;
import java.util.Locale;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * The probability that every read of a fully successful run lies in one fixed cache of {@code s}
 * positions, averaged over the shape of the orbit of {@code x0}.
 *
 * <p>The orbit {@code x_m = f^m(x0)} is a rho: a tail of length {@code i} and a cycle of length
 * {@code L}, so the last new point has index {@code j = i + L - 1}, and index {@code m > j} is the
 * point at index {@code i + ((m - i) mod L)}. The reads are at indices
 * {@code r_a = 2^(a-1) - 1}, {@code a = 1..T}. Reads with {@code r_a < i} lie on the tail and are
 * distinct from everything else. Two reads at indices at least {@code i} coincide exactly when
 * their indices are congruent modulo {@code L}. So when {@code i} lies in the interval
 * {@code (r_(a-1), r_a]}, the count of distinct reads is {@code (a - 1)} plus the number of
 * distinct residues of {@code r_a, .., r_T} modulo {@code L}. That count does not depend on
 * where {@code i} sits inside the interval, which lets the double evaluation sum the shape
 * weights over a whole interval at once from prefix sums. The exact evaluation instead maps
 * every read of every shape to its orbit point, so the two are independent computations.
 */
final class FixedSetProbability {
    /** Largest supported {@code min(2^(T-1) - 1, n)}: the prefix arrays then take 64 MiB. */
    static final long MAX_SHAPE_SPAN = 1L << 22;

    private static final String SPAN_MESSAGE =
            "fixed-set value needs min(2^(T-1) - 1, n) = %d orbit shapes for T = %d, n = %d,"
                    + " above the supported %d; use k <= 2^23 or n <= 2^22";

    private FixedSetProbability() {
    }

    /** Returns the double value. The caller has validated the arguments. */
    static double evaluate(PointerLaw law, long n, long s, int stages) {
        long lastRead = Stages.readIndex(stages);
        long span = Math.min(lastRead, n);
        if (span > MAX_SHAPE_SPAN) {
            throw new IllegalArgumentException(
                    String.format(Locale.ROOT, SPAN_MESSAGE, span, stages, n, MAX_SHAPE_SPAN));
        }
        double[] containment = fallingRatios(n, s, stages);
        long[] reads = readIndices(stages);
        if (law == PointerLaw.PERMUTATION) {
            return permutationSum(n, stages, reads, (int) span, lastRead, containment);
        }
        return functionSum(n, stages, reads, (int) span, lastRead, containment);
    }

    /** Returns the exact value for small {@code n}. The caller has validated the arguments. */
    static BigFraction evaluateExact(PointerLaw law, int n, int s, int stages) {
        long[] reads = readIndices(stages);
        BigFraction[] containment = new BigFraction[stages + 1];
        for (int d = 0; d <= stages; d++) {
            containment[d] = ExactValues.fallingRatioExact(n, s, d);
        }
        if (law == PointerLaw.PERMUTATION) {
            return permutationExact(n, reads, containment);
        }
        return functionExact(n, reads, containment);
    }

    /**
     * Sums over the cycle length {@code L} of a uniform permutation, uniform on {@code 1..n}. Every
     * {@code L} above the last read index gives {@code T} distinct reads, so those are lumped.
     */
    private static double permutationSum(
            long n, int stages, long[] reads, int span, long lastRead, double[] containment) {
        long[] cyclesWithDistinct = new long[stages + 1];
        long[] residues = new long[stages];
        for (int cycle = 1; cycle <= span; cycle++) {
            cyclesWithDistinct[distinctResidues(reads, 0, cycle, residues)]++;
        }
        Accumulator total = new Accumulator();
        for (int d = 1; d <= stages; d++) {
            total.add((double) cyclesWithDistinct[d] / (double) n * containment[d]);
        }
        if (n > lastRead) {
            total.add((double) (n - lastRead) / (double) n * containment[stages]);
        }
        return total.value();
    }

    /**
     * Sums over the rho shapes with {@code j < r_T}, each of weight
     * {@code prod_{m=1..j}(1 - m/n) / n}, and lumps the orbits whose first {@code r_T + 1} points
     * are distinct, of probability {@code prod_{m=1..r_T}(1 - m/n)}.
     */
    private static double functionSum(
            long n, int stages, long[] reads, int span, long lastRead, double[] containment) {
        // survival[j] = prod_{m=1..j}(1 - m/n) is zero for j >= n, so shapes stop at j = span - 1.
        PrefixSums weights = PrefixSums.ofSurvival(n, span);
        long[] residues = new long[stages];
        int[] distinctFrom = new int[stages + 1];
        Accumulator total = new Accumulator();
        for (int cycle = 1; cycle <= span; cycle++) {
            fillDistinctFrom(reads, cycle, residues, distinctFrom);
            // Tail length i must satisfy j = i + cycle - 1 <= span - 1.
            long maxTail = span - cycle;
            for (int a = 1; a <= stages; a++) {
                long lowTail = a == 1 ? 0 : reads[a - 2] + 1;
                long highTail = Math.min(reads[a - 1], maxTail);
                if (lowTail > highTail) {
                    continue;
                }
                double survivalSum = weights.sum((int) (lowTail + cycle - 1), (int) (highTail + cycle - 1));
                int distinct = (a - 1) + distinctFrom[a];
                total.add(survivalSum / (double) n * containment[distinct]);
            }
        }
        if (lastRead < n) {
            // Then span = lastRead.
            total.add(weights.survivalAtSpan() * containment[stages]);
        }
        return total.value();
    }

    /** Sums over every rho shape {@code (j, i)} with exact rationals, mapping each read to its point. */
    private static BigFraction functionExact(int n, long[] reads, BigFraction[] containment) {
        int stages = reads.length;
        long lastRead = reads[stages - 1];
        BigFraction total = BigFraction.ZERO;
        // survival = prod_{m=1..j}(n - m)/n as numerator / n^j.
        BigInteger survivalNumerator = BigInteger.ONE;
        BigInteger power = BigInteger.ONE;
        long[] points = new long[stages];
        for (int lastNew = 0; lastNew < Math.min(lastRead, n); lastNew++) {
            if (lastNew > 0) {
                survivalNumerator = survivalNumerator.multiply(BigInteger.valueOf(n - lastNew));
                power = power.multiply(BigInteger.valueOf(n));
            }
            long[] landingsWithDistinct = new long[stages + 1];
            for (int landing = 0; landing <= lastNew; landing++) {
                int cycle = lastNew + 1 - landing;
                for (int a = 0; a < stages; a++) {
                    long index = reads[a];
                    points[a] = index <= lastNew ? index : landing + (index - landing) % cycle;
                }
                landingsWithDistinct[countDistinct(points)]++;
            }
            // Each landing has probability survival * 1/n.
            BigFraction shapeWeight = new BigFraction(survivalNumerator, power.multiply(BigInteger.valueOf(n)));
            for (int d = 1; d <= stages; d++) {
                if (landingsWithDistinct[d] > 0) {
                    total = total.add(shapeWeight.multiply(landingsWithDistinct[d]).multiply(containment[d]));
                }
            }
        }
        if (lastRead < n) {
            BigInteger numerator = BigInteger.ONE;
            for (long m = 1; m <= lastRead; m++) {
                numerator = numerator.multiply(BigInteger.valueOf(n - m));
            }
            BigFraction allDistinct = new BigFraction(numerator, BigInteger.valueOf(n).pow((int) lastRead));
            total = total.add(allDistinct.multiply(containment[stages]));
        }
        return total;
    }

    /** Sums over every cycle length {@code 1..n} with exact rationals. */
    private static BigFraction permutationExact(int n, long[] reads, BigFraction[] containment) {
        int stages = reads.length;
        long[] cyclesWithDistinct = new long[stages + 1];
        long[] points = new long[stages];
        for (int cycle = 1; cycle <= n; cycle++) {
            for (int a = 0; a < stages; a++) {
                points[a] = reads[a] % cycle;
            }
            cyclesWithDistinct[countDistinct(points)]++;
        }
        BigFraction total = BigFraction.ZERO;
        for (int d = 1; d <= stages; d++) {
            total = total.add(new BigFraction(BigInteger.valueOf(cyclesWithDistinct[d]), BigInteger.valueOf(n)).multiply(containment[d]));
        }
        return total;
    }

    /** Returns {@code r_1 .. r_T} in a zero-based array. */
    private static long[] readIndices(int stages) {
        long[] reads = new long[stages];
        for (int t = 1; t <= stages; t++) {
            reads[t - 1] = Stages.readIndex(t);
        }
        return reads;
    }

    /**
     * Returns {@code g[d] = s(s-1)..(s-d+1) / (n(n-1)..(n-d+1))} for {@code d = 0..T}, each factor
     * formed from exact integer differences so that every factor is correctly rounded.
     */
    private static double[] fallingRatios(long n, long s, int stages) {
        double[] ratios = new double[stages + 1];
        ratios[0] = 1.0;
        for (int d = 1; d <= stages; d++) {
            long remaining = s - (d - 1);
            ratios[d] = remaining <= 0 ? 0.0 : ratios[d - 1] * ((double) remaining / (double) (n - (d - 1)));
        }
        return ratios;
    }

    /**
     * Fills {@code distinctFrom[a]} (for {@code a = 1..T}) with the number of distinct residues of
     * {@code r_a, .., r_T} modulo {@code cycle}.
     */
    private static void fillDistinctFrom(long[] reads, long cycle, long[] residues, int[] distinctFrom) {
        int stages = reads.length;
        for (int a = 0; a < stages; a++) {
            residues[a] = reads[a] % cycle;
        }
        int distinct = 0;
        for (int a = stages - 1; a >= 0; a--) {
            boolean seen = false;
            for (int b = a + 1; b < stages && !seen; b++) {
                seen = residues[b] == residues[a];
            }
            if (!seen) {
                distinct++;
            }
            distinctFrom[a + 1] = distinct;
        }
    }

    /** Returns the number of distinct residues of {@code reads[from..]} modulo {@code cycle}. */
    private static int distinctResidues(long[] reads, int from, long cycle, long[] residues) {
        int count = 0;
        for (int a = from; a < reads.length; a++) {
            residues[count] = reads[a] % cycle;
            boolean seen = false;
            for (int b = 0; b < count && !seen; b++) {
                seen = residues[b] == residues[count];
            }
            if (!seen) {
                count++;
            }
        }
        return count;
    }

    private static int countDistinct(long[] points) {
        int count = 0;
        for (int a = 0; a < points.length; a++) {
            boolean seen = false;
            for (int b = 0; b < a && !seen; b++) {
                seen = points[b] == points[a];
            }
            if (!seen) {
                count++;
            }
        }
        return count;
    }

    /** Neumaier's compensated sum, which keeps the full relative accuracy of a sum of positive terms. */
    private static final class Accumulator {
        private double sum;
        private double compensation;

        void add(double term) {
            double next = sum + term;
            if (Math.abs(sum) >= Math.abs(term)) {
                compensation += (sum - next) + term;
            } else {
                compensation += (term - next) + sum;
            }
            sum = next;
        }

        double value() {
            return sum + compensation;
        }
    }

    /**
     * Prefix sums of {@code survival[j] = prod_{m=1..j}(1 - m/n)} in double-double form, so that a
     * difference of two prefix sums keeps full relative accuracy even when it is tiny compared with
     * either of them.
     */
    private static final class PrefixSums {
        private final double[] high;
        private final double[] low;
        private double survivalAtSpan;

        private PrefixSums(int span) {
            high = new double[span + 1];
            low = new double[span + 1];
        }

        /**
         * Builds prefix sums over {@code j = 0..span-1}, for {@code span <= n}, and keeps
         * {@code survival[span]}. The logarithm of the survival product is itself summed with
         * compensation, from {@code log1p(-m/n)} terms.
         */
        static PrefixSums ofSurvival(long n, int span) {
            PrefixSums prefix = new PrefixSums(span);
            Accumulator logSurvival = new Accumulator();
            double high = 0.0;
            double low = 0.0;
            for (int j = 0; j < span; j++) {
                if (j > 0) {
                    logSurvival.add(Math.log1p(-(double) j / (double) n));
                }
                double term = Math.exp(logSurvival.value());
                // Knuth's two-sum keeps the rounding error of high + term exactly.
                double sum = high + term;
                double virtualTerm = sum - high;
                double error = (high - (sum - virtualTerm)) + (term - virtualTerm);
                high = sum;
                low += error;
                prefix.high[j + 1] = high;
                prefix.low[j + 1] = low;
            }
            if (span < n) {
                logSurvival.add(Math.log1p(-(double) span / (double) n));
                prefix.survivalAtSpan = Math.exp(logSurvival.value());
            }
            return prefix;
        }

        /** Returns {@code survival[from] + .. + survival[to]}, for {@code 0 <= from <= to < span}. */
        double sum(int from, int to) {
            return (high[to + 1] - high[from]) + (low[to + 1] - low[from]);
        }

        /** Returns {@code survival[span]}, which is 0 when {@code span = n}. */
        double survivalAtSpan() {
            return survivalAtSpan;
        }
    }
}
