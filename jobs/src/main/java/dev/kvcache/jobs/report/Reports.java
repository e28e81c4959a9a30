package dev.kvcache.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;

/** Writes the report of a finished run of either job, chosen by the summary's {@code job} field. */
public final class Reports {
    private Reports() {
    }

    /**
     * Writes the report of the run that {@code summary} describes: the depth report when
     * {@code summary.job} is "depth", the separation report otherwise (a separation summary may have
     * no {@code job} field). Returns the paths written, report.md first.
     */
    public static List<String> write(JsonNode summary, String config, Report.Files files) throws IOException {
        if ("depth".equals(summary.path("job").asText())) {
            return DepthReport.write(DepthRunData.of(summary, config), files);
        }
        return Report.write(RunData.of(summary, config), files);
    }

    /**
     * Returns what makes {@code summary} unfit for a report, or {@code null} when it has the fields
     * a report reads: a status of pass or fail, a known job, and cells whose grid coordinates are
     * positive whole numbers (and for a depth run, the fits and windows arrays).
     */
    public static String problem(JsonNode summary) {
        String status = summary.path("status").asText("");
        if (!status.equals("pass") && !status.equals("fail")) {
            return "has status " + summary.path("status") + ", expected \"pass\" or \"fail\"";
        }
        String job = summary.path("job").asText("separation");
        if (!job.equals("separation") && !job.equals("depth")) {
            return "names the job " + summary.path("job") + ", expected \"separation\" or \"depth\"";
        }
        boolean depth = job.equals("depth");
        if (depth && (!summary.path("fits").isArray() || !summary.path("windows").isArray())) {
            return "has no fits or windows array, which a depth run writes";
        }
        List<String> coordinates = depth ? List.of("n", "k", "s", "H", "m", "p") : List.of("n", "s", "k");
        int index = 0;
        for (JsonNode cell : summary.path("cells")) {
            for (String field : coordinates) {
                JsonNode value = cell.path(field);
                if (!value.isIntegralNumber() || value.asLong() < 1) {
                    return "has cell " + index + " with " + field + " = " + value + ", expected a positive whole number";
                }
            }
            index++;
        }
        return null;
    }
}
