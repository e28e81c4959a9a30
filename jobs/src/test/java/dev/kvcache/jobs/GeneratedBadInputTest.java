package dev.kvcache.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds more than a thousand generated malformed or invalid inputs to the command, in process:
 * every configuration key with values of the wrong type, out of range, NaN, infinite or
 * overflowing, each given by {@code --set} and by a configuration file; malformed files; and
 * invalid command lines. Every case must exit with 2, print a message of one paragraph on
 * standard error with no stack trace, and write nothing. No case starts Spark.
 */
class GeneratedBadInputTest {
    /** Values no key accepts. */
    private static final List<String> ANY_KEY = List.of("abc", "\"\"", "{}", "null", "{a = 1}", "\"x y\"",
        "[[1]]", "\"${undefined}\"");
    /** Values no integer setting accepts. */
    private static final List<String> INTEGER = List.of("2.5", "NaN", "Infinity", "-Infinity", "1e400", "true",
        "[]", "[1]", "\"2^63\"", "\"2^-1\"", "\"2^\"", "\"^3\"", "99999999999999999999999",
        "-9223372036854775809", "\"0x10\"", "1.0e-5", "\"1,000\"", "\"12 trials\"");
    /** Values no probability-like setting accepts. */
    private static final List<String> NUMBER = List.of("NaN", "Infinity", "-Infinity", "1e400", "-1", "true", "[]",
        "[0.5]", "\"half\"", "-0.0000001", "1e308");
    /** Values no list of positions, sizes or hops accepts. */
    private static final List<String> INTEGER_LIST = List.of("[]", "[\"abc\"]", "[-1]", "[0]", "[2.5]", "[\"2^63\"]",
        "[null]", "[[2]]", "[1e400]", "[true]", "[NaN]", "[\"2^\"]", "[99999999999999999999999]", "{n = 1}",
        "[\"2^70\"]", "[-9223372036854775808]");
    /** Values no list of names accepts. */
    private static final List<String> NAME_LIST = List.of("[]", "[bogus]", "[5]", "[null]", "[[a]]", "{}",
        "[\"\"]", "[true]");
    /** Values no name accepts. */
    private static final List<String> NAME = List.of("bogus", "5", "[]", "true", "\"RANDOM\"", "[nearest]");

    @TempDir
    static Path root;

    @TestFactory
    Stream<DynamicTest> everyBadInputExitsWithTwo() {
        List<Case> cases = new ArrayList<>();
        Map<String, List<String>> keys = new TreeMap<>();
        for (String key : List.of("trials", "precision.max_trials", "unit_trials", "splitting.replicates",
            "splitting.particles", "splitting.survivors", "splitting.max_clones")) {
            keys.put(key, concat(ANY_KEY, INTEGER, List.of("-1", "0")));
        }
        for (String key : List.of("answer_trials", "partitions", "window.sinks")) {
            keys.put(key, concat(ANY_KEY, INTEGER, List.of("-1", "-100")));
        }
        keys.put("seed", concat(ANY_KEY, INTEGER));
        keys.put("confidence", concat(ANY_KEY, NUMBER, List.of("0", "1", "1.5")));
        keys.put("alpha", concat(ANY_KEY, NUMBER, List.of("0", "1", "2")));
        keys.put("precision.rel_error", concat(ANY_KEY, NUMBER, List.of("1", "1.5")));
        keys.put("attention.temperature", concat(ANY_KEY, NUMBER, List.of("1e13")));
        keys.put("grid.n", concat(ANY_KEY, INTEGER_LIST, List.of("[1]", "[\"2^63\"]", "5")));
        keys.put("grid.s", concat(ANY_KEY, INTEGER_LIST, List.of("[\"2^63\"]")));
        keys.put("grid.k", concat(ANY_KEY, INTEGER_LIST, List.of("[1]", "[\"2^31\"]")));
        for (String key : List.of("grid.controllers", "grid.laws", "grid.engines", "grid.scenarios")) {
            keys.put(key, concat(ANY_KEY, NAME_LIST));
        }
        for (String key : List.of("miss_rule", "adaptive.initial", "estimator")) {
            keys.put(key, concat(ANY_KEY, NAME));
        }
        for (Map.Entry<String, List<String>> key : keys.entrySet()) {
            for (String value : key.getValue()) {
                String assignment = key.getKey() + "=" + value;
                cases.add(new Case("--set " + assignment, dir -> args(dir, "--set", assignment)));
                cases.add(new Case("file: " + assignment, dir -> args(dir, write(dir, "case.conf",
                    key.getKey() + " = " + value + "\n"))));
            }
        }
        Map<String, List<String>> depthKeys = new TreeMap<>();
        depthKeys.put("depth.grid.n", concat(ANY_KEY, INTEGER_LIST, List.of("[3]", "[\"2^25\"]")));
        depthKeys.put("depth.grid.k", concat(ANY_KEY, INTEGER_LIST, List.of("[1]", "[\"2^25\"]")));
        depthKeys.put("depth.grid.s", concat(ANY_KEY, INTEGER_LIST, List.of("[1]", "[\"2^25\"]")));
        for (String key : List.of("depth.grid.H", "depth.grid.m", "depth.grid.p")) {
            depthKeys.put(key, concat(ANY_KEY, INTEGER_LIST, List.of("[\"2^21\"]")));
        }
        depthKeys.put("depth.grid.laws", concat(ANY_KEY, NAME_LIST));
        depthKeys.put("depth.verdicts.scaling", concat(ANY_KEY, NAME_LIST));
        depthKeys.put("depth.trials", concat(ANY_KEY, INTEGER, List.of("-1", "0", "100")));
        depthKeys.put("depth.unit_trials", concat(ANY_KEY, INTEGER, List.of("-1", "0")));
        depthKeys.put("depth.delta", concat(ANY_KEY, NUMBER, List.of("0", "1", "1.5")));
        depthKeys.put("depth.verdicts.spread_limit", concat(ANY_KEY, NUMBER, List.of("0.5", "1e13")));
        depthKeys.put("depth.verdicts.floor_constant", concat(ANY_KEY, NUMBER, List.of("0", "1e13")));
        depthKeys.put("job", concat(ANY_KEY, NAME));
        for (Map.Entry<String, List<String>> key : depthKeys.entrySet()) {
            for (String value : key.getValue()) {
                String assignment = key.getKey() + "=" + value;
                cases.add(new Case("depth --set " + assignment, dir -> args(dir, "--set", "job=depth", "--set",
                    assignment)));
                cases.add(new Case("depth file: " + assignment, dir -> args(dir, write(dir, "case.conf",
                    "job = depth\n" + key.getKey() + " = " + value + "\n"))));
            }
        }
        cases.add(new Case("depth run with a separation key", dir -> args(dir, "--set", "job=depth", "--set",
            "trials=5")));
        cases.add(new Case("separation run with a depth key", dir -> args(dir, "--set", "depth.trials=5000")));
        cases.add(new Case("depth run with a time budget", dir -> args(dir, "--set", "job=depth", "--time-budget",
            "5m")));
        cases.add(new Case("depth s above every n", dir -> args(dir, "--set", "job=depth", "--set",
            "depth.grid.n=[8]", "--set", "depth.grid.s=[16]")));
        for (String typo : List.of("trails", "grid.m", "grid.controller", "seeds", "precision.relerror", "Trials",
            "splitting.replicate", "splitting", "grid", "window.sink", "estimators", "answer-trials", "unit_trial")) {
            cases.add(new Case("unknown key " + typo, dir -> args(dir, "--set", typo + "=1")));
            cases.add(new Case("unknown key in a file " + typo, dir -> args(dir, write(dir, "case.conf",
                typo + " = 1\n"))));
        }
        for (String text : List.of("trials = ", "grid { n = [8 }", "grid {", "= 5", "trials = 5 6 7", "\"unclosed",
            "trials = [1, 2", "a.b.c = { = }", "include \"absent.conf\"\ntrials = x", "trials = ${nope}",
            "grid.n = [\"2^\" ]", "{{{", "trials: : 5", "grid { n = [8] } }", "\u0000")) {
            cases.add(new Case("malformed file " + text.replace("\n", "\\n"), dir -> args(dir, write(dir, "case.conf",
                text + "\n"))));
        }
        for (String[] line : List.of(new String[] {"--bogus"}, new String[] {"--set"}, new String[] {"--output"},
            new String[] {"--master"}, new String[] {"--set", "trials"}, new String[] {"--set", "=5"},
            new String[] {"--spark-conf", "spark.foo"}, new String[] {"--spark-conf", "executor.memory=1g"},
            new String[] {"--spark-conf", "=1"}, new String[] {"--time-budget", "0s"}, new String[] {"--time-budget", "1d"},
            new String[] {"--time-budget", "-5m"}, new String[] {"--time-budget", "abc"}, new String[] {"--time-budget", ""},
            new String[] {"--time-budget", "99999999999h"}, new String[] {"--time-budget", "2562048h"},
            new String[] {"--time-budget", "1000000m"}, new String[] {"--resume"},
            new String[] {"--master", "locl[2]"}, new String[] {"--master", "local[0]"}, new String[] {"--master", "local[-1]"},
            new String[] {"--master", "spark:/x"}, new String[] {"--master", ""}, new String[] {"--master", "local[2"},
            new String[] {"--master", "mesos://x"}, new String[] {"-x"}, new String[] {"--ui=yes"})) {
            cases.add(new Case("command line " + String.join(" ", line), dir -> args(dir, line)));
        }
        for (String setting : List.of("spark.default.parallelism=abc", "spark.driver.maxResultSize=xyz",
            "spark.network.timeout=abc", "spark.executor.memory=lots", "spark.task.maxFailures=many",
            "spark.driver.memory=2q", "spark.executor.cores=two", "spark.locality.wait=soon",
            "spark.shuffle.compress=perhaps", "spark.rpc.message.maxSize=big", "spark.sql.shuffle.partitions=abc",
            "spark.master=bogus", "spark.sql.adaptive.enabled=sometimes")) {
            cases.add(new Case("Spark setting " + setting, dir -> args(dir, "--spark-conf", setting)));
        }
        cases.add(new Case("missing config file", dir -> args(dir, dir.resolve("absent.conf").toString())));
        cases.add(new Case("config file is a folder", dir -> args(dir, dir.toString())));
        cases.add(new Case("two config files", dir -> args(dir, write(dir, "a.conf", "trials = 5\n"),
            write(dir, "b.conf", "trials = 6\n"))));
        cases.add(new Case("output is a file", dir -> new String[] {"--output", write(dir, "plain-file", "x\n")}));
        cases.add(new Case("resume a plain folder", dir -> args(dir, "--resume", dir.toString())));
        cases.add(new Case("resume a missing folder", dir -> args(dir, "--resume", dir.resolve("nope").toString())));
        cases.add(new Case("resume with a config", dir -> args(dir, "--resume", dir.toString(),
            write(dir, "a.conf", "trials = 5\n"))));
        cases.add(new Case("grid with nothing runnable", dir -> args(dir, "--set", "grid.engines=[lazy]",
            "--set", "grid.scenarios=[full-compression]")));
        cases.add(new Case("s above every n", dir -> args(dir, "--set", "grid.n=[8]", "--set", "grid.s=[16]")));

        assertTrue(cases.size() >= 1000, "at least a thousand cases, got " + cases.size());
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            int index = i;
            tests.add(DynamicTest.dynamicTest(c.name(), () -> check(c, root.resolve("case-" + index))));
        }
        return tests.stream();
    }

    private static void check(Case c, Path dir) throws IOException {
        Files.createDirectories(dir);
        String[] arguments = c.arguments().apply(dir);
        Map<String, Long> before = snapshot(dir);

        ConsoleRun run = ConsoleRun.of(arguments);

        assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), c.name() + "\n" + run.console());
        String err = run.err().strip();
        assertTrue(err.startsWith("error: "), "a message on standard error for " + c.name() + "\n" + run.console());
        assertFalse(err.contains("\tat ") || err.contains("Exception:") || err.contains("Caused by"),
            "no stack trace for " + c.name() + "\n" + run.console());
        assertFalse(err.contains("\n\n"), "one paragraph for " + c.name() + "\n" + run.console());
        assertTrue(err.length() < 4000, "a short message for " + c.name() + ": " + err.length() + " characters");
        assertEquals(before, snapshot(dir), "nothing written for " + c.name());
    }

    /** One generated input: a name and its command line, given the case's own folder. */
    private record Case(String name, Function<Path, String[]> arguments) {
    }

    private static String[] args(Path dir, String... more) {
        List<String> all = new ArrayList<>(List.of("--output", dir.resolve("results").toString()));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    private static String write(Path dir, String name, String content) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return file.toString();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> list : lists) {
            all.addAll(list);
        }
        return all;
    }

    /** Returns every file under {@code dir} with its size, folders with -1. */
    private static Map<String, Long> snapshot(Path dir) throws IOException {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.toList()) {
                files.put(dir.relativize(path).toString(), Files.isDirectory(path) ? -1 : Files.size(path));
            }
        }
        return files;
    }
}
