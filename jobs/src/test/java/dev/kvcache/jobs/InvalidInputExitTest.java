package dev.kvcache.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the contract of exit code 2 through {@link Main#run}: an invalid command line or
 * configuration returns 2, prints one message on standard error that names the key, the value and
 * the rule, prints no stack trace, and writes nothing. No case of the table gets as far as
 * starting Spark.
 */
class InvalidInputExitTest {

    /** Files that every case finds in its temporary folder before the run. */
    private static final Map<String, String> FIXTURES = Map.of(
        "broken.conf", "trials = 1000\ngrid {\n  n = [8\n}\n",
        "good.conf", "trials = 1000\n",
        "plain-file", "not a folder\n");

    static Stream<Arguments> invalidInputs() {
        return Stream.of(
            invalid("unknown CLI option", dir -> args(dir, "--bogus"),
                "Unknown option", "--bogus"),
            invalid("--set without '='", dir -> args(dir, "--set", "trials"),
                "invalid --set 'trials'", "key=value"),
            invalid("--set without its value", dir -> new String[] {"--output", out(dir), "--set"},
                "--set", "KEY=VALUE"),
            invalid("output is an existing regular file", dir -> new String[] {"--output", dir.resolve("plain-file").toString()},
                "invalid --output", "plain-file", "not a folder"),
            invalid("blank output", dir -> new String[] {"--output", " "},
                "invalid --output", "empty"),
            invalid("unknown key", dir -> args(dir, "--set", "grdi.n=[8]"),
                "unknown key 'grdi.n'", "--set grdi.n=[8]"),
            invalid("s above every n", dir -> args(dir, "--set", "grid.n=[8]", "--set", "grid.s=[16]"),
                "'grid.s'", "16", "exceeds every value of grid.n"),
            invalid("every combination skipped", dir -> args(dir, "--set", "grid.n=[64]", "--set", "grid.s=[4]",
                    "--set", "grid.scenarios=[full-compression]"),
                "no cell that an engine can run", "needs the dense engine", "grid.engines"),
            invalid("Spark property without a value", dir -> args(dir, "--spark-conf", "spark.foo"),
                "invalid --spark-conf 'spark.foo'", "spark.KEY=VALUE"),
            invalid("unknown controller", dir -> args(dir, "--set", "grid.controllers=[lru]"),
                "'grid.controllers'", "\"lru\"", "unknown controller"),
            invalid("zero trials", dir -> args(dir, "--set", "trials=0"),
                "'trials'", ": 0;", "[1, "),
            invalid("NaN confidence", dir -> args(dir, "--set", "confidence=NaN"),
                "'confidence'", "NaN", "(0.0, 1.0)"),
            invalid("n = 2^63", dir -> args(dir, "--set", "grid.n=[\"2^63\"]"),
                "'grid.n'", "2^63", "[2, 2^62]"),
            invalid("missing config file", dir -> args(dir, dir.resolve("absent.conf").toString()),
                "not found", "absent.conf"),
            invalid("malformed config file", dir -> args(dir, dir.resolve("broken.conf").toString()),
                "malformed configuration file", "broken.conf"),
            invalid("two config files", dir -> args(dir, dir.resolve("good.conf").toString(), dir.resolve("good.conf").toString()),
                "Unmatched argument", "good.conf"),
            invalid("unresolved substitution", dir -> args(dir, "--set", "trials=${nope}"),
                "cannot be resolved", "nope"),
            invalid("--spark-conf outside spark.*", dir -> args(dir, "--spark-conf", "executor.memory=4g"),
                "invalid --spark-conf 'executor.memory=4g'", "spark.KEY=VALUE"),
            invalid("--spark-conf without '='", dir -> args(dir, "--spark-conf", "spark.executor.memory"),
                "invalid --spark-conf 'spark.executor.memory'", "spark.KEY=VALUE"),
            invalid("zero time budget", dir -> args(dir, "--time-budget", "0s"),
                "invalid --time-budget '0s'", "90s, 45m or 2h"),
            invalid("time budget without a unit", dir -> args(dir, "--time-budget", "90"),
                "invalid --time-budget '90'", "90s, 45m or 2h"),
            invalid("resume a folder that is no run", dir -> args(dir, "--resume", dir.toString()),
                "not a run folder", "results:"),
            invalid("resume with --set", dir -> args(dir, "--resume", dir.toString(), "--set", "trials=5"),
                "--resume takes the configuration", "CONFIG or --set"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidInputs")
    void invalidInputExitsWithTwo(String name, Function<Path, String[]> arguments, List<String> fragments,
                                  @TempDir Path dir) throws IOException {
        writeFixtures(dir);
        Map<String, String> before = snapshot(dir);

        ConsoleRun run = ConsoleRun.of(arguments.apply(dir));

        assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), "exit code of " + name + "\n" + run.console());
        for (String fragment : fragments) {
            assertTrue(run.err().contains(fragment),
                "standard error should name '" + fragment + "' for " + name + "\n" + run.console());
        }
        assertFalse(run.err().contains("\tat "), "no stack trace for " + name + "\n" + run.console());
        assertFalse(run.out().contains("results:"), "no results line for " + name + "\n" + run.console());
        assertEquals(before, snapshot(dir), "nothing written under the temporary folder for " + name);
    }

    /**
     * Pins a gap: a master URL that Spark cannot parse is a usage error, but the command passes it
     * to Spark unchecked. Spark logs the failure with a stack trace and throws a checked
     * {@code SparkException}, which escapes the command's handlers and ends in picocli's execution
     * handler as exit code 3 with a second stack trace.
     */
    @Test
    void invalidMasterExitsWithTwo(@TempDir Path dir) throws IOException {
        Map<String, String> before = snapshot(dir);

        ConsoleRun run = ConsoleRun.of("--master", "locl[2]", "--output", out(dir), "--set", "grid.n=[256]",
            "--set", "trials=100");

        assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), "exit code for an invalid master\n" + run.console());
        assertTrue(run.err().contains("locl[2]"), "standard error names the master URL\n" + run.console());
        assertFalse(run.err().contains("\tat "), "no stack trace for an invalid master\n" + run.console());
        assertEquals(before, snapshot(dir), "nothing written for an invalid master");
    }

    @Test
    void helpExitsWithZero(@TempDir Path dir) throws IOException {
        Map<String, String> before = snapshot(dir);

        ConsoleRun run = ConsoleRun.of("--help", "--output", out(dir));

        assertEquals(ExitCodes.PASS, run.exitCode(), "exit code of --help\n" + run.console());
        assertTrue(run.out().contains("--set"), "the help lists --set\n" + run.console());
        assertTrue(run.out().contains("Exit codes"), "the help lists the exit codes\n" + run.console());
        assertEquals(before, snapshot(dir), "--help writes nothing");
    }

    private static Arguments invalid(String name, Function<Path, String[]> arguments, String... fragments) {
        return Arguments.of(name, arguments, List.of(fragments));
    }

    /** Returns {@code --output <dir>/results} followed by {@code more}. */
    private static String[] args(Path dir, String... more) {
        List<String> all = new ArrayList<>(List.of("--output", out(dir)));
        all.addAll(Arrays.asList(more));
        return all.toArray(new String[0]);
    }

    private static String out(Path dir) {
        return dir.resolve("results").toString();
    }

    private static void writeFixtures(Path dir) throws IOException {
        for (Map.Entry<String, String> fixture : FIXTURES.entrySet()) {
            Files.writeString(dir.resolve(fixture.getKey()), fixture.getValue(), StandardCharsets.UTF_8);
        }
    }

    /** Returns every path under {@code dir} with its content (folders map to an empty string). */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> contents = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.toList()) {
                String content = Files.isDirectory(path) ? "" : Files.readString(path, StandardCharsets.UTF_8);
                contents.put(dir.relativize(path).toString(), content);
            }
        }
        return contents;
    }
}
