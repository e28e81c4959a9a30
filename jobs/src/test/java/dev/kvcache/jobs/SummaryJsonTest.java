package dev.kvcache.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import dev.kvcache.jobs.config.ConfigLoader;
import dev.kvcache.jobs.config.SeparationSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the files of one small run: {@code summary.json} is strict JSON with the documented
 * fields, {@code cells.csv} and {@code cells.parquet} hold the same cells, and
 * {@code config.conf} is HOCON that loads back to the same settings.
 */
class SummaryJsonTest {

    /**
     * 12 cells: s = 4 lies inside the theorem regime for n = 256 and k = 4, s = 16 outside it. No
     * trial follows the query to its answer, so p_wrong and its interval do not exist and must be
     * written as null.
     */
    private static final List<String> GRID = List.of(
        "grid.n=[256]", "grid.s=[4, 16]", "grid.k=[4]", "grid.controllers=[random-fresh, window, follow]",
        "grid.laws=[function, permutation]", "trials=2000", "answer_trials=0", "estimator=plain");

    /** The cell fields that the summary must hold. */
    private static final List<String> CELL_FIELDS = List.of(
        "n", "s", "k", "T", "controller", "class", "law", "trials", "events", "p_event", "ci_low", "ci_high",
        "p_wrong", "exact", "paper", "regime", "verdict_model", "verdict_theory", "trials_per_second");

    @TempDir
    static Path root;

    private static ConsoleRun run;
    private static RunResults results;

    @BeforeAll
    static void runOnce() throws IOException {
        List<String> args = new ArrayList<>(List.of("--master", "local[2]", "--output", root.toString()));
        for (String assignment : GRID) {
            args.add("--set");
            args.add(assignment);
        }
        run = ConsoleRun.of(args.toArray(new String[0]));
        results = RunResults.single(root);
    }

    @Test
    void runPasses() {
        // Fixed seed: a failed verdict here is a false alarm (family-wise rate at most alpha = 0.01) or a bug.
        assertEquals(ExitCodes.PASS, run.exitCode(), "exit code\n" + run.console());
    }

    @Test
    void summaryIsStrictJson() throws IOException {
        String text = Files.readString(results.file("summary.json"), StandardCharsets.UTF_8);

        assertNotNull(results.summary(), "summary.json parses with Jackson's default strictness");
        assertFalse(text.contains("NaN"), "no NaN token in summary.json");
        assertFalse(text.contains("Infinity"), "no Infinity token in summary.json");
    }

    @Test
    void summaryRunFields() throws IOException {
        JsonNode summary = results.summary();

        assertEquals(results.folder().getFileName().toString(), summary.get("run_id").asText(), "run_id is the folder name");
        assertEquals("pass", summary.get("status").asText(), "status");
        assertTrue(summary.get("seconds").isNumber(), "seconds is a number: " + summary.get("seconds"));
        assertTrue(summary.get("seconds").asDouble() > 0, "seconds is positive: " + summary.get("seconds"));
        assertEquals(12 * 2000, summary.get("trials_total").asLong(), "trials_total = 12 cells x 2000");
        assertEquals(12, summary.get("cells").size(), "cells");
        assertEquals(12, summary.get("cells_total").asInt(), "cells_total");
        assertEquals(0, summary.get("cells_failed").asInt(), "cells_failed");
        assertEquals(0, summary.get("skipped").size(), "skipped");
        assertEquals(20261204L, summary.get("seed").asLong(), "seed from defaults.conf");
    }

    @Test
    void summaryCellFields() throws IOException {
        for (JsonNode cell : results.summary().get("cells")) {
            String label = RunResults.coordinates(cell);
            for (String field : CELL_FIELDS) {
                assertTrue(cell.has(field), "field " + field + " of " + label);
            }

            for (String field : List.of("n", "s", "k", "T", "trials", "events")) {
                assertTrue(cell.get(field).isIntegralNumber(), field + " is an integer in " + label);
            }
            for (String field : List.of("controller", "class", "law", "verdict_model")) {
                assertTrue(cell.get(field).isTextual(), field + " is a string in " + label);
            }
            for (String field : List.of("p_event", "ci_low", "ci_high", "exact", "paper", "trials_per_second")) {
                assertTrue(cell.get(field).isNumber(), field + " is a number in " + label + ": " + cell.get(field));
            }
            assertTrue(cell.get("regime").isBoolean(), "regime is a boolean in " + label);
            assertTrue(cell.get("p_wrong").isNull(), "p_wrong is null when no trial answered, in " + label);
            assertEquals(2000, cell.get("trials").asLong(), "trials of " + label);
            assertEquals(2, cell.get("T").asInt(), "T = ceil(log2 4) in " + label);
        }
    }

    @Test
    void summaryCellValuesConsistent() throws IOException {
        for (JsonNode cell : results.summary().get("cells")) {
            String label = RunResults.coordinates(cell);
            double pEvent = cell.get("p_event").asDouble();
            long s = cell.get("s").asLong();
            boolean regime = s == 4;

            assertEquals(cell.get("events").asDouble() / 2000, pEvent, 0.0, "p_event = events / trials in " + label);
            assertTrue(cell.get("ci_low").asDouble() <= pEvent, "ci_low <= p_event in " + label);
            assertTrue(pEvent <= cell.get("ci_high").asDouble(), "p_event <= ci_high in " + label);
            assertEquals(regime, cell.get("regime").asBoolean(), "regime: s <= sqrt(256)/4 = 4 in " + label);
            if (regime) {
                assertEquals("pass", cell.get("verdict_theory").asText(), "theory verdict inside the regime in " + label);
            } else {
                assertTrue(cell.get("verdict_theory").isNull(), "no theory verdict outside the regime in " + label);
            }
            String controller = cell.get("controller").asText();
            if (controller.equals("follow")) {
                assertEquals(s / 256.0, cell.get("exact").asDouble(), 0.0, "adaptive P(E) = s/n in " + label);
                assertEquals("adaptive", cell.get("class").asText(), "class of " + label);
            } else if (controller.equals("random-fresh")) {
                assertEquals(Math.pow(s / 256.0, 2), cell.get("exact").asDouble(), 1e-18, "(s/n)^T in " + label);
                assertEquals("oblivious", cell.get("class").asText(), "class of " + label);
            }
        }
    }

    @Test
    void csvAgreesWithSummary() throws IOException {
        List<CSVRecord> rows = results.csvRows();
        List<String> header = results.csvHeader();
        JsonNode cells = results.summary().get("cells");

        assertEquals(cells.size(), rows.size(), "one CSV row per summary cell");
        for (int i = 0; i < rows.size(); i++) {
            CSVRecord row = rows.get(i);
            JsonNode cell = cells.get(i);
            String label = RunResults.coordinates(cell);
            List<String> jsonFields = new ArrayList<>();
            cell.fieldNames().forEachRemaining(jsonFields::add);

            assertEquals(jsonFields, header, "CSV header and summary fields, in order");
            for (String field : jsonFields) {
                assertCsvEquals(cell.get(field), row.get(field), field + " of " + label);
            }
        }
    }

    @Test
    void parquetReadsBack() throws IOException {
        JsonNode cells = results.summary().get("cells");
        long summaryEvents = 0;
        for (JsonNode cell : cells) {
            summaryEvents += cell.get("events").asLong();
        }

        SparkSession spark = SparkSession.builder().master("local[1]").appName("summary-json-test")
            .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        try {
            Dataset<Row> parquet = spark.read().parquet(results.file("cells.parquet").toString());
            long rows = parquet.count();
            long parquetEvents = parquet.agg(org.apache.spark.sql.functions.sum("events")).first().getLong(0);
            List<String> columns = List.of(parquet.columns());

            assertEquals(cells.size(), rows, "Parquet rows");
            assertEquals(summaryEvents, parquetEvents, "events summed over the Parquet rows");
            for (String field : CELL_FIELDS) {
                assertTrue(columns.contains(field), "Parquet column " + field + " in " + columns);
            }
        } finally {
            spark.stop();
        }
    }

    @Test
    void configConfIsHocon() throws IOException {
        Path file = results.file("config.conf");

        assertTrue(Files.isRegularFile(file), "config.conf exists");
        Config config = ConfigFactory.parseFile(file.toFile(),
            ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
        assertEquals(2000, config.getLong("trials"), "trials in config.conf");
        assertEquals(0, config.getLong("answer_trials"), "answer_trials in config.conf");
        assertEquals(List.of("random-fresh", "window", "follow"), config.getStringList("grid.controllers"),
            "grid.controllers in config.conf");
    }

    @Test
    void configConfReloadsToSameSettings() {
        SeparationSettings original = ConfigLoader.load(null, GRID);
        SeparationSettings reloaded = ConfigLoader.load(results.file("config.conf"), List.of());

        assertEquals(withoutText(original), withoutText(reloaded), "settings loaded back from config.conf");
    }

    private static SeparationSettings withoutText(SeparationSettings s) {
        return new SeparationSettings(s.gridN(), s.gridS(), s.gridK(), s.controllers(), s.laws(), s.engines(),
            s.scenarios(), s.trials(), s.relError(), s.maxTrials(), s.seed(), s.confidence(), s.alpha(), s.answerTrials(), s.partitions(), s.unitTrials(),
            s.missRule(), s.controllerSettings(), s.estimator(), "");
    }

    /** Compares a summary value with its CSV text: null is empty, arrays are joined by ';'. */
    private static void assertCsvEquals(JsonNode json, String csv, String what) {
        if (json.isNull()) {
            assertEquals("", csv, what + " is null in JSON and empty in CSV");
        } else if (json.isArray()) {
            List<String> values = new ArrayList<>();
            for (JsonNode element : json) {
                values.add(element.asText());
            }
            assertEquals(String.join(";", values), csv, what);
        } else if (json.isIntegralNumber()) {
            assertEquals(json.asLong(), Long.parseLong(csv), what);
        } else if (json.isNumber()) {
            assertEquals(json.asDouble(), Double.parseDouble(csv), 0.0, what);
        } else {
            assertEquals(json.asText(), csv, what);
        }
    }
}
