package dev.kvcache.engine.cache;

/**
 * The order in which hard attention with positional keys ranks positions around a centre on the
 * circle {@code [0, n)}: rank 0 is the centre, then increasing circular distance, and at equal
 * distance the smaller position first.
 */
public final class CircularOrder {
    private CircularOrder() {
    }

    /** Returns the circular distance {@code min(|a - b|, n - |a - b|)}. */
    public static long distance(long n, long a, long b) {
        long d = Math.abs(a - b);
        return Math.min(d, n - d);
    }

    /** Returns the rank of position {@code q} around {@code centre}, in {@code [0, n)}. */
    public static long rank(long n, long centre, long q) {
        long d = distance(n, centre, q);
        if (d == 0) {
            return 0;
        }
        long down = Math.floorMod(centre - d, n);
        long up = Math.floorMod(centre + d, n);
        if (down == up || q == Math.min(down, up)) {
            return 2 * d - 1;
        }
        return 2 * d;
    }

    /** Returns the position of rank {@code rank} around {@code centre}. */
    public static long positionAt(long n, long centre, long rank) {
        if (rank == 0) {
            return centre;
        }
        long d = (rank + 1) / 2;
        long down = Math.floorMod(centre - d, n);
        long up = Math.floorMod(centre + d, n);
        return (rank & 1) == 1 ? Math.min(down, up) : Math.max(down, up);
    }

    /**
     * Returns whichever of two positions comes first around {@code centre}: the nearer one, or the
     * smaller one at equal distance. A negative position stands for none.
     */
    public static long closer(long n, long centre, long a, long b) {
        if (a < 0) {
            return b;
        }
        if (b < 0) {
            return a;
        }
        long da = distance(n, centre, a);
        long db = distance(n, centre, b);
        if (db < da || (db == da && b < a)) {
            return b;
        }
        return a;
    }
}
