package dev.kvcache.engine.stats;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;

/**
 * Reference binomial probabilities from exact binomial coefficients ({@link BigInteger}) and
 * 60-digit decimal powers of the exact value of the double {@code p}, for use in tests.
 */
final class ExactBinomial {
    /** 60 significant digits, far beyond double precision. */
    static final MathContext CONTEXT = new MathContext(60);

    private ExactBinomial() {
    }

    /** Exact upper and lower tails of one binomial law, indexed by the threshold. */
    record Tails(BigDecimal[] upper, BigDecimal[] lower) {
        /** Returns {@code P(X >= k)} rounded to the nearest double. */
        double upperTail(int k) {
            return upper[k].doubleValue();
        }

        /** Returns {@code P(X <= k)} rounded to the nearest double. */
        double lowerTail(int k) {
            return lower[k].doubleValue();
        }

        /** Returns the doubling-rule two-sided p-value {@code min(1, 2 min(lower, upper))}. */
        double twoSided(int k) {
            BigDecimal smaller = upper[k].min(lower[k]);
            return smaller.multiply(BigDecimal.valueOf(2)).min(BigDecimal.ONE).doubleValue();
        }
    }

    /**
     * Returns every upper and lower tail of {@code Bin(n, p)} by summing
     * {@code C(n, j) p^j (1 - p)^(n - j)} over the outcomes.
     */
    static Tails tails(int n, double p) {
        BigDecimal[] mass = masses(n, p);
        BigDecimal[] upper = new BigDecimal[n + 1];
        BigDecimal[] lower = new BigDecimal[n + 1];
        BigDecimal sum = BigDecimal.ZERO;
        for (int k = n; k >= 0; k--) {
            sum = sum.add(mass[k], CONTEXT);
            upper[k] = sum;
        }
        sum = BigDecimal.ZERO;
        for (int k = 0; k <= n; k++) {
            sum = sum.add(mass[k], CONTEXT);
            lower[k] = sum;
        }
        return new Tails(upper, lower);
    }

    /** Returns {@code P(X = j)} for {@code j = 0 .. n}. */
    static BigDecimal[] masses(int n, double p) {
        BigDecimal success = new BigDecimal(p);
        BigDecimal failure = BigDecimal.ONE.subtract(success);
        BigDecimal[] successPowers = powers(success, n);
        BigDecimal[] failurePowers = powers(failure, n);
        BigDecimal[] mass = new BigDecimal[n + 1];
        BigInteger coefficient = BigInteger.ONE;
        for (int j = 0; j <= n; j++) {
            mass[j] = new BigDecimal(coefficient)
                .multiply(successPowers[j], CONTEXT)
                .multiply(failurePowers[n - j], CONTEXT);
            coefficient = coefficient.multiply(BigInteger.valueOf(n - j)).divide(BigInteger.valueOf(j + 1));
        }
        return mass;
    }

    /**
     * Returns {@code P(X <= k)} for {@code X ~ Bin(n, p)} with a small {@code k} and any
     * {@code n}, where {@code (1 - p)^(n - j)} comes from repeated squaring.
     */
    static BigDecimal lowerTailOfSmallCount(int k, long n, double p) {
        BigDecimal success = new BigDecimal(p);
        BigDecimal failure = BigDecimal.ONE.subtract(success);
        BigDecimal sum = BigDecimal.ZERO;
        BigInteger coefficient = BigInteger.ONE;
        for (int j = 0; j <= k; j++) {
            BigDecimal term = new BigDecimal(coefficient)
                .multiply(power(success, j), CONTEXT)
                .multiply(power(failure, n - j), CONTEXT);
            sum = sum.add(term, CONTEXT);
            coefficient = coefficient.multiply(BigInteger.valueOf(n - j)).divide(BigInteger.valueOf(j + 1));
        }
        return sum;
    }

    /** Returns {@code P(X >= k) = 1 - P(X <= k - 1)} for a small {@code k >= 1} and any {@code n}. */
    static BigDecimal upperTailOfSmallCount(int k, long n, double p) {
        return BigDecimal.ONE.subtract(lowerTailOfSmallCount(k - 1, n, p), CONTEXT);
    }

    /** Returns {@code base^exponent} by repeated squaring, rounded to {@link #CONTEXT}. */
    static BigDecimal power(BigDecimal base, long exponent) {
        BigDecimal result = BigDecimal.ONE;
        BigDecimal square = base;
        long remaining = exponent;
        while (remaining > 0) {
            if ((remaining & 1) == 1) {
                result = result.multiply(square, CONTEXT);
            }
            square = square.multiply(square, CONTEXT);
            remaining >>= 1;
        }
        return result;
    }

    private static BigDecimal[] powers(BigDecimal base, int n) {
        BigDecimal[] result = new BigDecimal[n + 1];
        result[0] = BigDecimal.ONE;
        for (int j = 1; j <= n; j++) {
            result[j] = result[j - 1].multiply(base, CONTEXT);
        }
        return result;
    }
}
