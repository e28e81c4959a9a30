package dev.kvcache.engine.stats;

import static dev.kvcache.engine.stats.BinomialTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import org.junit.jupiter.api.Test;

class BinomialMassTest {
    @Test
    void massMatchesExactValues() {
        int[] trials = {1, 2, 3, 16, 17, 100, 1000, 3000};
        double[] probabilities = {1e-12, 0.003, 0.25, 0.5, 0.6, 0.97, 1 - 1e-10};
        for (int n : trials) {
            for (double p : probabilities) {
                // Reference: exact BigInteger coefficients times 60-digit powers.
                BigDecimal[] exact = ExactBinomial.masses(n, p);
                for (int k = 0; k <= n; k++) {
                    double actual = Math.exp(BinomialMass.logPmf(k, n, p, 1 - p));
                    assertClose(exact[k].doubleValue(), actual, 1e-12, "k = " + k + ", n = " + n + ", p = " + p);
                }
            }
        }
    }

    @Test
    void massMatchesDecimalReferenceForHugeN() {
        long[] trials = {3_000_000_000L, 10_000_000_000_000L, 1L << 53};
        double[] probabilities = {0.5, 0.1, 1e-6, 0.999};
        for (long n : trials) {
            for (double p : probabilities) {
                double mean = n * p;
                double standardDeviation = Math.sqrt(mean * (1 - p));
                for (double z : new double[] {-30, -3, 0, 0.5, 7, 30}) {
                    long k = Math.max(0, Math.min(n, Math.round(mean + z * standardDeviation)));
                    // Reference: log(n!) - log(k!) - log((n - k)!) + k log p + (n - k) log q in 70
                    // digits. The tolerance is a few units in the last place of the logarithm.
                    double expected = LargeBinomialReference.logPmf(k, n, p);
                    double actual = BinomialMass.logPmf(k, n, p, 1 - p);
                    double tolerance = 1e-14 + 1e-15 * Math.abs(expected);
                    assertEquals(expected, actual, tolerance, "k = " + k + ", n = " + n + ", p = " + p);
                }
            }
        }
    }

    @Test
    void stirlingErrorMatchesExactFactorials() {
        MathContext context = new MathContext(40);
        BigDecimal halfLogTwoPi = LargeBinomialReference.log(new BigDecimal(
            "6.283185307179586476925286766559005768394338798750211641949889")).multiply(new BigDecimal("0.5"));
        for (int m = 1; m < 1000; m = m < 40 ? m + 1 : m * 3 / 2) {
            // Reference: log(m!) from the exact factorial, minus (m + 1/2) log m - m + log(2 pi) / 2.
            BigDecimal x = BigDecimal.valueOf(m);
            BigDecimal exact = LargeBinomialReference.logFactorial(m)
                .subtract(x.add(new BigDecimal("0.5")).multiply(LargeBinomialReference.log(x)), context)
                .add(x)
                .subtract(halfLogTwoPi, context);
            assertClose(exact.doubleValue(), BinomialMass.stirlingError(m), 1e-15, "e(" + m + ")");
        }
        assertEquals(0.0, BinomialMass.stirlingError(0));
    }

    @Test
    void deviancePartMatchesDecimalFormula() {
        double[][] cases = {
            {1e9 + 1, 1e9, 0}, {1e9 + 1, 1e9, 1e-8}, {7, 3.5, 0}, {3, 1e7, 0}, {1e13, 1e13 - 3.25, 0},
            {1000, 1001.5, 0}, {0, 2.5, 0}, {1e6, 999_000.125, -1e-11}, {5e12, 5e12 + 1e6, 0},
        };
        for (double[] c : cases) {
            double x = c[0];
            double mean = c[1];
            double meanError = c[2];
            // Reference: x log(x / M) + M - x in 70 digits with M = mean + meanError.
            BigDecimal bigX = new BigDecimal(x);
            BigDecimal bigMean = new BigDecimal(mean).add(new BigDecimal(meanError));
            BigDecimal logRatio = x == 0 ? BigDecimal.ZERO
                : LargeBinomialReference.log(bigX).subtract(LargeBinomialReference.log(bigMean));
            BigDecimal exact = bigX.multiply(logRatio).add(bigMean).subtract(bigX);
            assertClose(exact.doubleValue(), BinomialMass.deviancePart(x, mean, meanError), 1e-14,
                "D(" + x + ", " + mean + " + " + meanError + ")");
        }
    }

    @Test
    void massesOfOneLawSumToOne() {
        // Definition: the masses of Bin(n, p) sum to 1.
        long n = 2_000_000L;
        double p = 0.3;
        double sum = 0.0;
        for (long k = 0; k <= n; k++) {
            sum += Math.exp(BinomialMass.logPmf(k, n, p, 1 - p));
        }
        assertTrue(Math.abs(sum - 1) < 1e-12, "sum " + sum);
    }
}
