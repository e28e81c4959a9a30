package dev.kvcache.jobs.depth;

import dev.kvcache.engine.dense.WindowedDoubling;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.jobs.depth.DepthPlan.Simulation;
import dev.kvcache.jobs.depth.DepthPlan.Unit;
import java.io.PrintStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import scala.util.Try;

/**
 * The distributed part of the depth job: each partition plays its work units, every candidate
 * window on the same instances, and returns the counts to the driver, which adds them per
 * simulation. A unit's instances come from the stream seeded by {@code (seed, simulation stream,
 * block)}, so the counts depend only on the seed and the configuration, never on partitions,
 * executors or retries (Spark hands over each partition's result once).
 */
public final class DepthJob {
    private DepthJob() {
    }

    /**
     * The counts of one simulation, per window in the order of {@link Simulation#windows()}.
     *
     * @param trials instances played
     * @param successes per window, the instances answered with {@code f^k(x0)}
     * @param reads per window, the reads made over all instances
     */
    public record Counts(long trials, long[] successes, long[] reads) implements Serializable {
        Counts add(Counts other) {
            long[] s = successes.clone();
            long[] r = reads.clone();
            for (int i = 0; i < s.length; i++) {
                s[i] += other.successes[i];
                r[i] += other.reads[i];
            }
            return new Counts(trials + other.trials, s, r);
        }
    }

    /** The counts of one unit, tagged with its simulation. */
    record UnitCounts(int simulation, Counts counts) implements Serializable {
    }

    /**
     * Runs every unit of {@code plan} and returns the counts per simulation, in plan order. Prints a
     * progress line to {@code progress} at most every {@code intervalNanos}, and a last one.
     *
     * @throws IllegalStateException if a simulation's trials differ from its plan
     */
    public static List<Counts> run(SparkSession spark, DepthPlan plan, long seed, PrintStream progress,
                                   long intervalNanos, LongSupplier clock) {
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<List<Unit>> partitions = plan.partitions();
        JavaRDD<List<Unit>> rdd = context.parallelize(partitions, Math.max(1, partitions.size()));
        List<Object> indices = new ArrayList<>();
        for (int p = 0; p < partitions.size(); p++) {
            indices.add(p);
        }
        List<Simulation> simulations = plan.simulations();
        Counts[] totals = new Counts[simulations.size()];
        int units = plan.unitCount();
        long start = clock.getAsLong();
        long[] state = {0, start};

        SimpleFutureAction<BoxedUnit> future = spark.sparkContext().submitJob(rdd.rdd(),
            new PlayUnits(simulations, seed), CollectionConverters.asScala(indices).toSeq(),
            (Object index, ArrayList<UnitCounts> results) -> {
                synchronized (totals) {
                    for (UnitCounts result : results) {
                        int i = result.simulation();
                        totals[i] = totals[i] == null ? result.counts() : totals[i].add(result.counts());
                    }
                    state[0] += results.size();
                    long now = clock.getAsLong();
                    if (progress != null && state[0] < units && now - state[1] >= intervalNanos) {
                        state[1] = now;
                        progress.println(progressLine(state[0], units, now - start));
                    }
                }
                return BoxedUnit.UNIT;
            },
            () -> BoxedUnit.UNIT);
        try {
            while (!future.isCompleted()) {
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            future.cancel();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the job ran", e);
        }
        Try<BoxedUnit> result = future.value().get();
        if (result.isFailure()) {
            Throwable failure = result.failed().get();
            throw failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
        }
        if (progress != null) {
            progress.println(progressLine(units, units, clock.getAsLong() - start));
        }
        List<Counts> ordered = new ArrayList<>();
        for (Simulation simulation : simulations) {
            Counts counts = totals[simulation.index()];
            if (counts == null || counts.trials() != simulation.trials()) {
                throw new IllegalStateException("simulation " + simulation.label() + " finished with "
                    + (counts == null ? 0 : counts.trials()) + " trials, planned " + simulation.trials());
            }
            ordered.add(counts);
        }
        return ordered;
    }

    static String progressLine(long done, long units, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        String left = done == 0 || done >= units ? ""
            : String.format(Locale.ROOT, ", about %.0f s left", seconds * (units - done) / done);
        return String.format(Locale.ROOT, "depth: %d of %d work units (%.0f%%), %.0f s%s", done, units,
            100.0 * done / units, seconds, left);
    }

    /** Runs one unit: plays every window of its simulation on its block of instances. */
    static Counts play(Simulation simulation, Unit unit, long seed) {
        int windows = simulation.windows().size();
        long[] successes = new long[windows];
        long[] reads = new long[windows];
        WindowedDoubling engine = new WindowedDoubling(simulation.n(), simulation.k(), simulation.s(), simulation.law(),
            simulation.windows(), Seeds.unitGenerator(seed, simulation.stream(), unit.block()));
        engine.run(unit.trials(), successes, reads);
        return new Counts(unit.trials(), successes, reads);
    }

    /** Plays the units of one partition on an executor. */
    private static final class PlayUnits extends scala.runtime.AbstractFunction1<
        scala.collection.Iterator<List<Unit>>, ArrayList<UnitCounts>> implements Serializable {
        private static final long serialVersionUID = 1L;

        private final List<Simulation> simulations;
        private final long seed;

        PlayUnits(List<Simulation> simulations, long seed) {
            this.simulations = new ArrayList<>(simulations);
            this.seed = seed;
        }

        @Override
        public ArrayList<UnitCounts> apply(scala.collection.Iterator<List<Unit>> assigned) {
            ArrayList<UnitCounts> results = new ArrayList<>();
            while (assigned.hasNext()) {
                for (Unit unit : assigned.next()) {
                    results.add(new UnitCounts(unit.simulation(), play(simulations.get(unit.simulation()), unit, seed)));
                }
            }
            return results;
        }
    }
}
