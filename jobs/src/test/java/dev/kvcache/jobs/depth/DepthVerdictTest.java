package dev.kvcache.jobs.depth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvcache.jobs.ConsoleRun;
import dev.kvcache.jobs.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The depth verdicts fail when their limits are tightened past what the construction measures. */
class DepthVerdictTest {
    @TempDir
    Path root;

    private ConsoleRun runWith(String... extra) {
        List<String> settings = new ArrayList<>(DepthJobTest.GRID);
        settings.addAll(List.of(extra));
        return ConsoleRun.withSettings("local[2]", root, settings);
    }

    /**
     * Inside the theorem regime the measured layers are the product bound times 2 (k = 2) up to
     * 4 (k >= 8 with s = 8: windows of 8, 3 rounds and a read), so a spread limit of 1.5 must fail.
     */
    @Test
    void productSpreadAboveTheLimitFails() throws IOException {
        ConsoleRun run = runWith("depth.verdicts.spread_limit=1.5");
        assertEquals(ExitCodes.VERDICT_FAILED, run.exitCode(), run.console());
        assertTrue(run.out().contains("FAILED scaling verdict of the product bound"), run.console());
        JsonNode summary = DepthJobTest.summary(DepthJobTest.onlyFolder(root));
        assertEquals("fail", summary.path("status").asText());
        assertEquals("fail", summary.path("fits").get(1).path("verdict").asText());
        assertEquals(2.0, summary.path("fits").get(1).path("spread").asDouble());
    }

    /** No construction reaches 1000 times the lower bound, so every theorem-regime cell fails and is named. */
    @Test
    void floorAboveTheMeasuredLayersFailsEveryCell() throws IOException {
        ConsoleRun run = runWith("depth.verdicts.floor_constant=1000");
        assertEquals(ExitCodes.VERDICT_FAILED, run.exitCode(), run.console());
        JsonNode summary = DepthJobTest.summary(DepthJobTest.onlyFolder(root));
        long regime = 0;
        for (JsonNode cell : summary.path("cells")) {
            if (cell.path("theorem_regime").asBoolean()) {
                regime++;
                assertEquals("fail", cell.path("verdict_floor").asText(), cell.toString());
            }
        }
        long named = run.out().lines().filter(l -> l.startsWith("FAILED floor verdict: n=")).count();
        assertTrue(regime > 0);
        assertEquals(regime, named, run.console());
    }

    @Test
    void separationKeyInADepthRunIsInvalid() {
        ConsoleRun run = runWith("trials=5");
        assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.console());
        assertTrue(run.err().contains("'trials'"), run.err());
        assertTrue(run.err().contains("belongs to the separation job"), run.err());
        assertTrue(isEmpty(root), "nothing written");
    }

    @Test
    void depthKeyInASeparationRunIsInvalid() {
        ConsoleRun run = ConsoleRun.withSettings("local[2]", root, List.of("depth.trials=5"));
        assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.console());
        assertTrue(run.err().contains("add job = depth"), run.err());
    }

    /**
     * With every trial a success the interval's low end is the one-sided 0.05^(1/N) at confidence
     * 0.95, which reaches 1 - 0.01 from ceil(ln(0.05) / ln(0.99)) = ceil(298.07) = 299 trials.
     */
    @Test
    void tooFewTrialsToQualifyIsInvalid() {
        ConsoleRun run = runWith("depth.trials=298");
        assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.console());
        assertTrue(run.err().contains("use at least 299 trials"), run.err());
    }

    @Test
    void fewestTrialsToQualifyRuns() {
        ConsoleRun run = runWith("depth.trials=299");
        assertEquals(ExitCodes.PASS, run.exitCode(), run.console());
    }

    @Test
    void tooManyWorkUnitsIsInvalid() {
        ConsoleRun run = runWith("depth.trials=1000000000", "depth.unit_trials=1");
        assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.console());
        assertTrue(run.err().contains("work units, above the limit"), run.err());
    }

    /** delta = 1e-12 needs about 3e12 trials at confidence 0.95, above the limit of 1e9: delta is at fault. */
    @Test
    void unreachableDeltaIsInvalid() {
        ConsoleRun run = runWith("depth.delta=1e-12");
        assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.console());
        assertTrue(run.err().contains("'depth.delta'"), run.err());
    }

    @Test
    void unknownJobIsInvalid() {
        ConsoleRun run = runWith("job=depths");
        assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run.console());
        assertTrue(run.err().contains("known jobs: separation, depth"), run.err());
    }

    /**
     * A result limit of 1 KiB makes Spark abort the job once the partitions' counts add up to more,
     * after the run folder was created: exit 3, and the manifest status is failed, not running.
     */
    @Test
    void runtimeFailureMarksTheManifestFailed() throws IOException {
        List<String> args = new ArrayList<>(List.of("--master", "local[2]", "--output", root.toString(),
            "--spark-conf", "spark.driver.maxResultSize=1k"));
        for (String assignment : DepthJobTest.GRID) {
            args.add("--set");
            args.add(assignment);
        }
        ConsoleRun run = ConsoleRun.of(args.toArray(new String[0]));
        assertEquals(ExitCodes.RUNTIME_FAILURE, run.exitCode(), run.console());
        Path folder = DepthJobTest.onlyFolder(root);
        JsonNode manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
            folder.resolve("manifest.json").toFile());
        assertEquals("failed", manifest.path("status").asText());
        assertEquals(ExitCodes.RUNTIME_FAILURE, manifest.path("exit_code").asInt());
        assertFalse(Files.exists(folder.resolve("_LOCK")), "the lock is released");
        assertFalse(Files.exists(folder.resolve("summary.json")), "no summary of a failed run");
    }

    private static boolean isEmpty(Path folder) {
        try (var entries = Files.list(folder)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
