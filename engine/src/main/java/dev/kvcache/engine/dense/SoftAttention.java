package dev.kvcache.engine.dense;

import dev.kvcache.engine.cache.CircularOrder;
import dev.kvcache.engine.controller.AdaptiveCache;

/**
 * Softmax attention weights of one stage over the residents of an adaptive controller's cache,
 * with positional keys: {@code w_q} is proportional to {@code exp(-d(read, q) / temperature)},
 * where {@code d} is the circular distance ({@link CircularOrder#distance}) from the requested
 * position. The exponent is shifted by the smallest distance before {@code exp}, so a tiny
 * temperature puts all weight on the nearest residents instead of underflowing to 0 everywhere.
 * Residents whose weight underflows to 0 are not listed, which records the same statistics as
 * listing them with weight 0.
 */
final class SoftAttention {
    private final int n;
    private final double temperature;
    private long[] residents = new long[16];
    private double[] weights = new double[16];
    private int[] distances = new int[16];

    SoftAttention(int n, double temperature) {
        this.n = n;
        this.temperature = temperature;
    }

    /** Computes the weights of stage {@code t} around {@code read} and records them in {@code cache}. */
    void record(int t, int read, int attended, DenseResidentSet set, AdaptiveCache cache) {
        int size = (int) set.size();
        if (distances.length < size) {
            residents = new long[size];
            weights = new double[size];
            distances = new int[size];
        }
        int nearest = Integer.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            int d = (int) CircularOrder.distance(n, read, set.memberAt(i));
            distances[i] = d;
            nearest = Math.min(nearest, d);
        }
        int count = 0;
        double total = 0;
        for (int i = 0; i < size; i++) {
            double w = Math.exp(-(distances[i] - nearest) / temperature);
            if (w > 0) {
                residents[count] = set.memberAt(i);
                weights[count] = w;
                total += w;
                count++;
            }
        }
        for (int i = 0; i < count; i++) {
            weights[i] /= total;
        }
        cache.recordAttention(t, attended, residents, weights, count);
    }
}
