package dev.kvcache.engine.lazy;

import dev.kvcache.engine.task.PointerLaw;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * The pointer map {@code f} of one trial, drawn by deferred decisions: {@code f(i)} is drawn the
 * first time position {@code i} is followed, from its exact conditional law (uniform for a random
 * function; uniform over the images not yet used for a random permutation).
 *
 * <p>Storage is an open-addressing hash table cleared in O(1) between trials by a generation
 * stamp, so a trial costs time proportional to the positions it visits, whatever {@code n} is.
 */
final class LazyPointers {
    private final long n;
    private final PointerLaw law;
    private final UniformRandomProvider rng;
    private final StampedLongMap images = new StampedLongMap();
    private final StampedLongMap usedImages = new StampedLongMap();

    LazyPointers(long n, PointerLaw law, UniformRandomProvider rng) {
        this.n = n;
        this.law = law;
        this.rng = rng;
    }

    /** Forgets every drawn pointer, starting a new independent map. */
    void reset() {
        images.clear();
        if (law == PointerLaw.PERMUTATION) {
            usedImages.clear();
        }
    }

    /** Returns {@code f(i)}, drawing it if position {@code i} was never followed. */
    long follow(long i) {
        // One probe per map serves both the lookup and the insertion that follows it.
        int slot = images.find(i);
        if (slot >= 0) {
            return images.valueAt(slot);
        }
        long image;
        if (law == PointerLaw.FUNCTION) {
            image = uniformBelow(rng, n);
        } else {
            // Rejection keeps the draw uniform over the unused images.
            int usedSlot;
            do {
                image = uniformBelow(rng, n);
                usedSlot = usedImages.find(image);
            } while (usedSlot >= 0);
            usedImages.insertAt(usedSlot, image, i);
        }
        images.insertAt(slot, i, image);
        return image;
    }

    /** Returns {@code f(i)} when it was drawn already, or {@code -1}; draws nothing. */
    long drawnImage(long i) {
        return images.get(i);
    }

    /**
     * Sets {@code f(i) = image} for a position never followed, as if the draw had given it.
     *
     * @throws IllegalStateException if {@code f(i)} was drawn already, or under a permutation
     *     {@code image} is the image of another position
     */
    void force(long i, long image) {
        int slot = images.find(i);
        if (slot >= 0) {
            throw new IllegalStateException("f(" + i + ") was drawn already");
        }
        if (law == PointerLaw.PERMUTATION) {
            int usedSlot = usedImages.find(image);
            if (usedSlot >= 0) {
                throw new IllegalStateException(image + " is the image of another position already");
            }
            usedImages.insertAt(usedSlot, image, i);
        }
        images.put(i, image);
    }

    /** Returns whether {@code p} is the image of a followed position; under a function, always {@code false}. */
    boolean isUsedImage(long p) {
        return law == PointerLaw.PERMUTATION && usedImages.get(p) >= 0;
    }

    /** Returns how many images a new draw cannot take: the used ones under a permutation, none under a function. */
    long usedImageCount() {
        return law == PointerLaw.PERMUTATION ? images.size() : 0;
    }

    /** Calls {@code action} for every followed position and every drawn image (a position may come twice). */
    void forEachVisited(java.util.function.LongConsumer action) {
        images.forEach(action);
    }

    /**
     * Returns {@code rng.nextLong(bound)}, the same value from the same draws, without its 64-bit
     * division when {@code bound} is a power of two.
     *
     * <p>commons-rng 1.6's default {@code nextLong(bound)} takes {@code bits = nextLong() >>> 1}
     * and returns {@code bits % bound}, drawing again when {@code bits - bits % bound + bound - 1}
     * overflows. For a power of two that sum is at most {@code 2^63 - 1}, so it never draws again,
     * and {@code bits % bound} is {@code bits & (bound - 1)}.
     *
     * <p>NOTE: a generator that overrides {@code nextLong(long)} with another algorithm would see
     * different values here for power-of-two bounds; {@code Seeds.generator} does not override it.
     *
     * @throws IllegalArgumentException if {@code bound <= 0}
     */
    static long uniformBelow(UniformRandomProvider rng, long bound) {
        if (bound > 0 && (bound & (bound - 1)) == 0) {
            return (rng.nextLong() >>> 1) & (bound - 1);
        }
        return rng.nextLong(bound);
    }

    /** Returns {@code f^hops(start)}. */
    long jump(long start, long hops) {
        long position = start;
        for (long h = 0; h < hops; h++) {
            position = follow(position);
        }
        return position;
    }

    /**
     * A map from non-negative longs to non-negative longs with O(1) clearing. Absent keys read as
     * {@code -1}.
     */
    static final class StampedLongMap {
        private long[] keys = new long[64];
        private long[] values = new long[64];
        private int[] stamps = new int[64];
        private int stamp = 1;
        private int size;

        int size() {
            return size;
        }

        /** Returns the keys, in table order. */
        long[] keysSnapshot() {
            long[] result = new long[size];
            int next = 0;
            for (int i = 0; i < keys.length; i++) {
                if (stamps[i] == stamp) {
                    result[next++] = keys[i];
                }
            }
            return result;
        }

        /** Calls {@code action} with every key and every value. */
        void forEach(java.util.function.LongConsumer action) {
            for (int i = 0; i < keys.length; i++) {
                if (stamps[i] == stamp) {
                    action.accept(keys[i]);
                    action.accept(values[i]);
                }
            }
        }

        void clear() {
            size = 0;
            stamp++;
            if (stamp == Integer.MAX_VALUE) {
                java.util.Arrays.fill(stamps, 0);
                stamp = 1;
            }
        }

        long get(long key) {
            int mask = keys.length - 1;
            int slot = (int) SlotHash.hash(key) & mask;
            while (stamps[slot] == stamp) {
                if (keys[slot] == key) {
                    return values[slot];
                }
                slot = (slot + 1) & mask;
            }
            return -1;
        }

        /**
         * Returns the slot of {@code key}, or {@code -1 - slot} for the free slot where
         * {@link #insertAt} puts it.
         */
        int find(long key) {
            int mask = keys.length - 1;
            int slot = (int) SlotHash.hash(key) & mask;
            while (stamps[slot] == stamp) {
                if (keys[slot] == key) {
                    return slot;
                }
                slot = (slot + 1) & mask;
            }
            return -1 - slot;
        }

        /** Returns the value in a slot that {@link #find} returned. */
        long valueAt(int slot) {
            return values[slot];
        }

        /**
         * Adds an absent key, given {@code missing}, the negative result of {@link #find} for it
         * with no change to the map in between.
         */
        void insertAt(int missing, long key, long value) {
            if (2 * (size + 1) > keys.length) {
                // The table grows first, which moves every slot.
                put(key, value);
                return;
            }
            int slot = -1 - missing;
            stamps[slot] = stamp;
            keys[slot] = key;
            values[slot] = value;
            size++;
        }

        void put(long key, long value) {
            if (2 * (size + 1) > keys.length) {
                grow();
            }
            int mask = keys.length - 1;
            int slot = (int) SlotHash.hash(key) & mask;
            while (stamps[slot] == stamp) {
                if (keys[slot] == key) {
                    values[slot] = value;
                    return;
                }
                slot = (slot + 1) & mask;
            }
            stamps[slot] = stamp;
            keys[slot] = key;
            values[slot] = value;
            size++;
        }

        private void grow() {
            long[] oldKeys = keys;
            long[] oldValues = values;
            int[] oldStamps = stamps;
            int oldStamp = stamp;
            keys = new long[oldKeys.length * 2];
            values = new long[oldKeys.length * 2];
            stamps = new int[oldKeys.length * 2];
            stamp = 1;
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldStamps[i] == oldStamp) {
                    put(oldKeys[i], oldValues[i]);
                }
            }
        }
    }

    /** A fast 64-bit hash for table slots (the Murmur3 finaliser). */
    static final class SlotHash {
        private SlotHash() {
        }

        static long hash(long key) {
            long h = key;
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            return h;
        }
    }
}
