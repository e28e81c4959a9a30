package dev.kvcache.jobs.plan;

import dev.kvcache.engine.controller.ControllerClass;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.jobs.config.EstimatorSettings.Estimator;
import dev.kvcache.jobs.config.SimulationEngine;
import dev.kvcache.jobs.config.SimulationScenario;
import java.io.Serializable;

/**
 * One cell of the grid: a task, a controller and its planned trial count, with the values the
 * verdicts compare against.
 *
 * @param index position of the cell in the run's table
 * @param key stable identity of the cell's content, which seeds its randomness: the same cell
 *     gets the same trials in any grid it is part of
 * @param task the pointer-chasing task
 * @param controller the controller's configuration name
 * @param controllerClass oblivious, adaptive or outside the theorem's class
 * @param engine the engine that runs the cell
 * @param scenario which reads go through the compressed caches
 * @param trials trials to run
 * @param answerTrials how many of them, the first ones, follow the query to its answer
 * @param exact the exact {@code P(E)} of the model, {@code NaN} when none is known
 * @param paper the theory's value ("How Much Cache Does Reasoning Need?"): {@code s/n} for
 *     adaptive controllers, the bound {@code (s/(n-T))^T + 2T^3/n} for oblivious ones, {@code NaN}
 *     for controllers outside the class
 * @param theoremRegime whether {@code n >= 4k} and {@code s <= sqrt(n)/4}
 * @param estimator how the cell estimates {@code P(E)}: plain counts of its trials, or multilevel
 *     splitting (its plain trials then serve the wrong-answer rate)
 * @param replicates splitting replicates, 0 for a plain cell
 */
public record Cell(int index, long key, ChaseTask task, String controller, ControllerClass controllerClass,
                   SimulationEngine engine, SimulationScenario scenario, long trials, long answerTrials, double exact, double paper, boolean theoremRegime,
                   Estimator estimator, int replicates) implements Serializable {

    public boolean splitting() {
        return estimator == Estimator.SPLITTING;
    }

    public int stages() {
        return task.stages();
    }

    /** Returns a short human-readable label, for logs and messages. */
    public String label() {
        String label = "n=" + task.n() + " s=" + task.s() + " k=" + task.k() + " " + controller + " "
            + task.law().configName();
        if (engine != SimulationEngine.LAZY) {
            label += " " + engine.configName();
        }
        if (scenario != SimulationScenario.DECODE) {
            label += " " + scenario.configName();
        }
        return label;
    }
}
