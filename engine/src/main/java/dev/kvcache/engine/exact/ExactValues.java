package dev.kvcache.engine.exact;

import dev.kvcache.engine.task.PointerLaw;
import dev.kvcache.engine.task.Stages;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Objects;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * Closed-form values of the probability of the event {@code E} (all {@code T} reads of the query
 * hit the compressed cache) in k-hop pointer chasing with {@code n} positions and caches of
 * {@code s} positions, with {@code x0} uniform and the pointer map a uniform random function or
 * permutation. Also the bounds of "How Much Cache Does Reasoning Need? Depth-Cache Tradeoffs in
 * KV-Compressed Transformers" and its theorem regime.
 *
 * <p>Every double-valued method works for {@code n} up to {@code 2^62}. Results smaller than
 * {@link Double#MIN_VALUE} underflow to 0, and the {@code BigFraction} versions exist for small
 * {@code n}, where the product's estimates are compared with exact rationals.
 */
public final class ExactValues {
    private static final String N_MESSAGE = "n must be at least 2, got %d";
    private static final String S_MESSAGE = "s must be in [1, n] = [1, %d], got %d";
    private static final String K_MESSAGE = "k must be at least 2, got %d";

    private ExactValues() {
    }

    /**
     * Returns {@code P(E) = (s/n)^T} for {@code random-fresh}, which draws an independent uniform
     * {@code s}-subset at every stage, so each of the {@code T} reads hits with probability
     * {@code s/n} independently. Cost {@code O(1)}.
     *
     * @param n number of positions
     * @param s cache size
     * @param k number of hops, {@code T = ceil(log2 k)}
     * @throws IllegalArgumentException if {@code n < 2}, {@code s < 1}, {@code s > n} or {@code k < 2}
     */
    public static double randomFresh(long n, long s, long k) {
        validate(n, s, k);
        int stages = Stages.count(k);
        return Math.pow((double) s / (double) n, stages);
    }

    /**
     * Returns the exact {@code P(E) = (s/n)^T} for {@code random-fresh}.
     *
     * @throws IllegalArgumentException if {@code n < 2}, {@code s < 1}, {@code s > n} or {@code k < 2}
     */
    public static BigFraction randomFreshExact(int n, int s, long k) {
        validate(n, s, k);
        return new BigFraction(s, n).pow(Stages.count(k));
    }

    /**
     * Returns {@code P(E)} for any oblivious controller that keeps one set of {@code s} positions
     * for all stages ({@code random-fixed}, {@code window}):
     * {@code E[ s(s-1)..(s-d+1) / (n(n-1)..(n-d+1)) ]}, where {@code d} is the number of distinct
     * positions among the reads at orbit indices {@code 0, 1, 3, .., 2^(T-1)-1} of {@code x0}.
     * The distinct points of the orbit are a uniformly random tuple of distinct positions, so only
     * the shape of the orbit matters. Under a random function the orbit is a rho whose first
     * repeat happens at step {@code j+1} with probability
     * {@code prod_{m=1..j}(1 - m/n) * (j+1)/n}, landing uniformly on one of the {@code j+1}
     * earlier points. Under a random permutation the cycle through {@code x0} has a length
     * uniform on {@code 1..n}.
     *
     * <p>Cost: {@code O(R * T^2)} time with {@code R = min(2^(T-1) - 1, n)}, and {@code O(R)}
     * memory under a random function ({@code O(T)} under a permutation). On a 2-core machine
     * with OpenJDK 17, {@code n = 2^62} took 0.02 s at {@code k = 2^16} and 1.2 s at
     * {@code k = 2^23}. The sum has only
     * non-negative terms and is evaluated with compensated arithmetic, so tiny values keep their
     * relative accuracy (a test checks {@code 2^-124} at {@code n = 2^62} to {@code 1e-14}) until
     * they come near the double underflow threshold.
     *
     * @param law the pointer law
     * @param n number of positions
     * @param s size of the fixed cache
     * @param k number of hops
     * @throws IllegalArgumentException if {@code n < 2}, {@code s < 1}, {@code s > n}, {@code k < 2},
     *     or {@code min(2^(T-1) - 1, n)} exceeds {@code 2^22}
     * @throws NullPointerException if {@code law} is null
     */
    public static double fixedSet(PointerLaw law, long n, long s, long k) {
        Objects.requireNonNull(law, "law");
        validate(n, s, k);
        return FixedSetProbability.evaluate(law, n, s, Stages.count(k));
    }

    /**
     * Returns the exact {@link #fixedSet} value, summed directly over every orbit shape. Cost
     * {@code O(n^2 T)} integer steps and {@code O(n T)} fraction operations.
     *
     * @throws IllegalArgumentException if {@code n < 2}, {@code s < 1}, {@code s > n} or {@code k < 2}
     * @throws NullPointerException if {@code law} is null
     */
    public static BigFraction fixedSetExact(PointerLaw law, int n, int s, long k) {
        Objects.requireNonNull(law, "law");
        validate(n, s, k);
        return FixedSetProbability.evaluateExact(law, n, s, Stages.count(k));
    }

    /**
     * Returns {@code P(E) = s/n} for the adaptive controllers with an oblivious initial cache: the
     * first read hits with probability {@code s/n}, and after a hit every next read position was
     * named by the value just read, so it is resident.
     *
     * @throws IllegalArgumentException if {@code n < 2}, {@code s < 1} or {@code s > n}
     */
    public static double adaptive(long n, long s) {
        validate(n, s, 2);
        return (double) s / (double) n;
    }

    /**
     * Returns the upper bound on {@code P(E)} for oblivious controllers stated in "How Much Cache
     * Does Reasoning Need?", {@code (s/(n-T))^T + 2 T^3 / n}. The bound is only proved in the
     * theorem regime, and the value is returned as the formula gives it (it may exceed 1).
     *
     * @return the bound, or {@link Double#POSITIVE_INFINITY} when {@code n <= T}, where the first
     *     term is undefined and the bound is vacuous
     * @throws IllegalArgumentException if {@code n < 2}, {@code s < 1}, {@code s > n} or {@code k < 2}
     */
    public static double obliviousBound(long n, long s, long k) {
        validate(n, s, k);
        int stages = Stages.count(k);
        if (n <= stages) {
            return Double.POSITIVE_INFINITY;
        }
        double firstTerm = Math.pow((double) s / (double) (n - stages), stages);
        double cube = (double) stages * stages * stages;
        return firstTerm + 2.0 * cube / (double) n;
    }

    /**
     * Returns the separation factor {@code (n/s)^(T-1)}, the ratio of the adaptive value
     * {@code s/n} to the random-fresh value {@code (s/n)^T}. It overflows to infinity above
     * {@code Double.MAX_VALUE}.
     *
     * @throws IllegalArgumentException if {@code n < 2}, {@code s < 1}, {@code s > n} or {@code k < 2}
     */
    public static double separation(long n, long s, long k) {
        validate(n, s, k);
        return Math.pow((double) n / (double) s, Stages.count(k) - 1);
    }

    /**
     * Returns whether the cell lies in the theorem regime {@code n >= 4k} and
     * {@code s <= sqrt(n)/4}, evaluated exactly in integers as {@code k <= floor(n/4)} and
     * {@code s^2 <= floor(n/16)}, both equivalent to the real inequalities and free of overflow.
     *
     * @throws IllegalArgumentException if {@code n < 2}, {@code s < 1}, {@code s > n} or {@code k < 2}
     */
    public static boolean inTheoremRegime(long n, long s, long k) {
        validate(n, s, k);
        if (k > n / 4) {
            return false;
        }
        // n < 2^63 gives n/16 < 2^59, so any s >= 2^30 (s^2 >= 2^60) is outside, and below that
        // s * s cannot overflow.
        if (s >= 1L << 30) {
            return false;
        }
        return s * s <= n / 16;
    }

    /**
     * Returns {@code s(s-1)..(s-d+1) / (n(n-1)..(n-d+1))}, the probability that {@code d} given
     * distinct positions all lie in a uniform {@code s}-subset of {@code n} positions.
     */
    static BigFraction fallingRatioExact(int n, int s, int d) {
        BigInteger numerator = BigInteger.ONE;
        BigInteger denominator = BigInteger.ONE;
        for (int m = 0; m < d; m++) {
            if (s - m <= 0) {
                return BigFraction.ZERO;
            }
            numerator = numerator.multiply(BigInteger.valueOf(s - m));
            denominator = denominator.multiply(BigInteger.valueOf(n - m));
        }
        return new BigFraction(numerator, denominator);
    }

    /**
     * Checks the common arguments.
     *
     * @throws IllegalArgumentException if {@code n < 2}, {@code s < 1}, {@code s > n} or {@code k < 2}
     */
    static void validate(long n, long s, long k) {
        if (n < 2) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, N_MESSAGE, n));
        }
        if (s < 1 || s > n) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, S_MESSAGE, n, s));
        }
        if (k < 2) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, K_MESSAGE, k));
        }
    }
}
