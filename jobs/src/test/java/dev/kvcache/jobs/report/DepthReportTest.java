package dev.kvcache.jobs.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvcache.jobs.report.Figures.Figure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;

/**
 * Tests the depth report and its figures on a summary made by hand with the formulas of the depth
 * job: the bounds with constant 1, windowed doubling's reads {@code floor(k/w)(J+1)} plus
 * {@code b + 1} per binary digit {@code b} of {@code k mod w}, and {@code ceil(log2(n)/(H m p))}
 * layers per read. Every window within the cache succeeds in all trials, as windowed doubling does.
 * A control window above the cache succeeds in 2% of them, a made-up rate that only the windows
 * table shows.
 *
 * <p>The grid: {@code n = 2^16} with {@code s = 16, 64}, {@code k = 16, 256, 32768} and
 * {@code (H, m, p) = (1,4,1), (1,4,4), (2,4,4)}, so {@code H m p = 4, 16, 32} lies below, at and
 * above {@code log2 n = 16} and {@code k = 32768 > n/4} lies outside the theorem regime. Then
 * {@code n = 2^10} with {@code s = 16 > sqrt(n)/4}, all outside the theorem regime, {@code k = 16, 256}
 * and {@code (H, m, p) = (1,4,1), (1,1,4), (2,4,4)}, two shapes sharing {@code H m p = 4}: 24 cells.
 */
class DepthReportTest {
    private static final double CONFIDENCE = 0.95;
    private static final double DELTA = 0.01;
    /** Below the product bound's spread of 7/5 on this grid, so that its fit fails. */
    private static final double SPREAD_LIMIT = 1.25;
    private static final double FLOOR_CONSTANT = 0.25;
    private static final long TRIALS = 1000;
    /**
     * The cells the upper bound's fit covers. The bound prices a read at log2(n)/(m p) layers, which
     * fits a one-head construction whose read takes at least one layer.
     */
    private static final String UPPER_SCOPE = "H = 1 and m p <= log2 n";
    private static final long[][] SHAPES_LARGE = {{1, 4, 1}, {1, 4, 4}, {2, 4, 4}};
    private static final long[][] SHAPES_SMALL = {{1, 4, 1}, {1, 1, 4}, {2, 4, 4}};

    /** One block of the grid: every combination of its s, k and (H, m, p) at one n. */
    private record Block(long n, long[] s, long[] k, long[][] shapes) {
    }

    private static final List<Block> GRID = List.of(
        new Block(1L << 16, new long[] {16, 64}, new long[] {16, 256, 32768}, SHAPES_LARGE),
        new Block(1L << 10, new long[] {16}, new long[] {16, 256}, SHAPES_SMALL));

    static ObjectNode summary() {
        return summary(GRID);
    }

    static ObjectNode summary(List<Block> grid) {
        return summary(grid, SPREAD_LIMIT);
    }

    static ObjectNode summary(List<Block> grid, double spreadLimit) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("run_id", "depth-test").put("job", "depth").put("config_file", "conf/depth.conf").put("seed", 7)
            .put("confidence", CONFIDENCE).put("delta", DELTA).put("spread_limit", spreadLimit)
            .put("floor_constant", FLOOR_CONSTANT).put("seconds", 12.345)
            .put("started_at", "2026-01-02T03:04:05.678Z").put("finished_at", "2026-01-02T03:04:17.999Z");

        ArrayNode cells = root.putArray("cells");
        ArrayNode windows = root.putArray("windows");
        for (Block block : grid) {
            for (long s : block.s()) {
                for (long k : block.k()) {
                    addWindows(windows, block.n(), k, s);
                    for (long[] shape : block.shapes()) {
                        cells.add(cell(mapper, block.n(), k, s, shape[0], shape[1], shape[2]));
                    }
                }
            }
        }

        ArrayNode fits = root.putArray("fits");
        List<String> failures = new ArrayList<>();
        fit(fits, failures, cells, "lower", "theorem regime", false, spreadLimit);
        fit(fits, failures, cells, "product", "theorem regime", true, spreadLimit);
        fit(fits, failures, cells, "upper", UPPER_SCOPE, true, spreadLimit);
        for (JsonNode c : cells) {
            if ("fail".equals(c.path("verdict_floor").asText())) {
                failures.add("floor: " + c.path("best_layers").asDouble() + " layers below " + FLOOR_CONSTANT
                    + " times the lower bound at " + label(c));
            }
        }

        ArrayNode failureArray = root.putArray("failures");
        failures.forEach(failureArray::add);
        root.put("status", failures.isEmpty() ? "pass" : "fail");
        root.put("cells_total", cells.size());
        root.put("trials_total", TRIALS * windows.size());
        return root;
    }

    private static ObjectNode cell(ObjectMapper mapper, long n, long k, long s, long heads, long dimension,
                                   long precision) {
        double log2n = Long.numberOfTrailingZeros(n);
        long hmp = heads * dimension * precision;
        long rho = (long) Math.ceil(log2n / hmp);
        long windowsOfCache = (k + s - 1) / s;
        double bandwidthTerm = log2n / hmp;
        double lower = Math.max(windowsOfCache, bandwidthTerm);
        double product = (double) windowsOfCache * rho;
        double windowed = windowsOfCache * (double) Long.numberOfTrailingZeros(s);
        double upper = Math.min(k, windowed) * log2n / (dimension * precision);
        boolean regime = n >= 4 * k && 16 * s * s <= n;

        // The window schedule: the window w in [2, s] with the fewest reads (ties to the smaller w).
        // All of them meet the target, because every window within the cache succeeds in all trials.
        long window = 0;
        long windowReads = Long.MAX_VALUE;
        for (long w : candidates(k, s)) {
            if (w >= 2 && w <= s && reads(k, w) < windowReads) {
                window = w;
                windowReads = reads(k, w);
            }
        }
        long hopLayers = k * rho;
        long windowLayers = windowReads * rho;
        boolean windowBest = windowLayers < hopLayers;
        double best = Math.min(hopLayers, windowLayers);

        ObjectNode c = mapper.createObjectNode();
        c.put("n", n).put("k", k).put("s", s).put("H", heads).put("m", dimension).put("p", precision)
            .put("law", "function").put("log2_n", log2n).put("hmp", hmp).put("read_layers", rho)
            .put("theorem_regime", regime).put("bandwidth_regime", hmp < log2n ? "limited" : "barrier")
            .put("lower_bound", lower).put("lower_term", term(windowsOfCache, bandwidthTerm))
            .put("product_bound", product).put("product_term", term(windowsOfCache, rho))
            .put("upper_bound", upper).put("upper_term", upperTerm(k, windowed))
            .put("trials", TRIALS).put("hop_reads", k).put("hop_layers", hopLayers).put("hop_success", 1.0)
            .put("hop_success_low", allSucceededLow()).put("hop_success_high", 1.0)
            .put("window", window).put("window_reads", windowReads).put("window_layers", windowLayers)
            .put("window_success", 1.0).put("window_success_low", allSucceededLow()).put("window_success_high", 1.0)
            .put("best_schedule", windowBest ? "window" : "hop").put("best_layers", best)
            .put("ratio_lower", best / lower).put("ratio_product", best / product).put("ratio_upper", best / upper);
        if (windowBest) {
            c.put("best_window", window);
        } else {
            c.putNull("best_window");
        }
        if (regime) {
            c.put("verdict_floor", best >= FLOOR_CONSTANT * lower ? "pass" : "fail");
        } else {
            c.putNull("verdict_floor");
        }
        return c;
    }

    private static void addWindows(ArrayNode windows, long n, long k, long s) {
        for (long w : candidates(k, s)) {
            boolean within = w <= s;
            long successes = within ? TRIALS : TRIALS / 50;
            ObjectNode row = windows.addObject();
            row.put("n", n).put("k", k).put("s", s).put("law", "function").put("window", w).put("within_cache", within)
                .put("reads", reads(k, w)).put("trials", TRIALS).put("successes", successes)
                .put("success", successes / (double) TRIALS)
                .put("success_low", within ? allSucceededLow() : 0.0123)
                .put("success_high", within ? 1.0 : 0.0307)
                .put("meets_target", within);
        }
    }

    /** Returns the Clopper-Pearson low end after TRIALS successes in TRIALS trials, (alpha/2)^(1/TRIALS). */
    private static double allSucceededLow() {
        return Math.pow((1 - CONFIDENCE) / 2, 1.0 / TRIALS);
    }

    /**
     * Returns the candidate windows: 1, 2, 4, ... up to min(s, 2^floor(log2 k)), then twice that if it
     * is still at most 2^floor(log2 k).
     */
    private static List<Long> candidates(long k, long s) {
        long reach = Long.highestOneBit(k);
        long largest = Long.highestOneBit(Math.min(s, reach));
        List<Long> windows = new ArrayList<>();
        for (long w = 1; w <= largest; w *= 2) {
            windows.add(w);
        }
        if (2 * largest <= reach) {
            windows.add(2 * largest);
        }
        return windows;
    }

    /** Returns the reads of window w = 2^J: floor(k/w)(J+1), plus b+1 per binary digit b of k mod w. */
    static long reads(long k, long w) {
        long reads = (k / w) * (Long.numberOfTrailingZeros(w) + 1L);
        long remainder = k % w;
        for (int b = 0; b < 63; b++) {
            if ((remainder >>> b & 1) == 1) {
                reads += b + 1;
            }
        }
        return reads;
    }

    private static String term(double cache, double bandwidth) {
        if (cache > bandwidth) {
            return "cache";
        }
        return cache < bandwidth ? "bandwidth" : "equal";
    }

    private static String upperTerm(long hops, double windowed) {
        if (hops < windowed) {
            return "hops";
        }
        return hops > windowed ? "windows" : "equal";
    }

    private static void fit(ArrayNode fits, List<String> failures, ArrayNode cells, String bound, String scope,
                            boolean enforced, double spreadLimit) {
        double logSum = 0;
        int count = 0;
        JsonNode min = null;
        JsonNode max = null;
        for (JsonNode c : cells) {
            boolean inScope = scope.equals(UPPER_SCOPE) ? c.path("H").asLong() == 1
                && c.path("m").asLong() * c.path("p").asLong() <= c.path("log2_n").asDouble()
                : c.path("theorem_regime").asBoolean();
            if (!inScope) {
                continue;
            }
            double ratio = c.path("ratio_" + bound).asDouble();
            logSum += Math.log(ratio);
            count++;
            if (min == null || ratio < min.path("ratio_" + bound).asDouble()) {
                min = c;
            }
            if (max == null || ratio > max.path("ratio_" + bound).asDouble()) {
                max = c;
            }
        }
        double minRatio = min.path("ratio_" + bound).asDouble();
        double maxRatio = max.path("ratio_" + bound).asDouble();
        double spread = maxRatio / minRatio;
        String verdict = "reported";
        if (enforced) {
            verdict = spread <= spreadLimit ? "pass" : "fail";
        }
        fits.addObject().put("bound", bound).put("scope", scope).put("enforced", enforced).put("cells", count)
            .put("constant", Math.exp(logSum / count)).put("min_ratio", minRatio).put("max_ratio", maxRatio)
            .put("spread", spread).put("min_cell", label(min)).put("max_cell", label(max)).put("verdict", verdict);
        if (verdict.equals("fail")) {
            failures.add(bound + " bound: the ratio of measured layers to the bound spreads by " + spread
                + " over " + count + " cells, above spread_limit " + spreadLimit + " (" + label(min) + " to "
                + label(max) + ")");
        }
    }

    private static String label(JsonNode c) {
        return "n=" + Figures.power(c.path("n").asLong()) + " k=" + c.path("k").asLong() + " s=" + c.path("s").asLong()
            + " H=" + c.path("H").asLong() + " m=" + c.path("m").asLong() + " p=" + c.path("p").asLong()
            + " law=" + c.path("law").asText();
    }

    private static DepthRunData data(JsonNode summary) {
        return DepthRunData.of(summary, "job = depth\ndepth.grid.n = [\"2^10\", \"2^16\"]\n");
    }

    private static List<Figure> figures() {
        return DepthFigures.of(data(summary()));
    }

    private static Figure figure(String file) {
        return figures().stream().filter(f -> f.file().equals(file)).findFirst().orElseThrow();
    }

    /** Returns the summary's cell of (n, k, s, H, m, p). */
    private static JsonNode cellOf(JsonNode summary, long n, long k, long s, long heads, long dimension,
                                   long precision) {
        for (JsonNode c : summary.path("cells")) {
            if (c.path("n").asLong() == n && c.path("k").asLong() == k && c.path("s").asLong() == s
                && c.path("H").asLong() == heads && c.path("m").asLong() == dimension
                && c.path("p").asLong() == precision) {
                return c;
            }
        }
        throw new AssertionError("no cell n=" + n + " k=" + k + " s=" + s);
    }

    @Test
    void fixtureFollowsTheFormulas() {
        // Reference values worked by hand: k = 256, w = 16 is 16 windows of 4 rounds and 1 read;
        // k = 16, w = 8 is 2 windows of 4 reads; k = 13 = 8 + 4 + 1 with w = 8 is 4 + 3 + 1 reads.
        assertEquals(80, reads(256, 16));
        assertEquals(8, reads(16, 8));
        assertEquals(8, reads(13, 8));
        assertEquals(256, reads(256, 1), "hop by hop");
        JsonNode c = cellOf(summary(), 1L << 16, 256, 16, 1, 4, 1);
        assertEquals(16, c.path("lower_bound").asDouble(), 0, "max(256/16, 16/4)");
        assertEquals(64, c.path("product_bound").asDouble(), 0, "16 * ceil(16/4)");
        assertEquals(256, c.path("upper_bound").asDouble(), 0, "min(256, 16 * 4) * 16 / 4");
        assertEquals(320, c.path("best_layers").asDouble(), 0, "80 reads of 4 layers");
        assertEquals(24, summary().path("cells").size());
    }

    @Test
    void figuresTwoPerGroupInTableOrder() {
        List<String> files = figures().stream().map(Figure::file).toList();
        assertEquals(List.of("layers-vs-k-over-s-n2^16-s16.png", "layers-vs-hmp-n2^16-s16.png",
            "layers-vs-k-over-s-n2^16-s64.png", "layers-vs-hmp-n2^16-s64.png",
            "layers-vs-k-over-s-n2^10-s16.png", "layers-vs-hmp-n2^10-s16.png"), files);
    }

    @Test
    void layersAgainstHopsSeriesAndPoints() {
        JsonNode summary = summary();
        XYPlot plot = figure("layers-vs-k-over-s-n2^16-s16.png").chart().getXYPlot();
        XYDataset points = plot.getDataset(0);
        assertEquals(List.of("H=1 m=4 p=1", "H=1 m=4 p=4", "H=2 m=4 p=4"), keys(points), "one colour per (H, m, p)");
        long[] ks = {16, 256, 32768};
        for (int series = 0; series < 3; series++) {
            long[] shape = SHAPES_LARGE[series];
            assertEquals(3, points.getItemCount(series), "one point per k for " + points.getSeriesKey(series));
            for (int item = 0; item < 3; item++) {
                JsonNode c = cellOf(summary, 1L << 16, ks[item], 16, shape[0], shape[1], shape[2]);
                assertEquals(c.path("best_layers").asDouble(), points.getYValue(series, item), 0,
                    "best layers of " + label(c));
                double octaves = Math.log(points.getXValue(series, item) / (ks[item] / 16.0)) / Math.log(2);
                assertTrue(Math.abs(octaves) <= 0.25, "the point of " + label(c) + " sits near k/s, shifted "
                    + octaves + " octaves");
            }
        }
        assertTrue(points.getXValue(0, 0) < points.getXValue(1, 0), "equal points are shifted apart");
    }

    @Test
    void layersAgainstHopsBoundsEqualSummary() {
        JsonNode summary = summary();
        XYPlot plot = figure("layers-vs-k-over-s-n2^16-s64.png").chart().getXYPlot();
        XYDataset lines = plot.getDataset(1);
        List<String> expected = new ArrayList<>();
        for (long[] shape : SHAPES_LARGE) {
            String name = "H=" + shape[0] + " m=" + shape[1] + " p=" + shape[2];
            expected.addAll(List.of(name + ": lower bound", name + ": product bound", name + ": upper bound"));
        }
        assertEquals(expected, keys(lines));
        String[] fields = {"lower_bound", "product_bound", "upper_bound"};
        long[] ks = {16, 256, 32768};
        for (int series = 0; series < lines.getSeriesCount(); series++) {
            long[] shape = SHAPES_LARGE[series / 3];
            assertEquals(3, lines.getItemCount(series), "one vertex per k");
            for (int item = 0; item < 3; item++) {
                JsonNode c = cellOf(summary, 1L << 16, ks[item], 64, shape[0], shape[1], shape[2]);
                assertEquals(ks[item] / 64.0, lines.getXValue(series, item), 0, "at k/s of " + label(c));
                assertEquals(c.path(fields[series % 3]).asDouble(), lines.getYValue(series, item), 0,
                    fields[series % 3] + " of " + label(c));
            }
        }
        assertInstanceOf(LogAxis.class, plot.getDomainAxis(), "k/s on a log axis");
        assertEquals(2, ((LogAxis) plot.getDomainAxis()).getBase(), 0);
        assertInstanceOf(LogAxis.class, plot.getRangeAxis(), "layers on a log axis");
        assertTrue(plot.getRangeAxis().getLowerBound() <= 1, "the smallest bound, ceil(16/64) = 1, is on the axis");
        assertTrue(plot.getRangeAxis().getUpperBound() >= maxY(plot), "every value is on the axis");
    }

    @Test
    void layersAgainstHopsLegendIsShort() {
        XYPlot plot = figure("layers-vs-k-over-s-n2^16-s16.png").chart().getXYPlot();
        assertEquals(List.of("H=1 m=4 p=1 (H m p = 4)", "H=1 m=4 p=4 (H m p = 16)", "H=2 m=4 p=4 (H m p = 32)",
            "measured layers of the best schedule", "lower bound max(ceil(k/s), log2(n)/(H m p))",
            "product bound ceil(k/s) ceil(log2(n)/(H m p))", "upper bound min(k, ceil(k/s) log2 s) log2(n)/(m p)"),
            legend(plot), "one entry per colour and one per line style, not one per series");
    }

    @Test
    void layersAgainstHopsShadesOutsideRegime() {
        XYPlot plot = figure("layers-vs-k-over-s-n2^16-s16.png").chart().getXYPlot();
        Collection<?> bands = plot.getDomainMarkers(Layer.BACKGROUND);
        assertEquals(1, bands.size(), "k = 32768 > n/4 is outside the theorem regime");
        IntervalMarker band = (IntervalMarker) bands.iterator().next();
        assertEquals(Math.sqrt(16.0 * 2048), band.getStartValue(), 1e-9, "halfway between k/s = 16 and 2048");
        assertEquals(plot.getDomainAxis().getUpperBound(), band.getEndValue(), 0, "to the end of the axis");

        XYPlot small = figure("layers-vs-k-over-s-n2^10-s16.png").chart().getXYPlot();
        IntervalMarker all = (IntervalMarker) small.getDomainMarkers(Layer.BACKGROUND).iterator().next();
        assertEquals(small.getDomainAxis().getLowerBound(), all.getStartValue(), 0, "s = 16 > sqrt(2^10)/4: all shaded");
        assertEquals(small.getDomainAxis().getUpperBound(), all.getEndValue(), 0);
    }

    @Test
    void layersAgainstBandwidthSeriesAndMarker() {
        JsonNode summary = summary();
        XYPlot plot = figure("layers-vs-hmp-n2^16-s16.png").chart().getXYPlot();
        XYDataset points = plot.getDataset(0);
        XYDataset products = plot.getDataset(1);
        assertEquals(List.of("k = 16", "k = 256", "k = 32768, outside the theorem regime"), keys(points));
        assertEquals(List.of("k = 16: product bound", "k = 256: product bound",
            "k = 32768, outside the theorem regime: product bound"), keys(products));
        long[] ks = {16, 256, 32768};
        for (int series = 0; series < 3; series++) {
            assertEquals(3, points.getItemCount(series), "one point per H m p");
            for (int item = 0; item < 3; item++) {
                long[] shape = SHAPES_LARGE[item];
                JsonNode c = cellOf(summary, 1L << 16, ks[series], 16, shape[0], shape[1], shape[2]);
                assertEquals(c.path("hmp").asDouble(), points.getXValue(series, item), 0);
                assertEquals(c.path("best_layers").asDouble(), points.getYValue(series, item), 0, label(c));
                assertEquals(c.path("hmp").asDouble(), products.getXValue(series, item), 0);
                assertEquals(c.path("product_bound").asDouble(), products.getYValue(series, item), 0, label(c));
            }
        }
        // Layers fall with H m p below log2 n = 16 and stay flat above it: 5 reads per window at k = 16.
        assertEquals(20, points.getYValue(0, 0), 0, "H m p = 4: 4 layers per read");
        assertEquals(5, points.getYValue(0, 1), 0, "H m p = 16: one layer per read");
        assertEquals(5, points.getYValue(0, 2), 0, "H m p = 32: still one layer per read");

        Collection<?> markers = plot.getDomainMarkers(Layer.FOREGROUND);
        assertEquals(1, markers.size());
        ValueMarker marker = (ValueMarker) markers.iterator().next();
        assertEquals(16, marker.getValue(), 0, "the marker sits at log2 n");
        assertEquals("H m p = log2 n = 16", marker.getLabel());
        assertEquals(List.of("k = 16", "k = 256", "k = 32768, outside the theorem regime",
            "measured layers of the best schedule", "product bound ceil(k/s) ceil(log2(n)/(H m p))"), legend(plot));
    }

    @Test
    void layersAgainstBandwidthOnePointPerHmp() {
        XYPlot plot = figure("layers-vs-hmp-n2^10-s16.png").chart().getXYPlot();
        XYDataset points = plot.getDataset(0);
        assertEquals(2, points.getItemCount(0), "(1,4,1) and (1,1,4) share H m p = 4, then H m p = 32");
        assertEquals(4, points.getXValue(0, 0), 0);
        assertEquals(32, points.getXValue(0, 1), 0);
        Marker marker = (Marker) plot.getDomainMarkers(Layer.FOREGROUND).iterator().next();
        assertEquals(10, ((ValueMarker) marker).getValue(), 0, "log2 2^10");
        assertTrue(plot.getDomainAxis().getLowerBound() < 10, "the marker is on the axis");
        assertTrue(plot.getDomainAxis().getUpperBound() > 10, "the marker is on the axis");
    }

    @Test
    void singleKDrawsBoundsAsSegments() {
        // The default grid: one k, so each bound of the layers-against-k/s figure has a single vertex,
        // which a line alone would not show.
        JsonNode summary = summary(List.of(new Block(4096, new long[] {16}, new long[] {64}, SHAPES_LARGE)), 4);
        XYPlot plot = DepthFigures.of(data(summary)).get(0).chart().getXYPlot();
        XYLineAndShapeRenderer lines = (XYLineAndShapeRenderer) plot.getRenderer(1);
        assertEquals(9, plot.getDataset(1).getSeriesCount());
        for (int series = 0; series < 9; series++) {
            assertEquals(1, plot.getDataset(1).getItemCount(series));
            assertTrue(lines.getItemShapeVisible(series, 0), "a segment marks " + plot.getDataset(1).getSeriesKey(series));
        }
        XYLineAndShapeRenderer many = (XYLineAndShapeRenderer) figures().get(0).chart().getXYPlot().getRenderer(1);
        assertFalse(many.getItemShapeVisible(0, 0), "lines through several k need no segment");
    }

    /**
     * Returns the fixture run under both laws: a copy of every cell and window under the permutation
     * law, where the window of n = 2^16, k = 256, s = 16 missed the target, so hop by hop is best there.
     */
    private static ObjectNode twoLaws() {
        ObjectNode summary = summary();
        for (String array : List.of("cells", "windows")) {
            ArrayNode rows = (ArrayNode) summary.path(array);
            int count = rows.size();
            for (int i = 0; i < count; i++) {
                ObjectNode copy = rows.get(i).deepCopy();
                rows.add(copy.put("law", "permutation"));
            }
        }
        for (JsonNode c : summary.path("cells")) {
            if (c.path("law").asText().equals("permutation") && c.path("n").asLong() == 1L << 16
                && c.path("k").asLong() == 256 && c.path("s").asLong() == 16) {
                ((ObjectNode) c).put("best_schedule", "hop").put("best_window", 1)
                    .put("best_layers", c.path("hop_layers").asDouble());
            }
        }
        return summary;
    }

    @Test
    void lawsShareFiguresWithOwnMarkers() {
        List<Figure> figures = DepthFigures.of(data(twoLaws()));
        assertEquals(figures().stream().map(Figure::file).toList(), figures.stream().map(Figure::file).toList(),
            "the bounds do not depend on the law, so the laws share each figure");

        XYPlot hops = figures.get(0).chart().getXYPlot();
        assertEquals(List.of("H=1 m=4 p=1, function", "H=1 m=4 p=1, permutation", "H=1 m=4 p=4, function",
            "H=1 m=4 p=4, permutation", "H=2 m=4 p=4, function", "H=2 m=4 p=4, permutation"), keys(hops.getDataset(0)));
        XYLineAndShapeRenderer points = (XYLineAndShapeRenderer) hops.getRenderer(0);
        assertInstanceOf(java.awt.geom.Ellipse2D.class, points.getSeriesShape(0), "function: circles");
        assertInstanceOf(java.awt.geom.Rectangle2D.class, points.getSeriesShape(1), "permutation: squares");
        assertTrue(points.getSeriesShapesFilled(0), "the first law's markers are filled");
        assertFalse(points.getSeriesShapesFilled(1), "a further law's markers are hollow, so both show when equal");
        assertEquals(hops.getDataset(0).getXValue(0, 0), hops.getDataset(0).getXValue(1, 0), 0,
            "the laws of one (H, m, p) share their place");
        assertEquals(points.getSeriesPaint(0), points.getSeriesPaint(1), "one colour per (H, m, p)");
        assertEquals(1024, hops.getDataset(0).getYValue(1, 1), 0, "permutation at k = 256: hop by hop, 256 * 4 layers");
        assertEquals(320, hops.getDataset(0).getYValue(0, 1), 0, "function at k = 256: window 16, 80 * 4 layers");
        assertEquals(9, hops.getDataset(1).getSeriesCount(), "three bounds per (H, m, p), not per law");
        assertEquals(3, hops.getDataset(1).getItemCount(0), "one vertex per k, not per law");
        assertEquals(List.of("H=1 m=4 p=1 (H m p = 4)", "H=1 m=4 p=4 (H m p = 16)", "H=2 m=4 p=4 (H m p = 32)",
            "measured layers, function", "measured layers, permutation", "lower bound max(ceil(k/s), log2(n)/(H m p))",
            "product bound ceil(k/s) ceil(log2(n)/(H m p))", "upper bound min(k, ceil(k/s) log2 s) log2(n)/(m p)"),
            legend(hops));

        XYPlot bandwidth = figures.get(1).chart().getXYPlot();
        assertEquals(List.of("k = 16, function", "k = 16, permutation", "k = 256, function", "k = 256, permutation",
            "k = 32768, outside the theorem regime, function", "k = 32768, outside the theorem regime, permutation"),
            keys(bandwidth.getDataset(0)));
        assertEquals(1024, bandwidth.getDataset(0).getYValue(3, 0), 0, "permutation, k = 256, H m p = 4");
        assertEquals(3, bandwidth.getDataset(1).getSeriesCount(), "one product bound per k");
    }

    @Test
    void spreadPicksEndsAndMiddle() {
        assertEquals(List.of(1L, 4L, 7L, 10L), DepthFigures.spread(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), 4));
        assertEquals(List.of(1L, 2L, 4L, 5L), DepthFigures.spread(List.of(1L, 2L, 3L, 4L, 5L), 4),
            "indices round(0), round(4/3), round(8/3), 4");
        assertEquals(List.of(3L, 9L), DepthFigures.spread(List.of(3L, 9L), 4), "fewer values than the limit");
    }

    @Test
    void unmeasuredCellsDrawNoPoint() {
        ObjectNode summary = summary();
        for (JsonNode c : summary.path("cells")) {
            if (c.path("n").asLong() == 1L << 10) {
                ((ObjectNode) c).putNull("best_layers").putNull("best_schedule").putNull("window");
            }
        }
        DepthRunData data = data(summary);
        DepthRunData.Cell cell = data.cells().get(data.cells().size() - 1);
        assertTrue(Double.isNaN(cell.bestLayers()), "null becomes NaN");
        assertTrue(Double.isNaN(cell.window()), "null becomes NaN");
        assertFalse(cell.measured());
        assertTrue(Double.isNaN(cell.bestSuccess()[0]), "no best schedule, no success rate");
        assertEquals(4, DepthFigures.of(data).size(), "the n = 2^10 group has no point, so no figure");
        String markdown = DepthReport.document(data, List.of(), Map.of()).markdown();
        assertTrue(markdown.contains("6 cells without a schedule whose success interval reaches 1 - delta"), markdown);
    }

    @Test
    void reportListsFitsAndFailures() throws IOException {
        JsonNode summary = summary();
        Map<String, byte[]> files = write(summary);
        String markdown = new String(files.get("report.md"), StandardCharsets.UTF_8);
        String html = new String(files.get("report.html"), StandardCharsets.UTF_8);

        assertTrue(markdown.startsWith("# Depth run depth-test\n\n**FAIL**: "), markdown.substring(0, 200));
        for (JsonNode fit : summary.path("fits")) {
            String row = "| `" + fit.path("bound").asText() + "` | " + fit.path("scope").asText() + " | "
                + fit.path("cells").asLong() + " | " + Numbers.value(fit.path("constant").asDouble()) + " | "
                + Numbers.value(fit.path("min_ratio").asDouble()) + " | " + fit.path("min_cell").asText() + " | "
                + Numbers.value(fit.path("max_ratio").asDouble()) + " | " + fit.path("max_cell").asText() + " | "
                + Numbers.value(fit.path("spread").asDouble()) + " | ";
            assertTrue(markdown.contains(row), "fit row " + row);
        }
        assertTrue(markdown.contains("| `lower` | theorem regime | 12 |"), "12 cells of n = 2^16 with k <= n/4");
        assertTrue(markdown.contains("reported (not enforced) |"), "the lower bound is reported only");
        assertTrue(markdown.contains("`spread_limit` = 1.25"), "the spread limit is stated");
        assertFalse(summary.path("failures").isEmpty(), "the fixture has failures");
        for (JsonNode failure : summary.path("failures")) {
            assertTrue(markdown.contains("\n- " + failure.asText() + "\n"), "failure " + failure.asText());
            assertTrue(html.contains("<li>" + ReportDocument.escape(failure.asText()) + "</li>"), "failure in HTML");
        }
        long failedFits = 0;
        for (JsonNode fit : summary.path("fits")) {
            failedFits += fit.path("verdict").asText().equals("fail") ? 1 : 0;
        }
        assertTrue(markdown.contains("**FAIL**: " + failedFits + " of 14 verdicts failed (" + failedFits
            + " of 2 bound fits, 0 of 12 floor checks) over 24 cells."), markdown.substring(0, 300));
    }

    @Test
    void verdictPassesWithoutFailures() {
        // The spreads of this grid are 7/5 (product) and 2.4 (upper), both within a limit of 4.
        JsonNode summary = summary(GRID, 4);
        assertEquals("pass", summary.path("status").asText());
        String markdown = DepthReport.document(data(summary), List.of(), Map.of()).markdown();
        assertTrue(markdown.contains("\n\n**PASS**: 14 of 14 verdicts passed (2 bound fits, 12 floor checks) over 24 cells:"),
            markdown.substring(0, 300));
        assertFalse(markdown.contains("failures:"), "no failure list");
    }

    /** JFreeChart's automatic log range rejects equal values from 2^23 on; the figures must still draw. */
    @Test
    void equalHugeLayersStillDraw() {
        ObjectNode summary = summary();
        for (JsonNode cell : summary.path("cells")) {
            ObjectNode c = (ObjectNode) cell;
            for (String field : List.of("best_layers", "lower_bound", "product_bound", "upper_bound")) {
                c.put(field, 16_777_216.0);
            }
        }
        List<Figure> figures = DepthFigures.of(data(summary));
        assertFalse(figures.isEmpty());
        for (Figure figure : figures) {
            figure.chart().createBufferedImage(Figures.WIDTH, Figures.HEIGHT);
        }
    }

    @Test
    void fitWithoutCellsHasNoVerdict() {
        ObjectNode summary = summary(GRID, 4);
        ObjectNode upper = (ObjectNode) summary.path("fits").get(2);
        upper.put("cells", 0).putNull("constant").putNull("min_ratio").putNull("max_ratio").putNull("spread")
            .putNull("min_cell").putNull("max_cell").putNull("verdict");
        DepthRunData data = data(summary);
        assertTrue(Double.isNaN(data.fits().get(2).constant()), "null becomes NaN");
        String markdown = DepthReport.document(data, List.of(), Map.of()).markdown();
        assertTrue(markdown.contains("| `upper` | H = 1 and m p <= log2 n | 0 | - | - | - | - | - | - |"
            + " none, no cell in scope |"), markdown);
        assertTrue(markdown.contains("**PASS**: 13 of 13 verdicts passed (1 bound fit, 12 floor checks) over 24 cells:"),
            "a fit without cells is no verdict");
        assertTrue(markdown.contains("The `upper` bound's fit has no cell in its scope"), "the note says so");
    }

    @Test
    void otherFailuresAndSkippedCombinations() {
        ObjectNode summary = summary(GRID, 4);
        String reads = "FAILED reads: n=2^16 k=16 s=16 law=function window 4: the engine made 9.0 reads per instance,"
            + " the schedule defines 8";
        ((ArrayNode) summary.path("failures")).add(reads);
        summary.put("status", "fail");
        summary.putArray("skipped").add("n=2^10 s=64: the cache is larger than n");
        String markdown = DepthReport.document(data(summary), List.of(), Map.of()).markdown();
        assertTrue(markdown.contains("**FAIL**: 0 of 14 verdicts failed (0 of 2 bound fits, 0 of 12 floor checks) over"
            + " 24 cells, and 1 other check failed. The run reports these failures:\n\n- " + reads + "\n"), markdown);
        assertTrue(markdown.contains("- Left out of the grid: n=2^10 s=64: the cache is larger than n.\n"), markdown);
    }

    @Test
    void reportShowsBandwidthChange() throws IOException {
        String markdown = new String(write(summary()).get("report.md"), StandardCharsets.UTF_8);
        // n = 2^16: at H m p = 4 a read costs 4 layers, so the best layers per cache window are 4 * 5
        // (5 reads per window of 16) in four of the six cells and 4 * 7 in two; one layer from 16 on.
        assertTrue(markdown.contains("| 4 | 4 | limited | 6 | 20.0 | "), markdown);
        assertTrue(markdown.contains("| 16 | 1 | barrier | 6 | 5.00 | "), markdown);
        assertTrue(markdown.contains("| 32 | 1 | barrier | 6 | 5.00 | "), markdown);
        assertTrue(markdown.contains("`log2 n` = 16. `read_layers` first reaches 1 at `H m p` = 16."), markdown);
        assertTrue(markdown.contains("`log2 n` = 10. `read_layers` first reaches 1 at `H m p` = 32."), markdown);
        assertTrue(markdown.contains("| 4 | 3 | limited | 4 | "), "n = 2^10: ceil(10/4) = 3 layers per read");
    }

    @Test
    void cellsTableShowsLawWhenSeveral() {
        String markdown = DepthReport.document(data(twoLaws()), List.of(), Map.of()).markdown();
        assertTrue(markdown.contains("| n | k | s | law | H, m, p | H m p |"), "a law column");
        assertTrue(markdown.contains("| 2^16 | 256 | 16 | permutation | 1, 4, 1 | 4 | theorem, limited | 16 (cache) | 64 (cache) | 256 (windows) |"
            + " 1024 | 16 | 320 | hop | 1024 |"), markdown);
    }

    @Test
    void reportCellsAndWindowsTables() throws IOException {
        String markdown = new String(write(summary()).get("report.md"), StandardCharsets.UTF_8);
        String interval = Numbers.withInterval(1.0, allSucceededLow(), 1.0);
        // n = 2^16, k = 256, s = 16, (1, 4, 1): bounds 16, 64, 256; hop by hop 256 reads of 4 layers;
        // window 16 with 80 reads, 320 layers.
        assertTrue(markdown.contains("| 2^16 | 256 | 16 | 1, 4, 1 | 4 | theorem, limited | 16 (cache) | 64 (cache) | 256 (windows) | 1024 | 16 |"
            + " 320 | window 16 | 320 | " + interval + " | pass |"), markdown);
        assertTrue(markdown.contains("| 2^10 | 16 | 16 | 2, 4, 4 | 32 | outside, barrier | 1 (cache) | 1 (equal) | 2.500 (windows) | 16 | 16 |"
            + " 5 | window 16 | 5 | " + interval + " | - |"), "upper bound min(16, 4) * 10 / 16 = 2.5");
        String cells = markdown.substring(markdown.indexOf("## Cells"), markdown.indexOf("## Windows"));
        assertEquals(24, cells.lines().filter(l -> l.startsWith("| 2^")).count(), "one row per cell");
        // Windows per (n, k, s): 1 to 16 within the cache for k = 16 (2^floor(log2 k) = 16 caps them, no
        // control); 1 to 16 plus a control of 32 for s = 16 and k = 256 or 32768; 1 to 64 plus a control
        // of 128 for s = 64 and k = 256 or 32768. So 5 + 6 + 6 + 5 + 8 + 8 at n = 2^16 and 5 + 6 at n = 2^10.
        assertTrue(markdown.contains("| within the cache (w <= s) | 44 | 44 |"), markdown);
        assertTrue(markdown.contains("| above the cache (control) | 5 | 0 |"), markdown);
        assertTrue(markdown.contains("The windows of one example, n = 2^10, k = 256, s = 16, function."), markdown);
        assertTrue(markdown.contains("| 32 | no | 48 | 1000 | 20 | "), "the control window: 256/32 windows of 5 + 1 reads");
    }

    @Test
    void cellsTableKeepsTheoremRegimeWhenLarge() {
        // 2 s * 15 k * 7 shapes = 210 cells at n = 2^16; k = 2^15 lies outside the theorem regime.
        long[] ks = new long[15];
        for (int i = 0; i < ks.length; i++) {
            ks[i] = 2L << i;
        }
        long[][] shapes = {{1, 1, 1}, {1, 2, 1}, {1, 4, 1}, {1, 8, 1}, {1, 16, 1}, {1, 32, 1}, {1, 64, 1}};
        JsonNode summary = summary(List.of(new Block(1L << 16, new long[] {16, 64}, ks, shapes)));
        assertEquals(210, summary.path("cells").size());
        String markdown = DepthReport.document(data(summary), List.of(), Map.of()).markdown();
        assertTrue(markdown.contains("The run has 210 cells, so this table shows the 196 inside the theorem regime only."),
            markdown);
        String cells = markdown.substring(markdown.indexOf("## Cells"), markdown.indexOf("## Windows"));
        assertEquals(196, cells.lines().filter(l -> l.startsWith("| 2^16 |")).count());
        assertFalse(cells.contains("| 2^16 | 32768 |"), "k = 2^15 > n/4 is left out");
    }

    @Test
    void reportIsReproducibleAndEmbedsFigures() throws IOException {
        Map<String, byte[]> first = write(summary());
        Map<String, byte[]> second = write(summary());
        assertEquals(new ArrayList<>(first.keySet()), new ArrayList<>(second.keySet()));
        for (String path : first.keySet()) {
            assertArrayEquals(first.get(path), second.get(path), path + " differs between two writes");
        }
        List<String> paths = new ArrayList<>(first.keySet());
        assertEquals("report.md", paths.get(0));
        assertEquals("report.html", paths.get(1));
        assertEquals(8, paths.size(), "two reports and six figures");
        String html = new String(first.get("report.html"), StandardCharsets.UTF_8);
        String markdown = new String(first.get("report.md"), StandardCharsets.UTF_8);
        for (String path : paths.subList(2, paths.size())) {
            assertTrue(path.startsWith("plots/"), path);
            assertTrue(path.endsWith(".png"), path);
            byte[] png = first.get(path);
            assertEquals(0x89, png[0] & 0xff, "PNG signature of " + path);
            assertTrue(html.contains("src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\""),
                "HTML embeds " + path);
            assertTrue(markdown.contains("](" + path + ")"), "Markdown links " + path);
        }
        assertEquals(6, html.split("data:image/png;base64,", -1).length - 1, "six embedded images");
    }

    @Test
    void dispatchByJob() throws IOException {
        Map<String, byte[]> depth = new LinkedHashMap<>();
        List<String> written = Reports.write(summary(), "job = depth\n", depth::put);
        assertEquals(List.copyOf(depth.keySet()), written);
        assertTrue(new String(depth.get("report.md"), StandardCharsets.UTF_8).startsWith("# Depth run "));

        Map<String, byte[]> separation = new LinkedHashMap<>();
        Reports.write(FiguresTest.summary(), "seed = 1\n", separation::put);
        assertTrue(new String(separation.get("report.md"), StandardCharsets.UTF_8).startsWith("# Separation run "),
            "a summary without job = depth gets the separation report");
    }

    private static Map<String, byte[]> write(JsonNode summary) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<String> written = DepthReport.write(data(summary), files::put);
        assertEquals(written, List.copyOf(files.keySet()), "the returned paths are the files written, in order");
        return files;
    }

    private static double maxY(XYPlot plot) {
        double max = 0;
        for (int d = 0; d < plot.getDatasetCount(); d++) {
            XYDataset dataset = plot.getDataset(d);
            for (int series = 0; series < dataset.getSeriesCount(); series++) {
                for (int item = 0; item < dataset.getItemCount(series); item++) {
                    max = Math.max(max, dataset.getYValue(series, item));
                }
            }
        }
        return max;
    }

    private static List<String> legend(XYPlot plot) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < plot.getLegendItems().getItemCount(); i++) {
            labels.add(plot.getLegendItems().get(i).getLabel());
        }
        return labels;
    }

    private static List<String> keys(XYDataset dataset) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < dataset.getSeriesCount(); i++) {
            keys.add(dataset.getSeriesKey(i).toString());
        }
        return keys;
    }
}
