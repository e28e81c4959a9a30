package dev.kvcache.jobs.verdict;

import dev.kvcache.engine.controller.ControllerClass;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.stats.Binomial;
import dev.kvcache.engine.stats.Holm;
import dev.kvcache.engine.stats.Interval;
import dev.kvcache.engine.stats.ReplicateMean;
import dev.kvcache.jobs.config.SimulationScenario;
import dev.kvcache.jobs.plan.Cell;
import dev.kvcache.jobs.run.UnitOutcome;
import java.util.ArrayList;
import java.util.List;

/**
 * Computes each cell's estimates and verdicts.
 *
 * <ul>
 *   <li>{@code model}: the estimate of {@code P(E)} is consistent with the exact value of the
 *       model (two-sided: an exact binomial test of a plain cell's count, a Student t test of a
 *       splitting cell's replicates). A failure means the engine is wrong.</li>
 *   <li>{@code theory}, inside the theorem regime only: adaptive controllers consistent with
 *       {@code s/n} (two-sided); oblivious controllers not above the bound
 *       {@code (s/(n-T))^T + 2T^3/n} (one-sided). Both are results of "How Much Cache Does
 *       Reasoning Need? Depth-Cache Tradeoffs in KV-Compressed Transformers". Controllers
 *       outside the class get none.</li>
 * </ul>
 * All p-values of the run form one family, adjusted by Holm's method; a test fails when its
 * adjusted p-value is at most {@code alpha}, so the chance of any false failure is at most
 * {@code alpha} (for splitting cells, as far as the t procedures hold).
 */
public final class Verdicts {
    private Verdicts() {
    }

    /** Evaluates every cell; {@code outcomes} are in cell order. */
    public static List<CellReport> evaluate(List<Cell> cells, List<UnitOutcome> outcomes, double confidence,
                                            double alpha) {
        int count = cells.size();
        double[] modelP = new double[count];
        double[] theoryP = new double[count];
        ReplicateMean[] splitting = new ReplicateMean[count];
        List<Double> family = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Cell cell = cells.get(i);
            TrialCounts counts = outcomes.get(i).counts();
            if (cell.splitting()) {
                splitting[i] = ReplicateMean.of(outcomes.get(i).replicates());
            }
            modelP[i] = Double.isNaN(cell.exact()) ? Double.NaN : modelPValue(counts, splitting[i], cell.exact());
            if (splitting[i] != null && splitting[i].mean() == 0 && outcomes.get(i).capped() > 0) {
                // No survivor because splitting.max_clones cut the effort: the cell carries no evidence.
                modelP[i] = Double.isNaN(modelP[i]) ? Double.NaN : 1.0;
            }
            if (!Double.isNaN(modelP[i])) {
                family.add(modelP[i]);
            }
            theoryP[i] = theoryPValue(cell, counts, splitting[i]);
            if (!Double.isNaN(theoryP[i])) {
                family.add(theoryP[i]);
            }
        }
        double[] adjusted = Holm.adjust(family.stream().mapToDouble(Double::doubleValue).toArray());

        List<CellReport> reports = new ArrayList<>(count);
        int next = 0;
        for (int i = 0; i < count; i++) {
            Cell cell = cells.get(i);
            UnitOutcome outcome = outcomes.get(i);
            TrialCounts counts = outcome.counts();
            double modelAdjusted = Double.NaN;
            String verdictModel = null;
            if (!Double.isNaN(modelP[i])) {
                modelAdjusted = adjusted[next++];
                verdictModel = modelAdjusted <= alpha ? CellReport.FAIL : CellReport.PASS;
            }
            double theoryAdjusted = Double.NaN;
            String verdictTheory = null;
            if (!Double.isNaN(theoryP[i])) {
                theoryAdjusted = adjusted[next++];
                verdictTheory = theoryAdjusted <= alpha ? CellReport.FAIL : CellReport.PASS;
            }
            long trials = counts.trials();
            double event;
            Interval eventInterval;
            double relError;
            if (splitting[i] != null) {
                // Rounding can lift a mean near 1 just above it; a probability is reported as at most 1.
                event = Math.min(1.0, splitting[i].mean());
                eventInterval = splitting[i].interval(confidence);
                relError = splitting[i].relativeError(confidence);
            } else {
                event = (double) counts.events() / trials;
                eventInterval = Binomial.clopperPearson(counts.events(), trials, confidence);
                relError = event > 0 ? (eventInterval.high() - eventInterval.low()) / 2 / event : Double.NaN;
            }
            long answered = counts.answered();
            Interval wrongInterval = answered > 0 ? Binomial.clopperPearson(counts.wrong(), answered, confidence) : null;
            double wrong = answered > 0 ? (double) counts.wrong() / answered : Double.NaN;
            reports.add(new CellReport(cell, counts, outcome.nanos() / 1e9, event, eventInterval, relError,
                splitting[i], outcome.capped(), wrong, wrongInterval, modelP[i], modelAdjusted,
                verdictModel, theoryP[i], theoryAdjusted, verdictTheory));
        }
        return reports;
    }

    private static double modelPValue(TrialCounts counts, ReplicateMean splitting, double exact) {
        if (splitting != null) {
            return splitting.pValueTwoSided(exact);
        }
        return Binomial.pValueTwoSided(counts.events(), counts.trials(), clamp(exact));
    }

    private static double theoryPValue(Cell cell, TrialCounts counts, ReplicateMean splitting) {
        // The theorems are about decode-time compression.
        if (!cell.theoremRegime() || cell.scenario() != SimulationScenario.DECODE) {
            return Double.NaN;
        }
        if (cell.controllerClass() == ControllerClass.ADAPTIVE) {
            return splitting != null
                ? splitting.pValueTwoSided(cell.paper())
                : Binomial.pValueTwoSided(counts.events(), counts.trials(), clamp(cell.paper()));
        }
        if (cell.controllerClass() == ControllerClass.OBLIVIOUS) {
            return splitting != null
                ? splitting.pValueAbove(cell.paper())
                : Binomial.pValueAbove(counts.events(), counts.trials(), clamp(cell.paper()));
        }
        return Double.NaN;
    }

    /** Bounds such as the oblivious one can exceed 1; a probability test needs a value in [0, 1]. */
    private static double clamp(double p) {
        return Math.max(0.0, Math.min(1.0, p));
    }
}
