package dev.kvcache.jobs.plan;

import java.io.Serializable;
import java.util.List;

/**
 * The planned cells of a run, the combinations of the grid that were skipped (with the reason),
 * and the work units assigned to partitions.
 *
 * @param cells the cells, indexed by {@link Cell#index()}
 * @param skipped one line per skipped combination
 * @param partitions the work units of each partition
 */
public record Plan(List<Cell> cells, List<String> skipped, List<List<WorkUnit>> partitions) implements Serializable {

    /** Returns the number of work units. */
    public long unitCount() {
        return partitions.stream().mapToLong(List::size).sum();
    }

    /** Returns the trials of all cells together. */
    public long totalTrials() {
        return cells.stream().mapToLong(Cell::trials).sum();
    }
}
