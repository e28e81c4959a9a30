package dev.kvcache.jobs.output;

import dev.kvcache.jobs.config.SimulationScenario;
import dev.kvcache.jobs.verdict.CellReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders the cells as a fixed-width text table for the console. */
public final class ConsoleTable {
    private static final String[] HEADER = {
        "n", "s", "k", "T", "controller", "class", "law", "engine", "estimator", "trials", "events", "p_event", "interval",
        "rel_err", "exact", "paper", "regime", "model", "theory", "p_wrong", "trials/s",
    };

    private ConsoleTable() {
    }

    /** Returns the table, one line per cell, with a header line. */
    public static String render(List<CellReport> reports) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (CellReport r : reports) {
            var task = r.cell().task();
            rows.add(new String[] {
                power(task.n()), Long.toString(task.s()), Long.toString(task.k()), Integer.toString(task.stages()),
                r.cell().controller(), r.cell().controllerClass().label(), task.law().configName(),
                engineLabel(r), estimatorLabel(r), Long.toString(r.counts().trials()),
                Long.toString(r.counts().events()), number(r.event()),
                "[" + number(r.eventInterval().low()) + ", " + number(r.eventInterval().high()) + "]",
                percent(r.relError()), number(r.cell().exact()), number(r.cell().paper()), r.cell().theoremRegime() ? "theorem" : "outside",
                r.verdictModel() == null ? "-" : r.verdictModel(), r.verdictTheory() == null ? "-" : r.verdictTheory(),
                number(r.wrong()),
                number(r.trialsPerSecond()),
            });
        }
        return render(rows, c -> c < 4 || (c >= 9 && c <= 15) || c >= 19);
    }

    /**
     * Returns rows as fixed-width columns separated by two spaces, the first row being the header;
     * the columns {@code numeric} accepts are right-aligned.
     */
    public static String render(List<String[]> rows, java.util.function.IntPredicate numeric) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                String format = numeric.test(c) ? "%" + widths[c] + "s" : "%-" + widths[c] + "s";
                text.append(c == 0 ? "" : "  ").append(String.format(Locale.ROOT, format, row[c]));
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** Returns the engine's name, followed by "+full" under the full-compression scenario. */
    static String engineLabel(CellReport report) {
        String engine = report.cell().engine().configName();
        return report.cell().scenario() == SimulationScenario.DECODE ? engine : engine + "+full";
    }

    /** Returns "plain", or "split xR" for a splitting cell with R replicates. */
    private static String estimatorLabel(CellReport report) {
        return report.cell().splitting() ? "split x" + report.cell().replicates() : "plain";
    }

    /** Formats a relative error as a percentage; a missing one prints as "-". */
    static String percent(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.1f%%", 100 * x) : "-";
    }

    /** Formats a probability or rate with three significant digits; values that do not exist print as "-". */
    static String number(double x) {
        if (!Double.isFinite(x)) {
            return "-";
        }
        if (x == 0) {
            return "0";
        }
        return String.format(Locale.ROOT, "%.3g", x);
    }

    /** Prints exact powers of two as {@code 2^e}, which is how grids are usually written. */
    static String power(long n) {
        if (n >= 1024 && Long.bitCount(n) == 1) {
            return "2^" + Long.numberOfTrailingZeros(n);
        }
        return Long.toString(n);
    }
}
