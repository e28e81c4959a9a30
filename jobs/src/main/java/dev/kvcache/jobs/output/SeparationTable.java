package dev.kvcache.jobs.output;

import dev.kvcache.jobs.verdict.Separation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders the separation pairs for the console: those inside the theorem regime, for the first
 * adaptive controller of the run (the others give the same law in the decode scenario); every
 * pair is in {@code separation.csv} and {@code summary.json}.
 */
public final class SeparationTable {
    private static final String[] HEADER = {
        "n", "s", "k", "T", "law", "engine", "adaptive", "oblivious", "oblivious by", "ratio", "interval", "exact ratio",
        "(n/s)^(T-1)", "guaranteed",
    };

    private SeparationTable() {
    }

    /** Returns the table with a title line, or an empty string when no pair is in the theorem regime. */
    public static String render(List<Separation> pairs) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        String firstAdaptive = null;
        for (Separation pair : pairs) {
            if (!pair.oblivious().cell().theoremRegime()) {
                continue;
            }
            String adaptive = pair.adaptive().cell().controller();
            if (firstAdaptive == null) {
                firstAdaptive = adaptive;
            }
            if (!adaptive.equals(firstAdaptive)) {
                continue;
            }
            var task = pair.oblivious().cell().task();
            rows.add(new String[] {
                ConsoleTable.power(task.n()), Long.toString(task.s()), Long.toString(task.k()),
                Integer.toString(task.stages()), task.law().configName(), ConsoleTable.engineLabel(pair.oblivious()),
                adaptive, pair.oblivious().cell().controller(), pair.oblivious().cell().estimator().configName(),
                ratio(pair.ratio()), "[" + ratio(pair.low()) + ", " + ratio(pair.high()) + "]", ratio(pair.exactRatio()),
                ratio(pair.theory()), ratio(pair.boundRatio()),
            });
        }
        if (rows.size() == 1) {
            return "";
        }
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder text = new StringBuilder();
        text.append("Separation P_adaptive(E) / P_oblivious(E) inside the theorem regime (all pairs in separation.csv).\n"
            + "(n/s)^(T-1) is the separation from random-fresh; 'guaranteed' is s/n over the oblivious bound, the least"
            + " separation the theory promises for any oblivious rule:\n");
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                boolean numeric = c < 4 || c >= 9;
                String format = numeric ? "%" + widths[c] + "s" : "%-" + widths[c] + "s";
                text.append(c == 0 ? "" : "  ").append(String.format(Locale.ROOT, format, row[c]));
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** Formats a ratio with three significant digits; an infinite one prints as "inf", a missing one as "-". */
    static String ratio(double x) {
        if (Double.isInfinite(x)) {
            return "inf";
        }
        return ConsoleTable.number(x);
    }
}
