package dev.kvcache.jobs.verdict;

import dev.kvcache.engine.controller.ControllerClass;
import dev.kvcache.engine.stats.Binomial;
import dev.kvcache.engine.stats.Interval;
import dev.kvcache.jobs.plan.Cell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The separation of result 3: for every pair of an adaptive and an oblivious cell that share
 * {@code n, s, k}, the pointer law, the miss rule, the engine and the scenario, the ratio of their
 * {@code P(E)} estimates with an interval, beside the theory's factor {@code (n/s)^(T-1)} and the
 * ratio of the exact values.
 *
 * <p>The interval combines the two cells' intervals, each taken at confidence
 * {@code 1 - (1 - confidence)/2}, so by Bonferroni's inequality it covers the true ratio with
 * probability at least {@code confidence}: {@code [low_a / high_o, high_a / low_o]}, whose upper
 * end is infinite when the oblivious interval reaches 0 (plain trials that saw no event only bound
 * the ratio from below).
 *
 * @param adaptive the adaptive cell
 * @param oblivious the oblivious cell
 * @param ratio adaptive estimate over oblivious estimate; infinite when only the oblivious
 *     estimate is 0, {@code NaN} when both are
 * @param low lower end of the interval
 * @param high upper end of the interval, possibly infinite
 * @param exactRatio ratio of the exact values, {@code NaN} when either is unknown
 * @param theory {@code (n/s)^(T-1)}, the separation of {@code random-fresh}, whose {@code P(E)}
 *     is {@code (s/n)^T}
 * @param boundRatio {@code s/n} over the oblivious bound {@code (s/(n-T))^T + 2T^3/n}: the least
 *     separation the theory guarantees for every oblivious controller
 */
public record Separation(CellReport adaptive, CellReport oblivious, double ratio, double low, double high,
                         double exactRatio, double theory, double boundRatio) {

    /** Returns every pair of the run, in cell order of the oblivious cell, then of the adaptive one. */
    public static List<Separation> of(List<CellReport> reports, double confidence) {
        double each = 1 - (1 - confidence) / 2;
        List<Separation> rows = new ArrayList<>();
        for (CellReport oblivious : reports) {
            if (oblivious.cell().controllerClass() != ControllerClass.OBLIVIOUS) {
                continue;
            }
            for (CellReport adaptive : reports) {
                if (adaptive.cell().controllerClass() != ControllerClass.ADAPTIVE
                    || !samePoint(adaptive.cell(), oblivious.cell())) {
                    continue;
                }
                Interval a = interval(adaptive, each);
                Interval o = interval(oblivious, each);
                double ratio;
                if (oblivious.event() > 0) {
                    ratio = adaptive.event() / oblivious.event();
                } else {
                    ratio = adaptive.event() > 0 ? Double.POSITIVE_INFINITY : Double.NaN;
                }
                double low = o.high() > 0 ? a.low() / o.high() : Double.NaN;
                double high = o.low() > 0 ? a.high() / o.low() : Double.POSITIVE_INFINITY;
                double exactRatio = adaptive.cell().exact() / oblivious.cell().exact();
                var task = oblivious.cell().task();
                double theory = Math.pow((double) task.n() / task.s(), task.stages() - 1);
                double boundRatio = adaptive.cell().paper() / oblivious.cell().paper();
                rows.add(new Separation(adaptive, oblivious, ratio, low, high, exactRatio, theory, boundRatio));
            }
        }
        return rows;
    }

    private static boolean samePoint(Cell a, Cell b) {
        return a.task().equals(b.task()) && a.engine() == b.engine() && a.scenario() == b.scenario();
    }

    private static Interval interval(CellReport report, double confidence) {
        if (report.splitting() != null) {
            return report.splitting().interval(confidence);
        }
        return Binomial.clopperPearson(report.counts().events(), report.counts().trials(), confidence);
    }

    /** Returns the output columns of this row, in order; infinite and missing numbers are NaN or infinite doubles. */
    public Map<String, Object> columns() {
        Map<String, Object> row = new LinkedHashMap<>();
        var task = oblivious.cell().task();
        row.put("n", task.n());
        row.put("s", task.s());
        row.put("k", task.k());
        row.put("T", (long) task.stages());
        row.put("law", task.law().configName());
        row.put("miss_rule", task.missRule().configName());
        row.put("engine", oblivious.cell().engine().configName());
        row.put("scenario", oblivious.cell().scenario().configName());
        row.put("regime", oblivious.cell().theoremRegime());
        row.put("adaptive", adaptive.cell().controller());
        row.put("oblivious", oblivious.cell().controller());
        row.put("adaptive_estimator", adaptive.cell().estimator().configName());
        row.put("oblivious_estimator", oblivious.cell().estimator().configName());
        row.put("p_adaptive", adaptive.event());
        row.put("p_oblivious", oblivious.event());
        row.put("ratio", ratio);
        row.put("ratio_low", low);
        row.put("ratio_high", high);
        row.put("exact_ratio", exactRatio);
        row.put("theory_ratio", theory);
        row.put("bound_ratio", boundRatio);
        return row;
    }
}
