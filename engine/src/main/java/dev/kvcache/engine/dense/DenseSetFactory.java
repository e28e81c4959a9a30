package dev.kvcache.engine.dense;

import dev.kvcache.engine.cache.ArcSet;
import dev.kvcache.engine.cache.SetFactory;
import dev.kvcache.engine.cache.StridedSet;
import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Creates the dense engine's resident sets. Random subsets and windows are materialised
 * ({@code O(n)} memory per holder, {@code O(s)} time per draw) and accept the admissions and
 * evictions of adaptive controllers. Strided sets and arcs are the formula sets shared with the
 * lazy engine.
 */
public final class DenseSetFactory implements SetFactory {
    private final int n;
    private final UniformRandomProvider rng;

    /**
     * Creates a factory over the positions {@code [0, n)} whose sets draw from {@code rng}.
     *
     * @throws IllegalArgumentException if {@code n} is not in {@code [1, DenseEngine.MAX_POSITIONS]}
     */
    public DenseSetFactory(long n, UniformRandomProvider rng) {
        if (n < 1 || n > DenseEngine.MAX_POSITIONS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                "dense sets need n in [1, %d], got %d", DenseEngine.MAX_POSITIONS, n));
        }
        this.n = (int) n;
        this.rng = rng;
    }

    @Override
    public long universe() {
        return n;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code s} is not in {@code [0, n]}
     */
    @Override
    public RandomSubsetSlot randomSubsetSlot(long s) {
        checkSize(s);
        DenseResidentSet set = new DenseResidentSet(n, rng);
        return () -> set.fillRandom((int) s);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code s} is not in {@code [0, n]} or {@code sinks} is negative
     */
    @Override
    public WindowSlot windowSlot(long s, long sinks) {
        checkSize(s);
        if (sinks < 0) {
            throw new IllegalArgumentException("sinks must be non-negative, got " + sinks);
        }
        DenseResidentSet set = new DenseResidentSet(n, rng);
        return () -> set.fillWindow((int) s, sinks);
    }

    @Override
    public StridedSet strided(long s) {
        return new StridedSet(n, s, rng);
    }

    @Override
    public ArcSet arc(long s) {
        return new ArcSet(n, s, rng);
    }

    private void checkSize(long s) {
        if (s < 0 || s > n) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                "cache size must be in [0, %d], got %d", n, s));
        }
    }
}
