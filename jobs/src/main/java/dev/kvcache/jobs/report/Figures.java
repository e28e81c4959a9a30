package dev.kvcache.jobs.report;

import dev.kvcache.jobs.report.RunData.CellRow;
import dev.kvcache.jobs.report.RunData.PairRow;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.IntervalXYDataset;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Builds the run's figures with JFreeChart, one set per {@code (n, s, pointer law)}:
 * {@code P(E)} against {@code T} with the reference curves, the separation ratio against
 * {@code T} beside {@code (n/s)^(T-1)}, and the wrong-answer rate against {@code T}.
 *
 * <p>Every figure holds its estimates in dataset 0 (points with interval bars) and its reference
 * curves in dataset 1 (lines). A log axis cannot show 0. So a cell whose estimate is 0 is drawn
 * at its upper bound, in a series of its own with a downward triangle. A separation ratio with an
 * unbounded upper end is drawn at its lower bound with an upward triangle. Stages outside the
 * theorem regime are shaded.
 */
public final class Figures {
    /** Width and height of every figure, in pixels. */
    public static final int WIDTH = 960;
    public static final int HEIGHT = 640;

    static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd),
        new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
        new Color(0x7f7f7f), new Color(0xbcbd22),
    };
    private static final Color[] REFERENCE_PAINTS = {new Color(0x333333), new Color(0x999999), Color.BLACK};
    private static final float[][] REFERENCE_DASHES = {{10f, 4f}, {3f, 3f}, {12f, 3f, 2f, 3f}};
    private static final Color OUTSIDE = new Color(0, 0, 0, 28);
    /** Half-width of a reference segment and the widest offset of a series, in stages. */
    private static final double SEGMENT = 0.42;
    private static final double MAX_OFFSET = 0.34;
    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);

    private Figures() {
    }

    /**
     * One figure.
     *
     * @param file file name inside the run folder's {@code plots/} folder
     * @param title the chart's title, also used as the report's caption
     * @param chart the chart, ready to render
     */
    public record Figure(String file, String title, JFreeChart chart) {
    }

    /** Returns the figures of a run, grouped by {@code (n, s, law)} in table order. */
    public static List<Figure> of(RunData data) {
        Map<String, List<CellRow>> groups = new LinkedHashMap<>();
        for (CellRow cell : data.cells()) {
            groups.computeIfAbsent(groupKey(cell.n(), cell.s(), cell.law()), key -> new ArrayList<>()).add(cell);
        }
        List<Figure> figures = new ArrayList<>();
        for (Map.Entry<String, List<CellRow>> group : groups.entrySet()) {
            List<CellRow> cells = group.getValue();
            CellRow first = cells.get(0);
            String where = "n = " + power(first.n()) + ", s = " + first.s() + ", " + first.law();
            figures.add(new Figure("event-" + group.getKey() + ".png", "P(E) against T, " + where, eventChart(cells, where)));
            List<PairRow> pairs = new ArrayList<>();
            for (PairRow pair : data.separation()) {
                if (groupKey(pair.n(), pair.s(), pair.law()).equals(group.getKey())) {
                    pairs.add(pair);
                }
            }
            if (!pairs.isEmpty()) {
                figures.add(new Figure("separation-" + group.getKey() + ".png", "Separation against T, " + where,
                    separationChart(pairs, cells, where)));
            }
            if (cells.stream().anyMatch(c -> Double.isFinite(c.wrong()))) {
                figures.add(new Figure("wrong-" + group.getKey() + ".png", "Wrong-answer rate against T, " + where,
                    wrongChart(cells, where)));
            }
        }
        return figures;
    }

    private static String groupKey(long n, long s, String law) {
        return "n" + n + "-s" + s + "-" + law;
    }

    private static JFreeChart eventChart(List<CellRow> cells, String where) {
        double floor = floor(cells.stream().flatMap(c -> java.util.stream.Stream.of(c.event(), c.low(), c.high()))
            .mapToDouble(Double::doubleValue).toArray());
        YIntervalSeriesCollection estimates = new YIntervalSeriesCollection();
        XYErrorRenderer points = pointRenderer();
        int seriesIndex = 0;
        int colour = 0;
        Set<String> names = controllers(cells);
        for (String controller : names) {
            double shift = offset(colour, names.size());
            YIntervalSeries measured = new YIntervalSeries(controller);
            YIntervalSeries bounded = new YIntervalSeries(controller + ": estimate 0, drawn at its upper bound");
            for (CellRow cell : cells) {
                if (!cell.controller().equals(controller) || !Double.isFinite(cell.high())) {
                    continue;
                }
                if (cell.zero()) {
                    bounded.add(cell.stages() + shift, cell.high(), cell.high(), cell.high());
                } else {
                    measured.add(cell.stages() + shift, cell.event(), Math.max(floor, cell.low()), cell.high());
                }
            }
            Color paint = PALETTE[colour++ % PALETTE.length];
            seriesIndex = addSeries(estimates, points, measured, paint, circle(), seriesIndex);
            seriesIndex = addSeries(estimates, points, bounded, paint, triangle(false), seriesIndex);
        }

        XYSeriesCollection references = new XYSeriesCollection();
        CellRow first = cells.get(0);
        double n = first.n();
        double s = first.s();
        TreeSet<Integer> stages = stages(cells);
        XYSeries adaptive = new XYSeries("s/n (adaptive, exact)");
        XYSeries fresh = new XYSeries("(s/n)^T (random-fresh, exact)");
        XYSeries bound = new XYSeries("oblivious bound (s/(n-T))^T + 2T^3/n, capped at 1");
        for (int t : stages) {
            segment(adaptive, t, s / n);
            segment(fresh, t, Math.max(Double.MIN_NORMAL, Math.pow(s / n, t)));
            segment(bound, t, Math.min(1.0, Math.pow(s / (n - t), t) + 2.0 * t * t * t / n));
        }
        references.addSeries(adaptive);
        references.addSeries(fresh);
        references.addSeries(bound);

        LogAxis axis = logAxis("P(E), probability (log scale)");
        XYPlot plot = plot(estimates, points, references, axis, stages);
        fitLogAxis(plot, axis, 1.5);
        withMarkerLegend(plot, false, "estimate 0, drawn at its upper bound");
        shadeOutsideRegime(plot, cells);
        return chart("P(E) against the number of stages T, " + where, plot);
    }

    private static JFreeChart separationChart(List<PairRow> pairs, List<CellRow> cells, String where) {
        String adaptiveName = pairs.get(0).adaptive();
        List<PairRow> shown = pairs.stream().filter(p -> p.adaptive().equals(adaptiveName)).toList();
        double floor = floor(shown.stream().flatMap(p -> java.util.stream.Stream.of(p.ratio(), p.low(), p.high()))
            .mapToDouble(Double::doubleValue).toArray());
        double ceiling = shown.stream().flatMap(p -> java.util.stream.Stream.of(p.ratio(), p.low(), p.high(), p.theory()))
            .mapToDouble(Double::doubleValue).filter(Double::isFinite).max().orElse(1) * 10;

        YIntervalSeriesCollection estimates = new YIntervalSeriesCollection();
        XYErrorRenderer points = pointRenderer();
        Set<String> oblivious = new LinkedHashSet<>();
        shown.forEach(p -> oblivious.add(p.oblivious()));
        int seriesIndex = 0;
        int colour = 0;
        for (String name : oblivious) {
            double shift = offset(colour, oblivious.size());
            YIntervalSeries measured = new YIntervalSeries(adaptiveName + " / " + name);
            YIntervalSeries atLeast = new YIntervalSeries(adaptiveName + " / " + name
                + ": unbounded above, drawn at its lower bound");
            for (PairRow pair : shown) {
                if (!pair.oblivious().equals(name) || !(pair.low() > 0)) {
                    continue;
                }
                if (Double.isFinite(pair.ratio()) && Double.isFinite(pair.high())) {
                    measured.add(pair.stages() + shift, pair.ratio(), Math.max(floor, pair.low()), pair.high());
                } else {
                    atLeast.add(pair.stages() + shift, pair.low(), pair.low(), Math.min(ceiling, pair.low()));
                }
            }
            Color paint = PALETTE[colour++ % PALETTE.length];
            seriesIndex = addSeries(estimates, points, measured, paint, circle(), seriesIndex);
            seriesIndex = addSeries(estimates, points, atLeast, paint, triangle(true), seriesIndex);
        }

        XYSeriesCollection references = new XYSeriesCollection();
        XYSeries theory = new XYSeries("(n/s)^(T-1), the separation from random-fresh");
        XYSeries guaranteed = new XYSeries("s/n over the oblivious bound, the least the theory guarantees");
        TreeSet<Integer> stages = new TreeSet<>();
        shown.forEach(p -> stages.add(p.stages()));
        PairRow first = shown.get(0);
        double n = first.n();
        double s = first.s();
        for (int t : stages) {
            segment(theory, t, Math.pow(n / s, t - 1));
            segment(guaranteed, t, (s / n) / (Math.pow(s / (n - t), t) + 2.0 * t * t * t / n));
        }
        references.addSeries(theory);
        references.addSeries(guaranteed);

        LogAxis axis = logAxis("P_adaptive(E) / P_oblivious(E), ratio (log scale)");
        XYPlot plot = plot(estimates, points, references, axis, stages);
        fitLogAxis(plot, axis, Double.POSITIVE_INFINITY);
        withMarkerLegend(plot, true, "ratio unbounded above, drawn at its lower bound");
        shadeOutsideRegime(plot, cells);
        return chart("Separation " + adaptiveName + " over each oblivious rule, " + where, plot);
    }

    private static JFreeChart wrongChart(List<CellRow> cells, String where) {
        YIntervalSeriesCollection estimates = new YIntervalSeriesCollection();
        XYErrorRenderer points = pointRenderer();
        int seriesIndex = 0;
        int colour = 0;
        Set<String> names = controllers(cells);
        for (String controller : names) {
            double shift = offset(colour, names.size());
            YIntervalSeries series = new YIntervalSeries(controller);
            for (CellRow cell : cells) {
                if (cell.controller().equals(controller) && Double.isFinite(cell.wrong())) {
                    series.add(cell.stages() + shift, cell.wrong(), cell.wrongLow(), cell.wrongHigh());
                }
            }
            seriesIndex = addSeries(estimates, points, series, PALETTE[colour++ % PALETTE.length], circle(),
                seriesIndex);
        }

        NumberAxis rate = new NumberAxis("wrong-answer rate, fraction of answered trials");
        rate.setRange(-0.02, 1.02);
        rate.setTickUnit(new NumberTickUnit(0.1));
        rate.setLabelFont(LABEL);

        XYSeriesCollection references = new XYSeriesCollection();
        XYSeries missed = new XYSeries("1 - s/n, the rate when only the trials with E answer right");
        CellRow first = cells.get(0);
        for (int t : stages(cells)) {
            segment(missed, t, 1 - (double) first.s() / first.n());
        }
        references.addSeries(missed);

        XYPlot plot = plot(estimates, points, references, rate, stages(cells));
        shadeOutsideRegime(plot, cells);
        return chart("Wrong-answer rate against T, " + where, plot);
    }

    /**
     * Adds a reference value at stage {@code t} as a flat segment across the stage's points, which
     * sit side by side around {@code t}, followed by a gap; a line from stage to stage would pass
     * above or below points that sit off the whole number on a steep curve.
     */
    private static void segment(XYSeries series, int t, double value) {
        series.add(t - SEGMENT, value);
        series.add(t + SEGMENT, value);
        series.add(t + 0.5, null);
    }

    /** Adds {@code series} when it has points, with its paint and shape; returns the next index. */
    private static int addSeries(YIntervalSeriesCollection collection, XYErrorRenderer renderer, YIntervalSeries series,
                                 Color paint, Shape shape, int index) {
        if (series.getItemCount() == 0) {
            return index;
        }
        collection.addSeries(series);
        renderer.setSeriesPaint(index, paint);
        renderer.setSeriesShape(index, shape);
        renderer.setSeriesShapesFilled(index, true);
        // The bound markers share one legend entry (see withMarkerLegend) instead of one per controller.
        renderer.setSeriesVisibleInLegend(index, !(shape instanceof Path2D));
        return index + 1;
    }

    /**
     * Replaces the legend entries of the bound markers by one entry per marker kind that the plot
     * draws, in grey, so the legend stays short.
     */
    private static void withMarkerLegend(XYPlot plot, boolean up, String label) {
        XYErrorRenderer renderer = (XYErrorRenderer) plot.getRenderer(0);
        boolean drawn = false;
        for (int i = 0; i < plot.getDataset(0).getSeriesCount(); i++) {
            drawn |= !renderer.isSeriesVisibleInLegend(i);
        }
        LegendItemCollection items = plot.getLegendItems();
        if (drawn) {
            LegendItem item = new LegendItem(label, null, null, null, triangle(up), Color.GRAY);
            items.add(item);
        }
        plot.setFixedLegendItems(items);
    }

    /**
     * Fits a log axis to the plotted values, with at most {@code cap} at the top (1 for a
     * probability, plus a margin) and ticks every decade, or every few decades when the values span
     * many, so the labels stay readable.
     */
    private static void fitLogAxis(XYPlot plot, LogAxis axis, double cap) {
        double low = Double.POSITIVE_INFINITY;
        double high = 0;
        for (int d = 0; d < plot.getDatasetCount(); d++) {
            XYDataset dataset = plot.getDataset(d);
            if (dataset == null) {
                continue;
            }
            for (int series = 0; series < dataset.getSeriesCount(); series++) {
                for (int item = 0; item < dataset.getItemCount(series); item++) {
                    double[] values = dataset instanceof IntervalXYDataset interval
                        ? new double[] {interval.getStartYValue(series, item), interval.getEndYValue(series, item)}
                        : new double[] {dataset.getYValue(series, item)};
                    for (double v : values) {
                        if (v > 0 && Double.isFinite(v)) {
                            low = Math.min(low, v);
                            high = Math.max(high, v);
                        }
                    }
                }
            }
        }
        if (!(high > 0)) {
            return;
        }
        double lower = low / 3;
        double upper = Math.min(cap, high * 3);
        axis.setAutoRange(false);
        axis.setRange(lower, Math.max(upper, lower * 10));
        double decades = Math.log10(Math.max(upper, lower * 10) / lower);
        axis.setTickUnit(new NumberTickUnit(Math.max(1, Math.ceil(decades / 12))));
    }

    private static XYErrorRenderer pointRenderer() {
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDrawXError(false);
        renderer.setDrawYError(true);
        renderer.setDefaultLinesVisible(false);
        renderer.setDefaultShapesVisible(true);
        renderer.setCapLength(6);
        renderer.setErrorStroke(new BasicStroke(1.5f));
        return renderer;
    }

    private static XYPlot plot(YIntervalSeriesCollection estimates, XYErrorRenderer points, XYSeriesCollection references,
                               org.jfree.chart.axis.ValueAxis range, TreeSet<Integer> stages) {
        NumberAxis domain = new NumberAxis("stages T = ceil(log2 k), count");
        domain.setLabelFont(LABEL);
        domain.setTickUnit(new NumberTickUnit(1));
        domain.setRange(stages.first() - 0.5, stages.last() + 0.5);
        XYPlot plot = new XYPlot(estimates, domain, range, points);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        if (references != null && references.getSeriesCount() > 0) {
            XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
            for (int i = 0; i < references.getSeriesCount(); i++) {
                float[] dash = REFERENCE_DASHES[i % REFERENCE_DASHES.length];
                lines.setSeriesStroke(i, new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
                lines.setSeriesPaint(i, REFERENCE_PAINTS[i % REFERENCE_PAINTS.length]);
            }
            plot.setDataset(1, references);
            plot.setRenderer(1, lines);
        }
        return plot;
    }

    private static LogAxis logAxis(String label) {
        LogAxis axis = new LogAxis(label);
        axis.setLabelFont(LABEL);
        axis.setBase(10);
        axis.setSmallestValue(1e-300);
        axis.setNumberFormatOverride(new java.text.DecimalFormat("0.#E0",
            java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)));
        return axis;
    }

    static JFreeChart chart(String title, XYPlot plot) {
        JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        return chart;
    }

    /**
     * Shades the stage counts whose cells all lie outside the theorem regime, one band per run of
     * neighbouring such counts, so each band carries its label once.
     */
    private static void shadeOutsideRegime(XYPlot plot, List<CellRow> cells) {
        List<Integer> stages = new ArrayList<>(stages(cells));
        int i = 0;
        while (i < stages.size()) {
            if (inRegime(cells, stages.get(i))) {
                i++;
                continue;
            }
            int j = i;
            while (j + 1 < stages.size() && !inRegime(cells, stages.get(j + 1))) {
                j++;
            }
            plot.addDomainMarker(outsideRegime(stages.get(i) - 0.5, stages.get(j) + 0.5), Layer.BACKGROUND);
            i = j + 1;
        }
    }

    /** Returns a labelled band that shades the domain from {@code from} to {@code to}, outside the theorem regime. */
    static IntervalMarker outsideRegime(double from, double to) {
        IntervalMarker marker = new IntervalMarker(from, to, OUTSIDE);
        marker.setLabel("outside the theorem regime");
        marker.setLabelFont(new Font(Font.SANS_SERIF, Font.ITALIC, 12));
        marker.setLabelAnchor(RectangleAnchor.TOP);
        marker.setLabelTextAnchor(TextAnchor.TOP_CENTER);
        marker.setLabelPaint(new Color(0x555555));
        return marker;
    }

    private static boolean inRegime(List<CellRow> cells, int stage) {
        return cells.stream().anyMatch(c -> c.stages() == stage && c.regime());
    }

    /**
     * Returns the horizontal offset of series {@code index} of {@code count}: a small shift, so that
     * controllers with equal estimates (the fixed sets, or the adaptive rules) stay visible side by side.
     */
    private static double offset(int index, int count) {
        return count <= 1 ? 0 : (index - (count - 1) / 2.0) * Math.min(0.08, 2 * MAX_OFFSET / (count - 1));
    }

    private static TreeSet<Integer> stages(List<CellRow> cells) {
        TreeSet<Integer> stages = new TreeSet<>();
        cells.forEach(c -> stages.add(c.stages()));
        return stages;
    }

    private static Set<String> controllers(List<CellRow> cells) {
        Set<String> names = new LinkedHashSet<>();
        cells.forEach(c -> names.add(c.controller()));
        return names;
    }

    /** Returns a positive floor for a log axis: a tenth of the smallest positive value, or 1e-300. */
    private static double floor(double[] values) {
        double smallest = Double.POSITIVE_INFINITY;
        for (double v : values) {
            if (v > 0 && v < smallest) {
                smallest = v;
            }
        }
        return Double.isFinite(smallest) ? smallest / 10 : 1e-300;
    }

    static Shape circle() {
        return new Ellipse2D.Double(-3.5, -3.5, 7, 7);
    }

    private static Shape triangle(boolean up) {
        Path2D.Double path = new Path2D.Double();
        double tip = up ? -5 : 5;
        path.moveTo(0, tip);
        path.lineTo(-5, -tip);
        path.lineTo(5, -tip);
        path.closePath();
        return path;
    }

    /** Prints exact powers of two as {@code 2^e}. */
    static String power(long n) {
        if (n >= 1024 && Long.bitCount(n) == 1) {
            return "2^" + Long.numberOfTrailingZeros(n);
        }
        return Long.toString(n);
    }
}
