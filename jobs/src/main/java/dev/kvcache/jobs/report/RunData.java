package dev.kvcache.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a finished run that its report shows, read from {@code summary.json}, so a report
 * made during the run and one made later from the files are the same.
 *
 * @param summary the whole summary document
 * @param cells one entry per cell, in table order
 * @param separation one entry per adaptive and oblivious pair
 * @param config the resolved configuration ({@code config.conf}), as text
 */
public record RunData(JsonNode summary, List<CellRow> cells, List<PairRow> separation, String config) {

    /** One cell of {@code summary.json}; numbers that do not exist are {@code NaN}. */
    public record CellRow(long n, long s, long k, int stages, String controller, String controllerClass, String law,
                          String estimator, long trials, long events, double event, double low, double high,
                          double relError, double wrong, double wrongLow, double wrongHigh, double exact, double paper,
                          boolean regime, String verdictModel, String verdictTheory, long cappedReplicates) {

        /** Returns whether the estimate is 0, so that a log scale can only show its upper bound. */
        public boolean zero() {
            return !(event > 0);
        }
    }

    /** One separation pair of {@code summary.json}; an unbounded upper end is infinite. */
    public record PairRow(long n, long s, long k, int stages, String law, boolean regime, String adaptive,
                          String oblivious, String obliviousEstimator, double ratio, double low, double high,
                          double exactRatio, double theory, double boundRatio) {
    }

    /** Reads {@code summary} and the configuration text. */
    public static RunData of(JsonNode summary, String config) {
        List<CellRow> cells = new ArrayList<>();
        for (JsonNode c : summary.path("cells")) {
            cells.add(new CellRow(c.path("n").asLong(), c.path("s").asLong(), c.path("k").asLong(), c.path("T").asInt(),
                c.path("controller").asText(), c.path("class").asText(), c.path("law").asText(),
                c.path("estimator").asText("plain"), c.path("trials").asLong(), c.path("events").asLong(),
                number(c, "p_event"), number(c, "ci_low"), number(c, "ci_high"), number(c, "rel_error"),
                number(c, "p_wrong"), number(c, "wrong_ci_low"), number(c, "wrong_ci_high"), number(c, "exact"),
                number(c, "paper"), c.path("regime").asBoolean(), text(c, "verdict_model"), text(c, "verdict_theory"),
                c.path("replicates_capped").asLong(0)));
        }
        List<PairRow> pairs = new ArrayList<>();
        for (JsonNode p : summary.path("separation")) {
            double high = p.path("ratio_high").isNull() ? Double.POSITIVE_INFINITY : number(p, "ratio_high");
            double ratio = p.path("ratio").isNull() ? Double.POSITIVE_INFINITY : number(p, "ratio");
            pairs.add(new PairRow(p.path("n").asLong(), p.path("s").asLong(), p.path("k").asLong(), p.path("T").asInt(),
                p.path("law").asText(), p.path("regime").asBoolean(), p.path("adaptive").asText(),
                p.path("oblivious").asText(), p.path("oblivious_estimator").asText(), ratio, number(p, "ratio_low"),
                high, number(p, "exact_ratio"), number(p, "theory_ratio"), number(p, "bound_ratio")));
        }
        return new RunData(summary, cells, pairs, config);
    }

    static double number(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() ? value.asDouble() : Double.NaN;
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : null;
    }
}
