package dev.kvcache.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvcache.jobs.report.Numbers;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a small separation job on a real local SparkSession and checks its written report: the
 * files exist, the report's numbers are those of {@code summary.json}, the figures are embedded in
 * the HTML page, and regenerating the report from the finished run (also in a separate JVM whose
 * {@code DISPLAY} names an X server that does not exist) gives the same files.
 */
class ReportJobTest {
    private static final List<String> GRID = List.of(
        "grid.n=[4096]", "grid.s=[16, 64]", "grid.k=[2, 4, 16]", "grid.controllers=[random-fresh, window, follow]",
        "grid.laws=[function]", "trials=20000", "answer_trials=2000", "splitting.replicates=4",
        "splitting.particles=50", "splitting.survivors=2000");

    @TempDir
    static Path root;

    private static ConsoleRun run;
    private static RunResults results;

    @BeforeAll
    static void runOnce() throws IOException {
        run = ConsoleRun.withSettings("local[2]", root, GRID);
        // Fixed seed: a failed verdict here is a false alarm (family-wise rate at most alpha = 0.01) or a bug.
        assertEquals(ExitCodes.PASS, run.exitCode(), run.console());
        results = RunResults.single(root);
    }

    @Test
    void runWritesTheReportAndSaysWhere() {
        for (String name : List.of("report.md", "report.html")) {
            assertTrue(Files.isRegularFile(results.file(name)), name);
        }
        assertEquals(List.of("event-n4096-s16-function.png", "event-n4096-s64-function.png",
            "separation-n4096-s16-function.png", "separation-n4096-s64-function.png", "wrong-n4096-s16-function.png",
            "wrong-n4096-s64-function.png"), plots());
        assertTrue(run.out().contains("report:  "), run.out());
        assertTrue(run.out().contains("report.md and report.html, 6 plots in plots/"), run.out());
        assertTrue(run.err().contains("progress: 18 of 18 cells, 100% of the work"), "final progress line: " + run.err());
    }

    @Test
    void manifestCarriesWhatASchedulerNeeds() throws Exception {
        JsonNode manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
            Files.readAllBytes(results.file("manifest.json")));
        JsonNode summary = results.summary();
        assertEquals("pass", manifest.get("status").asText());
        assertEquals(0, manifest.get("exit_code").asInt());
        assertEquals(summary.get("run_id").asText(), manifest.get("run_id").asText());
        assertEquals(summary.get("seed").asLong(), manifest.get("seed").asLong());
        assertEquals("local[2]", manifest.get("master").asText());
        assertEquals(1, manifest.get("executors").asInt(), "local mode runs in the driver");
        assertEquals(summary.get("spark_version").asText(), manifest.get("spark_version").asText());
        assertEquals(System.getProperty("java.version"), manifest.get("java_version").asText());
        assertTrue(manifest.has("git_commit"), "present, null when unknown");
        assertTrue(!manifest.get("version").asText().isBlank());
        byte[] config = Files.readAllBytes(results.file("config.conf"));
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(config));
        assertEquals(sha, manifest.get("config_sha256").asText(), "SHA-256 of config.conf");
        java.time.OffsetDateTime started = java.time.OffsetDateTime.parse(manifest.get("started_at").asText());
        java.time.OffsetDateTime finished = java.time.OffsetDateTime.parse(manifest.get("finished_at").asText());
        assertTrue(!finished.isBefore(started), started + " to " + finished);
    }

    @Test
    void reportNumbersAreThoseOfTheSummary() throws IOException {
        JsonNode summary = results.summary();
        String markdown = Files.readString(results.file("report.md"), StandardCharsets.UTF_8);
        long model = 0;
        long theory = 0;
        for (JsonNode cell : summary.get("cells")) {
            model += cell.get("verdict_model").isNull() ? 0 : 1;
            theory += cell.get("verdict_theory").isNull() ? 0 : 1;
        }
        String verdict = markdown.lines().filter(l -> l.startsWith("**PASS**")).findFirst().orElseThrow();
        assertEquals(String.format("**PASS**: all %d verdicts passed (%d model, %d theory) over %d cells: the engine"
            + " matches the exact values and the estimates agree with the theory.", model + theory, model, theory,
            summary.get("cells").size()), verdict);

        int rows = 0;
        for (JsonNode pair : summary.get("separation")) {
            if (!pair.get("regime").asBoolean() || !pair.get("adaptive").asText().equals("follow")) {
                continue;
            }
            double ratio = pair.get("ratio").asDouble();
            double low = pair.get("ratio_low").asDouble();
            double high = pair.get("ratio_high").asDouble();
            int digits = Numbers.digitsFor(ratio, low, high);
            String expected = "| " + pair.get("s").asLong() + " | " + pair.get("k").asLong() + " | " + pair.get("T").asInt()
                + " | function | `" + pair.get("oblivious").asText() + "` | " + pair.get("oblivious_estimator").asText()
                + " | " + Numbers.significant(ratio, digits) + " [" + Numbers.significant(low, digits) + ", "
                + Numbers.significant(high, digits) + "] | " + Numbers.exact(pair.get("exact_ratio").asDouble())
                + " | " + Numbers.exact(pair.get("theory_ratio").asDouble()) + " | "
                + Numbers.value(pair.get("bound_ratio").asDouble()) + " |";
            assertTrue(markdown.contains(expected), "separation row in report.md: " + expected);
            rows++;
        }
        assertEquals(6, rows, "s = 16 in the theorem regime: 2 oblivious controllers x 3 values of k");
    }

    @Test
    void htmlPageEmbedsEveryFigure() throws IOException {
        String html = Files.readString(results.file("report.html"), StandardCharsets.UTF_8);
        assertEquals(plots().size(), html.split("src=\"data:image/png;base64,", -1).length - 1);
        assertTrue(html.startsWith("<!DOCTYPE html>"), "a complete page");
        assertTrue(!html.contains("src=\"plots/"), "no link to a file: the page stands alone");
    }

    @Test
    void regeneratingGivesTheSameFiles() throws Exception {
        Map<String, byte[]> before = reportFiles();
        assertEquals(ExitCodes.PASS, ReportMain.run(results.folder().toString()));
        assertReportEquals(before, reportFiles(), "in this JVM");

        // A separate JVM with a DISPLAY that names no X server, and no headless setting of its own.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            ReportMain.class.getName(), results.folder().toString());
        builder.environment().put("DISPLAY", ":97");
        builder.redirectErrorStream(true);
        File log = Files.createTempFile(root, "report", ".log").toFile();
        builder.redirectOutput(log);
        Process process = builder.start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the report finished");
        assertEquals(0, process.exitValue(), Files.readString(log.toPath()));
        assertReportEquals(before, reportFiles(), "in a JVM with DISPLAY=:97");
    }

    @Test
    void regeneratingRejectsUnfinishedFolders() throws IOException {
        Path empty = Files.createDirectories(root.resolve("not-a-run"));
        assertEquals(ExitCodes.INVALID_INPUT, ReportMain.run(empty.toString()));
        assertEquals(ExitCodes.INVALID_INPUT, ReportMain.run(root.resolve("missing").toString()));
        assertEquals(ExitCodes.INVALID_INPUT, ReportMain.run());
        Files.writeString(empty.resolve("summary.json"), "{not json", StandardCharsets.UTF_8);
        assertEquals(ExitCodes.INVALID_INPUT, ReportMain.run(empty.toString()));
        try (Stream<Path> files = Files.list(empty)) {
            assertEquals(1, files.count(), "nothing written into a folder that is not a finished run");
        }
    }

    private static List<String> plots() {
        try (Stream<Path> files = Files.list(results.file("plots"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, byte[]> reportFiles() throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        files.put("report.md", Files.readAllBytes(results.file("report.md")));
        files.put("report.html", Files.readAllBytes(results.file("report.html")));
        for (String plot : plots()) {
            files.put(plot, Files.readAllBytes(results.file("plots").resolve(plot)));
        }
        return files;
    }

    private static void assertReportEquals(Map<String, byte[]> expected, Map<String, byte[]> actual, String where) {
        assertEquals(expected.keySet(), actual.keySet(), where);
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name), actual.get(name), name + " " + where);
        }
    }
}
