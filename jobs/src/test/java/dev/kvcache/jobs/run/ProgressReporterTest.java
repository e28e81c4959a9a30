package dev.kvcache.jobs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.jobs.config.ConfigLoader;
import dev.kvcache.jobs.config.SeparationSettings;
import dev.kvcache.jobs.plan.Plan;
import dev.kvcache.jobs.plan.Planner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Tests the progress line on a plan of two cells dealt to three partitions, with a hand-driven clock. */
class ProgressReporterTest {
    private static final long SECOND = 1_000_000_000L;

    private static Plan plan() {
        // Two plain cells of 1000 trials in units of 500: four units over three partitions.
        SeparationSettings settings = ConfigLoader.load(null, List.of("grid.n=[64]", "grid.s=[16]", "grid.k=[2]",
            "grid.controllers=[random-fresh]", "grid.laws=[function, permutation]", "trials=1000", "unit_trials=500",
            "estimator=plain"));
        return Planner.plan(settings, 3);
    }

    @Test
    void plainLinesAtMostOncePerInterval() {
        Plan plan = plan();
        AtomicLong now = new AtomicLong(0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ProgressReporter progress = new ProgressReporter(plan, 100, out, false, 10 * SECOND, now::get);

        now.set(2 * SECOND);
        progress.partitionDone(0);
        now.set(3 * SECOND);
        progress.partitionDone(1);
        progress.partitionDone(1);
        now.set(20 * SECOND);
        progress.partitionDone(2);
        progress.finish();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");

        assertEquals(2, lines.length, "the second partition came within 10 s of the first line, and the last"
            + " one is left to finish(): " + List.of(lines));
        assertTrue(lines[0].startsWith("progress: "), lines[0]);
        assertTrue(lines[0].contains("of 2 cells"), lines[0]);
        assertTrue(lines[0].contains("s left"), "an estimate of the time left: " + lines[0]);
        assertTrue(lines[1].contains("2 of 2 cells, 100% of the work, 2000 of 2000 plain trials"), lines[1]);
        assertTrue(lines[1].contains("100 trials/s"), "2000 trials in 20 s: " + lines[1]);
        assertTrue(lines[1].contains("done in 20 s"), lines[1]);
    }

    @Test
    void terminalLineIsRefreshedInPlace() {
        Plan plan = plan();
        AtomicLong now = new AtomicLong(0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ProgressReporter progress = new ProgressReporter(plan, 100, out, true, 10 * SECOND, now::get);

        now.set(SECOND);
        progress.partitionDone(2);
        now.set(4 * SECOND);
        progress.finish();
        String text = bytes.toString(StandardCharsets.UTF_8);

        assertEquals(2, text.chars().filter(c -> c == '\r').count(), "one carriage return per refresh: " + text);
        assertEquals(1, text.chars().filter(c -> c == '\n').count(), "one newline, at the end");
        assertTrue(text.endsWith("\n"), "the last refresh ends the line");
        assertTrue(text.stripTrailing().endsWith("done in 4 s"), text);
    }

    @Test
    void durationsAreReadable() {
        assertEquals("45 s", ProgressReporter.duration(45.2));
        assertEquals("3 min 05 s", ProgressReporter.duration(185));
        assertEquals("2 h 07 min", ProgressReporter.duration(7620));
    }
}
