package dev.kvcache.engine.cache;

import java.util.function.LongConsumer;
import java.util.function.LongPredicate;

/**
 * A resident set whose membership law, given what has been revealed so far, can be read without
 * drawing anything. The splitting estimator needs it to run many clones of one state at once:
 * clones share the revealed state, so the chance that a read hits is the same for each of them.
 *
 * <p>The law has a simple shape that the methods below rely on: every position that is neither
 * revealed ({@link #forEachRevealed}) nor otherwise special to the caller has either a membership
 * probability of 0 or 1 (a set fixed by its state, such as a window or a strided pattern), or one
 * common probability (the anonymous members of a random subset). The probabilities of all
 * positions add up to {@link #size()}.
 */
public interface ConditionalSet extends ResidentSet {

    /** Returns the probability that {@code p} is resident, given everything revealed so far; draws nothing. */
    double memberProbability(long p);

    /**
     * Conditions the set on {@code p} being resident: afterwards {@code p} is a known resident.
     *
     * @throws IllegalStateException if {@code p} cannot be resident ({@link #memberProbability} is 0)
     */
    void revealMember(long p);

    /**
     * Calls {@code action} for every position whose membership is revealed and could differ from
     * the common law of the others. A set fixed by its state reveals nothing: every membership
     * probability is already 0 or 1.
     */
    void forEachRevealed(LongConsumer action);

    /**
     * Draws a position from the conditional law of "a uniformly random position, outside the
     * revealed ones and those {@code excluded} accepts, that turned out to be resident", and
     * returns it without revealing it. Such positions all have the same membership probability or
     * a probability of 0 or 1, so the law is uniform over the candidates that can be resident.
     *
     * @throws IllegalStateException if no such position can exist
     */
    long drawMemberOutside(LongPredicate excluded);
}
