package dev.kvcache.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvcache.jobs.report.Figures.Figure;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;

/**
 * Tests the figures built from a small summary made by hand: n = 4096, s = 16 under a random
 * function, random-fresh and follow at T = 1, 2, 3, where random-fresh saw no event at T = 3 and
 * T = 3 lies outside the theorem regime (as if n < 4k). Reference values are the closed forms.
 */
class FiguresTest {
    private static final double N = 4096;
    private static final double S = 16;

    static ObjectNode summary() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("run_id", "separation-test");
        root.put("status", "pass");
        ArrayNode cells = root.putArray("cells");
        // controller, T, p_event, ci_low, ci_high, p_wrong, wrong_low, wrong_high, regime
        Object[][] rows = {
            {"random-fresh", 1, 0.0039, 0.0035, 0.0043, 0.99, 0.98, 0.995, true},
            {"random-fresh", 2, 1.6e-5, 1.2e-5, 2.0e-5, 0.995, 0.99, 0.998, true},
            {"random-fresh", 3, 0.0, 0.0, 1.5e-5, 0.996, 0.99, 0.999, false},
            {"follow", 1, 0.0040, 0.0036, 0.0044, 0.99, 0.98, 0.995, true},
            {"follow", 2, 0.0038, 0.0034, 0.0042, 0.99, 0.98, 0.995, true},
            {"follow", 3, 0.0041, 0.0037, 0.0045, 0.99, 0.98, 0.995, false},
        };
        for (Object[] r : rows) {
            ObjectNode c = cells.addObject();
            int t = (int) r[1];
            c.put("n", 4096).put("s", 16).put("k", 1L << t).put("T", t).put("controller", (String) r[0])
                .put("class", r[0].equals("follow") ? "adaptive" : "oblivious").put("law", "function")
                .put("estimator", "plain").put("trials", 200000).put("events", 0)
                .put("p_event", (double) r[2]).put("ci_low", (double) r[3]).put("ci_high", (double) r[4])
                .put("p_wrong", (double) r[5]).put("wrong_ci_low", (double) r[6]).put("wrong_ci_high", (double) r[7])
                .put("regime", (boolean) r[8]).put("verdict_model", "pass").putNull("verdict_theory");
        }
        ArrayNode pairs = root.putArray("separation");
        for (int t = 1; t <= 3; t++) {
            ObjectNode p = pairs.addObject();
            p.put("n", 4096).put("s", 16).put("k", 1L << t).put("T", t).put("law", "function").put("regime", t < 3)
                .put("adaptive", "follow").put("oblivious", "random-fresh").put("oblivious_estimator", "plain")
                .put("exact_ratio", Math.pow(N / S, t - 1)).put("theory_ratio", Math.pow(N / S, t - 1));
            if (t < 3) {
                double ratio = t == 1 ? 1.02 : 240;
                p.put("ratio", ratio).put("ratio_low", ratio * 0.8).put("ratio_high", ratio * 1.25);
            } else {
                // No event: the ratio and its upper end are unbounded (null in JSON).
                p.putNull("ratio").put("ratio_low", 270).putNull("ratio_high");
            }
        }
        return root;
    }

    private static List<Figure> figures() {
        return Figures.of(RunData.of(summary(), "seed = 1\n"));
    }

    @Test
    void oneSetOfThreeFiguresPerGroup() {
        List<String> files = figures().stream().map(Figure::file).toList();
        assertEquals(List.of("event-n4096-s16-function.png", "separation-n4096-s16-function.png",
            "wrong-n4096-s16-function.png"), files);
    }

    @Test
    void eventFigureSeriesAndReferences() {
        XYPlot plot = figures().get(0).chart().getXYPlot();
        XYDataset points = plot.getDataset(0);
        assertEquals(List.of("random-fresh", "random-fresh: estimate 0, drawn at its upper bound", "follow"),
            keys(points));
        assertEquals(2, points.getItemCount(0), "random-fresh estimates at T = 1, 2");
        assertEquals(1, points.getItemCount(1), "the zero estimate at T = 3");
        assertEquals(1.5e-5, points.getYValue(1, 0), 0, "drawn at its upper bound");
        assertEquals(3, Math.round(points.getXValue(1, 0)), "at T = 3");
        assertEquals(3, points.getItemCount(2), "follow at T = 1, 2, 3");
        assertEquals(0.0038, points.getYValue(2, 1), 0);

        XYDataset references = plot.getDataset(1);
        assertEquals(3, references.getSeriesCount(), keys(references).toString());
        for (int t = 1; t <= 3; t++) {
            // Each stage's reference is a flat segment of two points around T, then a gap.
            for (int end = 0; end < 2; end++) {
                int item = 3 * (t - 1) + end;
                assertEquals(t, Math.round(references.getXValue(0, item)), "segment around T = " + t);
                assertEquals(S / N, references.getYValue(0, item), 1e-15, "s/n at T = " + t);
                assertEquals(Math.pow(S / N, t), references.getYValue(1, item), 1e-15, "(s/n)^T at T = " + t);
                assertEquals(Math.pow(S / (N - t), t) + 2.0 * t * t * t / N, references.getYValue(2, item), 1e-15,
                    "oblivious bound at T = " + t);
            }
            assertTrue(Double.isNaN(references.getYValue(0, 3 * (t - 1) + 2)), "a gap after T = " + t);
        }
        assertTrue(plot.getRangeAxis() instanceof LogAxis, "log scale");
        assertTrue(plot.getRangeAxis().getLowerBound() > 0, "the log axis stays positive");
        assertTrue(plot.getRangeAxis().getUpperBound() <= 1.5, "a probability axis ends near 1");
        assertEquals(List.of("random-fresh", "follow", "s/n (adaptive, exact)", "(s/n)^T (random-fresh, exact)",
            "oblivious bound (s/(n-T))^T + 2T^3/n, capped at 1", "estimate 0, drawn at its upper bound"),
            legend(plot), "one legend entry for the zero markers");
        assertEquals(1, plot.getDomainMarkers(org.jfree.chart.ui.Layer.BACKGROUND).size(),
            "one shaded band for T = 3, outside the theorem regime");
        assertTrue(plot.getDomainAxis().getLabel().contains("T"), plot.getDomainAxis().getLabel());
        assertTrue(plot.getRangeAxis().getLabel().contains("probability"), plot.getRangeAxis().getLabel());
    }

    @Test
    void separationFigureShowsRatiosBoundsAndTheory() {
        XYPlot plot = figures().get(1).chart().getXYPlot();
        XYDataset points = plot.getDataset(0);
        assertEquals(List.of("follow / random-fresh", "follow / random-fresh: unbounded above, drawn at its lower bound"),
            keys(points));
        assertEquals(2, points.getItemCount(0));
        assertEquals(240, points.getYValue(0, 1), 0);
        assertEquals(270, points.getYValue(1, 0), 0, "the unbounded ratio at its lower bound");
        XYDataset theory = plot.getDataset(1);
        assertEquals(2, theory.getSeriesCount());
        for (int t = 1; t <= 3; t++) {
            int item = 3 * (t - 1);
            assertEquals(Math.pow(N / S, t - 1), theory.getYValue(0, item), 1e-9, "(n/s)^(T-1) at T = " + t);
            double bound = Math.pow(S / (N - t), t) + 2.0 * t * t * t / N;
            assertEquals((S / N) / bound, theory.getYValue(1, item), 1e-12, "s/n over the bound at T = " + t);
        }
    }

    @Test
    void wrongAnswerFigureHasOneSeriesPerController() {
        XYPlot plot = figures().get(2).chart().getXYPlot();
        assertEquals(List.of("random-fresh", "follow"), keys(plot.getDataset(0)));
        assertEquals(3, plot.getDataset(0).getItemCount(0));
        assertEquals(0.995, plot.getDataset(0).getYValue(0, 1), 0);
        assertEquals(0, plot.getRangeAxis().getLowerBound(), 0.05, "a rate axis from 0");
        assertEquals(1 - S / N, plot.getDataset(1).getYValue(0, 0), 1e-15, "the reference 1 - s/n");
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
