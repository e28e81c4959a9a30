package dev.kvcache.jobs;

import dev.kvcache.jobs.config.ConfigLoader;
import dev.kvcache.jobs.config.InvalidConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Command-line entry of both jobs, for plain {@code java} (embedded local Spark) and for
 * {@code spark-submit}: the separation job, or the depth job when the configuration sets
 * {@code job = depth}. Exit codes: 0 every verdict passed, 1 a verdict failed, 2 invalid
 * configuration or usage (nothing written), 3 runtime failure, 4 time budget reached.
 */
@Command(name = "kvcache-separation", sortOptions = false, usageHelpAutoWidth = true,
    description = {
        "Monte Carlo check of the adaptive versus oblivious KV-cache separation on k-hop pointer chasing,",
        "or, when the configuration sets job = depth, of the depth, cache and bandwidth bounds.",
        "Reads the defaults, then CONFIG, then each --set; runs every cell of the grid on Spark; writes",
        "cells.csv, cells.parquet, summary.json, config.conf and a report into a new folder under --output."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every verdict passed",
        "1:at least one verdict failed",
        "2:invalid configuration or usage; nothing was written",
        "3:runtime failure",
        "4:time budget reached; the run is incomplete and --resume finishes it"})
public final class Main implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG",
        description = "Experiment file (HOCON) overriding the defaults; without it the defaults alone run.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
        description = "Override one configuration key, for example --set trials=1000000 or --set grid.n=[4096]. Repeatable.")
    List<String> assignments = new ArrayList<>();

    @Option(names = "--output", paramLabel = "DIR", defaultValue = "results",
        description = "Root folder of run folders (a local path or a Hadoop URI such as hdfs://...). Default: ${DEFAULT-VALUE}.")
    String output;

    @Option(names = "--master", paramLabel = "URL",
        description = "Spark master. Default: the one spark-submit set, else local[*].")
    String master;

    @Option(names = "--ui", description = "Start the Spark web UI (on 127.0.0.1 in local mode); it is off by default.")
    boolean ui;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE",
        description = "Set a Spark configuration property, for example --spark-conf spark.executor.memory=4g. Repeatable.")
    List<String> sparkConf = new ArrayList<>();

    @Option(names = "--resume", paramLabel = "RUN_FOLDER",
        description = "Finish a stopped run in its folder: keep its finished cells, run the others with the folder's"
            + " config.conf. Takes no CONFIG or --set. Separation job only.")
    String resume;

    @Option(names = "--time-budget", paramLabel = "DURATION",
        description = "Stop cleanly after this much time (for example 90s, 45m or 2h); finished cells are kept, the"
            + " run is marked incomplete (exit code 4) and --resume finishes it. Separation job only.")
    String timeBudget;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this help and exit.")
    boolean help;

    @Override
    public Integer call() {
        if (resume == null) {
            String job;
            try {
                job = ConfigLoader.jobOf(config, assignments);
            } catch (InvalidConfigException e) {
                System.err.println("error: " + e.getMessage());
                return ExitCodes.INVALID_INPUT;
            }
            if (ConfigLoader.DEPTH.equals(job)) {
                return new DepthCommand(this).execute();
            }
        }
        return new SeparationCommand(this).execute();
    }

    /**
     * Returns a command line for {@code command} with the product's exit codes: a usage error is 2
     * with a one-line message, and an exception that escapes the command is 3, printed after
     * {@code failure}.
     */
    static CommandLine commandLine(Object command, String failure) {
        CommandLine commandLine = new CommandLine(command);
        // An argument starting with @ is a value (a path, say), never a file of more arguments.
        commandLine.setExpandAtFiles(false);
        commandLine.setExecutionExceptionHandler((exception, line, parsed) -> {
            System.err.println("error: " + failure + ": " + exception);
            exception.printStackTrace();
            return ExitCodes.RUNTIME_FAILURE;
        });
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            System.err.println("error: " + exception.getMessage());
            System.err.println("Run with --help for the options.");
            return ExitCodes.INVALID_INPUT;
        });
        return commandLine;
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code, without exiting. */
    public static int run(String... args) {
        CommandLine commandLine = commandLine(new Main(), "the run failed");
        try {
            return commandLine.execute(args);
        } catch (StackOverflowError e) {
            System.err.println("error: the configuration is nested too deeply to read; flatten it and retry");
            return ExitCodes.INVALID_INPUT;
        } catch (OutOfMemoryError e) {
            System.err.println("error: the run ran out of memory (" + e.getMessage() + "); give a smaller grid or"
                + " configuration file, or more memory with -- --driver-memory SIZE");
            return ExitCodes.RUNTIME_FAILURE;
        }
    }
}
