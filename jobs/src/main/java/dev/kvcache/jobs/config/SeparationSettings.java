package dev.kvcache.jobs.config;

import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import java.io.Serializable;
import java.util.List;

/**
 * The validated settings of one separation run; see {@code conf/defaults.conf} for each key.
 *
 * @param gridN values of {@code grid.n}
 * @param gridS values of {@code grid.s}
 * @param gridK values of {@code grid.k}
 * @param controllers values of {@code grid.controllers}
 * @param laws values of {@code grid.laws}
 * @param engines values of {@code grid.engines}
 * @param scenarios values of {@code grid.scenarios}
 * @param trials {@code trials}: trials per cell
 * @param relError {@code precision.rel_error}: 0 for a fixed trial count
 * @param maxTrials {@code precision.max_trials}
 * @param seed {@code seed}
 * @param confidence {@code confidence}
 * @param alpha {@code alpha}
 * @param answerTrials {@code answer_trials}: trials per cell that follow the query to its answer
 * @param partitions {@code partitions}, 0 for automatic
 * @param unitTrials {@code unit_trials}
 * @param missRule {@code miss_rule}
 * @param controllerSettings {@code window.sinks}, {@code adaptive.initial} and
 *     {@code attention.temperature}
 * @param estimator {@code estimator} and the {@code splitting} section
 * @param resolved the whole resolved configuration, rendered as HOCON
 */
public record SeparationSettings(
    List<Long> gridN,
    List<Long> gridS,
    List<Long> gridK,
    List<String> controllers,
    List<PointerLaw> laws,
    List<String> engines,
    List<String> scenarios,
    long trials,
    double relError,
    long maxTrials,
    long seed,
    double confidence,
    double alpha,
    long answerTrials,
    int partitions,
    long unitTrials,
    MissRule missRule,
    ControllerSettings controllerSettings,
    EstimatorSettings estimator,
    String resolved) implements Serializable {
}
