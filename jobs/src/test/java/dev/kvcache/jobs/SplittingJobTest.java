package dev.kvcache.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvcache.engine.stats.ReplicateMean;
import dev.kvcache.jobs.config.ConfigLoader;
import dev.kvcache.jobs.config.SeparationSettings;
import dev.kvcache.jobs.plan.Cell;
import dev.kvcache.jobs.plan.Plan;
import dev.kvcache.jobs.plan.Planner;
import dev.kvcache.jobs.plan.WorkUnit;
import dev.kvcache.jobs.run.UnitOutcome;
import dev.kvcache.jobs.run.UnitRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the separation job with splitting cells on a real local SparkSession. The replicates'
 * estimates must not depend on partitions or the master, and must equal a sequential run of the
 * same units. They fill the summary's splitting fields and the separation pairs, and agree with
 * plain Monte Carlo where both can run.
 */
class SplittingJobTest {

    /**
     * P(E) of the oblivious cells: about 4e-9 for the fixed sets (a start that points to itself,
     * s/n^2), 5.4e-20 and 2.2e-22 for random-fresh (T = 4 and 6); follow has P(E) = s/n and runs
     * plain.
     */
    private static final List<String> GRID = List.of(
        "grid.n=[\"2^16\"]", "grid.s=[16]", "grid.k=[16, 64]", "grid.controllers=[random-fresh, random-fixed, window, follow]",
        "grid.laws=[function]", "trials=20000", "answer_trials=500", "splitting.replicates=6",
        "splitting.particles=100", "splitting.survivors=4000");

    @TempDir
    static Path root;

    private static final Map<String, RunResults> RUNS = new LinkedHashMap<>();

    @BeforeAll
    static void runAll() throws IOException {
        RUNS.put("one partition", run("one", "local[2]", GRID, "partitions=1"));
        RUNS.put("7 partitions", run("seven", "local[2]", GRID, "partitions=7"));
        RUNS.put("local[1]", run("local1", "local[1]", GRID));
    }

    private static RunResults run(String name, String master, List<String> grid, String... more) throws IOException {
        Path output = Files.createDirectories(root.resolve(name));
        List<String> assignments = new ArrayList<>(grid);
        assignments.addAll(List.of(more));
        ConsoleRun run = ConsoleRun.withSettings(master, output, assignments);
        // Fixed seeds: a failed verdict here is a false alarm (family-wise rate at most alpha = 0.01) or a bug.
        assertEquals(ExitCodes.PASS, run.exitCode(), "exit code of the run " + name + "\n" + run.console());
        return RunResults.single(output);
    }

    @Test
    void splittingCellsReportTheirEstimator() throws IOException {
        int splitting = 0;
        for (JsonNode cell : RUNS.get("one partition").summary().get("cells")) {
            String where = RunResults.coordinates(cell);
            if (cell.get("controller").asText().equals("follow")) {
                assertEquals("plain", cell.get("estimator").asText(), where);
                assertEquals(20000, cell.get("trials").asLong(), where);
                assertEquals(0, cell.get("replicates").asLong(), where);
                assertTrue(cell.get("replicate_sd").isNull(), where);
                continue;
            }
            splitting++;
            assertEquals("splitting", cell.get("estimator").asText(), where);
            assertEquals(6, cell.get("replicates").asLong(), where);
            assertEquals(500, cell.get("trials").asLong(), "plain trials for p_wrong in " + where);
            double estimate = cell.get("p_event").asDouble();
            double exact = cell.get("exact").asDouble();
            assertTrue(estimate > 0, where + ": " + estimate);
            assertTrue(estimate < 1e-7, where + ": " + estimate);
            assertTrue(cell.get("ci_low").asDouble() <= estimate, where);
            assertTrue(estimate <= cell.get("ci_high").asDouble(), where);
            double relError = cell.get("rel_error").asDouble();
            assertEquals((cell.get("ci_high").asDouble() - cell.get("ci_low").asDouble()) / 2 / estimate, relError,
                1e-9 * relError, "rel_error is the interval's half-width over the estimate in " + where);
            assertTrue(relError > 0, where + ": " + relError);
            assertTrue(relError < 0.5, where + ": " + relError);
            assertEquals("pass", cell.get("verdict_model").asText(), where + " against exact " + exact);
            assertTrue(cell.get("p_wrong").isNumber(), "p_wrong from the plain trials in " + where);
        }
        assertEquals(6, splitting, "3 oblivious controllers x 2 values of k");
        JsonNode summary = RUNS.get("one partition").summary();
        assertEquals(6, summary.get("cells_splitting").asLong());
        assertEquals(36, summary.get("replicates_total").asLong(), "6 cells x 6 replicates");
        assertEquals(6 * 500 + 2 * 20000, summary.get("trials_total").asLong(), "plain trials only");
    }

    @Test
    void estimatesDoNotDependOnPartitionsOrMaster() throws IOException {
        Map<String, String> one = estimates(RUNS.get("one partition"));
        assertEquals(8, one.size());
        assertEquals(one, estimates(RUNS.get("7 partitions")), "1 and 7 partitions");
        assertEquals(one, estimates(RUNS.get("local[1]")), "local[2] and local[1]");
    }

    private static Map<String, String> estimates(RunResults results) throws IOException {
        Map<String, String> byCell = new LinkedHashMap<>();
        for (JsonNode cell : results.summary().get("cells")) {
            byCell.put(RunResults.coordinates(cell), cell.get("p_event").toString() + " " + cell.get("ci_low")
                + " " + cell.get("ci_high") + " " + cell.get("replicate_sd") + " " + cell.get("events"));
        }
        return byCell;
    }

    @Test
    void estimatesEqualSequentialReplicates() throws IOException {
        SeparationSettings settings = ConfigLoader.load(null, GRID);
        Plan plan = Planner.plan(settings, 1);
        Map<String, JsonNode> sparkCells = new LinkedHashMap<>();
        for (JsonNode cell : RUNS.get("7 partitions").summary().get("cells")) {
            sparkCells.put(RunResults.coordinates(cell), cell);
        }
        for (Cell cell : plan.cells()) {
            if (!cell.splitting()) {
                continue;
            }
            double[] replicates = new double[cell.replicates()];
            for (WorkUnit unit : plan.partitions().get(0)) {
                if (unit.cellIndex() == cell.index() && unit.replicate()) {
                    UnitOutcome outcome = UnitRunner.run(cell, unit, settings.seed(), settings.controllerSettings(),
                        settings.estimator());
                    replicates[(int) unit.block()] = outcome.replicateEstimates()[0];
                }
            }
            ReplicateMean mean = ReplicateMean.of(replicates);
            JsonNode spark = sparkCells.get(cell.label());
            assertEquals(mean.mean(), spark.get("p_event").asDouble(), 0, "p_event of " + cell.label());
            assertEquals(mean.standardDeviation(), spark.get("replicate_sd").asDouble(), 0, cell.label());
        }
    }

    @Test
    void separationPairsEveryAdaptiveWithEveryObliviousCell() throws IOException {
        RunResults results = RUNS.get("one partition");
        JsonNode pairs = results.summary().get("separation");
        assertEquals(6, pairs.size(), "follow x 3 oblivious controllers x 2 values of k");
        Map<String, Double> estimates = new LinkedHashMap<>();
        for (JsonNode cell : results.summary().get("cells")) {
            estimates.put(cell.get("controller").asText() + " " + cell.get("k").asLong(), cell.get("p_event").asDouble());
        }
        for (JsonNode pair : pairs) {
            long k = pair.get("k").asLong();
            String where = pair.get("oblivious").asText() + " k=" + k;
            assertEquals("follow", pair.get("adaptive").asText());
            assertEquals("splitting", pair.get("oblivious_estimator").asText(), where);
            double ratio = estimates.get("follow " + k) / estimates.get(pair.get("oblivious").asText() + " " + k);
            assertEquals(ratio, pair.get("ratio").asDouble(), 1e-12 * ratio, where);
            assertTrue(pair.get("ratio_low").asDouble() <= ratio, where);
            assertTrue(ratio <= pair.get("ratio_high").asDouble(), where);
            long stages = pair.get("T").asLong();
            assertEquals(Math.pow(4096, stages - 1), pair.get("theory_ratio").asDouble(), 1e-9, where);
        }
        assertEquals(7, results.csvRows("separation.csv").size() + 1, "separation.csv: header and 6 rows");
    }

    @Test
    void splittingAgreesWithPlainEstimates() throws IOException {
        // P(E) = 2^-10 for every controller here (closed form for random-fresh, rho-law sum for the fixed sets).
        List<String> grid = List.of("grid.n=[1024]", "grid.s=[32]", "grid.k=[4]",
            "grid.controllers=[random-fresh, random-fixed, window, strided]", "grid.laws=[function, permutation]",
            "trials=1000000", "answer_trials=0", "splitting.particles=100", "splitting.survivors=4000",
            "splitting.replicates=16");
        RunResults plain = run("plain", "local[2]", grid, "estimator=plain");
        RunResults splitting = run("splitting", "local[2]", grid, "estimator=splitting");
        Map<String, JsonNode> plainCells = new LinkedHashMap<>();
        for (JsonNode cell : plain.summary().get("cells")) {
            plainCells.put(RunResults.coordinates(cell), cell);
        }
        for (JsonNode cell : splitting.summary().get("cells")) {
            String where = RunResults.coordinates(cell);
            JsonNode other = plainCells.get(where);
            assertEquals("splitting", cell.get("estimator").asText(), where);
            assertEquals("plain", other.get("estimator").asText(), where);
            double p = other.get("p_event").asDouble();
            double plainVariance = p * (1 - p) / other.get("trials").asLong();
            double splitSe = cell.get("replicate_sd").asDouble() / Math.sqrt(16);
            double z = (cell.get("p_event").asDouble() - p) / Math.sqrt(plainVariance + splitSe * splitSe);
            double pValue = 2 * new NormalDistribution().cumulativeProbability(-Math.abs(z));
            // One two-sided z test per cell at level 1e-6: 8 cells, false-alarm rate below 1e-5.
            assertTrue(pValue > 1e-6, where + ": splitting " + cell.get("p_event") + " vs plain " + p + ", z = " + z);
        }
    }
}
