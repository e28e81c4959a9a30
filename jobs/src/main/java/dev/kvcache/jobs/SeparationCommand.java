package dev.kvcache.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvcache.jobs.config.ConfigLoader;
import dev.kvcache.jobs.config.EstimatorSettings;
import dev.kvcache.jobs.config.InvalidConfigException;
import dev.kvcache.jobs.config.SeparationSettings;
import dev.kvcache.jobs.output.CellStore;
import dev.kvcache.jobs.output.ConsoleTable;
import dev.kvcache.jobs.output.Manifest;
import dev.kvcache.jobs.output.OutputRoot;
import dev.kvcache.jobs.output.ResultWriter;
import dev.kvcache.jobs.output.RunFolder;
import dev.kvcache.jobs.output.SeparationTable;
import dev.kvcache.jobs.plan.Cell;
import dev.kvcache.jobs.plan.Plan;
import dev.kvcache.jobs.plan.Planner;
import dev.kvcache.jobs.report.Report;
import dev.kvcache.jobs.report.RunData;
import dev.kvcache.jobs.run.ProgressReporter;
import dev.kvcache.jobs.run.SeparationJob;
import dev.kvcache.jobs.run.UnitOutcome;
import dev.kvcache.jobs.verdict.CellReport;
import dev.kvcache.jobs.verdict.Separation;
import dev.kvcache.jobs.verdict.Verdicts;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution of the separation job: validate everything, start Spark, plan, run, judge,
 * write, print. Input errors surface before anything is written.
 */
final class SeparationCommand {
    private static final Logger LOG = LoggerFactory.getLogger(SeparationCommand.class);
    private static final String JOB = "separation";
    /**
     * Partitions per core of the default parallelism when {@code partitions = 0}: enough for the
     * progress line to move every few seconds, few enough that task overhead stays negligible.
     */
    private static final int PARTITIONS_PER_CORE = 8;
    /** The minimum time between two progress lines when the console is not a terminal. */
    private static final long PROGRESS_INTERVAL_NANOS = 10_000_000_000L;

    private final Main options;
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    /** The folder of the stopped run that {@code --resume} finishes, or {@code null}. */
    private RunFolder resumed;
    /** The text of the run's {@code config.conf}, whose SHA-256 ties committed cells to it. */
    private String configText;

    SeparationCommand(Main options) {
        this.options = options;
    }

    int execute() {
        SeparationSettings settings;
        Map<String, String> sparkConf;
        Duration budget;
        try {
            sparkConf = parseSparkConf(options.sparkConf);
            SparkSessions.checkConf(sparkConf);
            SparkSessions.checkMaster(options.master);
            budget = parseBudget(options.timeBudget);
            if (options.resume != null) {
                if (options.config != null || !options.assignments.isEmpty()) {
                    throw new InvalidConfigException("--resume takes the configuration from the run folder's"
                        + " config.conf, so it takes no CONFIG or --set; drop them");
                }
                resumed = RunFolder.open(options.resume, new org.apache.hadoop.conf.Configuration());
                configText = resumed.read("config.conf");
                settings = ConfigLoader.loadResolved(configText, resumed.file("config.conf").toString());
            } else {
                settings = ConfigLoader.load(options.config, options.assignments);
                configText = settings.resolved();
                OutputRoot.check(options.output);
            }
            Planner.checkSize(settings);
        } catch (InvalidConfigException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        } catch (IOException e) {
            err.println("error: cannot read the run folder " + options.resume + ": " + e.getMessage());
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
        int parallelism = started.sparkContext().defaultParallelism();
        try (SparkSession spark = started) {
            int partitions = settings.partitions() > 0
                ? settings.partitions()
                : PARTITIONS_PER_CORE * parallelism;
            Plan plan = Planner.plan(settings, partitions);
            for (String line : plan.skipped()) {
                LOG.warn("skipped grid combination {}", line);
            }
            LOG.info("planned {} cells, {} trials in {} work units over {} partitions (master {})",
                plan.cells().size(), plan.totalTrials(), plan.unitCount(), partitions, spark.sparkContext().master());

            RunFolder folder;
            Map<Integer, UnitOutcome> finished;
            String configSha = Manifest.sha256(configText);
            if (resumed != null) {
                folder = resumed;
                folder.lock();
                finished = CellStore.load(folder, plan.cells(), configSha);
                for (String derived : List.of("cells.csv", "separation.csv", "cells.parquet", "report.md",
                    "report.html", Report.PLOTS, "manifest.json")) {
                    folder.deleteIfExists(derived);
                }
                err.printf(Locale.ROOT, "resuming %s: %d of %d cells were finished%n", folder.path(), finished.size(),
                    plan.cells().size());
            } else {
                folder = RunFolder.create(options.output, JOB, startedAt, spark.sparkContext().hadoopConfiguration());
                folder.lock();
                ResultWriter.writeConfig(folder, settings.resolved());
                finished = Map.of();
            }
            // The manifest shows status running until the run ends, and a killed driver leaves it so.
            Manifest.write(folder, Manifest.of(new Manifest.Facts(folder.runId(), "running", -1, configText,
                settings.seed(), spark.sparkContext().master(), SparkSessions.executors(spark), spark.version(),
                startedAt.toOffsetDateTime().toString(), null, 0)));

            long jobStart = System.nanoTime();
            // With Spark's own bar on, the two would share one terminal line: print plain lines then.
            boolean sparkBar = Boolean.parseBoolean(spark.conf().get("spark.ui.showConsoleProgress", "false"));
            ProgressReporter progress = new ProgressReporter(plan, settings.estimator().particles(), err,
                System.console() != null && !sparkBar, PROGRESS_INTERVAL_NANOS, System::nanoTime);
            List<UnitOutcome> outcomes;
            try {
                outcomes = SeparationJob.run(spark, settings, plan, progress, finished,
                    (cell, outcome) -> CellStore.commit(folder, cell, outcome, configSha), budget);
            } catch (SeparationJob.BudgetExceededException e) {
                Manifest.write(folder, Manifest.of(new Manifest.Facts(folder.runId(), "incomplete",
                    ExitCodes.INCOMPLETE, configText, settings.seed(), spark.sparkContext().master(),
                    SparkSessions.executors(spark), spark.version(), startedAt.toOffsetDateTime().toString(),
                    ZonedDateTime.now().toOffsetDateTime().toString(), (System.nanoTime() - startNanos) / 1e9)));
                out.printf(Locale.ROOT, "INCOMPLETE: %s; %d of %d cells finished and are kept in %s%n", e.getMessage(),
                    e.finishedCells(), plan.cells().size(), folder.file(CellStore.FOLDER));
                out.println("resume with: ./submit.sh --resume " + folder.path());
                folder.unlock();
                return ExitCodes.INCOMPLETE;
            }
            double seconds = (System.nanoTime() - jobStart) / 1e9;
            LOG.info("ran {} trials in {} s", plan.totalTrials(), String.format(Locale.ROOT, "%.1f", seconds));

            List<CellReport> reports = Verdicts.evaluate(plan.cells(), outcomes, settings.confidence(), settings.alpha());
            boolean passed = reports.stream().allMatch(CellReport::passed);
            String status = passed ? CellReport.PASS : CellReport.FAIL;

            ResultWriter.writeCsv(folder, reports);
            List<Separation> separation = Separation.of(reports, settings.confidence());
            ResultWriter.writeSeparationCsv(folder, separation);
            ResultWriter.writeParquet(spark, folder, reports);
            ObjectNode run = runFields(settings, spark, plan, startedAt);
            ObjectNode summary = ResultWriter.summary(folder.runId(), status, (System.nanoTime() - startNanos) / 1e9,
                reports, separation, plan.skipped(), run);
            // The report comes from the same summary document that a later regeneration reads back.
            List<String> reportFiles = Report.write(RunData.of(summary, settings.resolved()),
                (path, bytes) -> ResultWriter.writeFile(folder, path, bytes));
            ZonedDateTime finishedAt = ZonedDateTime.now();
            // summary.json marks the results complete; the manifest follows with the final status.
            ResultWriter.writeSummary(folder, summary);
            Manifest.write(folder, Manifest.of(new Manifest.Facts(folder.runId(), status,
                passed ? ExitCodes.PASS : ExitCodes.VERDICT_FAILED, configText, settings.seed(),
                spark.sparkContext().master(), SparkSessions.executors(spark), spark.version(), startedAt.toOffsetDateTime().toString(),
                finishedAt.toOffsetDateTime().toString(), (System.nanoTime() - startNanos) / 1e9)));
            folder.unlock();

            out.println();
            out.print(ConsoleTable.render(reports));
            out.println();
            String separationTable = SeparationTable.render(separation);
            if (!separationTable.isEmpty()) {
                out.print(separationTable);
                out.println();
            }
            printFailures(reports);
            printFallbacks(settings, plan);
            long splittingCells = reports.stream().filter(r -> r.cell().splitting()).count();
            long replicates = reports.stream().mapToLong(r -> r.cell().replicates()).sum();
            String splitting = splittingCells == 0 ? ""
                : String.format(Locale.ROOT, " (%d by splitting, %d replicates)", splittingCells, replicates);
            out.printf(Locale.ROOT, "%s: %d %s%s, %d plain trials, %.1f s; %s%s%n", status.toUpperCase(Locale.ROOT),
                reports.size(), reports.size() == 1 ? "cell" : "cells", splitting, plan.totalTrials(), seconds,
                describe(reports),
                plan.skipped().isEmpty() ? "" : "; " + plan.skipped().size()
                    + " grid combinations skipped (listed in summary.json)");
            out.println("results: " + folder.path());
            out.println("report:  " + folder.file(reportFiles.get(0)) + " and " + reportFiles.get(1) + ", "
                + (reportFiles.size() - 2) + " plots in " + Report.PLOTS + "/");
            return passed ? ExitCodes.PASS : ExitCodes.VERDICT_FAILED;
        } catch (InvalidConfigException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        } catch (Exception e) {
            // Spark reports task failures as a checked SparkException, so catch every exception here.
            LOG.error("run failed", e);
            err.println("error: the run failed: " + e);
            return ExitCodes.RUNTIME_FAILURE;
        }
    }

    /**
     * Parses a {@code --time-budget} such as {@code 90s}, {@code 45m} or {@code 2h}, or returns
     * {@code null} when none was given.
     *
     * @throws InvalidConfigException if the value has another form or is not positive
     */
    static Duration parseBudget(String text) {
        if (text == null) {
            return null;
        }
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("([0-9]{1,6})(s|m|h)").matcher(text.strip());
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
            throw new InvalidConfigException("invalid --time-budget '" + text + "'; give a positive whole number of"
                + " seconds, minutes or hours of at most six digits, for example 90s, 45m or 2h");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    private void printFailures(List<CellReport> reports) {
        for (CellReport report : reports) {
            if (CellReport.FAIL.equals(report.verdictModel())) {
                out.printf(Locale.ROOT, "FAILED model verdict: %s: %s, exact P(E) = %.4g, adjusted p = %.3g%n",
                    report.cell().label(), evidence(report), report.cell().exact(), report.modelAdjusted());
                if (report.cappedReplicates() > 0) {
                    out.printf(Locale.ROOT, "  %d of %d replicates ran a stage with splitting.max_clones clones, fewer"
                            + " than it needed; raise splitting.max_clones before reading this as an engine error%n",
                        report.cappedReplicates(), report.cell().replicates());
                }
            }
            if (CellReport.FAIL.equals(report.verdictTheory())) {
                out.printf(Locale.ROOT, "FAILED theory verdict: %s: %s, paper's value %.4g, adjusted p = %.3g%n",
                    report.cell().label(), evidence(report), report.cell().paper(), report.theoryAdjusted());
            }
        }
        long capped = reports.stream().filter(r -> r.cappedReplicates() > 0).count();
        if (capped > 0) {
            out.printf(Locale.ROOT, "note: %d splitting cells had replicates limited by splitting.max_clones (column"
                + " replicates_capped); their estimates rest on fewer survivors than planned%n", capped);
        }
        long blind = reports.stream().filter(r -> r.splitting() == null && r.counts().events() == 0
            && r.cell().controllerClass() == dev.kvcache.engine.controller.ControllerClass.OBLIVIOUS).count();
        if (blind > 0) {
            out.printf(Locale.ROOT, "note: %d plain oblivious cells saw no event, so they only bound P(E) from above;"
                + " estimator = auto measures such cells by splitting%n", blind);
        }
    }

    /** Says how many cells ran plain although {@code estimator = splitting} asked for splitting, and why. */
    private void printFallbacks(SeparationSettings settings, Plan plan) {
        if (settings.estimator().choice() != EstimatorSettings.Choice.SPLITTING) {
            return;
        }
        List<Cell> plain = plan.cells().stream().filter(c -> !c.splitting()).toList();
        if (plain.isEmpty()) {
            return;
        }
        Cell example = plain.get(0);
        out.printf(Locale.ROOT, "note: estimator = splitting ran %d of %d cells plain, where splitting cannot"
                + " estimate them (for example %s: %s)%n", plain.size(), plan.cells().size(), example.label(),
            Planner.splittingUnsupported(settings, example.task(), example.controller(), example.engine(),
                example.scenario()));
    }

    /** Returns what a cell's estimate rests on: its plain count, or its splitting replicates. */
    private static String evidence(CellReport report) {
        if (report.splitting() != null) {
            return String.format(Locale.ROOT, "splitting estimate %.4g from %d replicates (standard deviation %.3g)",
                report.event(), report.splitting().count(), report.splitting().standardDeviation());
        }
        return report.counts().events() + " events in " + report.counts().trials() + " trials";
    }

    private static String describe(List<CellReport> reports) {
        long modelTests = reports.stream().filter(r -> r.verdictModel() != null).count();
        long modelFailures = reports.stream().filter(r -> CellReport.FAIL.equals(r.verdictModel())).count();
        long theoryTests = reports.stream().filter(r -> r.verdictTheory() != null).count();
        long theoryFailures = reports.stream().filter(r -> CellReport.FAIL.equals(r.verdictTheory())).count();
        return String.format(Locale.ROOT, "model verdicts failed: %d of %d; theory verdicts failed: %d of %d",
            modelFailures, modelTests, theoryFailures, theoryTests);
    }

    private ObjectNode runFields(SeparationSettings settings, SparkSession spark, Plan plan, ZonedDateTime startedAt) {
        ObjectNode run = ResultWriter.newObject();
        run.put("job", JOB);
        run.put("config_file", options.config == null ? null : options.config.toString());
        run.put("seed", settings.seed());
        run.put("confidence", settings.confidence());
        run.put("alpha", settings.alpha());
        run.put("master", spark.sparkContext().master());
        run.put("spark_version", spark.version());
        run.put("java_version", System.getProperty("java.version"));
        run.put("partitions", plan.partitions().size());
        run.put("work_units", plan.unitCount());
        run.put("started_at", startedAt.toOffsetDateTime().toString());
        run.put("finished_at", ZonedDateTime.now().toOffsetDateTime().toString());
        run.put("wall_seconds_before_writing", Duration.between(startedAt, ZonedDateTime.now()).toMillis() / 1e3);
        return run;
    }

    static Map<String, String> parseSparkConf(List<String> pairs) {
        Map<String, String> conf = new LinkedHashMap<>();
        for (String pair : pairs) {
            int equals = pair.indexOf('=');
            if (equals <= 0 || !pair.startsWith("spark.")) {
                throw new InvalidConfigException("invalid --spark-conf '" + pair + "'; write --spark-conf spark.KEY=VALUE,"
                    + " for example --spark-conf spark.executor.memory=4g");
            }
            conf.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return conf;
    }
}
