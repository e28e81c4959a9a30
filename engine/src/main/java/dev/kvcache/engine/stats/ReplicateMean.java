package dev.kvcache.engine.stats;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * The mean of independent replicates of an unbiased estimator, with Student-t intervals and
 * tests from their spread: how a splitting cell turns its replicates into an estimate.
 *
 * <p>The t procedures assume that the replicate estimates are roughly normal. A splitting
 * replicate is a product of survival fractions, each an average over many clones, so it is
 * close to normal at the default effort. The coverage test of the splitting estimator checks the
 * interval.
 *
 * @param count number of replicates, at least 2
 * @param mean their mean, summed in replicate order so the value is reproducible
 * @param standardDeviation their sample standard deviation
 */
public record ReplicateMean(int count, double mean, double standardDeviation) {

    /**
     * Returns the mean and spread of {@code values}.
     *
     * @throws IllegalArgumentException if there are fewer than 2 values or one is not finite
     */
    public static ReplicateMean of(double[] values) {
        if (values.length < 2) {
            throw new IllegalArgumentException("at least 2 replicates are needed for a spread, got " + values.length);
        }
        double sum = 0;
        for (double value : values) {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("replicate estimate is not finite: " + value);
            }
            sum += value;
        }
        double mean = sum / values.length;
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        return new ReplicateMean(values.length, mean, Math.sqrt(squares / (values.length - 1)));
    }

    /** Returns the standard error of the mean. */
    public double standardError() {
        return standardDeviation / Math.sqrt(count);
    }

    /** Returns the half-width of the two-sided t interval at {@code confidence}. */
    public double halfWidth(double confidence) {
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
        return t().inverseCumulativeProbability(0.5 + confidence / 2) * standardError();
    }

    /** Returns the t interval at {@code confidence}, clipped to the probabilities [0, 1]. */
    public Interval interval(double confidence) {
        double half = halfWidth(confidence);
        double low = Math.min(1.0, Math.max(0.0, mean - half));
        double high = Math.max(low, Math.min(1.0, mean + half));
        return new Interval(low, high);
    }

    /** Returns the half-width at {@code confidence} relative to the mean, {@code NaN} when the mean is 0. */
    public double relativeError(double confidence) {
        return mean > 0 ? halfWidth(confidence) / mean : Double.NaN;
    }

    /** Relative difference below which a spread or a deviation is rounding, not randomness. */
    private static final double ROUNDING = 1e-9;

    /**
     * Returns whether the replicates do not spread beyond rounding: then the t procedures do not
     * apply, and the tests compare the mean with a relative tolerance of {@code 1e-9} instead.
     */
    public boolean noSpread() {
        return standardDeviation <= ROUNDING * Math.abs(mean);
    }

    /**
     * Returns the two-sided p-value of the hypothesis that the estimator's expectation is
     * {@code value}. Without spread ({@link #noSpread}) the test is decided exactly: 1 when the
     * mean equals {@code value} up to rounding, else 0.
     */
    public double pValueTwoSided(double value) {
        if (noSpread()) {
            return Math.abs(mean - value) <= ROUNDING * Math.max(Math.abs(mean), Math.abs(value)) ? 1.0 : 0.0;
        }
        double statistic = Math.abs(mean - value) / standardError();
        return Math.min(1.0, 2 * t().cumulativeProbability(-statistic));
    }

    /**
     * Returns the one-sided p-value of the hypothesis that the expectation is at most
     * {@code bound}: small when the mean lies significantly above it.
     */
    public double pValueAbove(double bound) {
        if (noSpread()) {
            return mean > bound * (1 + ROUNDING) ? 0.0 : 1.0;
        }
        double statistic = (mean - bound) / standardError();
        return t().cumulativeProbability(-statistic);
    }

    private TDistribution t() {
        return new TDistribution(null, count - 1);
    }
}
