package dev.kvcache.jobs.depth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvcache.jobs.ConsoleRun;
import dev.kvcache.jobs.ExitCodes;
import dev.kvcache.jobs.ReportMain;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the depth job on a real local SparkSession over a small grid and checks what it wrote. */
class DepthJobTest {
    /** n = 256 and 1024; 400 instances, so a schedule that never fails has a low end of 0.05^(1/400) = 0.9925. */
    static final List<String> GRID = List.of("job=depth", "depth.grid.n=[256, 1024]", "depth.grid.k=[2, 8, 24]",
        "depth.grid.s=[2, 4, 8]", "depth.grid.H=[1, 2]", "depth.grid.m=[1, 4]", "depth.grid.p=[1]",
        "depth.grid.laws=[function, permutation]", "depth.trials=400", "depth.unit_trials=100");

    @TempDir
    static Path root;

    private static ConsoleRun run;
    private static Path folder;

    @BeforeAll
    static void runJob() throws IOException {
        run = ConsoleRun.withSettings("local[2]", root, GRID);
        folder = onlyFolder(root);
    }

    static Path onlyFolder(Path parent) throws IOException {
        try (Stream<Path> entries = Files.list(parent)) {
            List<Path> folders = entries.filter(p -> p.getFileName().toString().startsWith("depth-")).toList();
            assertEquals(1, folders.size(), "run folders: " + folders);
            return folders.get(0);
        }
    }

    static JsonNode summary(Path runFolder) throws IOException {
        return new ObjectMapper().readTree(runFolder.resolve("summary.json").toFile());
    }

    static List<CSVRecord> csv(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return new ArrayList<>(CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(reader).getRecords());
        }
    }

    @Test
    void passes() {
        assertEquals(ExitCodes.PASS, run.exitCode(), run.console());
    }

    @Test
    void writesEveryOutput() {
        for (String name : List.of("config.conf", "manifest.json", "summary.json", "cells.csv", "windows.csv",
            "cells.parquet", "report.md", "report.html", "plots/layers-vs-hmp-n2^10-s8.png",
            "plots/layers-vs-k-over-s-n256-s4.png")) {
            assertTrue(Files.exists(folder.resolve(name)), name + " in " + folder);
        }
    }

    @Test
    void manifestNamesTheDepthJob() throws IOException {
        JsonNode manifest = new ObjectMapper().readTree(folder.resolve("manifest.json").toFile());
        assertEquals("depth", manifest.path("job").asText());
        assertEquals("pass", manifest.path("status").asText());
    }

    @Test
    void cellCountIsTheGridProduct() throws IOException {
        // 2 n x 3 s x 3 k x 2 laws x (2 H x 2 m x 1 p) = 144, and s = 8 fits both n.
        assertEquals(144, csv(folder.resolve("cells.csv")).size());
        assertEquals(144, summary(folder).path("cells").size());
    }

    /**
     * n = 1024, k = 24, s = 4, H = 2, m = 4, p = 1, by hand: H m p = 8, ceil(k/s) = 6,
     * log2(n)/(H m p) = 1.25, a read costs 2 layers; lower = 6, product = 12,
     * upper = min(24, 6 * 2) * 10 / 4 = 30. Windows of 4: 6 windows of 2 rounds + 1 read = 18 reads,
     * 36 layers; hop by hop 24 reads, 48 layers.
     */
    @Test
    void oneCellByHand() throws IOException {
        JsonNode cell = null;
        for (JsonNode c : summary(folder).path("cells")) {
            if (c.path("n").asLong() == 1024 && c.path("k").asLong() == 24 && c.path("s").asLong() == 4
                && c.path("H").asLong() == 2 && c.path("m").asLong() == 4 && "function".equals(c.path("law").asText())) {
                cell = c;
            }
        }
        assertTrue(cell != null, "cell not found");
        assertEquals(2, cell.path("read_layers").asLong());
        assertEquals(6.0, cell.path("lower_bound").asDouble());
        assertEquals(12.0, cell.path("product_bound").asDouble());
        assertEquals(30.0, cell.path("upper_bound").asDouble());
        assertEquals(48.0, cell.path("hop_layers").asDouble());
        assertEquals(4, cell.path("window").asLong());
        assertEquals(36.0, cell.path("window_layers").asDouble());
        assertEquals("window", cell.path("best_schedule").asText());
        assertEquals(3.0, cell.path("ratio_product").asDouble());
        assertEquals("limited", cell.path("bandwidth_regime").asText());
        assertEquals("pass", cell.path("verdict_floor").asText());
    }

    @Test
    void windowsWithinTheCacheAlwaysSucceed() throws IOException {
        int checked = 0;
        for (CSVRecord row : csv(folder.resolve("windows.csv"))) {
            if (Boolean.parseBoolean(row.get("within_cache"))) {
                assertEquals(row.get("trials"), row.get("successes"), row.toString());
                checked++;
            }
        }
        assertTrue(checked > 50, "windows checked: " + checked);
    }

    @Test
    void fitsCoverTheThreeBounds() throws IOException {
        JsonNode fits = summary(folder).path("fits");
        assertEquals(3, fits.size());
        assertEquals("lower", fits.get(0).path("bound").asText());
        assertEquals("reported", fits.get(0).path("verdict").asText());
        assertEquals("pass", fits.get(1).path("verdict").asText());
        assertEquals("pass", fits.get(2).path("verdict").asText());
    }

    @Test
    void reportRegeneratesIdentically() throws IOException {
        byte[] markdown = Files.readAllBytes(folder.resolve("report.md"));
        byte[] html = Files.readAllBytes(folder.resolve("report.html"));
        assertEquals(0, ReportMain.run(folder.toString()));
        assertArrayEquals(markdown, Files.readAllBytes(folder.resolve("report.md")));
        assertArrayEquals(html, Files.readAllBytes(folder.resolve("report.html")));
    }

    @Test
    void tamperedSummaryIsRejected() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<java.util.function.Consumer<ObjectNode>> changes = List.of(
            s -> s.put("status", "maybe"),
            s -> s.put("job", "other"),
            s -> s.remove("fits"),
            s -> ((ObjectNode) s.path("cells").get(0)).put("n", "abc"));
        for (int i = 0; i < changes.size(); i++) {
            Path copy = Files.createDirectories(root.resolve("tampered-" + i));
            Files.copy(folder.resolve("config.conf"), copy.resolve("config.conf"));
            ObjectNode summary = (ObjectNode) mapper.readTree(folder.resolve("summary.json").toFile());
            changes.get(i).accept(summary);
            mapper.writeValue(copy.resolve("summary.json").toFile(), summary);
            assertEquals(ExitCodes.INVALID_INPUT, ReportMain.run(copy.toString()), "change " + i);
            assertTrue(Files.notExists(copy.resolve("report.md")), "no report after change " + i);
        }
    }

    @Test
    void reportShowsTheBarrier() throws IOException {
        String report = Files.readString(folder.resolve("report.md"));
        assertTrue(report.contains("## Bandwidth regime"), report);
        assertTrue(report.contains("H m p = log2 n"), report);
    }

    @Test
    void countsDoNotDependOnPartitions() throws IOException {
        Path other = Files.createDirectories(root.resolve("partitions"));
        List<String> settings = new ArrayList<>(GRID);
        settings.add("partitions=3");
        ConsoleRun second = ConsoleRun.withSettings("local[1]", other, settings);
        assertEquals(ExitCodes.PASS, second.exitCode(), second.console());
        List<CSVRecord> first = csv(folder.resolve("windows.csv"));
        List<CSVRecord> again = csv(onlyFolder(other).resolve("windows.csv"));
        assertEquals(first.size(), again.size());
        for (int i = 0; i < first.size(); i++) {
            assertEquals(first.get(i).toMap(), again.get(i).toMap(), "row " + i);
        }
    }
}
