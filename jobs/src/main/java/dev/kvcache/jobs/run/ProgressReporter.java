package dev.kvcache.jobs.run;

import dev.kvcache.jobs.plan.Cell;
import dev.kvcache.jobs.plan.Plan;
import dev.kvcache.jobs.plan.Planner;
import dev.kvcache.jobs.plan.WorkUnit;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Shows how far a run is: cells done of the total, the share of the planned work done, plain
 * trials per second and an estimate of the time left. It listens to Spark's task ends on the
 * driver: a partition's units are done when its task of the run's first stage succeeds, counted
 * once whatever the retries. On a terminal the line is refreshed in place; otherwise a plain line
 * is printed at most every {@code interval} and once at the end.
 */
public final class ProgressReporter extends SparkListener {
    private final PrintStream out;
    private final boolean inPlace;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final int cellsTotal;
    private final double costTotal;
    private final long trialsTotal;
    private final List<List<WorkUnit>> partitions;
    private final List<Cell> cells;
    private final int particles;
    private final int[] partitionsLeftPerCell;
    private final boolean[] partitionDone;
    private final long start;

    private int firstStage = Integer.MAX_VALUE;
    private int cellsDone;
    private double costDone;
    private long trialsDone;
    private long lastPrinted = Long.MIN_VALUE;
    private int lastLength;

    /**
     * Creates a reporter of {@code plan}'s progress.
     *
     * @param inPlace refresh one line with carriage returns (a terminal), else print plain lines
     * @param intervalNanos the least time between two lines, in nanoseconds
     * @param clock the time source, in nanoseconds
     */
    public ProgressReporter(Plan plan, int particles, PrintStream out, boolean inPlace, long intervalNanos,
                            LongSupplier clock) {
        this.out = out;
        this.inPlace = inPlace;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
        this.cells = plan.cells();
        this.partitions = plan.partitions();
        this.particles = particles;
        this.cellsTotal = cells.size();
        this.partitionsLeftPerCell = new int[cells.size()];
        this.partitionDone = new boolean[partitions.size()];
        double cost = 0;
        for (List<WorkUnit> partition : partitions) {
            for (int cell : cellsOf(partition)) {
                partitionsLeftPerCell[cell]++;
            }
            cost += cost(partition);
        }
        this.costTotal = cost;
        this.trialsTotal = plan.totalTrials();
        this.start = clock.getAsLong();
    }

    @Override
    public synchronized void onStageSubmitted(SparkListenerStageSubmitted stageSubmitted) {
        firstStage = Math.min(firstStage, stageSubmitted.stageInfo().stageId());
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        if (taskEnd.stageId() != firstStage || !(taskEnd.reason() instanceof Success$)) {
            return;
        }
        partitionDone(taskEnd.taskInfo().index());
    }

    /** Records that partition {@code index} finished; a second report of it changes nothing. */
    synchronized void partitionDone(int index) {
        if (markDone(index)) {
            long now = clock.getAsLong();
            // Plain lines leave the final one to finish(), so it is printed once.
            boolean complete = costDone >= costTotal;
            if (inPlace || (!complete && (lastPrinted == Long.MIN_VALUE || now - lastPrinted >= intervalNanos))) {
                print(line(now), false);
                lastPrinted = now;
            }
        }
    }

    private boolean markDone(int index) {
        if (index < 0 || index >= partitionDone.length || partitionDone[index]) {
            return false;
        }
        partitionDone[index] = true;
        List<WorkUnit> partition = partitions.get(index);
        for (int cell : cellsOf(partition)) {
            if (--partitionsLeftPerCell[cell] == 0) {
                cellsDone++;
            }
        }
        for (WorkUnit unit : partition) {
            trialsDone += unit.trials();
        }
        costDone += cost(partition);
        return true;
    }

    /**
     * Prints the final line of a run whose job succeeded, ending the line refreshed in place.
     * Spark delivers task ends asynchronously, so partitions not reported yet are counted here.
     */
    public synchronized void finish() {
        for (int i = 0; i < partitionDone.length; i++) {
            markDone(i);
        }
        print(line(clock.getAsLong()), true);
    }

    /** Returns the progress line at time {@code now}. */
    synchronized String line(long now) {
        double seconds = (now - start) / 1e9;
        double fraction = costTotal > 0 ? costDone / costTotal : 1;
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "progress: %d of %d cells, %.0f%% of the work, %d of %d plain trials",
            cellsDone, cellsTotal, 100 * fraction, trialsDone, trialsTotal));
        if (seconds > 0 && trialsDone > 0) {
            text.append(String.format(Locale.ROOT, ", %.3g trials/s", trialsDone / seconds));
        }
        if (fraction > 0 && fraction < 1) {
            text.append(", about ").append(duration(seconds * (1 - fraction) / fraction)).append(" left");
        } else if (fraction >= 1) {
            text.append(", done in ").append(duration(seconds));
        }
        return text.toString();
    }

    private void print(String line, boolean last) {
        if (inPlace) {
            String padding = " ".repeat(Math.max(0, lastLength - line.length()));
            out.print("\r" + line + padding + (last ? "\n" : ""));
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    private double cost(List<WorkUnit> partition) {
        double cost = 0;
        for (WorkUnit unit : partition) {
            cost += Planner.cost(cells.get(unit.cellIndex()), unit, particles);
        }
        return cost;
    }

    private static Set<Integer> cellsOf(List<WorkUnit> partition) {
        Set<Integer> indices = new HashSet<>();
        for (WorkUnit unit : partition) {
            indices.add(unit.cellIndex());
        }
        return indices;
    }

    /** Formats seconds as {@code 45 s}, {@code 3 min 05 s} or {@code 2 h 07 min}. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }
}
