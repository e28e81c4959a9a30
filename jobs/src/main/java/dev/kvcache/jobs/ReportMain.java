package dev.kvcache.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvcache.jobs.report.Report;
import dev.kvcache.jobs.report.Reports;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Regenerates the report of a finished run ({@code report.md}, {@code report.html} and
 * {@code plots/}) from its {@code summary.json} and {@code config.conf}, without Spark. Exit
 * codes: 0 written, 2 the folder is not a finished run, 3 the files could not be written.
 */
@Command(name = "kvcache-report", usageHelpAutoWidth = true,
    description = "Regenerates report.md, report.html and plots/ of a finished run from its summary.json and config.conf.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:report written", "2:the folder is not a finished run folder", "3:the files could not be written"})
public final class ReportMain implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_FOLDER",
        description = "A run folder, such as results/separation-20261204-120000 (a local path or a Hadoop URI).")
    String folder;

    @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this help and exit.")
    boolean help;

    @Override
    public Integer call() {
        Path root = new Path(folder);
        FileSystem fs;
        JsonNode summary;
        String config;
        try {
            fs = root.getFileSystem(new Configuration());
            if (fs instanceof LocalFileSystem local) {
                // As for the run itself: no .crc side files next to the report on a local disk.
                fs = local.getRawFileSystem();
            }
            Path summaryFile = new Path(root, "summary.json");
            if (!fs.exists(root) || !fs.getFileStatus(root).isDirectory()) {
                return invalid("run folder not found: " + folder + "; give the folder a run printed after 'results:'");
            }
            if (!fs.exists(summaryFile)) {
                return invalid("no summary.json in " + folder + ": the run did not finish, or this is not a run folder;"
                    + " a report needs a finished run");
            }
            summary = new ObjectMapper().readTree(read(fs, summaryFile));
            if (summary == null || !summary.path("cells").isArray()) {
                return invalid("summary.json in " + folder + " has no cells array; it is not the summary of a run of"
                    + " this product");
            }
            String problem = Reports.problem(summary);
            if (problem != null) {
                return invalid("summary.json in " + folder + " " + problem + "; it was changed or is damaged, so run the"
                    + " job again to get a report");
            }
            Path configFile = new Path(root, "config.conf");
            if (!fs.exists(configFile)) {
                return invalid("no config.conf in " + folder + "; a report shows the run's configuration, so it needs it");
            }
            config = new String(read(fs, configFile), StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            return invalid("summary.json in " + folder + " is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException | IllegalArgumentException e) {
            return invalid("cannot read the run folder " + folder + ": " + e.getMessage());
        }
        FileSystem target = fs;
        try {
            List<String> written = Reports.write(summary, config, (path, bytes) -> {
                try (OutputStream out = target.create(new Path(root, path), true)) {
                    out.write(bytes);
                }
            });
            System.out.println("report: " + new Path(root, written.get(0)) + " and " + new Path(root, written.get(1))
                + ", " + (written.size() - 2) + " plots in " + new Path(root, Report.PLOTS));
            return ExitCodes.PASS;
        } catch (IOException e) {
            System.err.println("error: cannot write the report into " + folder + ": " + e.getMessage());
            return ExitCodes.RUNTIME_FAILURE;
        }
    }

    private static byte[] read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return in.readAllBytes();
        }
    }

    private static int invalid(String message) {
        System.err.println("error: " + message);
        return ExitCodes.INVALID_INPUT;
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code, without exiting. */
    public static int run(String... args) {
        return Main.commandLine(new ReportMain(), "the report could not be written").execute(args);
    }
}
