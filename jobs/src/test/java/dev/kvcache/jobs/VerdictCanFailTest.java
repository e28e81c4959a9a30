package dev.kvcache.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.cache.SetFactory;
import dev.kvcache.engine.controller.ControllerClass;
import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ExactRule;
import dev.kvcache.engine.controller.ObliviousController;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks that the verdicts can fail: two test-only oblivious controllers whose caches report every
 * read position as resident (the read position leaks into the cache) run beside {@code follow}.
 *
 * <ul>
 *   <li>{@code leaky-fresh} declares the random-fresh exact value {@code (s/n)^T = 1/4096} for
 *       n = 256, s = 4, k = 4, but records the event in every trial, so its model verdict must fail.</li>
 *   <li>{@code leaky-certain} declares {@code P(E) = 1}, which its trials match, so its model
 *       verdict passes; as an oblivious controller inside the theorem regime it exceeds the bound
 *       {@code (4/254)^2 + 2 * 8 / 256 = 0.0627}, so its theory verdict must fail.</li>
 * </ul>
 * The cell n = 256, s = 4, k = 4 lies inside the theorem regime (256 >= 16 and 4 <= sqrt(256)/4).
 */
class VerdictCanFailTest {
    private static final String LEAKY_FRESH = "leaky-fresh";
    private static final String LEAKY_CERTAIN = "leaky-certain";
    private static final String CELL = "n=256 s=4 k=4 ";

    @TempDir
    static Path root;

    private static ConsoleRun run;
    private static RunResults results;

    @BeforeAll
    static void registerAndRun() throws IOException {
        ControllerRegistry.register(new ControllerRegistry.Entry(LEAKY_FRESH, ControllerClass.OBLIVIOUS,
            ExactRule.FRESH_PER_STAGE, "test only: random-fresh caches that contain every read position",
            (s, settings, sets) -> new LeakyController(LEAKY_FRESH, s, sets)));
        ControllerRegistry.register(new ControllerRegistry.Entry(LEAKY_CERTAIN, ControllerClass.OBLIVIOUS,
            ExactRule.CERTAIN, "test only: oblivious caches that contain every read position",
            (s, settings, sets) -> new LeakyController(LEAKY_CERTAIN, s, sets)));

        List<String> args = new ArrayList<>(List.of("--master", "local[2]", "--output", root.toString()));
        for (String assignment : List.of("grid.n=[256]", "grid.s=[4]", "grid.k=[4]",
            "grid.controllers=[" + LEAKY_FRESH + ", " + LEAKY_CERTAIN + ", follow]", "grid.laws=[function]",
            "trials=2000")) {
            args.add("--set");
            args.add(assignment);
        }
        run = ConsoleRun.of(args.toArray(new String[0]));
        results = RunResults.single(root);
    }

    @AfterAll
    static void unregister() {
        ControllerRegistry.unregister(LEAKY_FRESH);
        ControllerRegistry.unregister(LEAKY_CERTAIN);
    }

    @Test
    void runExitsWithVerdictFailed() {
        assertEquals(ExitCodes.VERDICT_FAILED, run.exitCode(), "exit code\n" + run.console());
    }

    @Test
    void summaryStatusFail() throws IOException {
        JsonNode summary = results.summary();

        assertEquals("fail", summary.get("status").asText(), "status");
        assertEquals(2, summary.get("cells_failed").asInt(), "the two leaky cells fail");
    }

    @Test
    void leakyCellFailsModelVerdict() throws IOException {
        JsonNode cell = results.onlyCell(LEAKY_FRESH);

        assertEquals(2000, cell.get("events").asLong(), "every read hits, so every trial sees the event");
        assertEquals(1.0 / 4096, cell.get("exact").asDouble(), 1e-18, "the declared exact value (4/256)^2");
        assertEquals("fail", cell.get("verdict_model").asText(), "model verdict of " + LEAKY_FRESH);
        assertEquals("fail", cell.get("verdict_theory").asText(), "theory verdict of " + LEAKY_FRESH);
    }

    @Test
    void certainLeakFailsTheoryVerdictOnly() throws IOException {
        JsonNode cell = results.onlyCell(LEAKY_CERTAIN);

        assertEquals("pass", cell.get("verdict_model").asText(), "model verdict: P(E) = 1 as declared");
        assertEquals("fail", cell.get("verdict_theory").asText(), "theory verdict: above the oblivious bound");
    }

    @Test
    void followPasses() throws IOException {
        JsonNode cell = results.onlyCell("follow");

        assertEquals("pass", cell.get("verdict_model").asText(), "model verdict of follow");
        assertEquals("pass", cell.get("verdict_theory").asText(), "theory verdict of follow");
    }

    @Test
    void consoleNamesFailingCells() {
        assertTrue(run.out().contains("FAILED model verdict: " + CELL + LEAKY_FRESH + " function"),
            "the console names the cell whose model verdict failed\n" + run.console());
        assertTrue(run.out().contains("FAILED theory verdict: " + CELL + LEAKY_CERTAIN + " function"),
            "the console names the cell whose theory verdict failed\n" + run.console());
        assertFalse(run.out().contains("FAILED model verdict: " + CELL + "follow"),
            "the console does not name the passing cell\n" + run.console());
        assertTrue(run.out().contains("FAIL: 3 cells"), "the status line\n" + run.console());
    }

    /**
     * The console line of a failed theory verdict must print the theory test's adjusted p-value,
     * not the model test's: for {@code leaky-certain} the model p-value is 1 and the theory
     * p-value is near 0, so the two cannot be confused.
     */
    @Test
    void theoryFailureLinePrintsTheoryAdjustedP() throws IOException {
        double theoryAdjusted = results.onlyCell(LEAKY_CERTAIN).get("p_theory_adjusted").asDouble();
        String expected = String.format(Locale.ROOT, "adjusted p = %.3g", theoryAdjusted);
        String line = run.out().lines()
            .filter(l -> l.startsWith("FAILED theory verdict: " + CELL + LEAKY_CERTAIN))
            .findFirst().orElse("(no such line)");

        assertTrue(line.endsWith(expected), "the line should end with '" + expected + "': " + line);
    }

    /** An oblivious controller drawing random-fresh caches that report every position as resident. */
    private static final class LeakyController implements ObliviousController {
        private final String name;
        private final SetFactory.RandomSubsetSlot slot;

        LeakyController(String name, long s, SetFactory sets) {
            this.name = name;
            this.slot = sets.randomSubsetSlot(s);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void beginTrial() {
            // Each stage draws its own set.
        }

        @Override
        public ResidentSet cacheAt(int t) {
            return new AlwaysResident(slot.draw());
        }
    }

    /** A resident set whose membership test always returns true. Every other method delegates to a real set. */
    private static final class AlwaysResident implements ResidentSet {
        private final ResidentSet real;

        AlwaysResident(ResidentSet real) {
            this.real = real;
        }

        @Override
        public long universe() {
            return real.universe();
        }

        @Override
        public long size() {
            return real.size();
        }

        @Override
        public boolean contains(long p) {
            return true;
        }

        @Override
        public long nearest(long p) {
            return real.nearest(p);
        }

        @Override
        public long uniformMember() {
            return real.uniformMember();
        }

        @Override
        public long anonymousCount() {
            return real.anonymousCount();
        }

        @Override
        public void markKnown(long p) {
            real.markKnown(p);
        }

        @Override
        public void admit(long p) {
            real.admit(p);
        }

        @Override
        public void evict(long p) {
            real.evict(p);
        }

        @Override
        public long evictAnonymous() {
            return real.evictAnonymous();
        }
    }
}
