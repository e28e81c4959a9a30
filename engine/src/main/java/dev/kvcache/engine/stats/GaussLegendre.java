package dev.kvcache.engine.stats;

/**
 * The 24-point Gauss-Legendre rule on {@code [-1, 1]}, which integrates polynomials of degree up
 * to 47 exactly. The nodes are the roots of the Legendre polynomial {@code P_24}, found by
 * Newton's method from the estimates {@code cos(pi (i - 1/4) / (24 + 1/2))}, with {@code P_24} and
 * its derivative from the three-term recurrence. The weights are
 * {@code 2 / ((1 - x^2) P_24'(x)^2)}, with {@code 1 - x^2} formed as {@code (1 - x)(1 + x)} so that
 * the nodes near 1 lose no accuracy.
 */
final class GaussLegendre {
    /** Number of nodes. */
    static final int POINTS = 24;

    private static final double[] NODES = new double[POINTS];
    private static final double[] WEIGHTS = new double[POINTS];

    static {
        for (int i = 0; i < POINTS / 2; i++) {
            double x = Math.cos(Math.PI * (i + 0.75) / (POINTS + 0.5));
            for (int iteration = 0; iteration < 100; iteration++) {
                double[] values = legendre(x);
                double step = values[0] / values[1];
                x -= step;
                if (Math.abs(step) <= 1e-17) {
                    break;
                }
            }
            double oneMinusSquare = (1 - x) * (1 + x);
            double derivative = legendre(x)[1];
            double weight = 2 / (oneMinusSquare * derivative * derivative);
            NODES[i] = -x;
            NODES[POINTS - 1 - i] = x;
            WEIGHTS[i] = weight;
            WEIGHTS[POINTS - 1 - i] = weight;
        }
    }

    private GaussLegendre() {
    }

    /** Returns node {@code i} in increasing order, {@code 0 <= i < POINTS}. */
    static double node(int i) {
        return NODES[i];
    }

    /** Returns the weight of node {@code i}. */
    static double weight(int i) {
        return WEIGHTS[i];
    }

    /**
     * Returns {@code {P_24(x), P_24'(x)}} from
     * {@code (j + 1) P_(j+1) = (2j + 1) x P_j - j P_(j-1)} and
     * {@code P_n' = n (P_(n-1) - x P_n) / (1 - x^2)}.
     */
    private static double[] legendre(double x) {
        double previous = 1.0;
        double current = x;
        for (int j = 1; j < POINTS; j++) {
            double next = ((2 * j + 1) * x * current - j * previous) / (j + 1);
            previous = current;
            current = next;
        }
        double derivative = POINTS * (previous - x * current) / ((1 - x) * (1 + x));
        return new double[] {current, derivative};
    }
}
