package dev.kvcache.engine.stats;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;

/**
 * Holm's step-down adjustment of p-values for multiple testing (S. Holm, "A simple sequentially
 * rejective multiple test procedure", Scandinavian Journal of Statistics 6, 1979). It controls the
 * family-wise error rate at level {@code alpha} under any dependence between the tests and rejects
 * at least every hypothesis that the Bonferroni correction rejects.
 */
public final class Holm {
    private static final String INVALID_P_VALUE = "Invalid pValues[%d]: %s, the value must be in [0, 1]";
    private static final String INVALID_ALPHA = "Invalid alpha: %s, the value must be in (0, 1)";

    private Holm() {
    }

    /**
     * Returns Holm-adjusted p-values in the input order. With the {@code m} p-values sorted as
     * {@code p_(1) <= ... <= p_(m)}, the adjusted value of {@code p_(i)} is
     * {@code min(1, max_(j <= i) (m - j + 1) p_(j))}, so adjusted values never decrease along the
     * sorted order. Tied p-values receive the same adjusted value.
     *
     * @param pValues the unadjusted p-values, which are not modified
     * @return a new array with the adjusted p-value of {@code pValues[i]} at index {@code i}
     * @throws NullPointerException if {@code pValues} is null
     * @throws IllegalArgumentException if any value is NaN or outside {@code [0, 1]}
     */
    public static double[] adjust(double[] pValues) {
        Objects.requireNonNull(pValues, "pValues");
        for (int i = 0; i < pValues.length; i++) {
            if (!(pValues[i] >= 0 && pValues[i] <= 1)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, INVALID_P_VALUE, i, pValues[i]));
            }
        }

        int m = pValues.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> pValues[i]));

        double[] adjusted = new double[m];
        double runningMax = 0.0;
        for (int rank = 0; rank < m; rank++) {
            int index = order[rank];
            double scaled = Math.min(1.0, (m - rank) * pValues[index]);
            runningMax = Math.max(runningMax, scaled);
            adjusted[index] = runningMax;
        }
        return adjusted;
    }

    /**
     * Returns which hypotheses Holm's procedure rejects at family-wise level {@code alpha}: entry
     * {@code i} is true when the adjusted p-value of {@code pValues[i]} is at most {@code alpha}.
     *
     * @param pValues the unadjusted p-values, which are not modified
     * @param alpha the family-wise error rate, in {@code (0, 1)}
     * @throws NullPointerException if {@code pValues} is null
     * @throws IllegalArgumentException if {@code alpha} is NaN or outside {@code (0, 1)}, or any
     *     p-value is NaN or outside {@code [0, 1]}
     */
    public static boolean[] reject(double[] pValues, double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, INVALID_ALPHA, alpha));
        }
        double[] adjusted = adjust(pValues);
        boolean[] rejected = new boolean[adjusted.length];
        for (int i = 0; i < adjusted.length; i++) {
            rejected[i] = adjusted[i] <= alpha;
        }
        return rejected;
    }
}
