package dev.kvcache.engine.lazy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.stats.Binomial;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Tests the law of {@code J}, the number of non-members before the first member of a uniform
 * {@code m}-subset of {@code N} ordered positions: {@code P(J >= j) = C(N - j, m) / C(N, m)}.
 *
 * <p>The reference survival function is computed here without the sampler's series: exactly in
 * {@link BigInteger} arithmetic for {@code m <= 512}, as the product
 * {@code prod_{i<m} (1 - j/(N - i))} summed in logarithms for {@code m <= 4096}, and above that
 * by the Euler-Maclaurin formula for the same sum, whose integral has a closed form. A test checks
 * the three against each other where they overlap.
 *
 * <p>Statistical tests: each sampler configuration gets a chi-square goodness-of-fit test over
 * about 40 cells of nearly equal probability (or every value of {@code J} when there are at most
 * 200), and at {@code N = 2^40} and {@code 2^62} an exact binomial test of the count below each
 * of seven exact quantiles. The p-value thresholds are Bonferroni shares of
 * {@value #CLASS_FALSE_ALARM}, half for each test family, so a correct sampler fails this class
 * with probability at most {@value #CLASS_FALSE_ALARM}. Seeds are fixed, so the outcome is
 * deterministic.
 */
class FirstMemberSamplerTest {
    private static final double CLASS_FALSE_ALARM = 1e-6;
    private static final int SAMPLES = 100_000;
    private static final int QUANTILE_SAMPLES = 200_000;
    private static final int BINS = 40;
    private static final int EXACT_MEMBERS_LIMIT = 512;
    private static final int PRODUCT_MEMBERS_LIMIT = 4096;
    private static final double[] QUANTILE_LEVELS = {0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999};

    /** Which method the sampler documents for {@code (N, m)}. */
    enum Regime {
        SCAN, FLOYD, INVERSION;

        static Regime of(long total, long members) {
            if (total / members <= FirstMemberSampler.SCAN_LIMIT) {
                return SCAN;
            }
            return members <= FirstMemberSampler.FEW_MEMBERS ? FLOYD : INVERSION;
        }
    }

    private record Config(long total, long members, String purpose) {
        Regime regime() {
            return Regime.of(total, members);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "N=%d m=%d (%s, N/m=%d): %s", total, members, regime(),
                total / members, purpose);
        }
    }

    private static final long TWO_40 = 1L << 40;
    private static final long TWO_62 = 1L << 62;

    private static final List<Config> LAW_CONFIGS = List.of(
        new Config(10, 3, "small support"),
        new Config(1000, 999, "m = N - 1, so J is 0 or 1"),
        new Config(64, 1, "m = 1, N/m = 64: last scan case, J uniform"),
        new Config(65, 1, "m = 1, N/m = 65: first Floyd case, J uniform"),
        new Config(320, 5, "N/m = 64 exactly"),
        new Config(324, 5, "N/m = 64.8, still scanned because N/m is an integer quotient"),
        new Config(325, 5, "N/m = 65"),
        new Config(6400, 100, "m = 100, N/m = 64"),
        new Config(6500, 100, "m = 100, N/m = 65: inversion"),
        new Config(64 * 65, 64, "m = 64, N/m = 65: last Floyd size"),
        new Config(65 * 65, 65, "m = 65, N/m = 65: first inversion size, largest series ratio"),
        new Config(65 * 1000, 65, "m = 65, N/m = 1000"),
        new Config(1_000_000, 1000, "m = 1000, N/m = 1000"),
        new Config(65L << 24, 1L << 24, "m = 2^24, N/m = 65"),
        new Config(TWO_40, 1L << 34, "N = 2^40, N/m = 64: scan at huge m"),
        new Config(TWO_40, 1, "N = 2^40, m = 1"),
        new Config(TWO_40, 64, "N = 2^40, m = 64"),
        new Config(TWO_40, 65, "N = 2^40, m = 65"),
        new Config(TWO_40, 1L << 20, "N = 2^40, m = 2^20"),
        new Config(TWO_62, 64, "N = 2^62, m = 64"),
        new Config(TWO_62, 1L << 20, "N = 2^62, m = 2^20"),
        new Config(TWO_62, 1L << 55, "N = 2^62, m = 2^55: N/m = 128"),
        new Config(TWO_62, 1L << 56, "N = 2^62, N/m = 64: scan at the largest N"));

    private static final List<Config> QUANTILE_CONFIGS = List.of(
        new Config(TWO_40, 1, "m = 1"),
        new Config(TWO_40, 64, "m = 64"),
        new Config(TWO_40, 65, "m = 65"),
        new Config(TWO_40, 1L << 20, "m = 2^20"),
        new Config(TWO_40, (TWO_40 / 65) + 1, "m = N/65 + 1: N/m just below 65, scanned"),
        new Config(TWO_40, TWO_40 / 65, "m = N/65: N/m = 65, inverted"),
        new Config(TWO_62, 1L << 30, "m = 2^30"));

    private static final double LAW_THRESHOLD = CLASS_FALSE_ALARM / 2 / LAW_CONFIGS.size();
    private static final double QUANTILE_THRESHOLD =
        CLASS_FALSE_ALARM / 2 / (QUANTILE_CONFIGS.size() * QUANTILE_LEVELS.length);

    // ---- statistical tests of the law ----

    @Test
    void configsCoverEveryRegimeAndBoundary() {
        Set<Regime> regimes = EnumSet.noneOf(Regime.class);
        LAW_CONFIGS.forEach(config -> regimes.add(config.regime()));
        assertEquals(EnumSet.allOf(Regime.class), regimes);
        assertEquals(Regime.SCAN, Regime.of(320, 5));
        assertEquals(Regime.FLOYD, Regime.of(325, 5));
        assertEquals(Regime.SCAN, Regime.of(6400, 100));
        assertEquals(Regime.INVERSION, Regime.of(6500, 100));
        assertEquals(Regime.FLOYD, Regime.of(64 * 65, 64));
        assertEquals(Regime.INVERSION, Regime.of(65 * 65, 65));
    }

    @TestFactory
    Stream<DynamicTest> lawMatchesExactSurvival() {
        return LAW_CONFIGS.stream().map(config -> DynamicTest.dynamicTest(config.toString(), () -> {
            long total = config.total();
            long members = config.members();
            long[] edges = binEdges(total, members);
            double[] probabilities = new double[edges.length];
            for (int b = 0; b < edges.length; b++) {
                double upper = b + 1 < edges.length ? survival(total, members, edges[b + 1]) : 0;
                probabilities[b] = survival(total, members, edges[b]) - upper;
            }

            FirstMemberSampler sampler = new FirstMemberSampler();
            UniformRandomProvider rng = Seeds.generator(Seeds.mix(total * 31 + members));
            long[] observed = new long[edges.length];
            for (int i = 0; i < SAMPLES; i++) {
                long j = sampler.sample(total, members, rng);
                assertTrue(j >= 0, "negative J = " + j);
                assertTrue(j <= total - members, "J = " + j + " above N - m = " + (total - members));
                int bin = Arrays.binarySearch(edges, j);
                observed[bin >= 0 ? bin : -bin - 2]++;
            }

            double pValue = GoodnessOfFit.pValue(probabilities, observed);
            assertTrue(pValue >= LAW_THRESHOLD, () -> String.format(Locale.ROOT,
                "chi-square p-value %.3g below %.3g; bin edges %s, observed %s, expected probabilities %s", pValue,
                LAW_THRESHOLD, Arrays.toString(edges), Arrays.toString(observed), Arrays.toString(probabilities)));
        }));
    }

    @TestFactory
    Stream<DynamicTest> quantilesMatchAtHugeTotal() {
        return QUANTILE_CONFIGS.stream().map(config -> DynamicTest.dynamicTest(config.toString(), () -> {
            long total = config.total();
            long members = config.members();
            FirstMemberSampler sampler = new FirstMemberSampler();
            UniformRandomProvider rng = Seeds.generator(Seeds.mix(total ^ members));
            long[] samples = new long[QUANTILE_SAMPLES];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = sampler.sample(total, members, rng);
            }
            Arrays.sort(samples);

            for (double level : QUANTILE_LEVELS) {
                long quantile = exactQuantile(total, members, level);
                double atMost = 1 - survival(total, members, quantile + 1);
                long below = upperBound(samples, quantile);
                double pValue = Binomial.pValueTwoSided(below, samples.length, atMost);
                long empirical = samples[(int) Math.min(samples.length - 1, Math.ceil(level * samples.length) - 1)];
                assertTrue(pValue >= QUANTILE_THRESHOLD, () -> String.format(Locale.ROOT,
                    "level %.3f: exact quantile %d (P(J <= q) = %.6f), %d of %d samples at most q, empirical "
                        + "quantile %d, p-value %.3g below %.3g", level, quantile, atMost, below, samples.length,
                    empirical, pValue, QUANTILE_THRESHOLD));
            }
        }));
    }

    // ---- deterministic checks ----

    @Test
    void fullSubsetGivesZero() {
        FirstMemberSampler sampler = new FirstMemberSampler();
        UniformRandomProvider rng = Seeds.generator(1);
        for (long total : new long[] {1, 2, 65, TWO_40}) {
            assertEquals(0, sampler.sample(total, total, rng), "N = m = " + total);
        }
    }

    @Test
    void invalidMembersRejected() {
        FirstMemberSampler sampler = new FirstMemberSampler();
        UniformRandomProvider rng = Seeds.generator(1);
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(10, 0, rng));
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(10, -1, rng));
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(10, 11, rng));
    }

    @Test
    void logSurvivalSeriesMatchesReference() {
        // The inversion's series against the independent reference, for every j where
        // P(J >= j) >= 2^-55 (a 53-bit variate never reaches further), on a grid of 200 points.
        List<long[]> configs = List.of(
            new long[] {65 * 65, 65}, new long[] {6500, 100}, new long[] {65 * 1000, 65},
            new long[] {1_000_000, 1000}, new long[] {TWO_40, 65}, new long[] {TWO_40, 1L << 20},
            new long[] {65L << 24, 1L << 24}, new long[] {TWO_62, 1L << 20}, new long[] {TWO_62, 1L << 55});
        FirstMemberSampler sampler = new FirstMemberSampler();
        for (long[] config : configs) {
            long total = config[0];
            long members = config[1];
            assertEquals(Regime.INVERSION, Regime.of(total, members));
            sampler.fillScaledSums(members, total);
            long last = lastWithSurvivalAtLeast(total, members, 0x1.0p-55);
            for (int step = 0; step <= 200; step++) {
                long j = Math.round((double) last * step / 200);
                double reference = Math.log(survival(total, members, j));
                double series = sampler.logSurvival(j, total, members);
                double tolerance = 1e-9 * Math.max(1, Math.abs(reference));
                assertEquals(reference, series, tolerance, "N=" + total + " m=" + members + " j=" + j);
            }
        }
    }

    @Test
    void referenceMethodsAgree() {
        // The three reference methods where two of them apply; relative agreement of P(J >= j).
        long[][] exactVersusProduct = {{65 * 65, 65}, {TWO_40, 64}, {10_000, 500}, {TWO_62, 300}};
        for (long[] config : exactVersusProduct) {
            for (long j : probeIndices(config[0], config[1])) {
                double exact = exactSurvival(config[0], config[1], j);
                double product = productSurvival(config[0], config[1], j);
                assertEquals(exact, product, 1e-11 * exact, "N=" + config[0] + " m=" + config[1] + " j=" + j);
            }
        }
        long[][] productVersusSeries = {{TWO_40, 1L << 16}, {65L << 20, 1L << 20}, {TWO_62, 1L << 18},
            {1L << 30, 1L << 17}};
        for (long[] config : productVersusSeries) {
            for (long j : probeIndices(config[0], config[1])) {
                double product = productSurvival(config[0], config[1], j);
                double series = eulerMaclaurinSurvival(config[0], config[1], j);
                assertEquals(product, series, 1e-9 * product, "N=" + config[0] + " m=" + config[1] + " j=" + j);
            }
        }
    }

    @Test
    void referenceByHand() {
        // N = 10, m = 3: P(J >= 2) = C(8, 3) / C(10, 3) = 56 / 120, P(J >= 7) = 1 / 120.
        assertEquals(56.0 / 120, survival(10, 3, 2), 1e-15);
        assertEquals(1.0 / 120, survival(10, 3, 7), 1e-15);
        assertEquals(0.0, survival(10, 3, 8));
        assertEquals(1.0, survival(10, 3, 0));
    }

    // ---- the reference law ----

    /** Returns {@code P(J >= j) = C(N - j, m) / C(N, m)} by the method suited to {@code m}. */
    static double survival(long total, long members, long j) {
        if (j <= 0) {
            return 1;
        }
        if (j > total - members) {
            return 0;
        }
        if (members <= EXACT_MEMBERS_LIMIT) {
            return exactSurvival(total, members, j);
        }
        if (members <= PRODUCT_MEMBERS_LIMIT) {
            return productSurvival(total, members, j);
        }
        return eulerMaclaurinSurvival(total, members, j);
    }

    /** {@code prod_{i<m} (N - j - i) / prod_{i<m} (N - i)} in exact integers, rounded once. */
    static double exactSurvival(long total, long members, long j) {
        BigInteger numerator = BigInteger.ONE;
        BigInteger denominator = BigInteger.ONE;
        for (long i = 0; i < members; i++) {
            numerator = numerator.multiply(BigInteger.valueOf(total - j - i));
            denominator = denominator.multiply(BigInteger.valueOf(total - i));
        }
        return new BigDecimal(numerator).divide(new BigDecimal(denominator), MathContext.DECIMAL128).doubleValue();
    }

    /** {@code exp(sum_{i<m} log(1 - j/(N - i)))}, one rounding per factor. */
    static double productSurvival(long total, long members, long j) {
        double sum = 0;
        for (long i = 0; i < members; i++) {
            sum += Math.log1p(-(double) j / (double) (total - i));
        }
        return Math.exp(sum);
    }

    /**
     * {@code exp(sum_{i=0}^{m-1} g(i))} with {@code g(x) = log(1 - j/(N - x))}, by Euler-Maclaurin:
     * the integral of {@code g} over {@code [0, m-1]} by composite Simpson's rule, plus half the
     * end values and the {@code B_2} and {@code B_4} derivative terms. {@code g} is analytic with
     * its nearest singularity at {@code x = N - j}, far beyond {@code m} where this is used, so
     * Simpson's error (of order {@code m h^4 max|g''''|} with {@code h = m / 4000}) and the next
     * Euler-Maclaurin term (of order {@code j / (N - m)^6}) are below double rounding.
     */
    static double eulerMaclaurinSurvival(long total, long members, long j) {
        double last = members - 1;
        int panels = 4000;
        double h = last / panels;
        double integral = 0;
        if (last > 0) {
            double sum = g(total, j, 0) + g(total, j, last);
            for (int i = 1; i < panels; i++) {
                sum += g(total, j, i * h) * ((i & 1) == 1 ? 4 : 2);
            }
            integral = sum * h / 3;
        }
        double ends = (g(total, j, 0) + g(total, j, last)) / 2;
        double yLast = total - last;
        double yFirst = total;
        double sum = integral + ends + (gFirstDerivative(yLast, j) - gFirstDerivative(yFirst, j)) / 12
            - (gThirdDerivative(yLast, j) - gThirdDerivative(yFirst, j)) / 720;
        return Math.exp(sum);
    }

    private static double g(long total, long j, double x) {
        return Math.log1p(-(double) j / (total - x));
    }

    /** {@code g'(x) = 1/y - 1/(y - j) = -j / (y (y - j))} at {@code y = N - x}. */
    private static double gFirstDerivative(double y, double j) {
        return -j / (y * (y - j));
    }

    /** {@code g'''(x) = 2/y^3 - 2/(y - j)^3 = -2 j (3y^2 - 3yj + j^2) / (y^3 (y - j)^3)} at {@code y = N - x}. */
    private static double gThirdDerivative(double y, double j) {
        double z = y - j;
        return -2 * j * (3 * y * y - 3 * y * j + j * j) / (y * y * y * z * z * z);
    }

    /** Returns the smallest {@code j} with {@code P(J <= j) >= level}, by bisection on the reference. */
    static long exactQuantile(long total, long members, double level) {
        long low = 0;
        long high = total - members;
        while (low < high) {
            long mid = low + (high - low) / 2;
            if (1 - survival(total, members, mid + 1) >= level) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }

    /** Returns the largest {@code j} with {@code P(J >= j) >= floor}, by bisection on the reference. */
    static long lastWithSurvivalAtLeast(long total, long members, double floor) {
        long low = 0;
        long high = total - members;
        while (low < high) {
            long mid = low + (high - low + 1) / 2;
            if (survival(total, members, mid) >= floor) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /**
     * Returns the lower edges of the test cells, from 0: every value of {@code J} when there are at
     * most 200, else the approximate quantiles {@code N (1 - (1 - b/BINS)^(1/m))} of the law
     * {@code (1 - j/N)^m}, so that the cells are close to equally likely.
     */
    static long[] binEdges(long total, long members) {
        long max = total - members;
        if (max < 200) {
            long[] all = new long[(int) max + 1];
            for (int j = 0; j <= max; j++) {
                all[j] = j;
            }
            return all;
        }
        long[] edges = new long[BINS];
        int count = 1;
        for (int b = 1; b < BINS; b++) {
            double level = (double) b / BINS;
            long edge = (long) Math.floor(-(double) total * Math.expm1(Math.log1p(-level) / members));
            edge = Math.max(1, Math.min(max, edge));
            if (edge > edges[count - 1]) {
                edges[count++] = edge;
            }
        }
        return Arrays.copyOf(edges, count);
    }

    private static long[] probeIndices(long total, long members) {
        long last = lastWithSurvivalAtLeast(total, members, 1e-12);
        return new long[] {1, 2, last / 100, last / 10, last / 3, last / 2, last};
    }

    /** Returns how many sorted samples are at most {@code value}. */
    private static long upperBound(long[] sorted, long value) {
        int index = Arrays.binarySearch(sorted, value);
        if (index < 0) {
            return -index - 1;
        }
        while (index + 1 < sorted.length && sorted[index + 1] == value) {
            index++;
        }
        return index + 1;
    }
}
