package dev.kvcache.jobs.report;

import static dev.kvcache.jobs.report.RunData.number;
import static dev.kvcache.jobs.report.RunData.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a finished depth run ({@code job = depth}) that its report shows, read from
 * {@code summary.json}. Numbers that are null or missing there are {@code NaN} here.
 *
 * @param summary the whole summary document
 * @param cells one entry per cell {@code (n, k, s, H, m, p, law)}, in table order
 * @param windows one entry per candidate window of each {@code (n, k, s, law)}
 * @param fits one entry per bound, in the order lower, product, upper
 * @param failures the run's failing verdicts and cells, worded for people
 * @param config the resolved configuration ({@code config.conf}), as text
 */
public record DepthRunData(JsonNode summary, List<Cell> cells, List<WindowRow> windows, List<Fit> fits,
                           List<String> failures, String config) {

    /**
     * One cell: the bounds of {@code (n, k, s, H, m, p)} with constant 1, and the hop-by-hop, window
     * and best schedules of {@code (n, k, s, law)} priced at {@code readLayers} layers per read.
     * {@code window*} fields are {@code NaN} when no window met the target, {@code best*} when no
     * schedule did, and {@code verdictFloor} is null outside the theorem regime.
     */
    public record Cell(long n, long k, long s, long heads, long dimension, long precision, String law, double log2n,
                       long hmp, long readLayers, boolean theoremRegime, String bandwidthRegime, double lowerBound,
                       String lowerTerm, double productBound, String productTerm, double upperBound, String upperTerm,
                       long trials, double hopReads, double hopLayers, double hopSuccess, double hopLow, double hopHigh,
                       double window, double windowReads, double windowLayers, double windowSuccess, double windowLow,
                       double windowHigh, String bestSchedule, double bestWindow, double bestLayers, double ratioLower,
                       double ratioProduct, double ratioUpper, String verdictFloor) {

        /** Returns {@code ceil(k/s)}, the number of cache windows the chase spans. */
        public long cacheWindows() {
            return Math.floorDiv(k + s - 1, s);
        }

        /** Returns whether a schedule met the target, so that the cell has measured layers. */
        public boolean measured() {
            return Double.isFinite(bestLayers);
        }

        /** Returns the success rate of the best schedule and its interval, {@code NaN} without one. */
        public double[] bestSuccess() {
            if ("hop".equals(bestSchedule)) {
                return new double[] {hopSuccess, hopLow, hopHigh};
            }
            if ("window".equals(bestSchedule)) {
                return new double[] {windowSuccess, windowLow, windowHigh};
            }
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
    }

    /**
     * One candidate window of an {@code (n, k, s, law)}. {@code withinCache} is {@code window <= s},
     * and {@code reads} is the mean over the trials, which the schedule fixes unless the engine is wrong.
     */
    public record WindowRow(long n, long k, long s, String law, long window, boolean withinCache, double reads,
                            long trials, long successes, double success, double low, double high,
                            boolean meetsTarget) {
    }

    /**
     * The fit of one bound: the geometric mean of measured layers over the bound (the constant),
     * the smallest and largest of those ratios with their cells, and their spread (largest over
     * smallest). The verdict is "pass", "fail", "reported" when the bound is not enforced, or null
     * when no cell is in scope.
     */
    public record Fit(String bound, String scope, boolean enforced, long cells, double constant, double minRatio,
                      double maxRatio, double spread, String minCell, String maxCell, String verdict) {
    }

    /** Reads {@code summary} (of a depth run) and the configuration text. */
    public static DepthRunData of(JsonNode summary, String config) {
        List<Cell> cells = new ArrayList<>();
        for (JsonNode c : summary.path("cells")) {
            cells.add(new Cell(c.path("n").asLong(), c.path("k").asLong(), c.path("s").asLong(), c.path("H").asLong(),
                c.path("m").asLong(), c.path("p").asLong(), c.path("law").asText(), number(c, "log2_n"),
                c.path("hmp").asLong(), c.path("read_layers").asLong(), c.path("theorem_regime").asBoolean(),
                c.path("bandwidth_regime").asText(), number(c, "lower_bound"), text(c, "lower_term"),
                number(c, "product_bound"), text(c, "product_term"), number(c, "upper_bound"), text(c, "upper_term"),
                c.path("trials").asLong(), number(c, "hop_reads"), number(c, "hop_layers"), number(c, "hop_success"),
                number(c, "hop_success_low"), number(c, "hop_success_high"), number(c, "window"),
                number(c, "window_reads"), number(c, "window_layers"), number(c, "window_success"),
                number(c, "window_success_low"), number(c, "window_success_high"), text(c, "best_schedule"),
                number(c, "best_window"), number(c, "best_layers"), number(c, "ratio_lower"),
                number(c, "ratio_product"), number(c, "ratio_upper"), text(c, "verdict_floor")));
        }
        List<WindowRow> windows = new ArrayList<>();
        for (JsonNode w : summary.path("windows")) {
            windows.add(new WindowRow(w.path("n").asLong(), w.path("k").asLong(), w.path("s").asLong(),
                w.path("law").asText(), w.path("window").asLong(), w.path("within_cache").asBoolean(),
                number(w, "reads"), w.path("trials").asLong(), w.path("successes").asLong(),
                number(w, "success"), number(w, "success_low"), number(w, "success_high"),
                w.path("meets_target").asBoolean()));
        }
        List<Fit> fits = new ArrayList<>();
        for (JsonNode f : summary.path("fits")) {
            fits.add(new Fit(f.path("bound").asText(), f.path("scope").asText(), f.path("enforced").asBoolean(),
                f.path("cells").asLong(), number(f, "constant"), number(f, "min_ratio"), number(f, "max_ratio"),
                number(f, "spread"), text(f, "min_cell"), text(f, "max_cell"), text(f, "verdict")));
        }
        List<String> failures = new ArrayList<>();
        summary.path("failures").forEach(f -> failures.add(f.asText()));
        return new DepthRunData(summary, cells, windows, fits, failures, config);
    }

    /** Returns a number of the summary's top level, {@code NaN} when it is missing or null. */
    public double setting(String field) {
        return number(summary, field);
    }
}
