package dev.kvcache.jobs.report;

import dev.kvcache.jobs.report.DepthRunData.Cell;
import dev.kvcache.jobs.report.Figures.Figure;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Polygon;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Builds the figures of a depth run with JFreeChart, two per {@code (n, s)}, in the look of
 * {@link Figures}:
 * <ul>
 *   <li>layers against {@code k/s}: the measured layers of the best schedule as points and the three
 *       bounds as lines, one colour per {@code (H, m, p)} and one dash pattern per bound;</li>
 *   <li>layers against {@code H m p}: measured layers and the product bound for up to four values of
 *       {@code k}, with a vertical marker at {@code H m p = log2 n}, where a read starts to fit in
 *       one layer and the layers stop falling.</li>
 * </ul>
 * Both axes are log2 scales. Every figure puts its measured layers in dataset 0 and its bounds in
 * dataset 1. The bounds do not depend on the pointer law, so a run with several laws draws them
 * in one figure. There the first law's points are filled circles and each further law's points are
 * hollow shapes at the same place, so that equal points show both. A cell where no schedule met the
 * target has no measured layers and draws no point. A figure without any point is left out.
 */
public final class DepthFigures {
    /** The maximum number of values of {@code k} in one figure against {@code H m p}, so its lines stay apart. */
    static final int MAX_K_SERIES = 4;
    /** The maximum number of values of {@code H m p} in one figure against {@code k/s}, each with three bound lines. */
    static final int MAX_ATTENTION_SERIES = 4;

    /** Paint of the legend entries that explain a line style or marker rather than a colour. */
    private static final Color STYLE = new Color(0x777777);
    private static final Color MARKER = new Color(0x444444);
    /** Widest horizontal shift of a measured point, in octaves, so equal points of several series stay visible. */
    private static final double MAX_SHIFT = 0.24;
    private static final Shape LEGEND_LINE = new Line2D.Double(-15, 0, 15, 0);
    private static final DecimalFormat AXIS_NUMBER =
        new DecimalFormat("0.####", DecimalFormatSymbols.getInstance(Locale.ROOT));

    private DepthFigures() {
    }

    /** A bound with constant 1 as the figures draw it: its name, formula, stroke, and its value in a cell. */
    enum Bound {
        LOWER("lower bound", "max(ceil(k/s), log2(n)/(H m p))", stroke(2f, new float[] {2f, 4f}), Cell::lowerBound),
        PRODUCT("product bound", "ceil(k/s) ceil(log2(n)/(H m p))", stroke(2f, new float[] {9f, 5f}),
            Cell::productBound),
        UPPER("upper bound", "min(k, ceil(k/s) log2 s) log2(n)/(m p)", stroke(1f, null), Cell::upperBound);

        final String label;
        final String formula;
        final Stroke stroke;
        final ToDoubleFunction<Cell> value;

        Bound(String label, String formula, Stroke stroke, ToDoubleFunction<Cell> value) {
            this.label = label;
            this.formula = formula;
            this.stroke = stroke;
            this.value = value;
        }
    }

    /** The attention shape {@code (H, m, p)} of a cell. */
    private record Attention(long heads, long dimension, long precision) {
        static final Comparator<Attention> ORDER = Comparator.comparingLong(Attention::hmp)
            .thenComparingLong(Attention::heads).thenComparingLong(Attention::dimension)
            .thenComparingLong(Attention::precision);

        static Attention of(Cell cell) {
            return new Attention(cell.heads(), cell.dimension(), cell.precision());
        }

        long hmp() {
            return heads * dimension * precision;
        }

        String name() {
            return "H=" + heads + " m=" + dimension + " p=" + precision;
        }
    }

    /** Returns the figures of a depth run, two per {@code (n, s)} in table order. */
    public static List<Figure> of(DepthRunData data) {
        List<String> laws = data.cells().stream().map(Cell::law).distinct().toList();
        Map<String, List<Cell>> groups = new LinkedHashMap<>();
        for (Cell cell : data.cells()) {
            String key = "n" + Figures.power(cell.n()) + "-s" + cell.s();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(cell);
        }
        List<Figure> figures = new ArrayList<>();
        for (Map.Entry<String, List<Cell>> group : groups.entrySet()) {
            List<Cell> cells = group.getValue();
            if (cells.stream().noneMatch(Cell::measured)) {
                continue;
            }
            Cell first = cells.get(0);
            String where = "n = " + Figures.power(first.n()) + ", s = " + first.s();
            figures.add(new Figure("layers-vs-k-over-s-" + group.getKey() + ".png", "Layers against k/s, " + where,
                layersAgainstHopsPerCacheSize(cells, laws, where)));
            figures.add(new Figure("layers-vs-hmp-" + group.getKey() + ".png", "Layers against H m p, " + where,
                layersAgainstBandwidth(cells, laws, where)));
        }
        return figures;
    }

    private static JFreeChart layersAgainstHopsPerCacheSize(List<Cell> cells, List<String> laws, String where) {
        // One (H, m, p) per value of H m p, the fewest heads first (where the upper bound applies),
        // and at most MAX_ATTENTION_SERIES of those values, so that three bound lines per colour stay apart.
        Map<Long, Attention> byBandwidth = new TreeMap<>();
        cells.stream().map(Attention::of).sorted(Attention.ORDER).forEach(a -> byBandwidth.putIfAbsent(a.hmp(), a));
        List<Long> drawnBandwidths = spread(new ArrayList<>(byBandwidth.keySet()), MAX_ATTENTION_SERIES);
        Map<Attention, List<Cell>> byAttention = new TreeMap<>(Attention.ORDER);
        for (Cell cell : cells) {
            Attention attention = Attention.of(cell);
            if (drawnBandwidths.contains(attention.hmp()) && attention.equals(byBandwidth.get(attention.hmp()))) {
                byAttention.computeIfAbsent(attention, a -> new ArrayList<>()).add(cell);
            }
        }

        XYSeriesCollection measured = new XYSeriesCollection();
        XYLineAndShapeRenderer points = new XYLineAndShapeRenderer(false, true);
        XYSeriesCollection bounds = new XYSeriesCollection();
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
        LegendItemCollection legend = new LegendItemCollection();
        int colour = 0;
        for (Map.Entry<Attention, List<Cell>> entry : byAttention.entrySet()) {
            Attention attention = entry.getKey();
            Color paint = colour(colour);
            double shift = Math.pow(2, offset(colour, byAttention.size()));
            for (int law = 0; law < laws.size(); law++) {
                XYSeries layers = new XYSeries(attention.name() + lawSuffix(laws, law));
                for (Cell cell : entry.getValue()) {
                    if (cell.measured() && cell.law().equals(laws.get(law))) {
                        layers.add(hopsPerCacheSize(cell) * shift, cell.bestLayers());
                    }
                }
                addPoints(measured, points, layers, paint, law);
            }

            // The bounds do not depend on the law, so one cell per k gives them.
            Map<Long, Cell> byHops = new TreeMap<>();
            entry.getValue().forEach(c -> byHops.putIfAbsent(c.k(), c));
            for (Bound bound : Bound.values()) {
                XYSeries line = new XYSeries(attention.name() + ": " + bound.label);
                byHops.values().forEach(c -> line.add(hopsPerCacheSize(c), bound.value.applyAsDouble(c)));
                lines.setSeriesPaint(bounds.getSeriesCount(), paint);
                lines.setSeriesStroke(bounds.getSeriesCount(), bound.stroke);
                bounds.addSeries(line);
            }
            legend.add(colourItem(attention.name() + " (H m p = " + attention.hmp() + ")", paint, false));
            colour++;
        }
        addLawItems(legend, laws, false);
        for (Bound bound : Bound.values()) {
            legend.add(lineItem(bound.label + " " + bound.formula, bound.stroke));
        }

        TreeSet<Double> hops = new TreeSet<>();
        cells.forEach(c -> hops.add(hopsPerCacheSize(c)));
        LogAxis domain = log2Axis("k/s, hops per cache position (log2 scale)");
        fitDomain(domain, hops.first(), hops.last());
        XYPlot plot = plot(measured, points, bounds, lines, domain);
        plot.setFixedLegendItems(legend);
        shadeOutsideRegime(plot, cells, domain);
        return Figures.chart("Layers against k/s for up to " + MAX_ATTENTION_SERIES + " values of H m p, " + where, plot);
    }

    private static JFreeChart layersAgainstBandwidth(List<Cell> cells, List<String> laws, String where) {
        TreeSet<Long> measuredHops = new TreeSet<>();
        cells.stream().filter(Cell::measured).forEach(c -> measuredHops.add(c.k()));
        List<Long> plottedHops = spread(new ArrayList<>(measuredHops), MAX_K_SERIES);

        XYSeriesCollection measured = new XYSeriesCollection();
        XYLineAndShapeRenderer points = new XYLineAndShapeRenderer(true, true);
        XYSeriesCollection bounds = new XYSeriesCollection();
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
        LegendItemCollection legend = new LegendItemCollection();
        Stroke product = Bound.PRODUCT.stroke;
        for (int i = 0; i < plottedHops.size(); i++) {
            long k = plottedHops.get(i);
            Color paint = colour(i);
            List<Cell> ofHops = cells.stream().filter(c -> c.k() == k).toList();
            boolean regime = ofHops.stream().anyMatch(Cell::theoremRegime);
            String name = "k = " + k + (regime ? "" : ", outside the theorem regime");

            for (int law = 0; law < laws.size(); law++) {
                String lawName = laws.get(law);
                XYSeries layers = new XYSeries(name + lawSuffix(laws, law));
                // The shapes (H, m, p) of one H m p measure the same layers: a schedule's reads do not
                // depend on the shape, and a read costs ceil(log2(n)/(H m p)) layers. Taking the smallest
                // keeps one point per H m p even if the input disagrees.
                TreeMap<Long, Double> best = new TreeMap<>();
                ofHops.stream().filter(c -> c.measured() && c.law().equals(lawName))
                    .forEach(c -> best.merge(c.hmp(), c.bestLayers(), Math::min));
                best.forEach((hmp, layersAtHmp) -> layers.add((double) hmp, layersAtHmp));
                addPoints(measured, points, layers, paint, law);
            }

            // The product bound depends on H m p alone, so one cell per H m p gives it.
            TreeMap<Long, Cell> byHmp = new TreeMap<>();
            ofHops.forEach(c -> byHmp.putIfAbsent(c.hmp(), c));
            XYSeries bound = new XYSeries(name + ": " + Bound.PRODUCT.label);
            byHmp.forEach((hmp, cell) -> bound.add((double) hmp, cell.productBound()));
            lines.setSeriesPaint(bounds.getSeriesCount(), paint);
            lines.setSeriesStroke(bounds.getSeriesCount(), product);
            bounds.addSeries(bound);
            legend.add(colourItem(name, paint, true));
        }
        addLawItems(legend, laws, true);
        legend.add(lineItem(Bound.PRODUCT.label + " " + Bound.PRODUCT.formula, product));

        Cell first = cells.get(0);
        // summary.json gives log2_n in every cell, and computing it from n keeps the figure drawable without it.
        double log2n = Double.isFinite(first.log2n()) ? first.log2n() : Math.log(first.n()) / Math.log(2);
        TreeSet<Long> hmps = new TreeSet<>();
        cells.forEach(c -> hmps.add(c.hmp()));
        LogAxis domain = log2Axis("H m p, address bits one layer moves (log2 scale)");
        fitDomain(domain, Math.min(hmps.first(), log2n), Math.max(hmps.last(), log2n));
        XYPlot plot = plot(measured, points, bounds, lines, domain);
        plot.setFixedLegendItems(legend);
        plot.addDomainMarker(barrierMarker(log2n), Layer.FOREGROUND);
        return Figures.chart("Layers against H m p for up to " + MAX_K_SERIES + " values of k, " + where, plot);
    }

    /** Adds {@code series} to the measured points when it has any, with its paint and the marker of law {@code law}. */
    private static void addPoints(XYSeriesCollection measured, XYLineAndShapeRenderer points, XYSeries series,
                                  Color paint, int law) {
        if (series.getItemCount() == 0) {
            return;
        }
        int index = measured.getSeriesCount();
        points.setSeriesPaint(index, paint);
        points.setSeriesShape(index, lawShape(law));
        points.setSeriesShapesFilled(index, law == 0);
        points.setSeriesOutlineStroke(index, new BasicStroke(1.5f));
        points.setSeriesStroke(index, new BasicStroke(2f));
        measured.addSeries(series);
    }

    /** Returns the paint of series {@code index}: the palette of {@link Figures}, then its darker shades. */
    private static Color colour(int index) {
        Color paint = Figures.PALETTE[index % Figures.PALETTE.length];
        return index / Figures.PALETTE.length % 2 == 0 ? paint : paint.darker();
    }

    /** Adds the grey legend entries of the measured points, one per law with its marker when there are several. */
    private static void addLawItems(LegendItemCollection legend, List<String> laws, boolean line) {
        if (laws.size() == 1) {
            legend.add(shapeItem("measured layers of the best schedule", Figures.circle(), true, line));
            return;
        }
        for (int law = 0; law < laws.size(); law++) {
            legend.add(shapeItem("measured layers, " + laws.get(law), lawShape(law), law == 0, line));
        }
    }

    private static String lawSuffix(List<String> laws, int law) {
        return laws.size() == 1 ? "" : ", " + laws.get(law);
    }

    /**
     * Returns the marker of law {@code index}: a filled circle, then hollow shapes larger than it (a
     * square, a diamond, a triangle), so they stay visible around a circle at the same place.
     */
    private static Shape lawShape(int index) {
        return switch (index % 4) {
            case 0 -> Figures.circle();
            case 1 -> new Rectangle2D.Double(-5.5, -5.5, 11, 11);
            case 2 -> new Polygon(new int[] {0, 7, 0, -7}, new int[] {-7, 0, 7, 0}, 4);
            default -> new Polygon(new int[] {0, 7, -7}, new int[] {-8, 5, 5}, 3);
        };
    }

    /** Returns the text of the marker at {@code H m p = log2 n}. */
    static String barrierLabel(double log2n) {
        return "H m p = log2 n = " + Numbers.exact(log2n);
    }

    private static ValueMarker barrierMarker(double log2n) {
        ValueMarker marker = new ValueMarker(log2n, MARKER, stroke(1.5f, new float[] {6f, 3f, 2f, 3f}));
        marker.setLabel(barrierLabel(log2n));
        marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        marker.setLabelPaint(MARKER);
        marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        marker.setLabelBackgroundColor(new Color(255, 255, 255, 220));
        marker.setLabelOffset(new RectangleInsets(6, 6, 6, 6));
        return marker;
    }

    /**
     * Returns at most {@code count} of the sorted {@code values}, spread over their range: the
     * first, the last and evenly spaced ones between.
     */
    static List<Long> spread(List<Long> values, int count) {
        if (values.size() <= count) {
            return values;
        }
        List<Long> chosen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long value = values.get((int) Math.round(i * (values.size() - 1) / (double) (count - 1)));
            if (!chosen.contains(value)) {
                chosen.add(value);
            }
        }
        return chosen;
    }

    private static double hopsPerCacheSize(Cell cell) {
        return (double) cell.k() / cell.s();
    }

    /** Returns the shift of series {@code index} of {@code count}, in octaves. */
    private static double offset(int index, int count) {
        return count <= 1 ? 0 : (index - (count - 1) / 2.0) * Math.min(0.08, 2 * MAX_SHIFT / (count - 1));
    }

    private static XYPlot plot(XYSeriesCollection measured, XYLineAndShapeRenderer points, XYSeriesCollection bounds,
                               XYLineAndShapeRenderer lines, LogAxis domain) {
        LogAxis range = log2Axis("layers (log2 scale); bounds with constant 1");
        // JFreeChart's automatic log range rejects a dataset whose values are all one large number
        // (2^23 and up), so the axis starts fixed and fitRange sets it from the data.
        range.setAutoRange(false);
        range.setRange(1, 2);
        XYPlot plot = new XYPlot(measured, domain, range, points);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        showLoneVertices(lines, bounds);
        // Dataset 1 is drawn first, so the measured points lie on top of the bound lines.
        plot.setDataset(1, bounds);
        plot.setRenderer(1, lines);
        fitRange(plot, range);
        return plot;
    }

    /**
     * Draws each series of a single vertex, which a line renderer leaves invisible (a bound in a run
     * with one {@code k} or one {@code H m p}), as a short flat segment in the series' stroke.
     */
    private static void showLoneVertices(XYLineAndShapeRenderer lines, XYSeriesCollection bounds) {
        for (int series = 0; series < bounds.getSeriesCount(); series++) {
            if (bounds.getItemCount(series) == 1) {
                lines.setSeriesShapesVisible(series, true);
                lines.setSeriesShapesFilled(series, false);
                lines.setSeriesShape(series, new Line2D.Double(-24, 0, 24, 0));
                lines.setSeriesOutlineStroke(series, lines.getSeriesStroke(series));
            }
        }
    }

    private static LogAxis log2Axis(String label) {
        LogAxis axis = new LogAxis(label);
        axis.setLabelFont(Figures.LABEL);
        axis.setBase(2);
        axis.setSmallestValue(1e-9);
        axis.setNumberFormatOverride(AXIS_NUMBER);
        return axis;
    }

    /** Sets a log2 axis to {@code [low, high]} with half an octave of margin and at most about ten labelled ticks. */
    private static void fitDomain(LogAxis axis, double low, double high) {
        setOctaves(axis, low / Math.sqrt(2), high * Math.sqrt(2));
    }

    /** Fits the layers axis to every positive value of both datasets, with half an octave of margin. */
    private static void fitRange(XYPlot plot, LogAxis axis) {
        double low = Double.POSITIVE_INFINITY;
        double high = 0;
        for (int d = 0; d < plot.getDatasetCount(); d++) {
            XYDataset dataset = plot.getDataset(d);
            for (int series = 0; dataset != null && series < dataset.getSeriesCount(); series++) {
                for (int item = 0; item < dataset.getItemCount(series); item++) {
                    double y = dataset.getYValue(series, item);
                    if (y > 0 && Double.isFinite(y)) {
                        low = Math.min(low, y);
                        high = Math.max(high, y);
                    }
                }
            }
        }
        if (high > 0) {
            setOctaves(axis, low / Math.sqrt(2), high * Math.sqrt(2));
        }
    }

    private static void setOctaves(LogAxis axis, double lower, double upper) {
        double top = Math.max(upper, lower * 2);
        axis.setAutoRange(false);
        axis.setRange(lower, top);
        double octaves = Math.log(top / lower) / Math.log(2);
        axis.setTickUnit(new NumberTickUnit(Math.max(1, Math.ceil(octaves / 10))));
    }

    /**
     * Shades the values of {@code k/s} whose cells all lie outside the theorem regime, one band per
     * run of neighbouring such values, each band reaching halfway (on the log scale) to the next value.
     */
    private static void shadeOutsideRegime(XYPlot plot, List<Cell> cells, LogAxis domain) {
        List<Double> hops = new ArrayList<>(new TreeSet<>(cells.stream().map(DepthFigures::hopsPerCacheSize).toList()));
        int i = 0;
        while (i < hops.size()) {
            if (inRegime(cells, hops.get(i))) {
                i++;
                continue;
            }
            int j = i;
            while (j + 1 < hops.size() && !inRegime(cells, hops.get(j + 1))) {
                j++;
            }
            double from = i == 0 ? domain.getLowerBound() : Math.sqrt(hops.get(i - 1) * hops.get(i));
            double to = j == hops.size() - 1 ? domain.getUpperBound() : Math.sqrt(hops.get(j) * hops.get(j + 1));
            plot.addDomainMarker(Figures.outsideRegime(from, to), Layer.BACKGROUND);
            i = j + 1;
        }
    }

    private static boolean inRegime(List<Cell> cells, double hops) {
        return cells.stream().anyMatch(c -> hopsPerCacheSize(c) == hops && c.theoremRegime());
    }

    private static LegendItem colourItem(String label, Color paint, boolean line) {
        return new LegendItem(label, null, null, null, true, Figures.circle(), true, paint, false, paint,
            new BasicStroke(1f), line, LEGEND_LINE, new BasicStroke(2f), paint);
    }

    private static LegendItem shapeItem(String label, Shape shape, boolean filled, boolean line) {
        return new LegendItem(label, null, null, null, true, shape, filled, STYLE, !filled, STYLE,
            new BasicStroke(1.5f), line, LEGEND_LINE, new BasicStroke(2f), STYLE);
    }

    private static LegendItem lineItem(String label, Stroke stroke) {
        return new LegendItem(label, null, null, null, false, Figures.circle(), false, STYLE, false, STYLE,
            new BasicStroke(1f), true, LEGEND_LINE, stroke, STYLE);
    }

    private static BasicStroke stroke(float width, float[] dash) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, dash, 0f);
    }
}
