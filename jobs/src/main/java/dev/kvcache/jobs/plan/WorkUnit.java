package dev.kvcache.jobs.plan;

import java.io.Serializable;

/**
 * The smallest piece of work a Spark task runs: a block of one cell's plain trials with its own
 * random stream, seeded from {@code (seed, cell key, block)}, or one splitting replicate, seeded
 * from {@code (seed, cell key, -1 - replicate)}.
 *
 * @param cellIndex the cell's index in the plan
 * @param block the block number within the cell, from 0, or the replicate number for a replicate
 * @param trials the plain trials of this block, 0 for a replicate
 * @param answerTrials how many of them, the first ones, follow the query to its answer
 * @param replicate whether this unit is a splitting replicate
 */
public record WorkUnit(int cellIndex, long block, long trials, long answerTrials, boolean replicate)
    implements Serializable {

    /** Returns a block of plain trials. */
    public static WorkUnit trials(int cellIndex, long block, long trials, long answerTrials) {
        return new WorkUnit(cellIndex, block, trials, answerTrials, false);
    }

    /** Returns splitting replicate {@code replicate} of a cell. */
    public static WorkUnit replicate(int cellIndex, int replicate) {
        return new WorkUnit(cellIndex, replicate, 0, 0, true);
    }

    /** Returns the seed coordinate of this unit: the block, or {@code -1 - replicate}. */
    public long seedBlock() {
        return replicate ? -1 - block : block;
    }
}
