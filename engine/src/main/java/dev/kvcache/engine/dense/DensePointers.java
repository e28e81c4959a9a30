package dev.kvcache.engine.dense;

import dev.kvcache.engine.task.PointerLaw;
import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * The pointer map {@code f} of one trial, materialised as an {@code int} array of {@code n}
 * images. A random function draws every image independently and uniformly (from bit fields of
 * 64-bit draws when {@code n} is a power of two); a random permutation
 * is a Fisher-Yates shuffle of the previous trial's permutation, which is uniform whatever the
 * starting order is.
 */
final class DensePointers {
    private final int n;
    private final PointerLaw law;
    private final UniformRandomProvider rng;
    private final int[] images;
    /** {@code log2 n} when {@code n} is a power of two, which allows {@link #drawByBitFields}; else 0. */
    private final int bitsPerImage;

    DensePointers(int n, PointerLaw law, UniformRandomProvider rng) {
        this.n = n;
        this.law = law;
        this.rng = rng;
        this.images = new int[n];
        this.bitsPerImage = Integer.bitCount(n) == 1 && n > 1 ? Integer.numberOfTrailingZeros(n) : 0;
        for (int i = 0; i < n; i++) {
            images[i] = i;
        }
    }

    /** Draws a new map, independent of every earlier one. */
    void draw() {
        if (law == PointerLaw.FUNCTION) {
            if (bitsPerImage > 0) {
                drawByBitFields();
                return;
            }
            for (int i = 0; i < n; i++) {
                images[i] = rng.nextInt(n);
            }
            return;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int image = images[i];
            images[i] = images[j];
            images[j] = image;
        }
    }

    /**
     * Fills a random function for {@code n = 2^b}: each 64-bit draw is cut into
     * {@code floor(64 / b)} fields of {@code b} bits, and each field is a uniform image on its own,
     * so the map needs about {@code n b / 64} generator calls.
     */
    private void drawByBitFields() {
        int bits = bitsPerImage;
        int perDraw = 64 / bits;
        int mask = n - 1;
        int i = 0;
        while (i < n) {
            long word = rng.nextLong();
            int fields = Math.min(perDraw, n - i);
            for (int f = 0; f < fields; f++) {
                images[i++] = (int) word & mask;
                word >>>= bits;
            }
        }
    }

    /**
     * Replaces the map by a given one, for tests that check a trial by hand.
     *
     * @throws IllegalArgumentException if {@code f} does not have {@code n} entries in {@code [0, n)}
     */
    void load(int[] f) {
        if (f.length != n) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                "pointer map has %d entries, expected n = %d", f.length, n));
        }
        for (int i = 0; i < n; i++) {
            if (f[i] < 0 || f[i] >= n) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "pointer f(%d) = %d is outside [0, %d)", i, f[i], n));
            }
        }
        System.arraycopy(f, 0, images, 0, n);
    }

    /** Returns the image array itself; callers must not change it. */
    int[] images() {
        return images;
    }

    /**
     * Returns {@code f^hops(start)}. Up to {@code n} hops it follows the pointers; beyond that
     * it reduces the hop count modulo the length of the cycle the orbit has entered, so the cost
     * is at most {@code 3n} steps whatever {@code hops} is.
     */
    int jump(int start, long hops) {
        int position = start;
        if (hops <= n) {
            for (long h = 0; h < hops; h++) {
                position = images[position];
            }
            return position;
        }
        // After n hops the orbit has repeated a position, so it is on its cycle.
        for (int h = 0; h < n; h++) {
            position = images[position];
        }
        int cycleLength = 1;
        for (int q = images[position]; q != position; q = images[q]) {
            cycleLength++;
        }
        long remaining = (hops - n) % cycleLength;
        for (long h = 0; h < remaining; h++) {
            position = images[position];
        }
        return position;
    }
}
