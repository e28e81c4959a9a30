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
}
