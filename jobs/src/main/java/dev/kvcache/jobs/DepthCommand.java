package dev.kvcache.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvcache.jobs.config.ConfigLoader;
import dev.kvcache.jobs.config.DepthSettings;
import dev.kvcache.jobs.config.InvalidConfigException;
import dev.kvcache.jobs.depth.DepthJob;
import dev.kvcache.jobs.depth.DepthPlan;
import dev.kvcache.jobs.depth.DepthResults;
import dev.kvcache.jobs.depth.DepthResults.CellRow;
import dev.kvcache.jobs.depth.DepthResults.Fit;
import dev.kvcache.jobs.output.ConsoleTable;
import dev.kvcache.jobs.output.Manifest;
import dev.kvcache.jobs.output.OutputRoot;
import dev.kvcache.jobs.output.ResultWriter;
import dev.kvcache.jobs.output.RunFolder;
import dev.kvcache.jobs.report.Report;
import dev.kvcache.jobs.report.Reports;
import java.io.PrintStream;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution of the depth job: validate, start Spark, plan, simulate, judge, write, print.
 * Input errors surface before anything is written.
 */
final class DepthCommand {
    private static final Logger LOG = LoggerFactory.getLogger(DepthCommand.class);
    private static final String JOB = ConfigLoader.DEPTH;
    private static final int PARTITIONS_PER_CORE = 8;
    private static final long PROGRESS_INTERVAL_NANOS = 10_000_000_000L;

    private final Main options;
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    DepthCommand(Main options) {
        this.options = options;
    }

    int execute() {
        DepthSettings settings;
        Map<String, String> sparkConf;
        try {
            sparkConf = SeparationCommand.parseSparkConf(options.sparkConf);
            SparkSessions.checkConf(sparkConf);
            SparkSessions.checkMaster(options.master);
            if (options.timeBudget != null) {
                throw new InvalidConfigException("--time-budget applies to the separation job only; the depth job"
                    + " runs in minutes, so drop --time-budget (or make the depth grid smaller)");
            }
            settings = ConfigLoader.loadDepth(options.config, options.assignments);
            OutputRoot.check(options.output);
        } catch (InvalidConfigException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }

        ZonedDateTime startedAt = ZonedDateTime.now();
        long startNanos = System.nanoTime();
        SparkSession started;
        try {
            started = SparkSessions.startChecked("kvcache-" + JOB, options.master, options.ui, sparkConf);
        } catch (InvalidConfigException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        RunFolder created = null;
        String master = started.sparkContext().master();
        String sparkVersion = started.version();
        try (SparkSession spark = started) {
            int parallelism = spark.sparkContext().defaultParallelism();
            int partitions = settings.partitions() > 0 ? settings.partitions() : PARTITIONS_PER_CORE * parallelism;
            DepthPlan plan = DepthPlan.of(settings, partitions);
            if (plan.cells().isEmpty()) {
                err.println("error: every combination of depth.grid.n and depth.grid.s was skipped ("
                    + String.join("; ", plan.skipped()) + "); give cache sizes of at most n");
                return ExitCodes.INVALID_INPUT;
            }
            for (String line : plan.skipped()) {
                LOG.warn("skipped grid combination {}", line);
            }
            err.printf(Locale.ROOT, "depth: %d cells over %d simulations of %d instances each, %d work units on %d"
                    + " partitions (master %s)%n", plan.cells().size(), plan.simulations().size(), settings.trials(),
                plan.unitCount(), plan.partitions().size(), spark.sparkContext().master());

            String configText = settings.resolved();
            RunFolder folder = RunFolder.create(options.output, JOB, startedAt, spark.sparkContext().hadoopConfiguration());
            created = folder;
            folder.lock();
            ResultWriter.writeConfig(folder, configText);
            Manifest.write(folder, Manifest.of(facts(folder, "running", -1, settings, spark, startedAt, null, 0), JOB));

            long jobStart = System.nanoTime();
            List<DepthJob.Counts> counts = DepthJob.run(spark, plan, settings.seed(), err, PROGRESS_INTERVAL_NANOS,
                System::nanoTime);
            double seconds = (System.nanoTime() - jobStart) / 1e9;
            DepthResults results = DepthResults.of(settings, plan, counts);
            boolean passed = results.passed();
            String status = passed ? DepthResults.PASS : DepthResults.FAIL;

            ResultWriter.writeTable(folder, "cells.csv", results.cellColumns());
            ResultWriter.writeTable(folder, "windows.csv", results.windowColumns());
            ResultWriter.writeParquet(spark, folder, "cells.parquet", results.cellColumns());
            ObjectNode summary = summary(folder.runId(), status, settings, plan, results, spark, startedAt,
                (System.nanoTime() - startNanos) / 1e9);
            List<String> reportFiles = Reports.write(summary, configText,
                (path, bytes) -> ResultWriter.writeFile(folder, path, bytes));
            ResultWriter.writeSummary(folder, summary);
            Manifest.write(folder, Manifest.of(facts(folder, status, passed ? ExitCodes.PASS : ExitCodes.VERDICT_FAILED,
                settings, spark, startedAt, ZonedDateTime.now(), (System.nanoTime() - startNanos) / 1e9), JOB));
            folder.unlock();

            printResults(results, plan, settings, status, seconds);
            out.println("results: " + folder.path());
            out.println("report:  " + folder.file(reportFiles.get(0)) + " and " + reportFiles.get(1) + ", "
                + (reportFiles.size() - 2) + " plots in " + Report.PLOTS + "/");
            return passed ? ExitCodes.PASS : ExitCodes.VERDICT_FAILED;
        } catch (InvalidConfigException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        } catch (Exception e) {
            LOG.error("run failed", e);
            err.println("error: the run failed: " + e);
            markFailed(created, settings, master, sparkVersion, startedAt, startNanos);
            return ExitCodes.RUNTIME_FAILURE;
        }
    }

    /**
     * Records a caught runtime failure in the run folder, if one was created: manifest status
     * {@code failed} with exit code 3, and the lock released. A failure to do so is logged only,
     * because the run has already failed.
     */
    private static void markFailed(RunFolder folder, DepthSettings settings, String master, String sparkVersion,
                                   ZonedDateTime startedAt, long startNanos) {
        if (folder == null) {
            return;
        }
        try {
            // Spark has stopped by now, so the executor count is unknown (0).
            Manifest.write(folder, Manifest.of(new Manifest.Facts(folder.runId(), "failed", ExitCodes.RUNTIME_FAILURE,
                settings.resolved(), settings.seed(), master, 0, sparkVersion, startedAt.toOffsetDateTime().toString(),
                ZonedDateTime.now().toOffsetDateTime().toString(), (System.nanoTime() - startNanos) / 1e9), JOB));
            folder.unlock();
        } catch (Exception e) {
            LOG.error("cannot mark the run folder {} as failed", folder.path(), e);
        }
    }

    /** Prints the fits, the bandwidth table, the failures and notes, and the closing status line. */
    private void printResults(DepthResults results, DepthPlan plan, DepthSettings settings, String status,
                              double seconds) {
        long regime = results.cells().stream().filter(c -> c.bounds().theoremRegime()).count();
        long floorFailures = results.cells().stream().filter(c -> DepthResults.FAIL.equals(c.floorVerdict())).count();
        long scalingFailures = results.fits().stream().filter(f -> DepthResults.FAIL.equals(f.verdict())).count();
        long tested = results.fits().stream().filter(f -> f.enforced() && f.verdict() != null).count();

        out.println();
        out.print(fitTable(results));
        out.println();
        out.print(bandwidthTable(results));
        out.println();
        for (String failure : results.failures()) {
            out.println(failure);
        }
        for (Fit fit : results.fits()) {
            if (fit.enforced() && fit.verdict() == null) {
                out.printf(Locale.ROOT, "note: the %s bound's fit has no cell in its scope (%s), so its scaling"
                    + " verdict was not tested%n", fit.bound(), fit.scope());
            }
        }
        if (tested == 0 && regime == 0) {
            out.println("note: no verdict was tested, because no cell lies in the theorem regime or in a judged"
                + " fit's scope, so the status only shows whether every schedule ran");
        }
        out.println("note: windowed doubling assumes that the cache holds each window; a controller that admits"
            + " only positions a read named learns one chain position per read, and then only hop by hop"
            + " (k reads) applies (docs/model.md, section 11)");

        out.printf(Locale.ROOT, "%s: %d cells (%d in the theorem regime), %d simulations x %d instances, %.1f s;"
                + " scaling verdicts failed: %d of %d; floor verdicts failed: %d of %d%s%n",
            status.toUpperCase(Locale.ROOT), results.cells().size(), regime, plan.simulations().size(),
            settings.trials(), seconds, scalingFailures, tested, floorFailures, regime,
            plan.skipped().isEmpty() ? "" : "; " + plan.skipped().size() + " grid combination"
                + (plan.skipped().size() == 1 ? "" : "s") + " skipped (listed in summary.json)");
    }

    private static Manifest.Facts facts(RunFolder folder, String status, int exitCode, DepthSettings settings,
                                        SparkSession spark, ZonedDateTime startedAt, ZonedDateTime finishedAt,
                                        double seconds) {
        return new Manifest.Facts(folder.runId(), status, exitCode, settings.resolved(), settings.seed(),
            spark.sparkContext().master(), SparkSessions.executors(spark), spark.version(),
            startedAt.toOffsetDateTime().toString(), finishedAt == null ? null : finishedAt.toOffsetDateTime().toString(),
            seconds);
    }

    private ObjectNode summary(String runId, String status, DepthSettings settings, DepthPlan plan,
                               DepthResults results, SparkSession spark, ZonedDateTime startedAt, double seconds) {
        ObjectNode root = ResultWriter.newObject();
        root.put("run_id", runId);
        root.put("status", status);
        root.put("seconds", seconds);
        root.put("job", JOB);
        root.put("config_file", options.config == null ? null : options.config.toString());
        root.put("seed", settings.seed());
        root.put("confidence", settings.confidence());
        root.put("delta", settings.delta());
        root.put("spread_limit", settings.spreadLimit());
        root.put("floor_constant", settings.floorConstant());
        root.put("master", spark.sparkContext().master());
        root.put("spark_version", spark.version());
        root.put("java_version", System.getProperty("java.version"));
        root.put("partitions", plan.partitions().size());
        root.put("work_units", plan.unitCount());
        root.put("trials_total", plan.totalTrials());
        root.put("cells_total", results.cells().size());
        root.put("cells_failed", results.cells().stream()
            .filter(c -> c.best() == null || DepthResults.FAIL.equals(c.floorVerdict())).count());
        root.put("started_at", startedAt.toOffsetDateTime().toString());
        root.put("finished_at", ZonedDateTime.now().toOffsetDateTime().toString());
        ArrayNode skipped = root.putArray("skipped");
        plan.skipped().forEach(skipped::add);
        ArrayNode failures = root.putArray("failures");
        results.failures().forEach(failures::add);
        putRows(root.putArray("fits"), results.fitColumns());
        putRows(root.putArray("cells"), results.cellColumns());
        putRows(root.putArray("windows"), results.windowColumns());
        return root;
    }

    private static void putRows(ArrayNode array, List<Map<String, Object>> rows) {
        for (Map<String, Object> row : rows) {
            ResultWriter.putRow(array.addObject(), row);
        }
    }

    /** Returns the fits as a console table. */
    static String fitTable(DepthResults results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"bound", "scope", "cells", "constant", "min ratio", "max ratio", "spread", "verdict"});
        for (Fit fit : results.fits()) {
            rows.add(new String[] {fit.bound(), fit.scope(), Integer.toString(fit.cells()), number(fit.constant()),
                number(fit.minRatio()), number(fit.maxRatio()), number(fit.spread()),
                fit.verdict() == null ? "no cells" : fit.verdict()});
        }
        return ConsoleTable.render(rows, c -> c >= 2 && c <= 6);
    }

    /**
     * Returns, per n and H m p, the read cost and the median of measured layers over the cache
     * windows {@code ceil(k/s)}: it falls as H m p grows until log2 n, then stays at the reads per
     * window.
     */
    static String bandwidthTable(DepthResults results) {
        Map<Long, Map<Long, List<CellRow>>> byN = new TreeMap<>();
        for (CellRow row : results.cells()) {
            byN.computeIfAbsent(row.bounds().n(), n -> new TreeMap<>())
                .computeIfAbsent(row.bounds().bandwidth(), h -> new ArrayList<>()).add(row);
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"n", "log2 n", "H m p", "regime", "layers per read", "median layers / ceil(k/s)"});
        for (Map.Entry<Long, Map<Long, List<CellRow>>> n : byN.entrySet()) {
            for (Map.Entry<Long, List<CellRow>> hmp : n.getValue().entrySet()) {
                CellRow first = hmp.getValue().get(0);
                double[] perWindow = hmp.getValue().stream().filter(c -> c.best() != null)
                    .mapToDouble(c -> c.bestLayers() / c.bounds().cacheWindows()).sorted().toArray();
                rows.add(new String[] {power(n.getKey()), number(first.bounds().log2n()), Long.toString(hmp.getKey()),
                    first.bounds().bandwidthBarrier() ? "barrier" : "limited", Long.toString(first.bounds().readLayers()),
                    perWindow.length == 0 ? "-" : number(median(perWindow))});
            }
        }
        return ConsoleTable.render(rows, c -> c != 3);
    }

    private static double median(double[] sorted) {
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static String number(double x) {
        if (!Double.isFinite(x)) {
            return "-";
        }
        return x == Math.rint(x) && Math.abs(x) < 1e9 ? Long.toString((long) x) : String.format(Locale.ROOT, "%.3g", x);
    }

    private static String power(long n) {
        return n >= 1024 && Long.bitCount(n) == 1 ? "2^" + Long.numberOfTrailingZeros(n) : Long.toString(n);
    }
}
