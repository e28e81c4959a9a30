package dev.kvcache.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.controller.ControllerClass;
import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ExactRule;
import dev.kvcache.engine.controller.ObliviousController;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks exit code 3: a test-only controller that throws inside the Spark tasks makes the run
 * fail at run time, after the configuration was accepted. The run writes no results.
 */
class RuntimeFailureExitTest {
    private static final String FAILING = "failing-test";

    @BeforeEach
    void register() {
        ControllerRegistry.register(new ControllerRegistry.Entry(FAILING, ControllerClass.OBLIVIOUS,
            ExactRule.FRESH_PER_STAGE, "test only: every cache request throws",
            (s, settings, sets) -> new FailingController()));
    }

    @AfterEach
    void unregister() {
        ControllerRegistry.unregister(FAILING);
    }

    @Test
    void engineFailureExitsWithThree(@TempDir Path dir) {
        Path output = dir.resolve("results");

        ConsoleRun run = ConsoleRun.of("--master", "local[1]", "--output", output.toString(), "--set", "grid.n=[256]",
            "--set", "grid.s=[4]", "--set", "grid.k=[4]", "--set", "grid.controllers=[" + FAILING + "]",
            "--set", "grid.laws=[function]", "--set", "trials=100");

        assertEquals(ExitCodes.RUNTIME_FAILURE, run.exitCode(), "exit code\n" + run.console());
        assertTrue(run.err().contains("the run failed"), "standard error says the run failed\n" + run.console());
        assertTrue(run.err().contains("test-only engine failure"), "standard error names the cause\n" + run.console());
        assertFalse(run.out().contains("results:"), "no results line\n" + run.console());
        assertFalse(Files.exists(output), "no run folder is created when the run fails before writing");
    }

    /** An oblivious controller whose every cache request fails. */
    private static final class FailingController implements ObliviousController {
        @Override
        public String name() {
            return FAILING;
        }

        @Override
        public void beginTrial() {
            // Nothing to reset.
        }

        @Override
        public ResidentSet cacheAt(int t) {
            throw new IllegalStateException("test-only engine failure at stage " + t);
        }
    }
}
