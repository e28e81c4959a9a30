package dev.kvcache.engine.stats;

import java.util.Locale;

/**
 * Exact binomial tail probabilities, p-values and Clopper-Pearson intervals for counts of up to
 * {@code 2^53} trials.
 *
 * <p>Every probability comes from the regularized incomplete Beta function, {@code P(X >= x) =
 * I_p(x, n - x + 1)}, and every small tail is computed directly, never as one minus the other
 * tail, so tails stay above zero down to the smallest normal double ({@code 2.2e-308}). The tests
 * compare against exact sums for {@code n} up to 3000, 70-digit references at {@code n = 3e9},
 * exact sums of small counts at {@code n = 1e13}, and two independent methods near the mean at
 * {@code n = 1e13}. The largest relative error they find for tails above {@code 1e-300} is
 * {@code 5e-13}. These errors are for the double {@code p} as given. Near the mean at
 * {@code n = 1e13} the exact tail itself moves by about {@code 1e-9} when {@code p} moves by one
 * unit in the last place, so a {@code p} that was rounded before the call limits the meaning of
 * further digits.
 *
 * <p>Each call takes a bounded number of floating-point steps (see {@link BinomialTail}). A
 * Clopper-Pearson interval solves two tail equations by Newton's method (see
 * {@link TailInversion}) with about nine tail evaluations each, and at most 13 in a sweep of
 * 40,000 bounds with {@code n} up to {@code 2^53}.
 *
 * <p>Counts are {@code long}, and trials above {@code 2^53} are rejected because the counts are
 * converted to {@code double}, which is exact only up to {@code 2^53}.
 */
public final class Binomial {
    /** The largest number of trials, {@code 2^53}. */
    public static final long MAX_TRIALS = 1L << 53;

    private static final String INVALID_ARGUMENT = "Invalid %s: %s, the value must be %s";

    private Binomial() {
    }

    /**
     * Returns the upper tail {@code P(X >= events)} for {@code X ~ Bin(trials, p)}, which is
     * {@code I_p(events, trials - events + 1)} for {@code events >= 1} and 1 for
     * {@code events = 0}.
     *
     * @param events the threshold, in {@code [0, trials]}
     * @param trials the number of trials, in {@code [1, 2^53]}
     * @param p the success probability, in {@code [0, 1]}
     * @throws IllegalArgumentException if an argument is outside its range or {@code p} is NaN
     */
    public static double upperTail(long events, long trials, double p) {
        checkCounts(events, trials);
        checkProbability("p", p);
        return probabilityOf(BinomialTail.logUpper(events, trials, p, 1 - p));
    }

    /**
     * Returns the lower tail {@code P(X <= events)} for {@code X ~ Bin(trials, p)}, which is
     * {@code I_(1-p)(trials - events, events + 1)} for {@code events < trials} and 1 for
     * {@code events = trials}.
     *
     * @param events the threshold, in {@code [0, trials]}
     * @param trials the number of trials, in {@code [1, 2^53]}
     * @param p the success probability, in {@code [0, 1]}
     * @throws IllegalArgumentException if an argument is outside its range or {@code p} is NaN
     */
    public static double lowerTail(long events, long trials, double p) {
        checkCounts(events, trials);
        checkProbability("p", p);
        return probabilityOf(BinomialTail.logLower(events, trials, p, 1 - p));
    }

    /**
     * Returns the two-sided p-value of {@code H0: p = p0} by the doubling rule,
     * {@code min(1, 2 min(P(X <= events), P(X >= events)))} with {@code X ~ Bin(trials, p0)}. For
     * {@code 0 < events < trials} this is the test that {@link #clopperPearson} inverts: {@code p0}
     * lies outside the interval at confidence {@code c} exactly when this p-value is below
     * {@code 1 - c}. For {@code p0 = 0}
     * the p-value is 1 when {@code events = 0} and 0 otherwise, and {@code p0 = 1} mirrors that.
     *
     * @param events the observed count, in {@code [0, trials]}
     * @param trials the number of trials, in {@code [1, 2^53]}
     * @param p0 the success probability under the null hypothesis, in {@code [0, 1]}
     * @return the p-value, in {@code [0, 1]}
     * @throws IllegalArgumentException if an argument is outside its range or {@code p0} is NaN
     */
    public static double pValueTwoSided(long events, long trials, double p0) {
        checkCounts(events, trials);
        checkProbability("p0", p0);
        double q0 = 1 - p0;
        double lower = probabilityOf(BinomialTail.logLower(events, trials, p0, q0));
        double upper = probabilityOf(BinomialTail.logUpper(events, trials, p0, q0));
        return Math.min(1.0, 2 * Math.min(lower, upper));
    }

    /**
     * Returns the one-sided p-value of {@code H0: p <= bound} against {@code p > bound}, which is
     * {@code P(X >= events)} for {@code X ~ Bin(trials, bound)}.
     *
     * @param events the observed count, in {@code [0, trials]}
     * @param trials the number of trials, in {@code [1, 2^53]}
     * @param bound the largest success probability under the null hypothesis, in {@code [0, 1]}
     * @return the p-value, in {@code [0, 1]}
     * @throws IllegalArgumentException if an argument is outside its range or {@code bound} is NaN
     */
    public static double pValueAbove(long events, long trials, double bound) {
        checkCounts(events, trials);
        checkProbability("bound", bound);
        return probabilityOf(BinomialTail.logUpper(events, trials, bound, 1 - bound));
    }

    /**
     * Returns the Clopper-Pearson interval for the success probability at level
     * {@code confidence}, with {@code alpha = 1 - confidence}. For {@code 0 < events < trials} the
     * lower end solves {@code P(X >= events; p) = alpha / 2} and the upper end solves
     * {@code P(X <= events; p) = alpha / 2}. At the edges the interval is the one-sided bound at
     * the full {@code alpha}: {@code [0, 1 - alpha^(1/n)]} for {@code events = 0}, computed as
     * {@code -expm1(log(alpha) / n)}, and {@code [alpha^(1/n), 1]} for {@code events = trials}.
     *
     * @param events the observed count, in {@code [0, trials]}
     * @param trials the number of trials {@code n}, in {@code [1, 2^53]}
     * @param confidence the confidence level, in {@code (0, 1)}, for example 0.95
     * @throws IllegalArgumentException if an argument is outside its range or {@code confidence}
     *     is NaN
     */
    public static Interval clopperPearson(long events, long trials, double confidence) {
        checkCounts(events, trials);
        checkConfidence(confidence);
        double alpha = 1 - confidence;
        if (events == 0) {
            return new Interval(0.0, upperBoundOfZeroEvents(trials, alpha));
        }
        if (events == trials) {
            return new Interval(Math.exp(Math.log(alpha) / trials), 1.0);
        }
        double logHalfAlpha = Math.log(0.5 * alpha);
        double low = TailInversion.lowerBound(events, trials, logHalfAlpha);
        double high = TailInversion.upperBound(events, trials, logHalfAlpha);
        return new Interval(low, high);
    }

    /**
     * Returns the exact one-sided upper confidence bound at level {@code confidence}: the
     * {@code p} that solves {@code P(X <= events; p) = alpha} with {@code alpha = 1 - confidence}.
     * It is {@code -expm1(log(alpha) / n)} for {@code events = 0} and 1 for
     * {@code events = trials}.
     *
     * @param events the observed count, in {@code [0, trials]}
     * @param trials the number of trials {@code n}, in {@code [1, 2^53]}
     * @param confidence the confidence level, in {@code (0, 1)}
     * @throws IllegalArgumentException if an argument is outside its range or {@code confidence}
     *     is NaN
     */
    public static double oneSidedUpper(long events, long trials, double confidence) {
        checkCounts(events, trials);
        checkConfidence(confidence);
        double alpha = 1 - confidence;
        if (events == 0) {
            return upperBoundOfZeroEvents(trials, alpha);
        }
        if (events == trials) {
            return 1.0;
        }
        return TailInversion.upperBound(events, trials, Math.log(alpha));
    }

    /** Returns {@code exp(logProbability)}, kept at most 1 against rounding. */
    private static double probabilityOf(double logProbability) {
        return Math.min(1.0, Math.exp(logProbability));
    }

    /** Returns the {@code p} with {@code (1 - p)^n = alpha}, accurate for {@code n} up to 2^53. */
    private static double upperBoundOfZeroEvents(long trials, double alpha) {
        return -Math.expm1(Math.log(alpha) / trials);
    }

    private static void checkCounts(long events, long trials) {
        if (trials < 1 || trials > MAX_TRIALS) {
            throw invalid("trials", trials, "in [1, 2^53]");
        }
        if (events < 0 || events > trials) {
            throw invalid("events", events, "in [0, trials] = [0, " + trials + "]");
        }
    }

    private static void checkProbability(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw invalid(name, value, "in [0, 1]");
        }
    }

    private static void checkConfidence(double confidence) {
        if (!(confidence > 0 && confidence < 1)) {
            throw invalid("confidence", confidence, "in (0, 1)");
        }
    }

    private static IllegalArgumentException invalid(String name, Object value, String rule) {
        return new IllegalArgumentException(String.format(Locale.ROOT, INVALID_ARGUMENT, name, value, rule));
    }
}
