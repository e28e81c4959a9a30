package dev.kvcache.jobs.run;

import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.jobs.config.EstimatorSettings;
import dev.kvcache.jobs.config.SeparationSettings;
import dev.kvcache.jobs.plan.Cell;
import dev.kvcache.jobs.plan.Plan;
import dev.kvcache.jobs.plan.WorkUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * The distributed part of the separation job: each partition runs the work units dealt to it, and
 * a reduce merges the exact counts per cell. Results are collected to the driver, which holds one
 * small record per cell.
 */
public final class SeparationJob {
    private SeparationJob() {
    }

    /**
     * Runs every unit of {@code plan} and returns one merged outcome per cell, in cell order.
     *
     * @throws IllegalStateException if a cell's merged trials differ from its plan
     */
    public static List<UnitOutcome> run(SparkSession spark, SeparationSettings settings, Plan plan) {
        return run(spark, settings, plan, null);
    }

    /**
     * Runs every unit of {@code plan} as {@link #run(SparkSession, SeparationSettings, Plan)} does,
     * with {@code progress} (when not null) listening to the tasks and printing its final line.
     */
    public static List<UnitOutcome> run(SparkSession spark, SeparationSettings settings, Plan plan,
                                        ProgressReporter progress) {
        if (progress == null) {
            return runJob(spark, settings, plan);
        }
        spark.sparkContext().addSparkListener(progress);
        try {
            List<UnitOutcome> outcomes = runJob(spark, settings, plan);
            progress.finish();
            return outcomes;
        } finally {
            spark.sparkContext().removeSparkListener(progress);
        }
    }

    private static List<UnitOutcome> runJob(SparkSession spark, SeparationSettings settings, Plan plan) {
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Cell> cells = plan.cells();
        long seed = settings.seed();
        ControllerSettings controllerSettings = settings.controllerSettings();
        EstimatorSettings estimator = settings.estimator();
        int partitions = plan.partitions().size();

        // One element per partition, so each partition receives exactly the units dealt to it.
        JavaPairRDD<Integer, UnitOutcome> outcomes = context.parallelize(plan.partitions(), partitions)
            .mapPartitionsToPair(assigned -> runAssigned(assigned, cells, seed, controllerSettings, estimator))
            .reduceByKey(UnitOutcome::merge, Math.max(1, Math.min(partitions, cells.size())));
        Map<Integer, UnitOutcome> byCell = outcomes.collectAsMap();

        List<UnitOutcome> ordered = new ArrayList<>(cells.size());
        for (Cell cell : cells) {
            UnitOutcome outcome = byCell.get(cell.index());
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

    private static Iterator<Tuple2<Integer, UnitOutcome>> runAssigned(Iterator<List<WorkUnit>> assigned, List<Cell> cells,
                                                                       long seed, ControllerSettings settings,
                                                                       EstimatorSettings estimator) {
        List<Tuple2<Integer, UnitOutcome>> results = new ArrayList<>();
        while (assigned.hasNext()) {
            for (WorkUnit unit : assigned.next()) {
                Cell cell = cells.get(unit.cellIndex());
                results.add(new Tuple2<>(unit.cellIndex(), UnitRunner.run(cell, unit, seed, settings, estimator)));
            }
        }
        return results.iterator();
    }
}
