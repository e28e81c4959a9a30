package dev.kvcache.jobs.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Which reads go through the compressed caches, by configuration name. */
public enum SimulationScenario {
    /** Decode-time compression: only the query reads through the caches. */
    DECODE("decode"),
    /** Every position reads through the caches while the layer values are built (dense engine). */
    FULL_COMPRESSION("full-compression");

    private final String configName;

    SimulationScenario(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** Returns the scenario with this configuration name; throws IllegalArgumentException if none. */
    public static SimulationScenario fromConfigName(String name) {
        for (SimulationScenario scenario : values()) {
            if (scenario.configName.equals(name)) {
                return scenario;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + name + "'; known scenarios: " + knownNames());
    }

    static boolean isKnown(String name) {
        return Arrays.stream(values()).anyMatch(e -> e.configName.equals(name));
    }

    static String knownNames() {
        return Arrays.stream(values()).map(SimulationScenario::configName).collect(Collectors.joining(", "));
    }
}
