package dev.kvcache.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvcache.jobs.report.Figures.Figure;
import dev.kvcache.jobs.report.RunData.CellRow;
import dev.kvcache.jobs.report.RunData.PairRow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jfree.chart.ChartUtils;

/**
 * The written report of a finished run: {@code report.md}, {@code report.html} (self-contained,
 * the figures embedded) and the figures as PNG files under {@code plots/}. It opens with the
 * verdict in one sentence, then the summary table, the figures, the separation table, the
 * configuration, and what the run measures. Everything comes from {@code summary.json} and
 * {@code config.conf}, so regenerating it from a finished run gives the same files.
 */
public final class Report {
    /** The destination of the report's files, each a path relative to the run folder and its bytes. */
    @FunctionalInterface
    public interface Files {
        void write(String path, byte[] bytes) throws IOException;
    }

    /** The folder of the figures inside the run folder. */
    public static final String PLOTS = "plots";

    private Report() {
    }

    /** Renders the figures and writes every file of the report; returns the paths written, report.md first. */
    public static List<String> write(RunData data, Files files) throws IOException {
        ensureHeadless();
        List<Figure> figures = Figures.of(data);
        return write(figures, images -> document(data, figures, images), files);
    }

    /**
     * Renders {@code figures} as PNG files under {@link #PLOTS}, builds the document from them and
     * writes report.md, report.html and the images; returns the paths written, report.md first.
     */
    static List<String> write(List<Figure> figures, Function<Map<String, byte[]>, ReportDocument> document, Files files)
        throws IOException {
        Map<String, byte[]> images = new LinkedHashMap<>();
        for (Figure figure : figures) {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(png, figure.chart(), Figures.WIDTH, Figures.HEIGHT);
            images.put(PLOTS + "/" + figure.file(), png.toByteArray());
        }
        ReportDocument built = document.apply(images);
        List<String> written = new ArrayList<>();
        files.write("report.md", built.markdown().getBytes(StandardCharsets.UTF_8));
        written.add("report.md");
        files.write("report.html", built.html().getBytes(StandardCharsets.UTF_8));
        written.add("report.html");
        for (Map.Entry<String, byte[]> image : images.entrySet()) {
            files.write(image.getKey(), image.getValue());
            written.add(image.getKey());
        }
        return written;
    }

    /** Makes rendering independent of a display, also where {@code DISPLAY} names an unreachable X server. */
    static void ensureHeadless() {
        System.setProperty("java.awt.headless", "true");
    }

    static ReportDocument document(RunData data, List<Figure> figures, Map<String, byte[]> images) {
        String runId = data.summary().path("run_id").asText("run");
        ReportDocument doc = new ReportDocument("Separation run " + runId);
        doc.paragraph(verdictSentence(data));
        failures(doc, data);
        notes(doc, data);
        doc.bullets(List.of("[Summary](#summary)", "[Figures](#figures)",
            "[Separation inside the theorem regime](#separation-inside-the-theorem-regime)",
            "[Configuration](#configuration)", "[What the run measures](#what-the-run-measures)"));

        doc.heading(2, "Summary");
        summaryTable(doc, data);

        doc.heading(2, "Figures");
        doc.paragraph("One set per `(n, s, law)`. Points are estimates with their intervals at the run's confidence;"
            + " most intervals are narrower than the markers. Controllers sit side by side around each stage count,"
            + " so equal estimates stay visible, and each reference value is a dashed segment across them. A downward"
            + " triangle is a cell whose estimate is 0, drawn at its upper bound; an upward triangle is a separation"
            + " ratio with no upper bound, drawn at its lower bound. Shaded stages lie outside the theorem regime,"
            + " where no theorem is asserted.");
        for (Figure figure : figures) {
            doc.heading(3, figure.title());
            doc.image(PLOTS + "/" + figure.file(), figure.title(), images.get(PLOTS + "/" + figure.file()));
        }

        doc.heading(2, "Separation inside the theorem regime");
        separationTable(doc, data);

        doc.heading(2, "Configuration");
        runDetails(doc, data);
        doc.code(data.config());
        doc.heading(2, "What the run measures");
        explanation(doc);

        return doc;
    }

    /** Returns the verdict in one sentence. */
    static String verdictSentence(RunData data) {
        long model = data.cells().stream().filter(c -> c.verdictModel() != null).count();
        long theory = data.cells().stream().filter(c -> c.verdictTheory() != null).count();
        long modelFailed = data.cells().stream().filter(c -> "fail".equals(c.verdictModel())).count();
        long theoryFailed = data.cells().stream().filter(c -> "fail".equals(c.verdictTheory())).count();
        int cells = data.cells().size();
        if (modelFailed + theoryFailed == 0) {
            return String.format(Locale.ROOT, "**PASS**: all %d verdicts passed (%d model, %d theory) over %d cells:"
                + " the engine matches the exact values and the estimates agree with the theory.",
                model + theory, model, theory, cells);
        }
        return String.format(Locale.ROOT, "**FAIL**: %d of %d verdicts failed (%d of %d model, %d of %d theory) over"
            + " %d cells; the failing cells are listed below.", modelFailed + theoryFailed, model + theory,
            modelFailed, model, theoryFailed, theory, cells);
    }

    private static void failures(ReportDocument doc, RunData data) {
        List<List<String>> rows = new ArrayList<>();
        for (CellRow c : data.cells()) {
            if ("fail".equals(c.verdictModel()) || "fail".equals(c.verdictTheory())) {
                rows.add(List.of(label(c), c.estimator(), Numbers.withInterval(c.event(), c.low(), c.high()),
                    Numbers.exact(c.exact()), Numbers.exact(c.paper()), orDash(c.verdictModel()),
                    orDash(c.verdictTheory())));
            }
        }
        if (!rows.isEmpty()) {
            doc.table(List.of("cell", "estimator", "P(E) [interval] ", "exact ", "paper ", "model", "theory"), rows);
        }
    }

    /** Adds the caveats a reader needs beside the verdict. */
    private static void notes(ReportDocument doc, RunData data) {
        List<String> notes = new ArrayList<>();
        long capped = data.cells().stream().filter(c -> c.cappedReplicates() > 0).count();
        if (capped > 0) {
            notes.add(capped + " splitting cells had replicates whose stages reached `splitting.max_clones`"
                + " (`replicates_capped` in `cells.csv`): their estimates rest on fewer survivors than planned.");
        }
        long blind = data.cells().stream().filter(c -> c.controllerClass().equals("oblivious")
            && c.estimator().equals("plain") && c.zero()).count();
        if (blind > 0) {
            notes.add(blind + " plain oblivious cells saw no event, so they only bound `P(E)` from above"
                + " (drawn at the upper bound in the figures).");
        }
        long empty = data.separation().stream().filter(p -> p.regime() && p.boundRatio() < 1).count();
        if (empty > 0) {
            notes.add(empty + " separation pairs inside the theorem regime have `s/n` over the oblivious bound below 1:"
                + " there the bound's `2T^3/n` term exceeds `s/n`, so the theory guarantees no separation, and the"
                + " oblivious theory verdict there still checks that `P(E)` stays below the bound.");
        }
        if (!notes.isEmpty()) {
            doc.bullets(notes);
        }
    }

    private static void summaryTable(ReportDocument doc, RunData data) {
        Map<String, List<CellRow>> byController = new LinkedHashMap<>();
        for (CellRow c : data.cells()) {
            byController.computeIfAbsent(c.controller(), key -> new ArrayList<>()).add(c);
        }
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, List<CellRow>> entry : byController.entrySet()) {
            List<CellRow> cells = entry.getValue();
            long regime = cells.stream().filter(CellRow::regime).count();
            long splitting = cells.stream().filter(c -> c.estimator().equals("splitting")).count();
            double worst = cells.stream().filter(CellRow::regime).mapToDouble(CellRow::relError)
                .filter(Double::isFinite).max().orElse(Double.NaN);
            rows.add(List.of("`" + entry.getKey() + "`", cells.get(0).controllerClass(), Long.toString(cells.size()),
                Long.toString(regime), (cells.size() - splitting) + " / " + splitting,
                passed(cells, true), passed(cells, false), Numbers.percent(worst)));
        }
        doc.table(List.of("controller", "class", "cells ", "in theorem regime ", "plain / splitting ",
            "model passed ", "theory passed ", "largest rel_error in regime "), rows);
        doc.paragraph("Every cell, with its counts, intervals and p-values, is in `cells.csv`, `cells.parquet` and"
            + " `summary.json`.");
    }

    private static String passed(List<CellRow> cells, boolean model) {
        long tested = cells.stream().filter(c -> (model ? c.verdictModel() : c.verdictTheory()) != null).count();
        long passed = cells.stream().filter(c -> "pass".equals(model ? c.verdictModel() : c.verdictTheory())).count();
        return tested == 0 ? "-" : passed + " of " + tested;
    }

    private static void separationTable(ReportDocument doc, RunData data) {
        List<List<String>> rows = new ArrayList<>();
        String adaptive = null;
        for (PairRow p : data.separation()) {
            if (!p.regime()) {
                continue;
            }
            if (adaptive == null) {
                adaptive = p.adaptive();
            }
            if (!p.adaptive().equals(adaptive)) {
                continue;
            }
            int digits = Numbers.digitsFor(p.ratio(), p.low(), p.high());
            rows.add(List.of(Figures.power(p.n()), Long.toString(p.s()), Long.toString(p.k()), Integer.toString(p.stages()),
                p.law(), "`" + p.oblivious() + "`", p.obliviousEstimator(), Numbers.withInterval(p.ratio(), p.low(), p.high()),
                Numbers.exact(p.exactRatio()), Numbers.exact(p.theory()), Numbers.value(p.boundRatio())));
        }
        if (rows.isEmpty()) {
            doc.paragraph("No adaptive and oblivious pair lies inside the theorem regime in this run.");
            return;
        }
        doc.paragraph("`" + adaptive + "` over each oblivious rule: the ratio of the `P(E)` estimates with an interval"
            + " that covers the true ratio with probability at least the run's confidence, and the ratio of the exact"
            + " values. `(n/s)^(T-1)` is the separation from `random-fresh`, whose `P(E)` is `(s/n)^T`; a cache that"
            + " keeps its members for every stage gains from the pointer orbit coming back to them (`P(E)` about"
            + " `s/n^2`), so its separation is smaller. The last column is `s/n` over the oblivious bound, the least"
            + " separation the theory guarantees for any oblivious rule. Every pair is in `separation.csv`.");
        doc.table(List.of("n ", "s ", "k ", "T ", "law", "oblivious", "estimator", "ratio [interval] ",
            "exact ratio ", "(n/s)^(T-1) ", "guaranteed "), rows);
    }

    private static void explanation(ReportDocument doc) {
        doc.bullets(List.of(
            "**The task.** `n` tokens each point to a random position (a random function or permutation); a query asks"
                + " for the position `k` hops from a random start. A Transformer solves it by pointer doubling in"
                + " `T = ceil(log2 k)` stages, each reading one position through a compressed KV cache of `s`"
                + " positions.",
            "**The event E.** Every one of the `T` reads finds its position in the cache. `P(E)` is what the paper's"
                + " result 3 bounds: `s/n` for an adaptive, locality-respecting cache, at most"
                + " `(s/(n-T))^T + 2T^3/n` for an oblivious one, a separation of `(n/s)^(T-1)`.",
            "**Estimators.** `plain` counts the trials that saw `E` (Clopper-Pearson interval); `splitting` is"
                + " multilevel splitting with the stages as levels, whose replicates give a mean and a Student t"
                + " interval, for the rare events plain trials cannot see.",
            "**The model verdict** asserts that an estimate is consistent with the exact `P(E)` of the simulated model;"
                + " a failure means the engine is wrong.",
            "**The theory verdict**, inside the theorem regime (`n >= 4k`, `s <= sqrt(n)/4`) only, asserts that an"
                + " adaptive estimate is consistent with `s/n` and an oblivious one is not above the bound.",
            "All p-values of a run are adjusted together by Holm's method, so a correct engine and a true theory fail"
                + " some verdict with probability at most the run's `alpha`."));
    }

    private static void runDetails(ReportDocument doc, RunData data) {
        runDetails(doc, data.summary(), List.of("run_id", "status", "seed", "confidence", "alpha", "master",
            "spark_version", "java_version", "partitions", "work_units", "started_at", "finished_at", "seconds",
            "cells_total", "cells_splitting", "replicates_total", "trials_total"));
    }

    /** Adds a table of the summary's run fields named in {@code fields}, those present and not null. */
    static void runDetails(ReportDocument doc, JsonNode summary, List<String> fields) {
        List<List<String>> rows = new ArrayList<>();
        for (String field : fields) {
            if (summary.has(field) && !summary.get(field).isNull()) {
                String value = summary.get(field).asText();
                if (field.equals("seconds")) {
                    value = String.format(Locale.ROOT, "%.1f", summary.get(field).asDouble());
                } else if (field.endsWith("_at")) {
                    // Seconds are precise enough for a reader; summary.json keeps the full value.
                    value = value.replaceFirst("(T\\d\\d:\\d\\d:\\d\\d)\\.\\d+", "$1");
                }
                rows.add(List.of("`" + field + "`", value));
            }
        }
        doc.table(List.of("field", "value"), rows);
        doc.paragraph("The resolved configuration (`config.conf`):");
    }

    private static String label(CellRow c) {
        return "n=" + c.n() + " s=" + c.s() + " k=" + c.k() + " " + c.controller() + " " + c.law();
    }

    private static String orDash(String text) {
        return text == null ? "-" : text;
    }
}
