package dev.kvcache.engine.task;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Which resident position hard attention reads when the requested position is not resident. */
public enum MissRule {
    /**
     * The resident position nearest to the requested one in circular distance on {@code [0, n)},
     * ties going to the smaller position: what positional keys give under hard attention.
     */
    NEAREST("nearest"),
    /** A uniformly random resident position. */
    UNIFORM("uniform");

    private final String configName;

    MissRule(String configName) {
        this.configName = configName;
    }

    /** Returns the name used in configuration files and output columns. */
    public String configName() {
        return configName;
    }

    /**
     * Returns the rule with the given configuration name.
     *
     * @throws IllegalArgumentException if no rule has that name; the message lists the known names
     */
    public static MissRule fromConfigName(String name) {
        for (MissRule rule : values()) {
            if (rule.configName.equals(name)) {
                return rule;
            }
        }
        throw new IllegalArgumentException("unknown miss rule '" + name + "'; known rules: " + knownNames());
    }

    /** Returns the configuration names of all rules, comma separated. */
    public static String knownNames() {
        return Arrays.stream(values()).map(MissRule::configName).collect(Collectors.joining(", "));
    }
}
