package dev.kvcache.jobs.output;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Strict JSON helpers: numbers that do not exist (NaN, infinities) are written as {@code null}. */
final class Json {
    private Json() {
    }

    static void putNumber(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, value);
        } else {
            node.putNull(field);
        }
    }
}
