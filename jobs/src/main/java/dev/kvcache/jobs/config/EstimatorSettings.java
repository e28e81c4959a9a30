package dev.kvcache.jobs.config;

import java.io.Serializable;
import java.util.Locale;

/**
 * The estimator settings of a run: the {@code estimator} key and the {@code splitting} section.
 *
 * @param choice plain Monte Carlo, multilevel splitting, or automatic per cell
 * @param replicates {@code splitting.replicates}: independent splitting runs per cell, each a
 *     Spark task; their spread gives the interval
 * @param particles {@code splitting.particles}: particles carried from one stage to the next
 * @param survivors {@code splitting.survivors}: surviving clones each stage is sized to expect
 * @param maxClones {@code splitting.max_clones}: the largest number of clones of one stage
 */
public record EstimatorSettings(Choice choice, int replicates, int particles, int survivors, long maxClones) implements Serializable {

    /** The estimator setting of a cell. */
    public enum Choice {
        PLAIN, SPLITTING, AUTO;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Returns the choice of a configuration name, or {@code null} when it is unknown. */
        public static Choice fromConfigName(String name) {
            for (Choice choice : values()) {
                if (choice.configName().equals(name)) {
                    return choice;
                }
            }
            return null;
        }
    }

    /** The estimator a cell resolved to. */
    public enum Estimator {
        PLAIN, SPLITTING;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Returns the settings of the bundled defaults, for tests and programmatic use. */
    public static EstimatorSettings defaults() {
        return new EstimatorSettings(Choice.AUTO, 16, 500, 100000, 1L << 40);
    }
}
