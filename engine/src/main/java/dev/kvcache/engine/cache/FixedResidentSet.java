package dev.kvcache.engine.cache;

/**
 * A resident set that its controller never changes, for oblivious and query-aware rules: the
 * mutation methods of {@link ResidentSet} reject every call, and no resident is anonymous
 * because membership is decided by a formula.
 */
public abstract class FixedResidentSet implements ResidentSet {

    @Override
    public long anonymousCount() {
        return 0;
    }

    @Override
    public void markKnown(long p) {
        if (!contains(p)) {
            throw new IllegalStateException("markKnown(" + p + "): the position is not resident");
        }
    }

    @Override
    public void admit(long p) {
        throw new UnsupportedOperationException("this cache is fixed by its controller; it admits nothing");
    }

    @Override
    public void evict(long p) {
        throw new UnsupportedOperationException("this cache is fixed by its controller; it evicts nothing");
    }

    @Override
    public long evictAnonymous() {
        throw new UnsupportedOperationException("this cache is fixed by its controller; it evicts nothing");
    }
}
