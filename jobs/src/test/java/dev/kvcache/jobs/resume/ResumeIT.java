package dev.kvcache.jobs.resume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvcache.jobs.RunResults;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stops runs of {@code submit.sh} and finishes them with {@code --resume}: a driver killed with
 * SIGKILL once some cells were committed, and a run that reached its {@code --time-budget}. Each
 * resumed run's {@code cells.csv} must equal an uninterrupted run's, timing columns aside.
 */
class ResumeIT {
    private static final Path PROJECT = Path.of("").toAbsolutePath().getParent();
    private static final List<String> GRID = List.of("--set", "grid.n=[4096]", "--set", "grid.s=[16, 64]",
        "--set", "grid.k=[2, 4, 8, 16]", "--set", "trials=5000000", "--set", "answer_trials=2000",
        "--set", "splitting.replicates=4", "--set", "partitions=12");

    @TempDir
    static Path root;

    private static Map<String, Map<String, String>> uninterrupted;

    @BeforeAll
    static void runOnce() throws IOException, InterruptedException {
        Path output = root.resolve("full");
        assertEquals(0, submit(output, GRID).waitFor(), "exit code of the uninterrupted run");
        uninterrupted = cells(RunResults.single(output).folder());
    }

    @Test
    void killedDriverResumesToTheSameCells() throws IOException, InterruptedException {
        Path output = root.resolve("killed");
        Process run = submit(output, GRID);
        Path folder = awaitCommittedCell(output, 120);
        // submit.sh execs java, so this is the driver itself.
        run.destroyForcibly();
        run.waitFor(30, TimeUnit.SECONDS);
        assertTrue(!Files.exists(folder.resolve("summary.json")), "the killed run did not finish");

        Process resumed = submit(root.resolve("unused"), List.of("--resume", folder.toString()));
        assertEquals(0, resumed.waitFor(), "exit code of the resumed run; log " + root.resolve("submit.log"));
        assertEquals(uninterrupted, cells(folder), "cells.csv after a killed driver and --resume");
    }

    @Test
    void timeBudgetStopsCleanlyAndResumes() throws IOException, InterruptedException {
        Path output = root.resolve("budget");
        List<String> args = new ArrayList<>(GRID);
        args.addAll(List.of("--time-budget", "2s"));
        assertEquals(4, submit(output, args).waitFor(), "exit code 4: incomplete");
        Path folder = onlyFolder(output);
        assertEquals("incomplete", new ObjectMapper().readTree(folder.resolve("manifest.json").toFile())
            .get("status").asText());
        assertTrue(!Files.exists(folder.resolve("summary.json")), "an incomplete run has no summary");

        assertEquals(0, submit(root.resolve("unused"), List.of("--resume", folder.toString())).waitFor(),
            "exit code of the resumed run");
        assertEquals(uninterrupted, cells(folder), "cells.csv after a time budget and --resume");
        assertEquals(2, submit(root.resolve("unused"), List.of("--resume", folder.toString())).waitFor(),
            "a finished run cannot be resumed");
    }

    @Test
    void resumeRefusesAChangedConfigurationAndABusyFolder() throws IOException, InterruptedException {
        // A stopped run made from the finished one: its marker, configuration and committed cells.
        Path full = RunResults.single(root.resolve("full")).folder();
        Path folder = Files.createDirectories(root.resolve("guarded").resolve(full.getFileName()));
        Files.copy(full.resolve("_RUN"), folder.resolve("_RUN"));
        Files.copy(full.resolve("config.conf"), folder.resolve("config.conf"));
        Path cells = Files.createDirectories(folder.resolve("cells"));
        try (Stream<Path> files = Files.list(full.resolve("cells"))) {
            for (Path file : files.toList()) {
                Files.copy(file, cells.resolve(file.getFileName()));
            }
        }

        // Another live process of this host has the folder: this test's JVM.
        String host = java.net.InetAddress.getLocalHost().getHostName();
        Files.writeString(folder.resolve("_LOCK"), host + " " + ProcessHandle.current().pid() + "\n");
        assertEquals(2, submit(root.resolve("unused"), List.of("--resume", folder.toString())).waitFor(),
            "a folder in use by a live process is refused");
        Files.delete(folder.resolve("_LOCK"));

        Path config = folder.resolve("config.conf");
        String text = Files.readString(config);
        assertTrue(text.contains("seed=20261204"), "the seed as config.conf renders it");
        Files.writeString(config, text.replace("seed=20261204", "seed=12345"));
        assertEquals(2, submit(root.resolve("unused"), List.of("--resume", folder.toString())).waitFor(),
            "cells committed under another config.conf are refused");
        assertTrue(!Files.exists(folder.resolve("summary.json")), "nothing was finished with mixed results");
    }

    private static Process submit(Path output, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(PROJECT.resolve("submit.sh").toString(), "--output",
            output.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("submit.log").toFile()));
        return builder.start();
    }

    private static Path awaitCommittedCell(Path output, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(output)) {
                Path folder = onlyFolder(output);
                Path cells = folder.resolve("cells");
                if (Files.isDirectory(cells)) {
                    try (Stream<Path> files = Files.list(cells)) {
                        if (files.anyMatch(p -> p.getFileName().toString().endsWith(".json"))) {
                            return folder;
                        }
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no cell was committed under " + output + " within " + seconds + " s");
    }

    private static Path onlyFolder(Path output) throws IOException {
        try (Stream<Path> folders = Files.list(output)) {
            List<Path> all = folders.toList();
            assertEquals(1, all.size(), "one run folder under " + output);
            return all.get(0);
        }
    }

    /** Returns cells.csv by cell coordinates, without the timing columns. */
    private static Map<String, Map<String, String>> cells(Path folder) throws IOException {
        Map<String, Map<String, String>> byCell = new LinkedHashMap<>();
        try (Reader reader = Files.newBufferedReader(folder.resolve("cells.csv"), StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
            for (CSVRecord row : parser) {
                Map<String, String> values = new LinkedHashMap<>(row.toMap());
                values.remove("seconds");
                values.remove("trials_per_second");
                byCell.put(row.get("n") + " " + row.get("s") + " " + row.get("k") + " " + row.get("controller") + " "
                    + row.get("law"), values);
            }
        }
        return byCell;
    }
}
