package dev.kvcache.engine.bench;

import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.dense.DenseEngine;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Trials per second of the dense engine on one thread in events mode, with the
 * {@code random-fresh} controller, {@code n = 4096} and {@code k = 16} ({@code T = 4} stages).
 * Every trial draws the whole pointer map, {@code n} bounded random integers, so the cost per
 * trial is about the same for every cache size; {@code s = 16} is the default cell of
 * {@code conf/defaults.conf} and {@code s = 2048} one where trials reach the later stages.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class DenseEngineBenchmark {
    /** Trials per benchmark call. */
    static final int BATCH = 64;
    static final long SEED = 20261204L;

    /** One engine and its running counts for one cell, built once per fork. */
    @State(Scope.Thread)
    public static class Cell {
        @Param({"4096"})
        public long n;

        @Param({"16", "2048"})
        public long s;

        @Param({"function", "permutation"})
        public String law;

        @Param({"16"})
        public long k;

        DenseEngine engine;
        TrialCounts counts;

        @Setup
        public void setUp() {
            ChaseTask task = new ChaseTask(n, s, k, PointerLaw.fromConfigName(law), MissRule.NEAREST);
            engine = new DenseEngine(task, "random-fresh", ControllerSettings.defaults(), Seeds.generator(SEED));
            counts = new TrialCounts(task.stages());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long eventsMode(Cell cell) {
        cell.engine.run(BATCH, 0, cell.counts);
        return cell.counts.events();
    }
}
