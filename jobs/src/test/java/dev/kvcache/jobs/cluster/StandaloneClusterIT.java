package dev.kvcache.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvcache.jobs.RunResults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the separation job on a real Spark standalone cluster (a master and two one-core workers on
 * 127.0.0.1, started from the build's jars) through {@code submit.sh --master spark://...}, that
 * is through spark-submit, and checks that the results equal those of an embedded local run of
 * the same configuration; then kills one worker, executors included, while a run goes, and checks
 * that the run finishes with the same results. Last, it runs the depth job both ways and compares
 * its tables.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
    private static final Path PROJECT = Path.of("").toAbsolutePath().getParent();
    private static final String CONFIG = String.join("\n",
        "grid {",
        "  n = [4096]",
        "  s = [16]",
        "  k = [2, 4, 8, 16]",
        "  controllers = [random-fresh, random-fixed, window, follow]",
        "  laws = [function, permutation]",
        "}",
        "trials = 60000000",
        "answer_trials = 2000",
        "partitions = 24",
        "splitting {",
        "  replicates = 8",
        "  particles = 200",
        "  survivors = 20000",
        "}",
        "");

    private static final String DEPTH_CONFIG = String.join("\n",
        "job = depth",
        "partitions = 12",
        "depth {",
        "  grid {",
        "    n = [4096, 65536]",
        "    k = [8, 64]",
        "    s = [4, 16]",
        "    H = [1]",
        "    m = [1, 16]",
        "    p = [1]",
        "    laws = [function, permutation]",
        "  }",
        "  trials = 400",
        "  unit_trials = 100",
        "}",
        "");

    @TempDir
    static Path root;

    private static LocalCluster cluster;
    private static Path config;
    private static Map<String, String> local;

    @BeforeAll
    static void startCluster() throws IOException, InterruptedException {
        config = root.resolve("cluster.conf");
        Files.writeString(config, CONFIG, StandardCharsets.UTF_8);
        local = results(submit("local", "local[2]", null).waitFor());
        cluster = LocalCluster.start(PROJECT, Files.createDirectories(root.resolve("cluster")), 2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void clusterRunEqualsLocalRun() throws IOException, InterruptedException {
        Submission run = submit("cluster", cluster.masterUrl(), cluster.sparkHome());
        Map<String, String> onCluster = results(run.waitFor());

        assertEquals(32, local.size(), "cells of the local run");
        assertEquals(local, onCluster, "every cell's counts and estimates, local[2] against the standalone cluster");
        JsonNode summary = RunResults.single(run.folder()).summary();
        assertEquals(cluster.masterUrl(), summary.get("master").asText(), "the run went to the cluster");
    }

    @Test
    @Order(2)
    void losingAWorkerChangesNothing() throws IOException, InterruptedException {
        Submission run = submit("fault", cluster.masterUrl(), cluster.sparkHome());
        // Once both executors have finished tasks, take one worker down with its executor mid-run.
        awaitLog(run.log(), "Finished task", 3, 120);
        cluster.killWorker(1);
        Map<String, String> afterFault = results(run.waitFor());

        String driverLog = Files.readString(run.log());
        assertTrue(driverLog.contains("worker lost"), "the worker died while the run went on; driver log:\n"
            + driverLog);
        assertEquals(local, afterFault, "every cell's counts and estimates after losing a worker mid-run");
    }

    @Test
    @Order(3)
    void depthRunOnClusterEqualsLocalRun() throws IOException, InterruptedException {
        Path depthConfig = root.resolve("depth.conf");
        Files.writeString(depthConfig, DEPTH_CONFIG, StandardCharsets.UTF_8);
        Submission localRun = submit("depth-local", "local[2]", null, depthConfig).waitFor();
        Submission clusterRun = submit("depth-cluster", cluster.masterUrl(), cluster.sparkHome(), depthConfig).waitFor();

        Path localFolder = RunResults.single(localRun.folder()).folder();
        Path clusterFolder = RunResults.single(clusterRun.folder()).folder();
        for (String table : List.of("windows.csv", "cells.csv")) {
            assertEquals(Files.readString(localFolder.resolve(table)), Files.readString(clusterFolder.resolve(table)),
                table + " of the depth job, local[2] against the standalone cluster");
        }
        JsonNode summary = RunResults.single(clusterRun.folder()).summary();
        assertEquals(cluster.masterUrl(), summary.get("master").asText(), "the depth run went to the cluster");
    }

    /** Waits until {@code log} contains {@code text} at least {@code times} times. */
    private static void awaitLog(Path log, String text, int times, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String content = Files.exists(log) ? Files.readString(log) : "";
            if (content.split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("'" + text + "' did not appear " + times + " times in " + log + " within "
            + seconds + " s");
    }

    /** A run of submit.sh in its own process, with its output folder and log. */
    private record Submission(Process process, Path folder, Path log) {
        Submission waitFor() throws InterruptedException, IOException {
            boolean finished = process.waitFor(300, TimeUnit.SECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            assertTrue(finished, "submit.sh finished within 5 minutes; log " + log);
            assertEquals(0, process.exitValue(), "exit code of submit.sh; log:\n" + Files.readString(log));
            return this;
        }
    }

    private static Submission submit(String name, String master, Path sparkHome) throws IOException {
        return submit(name, master, sparkHome, config);
    }

    private static Submission submit(String name, String master, Path sparkHome, Path configFile) throws IOException {
        Path output = Files.createDirectories(root.resolve("out-" + name));
        Path log = root.resolve("submit-" + name + ".log");
        List<String> command = new ArrayList<>(List.of(PROJECT.resolve("submit.sh").toString(), configFile.toString(),
            "--master", master, "--output", output.toString()));
        if (sparkHome != null) {
            command.addAll(List.of("--", "--conf", "spark.executor.memory=512m", "--conf", "spark.cores.max=2"));
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        if (sparkHome != null) {
            builder.environment().put("SPARK_HOME", sparkHome.toString());
        }
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.redirectErrorStream(true);
        builder.redirectOutput(log.toFile());
        return new Submission(builder.start(), output, log);
    }

    /** Returns each cell's counts and estimates, keyed by its grid coordinates. */
    private static Map<String, String> results(Submission run) throws IOException {
        RunResults results = RunResults.single(run.folder());
        Map<String, String> byCell = new LinkedHashMap<>(results.countsByCell());
        for (JsonNode cell : results.summary().get("cells")) {
            String key = RunResults.coordinates(cell);
            byCell.put(key, byCell.get(key) + " p_event=" + cell.get("p_event") + " sd=" + cell.get("replicate_sd"));
        }
        return byCell;
    }
}
