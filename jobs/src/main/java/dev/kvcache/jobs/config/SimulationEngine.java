package dev.kvcache.jobs.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The engines a cell can run on, by configuration name. */
public enum SimulationEngine {
    /** Deferred decisions: cost independent of {@code n}. */
    LAZY("lazy"),
    /** Materialised pointers and caches: {@code O(n)} per trial, the cross-check of the lazy one. */
    DENSE("dense");

    /** The largest {@code n} the dense engine materialises. */
    public static final long DENSE_MAX_N = 1L << 26;

    private final String configName;

    SimulationEngine(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** Returns the engine with this configuration name; throws IllegalArgumentException if none. */
    public static SimulationEngine fromConfigName(String name) {
        for (SimulationEngine engine : values()) {
            if (engine.configName.equals(name)) {
                return engine;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + name + "'; known engines: " + knownNames());
    }

    static boolean isKnown(String name) {
        return Arrays.stream(values()).anyMatch(e -> e.configName.equals(name));
    }

    static String knownNames() {
        return Arrays.stream(values()).map(SimulationEngine::configName).collect(Collectors.joining(", "));
    }
}
