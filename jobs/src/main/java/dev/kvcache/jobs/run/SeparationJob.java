package dev.kvcache.jobs.run;

import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.jobs.config.EstimatorSettings;
import dev.kvcache.jobs.config.SeparationSettings;
import dev.kvcache.jobs.plan.Cell;
import dev.kvcache.jobs.plan.Plan;
import dev.kvcache.jobs.plan.WorkUnit;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import scala.util.Try;

/**
 * The distributed part of the separation job: each partition runs the work units dealt to it and
 * returns their outcomes to the driver as soon as its task succeeds. The driver merges them per
 * cell, and hands each cell to a {@link CellSink} the moment its last unit is in, so a run can
 * commit finished cells while it goes and a stopped run can resume from them. Spark reports each
 * partition's result once, whatever the retries.
 */
public final class SeparationJob {
    private SeparationJob() {
    }

    /** Receives each cell when its last unit is in; called on the driver, one cell at a time. */
    @FunctionalInterface
    public interface CellSink {
        void finished(Cell cell, UnitOutcome outcome) throws IOException;
    }

    /** Thrown when the time budget ran out before every cell finished; finished cells were handed over. */
    public static final class BudgetExceededException extends Exception {
        private final int finishedCells;

        BudgetExceededException(Duration budget, int finishedCells) {
            super("the time budget of " + ProgressReporter.duration(budget.toMillis() / 1e3) + " ran out");
            this.finishedCells = finishedCells;
        }

        /** Returns the cells finished before the stop, those carried over included. */
        public int finishedCells() {
            return finishedCells;
        }
    }

    /**
     * Runs every unit of {@code plan} and returns one merged outcome per cell, in cell order.
     *
     * @throws IllegalStateException if a cell's merged trials differ from its plan
     */
    public static List<UnitOutcome> run(SparkSession spark, SeparationSettings settings, Plan plan) {
        try {
            return run(spark, settings, plan, null, Map.of(), (cell, outcome) -> { }, null);
        } catch (BudgetExceededException e) {
            throw new IllegalStateException("a run without a time budget ran out of time", e);
        }
    }

    /**
     * Runs the units of the cells of {@code plan} that are not in {@code finished}, hands each cell
     * to {@code sink} when its last unit is in, and returns every cell's outcome in cell order,
     * those of {@code finished} included.
     *
     * @param progress listens to the tasks and prints its final line; may be {@code null}
     * @param finished outcomes of cells finished earlier (a resumed run), by cell index
     * @param budget the time the job may take, or {@code null} for no limit; when it runs out the
     *     job is cancelled
     * @throws BudgetExceededException if the budget ran out before every cell finished
     * @throws IllegalStateException if a cell's merged trials or replicates differ from its plan
     */
    public static List<UnitOutcome> run(SparkSession spark, SeparationSettings settings, Plan plan,
                                        ProgressReporter progress, Map<Integer, UnitOutcome> finished,
                                        CellSink sink, Duration budget) throws BudgetExceededException {
        List<Cell> cells = plan.cells();
        Map<Integer, UnitOutcome> outcomes = new HashMap<>(finished);
        int[] unitsLeft = new int[cells.size()];
        List<List<WorkUnit>> partitions = new ArrayList<>();
        for (List<WorkUnit> partition : plan.partitions()) {
            List<WorkUnit> remaining = new ArrayList<>();
            for (WorkUnit unit : partition) {
                if (!finished.containsKey(unit.cellIndex())) {
                    remaining.add(unit);
                    unitsLeft[unit.cellIndex()]++;
                }
            }
            partitions.add(remaining);
        }

        if (progress != null) {
            spark.sparkContext().addSparkListener(progress);
        }
        try {
            runPartitions(spark, settings, plan, partitions, unitsLeft, outcomes, sink, budget);
            if (progress != null) {
                progress.finish();
            }
        } finally {
            if (progress != null) {
                spark.sparkContext().removeSparkListener(progress);
            }
        }

        List<UnitOutcome> ordered = new ArrayList<>(cells.size());
        for (Cell cell : cells) {
            UnitOutcome outcome = outcomes.get(cell.index());
            if (outcome == null || outcome.counts().trials() != cell.trials()
                || outcome.replicatesDone() != cell.replicates()) {
                throw new IllegalStateException("cell " + cell.label() + " finished with "
                    + (outcome == null ? 0 : outcome.counts().trials()) + " trials and "
                    + (outcome == null ? 0 : outcome.replicatesDone()) + " splitting replicates, planned "
                    + cell.trials() + " and " + cell.replicates());
            }
            ordered.add(outcome);
        }
        return ordered;
    }

    private static void runPartitions(SparkSession spark, SeparationSettings settings, Plan plan,
                                      List<List<WorkUnit>> partitions, int[] unitsLeft,
                                      Map<Integer, UnitOutcome> outcomes, CellSink sink, Duration budget)
        throws BudgetExceededException {
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Cell> cells = plan.cells();
        Map<Integer, UnitOutcome> partial = new HashMap<>();
        JavaRDD<List<WorkUnit>> rdd = context.parallelize(partitions, Math.max(1, partitions.size()));
        List<Object> indices = new ArrayList<>();
        for (int p = 0; p < partitions.size(); p++) {
            indices.add(p);
        }
        // Failures in the handler are kept and rethrown here: Spark would only log them.
        List<IOException> sinkFailures = new ArrayList<>();

        SimpleFutureAction<BoxedUnit> future = spark.sparkContext().submitJob(rdd.rdd(),
            new RunUnits(cells, settings.seed(), settings.controllerSettings(), settings.estimator()),
            CollectionConverters.asScala(indices).toSeq(),
            (Object index, ArrayList<Tuple2<Integer, UnitOutcome>> results) -> {
                synchronized (outcomes) {
                    for (Tuple2<Integer, UnitOutcome> result : results) {
                        int cell = result._1();
                        UnitOutcome merged = partial.containsKey(cell)
                            ? UnitOutcome.merge(partial.get(cell), result._2())
                            : result._2();
                        partial.put(cell, merged);
                        if (--unitsLeft[cell] == 0) {
                            outcomes.put(cell, merged);
                            try {
                                sink.finished(cells.get(cell), merged);
                            } catch (IOException e) {
                                sinkFailures.add(e);
                            }
                        }
                    }
                }
                return BoxedUnit.UNIT;
            },
            () -> BoxedUnit.UNIT);

        long deadline = budget == null ? Long.MAX_VALUE : System.nanoTime() + budget.toNanos();
        boolean cancelled = false;
        while (!future.isCompleted()) {
            boolean commitFailed;
            synchronized (outcomes) {
                commitFailed = !sinkFailures.isEmpty();
            }
            if (!cancelled && (System.nanoTime() > deadline || commitFailed)) {
                // A cell that cannot be committed stops the run at once, rather than after all its work.
                future.cancel();
                cancelled = true;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                future.cancel();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the job ran", e);
            }
        }
        synchronized (outcomes) {
            if (!sinkFailures.isEmpty()) {
                throw new UncheckedIOException("cannot commit a finished cell: " + sinkFailures.get(0).getMessage(),
                    sinkFailures.get(0));
            }
            if (cancelled && outcomes.size() < cells.size()) {
                throw new BudgetExceededException(budget, outcomes.size());
            }
        }
        Try<BoxedUnit> result = future.value().get();
        if (result.isFailure()) {
            Throwable failure = result.failed().get();
            throw failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
        }
    }

    /** Runs the units of one partition on an executor and returns their outcomes. */
    private static final class RunUnits extends scala.runtime.AbstractFunction1<
        scala.collection.Iterator<List<WorkUnit>>, ArrayList<Tuple2<Integer, UnitOutcome>>> implements Serializable {
        private static final long serialVersionUID = 1L;

        private final List<Cell> cells;
        private final long seed;
        private final ControllerSettings settings;
        private final EstimatorSettings estimator;

        RunUnits(List<Cell> cells, long seed, ControllerSettings settings, EstimatorSettings estimator) {
            this.cells = new ArrayList<>(cells);
            this.seed = seed;
            this.settings = settings;
            this.estimator = estimator;
        }

        @Override
        public ArrayList<Tuple2<Integer, UnitOutcome>> apply(scala.collection.Iterator<List<WorkUnit>> assigned) {
            ArrayList<Tuple2<Integer, UnitOutcome>> results = new ArrayList<>();
            while (assigned.hasNext()) {
                for (WorkUnit unit : assigned.next()) {
                    Cell cell = cells.get(unit.cellIndex());
                    results.add(new Tuple2<>(unit.cellIndex(), UnitRunner.run(cell, unit, seed, settings, estimator)));
                }
            }
            return results;
        }
    }
}
