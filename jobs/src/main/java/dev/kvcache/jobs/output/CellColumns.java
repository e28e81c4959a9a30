package dev.kvcache.jobs.output;

import dev.kvcache.jobs.verdict.CellReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The output columns of a cell, in order, shared by the CSV, Parquet and JSON writers so the
 * three always agree. Values are {@code Long}, {@code Double} (possibly NaN, written as empty or
 * null), {@code Boolean}, {@code String} (possibly null) or {@code long[]}.
 */
public final class CellColumns {
    private CellColumns() {
    }

    /** Returns the columns of {@code report}. */
    public static Map<String, Object> of(CellReport report) {
        Map<String, Object> row = new LinkedHashMap<>();
        var cell = report.cell();
        var task = cell.task();
        var counts = report.counts();
        row.put("cell", (long) cell.index());
        row.put("n", task.n());
        row.put("s", task.s());
        row.put("k", task.k());
        row.put("T", (long) task.stages());
        row.put("controller", cell.controller());
        row.put("class", cell.controllerClass().label());
        row.put("law", task.law().configName());
        row.put("miss_rule", task.missRule().configName());
        row.put("engine", cell.engine().configName());
        row.put("scenario", cell.scenario().configName());
        row.put("estimator", cell.estimator().configName());
        row.put("trials", counts.trials());
        row.put("events", counts.events());
        row.put("answered", counts.answered());
        row.put("correct", counts.correct());
        row.put("p_event", report.event());
        row.put("ci_low", report.eventInterval().low());
        row.put("ci_high", report.eventInterval().high());
        row.put("rel_error", report.relError());
        row.put("replicates", (long) cell.replicates());
        row.put("replicate_sd", report.splitting() == null ? Double.NaN : report.splitting().standardDeviation());
        row.put("replicates_capped", report.cappedReplicates());
        row.put("p_wrong", report.wrong());
        row.put("wrong_ci_low", report.wrongInterval() == null ? Double.NaN : report.wrongInterval().low());
        row.put("wrong_ci_high", report.wrongInterval() == null ? Double.NaN : report.wrongInterval().high());
        row.put("exact", cell.exact());
        row.put("paper", cell.paper());
        row.put("regime", cell.theoremRegime());
        row.put("p_model", report.modelP());
        row.put("p_model_adjusted", report.modelAdjusted());
        row.put("verdict_model", report.verdictModel());
        row.put("p_theory", report.theoryP());
        row.put("p_theory_adjusted", report.theoryAdjusted());
        row.put("verdict_theory", report.verdictTheory());
        row.put("first_miss", firstMissByStage(report));
        row.put("seconds", report.seconds());
        row.put("trials_per_second", report.trialsPerSecond());
        return row;
    }

    /** Returns the first-miss histogram: entry {@code t - 1} counts first misses at stage {@code t}. */
    private static long[] firstMissByStage(CellReport report) {
        long[] histogram = new long[report.cell().stages()];
        for (int t = 1; t <= histogram.length; t++) {
            histogram[t - 1] = report.counts().firstMissAt(t);
        }
        return histogram;
    }

    /** Returns the column names, in order. */
    public static List<String> names(CellReport example) {
        return new ArrayList<>(of(example).keySet());
    }
}
