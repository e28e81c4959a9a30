package dev.kvcache.engine.bench;

import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.engine.lazy.LazyEngine;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import dev.kvcache.engine.task.Stages;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Throughput of the lazy engine on one thread with the {@code random-fresh} controller and the
 * {@code nearest} miss rule.
 *
 * <p>{@link #eventsMode} reports trials per second in events mode, where a trial stops at its first
 * miss, with {@code k = 16} ({@code T = 4} stages). {@link #answersMode} reports trials per second in
 * answers mode and, as the secondary result {@code hops}, pointer hops per second. A hop is one
 * application of {@code f}: the query follows {@code h_1 + ... + h_T = k} pointers in every trial,
 * and a trial with a miss follows {@code k} more for the true answer {@code f^k(x0)}, so a batch
 * of {@code B} trials of which {@code E} saw the event makes {@code B k + (B - E) k} hops. Each call
 * of {@code f} counts, also one that finds a pointer drawn earlier in the trial.
 *
 * <p>Cells: {@code n = 2^log2n}; cache {@code theorem} is {@code s = sqrt(n)/4}, the largest cache
 * inside the theorem regime, where almost every read misses, and {@code half} is {@code s = n/2},
 * where {@code P(E) = 1/16} at {@code T = 4} and trials reach the later stages.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class LazyEngineBenchmark {
    /** Trials per events-mode call, so the per-call overhead of JMH stays negligible. */
    static final int EVENT_BATCH = 4096;
    /** Trials per answers-mode call, fewer than in events mode because such a trial makes up to 2k hops. */
    static final int ANSWER_BATCH = 256;
    static final long SEED = 20261204L;

    /** An events-mode cell: one engine and its running counts, built once per fork. */
    @State(Scope.Thread)
    public static class EventsCell {
        @Param({"20", "40"})
        public int log2n;

        @Param({"theorem", "half"})
        public String cache;

        @Param({"function", "permutation"})
        public String law;

        @Param({"16"})
        public long k;

        LazyEngine engine;
        TrialCounts counts;

        @Setup
        public void setUp() {
            engine = engine(log2n, cache, k, law);
            counts = new TrialCounts(Stages.count(k));
        }
    }

    /** An answers-mode cell: one engine and its running counts, built once per fork. */
    @State(Scope.Thread)
    public static class AnswersCell {
        @Param({"20", "40"})
        public int log2n;

        @Param({"theorem", "half"})
        public String cache;

        @Param({"function"})
        public String law;

        @Param({"16", "1024"})
        public long k;

        LazyEngine engine;
        TrialCounts counts;

        @Setup
        public void setUp() {
            engine = engine(log2n, cache, k, law);
            counts = new TrialCounts(Stages.count(k));
        }
    }

    /** Pointer hops made in the current measurement iteration, which JMH reports per second. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class HopCounter {
        public long hops;

        @Setup(Level.Iteration)
        public void clear() {
            hops = 0;
        }
    }

    static LazyEngine engine(int log2n, String cache, long k, String law) {
        long n = 1L << log2n;
        ChaseTask task = new ChaseTask(n, cacheSize(n, cache), k, PointerLaw.fromConfigName(law), MissRule.NEAREST);
        return new LazyEngine(task, "random-fresh", ControllerSettings.defaults(), Seeds.generator(SEED));
    }

    /**
     * Returns the cache size of a named cell: {@code theorem} is {@code floor(sqrt(n)/4)} and
     * {@code half} is {@code n/2}.
     *
     * @throws IllegalArgumentException if the name is neither
     */
    static long cacheSize(long n, String cache) {
        switch (cache) {
            case "theorem":
                return Math.max(1, (long) Math.floor(Math.sqrt((double) n) / 4));
            case "half":
                return n / 2;
            default:
                throw new IllegalArgumentException("unknown cache cell '" + cache + "'; known cells: theorem, half");
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENT_BATCH)
    public long eventsMode(EventsCell cell) {
        cell.engine.run(EVENT_BATCH, 0, cell.counts);
        return cell.counts.events();
    }

    @Benchmark
    @OperationsPerInvocation(ANSWER_BATCH)
    public long answersMode(AnswersCell cell, HopCounter counter) {
        TrialCounts counts = cell.counts;
        long eventsBefore = counts.events();
        cell.engine.run(ANSWER_BATCH, ANSWER_BATCH, counts);
        long missed = ANSWER_BATCH - (counts.events() - eventsBefore);
        counter.hops += (ANSWER_BATCH + missed) * cell.k;
        return counts.correct();
    }
}
