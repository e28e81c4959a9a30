package dev.kvcache.jobs.plan;

import java.io.Serializable;

/**
 * A block of one cell's trials with its own random stream, seeded from
 * {@code (seed, cell key, block)}; the smallest piece of work a Spark task runs.
 *
 * @param cellIndex the cell's index in the plan
 * @param block the block number within the cell, from 0
 * @param trials the trials of this block
 * @param answerTrials how many of them, the first ones, follow the query to its answer
 */
public record WorkUnit(int cellIndex, long block, long trials, long answerTrials) implements Serializable {
}
