package dev.kvcache.engine.stats;

import java.util.Locale;

/**
 * A closed interval {@code [low, high]} of probabilities, such as a confidence interval for a
 * binomial proportion.
 *
 * @param low the lower end, in {@code [0, high]}
 * @param high the upper end, in {@code [low, 1]}
 */
public record Interval(double low, double high) {
    private static final String INVALID_BOUNDS =
        "Invalid interval [%s, %s], the bounds must satisfy 0 <= low <= high <= 1";

    /**
     * Validates the bounds.
     *
     * @throws IllegalArgumentException unless {@code 0 <= low <= high <= 1}, which NaN bounds fail
     */
    public Interval {
        if (!(low >= 0 && low <= high && high <= 1)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, INVALID_BOUNDS, low, high));
        }
    }
}
