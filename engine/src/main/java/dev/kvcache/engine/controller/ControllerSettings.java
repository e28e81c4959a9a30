package dev.kvcache.engine.controller;

import java.io.Serializable;

/**
 * Settings shared by the controllers of a run.
 *
 * @param sinks the number of attention-sink positions the {@code window} rule keeps at the start
 * @param initial the rule adaptive controllers take their first cache from
 * @param temperature the softmax temperature of the attention weights that eviction scores
 *     accumulate, in units of circular distance; 0 is hard attention (all weight on the attended
 *     position)
 */
public record ControllerSettings(long sinks, InitialCache initial, double temperature) implements Serializable {
    /** The StreamingLLM default of four attention sinks. */
    public static final long DEFAULT_SINKS = 4;

    public ControllerSettings {
        if (sinks < 0) {
            throw new IllegalArgumentException("sinks must be non-negative, got " + sinks);
        }
        if (initial == null) {
            throw new IllegalArgumentException("initial cache rule is missing");
        }
        if (!(temperature >= 0 && temperature < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("temperature must be finite and non-negative, got " + temperature);
        }
    }

    /** Creates settings with hard attention. */
    public ControllerSettings(long sinks, InitialCache initial) {
        this(sinks, initial, 0.0);
    }

    /** Returns whether attention is hard (temperature 0). */
    public boolean hardAttention() {
        return temperature == 0.0;
    }

    /** Returns the defaults: four sinks and a random initial cache. */
    public static ControllerSettings defaults() {
        return new ControllerSettings(DEFAULT_SINKS, InitialCache.RANDOM);
    }
}
