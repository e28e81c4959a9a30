package dev.kvcache.engine.stats;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Reference binomial tails for large {@code n}, computed independently of the code under test:
 * {@code log P(X = k)} from {@code log(n!) - log(k!) - log((n - k)!) + k log p + (n - k) log q}
 * in 70-digit decimal arithmetic (Stirling's series with eight terms for factorials above 1000,
 * exact factorials below), and the tail as that mass times a directly summed series of mass
 * ratios in double precision with compensated summation.
 */
final class LargeBinomialReference {
    private static final MathContext CONTEXT = new MathContext(70, RoundingMode.HALF_EVEN);

    /** Digits of pi. */
    private static final BigDecimal PI = new BigDecimal(
        "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899863");

    /** {@code B_2j / (2j (2j - 1))} for {@code j = 1 .. 8}, as numerator and denominator. */
    private static final long[][] STIRLING_COEFFICIENTS = {
        {1, 12}, {-1, 360}, {1, 1260}, {-1, 1680}, {1, 1188}, {-691, 360360}, {1, 156}, {-3617, 122400},
    };

    private static final BigDecimal LOG_TWO = atanhTimesTwo(BigDecimal.ONE.divide(BigDecimal.valueOf(3), CONTEXT));

    private LargeBinomialReference() {
    }

    /** Returns {@code log P(X = k)} for {@code X ~ Bin(n, p)}, {@code 0 < p < 1}. */
    static double logPmf(long k, long n, double p) {
        BigDecimal success = new BigDecimal(p);
        BigDecimal failure = BigDecimal.ONE.subtract(success);
        BigDecimal value = logFactorial(n).subtract(logFactorial(k)).subtract(logFactorial(n - k))
            .add(BigDecimal.valueOf(k).multiply(log(success), CONTEXT))
            .add(BigDecimal.valueOf(n - k).multiply(log(failure), CONTEXT), CONTEXT);
        return value.doubleValue();
    }

    /**
     * Returns {@code P(X >= k)}, summing the masses upwards from {@code k} until they vanish. Each
     * ratio {@code (n - j) p / ((j + 1) q)} is rounded on its own, so the rounding errors do not
     * pile up in one direction as they would with a precomputed {@code p / q}.
     */
    static double upperTail(long k, long n, double p) {
        double q = 1 - p;
        double sum = 0.0;
        double compensation = 0.0;
        double term = 1.0;
        for (long j = k; j <= n && term >= 1e-18 * sum; j++) {
            double adjusted = term - compensation;
            double updated = sum + adjusted;
            compensation = (updated - sum) - adjusted;
            sum = updated;
            term *= (n - j) * p / ((j + 1) * q);
        }
        return Math.exp(logPmf(k, n, p)) * sum;
    }

    /** Returns {@code P(X <= k)}, summing the masses downwards from {@code k}, as above. */
    static double lowerTail(long k, long n, double p) {
        double q = 1 - p;
        double sum = 0.0;
        double compensation = 0.0;
        double term = 1.0;
        for (long j = k; j >= 0 && term >= 1e-18 * sum; j--) {
            double adjusted = term - compensation;
            double updated = sum + adjusted;
            compensation = (updated - sum) - adjusted;
            sum = updated;
            term *= j * q / ((n - j + 1) * p);
        }
        return Math.exp(logPmf(k, n, p)) * sum;
    }

    /** Returns {@code log(m!)}: exact below 1000, Stirling's series above. */
    static BigDecimal logFactorial(long m) {
        if (m < 1000) {
            BigInteger factorial = BigInteger.ONE;
            for (long i = 2; i <= m; i++) {
                factorial = factorial.multiply(BigInteger.valueOf(i));
            }
            return log(new BigDecimal(factorial));
        }
        BigDecimal x = BigDecimal.valueOf(m);
        BigDecimal value = x.add(new BigDecimal("0.5")).multiply(log(x), CONTEXT)
            .subtract(x)
            .add(log(PI.multiply(BigDecimal.valueOf(2))).multiply(new BigDecimal("0.5")), CONTEXT);
        BigDecimal inverse = BigDecimal.ONE.divide(x, CONTEXT);
        BigDecimal inverseSquared = inverse.multiply(inverse, CONTEXT);
        BigDecimal power = inverse;
        for (long[] coefficient : STIRLING_COEFFICIENTS) {
            BigDecimal fraction = BigDecimal.valueOf(coefficient[0]).divide(BigDecimal.valueOf(coefficient[1]), CONTEXT);
            value = value.add(fraction.multiply(power, CONTEXT), CONTEXT);
            power = power.multiply(inverseSquared, CONTEXT);
        }
        return value;
    }

    /** Returns the natural logarithm of {@code x > 0}: {@code x = y 2^e} with {@code y} near 1. */
    static BigDecimal log(BigDecimal x) {
        BigDecimal y = x;
        int exponent = 0;
        BigDecimal upper = new BigDecimal("1.5");
        BigDecimal lower = new BigDecimal("0.75");
        BigDecimal half = new BigDecimal("0.5");
        BigDecimal two = BigDecimal.valueOf(2);
        while (y.compareTo(upper) >= 0) {
            y = y.multiply(half, CONTEXT);
            exponent++;
        }
        while (y.compareTo(lower) < 0) {
            y = y.multiply(two, CONTEXT);
            exponent--;
        }
        BigDecimal ratio = y.subtract(BigDecimal.ONE).divide(y.add(BigDecimal.ONE), CONTEXT);
        return atanhTimesTwo(ratio).add(LOG_TWO.multiply(BigDecimal.valueOf(exponent)), CONTEXT);
    }

    /** Returns {@code 2 atanh(y) = log((1 + y) / (1 - y))} for {@code |y| <= 1/3} by its series. */
    private static BigDecimal atanhTimesTwo(BigDecimal y) {
        BigDecimal ySquared = y.multiply(y, CONTEXT);
        BigDecimal power = y;
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal threshold = new BigDecimal("1e-75");
        for (int i = 0; power.abs().compareTo(threshold) > 0; i++) {
            sum = sum.add(power.divide(BigDecimal.valueOf(2L * i + 1), CONTEXT), CONTEXT);
            power = power.multiply(ySquared, CONTEXT);
        }
        return sum.multiply(BigDecimal.valueOf(2));
    }
}
