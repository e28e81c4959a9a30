package dev.kvcache.engine.controller;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The oblivious rule an adaptive controller takes its first cache {@code C_1} from. */
public enum InitialCache {
    /** A uniformly random {@code s}-subset. */
    RANDOM("random"),
    /** The StreamingLLM window (attention sinks plus the most recent positions). */
    WINDOW("window");

    private final String configName;

    InitialCache(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /**
     * Returns the rule with the given configuration name.
     *
     * @throws IllegalArgumentException if no rule has that name; the message lists the known names
     */
    public static InitialCache fromConfigName(String name) {
        for (InitialCache rule : values()) {
            if (rule.configName.equals(name)) {
                return rule;
            }
        }
        throw new IllegalArgumentException("unknown initial cache '" + name + "'; known rules: " + knownNames());
    }

    public static String knownNames() {
        return Arrays.stream(values()).map(InitialCache::configName).collect(Collectors.joining(", "));
    }
}
