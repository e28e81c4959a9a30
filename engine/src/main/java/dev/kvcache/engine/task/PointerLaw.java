package dev.kvcache.engine.task;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The law of the pointer map {@code f : [0, n) -> [0, n)} of a pointer-chasing instance. */
public enum PointerLaw {
    /** Every {@code f(i)} independent and uniform on {@code [0, n)}. */
    FUNCTION("function"),
    /** {@code f} a uniformly random permutation of {@code [0, n)}. */
    PERMUTATION("permutation");

    private final String configName;

    PointerLaw(String configName) {
        this.configName = configName;
    }

    /** Returns the name used in configuration files and output columns. */
    public String configName() {
        return configName;
    }

    /**
     * Returns the law with the given configuration name.
     *
     * @throws IllegalArgumentException if no law has that name; the message lists the known names
     */
    public static PointerLaw fromConfigName(String name) {
        for (PointerLaw law : values()) {
            if (law.configName.equals(name)) {
                return law;
            }
        }
        throw new IllegalArgumentException("unknown pointer law '" + name + "'; known laws: " + knownNames());
    }

    /** Returns the configuration names of all laws, comma separated. */
    public static String knownNames() {
        return Arrays.stream(values()).map(PointerLaw::configName).collect(Collectors.joining(", "));
    }
}
