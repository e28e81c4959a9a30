package dev.kvcache.engine.bench;

import dev.kvcache.engine.dense.WindowedDoubling;
import dev.kvcache.engine.depth.WindowSchedule;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.PointerLaw;
import java.util.List;
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
 * Instances per second of the depth job's simulation on one thread: each instance draws a whole
 * pointer map of {@code n} entries and plays every candidate window of {@code (k, s)} on it
 * (for {@code k = 1024} and {@code s = 16}: windows 1 to 16 and the control window 32).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class WindowedDoublingBenchmark {
    /** Instances per benchmark call. */
    static final int BATCH = 16;

    /** One simulator and its running counts, built once per fork. */
    @State(Scope.Thread)
    public static class Cell {
        @Param({"12", "16", "20"})
        public int log2n;

        @Param({"16"})
        public long s;

        @Param({"1024"})
        public long k;

        @Param({"function", "permutation"})
        public String law;

        WindowedDoubling engine;
        long[] successes;
        long[] reads;

        @Setup
        public void setUp() {
            List<Long> windows = WindowSchedule.candidates(k, s);
            engine = new WindowedDoubling(1L << log2n, k, s, PointerLaw.fromConfigName(law), windows,
                Seeds.generator(DenseEngineBenchmark.SEED));
            successes = new long[windows.size()];
            reads = new long[windows.size()];
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long instances(Cell cell) {
        cell.engine.run(BATCH, cell.successes, cell.reads);
        return cell.successes[0];
    }
}
