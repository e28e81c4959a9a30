package dev.kvcache.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvcache.jobs.report.DepthRunData.Cell;
import dev.kvcache.jobs.report.DepthRunData.Fit;
import dev.kvcache.jobs.report.DepthRunData.WindowRow;
import dev.kvcache.jobs.report.Figures.Figure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The written report of a finished depth run: {@code report.md}, {@code report.html} (with the
 * figures embedded) and the figures under {@code plots/}, as {@link Report} writes them for the
 * separation job. It opens with the verdict, then the fits of the bounds, the bandwidth regime, the
 * figures, the cells, the windows, the configuration, and what the run measures. Everything comes
 * from {@code summary.json} and {@code config.conf}, so regenerating it gives the same files.
 */
public final class DepthReport {
    /** The maximum number of rows of the cells table. A run with more cells shows its theorem-regime cells only. */
    static final int MAX_CELL_ROWS = 200;

    private DepthReport() {
    }

    /** Renders the figures and writes every file of the report; returns the paths written, report.md first. */
    public static List<String> write(DepthRunData data, Report.Files files) throws IOException {
        Report.ensureHeadless();
        List<Figure> figures = DepthFigures.of(data);
        return Report.write(figures, images -> document(data, figures, images), files);
    }

    static ReportDocument document(DepthRunData data, List<Figure> figures, Map<String, byte[]> images) {
        String runId = data.summary().path("run_id").asText("run");
        ReportDocument doc = new ReportDocument("Depth run " + runId);
        doc.paragraph(verdictSentence(data));
        if (!data.failures().isEmpty()) {
            doc.bullets(data.failures().stream().map(DepthReport::plain).toList());
        }
        notes(doc, data);
        doc.bullets(List.of("[Bounds and fits](#bounds-and-fits)", "[Bandwidth regime](#bandwidth-regime)",
            "[Figures](#figures)", "[Cells](#cells)", "[Windows](#windows)", "[Configuration](#configuration)",
            "[What the run measures](#what-the-run-measures)"));

        doc.heading(2, "Bounds and fits");
        fitsTable(doc, data);

        doc.heading(2, "Bandwidth regime");
        bandwidthTables(doc, data);

        doc.heading(2, "Figures");
        figures(doc, figures, images);

        doc.heading(2, "Cells");
        cellsTable(doc, data);

        doc.heading(2, "Windows");
        windows(doc, data);

        doc.heading(2, "Configuration");
        runDetails(doc, data);
        doc.code(data.config());

        doc.heading(2, "What the run measures");
        explanation(doc);
        return doc;
    }

    /** Returns the verdict in one sentence: the run's status and how many verdicts failed. */
    static String verdictSentence(DepthRunData data) {
        String status = data.summary().path("status").asText("unknown");
        // An enforced fit without cells in scope has no verdict, so it is not counted.
        long fits = data.fits().stream().filter(f -> f.enforced() && f.verdict() != null).count();
        long fitsFailed = data.fits().stream().filter(f -> f.enforced() && "fail".equals(f.verdict())).count();
        long floors = data.cells().stream().filter(c -> c.verdictFloor() != null).count();
        long floorsFailed = data.cells().stream().filter(c -> "fail".equals(c.verdictFloor())).count();
        long failed = fitsFailed + floorsFailed;
        int cells = data.cells().size();
        if (failed == 0 && "pass".equals(status) && data.failures().isEmpty()) {
            return "**PASS**: " + (fits + floors) + " of " + count(fits + floors, "verdict") + " passed ("
                + count(fits, "bound fit") + ", " + count(floors, "floor check") + ") over " + count(cells, "cell")
                + ": the ratio of measured layers to each enforced bound stays within the spread limit, and no cell"
                + " is below the floor. Within the cache the construction is exact, so these verdicts test how its"
                + " layer count scales against each bound over this grid, not the bounds themselves.";
        }
        String sentence = "**" + status.toUpperCase(Locale.ROOT) + "**: " + failed + " of "
            + count(fits + floors, "verdict") + " failed (" + fitsFailed + " of " + count(fits, "bound fit") + ", "
            + floorsFailed + " of " + count(floors, "floor check") + ") over " + count(cells, "cell");
        // The run also fails on checks that are not verdicts, such as a cell where no schedule met the
        // target or an engine whose reads differ from the schedule's definition.
        long others = data.failures().size() - failed;
        if (others > 0) {
            sentence += ", and " + count(others, "other check") + " failed";
        }
        return data.failures().isEmpty() ? sentence + "." : sentence + ". The run reports these failures:";
    }

    /** Returns {@code count} and the noun, in the plural unless the count is 1. */
    private static String count(long count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    /** Adds the caveats a reader needs beside the verdict. */
    private static void notes(ReportDocument doc, DepthRunData data) {
        List<String> notes = new ArrayList<>();
        long unmeasured = data.cells().stream().filter(c -> !c.measured()).count();
        if (unmeasured > 0) {
            notes.add(count(unmeasured, "cell") + " without a schedule whose success interval reaches 1 - delta:"
                + " such a cell has no measured layers, draws no point and enters no fit. More trials narrow the"
                + " interval.");
        }
        for (Fit fit : data.fits()) {
            if (fit.enforced() && fit.verdict() == null) {
                notes.add("The `" + fit.bound() + "` bound's fit has no cell in its scope (" + fit.scope() + "), so its"
                    + " scaling verdict was not tested.");
            }
        }
        boolean anyFit = data.fits().stream().anyMatch(f -> f.enforced() && f.verdict() != null);
        boolean anyFloor = data.cells().stream().anyMatch(c -> c.verdictFloor() != null);
        if (!anyFit && !anyFloor) {
            notes.add("No verdict was tested, because no cell lies in the theorem regime or in a judged fit's scope,"
                + " so the status only shows whether every schedule ran.");
        }
        for (JsonNode skipped : data.summary().path("skipped")) {
            notes.add("Left out of the grid: " + skipped.asText() + ".");
        }
        if (!notes.isEmpty()) {
            doc.bullets(notes);
        }
    }

    private static void fitsTable(ReportDocument doc, DepthRunData data) {
        List<List<String>> rows = new ArrayList<>();
        for (Fit fit : data.fits()) {
            rows.add(List.of("`" + fit.bound() + "`", fit.scope(), Long.toString(fit.cells()),
                Numbers.value(fit.constant()), Numbers.value(fit.minRatio()), orDash(fit.minCell()),
                Numbers.value(fit.maxRatio()), orDash(fit.maxCell()), Numbers.value(fit.spread()),
                fitVerdict(fit)));
        }
        doc.table(List.of("bound", "scope", "cells ", "constant ", "min ratio ", "at", "max ratio ", "at",
            "spread ", "verdict"), rows);
        doc.paragraph("Each bound is stated with constant 1, because the theory gives none: `lower` is"
            + " `max(ceil(k/s), log2(n)/(H m p))`, `product` is `ceil(k/s) ceil(log2(n)/(H m p))` and `upper` is"
            + " `min(k, ceil(k/s) log2 s) log2(n)/(m p)`. The ratio of a cell is its measured layers over the bound."
            + " The fitted constant is the geometric mean of the ratios, and the spread is the largest ratio over the"
            + " smallest. An enforced bound passes when its spread is at most `spread_limit` = "
            + Numbers.exact(data.setting("spread_limit")) + ", so the bound follows the measured layers up to a"
            + " constant factor.");
    }

    private static String fitVerdict(Fit fit) {
        if (fit.verdict() == null) {
            return "none, no cell in scope";
        }
        return fit.enforced() ? fit.verdict() : fit.verdict() + " (not enforced)";
    }

    /** Adds, for each n, the layers per cache window at each H m p, where the change at log2 n shows. */
    private static void bandwidthTables(ReportDocument doc, DepthRunData data) {
        doc.paragraph("A read of one of `n` positions needs `log2 n` address bits, and one layer moves `H m p` of them,"
            + " so a read costs `ceil(log2(n)/(H m p))` layers. The last columns divide the measured layers by"
            + " `ceil(k/s)`, the number of cache windows, and by the product bound: below `H m p = log2 n` the"
            + " layers per window fall as `H m p` grows, and from there on a read takes one layer and they stay"
            + " flat (the bandwidth barrier). Medians are over the cells of that `n` and `H m p` with measured"
            + " layers.");
        TreeMap<Long, List<Cell>> byN = new TreeMap<>();
        data.cells().forEach(c -> byN.computeIfAbsent(c.n(), n -> new ArrayList<>()).add(c));
        for (Map.Entry<Long, List<Cell>> entry : byN.entrySet()) {
            List<Cell> cells = entry.getValue();
            double log2n = cells.get(0).log2n();
            TreeMap<Long, List<Cell>> byHmp = new TreeMap<>();
            cells.forEach(c -> byHmp.computeIfAbsent(c.hmp(), h -> new ArrayList<>()).add(c));
            List<List<String>> rows = new ArrayList<>();
            Long firstOneLayer = null;
            for (Map.Entry<Long, List<Cell>> group : byHmp.entrySet()) {
                Cell first = group.getValue().get(0);
                if (firstOneLayer == null && first.readLayers() == 1) {
                    firstOneLayer = group.getKey();
                }
                List<Cell> measured = group.getValue().stream().filter(Cell::measured).toList();
                double perWindow = median(measured.stream()
                    .mapToDouble(c -> c.bestLayers() / c.cacheWindows()).toArray());
                double perProduct = median(measured.stream().mapToDouble(Cell::ratioProduct).toArray());
                rows.add(List.of(Long.toString(group.getKey()), Long.toString(first.readLayers()),
                    first.bandwidthRegime(), Long.toString(measured.size()), Numbers.value(perWindow),
                    Numbers.value(perProduct)));
            }
            doc.heading(3, "n = " + Figures.power(entry.getKey()));
            String reaches = firstOneLayer == null
                ? "No `H m p` of this run reaches it, so every read costs more than one layer."
                : "`read_layers` first reaches 1 at `H m p` = " + firstOneLayer + ".";
            doc.paragraph("`log2 n` = " + Numbers.exact(log2n) + ". " + reaches);
            doc.table(List.of("H m p ", "read layers ", "bandwidth regime", "cells measured ",
                "median best layers / ceil(k/s) ", "median best layers / product bound "), rows);
        }
    }

    private static void figures(ReportDocument doc, List<Figure> figures, Map<String, byte[]> images) {
        if (figures.isEmpty()) {
            doc.paragraph("No cell has measured layers, so there are no figures.");
            return;
        }
        doc.paragraph("Two figures per `(n, s)`, on log2 scales. In the first, each colour is one `(H, m, p)`: its"
            + " points are the measured layers of the best schedule, shifted a little sideways so equal points stay"
            + " visible, and its lines are the three bounds, dotted for `lower`, dashed for `product` and thin solid"
            + " for `upper`. Shaded values of `k/s` lie outside the theorem regime. When the run has several"
            + " pointer laws, the first law's points are filled circles and each further law's points are hollow"
            + " shapes at the same place. The second shows up to four"
            + " values of `k` against `H m p`, with the product bound dashed and a vertical line at"
            + " `H m p = log2 n`.");
        for (Figure figure : figures) {
            doc.heading(3, figure.title());
            String path = Report.PLOTS + "/" + figure.file();
            doc.image(path, figure.title(), images.get(path));
        }
    }

    private static void cellsTable(ReportDocument doc, DepthRunData data) {
        List<Cell> cells = data.cells();
        boolean severalLaws = cells.stream().map(Cell::law).distinct().count() > 1;
        if (cells.size() > MAX_CELL_ROWS) {
            cells = cells.stream().filter(Cell::theoremRegime).toList();
            doc.paragraph("The run has " + data.cells().size() + " cells, so this table shows the " + cells.size()
                + " inside the theorem regime only.");
        }
        if (cells.size() > MAX_CELL_ROWS) {
            doc.paragraph("Of those, the first " + MAX_CELL_ROWS + " are shown.");
            cells = cells.subList(0, MAX_CELL_ROWS);
        }
        List<List<String>> rows = new ArrayList<>();
        for (Cell c : cells) {
            double[] success = c.bestSuccess();
            List<String> row = new ArrayList<>(List.of(Figures.power(c.n()), Long.toString(c.k()),
                Long.toString(c.s()), c.heads() + ", " + c.dimension() + ", " + c.precision(), Long.toString(c.hmp()),
                (c.theoremRegime() ? "theorem" : "outside") + ", " + c.bandwidthRegime(),
                layers(c.lowerBound()) + " (" + c.lowerTerm() + ")", layers(c.productBound()) + " (" + c.productTerm()
                    + ")", layers(c.upperBound()) + " (" + c.upperTerm() + ")", layers(c.hopLayers()), layers(c.window()),
                layers(c.windowLayers()), bestSchedule(c), layers(c.bestLayers()),
                Numbers.withInterval(success[0], success[1], success[2]), orDash(c.verdictFloor())));
            if (severalLaws) {
                row.add(3, c.law());
            }
            rows.add(row);
        }
        List<String> header = new ArrayList<>(List.of("n ", "k ", "s ", "H, m, p", "H m p ", "regime",
            "lower ", "product ", "upper ", "hop layers ", "window ", "window layers ", "best", "best layers ",
            "success of best [interval] ", "floor"));
        if (severalLaws) {
            header.add(3, "law");
        }
        doc.table(header, rows);
        doc.paragraph("`regime` gives the theorem regime (`n >= 4k` and `s <= sqrt(n)/4`, or outside) and the"
            + " bandwidth regime (`limited` when `H m p < log2 n`, `barrier` from there on). Each bound names its"
            + " larger term in brackets, `cache` for `ceil(k/s)` or `bandwidth` for the other, and the upper bound"
            + " names the smaller term of its minimum, `hops` for `k` or `windows` for `ceil(k/s) log2 s`. The window is the"
            + " one with the fewest reads among those of 2 to `s` hops that met `1 - delta`. `floor` is the"
            + " verdict that the measured layers are at least `floor_constant` = "
            + Numbers.exact(data.setting("floor_constant")) + " times the lower bound, inside the theorem regime."
            + " Every cell, with its terms and ratios, is in `cells.csv`, `cells.parquet` and `summary.json`.");
    }

    private static String bestSchedule(Cell cell) {
        if (cell.bestSchedule() == null) {
            return "none";
        }
        return "window".equals(cell.bestSchedule()) ? "window " + layers(cell.bestWindow()) : cell.bestSchedule();
    }

    private static void windows(ReportDocument doc, DepthRunData data) {
        long within = data.windows().stream().filter(WindowRow::withinCache).count();
        long withinMet = data.windows().stream().filter(w -> w.withinCache() && w.meetsTarget()).count();
        long above = data.windows().size() - within;
        long aboveMet = data.windows().stream().filter(w -> !w.withinCache() && w.meetsTarget()).count();
        String target = Numbers.value(1 - data.setting("delta"));
        doc.paragraph("Each `(n, k, s, law)` tries the windows `1, 2, 4, ...` up to `s` hops, and one control window"
            + " twice the largest, above the cache, when `k` is long enough for it. A window within the cache always"
            + " has its whole segment resident, so it answers correctly, and it meets the target `1 - delta` = "
            + target + " unless the trials are too few for the interval's low end to get there. A window above the"
            + " cache answers correctly only when the chain revisits positions enough for its segment to fit, or by"
            + " chance.");
        doc.table(List.of("windows", "count ", "met 1 - delta "), List.of(
            List.of("within the cache (w <= s)", Long.toString(within), Long.toString(withinMet)),
            List.of("above the cache (control)", Long.toString(above), Long.toString(aboveMet))));

        List<WindowRow> example = example(data.windows());
        if (example.isEmpty()) {
            return;
        }
        WindowRow first = example.get(0);
        doc.paragraph("The windows of one example, n = " + Figures.power(first.n()) + ", k = " + first.k() + ", s = "
            + first.s() + ", " + first.law() + ". Every window is in `windows.csv` and `summary.json`.");
        List<List<String>> rows = new ArrayList<>();
        for (WindowRow w : example) {
            rows.add(List.of(Long.toString(w.window()), w.withinCache() ? "yes" : "no", layers(w.reads()),
                Long.toString(w.trials()), Long.toString(w.successes()),
                Numbers.withInterval(w.success(), w.low(), w.high()), w.meetsTarget() ? "yes" : "no"));
        }
        doc.table(List.of("window ", "within cache", "reads ", "trials ", "successes ", "success [interval] ",
            "met 1 - delta"), rows);
    }

    /**
     * Returns the windows of the example: the {@code (n, k, s, law)} of the smallest {@code n} with the
     * most candidate windows (so that it shows the control window when the run has one), the first
     * in table order among equals.
     */
    static List<WindowRow> example(List<WindowRow> windows) {
        Map<String, List<WindowRow>> groups = new LinkedHashMap<>();
        for (WindowRow w : windows) {
            groups.computeIfAbsent(w.n() + " " + w.k() + " " + w.s() + " " + w.law(), key -> new ArrayList<>()).add(w);
        }
        Comparator<List<WindowRow>> order = Comparator.<List<WindowRow>>comparingLong(g -> g.get(0).n())
            .thenComparing(Comparator.<List<WindowRow>>comparingInt(List::size).reversed());
        return groups.values().stream().min(order).orElse(List.of());
    }

    private static void runDetails(ReportDocument doc, DepthRunData data) {
        Report.runDetails(doc, data.summary(), List.of("run_id", "status", "job", "seed", "confidence", "delta",
            "spread_limit", "floor_constant", "master", "spark_version", "java_version", "partitions", "work_units",
            "started_at", "finished_at", "seconds", "cells_total", "cells_failed", "trials_total"));
    }

    private static void explanation(ReportDocument doc) {
        doc.paragraph("**The task.** `n` positions each point to a random position (a random function or permutation),"
            + " and a query asks for the position `k` hops from a random start, with a cache of `s` positions.");
        doc.paragraph("**The construction.** Windowed pointer doubling with window `w = 2^J` cuts the `k` hops into"
            + " `floor(k/w)` windows of `w` hops, then one window per binary digit of the remainder. For each window"
            + " the cache holds the window's chain segment. Every resident position reads the position its pointer"
            + " names, `J` times, so its pointer doubles each round, and then the query reads its own position: a"
            + " window of `2^b` hops costs `b + 1` reads. The window `w = 1` is hop by hop, `k` reads. Each schedule"
            + " runs on the dense engine and is checked against `f^k(x0)` found by following the pointers.");
        doc.paragraph("**Its assumption.** The construction assumes that the cache controller places each window's"
            + " segment in the cache. A controller that admits only positions a read has named learns one new chain"
            + " position per read, so under that stricter rule only hop by hop is available. Windows up to `s` are"
            + " exact under the assumption. One control window above `s` shows the limit: it succeeds only when the"
            + " chain revisits positions enough for its segment to fit, or by chance. `docs/model.md`, section 11,"
            + " gives the details.");
        doc.paragraph("**The read cost.** A read of one of `n` positions needs `log2 n` address bits, and one layer's"
            + " attention moves at most `H m p` of them (heads, dimension, bits of precision), so a read costs"
            + " `ceil(log2(n)/(H m p))` layers and a schedule costs its reads times that. Once `H m p >= log2 n` a"
            + " read fits in one layer: this is the bandwidth barrier, where no per-window counting argument gives"
            + " more than `ceil(k/s)`.");
        doc.paragraph("**The bounds**, each with constant 1 because the theory gives none: the proven lower bound"
            + " `max(ceil(k/s), log2(n)/(H m p))`, the conjectured product bound `ceil(k/s) ceil(log2(n)/(H m p))`,"
            + " and the upper bound of windowed doubling `min(k, ceil(k/s) log2 s) log2(n)/(m p)`. The best schedule"
            + " of a cell is hop by hop or its window, whichever met `1 - delta` with fewer layers.");
        doc.paragraph("**The verdicts.** The spread verdict of an enforced bound passes when the ratio of measured"
            + " layers to the bound varies by at most `spread_limit` (largest over smallest) over the cells it"
            + " covers, so the bound has the right shape up to a constant. The lower and product bounds cover the"
            + " theorem regime (`n >= 4k`, `s <= sqrt(n)/4`). The upper bound covers `H = 1` and `m p <= log2 n`,"
            + " because its price of a read, `log2(n)/(m p)` layers, assumes one head and falls below one layer once"
            + " `m p > log2 n`, though no read costs less than one. The floor"
            + " verdict of a cell inside the theorem regime passes when its measured layers are at least"
            + " `floor_constant` times the proven lower bound.");
    }

    /** Formats a count of layers or reads: whole numbers in full, others with four significant digits. */
    static String layers(double x) {
        if (Double.isFinite(x) && x == Math.rint(x) && Math.abs(x) < 1e15) {
            return Long.toString((long) x);
        }
        return Numbers.significant(x, 4);
    }

    /** Returns the median of {@code values}, {@code NaN} when there are none. */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** Quotes a failure text as code where it contains Markdown marks, so it shows as written. */
    private static String plain(String text) {
        return text.contains("*") || text.contains("`") ? "`" + text.replace("`", "'") + "`" : text;
    }

    private static String orDash(String text) {
        return text == null ? "-" : text;
    }
}
