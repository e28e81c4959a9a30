package dev.kvcache.engine.controller;

/**
 * What one stage of the query did: the position it asked for, the position it attended to, and
 * the position named by the value it read. An adaptive controller may admit only
 * {@code attended} or {@code named}, the positions this trace references.
 *
 * @param stage the stage, from 1
 * @param read the requested position {@code c_(t-1)}
 * @param attended the position hard attention read: {@code read} on a hit, a resident otherwise
 * @param named the value read, {@code f^(h_t)(attended)}, which is the next requested position
 * @param hit whether {@code read} was resident
 */
public record Trace(int stage, long read, long attended, long named, boolean hit) {
}
