package dev.kvcache.jobs.depth;

import dev.kvcache.engine.depth.DepthBounds;
import dev.kvcache.engine.depth.WindowSchedule;
import dev.kvcache.engine.stats.Binomial;
import dev.kvcache.engine.stats.Interval;
import dev.kvcache.jobs.config.DepthSettings;
import dev.kvcache.jobs.depth.DepthJob.Counts;
import dev.kvcache.jobs.depth.DepthPlan.DepthCell;
import dev.kvcache.jobs.depth.DepthPlan.Simulation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The findings of a depth run: per window the success rate of its schedule, per cell the chosen
 * schedules and their layers beside the three bounds, per bound the fitted constant and the
 * spread of the ratio, and the verdicts.
 *
 * <p>Verdicts: the scaling of each bound named in {@code depth.verdicts.scaling} passes when the
 * largest ratio of measured layers to the bound is at most {@code spread_limit} times the smallest
 * over the cells it covers (the theorem regime for the lower and product bounds; for the upper
 * bound the cells with {@code H = 1} and {@code m p <= log2 n}, see {@link #inUpperScope}). The
 * floor verdict of a cell inside the theorem regime passes when its measured layers are at least
 * {@code floor_constant} times the proven lower bound. A cell where no schedule
 * succeeds, or whose measured reads differ from the schedule's definition, fails too.
 *
 * @param windows one row per simulation and window
 * @param cells one row per cell
 * @param fits one row per bound: lower, product, upper
 * @param failures one sentence per failed verdict
 */
public record DepthResults(List<WindowRow> windows, List<CellRow> cells, List<Fit> fits, List<String> failures) {
    public static final String PASS = "pass";
    public static final String FAIL = "fail";
    /** The verdict of a bound that is fitted but not judged. */
    public static final String REPORTED = "reported";

    /**
     * One window of one simulation.
     *
     * @param reads the reads per instance the engine made
     * @param expectedReads the reads the schedule's definition gives
     * @param meetsTarget whether the interval's low end is at least {@code 1 - delta}
     */
    public record WindowRow(Simulation simulation, long window, double reads, long expectedReads, long trials,
                            long successes, Interval interval, boolean meetsTarget) {
        public double success() {
            return (double) successes / trials;
        }

        public boolean withinCache() {
            return window <= simulation.s();
        }

        Map<String, Object> columns() {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("n", simulation.n());
            row.put("k", simulation.k());
            row.put("s", simulation.s());
            row.put("law", simulation.law().configName());
            row.put("window", window);
            row.put("within_cache", withinCache());
            row.put("reads", reads);
            row.put("trials", trials);
            row.put("successes", successes);
            row.put("success", success());
            row.put("success_low", interval.low());
            row.put("success_high", interval.high());
            row.put("meets_target", meetsTarget);
            return row;
        }
    }

    /**
     * One cell: the hop-by-hop schedule, the chosen window schedule, and the best of the two.
     *
     * @param best the best schedule that succeeds, {@code hop} or {@code window}, or {@code null}
     * @param bestLayers its layers, or NaN when no schedule succeeds
     * @param floorVerdict pass or fail inside the theorem regime, {@code null} outside
     */
    public record CellRow(DepthCell cell, WindowRow hop, WindowRow window, String best, double bestLayers,
                          String floorVerdict) {
        public DepthBounds bounds() {
            return cell.bounds();
        }

        public double hopLayers() {
            return hop.reads() * bounds().readLayers();
        }

        public double windowLayers() {
            return window.reads() * bounds().readLayers();
        }

        public double ratio(String bound) {
            return bestLayers / boundValue(bounds(), bound);
        }

        Map<String, Object> columns() {
            DepthBounds b = bounds();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("n", b.n());
            row.put("k", b.k());
            row.put("s", b.s());
            row.put("H", b.heads());
            row.put("m", b.dimension());
            row.put("p", b.precision());
            row.put("law", cell.simulation().law().configName());

            row.put("log2_n", b.log2n());
            row.put("hmp", b.bandwidth());
            row.put("read_layers", b.readLayers());
            row.put("theorem_regime", b.theoremRegime());
            row.put("bandwidth_regime", b.bandwidthBarrier() ? "barrier" : "limited");
            row.put("lower_bound", b.lower());
            row.put("lower_term", term(b.lowerTerm()));
            row.put("product_bound", b.product());
            row.put("product_term", term(b.productTerm()));
            row.put("upper_bound", b.upper());
            row.put("upper_term", b.upperTerm().name().toLowerCase(Locale.ROOT));

            row.put("trials", hop.trials());
            row.put("hop_reads", hop.reads());
            row.put("hop_layers", hopLayers());
            row.put("hop_success", hop.success());
            row.put("hop_success_low", hop.interval().low());
            row.put("hop_success_high", hop.interval().high());
            row.put("window", window.window());
            row.put("window_reads", window.reads());
            row.put("window_layers", windowLayers());
            row.put("window_success", window.success());
            row.put("window_success_low", window.interval().low());
            row.put("window_success_high", window.interval().high());

            row.put("best_schedule", best);
            row.put("best_window", best == null ? null : "hop".equals(best) ? 1L : window.window());
            row.put("best_layers", bestLayers);
            for (String bound : DepthSettings.BOUNDS) {
                row.put("ratio_" + bound, ratio(bound));
            }
            row.put("verdict_floor", floorVerdict);
            return row;
        }
    }

    /**
     * The fit of one bound: {@code constant} is the geometric mean of measured layers over the
     * bound, and {@code spread} the largest ratio over the smallest.
     *
     * @param verdict pass, fail, reported (not judged), or {@code null} when no cell is in scope
     */
    public record Fit(String bound, String scope, boolean enforced, int cells, double constant, double minRatio,
                      double maxRatio, double spread, String minCell, String maxCell, String verdict) {
        Map<String, Object> columns() {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("bound", bound);
            row.put("scope", scope);
            row.put("enforced", enforced);
            row.put("cells", (long) cells);
            row.put("constant", constant);
            row.put("min_ratio", minRatio);
            row.put("max_ratio", maxRatio);
            row.put("spread", spread);
            row.put("min_cell", minCell);
            row.put("max_cell", maxCell);
            row.put("verdict", verdict);
            return row;
        }
    }

    /** Judges the counts of {@code plan}'s simulations, in plan order. */
    public static DepthResults of(DepthSettings settings, DepthPlan plan, List<Counts> counts) {
        List<String> failures = new ArrayList<>();
        List<List<WindowRow>> bySimulation = new ArrayList<>();
        List<WindowRow> windows = new ArrayList<>();
        for (Simulation simulation : plan.simulations()) {
            Counts c = counts.get(simulation.index());
            List<WindowRow> rows = new ArrayList<>();
            for (int i = 0; i < simulation.windows().size(); i++) {
                long window = simulation.windows().get(i);
                Interval interval = Binomial.clopperPearson(c.successes()[i], c.trials(), settings.confidence());
                double reads = (double) c.reads()[i] / c.trials();
                long expected = new WindowSchedule(simulation.k(), window).reads();
                if (reads != expected) {
                    failures.add(String.format(Locale.ROOT, "FAILED reads: %s window %d: the engine made %s reads per"
                        + " instance, the schedule defines %d", simulation.label(), window, reads, expected));
                }
                WindowRow row = new WindowRow(simulation, window, reads, expected, c.trials(), c.successes()[i],
                    interval, interval.low() >= 1 - settings.delta());
                rows.add(row);
                windows.add(row);
            }
            bySimulation.add(rows);
        }

        List<CellRow> cells = new ArrayList<>();
        for (DepthCell cell : plan.cells()) {
            List<WindowRow> rows = bySimulation.get(cell.simulation().index());
            WindowRow hop = rows.get(0);
            WindowRow window = chooseWindow(rows, cell.simulation().s());
            long readLayers = cell.bounds().readLayers();
            String best = null;
            double bestLayers = Double.NaN;
            if (hop.meetsTarget()) {
                best = "hop";
                bestLayers = hop.reads() * readLayers;
            }
            if (window.meetsTarget() && (best == null || window.reads() < hop.reads())) {
                best = "window";
                bestLayers = window.reads() * readLayers;
            }
            String floor = null;
            if (cell.bounds().theoremRegime()) {
                double least = settings.floorConstant() * cell.bounds().lower();
                floor = bestLayers >= least ? PASS : FAIL;
                if (best != null && FAIL.equals(floor)) {
                    failures.add(String.format(Locale.ROOT, "FAILED floor verdict: %s: %s layers, below floor_constant"
                            + " %s x lower bound %s = %s", cell.label(), number(bestLayers), number(settings.floorConstant()),
                        number(cell.bounds().lower()), number(least)));
                }
            }
            if (best == null) {
                failures.add(String.format(Locale.ROOT, "FAILED: %s: no schedule succeeded with probability at least"
                        + " 1 - delta = %s (hop by hop %d of %d, window %d: %d of %d)", cell.label(),
                    number(1 - settings.delta()), hop.successes(), hop.trials(), window.window(), window.successes(),
                    window.trials()));
            }
            cells.add(new CellRow(cell, hop, window, best, bestLayers, floor));
        }

        List<Fit> fits = new ArrayList<>();
        for (String bound : DepthSettings.BOUNDS) {
            Fit fit = fit(bound, cells, settings);
            fits.add(fit);
            if (FAIL.equals(fit.verdict())) {
                failures.add(String.format(Locale.ROOT, "FAILED scaling verdict of the %s bound: the ratio of measured"
                        + " layers to the bound spreads by %s, from %s at %s to %s at %s, above spread_limit %s. %s",
                    bound, number(fit.spread()), number(fit.minRatio()), fit.minCell(), number(fit.maxRatio()),
                    fit.maxCell(), number(settings.spreadLimit()), SPREAD_CAUSES.get(bound)));
            }
        }
        return new DepthResults(windows, cells, fits, failures);
    }

    /** Returns whether every verdict passed. */
    public boolean passed() {
        return failures.isEmpty();
    }

    /** Returns the rows of {@code windows.csv}. */
    public List<Map<String, Object>> windowColumns() {
        return windows.stream().map(WindowRow::columns).toList();
    }

    /** Returns the rows of {@code cells.csv}. */
    public List<Map<String, Object>> cellColumns() {
        return cells.stream().map(CellRow::columns).toList();
    }

    /** Returns the rows of the summary's {@code fits}. */
    public List<Map<String, Object>> fitColumns() {
        return fits.stream().map(Fit::columns).toList();
    }

    /**
     * Chooses the window schedule of a cell: among the windows from 2 to {@code s} that meet the
     * target, the one with the fewest reads (the smaller window on a tie); when none meets it, the
     * largest window within the cache, reported as it is.
     */
    private static WindowRow chooseWindow(List<WindowRow> rows, long s) {
        WindowRow chosen = null;
        WindowRow largest = null;
        for (WindowRow row : rows) {
            if (row.window() < 2 || row.window() > s) {
                continue;
            }
            largest = row;
            if (row.meetsTarget() && (chosen == null || row.reads() < chosen.reads())) {
                chosen = row;
            }
        }
        return chosen != null ? chosen : largest;
    }

    private static Fit fit(String bound, List<CellRow> cells, DepthSettings settings) {
        boolean upper = "upper".equals(bound);
        String scope = upper ? UPPER_SCOPE : "theorem regime";
        boolean enforced = settings.scaling().contains(bound);
        List<CellRow> inScope = cells.stream()
            .filter(c -> c.best() != null && (upper ? inUpperScope(c.bounds()) : c.bounds().theoremRegime())).toList();
        if (inScope.isEmpty()) {
            return new Fit(bound, scope, enforced, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null, null, null);
        }
        ToDoubleFunction<CellRow> ratio = c -> c.ratio(bound);
        CellRow min = inScope.get(0);
        CellRow max = inScope.get(0);
        double logSum = 0;
        for (CellRow c : inScope) {
            logSum += Math.log(ratio.applyAsDouble(c));
            min = ratio.applyAsDouble(c) < ratio.applyAsDouble(min) ? c : min;
            max = ratio.applyAsDouble(c) > ratio.applyAsDouble(max) ? c : max;
        }
        double spread = ratio.applyAsDouble(max) / ratio.applyAsDouble(min);
        String verdict = !enforced ? REPORTED : spread <= settings.spreadLimit() ? PASS : FAIL;
        return new Fit(bound, scope, enforced, inScope.size(), Math.exp(logSum / inScope.size()),
            ratio.applyAsDouble(min), ratio.applyAsDouble(max), spread, min.cell().label(), max.cell().label(), verdict);
    }

    /** The causes of the spread of the ratio to each bound, for the failure message of a scaling verdict. */
    private static final Map<String, String> SPREAD_CAUSES = Map.of(
        "lower", "The lower bound is the maximum of two terms, and the construction's layers grow with their"
            + " product.",
        "product", "The construction needs about log2(min(k, s)) + 1 reads per window of s hops where the product"
            + " bound counts one, so the spread grows with the range of s (and of k below s) in the grid.",
        "upper", "The construction's reads over min(k, ceil(k/s) log2 s) range from about 1.5 (windows of 4 hops)"
            + " down to below 1 where k < s and log2 s overcounts, and rounding a read up to whole layers adds up to"
            + " a factor 2.");

    /** The cells the upper bound's fit covers, in words. */
    public static final String UPPER_SCOPE = "H = 1 and m p <= log2 n";

    /**
     * Returns whether the upper bound's fit covers a cell. The bound prices a read at
     * {@code log2(n)/(m p)} layers: a one-head construction, and a fraction of a layer once
     * {@code m p > log2 n}. With {@code H} heads a read is up to {@code H} times cheaper, and no read
     * costs less than one layer, so such cells lie off the expression by factors the bound does not
     * model and are left out of its fit (their ratios are still in cells.csv).
     */
    static boolean inUpperScope(DepthBounds bounds) {
        return bounds.heads() == 1 && bounds.dimension() * bounds.precision() <= bounds.log2n();
    }

    /** Returns the value of the bound named {@code bound}: lower, product or upper. */
    static double boundValue(DepthBounds bounds, String bound) {
        return switch (bound) {
            case "lower" -> bounds.lower();
            case "product" -> bounds.product();
            case "upper" -> bounds.upper();
            default -> throw new IllegalArgumentException("unknown bound " + bound);
        };
    }

    private static String term(DepthBounds.Term term) {
        return term.name().toLowerCase(Locale.ROOT);
    }

    /** Formats a number with up to four significant digits, without an exponent for moderate values. */
    static String number(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) {
            return Long.toString((long) x);
        }
        return String.format(Locale.ROOT, "%.4g", x).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }
}
