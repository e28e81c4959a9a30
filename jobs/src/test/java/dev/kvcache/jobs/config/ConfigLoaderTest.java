package dev.kvcache.jobs.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.InitialCache;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import dev.kvcache.jobs.depth.DepthPlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks that {@link ConfigLoader} loads the bundled defaults and the shipped experiment file, and
 * that every invalid input fails with an {@link InvalidConfigException} whose message names the
 * key, the value and the rule. Expected values come from {@code conf/defaults.conf} and
 * {@code conf/separation.conf}, and powers of two are written out by hand.
 */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void defaultsLoad() {
        SeparationSettings settings = ConfigLoader.load(null, List.of());

        assertEquals(List.of(4096L), settings.gridN(), "grid.n in defaults.conf");
        assertEquals(List.of(16L), settings.gridS(), "grid.s in defaults.conf");
        assertEquals(List.of(16L), settings.gridK(), "grid.k in defaults.conf");
        assertEquals(List.of("random-fresh", "random-fixed", "window", "follow"), settings.controllers(),
            "grid.controllers in defaults.conf");
        assertEquals(List.of(PointerLaw.FUNCTION, PointerLaw.PERMUTATION), settings.laws(), "grid.laws in defaults.conf");
        assertEquals(100_000L, settings.trials(), "trials in defaults.conf");
        assertEquals(0.0, settings.relError(), "precision.rel_error in defaults.conf");
        assertEquals(10_000_000L, settings.maxTrials(), "precision.max_trials in defaults.conf");
        assertEquals(20261204L, settings.seed(), "seed in defaults.conf");
        assertEquals(0.95, settings.confidence(), "confidence in defaults.conf");
        assertEquals(0.01, settings.alpha(), "alpha in defaults.conf");
        assertEquals(100_000L, settings.answerTrials(), "answer_trials in defaults.conf");
        assertEquals(0, settings.partitions(), "partitions in defaults.conf");
        assertEquals(262_144L, settings.unitTrials(), "unit_trials in defaults.conf");
        assertEquals(MissRule.NEAREST, settings.missRule(), "miss_rule in defaults.conf");
        assertEquals(4L, settings.controllerSettings().sinks(), "window.sinks in defaults.conf");
        assertEquals(InitialCache.RANDOM, settings.controllerSettings().initial(), "adaptive.initial in defaults.conf");
        assertEquals(EstimatorSettings.defaults(), settings.estimator(), "estimator and splitting in defaults.conf");
    }

    @Test
    void nightlyConfLoadsAndPlans() {
        SeparationSettings settings = ConfigLoader.load(Path.of("..", "conf", "nightly.conf"), List.of());
        dev.kvcache.jobs.plan.Planner.checkSize(settings);
        assertEquals(64, settings.estimator().replicates(), "splitting.replicates in nightly.conf");
        assertEquals(0.001, settings.alpha(), "alpha in nightly.conf");
        assertEquals(4000, dev.kvcache.jobs.plan.Planner.plan(settings, 64).cells().size(), "5 n x 5 s x 10 k x 8 x 2");
    }

    @Test
    void includeResolvesNextToTheFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("part.conf"), "depth.grid.m = [7]\ndepth.trials = 400\n");
        Path main = dir.resolve("main.conf");
        Files.writeString(main, "include \"part.conf\"\njob = depth\n");
        DepthSettings settings = ConfigLoader.loadDepth(main, List.of());
        assertEquals(List.of(7L), settings.dimensions());
        assertEquals(400, settings.trials());
    }

    @Test
    void depthConfLoadsAndPlans() {
        DepthSettings settings = ConfigLoader.loadDepth(Path.of("..", "conf", "depth.conf"), List.of());
        DepthPlan plan = DepthPlan.of(settings, 16);
        // 3 n x 3 s x 6 k x 2 laws simulations, each priced at 2 H x 3 m x 2 p.
        assertEquals(108, plan.simulations().size());
        assertEquals(1296, plan.cells().size());
        assertTrue(plan.skipped().isEmpty(), "skipped: " + plan.skipped());
    }

    @Test
    void depthNightlyConfLoadsAndPlans() {
        DepthSettings settings = ConfigLoader.loadDepth(Path.of("..", "conf", "depth-nightly.conf"), List.of());
        assertEquals(0.001, settings.delta(), "depth.delta in depth-nightly.conf");
        // 4 n x 5 s x 10 k x 2 laws simulations, each priced at 2 H x 3 m x 3 p.
        assertEquals(7200, DepthPlan.of(settings, 64).cells().size());
    }

    @Test
    void depthConfigOmitsSeparationKeys() {
        DepthSettings settings = ConfigLoader.loadDepth(Path.of("..", "conf", "depth.conf"), List.of());
        assertTrue(settings.resolved().contains("depth"), settings.resolved());
        assertFalse(settings.resolved().contains("controllers"), settings.resolved());
    }

    @Test
    void estimatorSettingsLoad() {
        EstimatorSettings estimator = ConfigLoader.load(null, List.of("estimator=splitting", "splitting.replicates=4",
            "splitting.particles=30", "splitting.survivors=900", "splitting.max_clones=100000")).estimator();
        assertEquals(new EstimatorSettings(EstimatorSettings.Choice.SPLITTING, 4, 30, 900, 100000), estimator);
    }

    @Test
    void invalidEstimatorSettingsRejected() {
        assertNames(rejected(null, "estimator=importance"), "estimator", "the key");
        assertNames(rejected(null, "estimator=importance"), "plain, splitting, auto", "the known estimators");
        assertNames(rejected(null, "splitting.replicates=1"), "splitting.replicates", "the key");
        assertNames(rejected(null, "splitting.replicates=1000000"), "splitting.replicates", "the key");
        assertNames(rejected(null, "splitting.particles=0"), "splitting.particles", "the key");
        assertNames(rejected(null, "splitting.survivors=-5"), "splitting.survivors", "the key");
        assertNames(rejected(null, "splitting.survivors=2.5"), "splitting.survivors", "the key");
        assertNames(rejected(null, "splitting.max_clones=\"2^63\""), "splitting.max_clones", "the key");
        InvalidConfigException e = rejected(null, "splitting.particles=500", "splitting.max_clones=100");
        assertNames(e, "splitting.max_clones", "the key");
        assertNames(e, "splitting.particles", "the rule's other key");
    }

    @Test
    void bundledDefaultsAreConfDefaults() throws IOException {
        // Surefire runs in the module folder, so ../conf is the project's conf folder.
        byte[] source = Files.readAllBytes(Path.of("..", "conf", "defaults.conf"));
        byte[] bundled;
        try (InputStream in = ConfigLoader.class.getResourceAsStream("/defaults.conf")) {
            assertTrue(in != null, "defaults.conf is missing from the classpath");
            bundled = in.readAllBytes();
        }

        assertArrayEquals(source, bundled, "the classpath defaults.conf must be a copy of conf/defaults.conf");
    }

    @Test
    void separationConfLoads() {
        SeparationSettings settings = ConfigLoader.load(Path.of("..", "conf", "separation.conf"), List.of());

        assertEquals(ControllerRegistry.names(), settings.controllers(), "every registered controller, in order");
        assertEquals(List.of(PointerLaw.FUNCTION, PointerLaw.PERMUTATION), settings.laws(), "both pointer laws");
        assertTrue(settings.gridN().stream().anyMatch(n -> settings.gridS().stream().anyMatch(s -> 16 * s * s <= n)),
            "some cell lies inside the theorem regime (s <= sqrt(n)/4)");
        assertTrue(settings.gridN().stream().anyMatch(n -> settings.gridS().stream().anyMatch(s -> 16 * s * s > n)),
            "some cell lies outside the theorem regime");
        assertTrue(settings.relError() > 0, "a precision target is set");
        assertTrue(settings.relError() <= 0.1, "the precision target keeps adaptive intervals within 10% of s/n");
        assertEquals(20261204L, settings.seed(), "seed falls back to defaults.conf");
    }

    @Test
    void setOverridesFileOverridesDefaults() throws IOException {
        Path file = write("experiment.conf", "trials = 500\nseed = 7\n");

        SeparationSettings settings = ConfigLoader.load(file, List.of("trials=900", "trials=1200"));

        assertEquals(1200L, settings.trials(), "the last --set wins over earlier ones and the file");
        assertEquals(7L, settings.seed(), "the file wins over the defaults");
        assertEquals(0.95, settings.confidence(), "keys set nowhere keep their default");
    }

    @Test
    void powerSyntaxAccepted() {
        SeparationSettings settings = ConfigLoader.load(null,
            List.of("grid.n=[\"2^20\", \"2 ^ 12\"]", "trials=\"10^3\""));

        // 2^20 = 1,048,576, 2^12 = 4,096 and 10^3 = 1,000.
        assertEquals(List.of(1_048_576L, 4096L), settings.gridN(), "powers in grid.n");
        assertEquals(1000L, settings.trials(), "a power of ten in trials");
    }

    @Test
    void largestNAccepted() {
        SeparationSettings settings = ConfigLoader.load(null, List.of("grid.n=[\"2^62\"]"));

        assertEquals(List.of(1L << 62), settings.gridN(), "n = 2^62 is the documented maximum");
    }

    @Test
    void sAboveSomeNAccepted() {
        // Only an s above every n is an error. The planner skips s = 16 for n = 8 and keeps it for n = 64.
        SeparationSettings settings = ConfigLoader.load(null, List.of("grid.n=[8, 64]", "grid.s=[16]"));

        assertEquals(List.of(8L, 64L), settings.gridN(), "grid.n");
        assertEquals(List.of(16L), settings.gridS(), "grid.s");
    }

    @Test
    void unknownKeyInFileRejected() throws IOException {
        Path file = write("typo.conf", "grid {\n  n = [8]\n  nn = [16]\n}\n");

        InvalidConfigException e = rejected(file);

        assertNames(e, "grid.nn", "the unknown key");
        assertNames(e, "unknown key", "the rule");
        assertNames(e, file.toString(), "the file that holds it");
        assertNames(e, "grid.n,", "the known keys");
    }

    @Test
    void unknownKeyInSetRejected() {
        InvalidConfigException e = rejected(null, "trails=5");

        assertNames(e, "'trails'", "the unknown key");
        assertNames(e, "unknown key", "the rule");
        assertNames(e, "--set trails=5", "the assignment, value included");
        assertNames(e, "trials", "the known keys");
    }

    /**
     * Pins a gap: defaults.conf promises that a key it does not list is rejected, but a typo set to
     * null passes, because Typesafe Config's {@code entrySet()} leaves out null values.
     */
    @Test
    void unknownKeyWithNullValueRejected() {
        InvalidConfigException e = rejected(null, "trails=null");

        assertNames(e, "'trails'", "the unknown key");
        assertNames(e, "unknown key", "the rule");
    }

    @Test
    void sAboveEveryNRejected() {
        InvalidConfigException e = rejected(null, "grid.n=[8, 16]", "grid.s=[4, 32]");

        assertNames(e, "'grid.s'", "the key");
        assertNames(e, "32", "the value");
        assertNames(e, "exceeds every value of grid.n", "the rule");
        assertNames(e, "largest 16", "the largest n");
    }

    @Test
    void zeroCacheSizeRejected() {
        InvalidConfigException e = rejected(null, "grid.s=[0]");

        assertNames(e, "'grid.s'", "the key");
        assertNames(e, ": 0;", "the value");
        assertNames(e, "[1, 2^62]", "the allowed range");
    }

    @Test
    void hopsBelowTwoRejected() {
        InvalidConfigException e = rejected(null, "grid.k=[4, 1]");

        assertNames(e, "'grid.k'", "the key");
        assertNames(e, ": 1;", "the value");
        assertNames(e, "[2, 2^30]", "the allowed range");
    }

    @Test
    void positionsBelowTwoRejected() {
        InvalidConfigException e = rejected(null, "grid.n=[1]", "grid.s=[1]");

        assertNames(e, "'grid.n'", "the key");
        assertNames(e, ": 1;", "the value");
        assertNames(e, "[2, 2^62]", "the allowed range");
    }

    @Test
    void nonPositiveTrialsRejected() {
        for (String value : List.of("0", "-5")) {
            InvalidConfigException e = rejected(null, "trials=" + value);

            assertNames(e, "'trials'", "the key");
            assertNames(e, ": " + value + ";", "the value");
            assertNames(e, "[1, 1000000000000000]", "the allowed range");
        }
    }

    @Test
    void unknownControllerRejected() {
        InvalidConfigException e = rejected(null, "grid.controllers=[follow, lru]");

        assertNames(e, "'grid.controllers'", "the key");
        assertNames(e, "\"lru\"", "the value");
        assertNames(e, "unknown controller", "the rule");
        assertNames(e, String.join(", ", ControllerRegistry.names()), "the known controllers");
    }

    @Test
    void unknownPointerLawRejected() {
        InvalidConfigException e = rejected(null, "grid.laws=[function, bijection]");

        assertNames(e, "'grid.laws'", "the key");
        assertNames(e, "\"bijection\"", "the value");
        assertNames(e, "unknown pointer law", "the rule");
        assertNames(e, "function, permutation", "the known laws");
    }

    @Test
    void malformedFileRejected() throws IOException {
        Path file = write("broken.conf", "trials = 1000\ngrid {\n  n = [8\n}\n");

        InvalidConfigException e = rejected(file);

        assertNames(e, "malformed configuration file", "the rule");
        assertNames(e, file.toString(), "the file");
    }

    @Test
    void malformedSetRejected() {
        // '^' may not appear in an unquoted HOCON string, so a power must be quoted.
        InvalidConfigException e = rejected(null, "trials=2^20");

        assertNames(e, "malformed --set", "the rule");
        assertNames(e, "trials=2^20", "the assignment");
    }

    @Test
    void setWithoutEqualsRejected() {
        InvalidConfigException e = rejected(null, "trials");

        assertNames(e, "invalid --set 'trials'", "the assignment");
        assertNames(e, "key=value", "the expected form");
    }

    @Test
    void missingFileRejected() {
        Path file = dir.resolve("absent.conf");

        InvalidConfigException e = rejected(file);

        assertNames(e, "not found", "the rule");
        assertNames(e, file.toString(), "the path");
    }

    @Test
    void folderAsFileRejected() {
        InvalidConfigException e = rejected(dir);

        assertNames(e, "not a readable file", "the rule");
        assertNames(e, dir.toString(), "the path");
    }

    @Test
    void stringForIntegerRejected() {
        InvalidConfigException e = rejected(null, "trials=many");

        assertNames(e, "'trials'", "the key");
        assertNames(e, "\"many\"", "the value");
        assertNames(e, "expected a whole number", "the rule");
    }

    @Test
    void fractionForIntegerRejected() {
        InvalidConfigException e = rejected(null, "unit_trials=2.5");

        assertNames(e, "'unit_trials'", "the key");
        assertNames(e, "2.5", "the value");
        assertNames(e, "expected a whole number", "the rule");
    }

    @Test
    void stringForNumberRejected() {
        InvalidConfigException e = rejected(null, "confidence=high");

        assertNames(e, "'confidence'", "the key");
        assertNames(e, "\"high\"", "the value");
        assertNames(e, "expected a number", "the rule");
    }

    @Test
    void listForNameRejected() {
        InvalidConfigException e = rejected(null, "miss_rule=[nearest]");

        assertNames(e, "'miss_rule'", "the key");
        assertNames(e, "nearest", "the value");
        assertNames(e, "expected a name", "the rule");
    }

    @Test
    void sectionSetToScalarInSetRejected() {
        InvalidConfigException e = rejected(null, "grid=4096");

        assertNames(e, "'grid'", "the key");
        assertNames(e, "is a section, not a value", "the rule");
        assertNames(e, "4096", "the value");
    }

    @Test
    void sectionSetToScalarInFileRejected() throws IOException {
        Path file = write("section.conf", "precision = 0.1\n");

        InvalidConfigException e = rejected(file);

        assertNames(e, "'precision'", "the key");
        assertNames(e, "is a section, not a value", "the rule");
        assertNames(e, "precision.", "a key of the section to set instead");
    }

    /**
     * Pins a gap: for a section set to a scalar in a file, the message names the key and the rule
     * but not the value written there (0.1), unlike every other invalid value.
     */
    @Test
    void sectionSetToScalarInFileNamesValue() throws IOException {
        Path file = write("section.conf", "precision = 0.1\n");

        InvalidConfigException e = rejected(file);

        assertNames(e, "0.1", "the value written in the file");
    }

    @Test
    void nonFiniteConfidenceRejected() {
        // HOCON reads NaN and Infinity as strings and 1e400 as a double that overflows to Infinity.
        for (String value : List.of("NaN", "Infinity", "-Infinity", "1e400")) {
            InvalidConfigException e = rejected(null, "confidence=" + value);

            assertNames(e, "'confidence'", "the key");
            assertNames(e, value.equals("1e400") ? "Infinity" : value, "the value");
            assertNames(e, "(0.0, 1.0)", "the allowed range");
        }
    }

    @Test
    void confidenceBoundsRejected() {
        for (String value : List.of("0", "1", "1.5")) {
            InvalidConfigException e = rejected(null, "confidence=" + value);

            assertNames(e, "'confidence'", "the key");
            assertNames(e, ": " + value + ";", "the value");
            assertNames(e, "(0.0, 1.0)", "the open range");
        }
    }

    @Test
    void positionsOverflowRejected() {
        // 2^63 = 9223372036854775808 is one above Long.MAX_VALUE, and the limit is 2^62.
        for (String value : List.of("\"2^63\"", "9223372036854775808", "\"2^64\"", "\"4611686018427387905\"")) {
            InvalidConfigException e = rejected(null, "grid.n=[" + value + "]");

            assertNames(e, "'grid.n'", "the key");
            assertNames(e, value.replace("\"", ""), "the value");
            assertNames(e, "[2, 2^62]", "the allowed range");
        }
    }

    @Test
    void hugeExponentRejected() {
        InvalidConfigException e = rejected(null, "trials=\"2^5000\"");

        assertNames(e, "'trials'", "the key");
        assertNames(e, "2^5000", "the value");
        assertNames(e, "exponent is too large", "the rule");
    }

    @Test
    void duplicateListEntriesRejected() {
        // "2^8" and 256 are the same value.
        InvalidConfigException numbers = rejected(null, "grid.n=[256, 4096, \"2^8\"]");

        assertNames(numbers, "'grid.n'", "the key");
        assertNames(numbers, "[256, 4096, 256]", "the value");
        assertNames(numbers, "256 is repeated", "the rule");

        InvalidConfigException names = rejected(null, "grid.controllers=[follow, window, follow]");

        assertNames(names, "'grid.controllers'", "the key");
        assertNames(names, "follow is repeated", "the rule");
    }

    @Test
    void emptyListRejected() {
        InvalidConfigException e = rejected(null, "grid.k=[]");

        assertNames(e, "'grid.k'", "the key");
        assertNames(e, "at least one value", "the rule");
    }

    @Test
    void maxTrialsBelowTrialsRejected() {
        InvalidConfigException e = rejected(null, "precision.rel_error=0.1", "trials=1000", "precision.max_trials=500");

        assertNames(e, "'precision.max_trials'", "the key");
        assertNames(e, "500", "the value");
        assertNames(e, "at least trials (1000)", "the rule");
    }

    @Test
    void unknownMissRuleRejected() {
        InvalidConfigException e = rejected(null, "miss_rule=farthest");

        assertNames(e, "'miss_rule'", "the key");
        assertNames(e, "\"farthest\"", "the value");
        assertNames(e, "unknown miss rule", "the rule");
    }

    @Test
    void unresolvedSubstitutionRejected() {
        InvalidConfigException e = rejected(null, "trials=${nope}");

        assertNames(e, "cannot be resolved", "the rule");
        assertNames(e, "nope", "the missing key");
    }

    @Test
    void substitutionResolved() {
        SeparationSettings settings = ConfigLoader.load(null, List.of("answer_trials=${trials}", "trials=777"));

        assertEquals(777L, settings.answerTrials(), "answer_trials=${trials} follows the final trials");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private static InvalidConfigException rejected(Path file, String... assignments) {
        return assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, List.of(assignments)),
            () -> "expected rejection of file " + file + " with --set " + List.of(assignments));
    }

    private static void assertNames(InvalidConfigException e, String fragment, String what) {
        assertTrue(e.getMessage().contains(fragment),
            () -> "the message should name " + what + " ('" + fragment + "'): " + e.getMessage());
    }
}
